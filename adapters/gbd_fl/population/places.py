"""Where the residents live and were born: a household's address (one ``arCode``), permanent
registrations, birth places (in Kazakhstan, or abroad for those born in the USSR elsewhere and
for foreigners), and grown children who moved out.
"""

from __future__ import annotations

from datetime import date

from egov_sim.reference import dictionaries as dic

from .. import names as nm
from .draws import YEAR, Draws, day_number
from .people import Resident

_KZ_FOREIGN_BIRTH = {"russian", "ukrainian", "belarusian", "german", "tatar", "korean"}
_FOREIGN_BIRTHPLACES: dict[str, list[tuple[str, str, str]]] = {}  # by country
for _birthplace in nm.FOREIGN_BIRTHPLACES + nm.FOREIGN_BIRTHPLACES_OTHER:
    _FOREIGN_BIRTHPLACES.setdefault(_birthplace[0], []).append(_birthplace)
del _birthplace
_BORN_1992 = date(1992, 1, 1).toordinal()  # before: born in the USSR


class Household:
    """An address shared by the members of a household (one ``arCode``)."""

    __slots__ = ("region", "district", "city", "street", "building", "corpus", "flat", "ar", "begin")
    region: str
    district: str
    city: str
    street: str
    building: str
    corpus: str | None
    flat: str | None
    ar: str
    begin: int


class Places:
    """Addresses and registrations, drawn from the chunk's :class:`Draws`."""

    def __init__(self, draws: Draws):
        self.draws = draws
        self.r = draws.r
        self.as_of = draws.as_of

    def household(self, region: str, begin: int) -> Household:
        h = Household()
        h.region = region
        h.district = self.draws.district(region)
        place = nm.PLACES[h.district]
        settlements = place.settlements
        centre = len(settlements) == 1 or self.r() < 0.55
        h.city = settlements[0] if centre else self.draws.pick(settlements[1:])
        h.street = self.draws.pick(place.streets)
        h.building = str(self.draws.between(1, 120))
        h.corpus = str(self.draws.between(1, 3)) if self.r() < 0.03 else None
        h.flat = str(self.draws.between(1, 180)) if centre and self.r() < place.flats else None
        h.ar = f"{h.district}{int(self.r() * 1e12):012d}"
        h.begin = begin
        return h

    def register(self, p: Resident, h: Household) -> None:
        """The person's permanent registration at the household's address."""
        start = min(max(h.begin, p.birth + 3), self.as_of - 1)
        p.region = h.region
        p.ra = [None, dic.KAZAKHSTAN, h.region, h.district, h.city, h.street, h.building, h.corpus,
                h.flat, day_number(start), None, dic.ADDRESS_REGISTERED, h.ar]

    def birth_place(self, p: Resident, h: Household, local: bool) -> None:
        """Children are mostly born where the household lives; adults anywhere."""
        r = self.r()
        if p.foreign:
            country, region, city = self.draws.pick(_FOREIGN_BIRTHPLACES.get(p.cit) or nm.FOREIGN_BIRTHPLACES)
            p.bp = [None, country, region, None, city]
            return
        if local and r < 0.85:
            p.bp = [None, dic.KAZAKHSTAN, h.region, h.district, h.city]
            return
        if not local and r < 0.08 and p.birth < _BORN_1992 and p.eth.key in _KZ_FOREIGN_BIRTH:
            country, region, city = self.draws.pick(nm.FOREIGN_BIRTHPLACES)
            p.bp = [None, country, region, None, city]
            return
        region = h.region if (local or r < 0.7) else self.draws.region()
        district = self.draws.district(region)
        p.bp = [None, dic.KAZAKHSTAN, region, district, nm.PLACES[district].settlements[0]]

    def adult_since(self, p: Resident) -> int:
        """A registration start: some time after the person turned 18 (at most 25 years ago)."""
        earliest = max(p.birth + int(18 * YEAR), self.as_of - int(25 * YEAR))
        return earliest + int(self.r() * max(1, self.as_of - earliest))

    def settle(self, members: list[Resident], h: Household, *, grown_leave: bool = True) -> None:
        """Register a household; children 23 and older mostly have a home of their own."""
        for p in members:
            if grown_leave and p.p and p.birth < self.as_of - int(23 * YEAR) and self.r() < 0.7:
                region = h.region if self.r() < 0.8 else self.draws.region()
                self.register(p, self.household(region, self.adult_since(p)))
            else:
                self.register(p, h)
            self.birth_place(p, h, bool(p.p))
