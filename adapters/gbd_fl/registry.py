"""The ГБД ФЛ person registry: the record of a person, and where the records live.

A :class:`Person` holds what a ГБД ФЛ ``Person`` response carries (``wire-formats.md`` §4.3),
with dictionary values as codes (names in :mod:`.dictionaries`). Conventions the provider and
the other registries rely on:

* names are upper case, as ГБД ФЛ stores them; searches are case-insensitive;
* ``gender`` is the ГБД code, "1" male and "2" female, and always agrees with the IIN (as does
  ``birth_date``); every IIN is checked by :func:`egov_sim.reference.iin.parse_iin`;
* :class:`Address` ``region`` is the oblast or city of republican significance and ``district``
  the district (район) or city of oblast significance, both as :mod:`.dictionaries` codes; on the
  wire ГБД ФЛ swaps the words (``<district>`` = oblast). For a foreign country (``country`` other
  than "398") ``region``/``district`` hold the foreign names (the wire's ``foreignData``);
* ``reg_address`` is the permanent registration; ``addresses`` the other typed addresses
  (temporary registration);
* ``parents``/``children`` and ``guardians``/``wards`` are IINs and reciprocal: :meth:`put` and
  :meth:`delete` keep the other side of every link that is in the registry in step.

Storage (one table per kind, portable SQL per :mod:`egov_sim.core.database`): ``gbdfl_persons`` has
the searched fields as indexed columns (``iin`` unique; ``surname, name, birth_date``) and the rest
of the record as compact JSON (positional arrays, defaults left out: see :func:`encode_row`);
``gbdfl_documents`` maps every document number to its holder's IIN (indexed), for searches by
document number. About 510 bytes per person on disk, indexes included.
"""

from __future__ import annotations

import json
import random
from dataclasses import fields, replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Sequence

from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.database import Database, Schema, Transaction
from egov_sim.core.errors import InputError
from egov_sim.reference.iin import parse_iin

from egov_sim.reference import dictionaries as dic
from egov_sim.reference.personas import NOT_REGISTERED, persona_persons
from egov_sim.reference.person import (Address, CourtDecision, Document, InvalidPerson, Person, gender_of,
                                       check_iin, iin_info, normalize_name, normalized, translit,
                                       validate)

class TooManyResults(Exception):
    """More persons match than the caller's limit: the real service refuses such searches too."""

    def __init__(self, limit: int, found_at_least: int):
        super().__init__(f"more than {limit} persons match (at least {found_at_least}): narrow the search")
        self.limit = limit
        self.found_at_least = found_at_least


class PersonNotFound(InputError):
    code = "PERSON_NOT_FOUND"


# ---------------------------------------------------------------------------------------------
# The JSON shape (admin API, `persons import`, `persons show --json`)


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

    def child(self, key: str, index: int | None = None) -> "_Reader | None":
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


# ---------------------------------------------------------------------------------------------
# Storage: columns + compact JSON


PERSONS_TABLE = "gbdfl_persons"
DOCUMENTS_TABLE = "gbdfl_documents"
PERSON_COLUMNS = ("iin", "surname", "name", "patronymic", "birth_date", "life_status", "removed",
                  "record")
"""The columns :func:`encode_row` fills, in order (``seq`` is the auto-increment key)."""

INDEXES = (
    ("gbdfl_persons_iin", f"CREATE UNIQUE INDEX IF NOT EXISTS gbdfl_persons_iin ON {PERSONS_TABLE} (iin)"),
    ("gbdfl_persons_name",
     f"CREATE INDEX IF NOT EXISTS gbdfl_persons_name ON {PERSONS_TABLE} (surname, name, birth_date)"),
    ("gbdfl_documents_number",
     f"CREATE INDEX IF NOT EXISTS gbdfl_documents_number ON {DOCUMENTS_TABLE} (number)"),
)
"""Secondary indexes, by name: the bulk load drops them and builds them after the insert."""

SCHEMA = Schema("gbd_fl", (
    (
        f"CREATE TABLE IF NOT EXISTS {PERSONS_TABLE} ("
        " seq {id},"
        " iin TEXT NOT NULL,"
        " surname TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " patronymic TEXT,"
        " birth_date TEXT NOT NULL,"
        " life_status TEXT NOT NULL,"
        " removed INTEGER NOT NULL,"
        " record TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {DOCUMENTS_TABLE} (number TEXT NOT NULL, iin TEXT NOT NULL)",
        *(ddl for _, ddl in INDEXES),
    ),
))

# Record JSON keys (absent = default): n nationality ("005"), c citizenship ("398"),
# e [eng surname, eng first name] (1: names.translit of the names), dd death date, bp birth place, ra reg address, ad addresses,
# dc documents, cs capable status, cd/md capability/missing decision, p/ch/g/w parents/children/
# guardians/wards. An address is [type, country, region, district, city, street, building,
# corpus, flat, begin, end, status, arCode], a document [type, number, series, begin, end, issuer,
# status, invalidityDate], a decision [date, number, authority, endDate]: dates as integers
# YYYYMMDD, trailing nulls dropped. The generator (population.py) writes the same layout directly.


def trim(values: list[Any]) -> list[Any]:
    """Drop trailing nulls: the stored arrays are positional."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end]


def _num(d: date | None) -> int | None:
    """A date as the integer YYYYMMDD: half the bytes of quoted ISO text, still readable."""
    return None if d is None else d.year * 10000 + d.month * 100 + d.day


def _day(n: int | None) -> date | None:
    if n is None:
        return None
    y, md = divmod(n, 10000)
    return date(y, md // 100, md % 100)


def _address_out(a: Address) -> list[Any]:
    return trim([a.type, a.country, a.region, a.district, a.city, a.street, a.building, a.corpus,
                 a.flat, _num(a.begin_date), _num(a.end_date), a.status, a.ar_code])


def _address_in(v: list[Any]) -> Address:
    v = v + [None] * (13 - len(v))
    return Address(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], _day(v[9]), _day(v[10]),
                   v[11], v[12])


def _document_out(d: Document) -> list[Any]:
    return trim([d.type, d.number, d.series, _num(d.begin_date), _num(d.end_date), d.issuer,
                 d.status, _num(d.invalidity_date)])


def _document_in(v: list[Any]) -> Document:
    v = v + [None] * (8 - len(v))
    return Document(v[0], v[1], v[2], _day(v[3]), _day(v[4]), v[5], v[6], _day(v[7]))


def _decision_out(d: CourtDecision) -> list[Any]:
    return trim([_num(d.date), d.number, d.authority, _num(d.end_date)])


def _decision_in(v: list[Any] | None) -> CourtDecision | None:
    if v is None:
        return None
    return CourtDecision(_day(v[0]), v[1], v[2], _day(v[3]) if len(v) > 3 else None)


def _place_of(a: Address) -> Address:
    """The birth place implied by an address: its country, region, district and city."""
    return Address(None, a.country, a.region, a.district, a.city, None, None, None, None, None,
                   None, None, None)


def dump_record(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode_row(p: Person) -> tuple[Any, ...]:
    """The ``PERSON_COLUMNS`` values of a (normalised) person."""
    rec: dict[str, Any] = {}
    if p.nationality != dic.KAZAKH_NATIONALITY:
        rec["n"] = p.nationality
    if p.citizenship != dic.KAZAKHSTAN:
        rec["c"] = p.citizenship
    if p.eng_surname is not None or p.eng_first_name is not None:
        default = (p.eng_surname == translit(p.surname) and p.eng_first_name == translit(p.name))
        rec["e"] = 1 if default else [p.eng_surname, p.eng_first_name]
    if p.death_date is not None:
        rec["dd"] = _num(p.death_date)
    if p.reg_address is None or p.birth_place != _place_of(p.reg_address):
        rec["bp"] = _address_out(p.birth_place)
    if p.reg_address is not None:
        rec["ra"] = _address_out(p.reg_address)
    if p.addresses:
        rec["ad"] = [_address_out(a) for a in p.addresses]
    if p.documents:
        rec["dc"] = [_document_out(d) for d in p.documents]
    if p.capable_status is not None:
        rec["cs"] = p.capable_status
    if p.capable_decision is not None:
        rec["cd"] = _decision_out(p.capable_decision)
    if p.missing_decision is not None:
        rec["md"] = _decision_out(p.missing_decision)
    for key, links in (("p", p.parents), ("ch", p.children), ("g", p.guardians), ("w", p.wards)):
        if links:
            rec[key] = list(links)
    return (p.iin, p.surname, p.name, p.patronymic, p.birth_date.isoformat(), p.life_status,
            int(p.removed), dump_record(rec))


def decode_row(row: Mapping[str, Any]) -> Person:
    """The person of a ``gbdfl_persons`` row (a mapping with the ``PERSON_COLUMNS``)."""
    rec = json.loads(row["record"])
    iin = row["iin"]
    surname, name = row["surname"], row["name"]
    eng = rec.get("e") or (None, None)
    if eng == 1:
        eng = (translit(surname), translit(name))
    ra = None if rec.get("ra") is None else _address_in(rec["ra"])
    bp = rec.get("bp")
    return Person(
        iin=iin, surname=surname, name=name, patronymic=row["patronymic"],
        eng_surname=eng[0], eng_first_name=eng[1],
        birth_date=date.fromisoformat(row["birth_date"]),
        death_date=_day(rec.get("dd")),
        gender=gender_of(iin),
        nationality=rec.get("n", dic.KAZAKH_NATIONALITY),
        citizenship=rec.get("c", dic.KAZAKHSTAN),
        life_status=row["life_status"],
        birth_place=_place_of(ra) if bp is None else _address_in(bp),
        reg_address=ra,
        addresses=tuple(_address_in(a) for a in rec.get("ad", ())),
        documents=tuple(_document_in(d) for d in rec.get("dc", ())),
        capable_status=rec.get("cs"),
        missing=row["life_status"] == dic.LIFE_MISSING,
        removed=bool(row["removed"]),
        parents=tuple(rec.get("p", ())), children=tuple(rec.get("ch", ())),
        guardians=tuple(rec.get("g", ())), wards=tuple(rec.get("w", ())),
        capable_decision=_decision_in(rec.get("cd")),
        missing_decision=_decision_in(rec.get("md")),
    )


_SELECT = f"SELECT {', '.join(PERSON_COLUMNS)} FROM {PERSONS_TABLE}"
_RECIPROCAL = {"parents": "children", "children": "parents", "guardians": "wards", "wards": "guardians"}
MAX_SEARCH_LIMIT = 1000


# ---------------------------------------------------------------------------------------------
# The registry


class PersonRegistry:
    """ГБД ФЛ's persons in a :class:`Database`; thread-safe as the database is."""

    def __init__(self, db: Database, *, clock: Clock = system_clock):
        self.db = db
        self._clock = clock
        db.migrate(SCHEMA)

    # -- reading ---------------------------------------------------------------------------------

    def get(self, iin: str) -> Person | None:
        """The person with this IIN, or None; an invalid IIN raises InputError INVALID_IIN."""
        iin = parse_iin(iin).iin
        row = self.db.query_one(f"{_SELECT} WHERE iin = ?", (iin,))
        return None if row is None else decode_row(row)

    def exists(self, iin: str) -> bool:
        return self.db.query_one(f"SELECT 1 AS x FROM {PERSONS_TABLE} WHERE iin = ?", (iin,)) is not None

    def count(self) -> int:
        return int(self.db.scalar(f"SELECT COUNT(*) AS n FROM {PERSONS_TABLE}") or 0)

    def is_empty(self) -> bool:
        return self.db.query_one(f"SELECT 1 AS x FROM {PERSONS_TABLE} LIMIT 1") is None

    def page(self, *, offset: int = 0, limit: int = 50) -> list[Person]:
        """Persons in insertion order (for browsing without a search)."""
        rows = self.db.query(f"{_SELECT} ORDER BY seq LIMIT ? OFFSET ?", (limit, offset))
        return [decode_row(r) for r in rows]

    def search(self, *, surname: str | None = None, name: str | None = None,
               patronymic: str | None = None, birth_date: date | None = None,
               birth_date_from: date | None = None, birth_date_to: date | None = None,
               document_number: str | None = None, limit: int = 50) -> list[Person]:
        """Persons matching every given key (names case-insensitive, whole words, exactly).

        Raises :class:`TooManyResults` when more than ``limit`` match, and InputError
        (EMPTY_SEARCH, BAD_SEARCH) for an empty or contradictory search. Fast with a surname or a
        document number (indexed); a search by first name or birth dates alone scans the table.
        """
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise InputError(f"limit must be between 1 and {MAX_SEARCH_LIMIT}", code="BAD_SEARCH")
        surname, name, patronymic = map(normalize_name, (surname, name, patronymic))
        number = (document_number or "").strip().upper() or None
        if birth_date is not None and (birth_date_from is not None or birth_date_to is not None):
            raise InputError("give birthDate or birthDateFrom/birthDateTo, not both", code="BAD_SEARCH")
        if birth_date_from and birth_date_to and birth_date_from > birth_date_to:
            raise InputError("birthDateFrom is after birthDateTo", code="BAD_SEARCH")
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("p.surname", surname), ("p.name", name), ("p.patronymic", patronymic)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if birth_date is not None:
            where.append("p.birth_date = ?")
            params.append(birth_date.isoformat())
        if birth_date_from is not None:
            where.append("p.birth_date >= ?")
            params.append(birth_date_from.isoformat())
        if birth_date_to is not None:
            where.append("p.birth_date <= ?")
            params.append(birth_date_to.isoformat())
        if number is not None:
            source = f"{DOCUMENTS_TABLE} d JOIN {PERSONS_TABLE} p ON p.iin = d.iin"
            where.insert(0, "d.number = ?")
            params.insert(0, number)
        elif not where:
            raise InputError("empty search: give a surname, name, patronymic, birth date (range)"
                             " or document number", code="EMPTY_SEARCH")
        else:
            source = f"{PERSONS_TABLE} p"
        columns = ", ".join(f"p.{c}" for c in PERSON_COLUMNS)
        rows = self.db.query(
            f"SELECT {columns} FROM {source} WHERE {' AND '.join(where)}"
            f" ORDER BY p.surname, p.name, p.birth_date, p.iin LIMIT ?", (*params, limit + 1))
        if len(rows) > limit:
            raise TooManyResults(limit, len(rows))
        return [decode_row(r) for r in rows]

    def sample(self, n: int, *, rng: random.Random, adult: bool = True,
               alive: bool = True) -> list[Person]:
        """Up to ``n`` distinct persons picked at random (by position), cheap on any size.

        ``alive``: life status normal and not removed (so not missing either); ``adult``: 18 or
        older today. Persons after a long gap in the positions (deleted rows) are a little more
        likely; good enough for seeding other registries.
        """
        bounds = self.db.query_one(f"SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM {PERSONS_TABLE}")
        if not bounds or bounds["lo"] is None or n <= 0:
            return []
        lo, hi = int(bounds["lo"]), int(bounds["hi"])
        where, params = ["seq >= ?"], []
        if alive:
            where.append("life_status = ? AND removed = 0")
            params.append(dic.LIFE_NORMAL)
        if adult:
            today = self._clock().astimezone(ALMATY).date()
            cutoff = _years_before(today, 18)
            where.append("birth_date <= ?")
            params.append(cutoff.isoformat())
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY seq LIMIT 1"
        picked: dict[str, Person] = {}
        attempts = 0
        while len(picked) < n and attempts < 4 * n + 20:
            attempts += 1
            start = rng.randint(lo, hi)
            row = self.db.query_one(sql, (start, *params)) or self.db.query_one(sql, (lo, *params))
            if row is None:
                break  # nobody qualifies
            picked.setdefault(row["iin"], decode_row(row))
        return list(picked.values())

    # -- writing ---------------------------------------------------------------------------------

    def put(self, person: Person) -> None:
        """Insert or replace a person (validated); keeps the reciprocal links of others in step."""
        person = validate(normalized(person))
        with self.db.transaction() as tx:
            old = self._get_tx(tx, person.iin)
            self._write(tx, person, old)
            self._sync_links(tx, person.iin, old, person)

    def delete(self, iin: str) -> bool:
        """Remove a person and the links others hold to them; False when absent."""
        iin = parse_iin(iin).iin
        with self.db.transaction() as tx:
            old = self._get_tx(tx, iin)
            if old is None:
                return False
            self._delete_documents(tx, old)
            tx.execute(f"DELETE FROM {PERSONS_TABLE} WHERE iin = ?", (iin,))
            self._sync_links(tx, iin, old, None)
        return True

    def put_many(self, persons: Sequence[Person], *,
                 on_error: Callable[[int, InputError], None] | None = None) -> int:
        """Put every person in one transaction: all or nothing. Returns how many were written.

        Every record is validated first; with ``on_error`` all failures are reported
        (index, error) and nothing is written, else the first failure is raised.
        """
        checked: list[Person] = []
        failed = False
        for i, person in enumerate(persons):
            try:
                checked.append(validate(normalized(person)))
            except InputError as exc:
                if on_error is None:
                    raise
                on_error(i, exc)
                failed = True
        if failed:
            return 0
        with self.db.transaction() as tx:
            for person in checked:
                old = self._get_tx(tx, person.iin)
                self._write(tx, person, old)
                self._sync_links(tx, person.iin, old, person)
        return len(checked)

    def clear(self) -> int:
        """Delete every person; returns how many there were."""
        with self.db.transaction() as tx:
            n = int(tx.scalar(f"SELECT COUNT(*) AS n FROM {PERSONS_TABLE}") or 0)
            tx.execute(f"DELETE FROM {DOCUMENTS_TABLE}")
            tx.execute(f"DELETE FROM {PERSONS_TABLE}")
        return n

    # -- internals -------------------------------------------------------------------------------

    def _get_tx(self, tx: Transaction, iin: str) -> Person | None:
        row = tx.query_one(f"{_SELECT} WHERE iin = ?", (iin,))
        return None if row is None else decode_row(row)

    def _write(self, tx: Transaction, person: Person, old: Person | None) -> None:
        """Insert ``person``, or replace ``old`` (its stored version) with it."""
        values = encode_row(person)
        if old is not None:
            self._delete_documents(tx, old)
            sets = ", ".join(f"{c} = ?" for c in PERSON_COLUMNS[1:])
            tx.execute(f"UPDATE {PERSONS_TABLE} SET {sets} WHERE iin = ?", (*values[1:], person.iin))
        else:
            tx.execute(f"INSERT INTO {PERSONS_TABLE} ({', '.join(PERSON_COLUMNS)})"
                       f" VALUES ({', '.join('?' * len(PERSON_COLUMNS))})", values)
        for doc in person.documents:
            tx.execute(f"INSERT INTO {DOCUMENTS_TABLE} (number, iin) VALUES (?, ?)",
                       (doc.number, person.iin))

    def _delete_documents(self, tx: Transaction, person: Person) -> None:
        for doc in person.documents:
            tx.execute(f"DELETE FROM {DOCUMENTS_TABLE} WHERE number = ? AND iin = ?",
                       (doc.number, person.iin))

    def _sync_links(self, tx: Transaction, iin: str, old: Person | None, new: Person | None) -> None:
        """Add ``iin`` to the reciprocal list of every newly linked person, drop it from unlinked."""
        changes: dict[str, dict[str, bool]] = {}  # other IIN -> {reciprocal relation: add?}
        for relation, reciprocal in _RECIPROCAL.items():
            before = set(getattr(old, relation)) if old else set()
            after = set(getattr(new, relation)) if new else set()
            for other in after - before:
                changes.setdefault(other, {})[reciprocal] = True
            for other in before - after:
                changes.setdefault(other, {})[reciprocal] = False
        for other_iin, relations in sorted(changes.items()):
            other = self._get_tx(tx, other_iin)
            if other is None:
                continue  # a link to someone not (or not yet) in the registry stays one-sided
            updated = other
            for relation, add in relations.items():
                current = getattr(updated, relation)
                if add and iin not in current:
                    updated = replace(updated, **{relation: current + (iin,)})
                elif not add and iin in current:
                    updated = replace(updated, **{relation: tuple(v for v in current if v != iin)})
            if updated != other:
                self._write(tx, updated, other)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def ensure_population(db: Database, *, count: int = 10_000, seed: int = 1,
                      clock: Clock = system_clock) -> PersonRegistry:
    """The registry, generated when empty (the first ``egov-sim serve``), personas always restored.

    Idempotent and safe to run from several processes: the generation checks emptiness under the
    write lock, so only the first one generates. Personas are re-inserted every time, so their
    canonical records come back even after an edit.
    """
    from .population import populate, population_date

    registry = PersonRegistry(db, clock=clock)
    populate(db, count=count, seed=seed, as_of=population_date(clock().astimezone(ALMATY).date()))
    install_personas(registry)
    return registry


__all__ = [
    "Address", "CourtDecision", "Document", "InvalidPerson", "Person", "PersonNotFound",
    "PersonRegistry", "TooManyResults", "decode_row", "encode_row", "ensure_population",
    "person_from_json", "person_to_json", "validate",
]


def install_personas(registry: PersonRegistry) -> int:
    """(Re)insert every persona (egov_sim/reference/personas.py) in one transaction and keep
    ``not_registered`` out; returns how many were written."""
    written = registry.put_many(persona_persons())
    if registry.exists(NOT_REGISTERED):
        registry.delete(NOT_REGISTERED)
    return written
