"""What a flow and a scenario are, once loaded and validated (see scenarios/loader.py).

A flow is one regulation's diagram for one channel: nodes numbered as the regulation numbers
them (N-процесс ``P3``, N-шарт ``C1``, the provider's action ``A2``), in lanes, with edges. Its
durations and terms are the regulation's term model's (egov_sim/reference/terms.py), bound to the
flow's nodes: a node plays a **cell** of the action table and takes its stated duration, and a
term runs between the nodes that play its cells. A scenario plays a flow with chosen personas and
set-up conditions and says what must happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Mapping

from egov_sim.core.working_time import Duration

NodeKind = Literal["start", "process", "condition", "end"]


class DeadlineClaim(StrEnum):
    """What a scenario says of the terms that apply to its path."""

    MET = "met"
    MISSED = "missed"
    ANY = "any"


@dataclass(frozen=True)
class Reading:
    """How an ambiguous or contradictory passage is read, why, and the option that switches it."""

    id: str
    text: str
    reason: str
    option: str | None = None
    default: Any = None
    scope: str = "flow"
    """``flow`` (the flow's own) or ``terms`` (the regulation's term file: the АРМ and the ЦОН
    follow the same switch)."""


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    lane: str
    title: str
    actor: str | None = None
    next: str | None = None
    """The following node; with :attr:`switch`, the one when the option is true."""
    on_true: str | None = None
    on_false: str | None = None
    duration: Duration | None = None
    """The stated duration: the cell's (from the term model) or, for a node no cell covers,
    the flow's own."""
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
    cell: str | None = None
    """The term model's cell this node plays (``A1`` for 002-con's P6)."""
    milestone: str | None = None
    """A term id: the step ends by that term's due (000's S3 by ``drawn_up``), when
    :attr:`milestone_option` is on."""
    milestone_option: str | None = None
    duration_option: str | None = None
    """An option without which the step takes no time (002's App.4 transfers)."""
    switch: str | None = None
    """A reading's option that chooses the next node: :attr:`next` when true, :attr:`next_off`
    when false (002's refusal through the head, A4 and A5, or past them)."""
    next_off: str | None = None
    form: str = ""
    """The form of completion the action table states for the row (форма завершения: ``Макет
    личного дела``, ``Реестр``, ``Выдача расписки``)."""
    defects: tuple[str, ...] = ()
    """Entries of the regulation's defect register the node's row is cited by (``D07``)."""
    deadline_defect: str | None = None
    """The register's entry saying the table lost this row's deadline (the cell's ``defect``:
    seed 001's D13, D34): the stated term binds the step, and the reports say so."""

    @property
    def has_deadline(self) -> bool:
        return self.duration is not None or self.milestone is not None

    def successors(self) -> tuple[str, ...]:
        """Every node an edge leads to (both of a switch's)."""
        return tuple(t for t in (self.next, self.next_off, self.on_true, self.on_false) if t)

    def next_for(self, options: Mapping[str, Any]) -> str | None:
        """The following node of a start or process node under the options."""
        if self.switch is not None and not options.get(self.switch, True):
            return self.next_off
        return self.next


@dataclass(frozen=True)
class Term:
    """A term the regulation sets over part of a flow: from the start of node ``start`` to the
    end of the last of ``end`` the path passes. It applies to a path that passes ``start``, one
    of ``end`` and every branch in ``when`` (``C1:no``: 000's 19 wd when documents are missing)."""

    id: str
    duration: Duration | None
    """The stated duration; None for a sum (its cells at their stated maxima, along the path)."""
    start: str
    end: tuple[str, ...]
    when: tuple[str, ...] = ()
    source: str = ""
    text: str = ""
    basis: str = "stated"
    """``stated`` (the regulation's words) or ``sum`` (no total stated: the cells' sum)."""
    receipt: bool = False
    """The term the ЦОН's acceptance receipt promises: judged against the receipt's date."""
    counting: str = "moment"
    end_day_excluded: bool = False
    allowed: str = ""
    """How long the term allows, as text (a sum's cells added up)."""
    end_day_option: str | None = None
    """The reading's option that switches :attr:`end_day_excluded` (seed 001's day of issue)."""
    hours: str = ""
    """The working hours the term is counted on when not its first node's lane's (the term
    file's ``calendar``)."""
    defect: str | None = None
    """The defect register's entry cited when the path's steps overrun this term (``D01``)."""

    def excludes_end_day(self, options: Mapping[str, Any]) -> bool:
        if self.end_day_option is not None and self.end_day_option in options:
            return bool(options[self.end_day_option])
        return self.end_day_excluded


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
    """The first stated term's duration (the regulation's own words), if any."""
    working_hours: str = "09:00-18:30/13:00-14:30"
    readings: tuple[Reading, ...] = ()
    source: str = ""
    terms: tuple[Term, ...] = ()
    """Every term that applies to some path of the flow."""
    lane_hours: Mapping[str, str] = field(default_factory=dict)
    """Lanes that keep other hours than ``working_hours`` (the ЦОН 09:00-20:00, the portal 24/7)."""
    procedure: str = ""
    """The term model's procedure whose cells and terms the flow plays (``000/rural_akim``);
    empty for a flow of a regulation without a term file."""
    service: str = ""
    """The service the flow renders, when its regulation has several (seed 001: ``BLH-S06``):
    reports group the flows of one service."""
    service_title: str = ""
    """The service's name, the term model's procedure title (``Service 1: registration of
    unemployed citizens``)."""

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def term(self, term_id: str) -> Term:
        for t in self.terms:
            if t.id == term_id:
                return t
        raise KeyError(term_id)

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
    deadline: DeadlineClaim = DeadlineClaim.MET
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
    """ISO date-time the virtual clock starts at (Kazakhstan time); every shipped scenario has one."""
    file: str = ""
    line: int = 0
    application: Mapping[str, Any] = field(default_factory=dict)
    """What the applicant files, where a flow's service needs it (seed 001): ``category``,
    ``subtype``, ``flags``, ``form`` fields, ``documents`` handed in, the ``subject`` the service
    is for (a persona: the disabled child)."""
