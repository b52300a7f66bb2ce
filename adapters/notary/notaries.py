"""Notaries who certify powers of attorney in the simulated ЕНИС (all SYNTHETIC).

A notary is a person of the ГБД ФЛ population (so the name is consistent with the rest of the
simulator) holding a licence in a notarial district. Licence numbers and the district list are
invented for egov-sim; real licences are not reproduced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from egov_sim.reference.person import Person

NOTARIAL_DISTRICTS: tuple[str, ...] = (
    "Павлодарский нотариальный округ",
    "Экибастузский нотариальный округ",
    "Нотариальный округ города Астаны",
    "Нотариальный округ города Алматы",
    "Нотариальный округ города Шымкента",
    "Карагандинский нотариальный округ",
    "Нотариальный округ Алматинской области",
)
"""SYNTHETIC labels in the style of the real notarial districts (one per city or region)."""

PERSONA_DISTRICT = NOTARIAL_DISTRICTS[0]
"""The district of the personas' notary: the seed 002 service is rendered in Pavlodar oblast."""


@dataclass(frozen=True)
class Notary:
    license_number: str
    full_name: str
    notarial_district: str
    iin: str | None = None


def license_number(rng: random.Random, taken: set[str]) -> str:
    """A 7-digit licence number starting with 9 (kept apart from any real numbering); unique."""
    while True:
        number = f"9{rng.randrange(0, 1_000_000):06d}"
        if number not in taken:
            taken.add(number)
            return number


def make_notaries(people: Sequence[Person], rng: random.Random) -> list[Notary]:
    """One notary per person, districts dealt round-robin so every district has notaries."""
    taken: set[str] = set()
    return [Notary(license_number(rng, taken), p.full_name,
                   NOTARIAL_DISTRICTS[i % len(NOTARIAL_DISTRICTS)], p.iin)
            for i, p in enumerate(people)]
