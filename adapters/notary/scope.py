"""What a power of attorney lets the attorney do: actions (text) and state services (codes).

The service codes are SYNTHETIC (egov-sim's own, ``SIM_…``): the real register of state
services numbers them differently and is not reproduced. The two services of the seeds come
first: 002 (allowance to guardians, Pavlodar oblast) and 000 (social assistance, Almaty oblast).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceRef:
    code: str
    name: str | None = None


@dataclass(frozen=True)
class Scope:
    general: bool = False
    """A general power of attorney covers every state service."""
    actions: tuple[str, ...] = ()
    services: tuple[ServiceRef, ...] = ()

    def covers(self, service_code: str | None) -> bool:
        """True when no particular service is asked about, or this scope includes it."""
        if not service_code or self.general:
            return True
        return any(s.code == service_code for s in self.services)


GUARDIAN_ALLOWANCE = ServiceRef(
    "SIM_GUARDIAN_ALLOWANCE",
    "Назначение пособия опекунам или попечителям на содержание ребенка-сироты (детей-сирот) и "
    "ребенка (детей), оставшегося без попечения родителей")
SOCIAL_ASSISTANCE = ServiceRef(
    "SIM_SOCIAL_ASSISTANCE",
    "Назначение социальной помощи отдельным категориям нуждающихся граждан по решениям местных "
    "представительных органов")
HOUSING_ASSISTANCE = ServiceRef("SIM_HOUSING_ASSISTANCE", "Назначение жилищной помощи")
RESIDENCE_REGISTRATION = ServiceRef("SIM_RESIDENCE_REGISTRATION",
                                    "Регистрация по месту жительства")
PENSION_PAYMENT = ServiceRef("SIM_PENSION_PAYMENT", "Назначение пенсионных выплат по возрасту")
BIRTH_ALLOWANCE = ServiceRef("SIM_BIRTH_ALLOWANCE", "Назначение единовременного пособия на рождение ребенка")

SERVICES: tuple[ServiceRef, ...] = (GUARDIAN_ALLOWANCE, SOCIAL_ASSISTANCE, HOUSING_ASSISTANCE,
                                    RESIDENCE_REGISTRATION, PENSION_PAYMENT, BIRTH_ALLOWANCE)
SERVICES_BY_CODE = {s.code: s for s in SERVICES}

REPRESENT = ("Представлять интересы доверителя в Государственной корпорации «Правительство для "
             "граждан», местных исполнительных органах и иных организациях")
APPLY = "Подавать заявления и документы, получать результаты государственных услуг"
SIGN = "Расписываться за доверителя и совершать иные действия, связанные с данным поручением"
ACTIONS: tuple[str, ...] = (REPRESENT, APPLY, SIGN)


def service_ref(code: str) -> ServiceRef:
    """The catalog entry for ``code``, or a bare reference for a code the catalog lacks."""
    return SERVICES_BY_CODE.get(code, ServiceRef(code))


def random_scope(rng: random.Random) -> Scope:
    """About one in ten general; the rest cover one to three catalog services."""
    if rng.random() < 0.1:
        return Scope(general=True, actions=ACTIONS)
    services = tuple(sorted(rng.sample(SERVICES, rng.randint(1, 3)), key=SERVICES.index))
    return Scope(actions=ACTIONS[:rng.randint(2, 3)], services=services)
