"""Random draws that follow Kazakhstan's statistics: ages by the population pyramid, regions by
population (Pavlodar and Almaty oblast village by village), the ethnic mix of each region, and
the rates of the rarer states (:data:`RATES`, documented in docs/gbd_fl.md).

One :class:`Draws` per chunk holds the chunk's ``random.Random``; every other part of the
generator draws from it, in a fixed order, so a chunk stays a pure function of its seed.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date
from itertools import accumulate
from typing import Sequence, TypeVar

from egov_sim.reference import dictionaries as dic

from .. import names as nm

T = TypeVar("T")

RATES = {
    # household types, relative weights (orphans are over-represented so that small populations
    # have some: about 1.6 % of minors are wards, several times the real share)
    "unit.family": 36, "unit.single_parent": 8, "unit.single": 25, "unit.elderly": 8,
    "unit.three_generations": 14, "unit.orphans": 0.9,
    # among adults without minors in their care (per person)
    "incapable": 0.004, "limited_capacity": 0.001, "missing": 0.002, "removed": 0.001,
    # among single adults
    "foreigner": 0.03,
    # among the ID cards of living adults
    "id_expired": 0.02, "id_lost": 0.01, "id_replaced_history": 0.15,
    # among living adults
    "passport": 0.35, "temporary_address": 0.04,
    # orphans' parents: both deceased (else the mother is alive, e.g. deprived of parental rights)
    "orphans_parents_deceased": 0.65,
}
DEATH_BY_AGE = ((90, 0.45), (80, 0.25), (70, 0.10), (60, 0.04), (40, 0.01), (18, 0.003))
"""Chance that an eligible adult of at least this age (as of the population date) is deceased."""

YEAR = 365.2425
"""Days in a year, on average: ages and terms are counted in day ordinals."""
_ISO: dict[int, str] = {}
_NUM: dict[int, int] = {}


def iso_day(ordinal: int) -> str:
    s = _ISO.get(ordinal)
    if s is None:
        s = _ISO[ordinal] = date.fromordinal(ordinal).isoformat()
    return s


def day_number(ordinal: int) -> int:
    """The stored form of a date: the integer YYYYMMDD (person_rows._num)."""
    n = _NUM.get(ordinal)
    if n is None:
        d = date.fromordinal(ordinal)
        n = _NUM[ordinal] = d.year * 10000 + d.month * 100 + d.day
    return n


# ---------------------------------------------------------------------------------------------
# Age pyramid of Kazakhstan (2024, percent per 5-year band, 0-4 … 95-99), per year of age.
_PYRAMID = (9.0, 9.6, 8.8, 7.3, 6.0, 6.2, 7.9, 7.9, 7.1, 6.2, 5.6, 5.3, 5.0, 3.7, 2.5, 1.2, 0.8,
            0.4, 0.1, 0.03)
_AGE_WEIGHT = [_PYRAMID[a // 5] for a in range(100)]
_AGE_CUM: dict[tuple[int, int], tuple[list[int], list[float]]] = {}

_REGION_CODES = list(dic.REGIONS)
_REGION_CUM = list(accumulate(r.population for r in dic.REGIONS.values()))
_DISTRICTS_BY_REGION = {r: [d.code for d in dic.districts_of(r)] for r in dic.REGIONS}
_DISTRICT_CUM = {r: list(accumulate(nm.PLACES[d].weight for d in ds))
                 for r, ds in _DISTRICTS_BY_REGION.items()}
_OTHER_MIX = {r: ([k for k, _ in mix], list(accumulate(w for _, w in mix)))
              for r, mix in nm.OTHER_MIX.items()}


class Draws:
    """The random source of one chunk and the small draws everything else is made of."""

    def __init__(self, seed: int, chunk_no: int, as_of: date):
        self.rng = random.Random(f"gbdfl:{seed}:{chunk_no}:{as_of.isoformat()}")
        self.as_of = as_of.toordinal()
        self.adult_line = self.as_of - int(18 * YEAR)  # born after this: a minor on the population date
        self.r = self.rng.random

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.r() * len(seq))]

    def between(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi]."""
        return lo + int(self.r() * (hi - lo + 1))

    def age(self, lo: int, hi: int) -> int:
        key = (lo, hi)
        table = _AGE_CUM.get(key)
        if table is None:
            ages = list(range(lo, hi + 1))
            table = _AGE_CUM[key] = (ages, list(accumulate(_AGE_WEIGHT[min(a, 99)] for a in ages)))
        ages, cum = table
        return ages[bisect_right(cum, self.r() * cum[-1])]

    def birth_for_age(self, age: int) -> int:
        return self.as_of - int(age * YEAR) - 1 - int(self.r() * 364)

    def region(self) -> str:
        return _REGION_CODES[bisect_right(_REGION_CUM, self.r() * _REGION_CUM[-1])]

    def district(self, region: str) -> str:
        cum = _DISTRICT_CUM[region]
        return _DISTRICTS_BY_REGION[region][bisect_right(cum, self.r() * cum[-1])]

    def ethnicity(self, region: str) -> nm.Ethnicity:
        if self.r() * 100 < nm.KAZAKH_SHARE[region]:
            return nm.ETHNICITIES["kazakh"]
        keys, cum = _OTHER_MIX[region]
        return nm.ETHNICITIES[keys[bisect_right(cum, self.r() * cum[-1])]]
