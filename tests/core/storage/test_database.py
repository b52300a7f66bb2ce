"""The data layer: URLs, SQLite settings, transactions, parameters, migrations, concurrency."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import sys
import threading
import time

import pytest

from egov_sim.core.database import (
    DATABASE_URL_ENV,
    Database,
    DatabaseError,
    IntegrityError,
    Schema,
    database_url,
    from_db_time,
    redact_url,
    sqlite_url,
    to_db_time,
    to_pyformat,
)
from egov_sim.core.errors import InputError
from egov_sim.core.settings import Settings

NOTES = Schema(
    component="notes",
    steps=(
        "CREATE TABLE notes (id {id}, body TEXT NOT NULL, flag INTEGER NOT NULL DEFAULT 0,"
        " at TEXT, data {blob})",
        ("CREATE TABLE tags (note_id BIGINT NOT NULL REFERENCES notes (id), tag TEXT NOT NULL,"
         " PRIMARY KEY (note_id, tag))",
         "CREATE INDEX notes_at ON notes (at)"),
    ),
)


# -- URLs ---------------------------------------------------------------------------------------


def test_database_url_defaults_to_the_home_directory(tmp_path):
    url = database_url(Settings(home=tmp_path / "home"), environ={})
    assert url == "sqlite:///" + (tmp_path / "home" / "egov-sim.db").as_posix()


def test_database_url_environment_overrides_settings(tmp_path):
    env = {DATABASE_URL_ENV: "postgresql://sim@db.example/egov"}
    assert database_url(Settings(home=tmp_path), environ=env) == "postgresql://sim@db.example/egov"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "sqlite:///:memory:", "egov.db"])
def test_unsupported_urls_are_input_errors(url):
    with pytest.raises(InputError) as err:
        Database(url)
    assert err.value.code == "BAD_DATABASE_URL"


def test_password_is_redacted():
    assert redact_url("postgresql://sim:s3cret@db/egov") == "postgresql://sim:***@db/egov"
    assert redact_url("postgresql://db/egov?user=sim&password=s3cret&sslmode=require") == \
        "postgresql://db/egov?user=sim&password=***&sslmode=require"


# -- SQLite settings -----------------------------------------------------------------------------


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(tmp_path):
    path = tmp_path / "sub" / "x.db"
    with Database.open(sqlite_url(path)) as db:
        assert db.scalar("PRAGMA journal_mode") == "wal"
        assert db.scalar("PRAGMA synchronous") == 2  # FULL
        assert db.scalar("PRAGMA foreign_keys") == 1
        assert db.scalar("PRAGMA busy_timeout") == 10_000
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_sqlite_file_is_private(tmp_path):
    path = tmp_path / "x.db"
    Database.open(sqlite_url(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_foreign_keys_are_enforced(db):
    db.migrate(NOTES)
    with pytest.raises(IntegrityError):
        db.execute("INSERT INTO tags (note_id, tag) VALUES (?, ?)", (999, "x"))


# -- parameters and types ------------------------------------------------------------------------


def test_parameters_translate_for_psycopg_outside_literals():
    assert to_pyformat("SELECT ? , :name FROM t WHERE a LIKE '%?%' AND b = '::x'") == \
        "SELECT %s , %(name)s FROM t WHERE a LIKE '%%?%%' AND b = '::x'"
    assert to_pyformat('SELECT "a?b" -- what?\n, x::text /* :no */') == \
        'SELECT "a?b" -- what?\n, x::text /* :no */'


def test_positional_and_named_parameters_and_types_round_trip(db):
    db.migrate(NOTES)
    at = dt.datetime(2024, 2, 5, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    with db.transaction() as tx:
        first = tx.insert("INSERT INTO notes (body, flag, at, data) VALUES (?, ?, ?, ?)",
                          ("50% done", True, at, b"\x00\xff"))
        second = tx.insert("INSERT INTO notes (body, flag, at) VALUES (:body, :flag, :at)",
                           {"body": "second", "flag": False, "at": at})
    assert second > first
    row = db.query_one("SELECT body, flag, at, data FROM notes WHERE id = ?", (first,))
    assert row == {"body": "50% done", "flag": 1, "at": "2024-02-05T05:15:00.000000Z",
                   "data": b"\x00\xff"}
    assert from_db_time(row["at"]) == at
    assert db.scalar("SELECT COUNT(*) AS n FROM notes WHERE body LIKE '50%'") == 1
    assert db.query("SELECT id FROM notes WHERE body = ?", ("nothing",)) == []


def test_times_are_fixed_width_utc_text():
    a = dt.datetime(2024, 1, 1, 0, 0, 0, 5, tzinfo=dt.UTC)
    b = dt.datetime(2024, 1, 1, 5, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert to_db_time(a) == "2024-01-01T00:00:00.000005Z"
    assert to_db_time(a) < to_db_time(b)  # text order is time order
    with pytest.raises(ValueError):
        to_db_time(dt.datetime(2024, 1, 1))


# -- transactions --------------------------------------------------------------------------------


def test_transaction_rolls_back_on_error(db):
    db.migrate(NOTES)
    with pytest.raises(RuntimeError):
        with db.transaction() as tx:
            tx.execute("INSERT INTO notes (body) VALUES (?)", ("lost",))
            raise RuntimeError("boom")
    assert db.scalar("SELECT COUNT(*) AS n FROM notes") == 0


def test_nested_transaction_is_a_savepoint(db):
    db.migrate(NOTES)
    with db.transaction() as outer:
        outer.execute("INSERT INTO notes (body) VALUES (?)", ("kept",))
        with pytest.raises(IntegrityError):
            with db.transaction() as inner:
                inner.execute("INSERT INTO notes (body) VALUES (?)", ("undone",))
                inner.execute("INSERT INTO tags (note_id, tag) VALUES (?, ?)", (999, "x"))
        # a helper using the Database object joins the open transaction
        db.execute("INSERT INTO notes (body) VALUES (?)", ("joined",))
    assert [r["body"] for r in db.query("SELECT body FROM notes ORDER BY id")] == ["kept", "joined"]


def test_closed_database_refuses_work(db_url):
    db = Database.open(db_url)
    db.close()
    with pytest.raises(DatabaseError):
        db.query("SELECT 1 AS one")


def test_threads_share_one_database(db):
    db.migrate(NOTES)
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            for i in range(25):
                with db.transaction() as tx:
                    tx.execute("INSERT INTO notes (body) VALUES (?)", (f"{name}-{i}",))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.scalar("SELECT COUNT(*) AS n FROM notes") == 100


# -- migrations ----------------------------------------------------------------------------------


def test_migrations_apply_once_and_in_order(db_url):
    with Database.open(db_url, schemas=[NOTES]) as db:
        assert db.schema_version("notes") == 2
    with Database.open(db_url, schemas=[NOTES]) as db:  # reopening applies nothing
        assert db.migrate(NOTES) == []
        rows = db.query("SELECT component, version FROM schema_migrations ORDER BY version")
        assert rows == [{"component": "notes", "version": 1}, {"component": "notes", "version": 2}]


def test_migrations_append_new_steps(db_url):
    with Database.open(db_url, schemas=[NOTES]):
        pass
    grown = Schema("notes", NOTES.steps + ("ALTER TABLE notes ADD COLUMN extra TEXT",))
    with Database.open(db_url) as db:
        assert db.migrate(grown) == [3]
        db.execute("INSERT INTO notes (body, extra) VALUES (?, ?)", ("a", "b"))


def test_a_failing_step_leaves_nothing_behind(db_url):
    broken = Schema("broken", ("CREATE TABLE half (id {id})", "THIS IS NOT SQL"))
    with Database.open(db_url) as db:
        with pytest.raises(DatabaseError):
            db.migrate(broken)
        assert db.schema_version("broken") == 0
        db.migrate(Schema("broken", ("CREATE TABLE half (id {id})",)))  # step 1 was rolled back


def test_a_newer_database_is_refused(db_url):
    with Database.open(db_url, schemas=[NOTES]):
        pass
    with pytest.raises(DatabaseError, match="upgrade egov-sim"):
        Database.open(db_url, schemas=[Schema("notes", NOTES.steps[:1])])


def test_processes_opening_at_once_migrate_once(db_url, run_worker):
    workers = [run_worker("migrate", db_url) for _ in range(4)]
    for w in workers:
        assert w.stdout.readline().strip() == "ready"
    for w in workers:
        w.stdin.write("go\n")
        w.stdin.flush()
    results = [w.communicate(timeout=60) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], results
    with Database.open(db_url) as db:
        assert db.query("SELECT note FROM worker_test ORDER BY id") == [
            {"note": "applied once"}, {"note": "from a function"}]
        versions = db.query("SELECT component, version FROM schema_migrations ORDER BY component, version")
        from egov_sim.gateway.journal import JOURNAL_SCHEMA

        journal = [{"component": "shep_journal", "version": v} for v in range(1, len(JOURNAL_SCHEMA.steps) + 1)]
        assert versions == [*journal,
                            {"component": "worker_test", "version": 1},
                            {"component": "worker_test", "version": 2},
                            {"component": "worker_test", "version": 3}]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # 3.12+: other threads alive
def test_a_forked_child_uses_its_own_connections(tmp_path):
    db = Database.open(sqlite_url(tmp_path / "f.db"), schemas=[NOTES])
    db.execute("INSERT INTO notes (body) VALUES (?)", ("parent",))  # leaves a pooled connection
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            db.execute("INSERT INTO notes (body) VALUES (?)", ("child",))
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert db.scalar("SELECT COUNT(*) AS n FROM notes") == 2
    db.close()


# -- bulk inserts ---------------------------------------------------------------------------------


def test_insert_many_returns_the_ids_in_order(db):
    db.migrate(NOTES)
    with db.transaction() as tx:
        first = tx.insert("INSERT INTO notes (body) VALUES (?)", ("before",))
        ids = tx.insert_many("INSERT INTO notes (body, flag) VALUES (:body, :flag)",
                             [{"body": f"n{i}", "flag": True} for i in range(5)])
    assert ids == list(range(first + 1, first + 6))
    assert [db.scalar("SELECT body FROM notes WHERE id = ?", (i,)) for i in ids] == [
        f"n{i}" for i in range(5)]
    assert db.scalar("SELECT flag FROM notes WHERE id = ?", (ids[0],)) == 1


def test_insert_many_is_all_or_nothing(db):
    db.migrate(NOTES)
    with pytest.raises(IntegrityError):
        with db.transaction() as tx:
            tx.insert_many("INSERT INTO notes (body) VALUES (?)", [("ok",), (None,)])
    assert db.scalar("SELECT COUNT(*) FROM notes") == 0


def test_insert_many_needs_a_transaction(db):
    db.migrate(NOTES)
    with pytest.raises(RuntimeError):
        db.insert_many("INSERT INTO notes (body) VALUES (?)", [("x",)])


def test_insert_batch_commits_the_rows_and_returns_their_ids_in_order(db):
    db.migrate(NOTES)
    first = db.insert("INSERT INTO notes (body) VALUES (?)", ("before",))
    ids = db.insert_batch("notes", ("body", "flag"), [(f"n{i}", i % 2 == 0) for i in range(7)])
    assert ids == list(range(first + 1, first + 8))
    assert [db.scalar("SELECT body FROM notes WHERE id = ?", (i,)) for i in ids] == [f"n{i}" for i in range(7)]
    assert db.scalar("SELECT flag FROM notes WHERE id = ?", (ids[0],)) == 1  # bool → 0/1


def test_insert_batch_is_all_or_nothing(db):
    db.migrate(NOTES)
    with pytest.raises(IntegrityError):
        db.insert_batch("notes", ("body",), [("ok",), (None,), ("also ok",)])
    assert db.scalar("SELECT COUNT(*) FROM notes") == 0
    assert db.insert_batch("notes", ("body",), [("after",)])  # the writer connection still works


def test_insert_batch_inside_a_transaction_joins_it(db):
    db.migrate(NOTES)
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.insert_batch("notes", ("body",), [("a",), ("b",)])
            raise RuntimeError("roll back")
    assert db.scalar("SELECT COUNT(*) FROM notes") == 0


def test_insert_batch_over_one_statements_parameters_is_still_one_transaction(tmp_path):
    """More rows than one SQLite statement may bind go in several statements of one transaction."""
    db = Database.open(sqlite_url(tmp_path / "big.db"), schemas=[NOTES])
    with db:
        conn, limit = db._writer_connection()
        rows = [(f"n{i}", 0) for i in range(limit // 2 + 10)]
        ids = db.insert_batch("notes", ("body", "flag"), rows)
        assert ids == list(range(1, len(rows) + 1))
        with pytest.raises(IntegrityError):
            db.insert_batch("notes", ("body", "flag"), [*rows, (None, 0)])
        assert db.scalar("SELECT COUNT(*) FROM notes") == len(rows)


def test_exclusive_runs_one_holder_at_a_time(db_url):
    """Database.exclusive: the second holder (another connection, as another host would be)
    waits until the first leaves; on PostgreSQL through an advisory lock, on SQLite a file lock."""
    events: list[str] = []
    inside = threading.Event()

    def hold(db: Database, who: str, stay: float) -> None:
        with db.exclusive("egov-sim start-up"):
            events.append(f"{who} in")
            inside.set()
            time.sleep(stay)
            events.append(f"{who} out")

    with Database.open(db_url) as first, Database.open(db_url) as second:
        t1 = threading.Thread(target=hold, args=(first, "a", 0.4))
        t1.start()
        assert inside.wait(10)
        t2 = threading.Thread(target=hold, args=(second, "b", 0.0))
        t2.start()
        t1.join(10)
        t2.join(10)
    assert events == ["a in", "a out", "b in", "b out"]


def test_the_pool_keeps_as_many_connections_as_were_in_use_at_once():
    """Forty threads reading at once must not close and reopen connections on every request
    (opening one parses the whole schema): the pool keeps what the peak used, within a bound."""
    from egov_sim.core.database import _Pool

    opened: list[object] = []

    def connect():
        opened.append(object())
        return opened[-1]

    pool = _Pool(connect, lambda conn: True, max_idle=2, max_keep=6)
    held = [pool.get() for _ in range(5)]
    for conn in held:
        pool.put(conn)
    assert len(opened) == 5
    again = [pool.get() for _ in range(5)]  # the same five, none opened
    assert len(opened) == 5 and set(map(id, again)) == set(map(id, held))
    for conn in again:
        pool.put(conn)
    many = [pool.get() for _ in range(9)]  # beyond the bound: the extra ones are closed on return
    for conn in many:
        pool.put(conn)
    assert len(opened) == 9
    kept = [pool.get() for _ in range(6)]
    assert len(opened) == 9  # six were kept
    pool.get()
    assert len(opened) == 10 and len(set(map(id, kept))) == 6  # the seventh is new


def test_a_pool_under_concurrent_readers_stops_opening_connections(tmp_path):
    db = Database.open(sqlite_url(tmp_path / "pool.db"))
    try:
        opened = 0
        connect = db._pool._connect

        def counting():
            nonlocal opened
            opened += 1
            return connect()

        db._pool._connect = counting
        barrier = threading.Barrier(12)

        def reader():
            with db._connection() as conn:  # held until every reader has one
                barrier.wait(timeout=10)
                conn.execute("SELECT 1").fetchall()

        for _ in range(3):
            threads = [threading.Thread(target=reader) for _ in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert opened == 12  # the first round opened them; the next two reused them
    finally:
        db.close()
