"""The households of a chunk, drawn by type in proportion to :data:`.draws.RATES`: families,
single parents, single adults (some foreigners), the elderly, three generations, and orphans in
a guardian's care (seed 002) with their deceased parents. Links (parents, guardians) never leave
a household, so never leave a chunk.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from egov_sim.reference import dictionaries as dic

from .draws import RATES, YEAR, Draws
from .life import Life
from .people import People, Resident
from .places import Places

_UNIT_TYPES = [k[5:] for k in RATES if k.startswith("unit.")]
_UNIT_CUM = list(accumulate(RATES[f"unit.{k}"] for k in _UNIT_TYPES))
_FOREIGN_CITIZENSHIP = {
    "kazakh": ("156", "496", "860"), "russian": ("643",), "ukrainian": ("804",),
    "belarusian": ("112",), "german": ("276", "643"), "korean": ("410", "643"), "tatar": ("643",),
    "uzbek": ("860",), "uighur": ("156",),
}


class Households:
    """Fills one chunk with households until it holds ``size`` residents."""

    def __init__(self, draws: Draws, people: People, places: Places, life: Life, size: int):
        self.draws, self.people, self.places, self.life = draws, people, places, life
        self.r = draws.r
        self.as_of = draws.as_of
        self.adult_line = draws.adult_line
        self.size = size

    def unit_single(self) -> list[Resident]:
        region = self.draws.region()
        eth = self.draws.ethnicity(region)
        p = self.people.adult(eth, self.r() < 0.49, self.draws.birth_for_age(self.draws.age(18, 95)))
        if self.r() < RATES["foreigner"] and p.birth > self.as_of - int(70 * YEAR):
            p.foreign = True
            p.cit = self.draws.pick(_FOREIGN_CITIZENSHIP[eth.key])
        self.places.settle([p], self.places.household(region, self.places.adult_since(p)))
        return [p]

    def unit_family(self) -> list[Resident]:
        region = self.draws.region()
        eth = self.draws.ethnicity(region)
        father, mother = self.people.couple(eth, self.draws.age(24, 56))
        kids = self.people.children(eth, mother, father.entry, father.surname_m, self.people.family_size(eth),
                             (father, mother))
        father.carer = mother.carer = any(k.birth > self.adult_line for k in kids)
        members = [father, mother, *kids]
        begin = max(father.birth, mother.birth) + int(20 * YEAR) + self.draws.between(0, 3000)
        self.places.settle(members, self.places.household(region, begin))
        return members

    def unit_single_parent(self) -> list[Resident]:
        region = self.draws.region()
        eth = self.draws.ethnicity(region)
        mother = self.people.adult(eth, False, self.draws.birth_for_age(self.draws.age(22, 50)))
        father = self.draws.pick(eth.male)  # not in the registry: only the patronymic names him
        kids = self.people.children(eth, mother, father, mother.surname_m, self.draws.between(1, 3), (mother,))
        mother.carer = any(k.birth > self.adult_line for k in kids)
        members = [mother, *kids]
        self.places.settle(members, self.places.household(region, mother.birth + int(19 * YEAR) + self.draws.between(0, 4000)))
        return members

    def unit_elderly(self) -> list[Resident]:
        region = self.draws.region()
        eth = self.draws.ethnicity(region)
        age = self.draws.age(62, 95)
        if self.r() < 0.5:
            members = [self.people.adult(eth, self.r() < 0.35, self.draws.birth_for_age(age))]
        else:
            members = list(self.people.couple(eth, age))
        self.places.settle(members, self.places.household(region, self.places.adult_since(members[0])))
        return members

    def unit_three_generations(self) -> list[Resident]:
        """Grandparents, their grown child with a family; a parent declared incapable may have
        the grown child as guardian."""
        region = self.draws.region()
        eth = self.draws.ethnicity(region)
        grandfather, grandmother = self.people.couple(eth, self.draws.age(58, 90))
        elders = [grandfather, grandmother]
        members = list(elders)
        grown = self.people.children(eth, grandmother, grandfather.entry, grandfather.surname_m, 1,
                              (grandfather, grandmother))
        members += grown
        together = self.r() < 0.5
        home = self.places.household(region, self.places.adult_since(grandmother))
        if not grown or grown[0].birth > self.as_of - int(24 * YEAR):
            grandfather.carer = grandmother.carer = any(k.birth > self.adult_line for k in grown)
            self.places.settle(members, home, grown_leave=False)
            return members
        adult = grown[0]
        spouse_age = max(20, int((self.as_of - adult.birth) / YEAR) + self.draws.between(-4, 3))
        surname = adult.surname_m if adult.male and self.r() < 0.65 else None
        spouse = self.people.adult(eth, not adult.male, self.draws.birth_for_age(spouse_age), surname)
        husband, wife = (adult, spouse) if adult.male else (spouse, adult)
        kids = self.people.children(eth, wife, husband.entry, husband.surname_m, self.people.family_size(eth),
                             (husband, wife))
        husband.carer = wife.carer = any(k.birth > self.adult_line for k in kids)
        family = [adult, spouse, *kids]
        members += [spouse, *kids]
        self.places.settle(elders, home, grown_leave=False)
        own = home if together else self.places.household(region, self.places.adult_since(adult))
        self.places.settle(family, own, grown_leave=False)
        for elder in elders:
            if self.r() < 0.03:
                self.life.incapable(elder, dic.INCAPABLE)
                elder.g.append(adult.iin)
                adult.w.append(elder.iin)
                adult.carer = True
        return members

    def unit_orphans(self) -> list[Resident]:
        """Seed 002: children whose parents died (or left them), in a guardian's care."""
        region = self.draws.region()
        eth = self.draws.ethnicity(region)
        guardian = self.people.adult(eth, self.r() < 0.25, self.draws.birth_for_age(self.draws.age(35, 68)))
        if self.r() < RATES["orphans_parents_deceased"]:
            father, mother = self.people.couple(eth, self.draws.age(24, 45))
            parents: tuple[Resident, ...] = (father, mother)
            entry, surname, dead = father.entry, father.surname_m, parents
        else:  # the father unknown to the registry, the mother alive (e.g. deprived of her rights)
            mother = self.people.adult(eth, False, self.draws.birth_for_age(self.draws.age(22, 42)))
            parents = (mother,)
            entry, surname, dead = self.draws.pick(eth.male), mother.surname_m, ()
        kids = self.people.children(eth, mother, entry, surname, self.draws.between(1, 3), parents)
        wards = [k for k in kids if k.birth > self.adult_line]
        members = [guardian, *parents, *kids]
        home = self.places.household(region, self.places.adult_since(guardian))
        former = self.places.household(region, max(p.birth for p in parents) + int(20 * YEAR))
        if not wards:  # every child already grown: no guardianship
            self.places.settle([guardian], home)
            self.places.settle([*parents, *kids], former)
            return members
        guardian.carer = True
        youngest = max(w.birth for w in wards)
        for p in dead:
            p.death = youngest + 30 + int(self.r() * max(1, self.as_of - youngest - 60))
            p.life = dic.LIFE_DECEASED
        for w in wards:
            w.g.append(guardian.iin)
            guardian.w.append(w.iin)
        self.places.settle([guardian, *wards], home, grown_leave=False)
        self.places.settle([*parents, *(k for k in kids if k not in wards)], former)
        return members

    def build(self) -> list[Resident]:
        while len(self.people.made) < self.size:
            room = self.size - len(self.people.made)
            if room < 12:
                members = self.unit_single()
            else:
                kind = _UNIT_TYPES[bisect_right(_UNIT_CUM, self.r() * _UNIT_CUM[-1])]
                members = getattr(self, f"unit_{kind}")()
            self.life.rare_states(members)
            for p in members:
                self.life.finish(p)
        return self.people.made
