"""Scenario powers of attorney: one per ЕНИС answer a test or a demo needs, with stable numbers.

Every persona PoA is given by the same principal (ГБД ФЛ persona ``poa_principal``) to a
different attorney (``poa_agent``, ``poa_agent_expired``, …), so a lookup by the two IINs finds
exactly one record and its answer is known in advance. Dates are counted back from the day the
register was seeded (the *anchor*), so the valid one is valid whenever the simulator is seeded;
terms stay within the three-year maximum of the Civil Code of the Republic of Kazakhstan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .notaries import Notary
from .poa_registry import Party, PowerOfAttorney
from .scope import ACTIONS, GUARDIAN_ALLOWANCE, HOUSING_ASSISTANCE, SOCIAL_ASSISTANCE, Scope, ServiceRef

THREE_YEARS = 3 * 365


@dataclass(frozen=True)
class PoaPersona:
    key: str
    poa_number: str
    principal: str
    """ГБД ФЛ persona key of the principal (доверитель)."""
    attorney: str
    """ГБД ФЛ persona key of the attorney (поверенный)."""
    expected_code: str
    """The ЕНИС answer for the two IINs with serviceCode SIM_GUARDIAN_ALLOWANCE on the anchor day."""
    description: str
    registered_days_ago: int
    term_days: int
    services: tuple[ServiceRef, ...]
    revoked_days_ago: int | None = None

    def record(self, principal: Party, attorney: Party, notary: Notary,
               anchor: dt.date) -> PowerOfAttorney:
        registered = anchor - dt.timedelta(days=self.registered_days_ago)
        revoked = (anchor - dt.timedelta(days=self.revoked_days_ago)
                   if self.revoked_days_ago is not None else None)
        return PowerOfAttorney(
            number=self.poa_number, registration_date=registered, notary=notary,
            principal=principal, attorney=attorney, valid_from=registered,
            valid_to=registered + dt.timedelta(days=self.term_days - 1),
            scope=Scope(actions=ACTIONS[:2], services=self.services),
            substitution_allowed=False, revocation_date=revoked, persona=self.key)


_PERSONAS = (
    PoaPersona("poa_valid", "SIM-POA-000001", "poa_principal", "poa_agent", "00000",
               "in force, covers SIM_GUARDIAN_ALLOWANCE and SIM_SOCIAL_ASSISTANCE",
               registered_days_ago=30, term_days=THREE_YEARS,
               services=(GUARDIAN_ALLOWANCE, SOCIAL_ASSISTANCE)),
    PoaPersona("poa_expired", "SIM-POA-000002", "poa_principal", "poa_agent_expired", "ENIS003",
               "one-year term that ended about two years before the anchor",
               registered_days_ago=3 * 365 + 120, term_days=365,
               services=(GUARDIAN_ALLOWANCE,)),
    PoaPersona("poa_revoked", "SIM-POA-000003", "poa_principal", "poa_agent_revoked", "ENIS002",
               "three-year term, revoked by the principal 60 days before the anchor",
               registered_days_ago=200, term_days=THREE_YEARS,
               services=(GUARDIAN_ALLOWANCE,), revoked_days_ago=60),
    PoaPersona("poa_scope_mismatch", "SIM-POA-000004", "poa_principal", "poa_agent_scope_mismatch",
               "ENIS005",
               "in force, but covers only SIM_SOCIAL_ASSISTANCE and SIM_HOUSING_ASSISTANCE",
               registered_days_ago=45, term_days=THREE_YEARS,
               services=(SOCIAL_ASSISTANCE, HOUSING_ASSISTANCE)),
)

POA_PERSONAS: Mapping[str, PoaPersona] = MappingProxyType({p.key: p for p in _PERSONAS})
