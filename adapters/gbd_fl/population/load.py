"""The bulk load of a population: chunks generated (in worker processes for large populations)
while one writer inserts them, the secondary indexes dropped during the insert and rebuilt after
it (see the package docstring for why ``synchronous=OFF`` is safe here).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial
from typing import Callable, Iterator

from egov_sim.core.clock import ALMATY, system_clock
from egov_sim.core.database import POSTGRESQL, SQLITE, Database
from egov_sim.core.errors import InputError

from ..person_rows import DOCUMENTS_TABLE, INDEXES, PERSON_COLUMNS, PERSONS_TABLE, SCHEMA
from .people import CHUNK_SIZE, MAX_COUNT
from .rows import Rows, generate_chunk

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases "generating" (persons) and "indexing"."""


def population_date(today: date) -> date:
    """The default "as of" day of a population generated ``today``: 1 January of its year.

    Ages, document validity and registrations are relative to it, never to the clock, so the
    same seed gives the same persons all year; documents expire in the course of the year, as
    they do in reality (a tenth of ID cards a year; regenerate with ``--replace``).
    """
    return date(today.year, 1, 1)


def chunk_sizes(count: int) -> list[int]:
    full, rest = divmod(count, CHUNK_SIZE)
    return [CHUNK_SIZE] * full + ([rest] if rest else [])


def default_workers(count: int) -> int:
    """Worker processes worth starting: none below 200k persons (spawning costs ~0.3 s)."""
    return 1 if count < 200_000 else max(1, min(2, os.cpu_count() or 1))


def generate_rows(count: int, *, seed: int = 1, as_of: date, workers: int | None = None) -> Iterator[Rows]:
    """The chunks of a population in order, made in ``workers`` processes (1: in this one)."""
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"count must be between 0 and {MAX_COUNT}", code="BAD_COUNT")
    sizes = chunk_sizes(count)
    workers = default_workers(count) if workers is None else workers
    if workers <= 1 or len(sizes) <= 1:
        for chunk_no, size in enumerate(sizes):
            yield generate_chunk(seed, chunk_no, size, as_of)
        return
    context = multiprocessing.get_context("spawn")  # never fork a process that may have threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque = deque()
        submitted = 0
        while pending or submitted < len(sizes):
            while submitted < len(sizes) and len(pending) < workers * 2:
                pending.append(pool.submit(generate_chunk, seed, submitted, sizes[submitted], as_of))
                submitted += 1
            yield pending.popleft().result()


# ---------------------------------------------------------------------------------------------
# The bulk load


def populate(db: Database, *, count: int, seed: int = 1, as_of: date | None = None,
             workers: int | None = None, replace: bool = False,
             progress: Progress | None = None) -> int:
    """Generate ``count`` persons into an empty registry; return how many were inserted.

    Does nothing (returns 0) when the registry already holds persons, unless ``replace``, which
    deletes them first. The emptiness check and the load are one write transaction, so
    concurrent callers generate once. Personas are not inserted here (see
    :func:`.personas.install_personas`, or :func:`.registry.ensure_population`).
    """
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"count must be between 0 and {MAX_COUNT}", code="BAD_COUNT")
    db.migrate(SCHEMA)  # the tables, as PersonRegistry makes them
    as_of = as_of or population_date(system_clock().astimezone(ALMATY).date())
    load = _populate_sqlite if db.dialect is SQLITE else _populate_portable
    return load(db, count, partial(generate_rows, count, seed=seed, as_of=as_of, workers=workers),
                replace, progress)


_INSERT_PERSON = (f"INSERT INTO {PERSONS_TABLE} ({', '.join(PERSON_COLUMNS)})"
                  f" VALUES ({', '.join('?' * len(PERSON_COLUMNS))})")
_INSERT_DOCUMENT = f"INSERT INTO {DOCUMENTS_TABLE} (number, iin) VALUES (?, ?)"


def _populate_sqlite(db: Database, count: int, chunks: Callable[[], Iterator[Rows]], replace: bool,
                     progress: Progress | None) -> int:
    path = db.sqlite_path
    timeout = 30.0
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    try:
        conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        conn.execute("PRAGMA synchronous=OFF")  # for this load only: see the module docstring
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: index builds sort in memory
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN IMMEDIATE")
        try:
            if replace:
                conn.execute(f"DELETE FROM {DOCUMENTS_TABLE}")
                conn.execute(f"DELETE FROM {PERSONS_TABLE}")
            elif conn.execute(f"SELECT 1 FROM {PERSONS_TABLE} LIMIT 1").fetchone():
                conn.execute("ROLLBACK")
                return 0
            if count:
                for name, _ in INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
                done = 0
                for rows, docs in chunks():
                    conn.executemany(_INSERT_PERSON, rows)
                    conn.executemany(_INSERT_DOCUMENT, docs)
                    done += len(rows)
                    if progress:
                        progress("generating", done, count)
                for i, (_, ddl) in enumerate(INDEXES):
                    if progress:
                        progress("indexing", i, len(INDEXES))
                    conn.execute(ddl)
                if progress:
                    progress("indexing", len(INDEXES), len(INDEXES))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("PRAGMA synchronous=FULL")
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # give the WAL's disk space back
        except sqlite3.OperationalError:
            pass  # busy readers: the next automatic checkpoint does it
        return count
    finally:
        conn.close()


def _populate_portable(db: Database, count: int, chunks: Callable[[], Iterator[Rows]], replace: bool,
                       progress: Progress | None) -> int:
    """Any engine through :class:`Database` (PostgreSQL): multi-row INSERTs of 100 rows."""
    with db.transaction() as tx:
        if db.dialect is POSTGRESQL:
            tx.execute("SELECT pg_advisory_xact_lock(?)", (0x67626466_6C706F70,))  # "gbdflpop"
        if replace:
            tx.execute(f"DELETE FROM {DOCUMENTS_TABLE}")
            tx.execute(f"DELETE FROM {PERSONS_TABLE}")
        elif tx.query_one(f"SELECT 1 AS x FROM {PERSONS_TABLE} LIMIT 1"):
            return 0
        if not count:
            return 0
        for name, _ in INDEXES:
            tx.execute(f"DROP INDEX IF EXISTS {name}")
        done = 0
        for rows, docs in chunks():
            _insert_batches(tx, PERSONS_TABLE, PERSON_COLUMNS, rows)
            _insert_batches(tx, DOCUMENTS_TABLE, ("number", "iin"), docs)
            done += len(rows)
            if progress:
                progress("generating", done, count)
        for i, (_, ddl) in enumerate(INDEXES):
            if progress:
                progress("indexing", i, len(INDEXES))
            tx.execute(ddl)
        if progress:
            progress("indexing", len(INDEXES), len(INDEXES))
    return count


def _insert_batches(tx, table: str, columns: tuple[str, ...], rows: list[tuple], batch: int = 100) -> None:
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), batch):
        part = rows[start:start + batch]
        tx.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))}",
                   [v for row in part for v in row])

