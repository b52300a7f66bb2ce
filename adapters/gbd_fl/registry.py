"""The ГБД ФЛ person registry: where the records of persons live, and how they are found.

A record is an :class:`egov_sim.reference.person.Person` (the conventions every holder relies on
are in that module). :class:`PersonRegistry` stores them in the simulator's database (layout and
row codec: :mod:`.person_rows`; the JSON shape of the admin API and the CLI: :mod:`.person_json`),
searches them like ГБД ФЛ, and keeps links reciprocal: ``parents``/``children`` and
``guardians``/``wards`` are IINs, and :meth:`PersonRegistry.put` and
:meth:`PersonRegistry.delete` keep the other side of every link that is in the registry in step.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from typing import Any, Callable, Sequence

from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.database import Database, Transaction
from egov_sim.core.errors import InputError
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.iin import parse_iin
from egov_sim.reference.person import Person, normalize_name, normalized, validate
from egov_sim.reference.personas import NOT_REGISTERED, persona_persons

from .person_rows import DOCUMENTS_TABLE, PERSON_COLUMNS, PERSONS_TABLE, SCHEMA, SELECT_PERSONS, decode_row, encode_row

_SELECT = SELECT_PERSONS
_RECIPROCAL = {"parents": "children", "children": "parents", "guardians": "wards", "wards": "guardians"}
MAX_SEARCH_LIMIT = 1000


class TooManyResults(Exception):
    """More persons match than the caller's limit: the real service refuses such searches too."""

    def __init__(self, limit: int, found_at_least: int):
        super().__init__(f"more than {limit} persons match (at least {found_at_least}): narrow the search")
        self.limit = limit
        self.found_at_least = found_at_least


class PersonNotFound(InputError):
    code = "PERSON_NOT_FOUND"


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
        row = self.get_row(iin)
        return None if row is None else decode_row(row)

    def get_row(self, iin: str) -> dict[str, Any] | None:
        """The stored row of the person with this IIN (``PERSON_COLUMNS``; :func:`decode_row`
        makes it a Person), or None: equal rows are equal persons, so a reader may key a cache
        of what it derives from a person (the ГБД ФЛ answer's ``person``) on the row."""
        iin = parse_iin(iin).iin
        return self.db.query_one(f"{_SELECT} WHERE iin = ?", (iin,))

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
                change: dict[str, Any]
                if add and iin not in current:
                    change = {relation: current + (iin,)}
                    updated = replace(updated, **change)
                elif not add and iin in current:
                    change = {relation: tuple(v for v in current if v != iin)}
                    updated = replace(updated, **change)
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




def install_personas(registry: PersonRegistry) -> int:
    """(Re)insert every persona (egov_sim/reference/personas.py) in one transaction and keep
    ``not_registered`` out; returns how many were written."""
    written = registry.put_many(persona_persons())
    if registry.exists(NOT_REGISTERED):
        registry.delete(NOT_REGISTERED)
    return written
