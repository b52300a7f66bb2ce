"""The words flow and scenario files may use, and what each set-up makes fail.

One table for the loader (which refuses anything else), the validator (which asks which
conditions a set-up can make fail) and the docs (docs/scenarios.md generates its tables from
here). The file formats are in docs/scenarios.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from egov_sim.adapters.gbd_fl.provider import SERVICE_ID as GBDFL_SERVICE_ID
from egov_sim.adapters.gbd_fl.provider import TOKEN_SERVICE_ID as GBDFL_TOKEN_SERVICE_ID
from egov_sim.adapters.notary.provider import SERVICE_ID as ENIS_SERVICE_ID
from egov_sim.reference.catalogue import SERVICES

from .model import DeadlineClaim
from .operations import NOTICE_KINDS

KINDS = ("start", "process", "condition", "end")
BASES = ("text", "reconstructed", "inferred")
CHANNELS = ("con", "portal", "office", "akim")
"""egov_sim/reference/catalogue.py CHANNELS: ЦОН, portal, the provider's office, the rural akim."""
REGULATIONS = ("000", "001", "002")
CHECKS = tuple(f"K{n:02d}" for n in range(1, 20))
"""regulations-kz.md §6."""
OUTCOMES = ("decision", "refusal") + tuple(f"notice:{k}" for k in NOTICE_KINDS)
ROLES = ("applicant", "representative", "operator", "clerk", "head", "executor")
"""Roles a scenario gives personas to; ``applicant`` is required, ``representative`` only
where the seed has a power-of-attorney path (the ЦОН channel, 002 §9.3)."""
SIGNERS = ("head", "executor")
"""``signed_by`` names a persona, or one of these staff roles of the provider (synthetic staff)."""
DEADLINES = tuple(c.value for c in DeadlineClaim)
TIMINGS = ("max", "sampled")
YES, NO = "yes", "no"

SERVICE_IDS = frozenset({GBDFL_SERVICE_ID, GBDFL_TOKEN_SERVICE_ID, ENIS_SERVICE_ID, *SERVICES,
                         "SIM_CON_INBOX", "SIM_PORTAL_INBOX"})
"""ШЭП serviceIds a scenario may expect messages of: ГБД ФЛ, ЕНИС, the catalogue's services
(requests to АРМ РШЭП), and the inboxes АРМ РШЭП answers to (gateway/rshep/delivery.py)."""


@dataclass(frozen=True)
class SetupKey:
    schema: Mapping[str, Any]
    falsifies: tuple[str, ...]
    """Checks (K-ids) this set-up makes fail: a condition with one of them takes "no". A set-up
    that makes none of the checks on a scenario's path fail changes nothing there: an error."""
    always: bool
    """The check fails whatever the options say (a "yes" through it is then an error too)."""
    doc: str


SETUP: Mapping[str, SetupKey] = MappingProxyType({
    "certificate": SetupKey({"enum": ["expired", "revoked", "foreign_iin", "tampered", "unsigned"]},
                            ("K08", "K09", "K10", "K17"), True,
                            "the applicant's EDS at the portal's condition 2: an expired or revoked "
                            "certificate, another person's IIN, a tampered or missing signature"),
    "credentials": SetupKey({"enum": ["wrong_password", "unknown_iin"]}, ("K07",), True,
                            "the portal login (condition 1) with a wrong password or an IIN never registered"),
    "missing_document": SetupKey({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"},
                                                                    "minItems": 1}]},
                                 ("K01", "K12", "K15"), True,
                                 "documentTypeCode(s) left out of the package: the ЦОН's completeness "
                                 "(condition 0, K01); at an office the АРМ records them missing and the "
                                 "executor finds them so (002: K12, a reasoned refusal; 000: K15, the "
                                 "longer term)"),
    "person_missing": SetupKey({"const": True}, ("K03",), False,
                               "the applicant is not in ГБД ФЛ (or use persona not_registered)"),
    "poa": SetupKey({"enum": ["expired", "revoked", "scope_mismatch", "absent"]}, ("K04",), False,
                    "the representative's power of attorney in ЕНИС (match the poa_agent_* persona)"),
    "documents_incomplete": SetupKey({"oneOf": [{"const": True}, {"type": "array", "items": {"type": "string"},
                                                                     "minItems": 1}]},
                                     ("K15",), True,
                                     "000: documents insufficient, damaged or lost (the term is extended)"),
    "executor_refuses": SetupKey({"type": "string", "minLength": 1}, ("K06",), True,
                                 "002: the executor finds violations in the documents; the reason text"),
    "category": SetupKey({"enum": ["disability", "socially_significant_disease", "low_income", "veteran",
                                   "large_family", "other"]}, ("K16",), False,
                         "000: the recipient's category on the portal's form; only disability and "
                         "socially_significant_disease may use the portal (K16)"),
    "late": SetupKey({"type": "object", "additionalProperties": {"type": "string"}}, (), False,
                     "node → extra duration: the step takes its maximum plus this (a late executor)"),
})

NOT_ELIGIBLE = ("low_income", "veteran", "large_family", "other")
"""Categories that make K16 fail (000 §1.3)."""

PERSONA_FALSIFIES: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType({
    ("applicant", "not_registered"): ("K03",),
    ("representative", "poa_agent_expired"): ("K04",),
    ("representative", "poa_agent_revoked"): ("K04",),
    ("representative", "poa_agent_scope_mismatch"): ("K04",),
})
"""Personas whose records make a check fail (a role → persona → checks)."""


def falsifiable_checks() -> frozenset[str]:
    """Every check some set-up or persona can make fail."""
    out = {c for key in SETUP.values() for c in key.falsifies}
    out |= {c for checks in PERSONA_FALSIFIES.values() for c in checks}
    return frozenset(out)
