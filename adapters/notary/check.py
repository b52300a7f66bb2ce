"""The ЕНИС verdict on a power-of-attorney query: which record, and which result code.

Codes are those of the SYNTHETIC contract (wsdl/payloads/enis/PowerOfAttorney.xsd). A status
is judged on ``checkDate``, so asking about a past day gives the answer of that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .poa_registry import PoaRegistry, PoaStatus, PowerOfAttorney

FOUND = "00000"
NOT_FOUND = "ENIS001"
REVOKED = "ENIS002"
EXPIRED = "ENIS003"
PARTY_MISMATCH = "ENIS004"
SCOPE_MISMATCH = "ENIS005"

# Which of several records between the same two persons answers (lower is better): the one in
# force for the service, then in force for another service, then the newest ended one.
_PREFERENCE = {FOUND: 0, SCOPE_MISMATCH: 1, REVOKED: 2, EXPIRED: 2, NOT_FOUND: 3}


@dataclass(frozen=True)
class PoaQuery:
    check_date: dt.date
    poa_number: str | None = None
    principal_iin: str | None = None
    attorney_iin: str | None = None
    service_code: str | None = None


@dataclass(frozen=True)
class Verdict:
    code: str
    poa: PowerOfAttorney | None = None
    """Present for 00000, ENIS002, ENIS003, ENIS005; absent for ENIS001 and ENIS004."""
    status: PoaStatus | None = None


def judge(poa: PowerOfAttorney, query: PoaQuery) -> Verdict:
    """One record on the query's date and service."""
    status = poa.status_on(query.check_date)
    if status is None:  # not yet certified on checkDate: it did not exist then
        return Verdict(NOT_FOUND)
    if status == "REVOKED":
        return Verdict(REVOKED, poa, status)
    if status == "EXPIRED":
        return Verdict(EXPIRED, poa, status)
    if not poa.scope.covers(query.service_code):
        return Verdict(SCOPE_MISMATCH, poa, status)
    return Verdict(FOUND, poa, status)


def check(registry: PoaRegistry, query: PoaQuery) -> Verdict:
    """By number (the parties, when given, must match it), else by the two IINs."""
    if query.poa_number:
        poa = registry.get(query.poa_number)
        if poa is None:
            return Verdict(NOT_FOUND)
        if query.principal_iin is not None and (poa.principal.iin != query.principal_iin
                                                or poa.attorney.iin != query.attorney_iin):
            return Verdict(PARTY_MISMATCH)
        return judge(poa, query)
    verdicts = [judge(poa, query) for poa in registry.between(query.principal_iin or "",
                                                             query.attorney_iin or "")]
    if not verdicts:
        return Verdict(NOT_FOUND)
    return min(verdicts, key=lambda v: _PREFERENCE[v.code])  # stable: newest first among equals
