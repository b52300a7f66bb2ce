"""What a run produced: the data every report (terminal, JUnit, HTML, JSON) is made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .model import Flow

StepStatus = Literal["ok", "diverged", "error", "skipped"]


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
    status: StepStatus = "ok"
    branch: bool | None = None
    """For a condition: what the systems actually answered (True = yes)."""
    expected_branch: bool | None = None
    detail: str = ""
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class DeadlineVerdict:
    allowed: str
    """The regulation's total, as stated (e.g. ``9 wd 30 min``)."""
    due: dt.datetime
    finished: dt.datetime
    met: bool


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

    @property
    def name(self) -> str:
        """Regulation, channel and path: the JUnit testcase name."""
        return f"{self.flow.regulation}/{self.flow.channel}/{self.scenario_id}: {' > '.join(self.path)}"


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

    @property
    def passed(self) -> bool:
        return not self.errors and all(s.passed for s in self.scenarios)
