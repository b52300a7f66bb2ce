"""Scenario states and counters of stub sets, shared by every worker through the database.

A scenario (WireMock's) is a small state machine per stub set: it starts in ``Started``; a stub
may require a state and move the scenario to the next one when it answers ("first call
NOT_FOUND, then FOUND"). States live in the simulator's database (``stub_states``), as fault
rules do, so ``egov-sim serve --workers N`` behaves as one server, and a test resets them
through the admin API, the CLI or the pytest fixture.

A transition is a compare-and-set (``… WHERE state = required``): when two workers race for
the same transition exactly one wins; the other matches again against the new state.

Per-request cost for a stub set with scenarios: every change bumps ``stub_states_generation``
and, on SQLite, replaces a marker file beside the database; a worker re-reads the states only
when the marker (one ``stat``) or, on PostgreSQL, the generation row changed. Stub sets without
scenarios never touch the database.
"""

from __future__ import annotations

import builtins
import datetime as dt
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database, Schema, Transaction, from_db_time, to_db_time

from .matching import STARTED

STUB_STATE_SCHEMA = Schema(
    component="stub_state",
    steps=(
        (
            """CREATE TABLE stub_states (
                stub_set TEXT NOT NULL,
                scenario TEXT NOT NULL,
                state TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (stub_set, scenario)
            )""",
            """CREATE TABLE stub_counters (
                stub_set TEXT NOT NULL,
                name TEXT NOT NULL,
                value BIGINT NOT NULL,
                PRIMARY KEY (stub_set, name)
            )""",
            "CREATE TABLE stub_states_generation (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)",
            "INSERT INTO stub_states_generation (id, generation) VALUES (1, 0)",
        ),
    ),
)

_BUMP = "UPDATE stub_states_generation SET generation = generation + 1 WHERE id = 1"


@dataclass(frozen=True)
class ScenarioRecord:
    stub_set: str
    scenario: str
    state: str
    updated_at: dt.datetime | None

    def to_dict(self) -> dict:
        return {"stubSet": self.stub_set, "scenario": self.scenario, "state": self.state,
                "updatedAt": to_db_time(self.updated_at) if self.updated_at else None}


class StubStates:
    """Scenario states and counters of every stub set in one database; thread-safe."""

    def __init__(self, db: Database, *, clock: Clock = system_clock):
        self.db = db
        db.migrate(STUB_STATE_SCHEMA)
        self._clock = clock
        self._cache: tuple[int | None, dict[str, dict[str, str]]] = (None, {})
        self._marker = db.sidecar_path("stub-states")
        self._marker_seen: tuple[int, int] | None = None
        if self._marker is not None and not self._marker.exists():
            self._marker.touch()

    @contextmanager
    def _changing(self) -> Iterator[Transaction]:
        with self.db.transaction() as tx:
            yield tx
            tx.execute(_BUMP)
        if self._marker is not None:
            tmp = self._marker.with_name(f"{self._marker.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_bytes(b"")
            os.replace(tmp, self._marker)  # a new inode: every reader's stat sees the change

    def _unchanged(self) -> bool:
        if self._marker is None:
            return False
        try:
            st = os.stat(self._marker)
        except FileNotFoundError:
            return False
        seen = (st.st_ino, st.st_mtime_ns)
        if seen == self._marker_seen:
            return True
        self._marker_seen = seen
        return False

    # -- reading ----------------------------------------------------------------------------

    def states(self, stub_set: str) -> Mapping[str, str]:
        """Scenario → state of one stub set (a scenario not listed is in ``Started``)."""
        if self._cache[0] is None or not self._unchanged():
            generation = self.db.scalar("SELECT generation FROM stub_states_generation WHERE id = 1")
            if generation != self._cache[0]:
                table: dict[str, dict[str, str]] = {}
                for row in self.db.query("SELECT stub_set, scenario, state FROM stub_states"):
                    table.setdefault(row["stub_set"], {})[row["scenario"]] = row["state"]
                self._cache = (generation, table)
        return self._cache[1].get(stub_set, {})

    def list(self, stub_set: str | None = None) -> builtins.list[ScenarioRecord]:
        sql, params = "SELECT stub_set, scenario, state, updated_at FROM stub_states", []
        if stub_set is not None:
            sql, params = sql + " WHERE stub_set = ?", [stub_set]
        return [ScenarioRecord(r["stub_set"], r["scenario"], r["state"], from_db_time(r["updated_at"]))
                for r in self.db.query(sql + " ORDER BY stub_set, scenario", params)]

    # -- changing ---------------------------------------------------------------------------

    def transition(self, stub_set: str, scenario: str, required: str | None, new: str) -> bool:
        """Move ``scenario`` to ``new`` if it is in ``required`` (None: any state); False when
        another request moved it first."""
        now = to_db_time(self._clock())
        with self._changing() as tx:
            if required is None:
                tx.execute(_UPSERT, (stub_set, scenario, new, now))
                return True
            if required == STARTED:
                # No row means Started: insert, or update a row that says Started.
                return tx.execute(_UPSERT + " WHERE stub_states.state = ?",
                                  (stub_set, scenario, new, now, STARTED)) == 1
            return tx.execute("UPDATE stub_states SET state = ?, updated_at = ?"
                              " WHERE stub_set = ? AND scenario = ? AND state = ?",
                              (new, now, stub_set, scenario, required)) == 1

    def set(self, stub_set: str, scenario: str, state: str) -> None:
        """Put one scenario in a state (a test step: "given the tax service knows the debt")."""
        with self._changing() as tx:
            tx.execute(_UPSERT, (stub_set, scenario, state, to_db_time(self._clock())))

    def reset(self, stub_set: str | None = None, scenario: str | None = None) -> int:
        """Every scenario (of one set, or one scenario) back to ``Started``, counters to zero;
        returns how many scenario states were reset."""
        where, params = "", []
        if stub_set is not None:
            where, params = " WHERE stub_set = ?", [stub_set]
            if scenario is not None:
                where, params = where + " AND scenario = ?", params + [scenario]
        with self._changing() as tx:
            removed = tx.execute("DELETE FROM stub_states" + where, params)
            if scenario is None:
                tx.execute("DELETE FROM stub_counters" + where, params)
        return removed

    def next_counter(self, stub_set: str, name: str) -> int:
        """1, 2, 3…: the next value of a counter, unique across workers."""
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO stub_counters (stub_set, name, value) VALUES (?, ?, 1)"
                       " ON CONFLICT (stub_set, name) DO UPDATE SET value = stub_counters.value + 1",
                       (stub_set, name))
            return int(tx.scalar("SELECT value FROM stub_counters WHERE stub_set = ? AND name = ?",
                                 (stub_set, name)))


_UPSERT = ("INSERT INTO stub_states (stub_set, scenario, state, updated_at) VALUES (?, ?, ?, ?)"
           " ON CONFLICT (stub_set, scenario) DO UPDATE SET state = excluded.state,"
           " updated_at = excluded.updated_at")
