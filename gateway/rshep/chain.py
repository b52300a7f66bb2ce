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

# The regulation's term of each step, by seed and office kind (what a scenario compares the
# recorded durations with). Seed 001's per-step tables differ per service: none given here.
_NORMS: Mapping[tuple[str, str], Mapping[str, str]] = MappingProxyType({
    ("002", "akimat"): {"register": "30 min", "assign": "1 wd", "draft": "<= 6 wd",
                        "sign": "1 wd", "issue": "1 wd"},
    ("000", "akimat"): {"register": "30 min", "assign": "30 min",
                        "draft": "7 wd (19 wd when extended) + 30 min to the head",
                        "extend": "within S3", "sign": "4 h", "issue": "30 min"},
    ("000", "rural_akim"): {"register": "30 min", "assign": "30 min",
                            "draft": "4 wd (16 wd when extended) + 1 wd to the head of the provider",
                            "extend": "within S3", "sign": "2 wd", "issue": "30 min"},
})


def norm(seed: str, office_kind: str, action: str) -> str | None:
    return _NORMS.get((seed, office_kind), {}).get(action)
