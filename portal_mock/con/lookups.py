"""Process 3 and condition 1: the ГБД ФЛ and ЕНИС lookups through ШЭП, and what counts as failure.

The seed (002 §9.4-9.5) asks "are the recipient's data in ЖТ МДҚ and the power-of-attorney
data in БНАЖ?". The rule applied (regulations-kz.md §7 item 5): the application stops at
process 4 when the ГБД ФЛ lookup fails, or when a representative is present and the ЕНИС
lookup fails. A lookup *fails* when:

- the registry answers a ``messageResult/code`` other than ``00000`` (ГБД ФЛ: no person; ЕНИС:
  any code, e.g. ``ENIS003`` expired, ``ENIS002`` revoked);
- the answer cannot be had at all: a ШЭП fault, ШЭП unreachable, an answer without ``data``;
- the answer is not signed by the registry (``verify_signatures``): the ИИС ЦОН trusts a
  registry's data only under the registry's own signature (signatures.md §1, last row);
- an IIN that fails its check digit is not sent at all (``validate_iin_locally``): the data
  cannot be obtained for it, and ШЭП is spared a request that can only fail.

Stricter ЕНИС readings the seed does not require, off by default, each a named option of
:class:`LookupRules`: ``enis_require_active`` (the answer's ``status`` must be ACTIVE),
``enis_require_party_match`` (principal and attorney in the answer must be the IINs entered),
``enis_check_scope`` (send ``serviceCode`` so ЕНИС refuses a power of attorney that does not
cover the service, ``ENIS005``).

The representative is not looked up in ГБД ФЛ: the seed asks ГБД ФЛ for the recipient's data
only; the representative's name comes from the power of attorney ЕНИС returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from lxml import etree

from egov_sim.adapters.gbd_fl.provider import GBDFL_IDENTITY
from egov_sim.adapters.gbd_fl.provider import SERVICE_ID as GBDFL_SERVICE_ID
from egov_sim.adapters.notary.provider import ENIS_IDENTITY
from egov_sim.adapters.notary.provider import SERVICE_ID as ENIS_SERVICE_ID
from egov_sim.core.clock import ALMATY, Clock
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault
from egov_sim.reference.iin import is_valid_iin
from egov_sim.signing.verify import Verifier, reroot
from egov_sim.wsdl import enis, gbdfl

GBDFL, ENIS = "GBDFL", "ENIS"
SUCCESS = "00000"

# Why a lookup failed (RegistryCheck.reason).
REGISTRY_CODE = "REGISTRY_CODE"          # the registry answered a code other than 00000
INVALID_IIN = "INVALID_IIN"              # the IIN fails its check; the registry was not asked
SHEP_FAULT = "SHEP_FAULT"                # ШЭП (or the registry behind it) answered a fault
SHEP_UNREACHABLE = "SHEP_UNREACHABLE"    # no answer from ШЭП at all
MALFORMED_ANSWER = "MALFORMED_ANSWER"    # an answer without the registry's data
SIGNATURE_INVALID = "SIGNATURE_INVALID"  # the data is not under the registry's valid signature
POA_NOT_ACTIVE = "POA_NOT_ACTIVE"        # option enis_require_active
POA_PARTY_MISMATCH = "POA_PARTY_MISMATCH"  # option enis_require_party_match

ENIS_SCOPE_CODES: Mapping[str, str] = MappingProxyType({
    "SIM_GUARDIAN_ALLOWANCE_PAVLODAR": "SIM_GUARDIAN_ALLOWANCE",
})
"""Catalogue service code → the code ЕНИС lists in a power of attorney's scope (both SYNTHETIC).
A service missing here is sent under its own code (ЕНИС then answers ENIS005 unless the power
of attorney is general)."""


@dataclass(frozen=True)
class LookupRules:
    """How condition 1 judges the answers (see the module docstring)."""

    verify_signatures: bool = True
    validate_iin_locally: bool = True
    enis_require_active: bool = False
    enis_require_party_match: bool = False
    enis_check_scope: bool = False
    literal_and: bool = False
    """Read §9.5 literally: notice P4 only when ГБД ФЛ *and* ЕНИС both fail (regulations-kz §7
    item 5). Default False: either failure blocks the request (the recommended reading)."""


@dataclass(frozen=True)
class RegistryCheck:
    """One lookup's outcome, as kept in the application and sent in ``registryChecks``."""

    registry: str
    service_id: str
    message_id: str | None
    """The ШЭП messageId of the request (None when the registry was not asked)."""
    checked_at: dt.datetime
    ok: bool
    reason: str | None
    message: str
    result_code: str | None = None
    result_name: str | None = None
    signature: dict | None = None
    found: dict | None = field(default=None)
    """The person (ГБД ФЛ) or the power of attorney (ЕНИС) the answer holds."""

    @property
    def asked(self) -> bool:
        return self.message_id is not None

    def to_json(self) -> dict:
        return {"registry": self.registry, "serviceId": self.service_id,
                "messageId": self.message_id,
                "checkedAt": self.checked_at.astimezone(ALMATY).isoformat(timespec="milliseconds"),
                "ok": self.ok, "reason": self.reason, "message": self.message,
                "resultCode": self.result_code, "resultName": self.result_name,
                "signature": self.signature, "found": self.found}

    @classmethod
    def from_json(cls, d: dict) -> RegistryCheck:
        return cls(registry=d["registry"], service_id=d["serviceId"], message_id=d["messageId"],
                   checked_at=dt.datetime.fromisoformat(d["checkedAt"]), ok=d["ok"],
                   reason=d["reason"], message=d["message"], result_code=d.get("resultCode"),
                   result_name=d.get("resultName"), signature=d.get("signature"),
                   found=d.get("found"))


@dataclass
class Registries:
    """The ИИС ЦОН's way to the registries: its ШЭП client and its signature verifier."""

    client: ShepClient
    verifier: Verifier
    clock: Clock
    rules: LookupRules = LookupRules()


# --- the calls -----------------------------------------------------------------------------


async def _ask(reg: Registries, registry: str, service_id: str, data: etree._Element):
    """Send through ШЭП; a failed exchange comes back as a finished (failed) RegistryCheck."""
    try:
        return await reg.client.send(service_id, data), None
    except ShepFault as exc:
        detail = f"{exc.code}: {exc.message}" + (f" ({exc.sub_code})" if exc.sub_code else "")
        return None, RegistryCheck(registry, service_id, None, reg.clock(), False, SHEP_FAULT,
                                   f"ШЭП answered with a fault {detail}", result_code=exc.code)
    except ShepError as exc:
        return None, RegistryCheck(registry, service_id, None, reg.clock(), False,
                                   SHEP_UNREACHABLE, str(exc))


async def _signature(reg: Registries, data: etree._Element, expected_bin: str) -> dict:
    """Verify the registry's enveloped signature over ``data`` (re-rooted) and who made it."""
    result = await asyncio.to_thread(reg.verifier.verify, reroot(data), layout="enveloped")
    signer = result.signer
    out = {"valid": result.valid, "codes": list(result.codes),
           "signerIin": signer.iin if signer else None, "signerBin": signer.bin if signer else None}
    if result.valid and (signer is None or signer.bin != expected_bin):
        out["valid"] = False
        out["codes"] = ["UNEXPECTED_SIGNER"]
    return out


async def lookup_person(reg: Registries, iin: str) -> RegistryCheck:
    """K03: the recipient's data in ГБД ФЛ."""
    sid = GBDFL_SERVICE_ID
    if reg.rules.validate_iin_locally and not is_valid_iin(iin):
        return RegistryCheck(GBDFL, sid, None, reg.clock(), False, INVALID_IIN,
                             f"ИИН {iin!r} не прошёл проверку (12 цифр, дата, контрольный разряд); "
                             "запрос в ГБД ФЛ не отправлялся")
    reply, failed = await _ask(reg, GBDFL, sid, gbdfl.write_person_query(
        iin, sender_code=reg.client.sender_id, now=reg.clock()))
    if failed:
        return failed
    at, mid = reg.clock(), reply.request_message_id
    if reply.data is None or reply.data.find("messageResult") is None:
        return RegistryCheck(GBDFL, sid, mid, at, False, MALFORMED_ANSWER,
                             "ГБД ФЛ answered without data")
    code, name = gbdfl.read_result(reply.data)
    signature = await _signature(reg, reply.data, GBDFL_IDENTITY.bin) if reg.rules.verify_signatures else None
    found = gbdfl.read_first_person(reply.data)
    common: dict[str, Any] = dict(result_code=code, result_name=name, signature=signature, found=found)
    if signature is not None and not signature["valid"]:
        return RegistryCheck(GBDFL, sid, mid, at, False, SIGNATURE_INVALID,
                             f"the ГБД ФЛ answer is not validly signed by ГБД ФЛ: {signature['codes']}",
                             **common)
    if code != SUCCESS or found is None or found["iin"] != iin:
        return RegistryCheck(GBDFL, sid, mid, at, False, REGISTRY_CODE,
                             f"ГБД ФЛ: {code} {name or ''}".strip(), **common)
    return RegistryCheck(GBDFL, sid, mid, at, True, None, f"ГБД ФЛ: {code} {name or ''}".strip(),
                         **common)


async def lookup_power_of_attorney(reg: Registries, principal_iin: str, attorney_iin: str,
                                   poa_number: str | None, service_code: str) -> RegistryCheck:
    """K04: the representative's notarised power of attorney in ЕНИС."""
    sid, rules = ENIS_SERVICE_ID, reg.rules
    if rules.validate_iin_locally and not is_valid_iin(attorney_iin):
        return RegistryCheck(ENIS, sid, None, reg.clock(), False, INVALID_IIN,
                             f"ИИН представителя {attorney_iin!r} не прошёл проверку; "
                             "запрос в ЕНИС не отправлялся")
    scope = ENIS_SCOPE_CODES.get(service_code, service_code) if rules.enis_check_scope else None
    reply, failed = await _ask(reg, ENIS, sid, enis.write_poa_request(
        principal_iin, attorney_iin, poa_number, sender_code=reg.client.sender_id,
        now=reg.clock(), service_code=scope))
    if failed:
        return failed
    at, mid = reg.clock(), reply.request_message_id
    if reply.data is None or reply.data.find("messageResult") is None:
        return RegistryCheck(ENIS, sid, mid, at, False, MALFORMED_ANSWER, "ЕНИС answered without data")
    code, name = gbdfl.read_result(reply.data)  # the same messageResult in both contracts
    signature = await _signature(reg, reply.data, ENIS_IDENTITY.bin) if rules.verify_signatures else None
    found = enis.read_first_poa(reply.data)
    common: dict[str, Any] = dict(result_code=code, result_name=name, signature=signature, found=found)
    label = f"ЕНИС: {code} {name or ''}".strip()
    if signature is not None and not signature["valid"]:
        return RegistryCheck(ENIS, sid, mid, at, False, SIGNATURE_INVALID,
                             f"the ЕНИС answer is not validly signed by ЕНИС: {signature['codes']}",
                             **common)
    if code != SUCCESS or found is None:
        return RegistryCheck(ENIS, sid, mid, at, False, REGISTRY_CODE, label, **common)
    if rules.enis_require_active and found["status"] != "ACTIVE":
        return RegistryCheck(ENIS, sid, mid, at, False, POA_NOT_ACTIVE,
                             f"{label}; status {found['status']} (enis_require_active)", **common)
    if rules.enis_require_party_match and (found["principalIin"], found["attorneyIin"]) != (
            principal_iin, attorney_iin):
        return RegistryCheck(ENIS, sid, mid, at, False, POA_PARTY_MISMATCH,
                             f"{label}; the parties differ from the IINs entered "
                             "(enis_require_party_match)", **common)
    return RegistryCheck(ENIS, sid, mid, at, True, None, label, **common)


@dataclass(frozen=True)
class ConditionOne:
    """Condition 1 of 002 §9.5 with the §7 item 5 connective."""

    person: RegistryCheck
    power_of_attorney: RegistryCheck | None
    literal_and: bool = False

    @property
    def passed(self) -> bool:
        if self.power_of_attorney is None:
            return self.person.ok
        if self.literal_and:
            return self.person.ok or self.power_of_attorney.ok
        return self.person.ok and self.power_of_attorney.ok

    @property
    def checks(self) -> list[RegistryCheck]:
        return [c for c in (self.person, self.power_of_attorney) if c is not None]

    @property
    def failures(self) -> list[RegistryCheck]:
        return [c for c in self.checks if not c.ok]


async def condition_one(reg: Registries, *, applicant_iin: str, representative_iin: str | None,
                        poa_number: str | None, service_code: str) -> ConditionOne:
    """Process 3 (both queries, ЕНИС only with a representative), then condition 1.

    Both registries are asked even when the first fails, so the notice can name every reason;
    one after the other, in the order §9.4 names them, so the journal (and a scenario's report)
    keeps that order in every run.
    """
    person_check = await lookup_person(reg, applicant_iin)
    if representative_iin is None:
        return ConditionOne(person_check, None, reg.rules.literal_and)
    poa_check = await lookup_power_of_attorney(reg, applicant_iin, representative_iin, poa_number, service_code)
    return ConditionOne(person_check, poa_check, reg.rules.literal_and)
