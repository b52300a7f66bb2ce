"""The data layer: one :class:`Database` opened from a URL, SQLite by default, PostgreSQL optional.

Why it looks like this:

* **SQLite (WAL) is the embedded default** so ``egov-sim serve`` needs nothing installed. WAL lets
  readers run while one writer commits, and several uvicorn worker processes share the file.
* **PostgreSQL replaces it by URL** (``postgresql://…``, psycopg 3, the ``postgres`` extra) when
  stateless workers run on many hosts. Services above this module never see which one is in use:
  they write SQL once, with ``?`` or ``:name`` parameters, by the portability rules below.
* **Durability**: the ШЭП journal and every request a user submits must survive a crash, so
  SQLite runs with ``synchronous=FULL``; a URL ending ``?synchronous=normal`` trades power-loss
  durability for speed (a process crash still loses nothing).
* **Writers serialise instead of failing**: :meth:`Database.transaction` starts with
  ``BEGIN IMMEDIATE`` on SQLite, which takes the write lock up front and waits for it (busy
  timeout) rather than failing later with "database is locked" when a read would be upgraded.
* **Migrations per component**: each component registers its ordered DDL steps as a
  :class:`Schema`; :meth:`Database.migrate` applies the missing ones under the write lock (SQLite)
  or an advisory lock (PostgreSQL), so several worker processes may start at once.

Portability rules for SQL written against this module (SQLite 3.31+ and PostgreSQL 12+):

1. Parameters: ``?`` (positional) or ``:name`` (named), never both in one statement; no ``%s``.
   A literal ``%`` is fine (it is escaped for psycopg).
2. Identifiers: lowercase ``snake_case``, unquoted (PostgreSQL folds unquoted names to lowercase).
3. Types: ``TEXT``, ``INTEGER``/``BIGINT``, ``DOUBLE PRECISION``, and the DDL markers
   ``{id}`` (an auto-increment primary key that never reuses ids) and ``{blob}`` (bytes).
4. Timestamps are ``TEXT`` in ISO-8601 UTC with a fixed width (:func:`to_db_time`), so string
   order is time order on both engines. Booleans are ``INTEGER`` 0/1 (Python ``bool`` parameters
   are converted). JSON is ``TEXT``.
5. New ids: :meth:`Transaction.insert` (``lastrowid`` on SQLite, ``RETURNING`` on PostgreSQL).
6. Functions that differ between engines go through :class:`Dialect` (e.g.
   :meth:`Dialect.contains_bytes`); ``CREATE … IF NOT EXISTS``, ``LIMIT ? OFFSET ?``,
   ``COUNT(*)``, ``SAVEPOINT`` are common to both. Aggregates other than ``COUNT`` may come back
   as ``Decimal`` from PostgreSQL: cast or convert in Python.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence, Union

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError

if TYPE_CHECKING:
    from egov_sim.core.settings import Settings

DATABASE_URL_ENV = "EGOV_SIM_DATABASE_URL"
DEFAULT_BUSY_TIMEOUT = 10.0
"""Seconds a writer waits for the SQLite write lock (or a PostgreSQL connection) before failing."""

SQLITE_PRAGMAS = (
    # WAL is set once per file in _prepare_sqlite (it is persistent); these are per connection.
    "PRAGMA foreign_keys=ON",
)

_MIGRATIONS_LOCK_KEY = 0x65676F76_73696D31  # "egovsim1": pg_advisory_xact_lock key for migrations


class DatabaseError(Exception):
    """The database failed (unreachable, locked past the busy timeout, disk full, bad SQL)."""


class IntegrityError(DatabaseError):
    """A constraint was violated (unique key, foreign key, NOT NULL)."""


# ---------------------------------------------------------------------------------------------
# Time as portable TEXT


def to_db_time(value: dt.datetime) -> str:
    """An aware datetime as fixed-width ISO-8601 UTC text, so ``ORDER BY``/``<`` are time order.

    ``isoformat`` of the UTC time, not ``strftime``: the same text (four-digit year,
    microseconds always written) in a fifth of the time, and every journal row writes four."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("database timestamps need an aware datetime")
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db_time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------------------------
# Dialects


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines, in one place."""

    name: str
    id_column: str
    blob_type: str
    begin_write: str

    def ddl(self, statement: str) -> str:
        return statement.replace("{id}", self.id_column).replace("{blob}", self.blob_type)

    def contains_bytes(self, column: str, placeholder: str = "?") -> str:
        """SQL that is true when a bytes column contains the bytes parameter (case-sensitive)."""
        if self.name == "sqlite":
            return f"instr({column}, {placeholder}) > 0"
        return f"position({placeholder} in {column}) > 0"


SQLITE = Dialect(
    name="sqlite",
    id_column="INTEGER PRIMARY KEY AUTOINCREMENT",
    blob_type="BLOB",
    begin_write="BEGIN IMMEDIATE",
)
POSTGRESQL = Dialect(
    name="postgresql",
    id_column="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    blob_type="BYTEA",
    begin_write="BEGIN",
)


_PARAM_TOKENS = re.compile(
    r"""('(?:[^']|'')*')          # string literal
      | ("(?:[^"]|"")*")          # quoted identifier
      | (--[^\n]*)                # line comment
      | (/\*.*?\*/)               # block comment
      | (::)                      # PostgreSQL cast: left alone
      | (\?)                      # positional parameter
      | :([A-Za-z_][A-Za-z0-9_]*) # named parameter
      | (%)                       # literal percent
    """,
    re.VERBOSE | re.DOTALL,
)


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """Translate ``?``/``:name`` SQL to psycopg's ``%s``/``%(name)s`` and escape literal ``%``.

    ``?`` and ``:name`` inside string literals, quoted identifiers and comments are left alone.
    """

    def repl(m: re.Match[str]) -> str:
        if m.group(6):
            return "%s"
        if m.group(7):
            return f"%({m.group(7)})s"
        if m.group(5):
            return m.group(0)
        # psycopg reads every "%" as a placeholder, even inside literals and comments
        return m.group(0).replace("%", "%%")

    return _PARAM_TOKENS.sub(repl, sql)


Params = Union[Sequence[Any], Mapping[str, Any]]


def _adapt_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return to_db_time(value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


_PLAIN_TYPES = frozenset({str, int, float, bytes, type(None)})
"""Parameter types both drivers take as they are (``bool`` is not one: it becomes 0/1)."""


def _adapt_params(params: Params | None) -> Params:
    if params is None:
        return ()
    plain = _PLAIN_TYPES
    if isinstance(params, Mapping):
        return {k: v if type(v) in plain else _adapt_value(v) for k, v in params.items()}
    return tuple(v if type(v) in plain else _adapt_value(v) for v in params)


# ---------------------------------------------------------------------------------------------
# Migrations

Step = Union[str, Sequence[str], Callable[["Transaction"], None]]


@dataclass(frozen=True)
class Schema:
    """A component's ordered schema steps; step *n* (1-based) is applied once, as version *n*.

    A step is one SQL statement, a sequence of statements, or a function of a
    :class:`Transaction` (for data migrations). Never edit or reorder published steps: append.
    """

    component: str
    steps: tuple[Step, ...]


_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " applied_at TEXT NOT NULL,"
    " PRIMARY KEY (component, version))"
)


# ---------------------------------------------------------------------------------------------
# URLs


@dataclass(frozen=True)
class _Target:
    dialect: Dialect
    location: str  # a file path for SQLite, the conninfo URL for PostgreSQL
    synchronous: str = "FULL"


def _parse_url(url: str) -> _Target:
    if url.startswith("sqlite:///"):
        path, _, query = url[len("sqlite:///"):].partition("?")
        options = dict(p.partition("=")[::2] for p in query.split("&") if p)
        synchronous = options.pop("synchronous", "full").upper()
        if options or synchronous not in ("FULL", "NORMAL"):
            raise InputError(f"database URL {url!r}: the only option is synchronous=full|normal",
                             code="BAD_DATABASE_URL")
        if not path or path == ":memory:" or path.startswith("file:"):
            raise InputError(
                f"database URL {url!r}: give a file (sqlite:///relative.db or sqlite:////abs/path.db);"
                " an in-memory database cannot be shared by worker processes",
                code="BAD_DATABASE_URL")
        return _Target(SQLITE, path, synchronous)
    if url.startswith(("postgresql://", "postgres://")):
        return _Target(POSTGRESQL, url)
    raise InputError(
        f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB",
        code="BAD_DATABASE_URL")


def sqlite_url(path: Path) -> str:
    return "sqlite:///" + Path(path).absolute().as_posix()


def database_url(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """The database of one simulator: ``$EGOV_SIM_DATABASE_URL`` if set, else HOME/egov-sim.db."""
    env = os.environ if environ is None else environ
    url = env.get(DATABASE_URL_ENV, "").strip()
    return url or sqlite_url(settings.home / "egov-sim.db")


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    url = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", url)


def open_failure(url: str, exc: BaseException) -> str:
    """One line for a database that cannot be opened or written at start: where it is and why.

    SQLite says ``database or disk is full`` or ``unable to open database file``; the file
    system says which: read-only (``ST_RDONLY``) or out of space (no block free)."""
    if not url.startswith("sqlite:///"):  # a driver's message may run over lines: one line
        return f"the database {redact_url(url)} cannot be opened or written: {' '.join(str(exc).split())}"
    path = Path(_parse_url(url).location)
    detail = str(exc).removeprefix(f"{path}: ").removeprefix(f"{url}: ")
    cause = _file_system_cause(path)
    return (f"the database {path} cannot be opened or written: "
            + (f"{cause} ({detail})" if cause and cause not in detail else detail))


def _file_system_cause(path: Path) -> str | None:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        fs = os.statvfs(folder)
    except OSError:
        return None
    if fs.f_flag & os.ST_RDONLY:
        return f"the file system of {folder} is read-only"
    if fs.f_bavail == 0 or fs.f_favail == 0:
        return f"no space left on the device of {folder}"
    return None


# ---------------------------------------------------------------------------------------------
# Connections


class _Pool:
    """A LIFO pool of connections of one process; a forked child starts an empty one.

    It keeps as many idle connections as were ever in use at once (at least ``max_idle``, at most
    ``max_keep``): the threads of a server's thread pool (anyio runs up to 40) all read at once
    under load, and a pool smaller than that closed and reopened connections on every request;
    opening one parses the whole schema (~0.6 ms, twenty index lookups). A PostgreSQL server
    sees no more connections than at the peak of the load that opened them.

    Connections inherited through fork are abandoned, never closed: closing a psycopg connection
    in the child would terminate the parent's session on the shared socket.
    """

    _abandoned: list[Any] = []  # keeps inherited connections alive in a forked child

    def __init__(self, connect: Callable[[], Any], is_usable: Callable[[Any], bool], max_idle: int,
                 max_keep: int = 64):
        self._connect = connect
        self._is_usable = is_usable
        self._max_idle = max_idle
        self._max_keep = max(max_idle, max_keep)
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        self._in_use = 0
        self._keep = max_idle
        """Idle connections kept: the most that were in use at once, within the bounds."""
        self._pid = os.getpid()
        self.closed = False

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            # The lock may have been held by another thread at fork time: take a new one.
            self._lock = threading.Lock()
            _Pool._abandoned.extend(self._idle)
            self._idle = []
            self._in_use = 0
            self._keep = self._max_idle
            self._pid = os.getpid()

    def get(self) -> Any:
        if self.closed:
            raise DatabaseError("the database is closed")
        self._check_fork()
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
                if conn is None:
                    self._in_use += 1
                    if self._in_use > self._keep:
                        self._keep = min(self._in_use, self._max_keep)
            if conn is None:
                try:
                    return self._connect()
                except BaseException:
                    with self._lock:
                        self._in_use -= 1
                    raise
            if self._is_usable(conn):
                with self._lock:
                    self._in_use += 1
                return conn
            _close_quietly(conn)

    def put(self, conn: Any) -> None:
        if os.getpid() != self._pid:
            _Pool._abandoned.append(conn)
            return
        with self._lock:
            self._in_use -= 1
            if not self.closed and len(self._idle) < self._keep and self._is_usable(conn):
                self._idle.append(conn)
                return
        _close_quietly(conn)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            idle, self._idle = self._idle, []
        if self._pid == os.getpid():
            for conn in idle:
                _close_quietly(conn)


def _sqlite_usable(conn: sqlite3.Connection) -> bool:
    try:
        return not conn.in_transaction  # raises on a closed connection
    except sqlite3.Error:
        return False


def _postgres_usable(conn: Any) -> bool:
    from psycopg.pq import TransactionStatus

    return not (conn.closed or conn.broken) and conn.info.transaction_status == TransactionStatus.IDLE


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        pass


class _TxState:
    def __init__(self, conn: Any):
        self.conn = conn
        self.depth = 0
        self.pid = os.getpid()


# ---------------------------------------------------------------------------------------------
# Executing statements


class _Executor:
    """Statement helpers shared by :class:`Database` (autocommit) and :class:`Transaction`."""

    _db: Database

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        raise NotImplementedError

    def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement; return the number of rows it changed."""
        with self._connection() as conn:
            cur = self._db._run(conn, sql, params)
            return cur.rowcount

    def query(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        with self._connection() as conn:
            cur = self._db._run(conn, sql, params)
            return self._db._fetchall(cur)

    def query_one(self, sql: str, params: Params | None = None) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else next(iter(row.values()))

    def insert(self, sql: str, params: Params | None = None, *, id_column: str = "id") -> int:
        """Run one ``INSERT`` into a table with an ``{id}`` column; return the new id."""
        with self._connection() as conn:
            if self._db.dialect is SQLITE:
                return int(self._db._run(conn, sql, params).lastrowid)
            cur = self._db._run(conn, f"{sql} RETURNING {id_column}", params)
            return int(self._db._fetchall(cur)[0][id_column])

    def insert_many(self, sql: str, rows: Sequence[Params], *, id_column: str = "id") -> list[int]:
        """Run one ``INSERT`` for each row in one round trip; return the new ids in order.

        Must run inside :meth:`Database.transaction`: on SQLite the ids are then consecutive
        (the write lock is held), so the last id gives them all.
        """
        if not rows:
            return []
        if not isinstance(self, Transaction):
            raise RuntimeError("insert_many needs a transaction")
        conn = self._state.conn
        adapted = [_adapt_params(r) for r in rows]
        try:
            if self._db.dialect is SQLITE:
                conn.executemany(sql, adapted)
                last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
                return list(range(last - len(rows) + 1, last + 1))
            with conn.cursor() as cur:
                cur.executemany(f"{to_pyformat(sql)} RETURNING {id_column}", adapted, returning=True)
                ids = []
                while True:
                    ids.append(int(cur.fetchone()[id_column]))
                    if not cur.nextset():
                        return ids
        except self._db._integrity_error as exc:
            raise IntegrityError(str(exc).strip()) from exc
        except self._db._driver_error as exc:
            raise DatabaseError(str(exc).strip() or type(exc).__name__) from exc


class Transaction(_Executor):
    """The statements of one :meth:`Database.transaction` block (same connection, one commit)."""

    def __init__(self, db: Database, state: _TxState):
        self._db = db
        self._state = state

    @property
    def dialect(self) -> Dialect:
        return self._db.dialect

    def serialize(self, name: str) -> None:
        """Make transactions that name the same ``name`` run one after another (a counter that is
        read, then written, by workers on several hosts). SQLite's ``BEGIN IMMEDIATE`` already
        serialises every writer; on PostgreSQL this takes a transaction-scoped advisory lock."""
        if self._db.dialect is POSTGRESQL:
            self.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (name,))

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        yield self._state.conn


class Database(_Executor):
    """A database opened from a URL; safe to share between threads of one process.

    Outside :meth:`transaction` every statement commits on its own (autocommit). Inside it, the
    helpers of this object and of the yielded :class:`Transaction` run on the transaction's
    connection, so code called from within a transaction joins it.
    """

    def __init__(self, url: str, *, clock: Clock = system_clock,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT, max_idle: int = 8):
        target = _parse_url(url)
        self._db = self
        self.url = url
        self.dialect = target.dialect
        self._location = target.location
        self._synchronous = target.synchronous
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._writer_conns: list[tuple[int, sqlite3.Connection]] = []
        self._writer_conns_lock = threading.Lock()
        if self.dialect is SQLITE:
            self._driver_error: tuple[type[BaseException], ...] = (sqlite3.Error,)
            self._integrity_error: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
            self._prepare_sqlite()
            self._pool = _Pool(self._connect_sqlite, _sqlite_usable, max_idle)
        else:
            psycopg = _import_psycopg()
            self._driver_error = (psycopg.Error,)
            self._integrity_error = (psycopg.IntegrityError,)
            self._pool = _Pool(self._connect_postgres, _postgres_usable, max_idle)

    @classmethod
    def open(cls, url: str, *, schemas: Sequence[Schema] = (), clock: Clock = system_clock,
             busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Database:
        """Open the database at ``url`` and bring the given components' schemas up to date."""
        db = cls(url, clock=clock, busy_timeout=busy_timeout)
        try:
            for schema in schemas:
                db.migrate(schema)
        except BaseException:
            db.close()
            raise
        return db

    def __repr__(self) -> str:
        return f"Database({redact_url(self.url)!r})"

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close idle connections; connections in use close when their statement ends."""
        self._pool.close()
        with self._writer_conns_lock:
            writers, self._writer_conns = self._writer_conns, []
        for pid, conn in writers:
            if pid == os.getpid():  # never one inherited through fork
                _close_quietly(conn)

    @property
    def closed(self) -> bool:
        return self._pool.closed

    # -- connections ---------------------------------------------------------------------------

    def _prepare_sqlite(self) -> None:
        path = Path(self._location)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The journal holds personal data (IINs): the file (and so its -wal/-shm) is private.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as exc:
            raise DatabaseError(f"cannot create the database file {path}: {exc.strerror}") from exc
        conn = self._connect_sqlite()
        try:
            # Switching to WAL needs an exclusive lock; processes opening a new file at the same
            # time can see SQLITE_BUSY here even with a busy timeout, so retry until it holds.
            deadline = time.monotonic() + self._busy_timeout
            while True:
                try:
                    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise DatabaseError(f"{path}: {exc}") from exc
                    if time.monotonic() > deadline:
                        raise DatabaseError(f"{path}: {exc}") from exc
                    time.sleep(0.01)
            if str(mode).lower() != "wal":
                raise DatabaseError(f"{path}: SQLite refused WAL mode (got {mode!r});"
                                    " is the file on a network filesystem?")
        finally:
            conn.close()

    def _connect_sqlite(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self._location, isolation_level=None, check_same_thread=False,
                                   timeout=self._busy_timeout)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout * 1000)}")
            # FULL by default, not NORMAL: in WAL mode NORMAL skips the fsync of the WAL at
            # commit, so a committed transaction survives a process crash but may be lost on
            # power failure or an OS crash. The ШЭП journal is written before the response
            # leaves, so a response a client received must never lack its journal row. Load
            # tests that accept that risk can ask for ``?synchronous=normal`` in the URL.
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            for pragma in SQLITE_PRAGMAS:
                conn.execute(pragma)
        except sqlite3.Error as exc:
            raise DatabaseError(f"{self._location}: {exc}") from exc
        return conn

    def _connect_postgres(self) -> Any:
        psycopg = _import_psycopg()
        from psycopg.rows import dict_row

        try:
            return psycopg.connect(self._location, autocommit=True, row_factory=dict_row,
                                   connect_timeout=max(1, int(self._busy_timeout)))
        except psycopg.Error as exc:
            raise DatabaseError(f"{redact_url(self.url)}: {exc}".strip()) from exc

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for tools that must open it themselves (bulk loads); None on PostgreSQL."""
        return Path(self._location) if self.dialect is SQLITE else None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run a block in one process at a time among every process of every host that opens this
        database: a first start's seeding (staff accounts, personas, households) reads, then
        writes, in many transactions, and two hosts starting at the same moment would otherwise
        both seed. PostgreSQL: a session advisory lock on a connection of its own (released by
        closing it, also when the process dies); SQLite: an exclusive ``flock`` on a file beside
        the database (released by the kernel when the process dies)."""
        if self.dialect is POSTGRESQL:
            conn = self._connect_postgres()
            try:
                conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (name,))
                yield
            finally:
                _close_quietly(conn)
            return
        path = self.sidecar_path("lock-" + re.sub(r"[^a-z0-9]+", "-", name.lower()))
        if path is None or self._location == ":memory:":
            yield
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DatabaseError(f"{path}: cannot open the lock file: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def sidecar_path(self, name: str) -> Path | None:
        """A small file beside an SQLite database (change markers, locks); None on PostgreSQL."""
        if self.dialect is not SQLITE:
            return None
        return Path(f"{self._location}-{name}")

    def _writer_lock(self) -> int | None:
        """Queue this process's writers behind a kernel lock before SQLite's own.

        SQLite's busy handler retries a locked database by sleeping with back-off (up to 100 ms
        a try), which under steady writes from several worker processes starves one of them and
        stretches p99 to hundreds of ms. A blocking ``flock`` hands the lock over in FIFO-ish
        order with no sleeps; SQLite's lock still guarantees correctness. PostgreSQL needs none.
        """
        if self.dialect is not SQLITE:
            return None
        fd = getattr(self._local, "writer_fd", None)
        if fd is None or getattr(self._local, "writer_pid", None) != os.getpid():
            fd = os.open(f"{self._location}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
            self._local.writer_fd, self._local.writer_pid = fd, os.getpid()
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def _current_tx(self) -> _TxState | None:
        state = getattr(self._local, "tx", None)
        if state is not None and state.pid != os.getpid():
            self._local.tx = None  # inherited through fork: not ours
            return None
        return state

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        state = self._current_tx()
        if state is not None:
            yield state.conn
            return
        conn = self._pool.get()
        try:
            yield conn
        finally:
            self._pool.put(conn)

    # -- statements ----------------------------------------------------------------------------

    def _run(self, conn: Any, sql: str, params: Params | None) -> Any:
        args = _adapt_params(params)
        try:
            if self.dialect is SQLITE:
                return conn.execute(sql, args)
            return conn.execute(to_pyformat(sql), args)
        except self._integrity_error as exc:
            raise IntegrityError(str(exc).strip()) from exc
        except self._driver_error as exc:
            raise DatabaseError(str(exc).strip() or type(exc).__name__) from exc

    def _fetchall(self, cur: Any) -> list[dict[str, Any]]:
        try:
            if cur.description is None:
                return []
            if self.dialect is SQLITE:
                return [dict(row) for row in cur.fetchall()]
            return list(cur.fetchall())
        except self._driver_error as exc:
            raise DatabaseError(str(exc).strip()) from exc

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One atomic unit of work; commits (durably) on exit, rolls back on an exception.

        SQLite starts it with ``BEGIN IMMEDIATE``: the write lock is taken first, so concurrent
        writers (threads or processes) queue for up to the busy timeout instead of failing.
        Nested blocks become savepoints: an inner failure undoes only the inner block.
        """
        state = self._current_tx()
        if state is not None:
            state.depth += 1
            name = f"sp_{state.depth}"
            self._run(state.conn, f"SAVEPOINT {name}", None)
            try:
                yield Transaction(self, state)
            except BaseException:
                self._run(state.conn, f"ROLLBACK TO SAVEPOINT {name}", None)
                self._run(state.conn, f"RELEASE SAVEPOINT {name}", None)
                raise
            else:
                self._run(state.conn, f"RELEASE SAVEPOINT {name}", None)
            finally:
                state.depth -= 1
            return

        conn = self._pool.get()
        writer = self._writer_lock()
        try:
            self._run(conn, self.dialect.begin_write, None)
            state = _TxState(conn)
            self._local.tx = state
            try:
                yield Transaction(self, state)
            except BaseException:
                self._rollback(conn)
                raise
            try:
                self._run(conn, "COMMIT", None)
            except DatabaseError:
                self._rollback(conn)
                raise
        finally:
            self._local.tx = None
            if writer is not None:
                fcntl.flock(writer, fcntl.LOCK_UN)
            self._pool.put(conn)

    def insert_batch(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                     id_column: str = "id") -> list[int]:
        """Insert ``rows`` (values in ``columns`` order) atomically and durably; the new ids in order.

        Why not a transaction of ``insert_many``: on SQLite this is *one* multi-row ``INSERT``
        committed on its own, so the calling thread enters SQLite (and gives up the GIL) once
        per batch instead of once per row plus BEGIN and COMMIT. Each of those re-entries waits
        for the GIL; with the event loop busy on another thread, a batch of 16 rows took tens of
        milliseconds to commit, and every answer waiting for its journal row waited with it.
        A single statement in autocommit is one transaction (all rows or none, fsynced with
        ``synchronous=FULL``) and its ids are consecutive. Inside a :meth:`transaction` the rows
        join it; on PostgreSQL this is ``insert_many`` in a transaction (one round trip).
        """
        if not rows:
            return []
        if self.dialect is not SQLITE or self._current_tx() is not None:
            sql = (f"INSERT INTO {table} ({', '.join(columns)})"
                   f" VALUES ({', '.join('?' for _ in columns)})")
            with self.transaction() as tx:
                return tx.insert_many(sql, rows, id_column=id_column)
        conn, max_variables = self._writer_connection()
        per_statement = max(1, max_variables // len(columns))
        if len(rows) > per_statement:  # more than one statement holds: one transaction of several
            ids: list[int] = []
            with self.transaction():
                for start in range(0, len(rows), per_statement):
                    ids += self.insert_batch(table, columns, rows[start:start + per_statement],
                                             id_column=id_column)
            return ids
        group = "(" + ", ".join("?" * len(columns)) + ")"
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([group] * len(rows))
        params = [v if type(v) in _PLAIN_TYPES else _adapt_value(v) for row in rows for v in row]
        writer = self._writer_lock()
        try:
            last = conn.execute(sql, params).lastrowid
            assert last is not None  # an INSERT that inserted sets it
        except self._integrity_error as exc:
            raise IntegrityError(str(exc).strip()) from exc
        except self._driver_error as exc:
            _close_quietly(conn)
            self._local.writer_conn = None
            raise DatabaseError(str(exc).strip() or type(exc).__name__) from exc
        finally:
            if writer is not None:
                fcntl.flock(writer, fcntl.LOCK_UN)
        return list(range(last - len(rows) + 1, last + 1))

    def _writer_connection(self) -> tuple[sqlite3.Connection, int]:
        """The calling thread's own SQLite connection for :meth:`insert_batch` (a journal
        writer thread keeps one, with its page cache and prepared statements), and the most
        parameters one statement may have on it."""
        if self.closed:
            raise DatabaseError("the database is closed")
        conn = getattr(self._local, "writer_conn", None)
        if conn is None or getattr(self._local, "writer_conn_pid", None) != os.getpid():
            conn = self._connect_sqlite()
            self._local.writer_conn, self._local.writer_conn_pid = conn, os.getpid()
            self._local.max_variables = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            with self._writer_conns_lock:
                self._writer_conns.append((os.getpid(), conn))
        return conn, self._local.max_variables

    def _rollback(self, conn: Any) -> None:
        try:
            conn.execute("ROLLBACK")
        except Exception:
            pass  # a broken connection has nothing to roll back; the pool will not reuse it

    # -- migrations ----------------------------------------------------------------------------

    def migrate(self, schema: Schema) -> list[int]:
        """Apply the steps of ``schema`` this database lacks; return the versions applied now.

        Idempotent, and safe when several processes run it at once: the check and the steps run
        in one write transaction (SQLite's write lock; a PostgreSQL advisory lock), so the second
        process waits, then finds every step recorded and applies nothing.
        """
        if not re.fullmatch(r"[a-z][a-z0-9_.-]*", schema.component):
            raise ValueError(f"bad component name {schema.component!r}")
        applied_now: list[int] = []
        with self._migrations_transaction() as tx:
            done = {int(r["version"]) for r in tx.query(
                "SELECT version FROM schema_migrations WHERE component = ?", (schema.component,))}
            if done and max(done) > len(schema.steps):
                raise DatabaseError(
                    f"the database has schema version {max(done)} of {schema.component!r}, newer"
                    f" than this egov-sim knows ({len(schema.steps)}): upgrade egov-sim")
            for version, step in enumerate(schema.steps, start=1):
                if version in done:
                    continue
                if callable(step):
                    step(tx)
                else:
                    for statement in ([step] if isinstance(step, str) else step):
                        tx.execute(self.dialect.ddl(statement))
                tx.execute(
                    "INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)",
                    (schema.component, version, self._clock()))
                applied_now.append(version)
        return applied_now

    def schema_version(self, component: str) -> int:
        """The highest applied version of ``component`` (0 when none)."""
        with self._migrations_transaction() as tx:
            v = tx.scalar("SELECT MAX(version) AS v FROM schema_migrations WHERE component = ?",
                          (component,))
        return int(v or 0)

    @contextmanager
    def _migrations_transaction(self) -> Iterator[Transaction]:
        with self.transaction() as tx:
            if self.dialect is POSTGRESQL:
                # DDL races (two CREATE TABLE IF NOT EXISTS) fail on PostgreSQL: serialise them.
                tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATIONS_LOCK_KEY,))
            tx.execute(_MIGRATIONS_DDL)
            yield tx


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise InputError(
            "a postgresql:// database needs psycopg 3: pip install 'egov-sim[postgres]'",
            code="POSTGRES_DRIVER_MISSING") from None
    return psycopg
