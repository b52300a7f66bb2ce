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
    plus: tuple[Duration, ...] = ()
    """Further terms of a compound duration: ``9 wd 30 min`` is 9 wd plus (30 min,). ``within``
    applies to the whole sum."""


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
    source: str = ""
    """Where the regulation says it (``§9.4``, ``App.1 #3``)."""
    outcomes: tuple[str, ...] = ()
    """For an end node: the outcomes a run may end with there (``decision``, ``refusal``,
    ``notice:data_unavailable``)."""


@dataclass(frozen=True)
class Term:
    """A term the regulation sets over part of a flow: from the start of node ``start`` to the
    end of the first of ``end`` the path reaches. It applies to a path that passes ``start``, one
    of ``end`` and every branch in ``when`` (``C1:no``: 000's 19 wd when documents are missing)."""

    id: str
    duration: Duration
    start: str
    end: tuple[str, ...]
    when: tuple[str, ...] = ()
    source: str = ""
    text: str = ""


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
    terms: tuple[Term, ...] = ()
    """Every term the regulation sets (``total`` is the first one's duration)."""
    lane_hours: Mapping[str, str] = field(default_factory=dict)
    """Lanes that keep other hours than ``working_hours`` (the ЦОН 09:00-20:00, the portal 24/7)."""

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def hours_for(self, node: Node) -> str:
        """The working hours the node's lane keeps."""
        return self.lane_hours.get(node.lane, self.working_hours)

    def terms_for(self, path: tuple[str, ...]) -> tuple[Term, ...]:
        """The terms that apply to a path (entries as in :attr:`Expectation.path`)."""
        nodes = {entry.partition(":")[0] for entry in path}
        taken = set(path)
        return tuple(t for t in self.terms
                     if t.start in nodes and any(e in nodes for e in t.end)
                     and all(w in taken for w in t.when))


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
    """Role in the scenario → persona key (egov_sim/reference/personas.py)."""
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
