"""A ГБД ФЛ person as JSON: what the admin API, ``persons import`` and ``persons show --json``
read and write.

The JSON names are the dataclass field names of :class:`egov_sim.reference.person.Person` in
camelCase, dates as ISO text; reading checks every key and value and names the offending field
(``documents[0].number``) in an :class:`InvalidPerson`.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any, Iterable, Mapping

from egov_sim.reference import dictionaries as dic
from egov_sim.reference.person import (
    Address,
    CourtDecision,
    Document,
    InvalidPerson,
    Person,
    check_iin,
    gender_of,
    iin_info,
    normalize_name,
    normalized,
    validate,
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {_camel(f.name): _jsonable(getattr(value, f.name)) for f in fields(value)}
    return value


def person_to_json(person: Person) -> dict[str, Any]:
    """The record with camelCase names (dataclass field names), dates as ISO text."""
    return _jsonable(person)


class _Reader:
    """Reads one JSON object, naming the field of every error (``documents[1].beginDate``)."""

    def __init__(self, obj: Any, where: str):
        if not isinstance(obj, Mapping):
            raise InvalidPerson(where or "person", "must be a JSON object")
        self.obj, self.where = obj, where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def unknown(self, allowed: Iterable[str]) -> None:
        extra = sorted(set(self.obj) - set(allowed))
        if extra:
            raise InvalidPerson(self.path(extra[0]), "unknown field")

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.obj.get(key)
        if value is None or value == "":
            if required:
                raise InvalidPerson(self.path(key), "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise InvalidPerson(self.path(key), "must be a string")
        return str(value).strip()

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidPerson(self.path(key), f"must be a date YYYY-MM-DD, got {value!r}") from None

    def flag(self, key: str) -> bool:
        value = self.obj.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise InvalidPerson(self.path(key), "must be true or false")
        return value

    def items(self, key: str) -> list[Any]:
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidPerson(self.path(key), "must be a JSON array")
        return value

    def child(self, key: str, index: int | None = None) -> _Reader | None:
        value = self.obj.get(key) if index is None else self.obj[key][index]
        if value is None:
            return None
        return _Reader(value, self.path(key) + ("" if index is None else f"[{index}]"))


_ADDRESS_KEYS = tuple(_camel(f.name) for f in fields(Address))
_DOCUMENT_KEYS = tuple(_camel(f.name) for f in fields(Document))
_DECISION_KEYS = tuple(_camel(f.name) for f in fields(CourtDecision))
_PERSON_KEYS = tuple(_camel(f.name) for f in fields(Person))


def _address_from(r: _Reader) -> Address:
    r.unknown(_ADDRESS_KEYS)
    return Address(
        type=r.text("type"), country=r.text("country", dic.KAZAKHSTAN),
        region=r.text("region", required=True), district=r.text("district"), city=r.text("city"),
        street=r.text("street"), building=r.text("building"), corpus=r.text("corpus"),
        flat=r.text("flat"), begin_date=r.day("beginDate"), end_date=r.day("endDate"),
        status=r.text("status"), ar_code=r.text("arCode"))


def _document_from(r: _Reader) -> Document:
    r.unknown(_DOCUMENT_KEYS)
    return Document(
        type=r.text("type", required=True), number=r.text("number", required=True),
        series=r.text("series"), begin_date=r.day("beginDate", required=True),
        end_date=r.day("endDate"), issuer=r.text("issuer", dic.MVD),
        status=r.text("status", dic.DOC_VALID), invalidity_date=r.day("invalidityDate"))


def _decision_from(r: _Reader | None) -> CourtDecision | None:
    if r is None:
        return None
    r.unknown(_DECISION_KEYS)
    return CourtDecision(date=r.day("date", required=True), number=r.text("number", required=True),
                         authority=r.text("authority", required=True), end_date=r.day("endDate"))


def person_from_json(obj: Any, *, iin: str | None = None) -> Person:
    """A validated :class:`Person` from the JSON shape of :func:`person_to_json`.

    Defaults: ``gender`` and ``birthDate`` from the IIN, ``nationality`` "005", ``citizenship``
    "398", ``lifeStatus`` "0" ("3" when ``missing``), ``birthPlace`` the registration address's
    place, a document's ``issuer`` "002" and ``status`` "00". ``iin`` (a URL's) must agree with
    the body's ``iin`` when both are given. Raises :class:`InvalidPerson` naming the field.
    """
    r = _Reader(obj, "")
    r.unknown(_PERSON_KEYS)
    body_iin = r.text("iin")
    if iin is not None and body_iin is not None and body_iin != iin:
        raise InvalidPerson("iin", f"{body_iin} differs from the IIN of the URL ({iin})")
    info = iin_info(body_iin or iin or "")
    reg = r.child("regAddress")
    reg_address = _address_from(reg) if reg else None
    bp = r.child("birthPlace")
    if bp is not None:
        birth_place = _address_from(bp)
    elif reg_address is not None:
        birth_place = Address(None, reg_address.country, reg_address.region, reg_address.district,
                              reg_address.city, None, None, None, None, None, None, None, None)
    else:
        raise InvalidPerson("birthPlace", "is required (or give regAddress to default it)")
    missing = r.flag("missing")

    def iins(key: str) -> tuple[str, ...]:
        values = r.items(key)
        return tuple(check_iin(v if isinstance(v, str) else "", f"{key}[{i}]")
                     for i, v in enumerate(values))

    person = Person(
        iin=info.iin,
        surname=normalize_name(r.text("surname", required=True)) or "",
        name=normalize_name(r.text("name", required=True)) or "",
        patronymic=normalize_name(r.text("patronymic")),
        eng_surname=normalize_name(r.text("engSurname")),
        eng_first_name=normalize_name(r.text("engFirstName")),
        birth_date=r.day("birthDate") or info.birth_date,
        death_date=r.day("deathDate"),
        gender=r.text("gender") or gender_of(info.iin),
        nationality=r.text("nationality", dic.KAZAKH_NATIONALITY),
        citizenship=r.text("citizenship", dic.KAZAKHSTAN),
        life_status=r.text("lifeStatus", dic.LIFE_MISSING if missing else dic.LIFE_NORMAL),
        birth_place=birth_place,
        reg_address=reg_address,
        addresses=tuple(_address_from(r.child("addresses", i)) for i in range(len(r.items("addresses")))),
        documents=tuple(_document_from(r.child("documents", i)) for i in range(len(r.items("documents")))),
        capable_status=r.text("capableStatus"),
        missing=missing,
        removed=r.flag("removed"),
        parents=iins("parents"), children=iins("children"),
        guardians=iins("guardians"), wards=iins("wards"),
        capable_decision=_decision_from(r.child("capableDecision")),
        missing_decision=_decision_from(r.child("missingDecision")),
    )
    return validate(normalized(person))


