"""One holder at a time for a piece of work, across threads, worker processes and hosts.

Every "accept" of the simulator must be idempotent under concurrency: eight concurrent
re-submits of one signed document run its checks and send it once, a double-clicked form
creates one application. A claim is a row of ``work_claims`` keyed by ``(scope, key)``; the
primary key makes taking it atomic on SQLite and PostgreSQL alike, so it holds for any number
of workers sharing the database.

- :meth:`Claims.hold` — exclusive work on state that records its own progress (a request's
  status): the holder does the work; whoever comes meanwhile waits until it is released and
  then reads the state instead of redoing the work.
- :meth:`Claims.once` — work whose result is kept under an idempotency key: the first caller
  runs it and its result is stored (24 hours); a repeat with the same key and the same request
  gets that result back; the same key with another request is :class:`IdempotencyConflict`.

A holder that dies (a crash, ``kill -9``) must not block the work for ever: a claim carries a
lease (wall-clock seconds; leases are operational, not the simulation's time) and the holder's
host and process id. A claim whose lease ran out, or whose holder process on this host is
gone, is taken over (atomically: of two that try, one wins).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable

from .database import Database, Schema
from .errors import InputError

CLAIMS_SCHEMA = Schema("work_claims", (
    """CREATE TABLE work_claims (
           scope TEXT NOT NULL, claim_key TEXT NOT NULL, holder TEXT NOT NULL,
           fingerprint TEXT, result TEXT, lease_until DOUBLE PRECISION NOT NULL,
           created_at DOUBLE PRECISION NOT NULL,
           PRIMARY KEY (scope, claim_key))""",
    "CREATE INDEX work_claims_created ON work_claims (created_at)",
))

LEASE = 120.0
"""Seconds a holder may work before others may take over (longer than any ШЭП timeout)."""
WAIT = 90.0
"""Seconds a second caller waits for the first before giving up."""
KEEP = 24 * 3600.0
"""Seconds a result stays replayable under its idempotency key."""
_POLL = (0.02, 0.05, 0.1, 0.2)


class IdempotencyConflict(InputError):
    """The idempotency key was used before for another request."""

    code = "IDEMPOTENCY_KEY_REUSED"


class StillRunning(InputError):
    """The first request with this key is still being processed (after :data:`WAIT`)."""

    code = "REQUEST_IN_PROGRESS"


@dataclass(frozen=True)
class _Row:
    holder: str
    fingerprint: str | None
    result: str | None
    lease_until: float


def fingerprint(*parts: bytes | str) -> str:
    """A digest of what identifies a request (method, path, body…), to compare repeats."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


class Claims:
    """Claims on one database. ``now`` is wall-clock time (leases), not the simulation clock."""

    def __init__(self, db: Database, *, lease: float = LEASE, wait: float = WAIT, keep: float = KEEP,
                 now: Callable[[], float] = time.time):
        db.migrate(CLAIMS_SCHEMA)
        self.db, self.lease, self.wait, self.keep, self.now = db, lease, wait, keep, now
        self._host = socket.gethostname()
        self._inserts = 0

    def _holder(self) -> str:
        return f"{self._host}|{os.getpid()}|{uuid.uuid4().hex[:12]}"

    # --- one attempt (blocking) -----------------------------------------------------------

    def try_acquire(self, scope: str, key: str, *, fingerprint: str | None = None,
                    ) -> tuple[str | None, _Row | None]:
        """Take the claim now: ``(holder, None)`` when taken (or taken over), ``(None, row)``
        when someone holds it or it is done (``row.result`` set)."""
        holder, now = self._holder(), self.now()
        taken = self.db.execute(
            "INSERT INTO work_claims (scope, claim_key, holder, fingerprint, result, lease_until, created_at)"
            " VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (scope, claim_key) DO NOTHING",
            (scope, key, holder, fingerprint, now + self.lease, now))
        if taken == 1:
            self._tidy(now)
            return holder, None
        found = self.db.query_one("SELECT holder, fingerprint, result, lease_until FROM work_claims"
                                  " WHERE scope = ? AND claim_key = ?", (scope, key))
        if found is None:  # released in between: try again
            return self.try_acquire(scope, key, fingerprint=fingerprint)
        row = _Row(found["holder"], found["fingerprint"], found["result"], float(found["lease_until"]))
        if fingerprint is not None and row.fingerprint is not None and row.fingerprint != fingerprint:
            raise IdempotencyConflict(f"idempotency key {key!r} was used before for another request; "
                                      "use a new key for a new request")
        if row.result is None and not self._alive(row, now):
            took = self.db.execute(
                "UPDATE work_claims SET holder = ?, lease_until = ? WHERE scope = ? AND claim_key = ?"
                " AND holder = ? AND result IS NULL", (holder, now + self.lease, scope, key, row.holder))
            if took == 1:
                return holder, None
        return None, row

    def _alive(self, row: _Row, now: float) -> bool:
        if row.lease_until < now:
            return False
        host, _, rest = row.holder.partition("|")
        pid = rest.partition("|")[0]
        if host == self._host and pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return False  # the holder's process on this host is gone (killed, crashed)
            except PermissionError:
                return True
        return True

    def complete(self, scope: str, key: str, holder: str, result: str) -> None:
        """Keep ``result`` under the key (replayed to repeats) and end the lease."""
        self.db.execute("UPDATE work_claims SET result = ?, lease_until = ? WHERE scope = ? AND claim_key = ?"
                        " AND holder = ?", (result, self.now(), scope, key, holder))

    def release(self, scope: str, key: str, holder: str) -> None:
        """Give the claim up without a result: the next caller does the work."""
        self.db.execute("DELETE FROM work_claims WHERE scope = ? AND claim_key = ? AND holder = ?",
                        (scope, key, holder))

    def _tidy(self, now: float) -> None:
        """Forget results older than :attr:`keep` (every hundredth claim, so it stays cheap)."""
        self._inserts += 1
        if self._inserts % 100 == 0:
            self.db.execute("DELETE FROM work_claims WHERE result IS NOT NULL AND created_at < ?",
                            (now - self.keep,))

    # --- waiting for the holder -----------------------------------------------------------

    async def _acquire(self, scope: str, key: str, fingerprint: str | None) -> tuple[str | None, _Row | None]:
        deadline = time.monotonic() + self.wait
        for attempt in range(1_000_000):
            holder, row = await asyncio.to_thread(self.try_acquire, scope, key, fingerprint=fingerprint)
            if holder is not None or (row is not None and row.result is not None):
                return holder, row
            if time.monotonic() > deadline:
                return None, row
            await asyncio.sleep(_POLL[min(attempt, len(_POLL) - 1)])
        return None, None  # pragma: no cover

    def _acquire_blocking(self, scope: str, key: str, fingerprint: str | None):
        deadline = time.monotonic() + self.wait
        attempt = 0
        while True:
            holder, row = self.try_acquire(scope, key, fingerprint=fingerprint)
            if holder is not None or (row is not None and row.result is not None) or time.monotonic() > deadline:
                return holder, row
            time.sleep(_POLL[min(attempt, len(_POLL) - 1)])
            attempt += 1

    @contextlib.asynccontextmanager
    async def hold(self, scope: str, key: str) -> AsyncIterator[bool]:
        """``async with claims.hold(scope, key) as mine:`` — ``mine`` is True for the one holder
        (do the work), False for whoever waited for it (read the state it left)."""
        holder, _ = await self._acquire(scope, key, None)
        try:
            yield holder is not None
        finally:
            if holder is not None:
                await asyncio.to_thread(self.release, scope, key, holder)

    async def once(self, scope: str, key: str, work: Callable[[], Awaitable[str]], *,
                   fingerprint: str | None = None) -> tuple[str, bool]:
        """``(result, replayed)``: run ``work`` once for this key; repeats get its result.

        ``work`` raising leaves no result (the key may be used again); a repeat that waited
        :data:`WAIT` for a first that is still running gets :class:`StillRunning`."""
        holder, row = await self._acquire(scope, key, fingerprint)
        if holder is None:
            if row is not None and row.result is not None:
                return row.result, True
            raise StillRunning(f"a request with idempotency key {key!r} is still being processed; "
                               "try again later")
        try:
            result = await work()
        except BaseException:
            await asyncio.to_thread(self.release, scope, key, holder)
            raise
        await asyncio.to_thread(self.complete, scope, key, holder, result)
        return result, False

    def once_blocking(self, scope: str, key: str, work: Callable[[], str], *,
                      fingerprint: str | None = None) -> tuple[str, bool]:
        """:meth:`once` for blocking code (run in a worker thread)."""
        holder, row = self._acquire_blocking(scope, key, fingerprint)
        if holder is None:
            if row is not None and row.result is not None:
                return row.result, True
            raise StillRunning(f"a request with idempotency key {key!r} is still being processed; "
                               "try again later")
        try:
            result = work()
        except BaseException:
            self.release(scope, key, holder)
            raise
        self.complete(scope, key, holder, result)
        return result, False
