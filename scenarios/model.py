"""What a flow and a scenario are, once loaded and validated (see scenarios/loader.py).

A flow is one regulation's diagram for one channel: nodes numbered as the regulation numbers
them (N-процесс ``P3``, N-шарт ``C1``, the provider's action ``A2``), in lanes, with edges and
the durations the regulation states. A scenario plays a flow with chosen personas and set-up
conditions and says what must happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

NodeKind = Literal["start", "process", "condition", "end"]
DurationUnit = Literal["min", "h", "wd", "cd"]


@dataclass(frozen=True)
class Duration:
    """A stated duration: ``amount`` ``unit`` (minutes, hours, working days, calendar days).

    ``within`` marks a maximum ("within 6 working days"); otherwise the regulation states the
    duration exactly. ``milestone`` marks a cell counted from an earlier event rather than added
    to the previous steps (regulations-kz.md, "cumulative milestones")."""

    amount: float
    unit: DurationUnit
    within: bool = False
    milestone: bool = False
    text: str = ""


@dataclass(frozen=True)
class Reading:
    """How an ambiguous or contradictory passage is read, why, and the option that switches it."""

    id: str
    text: str
    reason: str
    option: str | None = None
    default: Any = None


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    lane: str
    title: str
    actor: str | None = None
    next: str | None = None
    on_true: str | None = None
    on_false: str | None = None
    duration: Duration | None = None
    op: str | None = None
    """The real operation that plays this node (e.g. ``portal.login``, ``con.lookup_gbdfl``,
    ``arm.register``); see scenarios/operations.py for the vocabulary."""
    args: Mapping[str, Any] = field(default_factory=dict)
    check: str | None = None
    """The check of regulations-kz.md §6 this condition implements (K01…K19)."""
    basis: str = "text"
    line: int = 0
    """Line of the node in its flow file (for error messages and reports)."""


@dataclass(frozen=True)
class Flow:
    id: str
    """e.g. ``002-portal``."""
    regulation: str
    channel: str
    title: str
    lanes: tuple[str, ...]
    nodes: tuple[Node, ...]
    total: Duration | None = None
    """The regulation's overall term, against which the deadline verdict is given."""
    working_hours: str = "09:00-18:30/13:00-14:30"
    readings: tuple[Reading, ...] = ()
    source: str = ""

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)


@dataclass(frozen=True)
class ExpectedMessage:
    service_id: str
    count: int = 1
    iin: str | None = None


@dataclass(frozen=True)
class Expectation:
    path: tuple[str, ...]
    """Node ids in order; a condition is written ``C1:yes`` / ``C1:no``."""
    outcome: str
    """e.g. ``decision``, ``refusal``, ``notice:eds_not_confirmed``."""
    signed_by: str | None = None
    """Persona key or role whose EDS signs the outcome document."""
    deadline: Literal["met", "missed", "any"] = "met"
    messages: tuple[ExpectedMessage, ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    flow: str
    title: str
    personas: Mapping[str, str]
    """Role in the scenario → persona key (adapters/gbd_fl/personas.py)."""
    setup: Mapping[str, Any]
    """Conditions to set up: ``certificate: revoked``, ``missing_document: X``, …"""
    options: Mapping[str, Any]
    """Values for the flow's switchable readings."""
    expect: Expectation
    timing: Literal["max", "sampled"] = "max"
    start: str | None = None
    """ISO date-time the virtual clock starts at (Kazakhstan time); default: the run's start."""
    file: str = ""
    line: int = 0
