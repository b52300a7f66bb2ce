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
BALKHASH_CHECKS = (
    # the intake: the талон at the УО or the akim, the расписка at the ЦОН
    "UO_INTAKE", "CON_INTAKE",
    # the documents presented and the facts declared (adapters/social/eligibility.py)
    "DOCUMENTS_COMPLETE", "DOCUMENTS_IN_ORDER", "DECLARED_FACTS",
    # the registers' checks of each service
    "REGISTERED_UNEMPLOYED", "COMPENSATION_NOT_PAID", "RESIDENCE_PERIOD", "DISABLED", "GROUP_ENTITLED",
    "DISABLED_CHILD", "IPR_PROVIDES", "CONTRAINDICATIONS", "EMPLOYER_TERMINATED", "RESIDES_IN_BALKHASH",
    "HOUSEHOLD_ON_FILE", "CHILDREN_UNDER_18", "PER_CAPITA_INCOME", "EMPLOYMENT_CONDITION",
    "REGISTERED_OR_EXEMPT", "NO_REFUSED_EMPLOYMENT", "HOUSING_SHARE", "MOBILITY_DIFFICULTY",
    "KNOWS_SIGN_LANGUAGE", "ELDERLY", "HOME_EDUCATED", "REPRESENTATIVE", "MASLIKHAT_CATEGORY",
    # after a grant: the quarterly confirmation and the termination grounds (services 6, 7 §13; 6 §10)
    "QUARTER_CONFIRMED", "CHILD_ALIVE", "NOT_ON_STATE_SUPPORT", "PARENTAL_RIGHTS_HELD",
)
"""Seed 001: the checks the Balkhash systems answer a condition with — the department's
assessment of a case against the registers (``GET /balkhash/uo/cases/{n}/assessment``), the
intake's answer, the registers' assignment."""
CHECKS = tuple(f"K{n:02d}" for n in range(1, 20)) + BALKHASH_CHECKS
"""regulations-kz.md §6, and seed 001's :data:`BALKHASH_CHECKS`."""
BALKHASH_OUTCOMES = ("registration", "certificate", "notice", "return", "terminated", "suspended", "confirmed")
"""Seed 001's results: service 1's registration (the карточка), service 3's справка, the
уведомление of the others, the package returned to the ЦОН with the written justification, an
assignment terminated, a case suspended, an assignment's quarter confirmed."""
OUTCOMES = ("decision", "refusal") + tuple(f"notice:{k}" for k in NOTICE_KINDS) + BALKHASH_OUTCOMES
ROLES = ("applicant", "representative", "operator", "clerk", "head", "executor", "subject")
"""Roles a scenario gives personas to; ``applicant`` is required, ``representative`` only
where the seed has a power-of-attorney path (the ЦОН channel, 002 §9.3; seed 001's proxies),
``subject`` the person a seed-001 service is for when another applies (a disabled child)."""
SIGNERS = ("head", "executor")
"""``signed_by`` names a persona, or one of these staff roles of the provider (synthetic staff)."""
DEADLINES = tuple(c.value for c in DeadlineClaim)
TIMINGS = ("max", "sampled")
YES, NO = "yes", "no"

SERVICE_IDS = frozenset({GBDFL_SERVICE_ID, GBDFL_TOKEN_SERVICE_ID, ENIS_SERVICE_ID, *SERVICES,
                         "SIM_CON_INBOX", "SIM_PORTAL_INBOX", "SIM_BALKHASH_UO_REGISTRY",
                         "SIM_BALKHASH_CON_REGISTRY"})
"""ШЭП serviceIds a scenario may expect messages of: ГБД ФЛ, ЕНИС, the catalogue's services
(requests to АРМ РШЭП), the inboxes АРМ РШЭП answers to (gateway/rshep/delivery.py), and seed
001's реестры between the 2012 ЦОН and the department."""


@dataclass(frozen=True)
class SetupKey:
    schema: Mapping[str, Any]
    falsifies: tuple[str, ...]
    """Checks (K-ids) this set-up makes fail: a condition with one of them takes "no". A set-up
    that makes none of the checks on a scenario's path fail changes nothing there: an error."""
    always: bool | tuple[str, ...]
    """The check fails whatever the options say (a "yes" through it is then an error too): all
    of :attr:`falsifies`, or the ones named (001's ``missing_document`` fails the ЦОН's intake
    always, the УО's only under the reading ``uo_incomplete=refuse_at_intake``)."""
    doc: str

    def always_fails(self) -> tuple[str, ...]:
        if self.always is True:
            return self.falsifies
        return self.always or ()


SETUP: Mapping[str, SetupKey] = MappingProxyType({
    "certificate": SetupKey({"enum": ["expired", "revoked", "foreign_iin", "tampered", "unsigned"]},
                            ("K08", "K09", "K10", "K17"), True,
                            "the applicant's EDS at the portal's condition 2: an expired or revoked "
                            "certificate, another person's IIN, a tampered or missing signature"),
    "credentials": SetupKey({"enum": ["wrong_password", "unknown_iin"]}, ("K07",), True,
                            "the portal login (condition 1) with a wrong password or an IIN never registered"),
    "missing_document": SetupKey({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"},
                                                                    "minItems": 1}]},
                                 ("K01", "K12", "K15", "UO_INTAKE", "CON_INTAKE", "DOCUMENTS_COMPLETE"),
                                 ("K01", "K12", "K15", "CON_INTAKE", "DOCUMENTS_COMPLETE"),
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
    "document_defects": SetupKey({"type": "object", "minProperties": 1,
                                  "additionalProperties": {"type": "string", "minLength": 1}},
                                 ("DOCUMENTS_IN_ORDER",), True,
                                 "001: document code → the error in its drafting the applicant brings (the form's "
                                 "documentDefects); the department's assessment finds it"),
    "declares": SetupKey({"type": "object", "minProperties": 1, "additionalProperties": False,
                          "properties": {"birthDate": {"type": "string", "format": "date"},
                                         "disabilityGroup": {"enum": ["1", "2", "3", "child"]},
                                         "registeredUnemployed": {"type": "boolean"}}},
                         ("DECLARED_FACTS",), True,
                         "001: facts the applicant declares in the application (the form's declared) that "
                         "contradict the registers: the information is unreliable"),
    "prior": SetupKey({"type": "array", "minItems": 1, "items": {
                          "type": "object", "additionalProperties": False, "required": ["service", "persona"],
                          "properties": {"service": {"enum": [1, 6, 7]}, "persona": {"type": "string"},
                                         "missing_document": {"type": "string"},
                                         "on": {"type": "string", "format": "date"}}}},
                      ("REGISTERED_UNEMPLOYED", "EMPLOYMENT_CONDITION", "REGISTERED_OR_EXEMPT", "QUARTER_CONFIRMED",
                       "CHILD_ALIVE", "NOT_ON_STATE_SUPPORT", "PARENTAL_RIGHTS_HELD"), False,
                      "001: a case played first through the department's API for a persona, on the scenario's "
                      "start or on ``on`` (10:00): service 1 (registered as unemployed, or refused with a document "
                      "missing), services 6 and 7 (the benefit granted: their assignment)"),
    "events": SetupKey({"type": "array", "minItems": 1, "items": {
                           "type": "object", "additionalProperties": False, "required": ["kind", "persona"],
                           "properties": {"kind": {"enum": ["MEASURES_REFUSED_IN_WRITING", "OFFER_REFUSED",
                                                            "TRAINING_REFUSED", "QUIT_WITHOUT_REASON", "DEATH",
                                                            "CONTRAINDICATION", "ACTIVITY", "STATUS", "INCOME"]},
                                          "persona": {"type": "string"}, "on": {"type": "string", "format": "date"},
                                          "at": {"type": "string"},
                                          "measure": {"type": "string", "pattern": "^[A-Z_]+$"},
                                          "activity": {"type": "string", "pattern": "^[A-Z_]+$"},
                                          "cares_for": {"type": "string"},
                                          "status": {"type": "string", "pattern": "^[A-Z_]+$"},
                                          "months": {"type": "array", "minItems": 1,
                                                     "items": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}},
                                          "amount": {"type": "string", "pattern": "^\\d+(\\.\\d{1,2})?$"}}}},
                       ("REGISTERED_OR_EXEMPT", "NO_REFUSED_EMPLOYMENT", "CHILD_ALIVE", "NOT_ON_STATE_SUPPORT",
                        "PARENTAL_RIGHTS_HELD", "QUARTER_CONFIRMED", "CONTRAINDICATIONS", "EMPLOYMENT_CONDITION",
                        "MASLIKHAT_CATEGORY", "ELDERLY"), False,
                       "001: a fact written to the registers through the department's API before the first step (or "
                       "before node ``at``): an unemployed person's refusal (the register of unemployed), a death "
                       "(ГБД ФЛ), a contraindication or a status (the medical register: ``measure``, ``status``), a "
                       "member's occupation (households: ``activity``, ``cares_for``), a salary over ``months`` "
                       "(households: ``amount``)"),
})

NOT_ELIGIBLE = ("low_income", "veteran", "large_family", "other")
"""Categories that make K16 fail (000 §1.3)."""

PERSONA_FALSIFIES: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType({
    ("applicant", "not_registered"): ("K03",),
    ("representative", "poa_agent_expired"): ("K04",),
    ("representative", "poa_agent_revoked"): ("K04",),
    ("representative", "poa_agent_scope_mismatch"): ("K04",),
    # seed 001: what the registers hold on the Balkhash personas (adapters/social/personas.py)
    ("applicant", "blh_jobseeker"): ("REGISTERED_UNEMPLOYED", "DISABLED", "IPR_PROVIDES", "HOUSEHOLD_ON_FILE"),
    ("applicant", "blh_father_idle"): ("REGISTERED_UNEMPLOYED",),
    ("applicant", "blh_mother_high"): ("PER_CAPITA_INCOME",),
    ("applicant", "blh_mother_at_basket"): ("PER_CAPITA_INCOME",),
    ("applicant", "blh_single_at_line"): ("PER_CAPITA_INCOME", "CHILDREN_UNDER_18"),
    ("applicant", "blh_konyrat_resident"): ("CHILDREN_UNDER_18",),
    ("applicant", "blh_mother_c"): ("EMPLOYMENT_CONDITION", "REGISTERED_OR_EXEMPT",
                                    "CHILDREN_UNDER_18"),  # her only child is 18 from 2026-09-09
    ("applicant", "blh_unemployed"): ("NO_REFUSED_EMPLOYMENT",),
    ("applicant", "blh_housing_within_share"): ("HOUSING_SHARE",),
    ("applicant", "blh_housing_at_share"): ("HOUSING_SHARE",),
    ("applicant", "blh_contraindicated"): ("CONTRAINDICATIONS",),
    ("applicant", "blh_hearing_impaired"): ("GROUP_ENTITLED", "IPR_PROVIDES", "MOBILITY_DIFFICULTY"),
    ("applicant", "blh_disabled_prosthetic"): ("IPR_PROVIDES", "MOBILITY_DIFFICULTY", "KNOWS_SIGN_LANGUAGE"),
    ("applicant", "blh_semipalatinsk_paid"): ("COMPENSATION_NOT_PAID",),
    ("applicant", "blh_elderly_lone"): ("IPR_PROVIDES", "DISABLED"),
    ("applicant", "blh_vov_veteran"): ("IPR_PROVIDES",),
    ("applicant", "blh_work_injury"): ("EMPLOYER_TERMINATED",),
    ("applicant", "blh_foreigner"): ("MASLIKHAT_CATEGORY",),
    ("subject", "blh_child_a"): ("DISABLED_CHILD", "HOME_EDUCATED"),
})
"""Personas whose records make a check fail (a role → persona → checks)."""


APPLICATION_FALSIFIES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "subtype": ("GROUP_ENTITLED", "IPR_PROVIDES", "CONTRAINDICATIONS", "KNOWS_SIGN_LANGUAGE", "MOBILITY_DIFFICULTY"),
    "form": ("RESIDENCE_PERIOD", "EMPLOYER_TERMINATED", "MASLIKHAT_CATEGORY"),
    "flags": ("ELDERLY", "EMPLOYER_TERMINATED"),
    "subject": ("DISABLED_CHILD", "HOME_EDUCATED", "REPRESENTATIVE", "IPR_PROVIDES"),
})
"""Seed 001: the parts of what the applicant files (a scenario's ``application``) that decide a
check of the registers (a sub-type the person is not entitled to, a declared period, status or
employer's termination, the flags and the person the service is for)."""


def falsifiable_checks() -> frozenset[str]:
    """Every check some set-up or persona can make fail."""
    out = {c for key in SETUP.values() for c in key.falsifies}
    out |= {c for checks in PERSONA_FALSIFIES.values() for c in checks}
    out |= {c for checks in APPLICATION_FALSIFIES.values() for c in checks}
    return frozenset(out)
