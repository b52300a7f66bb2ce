"""How a ГБД ФЛ person is stored: the tables, and the row codec (indexed columns + compact JSON).

``gbdfl_persons`` has the searched fields as indexed columns (``iin`` unique; ``surname, name,
birth_date``) and the rest of the record as compact JSON (positional arrays, defaults left out:
see :func:`encode_row`); ``gbdfl_documents`` maps every document number to its holder's IIN
(indexed), for searches by document number. About 510 bytes per person on disk, indexes
included. The generator (population/rows.py) writes the same layout directly.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Mapping

from egov_sim.core.database import Schema
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.person import Address, CourtDecision, Document, Person, gender_of, translit

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
# YYYYMMDD, trailing nulls dropped. The generator (population/rows.py) writes the same layout directly.


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


SELECT_PERSONS = f"SELECT {', '.join(PERSON_COLUMNS)} FROM {PERSONS_TABLE}"
