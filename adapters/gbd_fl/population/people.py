"""The residents of a chunk: who they are (IIN, names in their correct gender forms, patronymics
as each generation writes them) and how they are related (couples, children).

IINs use the serial numbers ``1000 + j·900 + c`` in chunk *c* (``j`` counts persons sharing a
birth date and sex within the chunk), so no two chunks can produce the same IIN and none uses
the serials 0001–0999 reserved for personas and hand-made records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from egov_sim.reference import dictionaries as dic
from egov_sim.reference.iin import make_iin

from .. import names as nm
from .draws import YEAR, Draws

CHUNK_SIZE = 10_000
SERIAL_STRIDE = 900
"""Chunks per serial block: chunk c uses the IIN serials 1000 + j*900 + c (j = 0..9)."""
FIRST_GENERATED_SERIAL = 1000
"""IIN serials below this are never generated: personas and hand-made records use them."""
MAX_COUNT = CHUNK_SIZE * SERIAL_STRIDE
_BORN_1995 = date(1995, 1, 1).toordinal()
_BORN_2000 = date(2000, 1, 1).toordinal()


def _female_surnames(eth: nm.Ethnicity) -> dict[str, str]:
    return {s: nm.female_surname(s) for s in eth.surnames}


_FEMALE_SURNAME = {k: _female_surnames(e) for k, e in nm.ETHNICITIES.items()}


# patronymic styles
_RU, _KZ, _KZ_PLAIN = 0, 1, 2


class Resident:
    """A person being generated (storage layout: see person_rows.encode_row)."""

    __slots__ = ("idx", "iin", "male", "birth", "surname", "name", "patronymic", "eth", "nat",
                 "cit", "death", "life", "bp", "ra", "ad", "docs", "cs", "cd", "missing", "md",
                 "removed", "eng", "p", "ch", "g", "w", "region", "carer", "foreign", "surname_m",
                 "entry")
    idx: int
    iin: str
    male: bool
    birth: int  # day ordinal, as every date here
    surname: str
    name: str
    patronymic: str | None
    eth: nm.Ethnicity
    nat: str
    cit: str
    death: int | None
    life: str
    bp: list[Any]
    ra: list[Any] | None
    ad: list[list[Any]] | None
    docs: list[list[Any]]
    cs: str | None
    cd: list[Any] | None
    missing: bool
    md: list[Any] | None
    removed: bool
    eng: Any
    p: list[str]
    ch: list[str]
    g: list[str]
    w: list[str]
    region: str
    carer: bool
    foreign: bool
    surname_m: str
    entry: tuple | None

    def __init__(self) -> None:
        self.death = None
        self.life = dic.LIFE_NORMAL
        self.ra = None
        self.ad = None
        self.docs = []
        self.cs = self.cd = self.md = self.eng = None
        self.missing = self.removed = False
        self.p = []
        self.ch = []
        self.g = []
        self.w = []
        self.carer = False  # has minors in their care: never deceased/missing by the rare pass
        self.foreign = False


class People:
    """Makes the residents of one chunk, in order (their index in the chunk is their number)."""

    def __init__(self, draws: Draws, chunk_no: int):
        self.draws = draws
        self.r = draws.r
        self.as_of = draws.as_of
        self.chunk_no = chunk_no
        self.base = chunk_no * CHUNK_SIZE
        self.made: list[Resident] = []
        self.serials: dict[int, int] = {}

    def iin(self, birth: int, male: bool) -> tuple[str, int]:
        """A fresh IIN for this birth date and sex (the birth date moves a day if the block is full)."""
        sex = "M" if male else "F"
        while True:
            key = birth * 2 + male
            j = self.serials.get(key, 0)
            born = date.fromordinal(birth)
            while j < (10_000 - FIRST_GENERATED_SERIAL) // SERIAL_STRIDE:
                serial = FIRST_GENERATED_SERIAL + j * SERIAL_STRIDE + self.chunk_no
                j += 1
                iin = make_iin(born, sex, serial)
                if iin is not None:
                    self.serials[key] = j
                    return iin, birth
            self.serials[key] = j
            birth -= 1

    def person(self, eth: nm.Ethnicity, male: bool, birth: int, surname: str, name: str,
               patronymic: str | None, entry: tuple | None) -> Resident:
        """A new person; ``surname`` in the stored (masculine) form, ``entry`` a man's pool entry."""
        p = Resident()
        p.idx = self.base + len(self.made)
        p.iin, p.birth = self.iin(birth, male)
        p.male = male
        p.eth = eth
        p.nat = eth.nationality
        p.cit = dic.KAZAKHSTAN
        p.surname_m = surname
        p.surname = surname if male else _FEMALE_SURNAME[eth.key].get(surname) or nm.female_surname(surname)
        p.name = name
        p.patronymic = patronymic
        p.entry = entry
        self.made.append(p)
        return p

    def first_name(self, eth: nm.Ethnicity, male: bool, kz_spelling: bool) -> tuple[str, tuple | None]:
        """(stored name, pool entry of a man's name) for a new person."""
        if male:
            entry = self.draws.pick(eth.male)
            name = entry[0]
        else:
            entry = None
            name = self.draws.pick(eth.female)
        if kz_spelling:
            name = eth.kz_spelling.get(name, name)
        return name, entry

    def patronymic(self, eth: nm.Ethnicity, father: tuple, female: bool, style: int) -> str:
        """From the father's pool entry (name, son's form, daughter's form)."""
        name = father[0]
        if style == _RU or not eth.kazakh:
            if father[1] is not None:
                return father[2] if female else father[1]
            return nm.russian_patronymic(name, female)
        if style == _KZ:
            return nm.kazakh_patronymic(eth.kz_spelling.get(name, name), female)
        return nm.kazakh_patronymic(name, female, kazakh_letters=False)

    def style(self, eth: nm.Ethnicity, birth: int) -> int:
        """How a Kazakh born on ``birth`` writes the patronymic (the -ұлы forms are recent)."""
        if not eth.kazakh:
            return _RU
        r = self.r()
        if birth < _BORN_1995:
            return _RU if r < 0.95 else _KZ_PLAIN
        return _RU if r < 0.45 else (_KZ if r < 0.75 else _KZ_PLAIN)

    def kz_spelling(self, eth: nm.Ethnicity, birth: int) -> bool:
        """Whether a first name is written with the Kazakh letters (Қанат, not Канат)."""
        return eth.kazakh and birth >= _BORN_2000 and self.r() < 0.35

    def adult(self, eth: nm.Ethnicity, male: bool, birth: int, surname: str | None = None) -> Resident:
        """An adult whose parents are not in the registry (only the patronymic names the father)."""
        name, entry = self.first_name(eth, male, self.kz_spelling(eth, birth))
        patronymic = self.patronymic(eth, self.draws.pick(eth.male), not male, self.style(eth, birth))
        return self.person(eth, male, birth, surname or self.draws.pick(eth.surnames), name, patronymic, entry)

    def child(self, eth: nm.Ethnicity, birth: int, surname: str, father: tuple, style: int,
              kz: bool, parents: tuple[Resident, ...]) -> Resident:
        male = self.r() < 0.512
        name, entry = self.first_name(eth, male, kz)
        p = self.person(eth, male, birth, surname, name,
                        self.patronymic(eth, father, not male, style), entry)
        for parent in parents:
            p.p.append(parent.iin)
            parent.ch.append(p.iin)
        return p

    def children(self, eth: nm.Ethnicity, mother: Resident, father: tuple, surname: str, count: int,
                 parents: tuple[Resident, ...]) -> list[Resident]:
        """Up to ``count`` children of ``mother`` (born when she was 19-42), siblings alike."""
        kids: list[Resident] = []
        style = kz = None
        for _ in range(count):
            birth = mother.birth + int((19 + self.r() * 23) * YEAR)
            if birth > self.as_of - 30:
                continue
            if style is None:
                style, kz = self.style(eth, birth), self.kz_spelling(eth, birth)
            kids.append(self.child(eth, birth, surname, father, style, kz, parents))
        return kids

    def couple(self, eth: nm.Ethnicity, husband_age: int) -> tuple[Resident, Resident]:
        """A married couple; the wife takes her husband's surname two times out of three."""
        husband = self.adult(eth, True, self.draws.birth_for_age(husband_age))
        wife_age = max(20, min(husband_age - self.draws.between(-2, 6), 99))
        surname = husband.surname if self.r() < 0.65 else None
        return husband, self.adult(eth, False, self.draws.birth_for_age(wife_age), surname)

    def family_size(self, eth: nm.Ethnicity) -> int:
        r = self.r()
        if eth.kazakh:  # about 2.6 children, 1.8 in the other groups
            return 0 if r < 0.05 else 1 if r < 0.17 else 2 if r < 0.45 else 3 if r < 0.77 else 4
        return 0 if r < 0.08 else 1 if r < 0.38 else 2 if r < 0.80 else 3 if r < 0.95 else 4
