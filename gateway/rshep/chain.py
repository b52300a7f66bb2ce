"""The provider's internal chain as a state machine: states, the staff actions that move a
request between them, the role each action needs, and the regulation's term for each step.

Seed 002 Appendix 1 (regulations-kz 4.1, A1..A5) and seed 000 §5 (5.1, S1..S6) describe the
same chain: the office registers, the head appoints an executor, the executor checks the
documents (condition K06) and drafts the result, the head signs, the executor registers the
result in the accounting journal and issues it. Where the seeds are silent the choice is marked
[inferred] and documented in docs/rshep.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

RECEIVED = "RECEIVED"                    # in the inbox, not yet registered (arrived through ШЭП)
REGISTERED = "REGISTERED"                # A1 / S1 / P6: journal (registration) number assigned
EXECUTOR_ASSIGNED = "EXECUTOR_ASSIGNED"  # A2 / S2: the head's resolution
UNDER_REVIEW = "UNDER_REVIEW"            # A3 / S3 begun: the executor took it into work (optional)
AWAITING_SIGNATURE = "AWAITING_SIGNATURE"  # A3 done / S4: the draft is with the head
SIGNED = "SIGNED"                        # A4 / S5: signed with the head's EDS
COMPLETED = "COMPLETED"                  # A5 / S6 / P7: in the accounting journal, issued or sent

STATES = (RECEIVED, REGISTERED, EXECUTOR_ASSIGNED, UNDER_REVIEW, AWAITING_SIGNATURE, SIGNED,
          COMPLETED)


@dataclass(frozen=True)
class Step:
    action: str
    role: str
    from_states: tuple[str, ...]
    to_state: str | None
    """None: the action keeps the state (a term extension)."""
    notifies: str | None
    """The StatusNotification status sent to the request's origin, if any."""
    source: str


STEPS: Mapping[str, Step] = MappingProxyType({s.action: s for s in (
    Step("register", "clerk", (RECEIVED,), REGISTERED, "REGISTERED",
         "002 §5.1, §10.1, App.1 #1 (A1 = P6); 000 §5.1 (S1)"),
    Step("assign", "head", (REGISTERED,), EXECUTOR_ASSIGNED, "EXECUTOR_ASSIGNED",
         "002 §5.2, App.1 #2 (A2); 000 §5.2 (S2; at a rural akim's office the akim)"),
    Step("review", "executor", (EXECUTOR_ASSIGNED,), UNDER_REVIEW, "UNDER_REVIEW",
         "002 §5.3 (A3 begins) [inferred: optional, for the UNDER_REVIEW notification]"),
    Step("extend", "executor", (EXECUTOR_ASSIGNED, UNDER_REVIEW), None, "TERM_EXTENDED",
         "000 §5.3 (K15: documents insufficient, damaged or lost: 7 -> 19 wd, 4 -> 16 wd)"),
    Step("draft", "executor", (EXECUTOR_ASSIGNED, UNDER_REVIEW), AWAITING_SIGNATURE, "AWAITING_SIGNATURE",
         "002 §5.3, §10.2-10.3, §11.9-11.10 (A3, condition K06, refusal P7/P6); 000 §5.3-5.4 (S3, S4)"),
    Step("sign", "head", (AWAITING_SIGNATURE,), SIGNED, None,
         "002 §5.4, App.1 #4 (A4, K13, K14); 000 §5.5 (S5, K19; the district head signs for a rural akim)"),
    Step("issue", "executor", (SIGNED,), COMPLETED, None,
         "002 §5.5, App.1 #5 (A5), §10.4, §11.11; 000 §5.6 (S6)"),
)})

ACTION_CELLS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "register": ("A1", "S1"), "assign": ("A2", "S2"), "draft": ("A3", "S3"),
    "sign": ("A4", "S5"), "issue": ("A5", "S6"),
})
"""Which cell of the regulation's action table each action plays (002 App.1 A1..A5, 000 §5
S1..S6). Their durations are the term model's (egov_sim/reference/terms.py)."""


def norm(procedure, action: str, *, extended: bool = False, options=None) -> str | None:
    """The regulation's term of the step an action plays, as the term model states it (a
    milestone: "by <term>: <duration> from <its start>"); None for actions no cell covers."""
    ids = ACTION_CELLS.get(action, ())
    cell = next((procedure.cell(i) for i in ids if procedure.has_cell(i)), None)
    if cell is None:
        return None
    if extended:
        cell = next((c for c in procedure.cells if c.replaces == cell.id and c.when == "extended"), cell)
    if cell.milestone and procedure.is_milestone(cell, options or {}):
        term = procedure.term(cell.milestone)
        return f"by {term.id}: {term.duration} from {term.start} ({term.source})"
    return str(cell.duration) if cell.duration is not None else None
