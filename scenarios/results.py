"""What a run produced: the data every report (terminal, JUnit, HTML, JSON) is made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

from .model import Flow


class StepStatus(StrEnum):
    """How one step of a scenario went."""

    OK = "ok"
    DIVERGED = "diverged"
    """The systems answered, but not as the flow goes on: the regulation is not followed."""
    ERROR = "error"
    """The step could not be played (a 500, an unexpected refusal of the engine's own call)."""
    SKIPPED = "skipped"


class Verdict(StrEnum):
    """A term's verdict."""

    MET = "met"
    MISSED = "missed"


class ResultStatus(StrEnum):
    """A scenario's result."""

    PASS = "PASS"
    FAIL = "FAIL"
    """The systems answered, not as the regulation says (or the run was late, …)."""
    ERROR = "ERROR"
    """A step broke."""


@dataclass(frozen=True)
class MessageRecord:
    """One ШЭП exchange the scenario caused, as the gateway's journal recorded it."""

    journal_id: int
    service_id: str | None
    sender_id: str | None
    route_id: str | None
    outcome: str | None
    """responseInfo status code, or the fault's errorCode."""
    signature: str
    """The request's transport-signature verdict (valid, absent, invalid, not-current, …)."""
    at: dt.datetime
    request_body: str
    response_body: str
    node_id: str | None = None
    signature_algorithm: str | None = None
    """The transport signature's algorithm (RSA-SHA256, GOST 34.310-2004, …), when signed."""


@dataclass(frozen=True)
class StepResult:
    node_id: str
    started: dt.datetime
    """Virtual (Kazakhstan working-time) clock."""
    finished: dt.datetime
    due: dt.datetime | None
    status: StepStatus = StepStatus.OK
    branch: bool | None = None
    """For a condition: what the systems actually answered (True = yes)."""
    expected_branch: bool | None = None
    detail: str = ""
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class DeadlineVerdict:
    allowed: str
    """The term, as stated (e.g. ``7 wd``) or summed (``9 wd 30 min``)."""
    due: dt.datetime
    finished: dt.datetime
    met: bool
    term: str = ""
    """Which term: the first missed, else the first that applies."""


@dataclass(frozen=True)
class TermResult:
    """One term of the regulation that applies to the path taken, and whether it was met."""

    term: str
    basis: str
    """``stated`` (the regulation's words) or ``sum`` (its cells added up)."""
    allowed: str
    begin: dt.datetime
    due: dt.datetime
    finished: dt.datetime
    verdict: Verdict
    start: str = ""
    end: str = ""
    source: str = ""
    text: str = ""
    promised: dt.datetime | None = None
    """For the receipt term: the end of the day the ЦОН's acceptance receipt promised (what the
    verdict is given against)."""
    problem: str | None = None
    """Where the systems' date is not the term model's (the receipt promises another day)."""

    @property
    def met(self) -> bool:
        return self.verdict == Verdict.MET


@dataclass(frozen=True)
class DefectCell:
    node: str
    cell: str | None
    duration: str
    source: str = ""


@dataclass(frozen=True)
class RegulationDefect:
    """A stated term the regulation's own steps cannot meet when each takes its stated maximum:
    "this regulation cannot be met as written". The term still binds."""

    flow: str
    term: str
    allowed: str
    """The stated term (``15 min``)."""
    source: str
    cells: tuple[DefectCell, ...]
    total: str
    """The steps' maxima added up (``35 min``)."""
    over: str
    path: tuple[str, ...] = ()
    """The path the cells lie on (conditions as ``C0:no``)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The readings' options in force (the defect may depend on them)."""
    scenarios: tuple[str, ...] = ()
    """Scenarios of the run that took this path."""
    kind: str = "overrun"
    """``overrun`` (the steps at their maxima overrun the stated term), ``no_deadline`` (a step
    under it has no time in the table: only the stated term binds it) or ``calendar`` (their sum
    fits, but on a run's dates the steps at their maxima end after the due)."""
    citation: str = ""
    """The regulation's defect-register entry (seed 001 §19: ``D01``), when its analysis has one."""
    nodes: tuple[str, ...] = ()
    """For ``no_deadline``: the steps without a deadline."""

    def text(self) -> str:
        cite = f" [{self.citation}]" if self.citation else ""
        if self.kind == "no_deadline":
            return (f"{self.flow}: {', '.join(self.nodes)} has no deadline in the action table; the term "
                    f"{self.term} ({self.allowed}, {self.source}) binds it{cite}")
        if self.kind == "calendar":
            return (f"{self.flow}: term {self.term} ({self.allowed}, {self.source}) cannot be met on these dates: "
                    f"the steps at their stated maxima end {self.total}, after the due {self.over}{cite}")
        cells = " + ".join(f"{c.node} {c.duration}" for c in self.cells if c.duration != "—")
        return (f"{self.flow}: term {self.term} ({self.allowed}, {self.source}) cannot be met as written: "
                f"{cells} = {self.total}, {self.over} over{cite}")


@dataclass(frozen=True)
class ScenarioResult:
    scenario_id: str
    file: str
    title: str
    flow: Flow
    passed: bool
    path: tuple[str, ...]
    """Taken path, conditions as ``C1:yes`` / ``C1:no``."""
    expected_path: tuple[str, ...]
    failure: str | None = None
    """The first divergence, as a readable diff; None when passed."""
    outcome: str | None = None
    signed_by: str | None = None
    deadline: DeadlineVerdict | None = None
    steps: tuple[StepResult, ...] = ()
    messages: tuple[MessageRecord, ...] = ()
    wall_seconds: float = 0.0
    terms: tuple[TermResult, ...] = ()
    """Every term that applies to the path taken, with its verdict."""
    defects: tuple[RegulationDefect, ...] = ()
    """The regulation defects on the path taken: stated terms its steps' maxima overrun."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The scenario's reading options (the ones it set)."""

    @property
    def name(self) -> str:
        """Regulation, channel and path: the JUnit testcase name."""
        return f"{self.flow.regulation}/{self.flow.channel}/{self.scenario_id}: {' > '.join(self.path)}"

    @property
    def status(self) -> ResultStatus:
        if self.passed:
            return ResultStatus.PASS
        if any(s.status == StepStatus.ERROR for s in self.steps):
            return ResultStatus.ERROR
        return ResultStatus.FAIL


@dataclass(frozen=True)
class RunResult:
    scenarios: tuple[ScenarioResult, ...]
    started: dt.datetime
    wall_seconds: float
    seed: int
    jobs: int = 1
    against: str | None = None
    """The URL of a running simulator, or None when played in process."""
    errors: tuple[str, ...] = field(default=())
    defects: tuple[RegulationDefect, ...] = ()
    """Every regulation defect of the flows the run played, under the options its scenarios
    used, with the scenarios that took each path."""

    @property
    def passed(self) -> bool:
        return not self.errors and all(s.passed for s in self.scenarios)
