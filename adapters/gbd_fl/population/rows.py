"""A chunk of the population as database rows: the residents encoded in the storage layout of
:mod:`..person_rows` (the same compact JSON :func:`..person_rows.encode_row` writes).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from egov_sim.reference import dictionaries as dic

from .draws import Draws, day_number, iso_day
from .households import Households
from .life import Life
from .people import CHUNK_SIZE, SERIAL_STRIDE, People, Resident
from .places import Places

Rows = tuple[list[tuple[Any, ...]], list[tuple[str, str]]]
"""(person rows in ``PERSON_COLUMNS`` order, (document number, iin) rows)."""


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode(p: Resident) -> tuple[Any, ...]:
    rec: dict[str, Any] = {}
    if p.nat != dic.KAZAKH_NATIONALITY:
        rec["n"] = p.nat
    if p.cit != dic.KAZAKHSTAN:
        rec["c"] = p.cit
    if p.eng is not None:
        rec["e"] = p.eng
    if p.death is not None:
        rec["dd"] = day_number(p.death)
    if p.ra is None or p.bp != p.ra[:5]:
        rec["bp"] = p.bp
    if p.ra is not None:
        rec["ra"] = p.ra
    if p.ad:
        rec["ad"] = p.ad
    if p.docs:
        rec["dc"] = p.docs
    if p.cs is not None:
        rec["cs"] = p.cs
    if p.cd is not None:
        rec["cd"] = p.cd
    if p.md is not None:
        rec["md"] = p.md
    if p.p:
        rec["p"] = p.p
    if p.ch:
        rec["ch"] = p.ch
    if p.g:
        rec["g"] = p.g
    if p.w:
        rec["w"] = p.w
    return (p.iin, p.surname, p.name, p.patronymic, iso_day(p.birth), p.life, int(p.removed),
            _ENCODE(rec))


def generate_chunk(seed: int, chunk_no: int, size: int, as_of: date) -> Rows:
    """The rows of chunk ``chunk_no``: a pure function of (seed, chunk number, size, as_of)."""
    if not 0 <= chunk_no < SERIAL_STRIDE or not 0 < size <= CHUNK_SIZE:
        raise ValueError(f"chunk {chunk_no} of size {size} is out of range")
    draws = Draws(seed, chunk_no, as_of)
    people = People(draws, chunk_no)
    places = Places(draws)
    residents = Households(draws, people, places, Life(draws, places), size).build()
    rows = [encode(p) for p in residents]
    docs = [(d[1], p.iin) for p in residents for d in p.docs]
    return rows, docs
