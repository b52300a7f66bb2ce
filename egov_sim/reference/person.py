"""A person as ГБД ФЛ records one: the value types every system shares, and their invariants.

A :class:`Person` holds what a ГБД ФЛ ``Person`` response carries (``wire-formats.md`` §4.3),
with dictionary values as codes (names in :mod:`egov_sim.reference.dictionaries`). The person
registry (``adapters/gbd_fl``) stores them; personas, the АРМ, the ЦОН and the scenarios read
them. Conventions every holder relies on:

* names are upper case, as ГБД ФЛ stores them; searches are case-insensitive;
* ``gender`` is the ГБД code, "1" male and "2" female, and always agrees with the IIN (as does
  ``birth_date``); every IIN is checked by :func:`egov_sim.reference.iin.parse_iin`;
* :class:`Address` ``region`` is the oblast or city of republican significance and ``district``
  the district (район) or city of oblast significance, both as dictionary codes; on the wire
  ГБД ФЛ swaps the words (``<district>`` = oblast). For a foreign country (``country`` other than
  "398") ``region``/``district`` hold the foreign names (the wire's ``foreignData``);
* ``reg_address`` is the permanent registration; ``addresses`` the other typed addresses;
* ``parents``/``children`` and ``guardians``/``wards`` are IINs and reciprocal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Iterable

from egov_sim.core.errors import InputError
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.iin import IinInfo, InvalidNumber, parse_iin

_Date = date  # CourtDecision has a field named date


@dataclass(frozen=True)
class PersonName:
    """A person's name as documents write it: surname, given name, optional patronymic."""

    surname: str
    given_name: str
    patronymic: str | None = None

    @property
    def full(self) -> str:
        """"SURNAME NAME PATRONYMIC", the order of Kazakh documents."""
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    def __str__(self) -> str:
        return self.full


# ---------------------------------------------------------------------------------------------
# The record


@dataclass(frozen=True)
class Document:
    """An identity document (ID card, passport, birth certificate…) as ГБД ФЛ lists it."""

    type: str  # dictionaries.DOCUMENT_TYPES
    number: str
    series: str | None
    begin_date: date
    end_date: date | None
    issuer: str  # dictionaries.DOCUMENT_ORGANIZATIONS ("002" МВД)
    status: str  # dictionaries.DOCUMENT_STATUSES ("00" valid)
    invalidity_date: date | None

    def valid_on(self, day: date) -> bool:
        """Status "00" and ``day`` within the validity period."""
        return (self.status == dic.DOC_VALID and self.begin_date <= day
                and (self.end_date is None or day <= self.end_date))


def ten_year_end(issued: date) -> date:
    """The last day of a document valid ten years (ID cards, passports): the day before the
    tenth anniversary of its issue."""
    try:
        anniversary = issued.replace(year=issued.year + 10)
    except ValueError:  # issued on 29 February
        anniversary = issued.replace(year=issued.year + 10, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


@dataclass(frozen=True)
class Address:
    """A place: birth place, registration address, or a typed address (``type``)."""

    type: str | None  # dictionaries.ADDRESS_TYPES; None for birth place and reg_address
    country: str  # ISO 3166 numeric ("398")
    region: str  # oblast / republican city code; a foreign region's name abroad
    district: str | None  # district code; a foreign district's name abroad
    city: str | None
    street: str | None
    building: str | None
    corpus: str | None
    flat: str | None
    begin_date: date | None
    end_date: date | None
    status: str | None  # dictionaries.ADDRESS_STATUSES ("1" registered)
    ar_code: str | None  # address register code (16 digits, SYNTHETIC values)


@dataclass(frozen=True)
class CourtDecision:
    """The decision behind a status: a court's (incapacity) or a prosecutor's (missing person)."""

    date: _Date
    number: str
    authority: str  # dictionaries.COURTS or dictionaries.GP_TERRITORIAL code
    end_date: _Date | None = None


@dataclass(frozen=True)
class Person:
    """One person of ГБД ФЛ (see the module docstring for the conventions)."""

    iin: str
    surname: str
    name: str
    patronymic: str | None
    eng_surname: str | None
    eng_first_name: str | None
    birth_date: date
    death_date: date | None
    gender: str  # "1" male, "2" female
    nationality: str  # dictionaries.NATIONALITIES
    citizenship: str  # ISO 3166 numeric, "398" Kazakhstan
    life_status: str  # dictionaries.LIFE_STATUSES: "0" normal, "1" deceased, "3" missing…
    birth_place: Address
    reg_address: Address | None
    addresses: tuple[Address, ...]
    documents: tuple[Document, ...]
    capable_status: str | None  # None: capable; dictionaries.CAPABLE_STATUSES ("2" incapable)
    missing: bool
    removed: bool
    parents: tuple[str, ...]
    children: tuple[str, ...]
    guardians: tuple[str, ...]
    wards: tuple[str, ...]
    capable_decision: CourtDecision | None = None  # the court decision behind capable_status
    missing_decision: CourtDecision | None = None  # the decision that declared the person missing

    @property
    def sex(self) -> str:
        """"M" or "F", as :mod:`egov_sim.reference.iin` spells it."""
        return "M" if self.gender == dic.MALE else "F"

    @property
    def alive(self) -> bool:
        return self.life_status not in dic.DEAD_STATUSES

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def valid_documents(self, day: date) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.valid_on(day))

    @property
    def person_name(self) -> PersonName:
        return PersonName(self.surname, self.name, self.patronymic)

    @property
    def full_name(self) -> str:
        return self.person_name.full


def gender_of(iin: str) -> str:
    """The ГБД gender code of a (valid) IIN: the 7th digit is odd for men."""
    return dic.MALE if int(iin[6]) % 2 else dic.FEMALE


class InvalidPerson(InputError):
    """A person record is inconsistent; ``field`` names the JSON field (``documents[0].number``)."""

    code = "INVALID_PERSON"

    def __init__(self, field_name: str, message: str, *, code: str | None = None):
        super().__init__(f"{field_name}: {message}", code=code)
        self.field = field_name



# ---------------------------------------------------------------------------------------------
# Normalisation and validation


def normalize_name(value: str | None) -> str | None:
    """Upper case, single spaces; None for an empty value."""
    if value is None:
        return None
    text = " ".join(str(value).split()).upper()
    return text or None


def normalized(person: Person) -> Person:
    """The record as stored: names and document numbers upper case, links without duplicates."""
    def links(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in values))

    documents = tuple(replace(d, number=(d.number or "").strip().upper()) for d in person.documents)
    return replace(
        person, documents=documents,
        surname=normalize_name(person.surname) or "", name=normalize_name(person.name) or "",
        patronymic=normalize_name(person.patronymic),
        eng_surname=normalize_name(person.eng_surname),
        eng_first_name=normalize_name(person.eng_first_name),
        parents=links(person.parents), children=links(person.children),
        guardians=links(person.guardians), wards=links(person.wards))


def iin_info(iin: str, field_name: str = "iin") -> IinInfo:
    """:func:`parse_iin`, failing with :class:`InvalidPerson` (code INVALID_IIN) for the field."""
    try:
        return parse_iin(iin)
    except InvalidNumber as exc:
        raise InvalidPerson(field_name, str(exc), code="INVALID_IIN") from None


def check_iin(iin: str, field_name: str = "iin") -> str:
    """The IIN if valid, else :class:`InvalidPerson` with code INVALID_IIN naming the field."""
    return iin_info(iin, field_name).iin


def _known(kind: str, code: str | None, field_name: str, *, required: bool = True) -> None:
    if code is None:
        if required:
            raise InvalidPerson(field_name, "is required")
        return
    if not dic.is_known(kind, code):
        known = ", ".join(sorted(dic.DICTIONARIES[kind])[:12])
        raise InvalidPerson(field_name, f"unknown {kind.replace('_', ' ')} code {code!r} (known: {known}…)")


def _check_address(a: Address, where: str, *, birth: date) -> None:
    _known("country", a.country, f"{where}.country")
    if a.type is not None:
        _known("address_type", a.type, f"{where}.type")
    if a.status is not None:
        _known("address_status", a.status, f"{where}.status")
    if not a.region:
        raise InvalidPerson(f"{where}.region", "is required")
    if a.country == dic.KAZAKHSTAN:
        _known("region", a.region, f"{where}.region")
        if a.district is not None:
            d = dic.DISTRICTS.get(a.district)
            if d is None:
                raise InvalidPerson(f"{where}.district", f"unknown district code {a.district!r}")
            if d.region != a.region:
                raise InvalidPerson(f"{where}.district",
                                    f"district {a.district} is not in region {a.region}")
    if a.begin_date and a.end_date and a.end_date < a.begin_date:
        raise InvalidPerson(f"{where}.endDate", "is before beginDate")
    if a.begin_date and a.begin_date < birth:
        raise InvalidPerson(f"{where}.beginDate", "is before the birth date")


def validate(person: Person) -> Person:
    """Check a record's consistency (IIN, birth date and sex, codes, dates, links); return it.

    Raises :class:`InvalidPerson` naming the first bad field, with the JSON field names of
    :func:`person_to_json`.
    """
    p = person
    info = iin_info(p.iin)
    if not isinstance(p.birth_date, date):
        raise InvalidPerson("birthDate", "is required")
    if p.birth_date != info.birth_date:
        raise InvalidPerson("birthDate", f"{p.birth_date.isoformat()} does not match IIN {p.iin}"
                                         f" (born {info.birth_date.isoformat()})")
    if p.gender not in dic.GENDERS:
        raise InvalidPerson("gender", f"must be '1' (male) or '2' (female), got {p.gender!r}")
    if p.gender != gender_of(p.iin):
        sex = "male" if info.sex == "M" else "female"
        raise InvalidPerson("gender", f"{p.gender!r} does not match IIN {p.iin} ({sex})")
    for name in ("surname", "name"):
        if not getattr(p, name):
            raise InvalidPerson(name, "is required")
    _known("nationality", p.nationality, "nationality")
    _known("country", p.citizenship, "citizenship")
    _known("life_status", p.life_status, "lifeStatus")
    dead = p.life_status in dic.DEAD_STATUSES
    if dead and p.death_date is None:
        raise InvalidPerson("deathDate", f"is required when lifeStatus is {p.life_status!r}")
    if p.death_date is not None:
        if not dead:
            raise InvalidPerson("lifeStatus", f"must be a deceased status ({', '.join(sorted(dic.DEAD_STATUSES))})"
                                              " when deathDate is set")
        if p.death_date < p.birth_date:
            raise InvalidPerson("deathDate", "is before the birth date")
    if p.missing != (p.life_status == dic.LIFE_MISSING):
        raise InvalidPerson("missing", f"must be true exactly when lifeStatus is {dic.LIFE_MISSING!r}")
    if p.capable_status is not None:
        _known("capable_status", p.capable_status, "capableStatus")
    if p.reg_address is not None:  # first: the birth place may be derived from it
        _check_address(p.reg_address, "regAddress", birth=p.birth_date)
    _check_address(p.birth_place, "birthPlace", birth=date.min)
    for i, a in enumerate(p.addresses):
        _check_address(a, f"addresses[{i}]", birth=p.birth_date)
    numbers: set[str] = set()
    for i, d in enumerate(p.documents):
        where = f"documents[{i}]"
        _known("document_type", d.type, f"{where}.type")
        _known("document_organization", d.issuer, f"{where}.issuer")
        _known("document_status", d.status, f"{where}.status")
        if not d.number or len(d.number) > 20 or not d.number.isalnum():
            raise InvalidPerson(f"{where}.number", "must be 1-20 letters or digits")
        if d.number in numbers:
            raise InvalidPerson(f"{where}.number", f"{d.number} appears twice")
        numbers.add(d.number)
        if d.begin_date < p.birth_date:
            raise InvalidPerson(f"{where}.beginDate", "is before the birth date")
        if d.end_date is not None and d.end_date < d.begin_date:
            raise InvalidPerson(f"{where}.endDate", "is before beginDate")
    for relation in ("parents", "children", "guardians", "wards"):
        for i, other in enumerate(getattr(p, relation)):
            if check_iin(other, f"{relation}[{i}]") == p.iin:
                raise InvalidPerson(f"{relation}[{i}]", "a person cannot be linked to themself")
    return p


# -- transliteration -------------------------------------------------------------------------------

_LATIN = {
    "А": "A", "Ә": "A", "Б": "B", "В": "V", "Г": "G", "Ғ": "G", "Д": "D", "Е": "E", "Ё": "E",
    "Ж": "ZH", "З": "Z", "И": "I", "Й": "I", "К": "K", "Қ": "K", "Л": "L", "М": "M", "Н": "N",
    "Ң": "N", "О": "O", "Ө": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ұ": "U",
    "Ү": "U", "Ф": "F", "Х": "KH", "Һ": "H", "Ц": "TS", "Ч": "CH", "Ш": "SH", "Щ": "SHCH",
    "Ъ": "IE", "Ы": "Y", "І": "I", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA",
}
_TRANSLIT = str.maketrans(_LATIN)


def translit(text: str) -> str:
    """The Latin spelling of an upper-case Cyrillic (Russian or Kazakh) name, as on a passport."""
    return text.upper().translate(_TRANSLIT)



# ---------------------------------------------------------------------------------------------
# Document numbers (the generated population and the personas share one numbering)

PERSONA_DOCUMENT_BASE = 99_990_000
"""Document-number indexes from here on belong to personas (generated ones stay below 4*MAX_COUNT)."""


def document_number(kind: str, n: int) -> str:
    """The number of the document with index ``n``: a bijection of n (mod 10^8), by kind."""
    digits = f"{(n * 73_939_133 + 19_260_817) % 100_000_000:08d}"
    if kind in (dic.ID_CARD, dic.RESIDENCE_PERMIT):
        return "0" + digits  # 9 digits, like the ID cards issued since 2014
    if kind == dic.PASSPORT:
        return "N" + digits
    if kind == dic.FOREIGN_PASSPORT:
        return "FP" + digits
    return digits  # birth certificate
