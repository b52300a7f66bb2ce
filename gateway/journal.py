"""The ШЭП exchange journal: every SyncChannel/AsyncChannel exchange, bodies exactly as on the wire.

The gateway records an exchange *before* its response leaves (:meth:`Journal.record` commits
durably or raises :class:`JournalUnavailable`, which the gateway turns into a fault), so a
client never holds a response the journal lacks. Tests read it back to check what was called:
:meth:`Journal.count_calls` answers "serviceId X was called N times with IIN Y".
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import datetime as dt
import functools
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Iterator, Mapping

from egov_sim.core.database import SQLITE, Database, DatabaseError, Schema, Transaction, from_db_time, to_db_time
from egov_sim.core.errors import InputError

from .redaction import redact


class SignatureVerdict(StrEnum):
    """The verdict on a request's signature, as the journal stores it and the answers report it
    (a str: the stored and exported value is the token itself)."""

    VALID = "valid"
    INVALID = "invalid"
    """Anything wrong with the signature or its certificate but the cases below (SCE006)."""
    NOT_CURRENT = "not-current"
    """The certificate expired, is not yet valid, or is revoked (SCE005)."""
    ABSENT = "absent"
    NOT_CHECKED = "not-checked"
    """Signed, but the participant's policy is ``off``."""


# The same verdicts under their former names. The journal still accepts any short lowercase
# token, so a more precise verdict of the signing layer can be recorded before it gets a member.
VERDICT_VALID = SignatureVerdict.VALID
VERDICT_INVALID = SignatureVerdict.INVALID
VERDICT_ABSENT = SignatureVerdict.ABSENT
VERDICT_NOT_CHECKED = SignatureVerdict.NOT_CHECKED
_VERDICT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

CHANNEL_SYNC = "sync"
CHANNEL_ASYNC = "async"

MAX_PAGE = 1000
_EXPORT_BATCH = 200


class JournalUnavailable(Exception):
    """The journal could not store an exchange durably; the gateway must answer with a fault."""

    code = "JOURNAL_UNAVAILABLE"


class JournalEntryNotFound(InputError):
    code = "JOURNAL_NOT_FOUND"


@dataclass(frozen=True)
class Exchange:
    """One exchange as the gateway saw it. Times are aware datetimes from the gateway's clock."""

    received_at: dt.datetime
    request_body: bytes
    response_body: bytes | None = None
    channel: str = CHANNEL_SYNC
    message_id: str | None = None
    correlation_id: str | None = None
    session_id: str | None = None
    service_id: str | None = None
    sender_id: str | None = None
    route_id: str | None = None
    provider: str | None = None
    """The system that served the request (e.g. ``gbd_fl``), None when the gateway answered."""
    client: str | None = None
    """The peer address the request came from."""
    provider_started_at: dt.datetime | None = None
    provider_finished_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    provider_ms: float | None = None
    """Measured provider time (a monotonic clock is better than wall-clock differences);
    None: computed from provider_started_at/provider_finished_at when both are given."""
    total_ms: float | None = None
    """Measured time from receipt to response; None: computed from received_at/responded_at."""
    request_signature: str = VERDICT_ABSENT
    response_signed: bool = False
    signature_details: Mapping[str, Any] | None = None
    status_code: str | None = None
    """``responseInfo/status/code`` of a normal response (e.g. ``SCSS001``)."""
    status_message: str | None = None
    error_code: str | None = None
    """``ErrorInfo/errorCode`` of a fault (e.g. ``SCE006``)."""
    error_message: str | None = None
    http_status: int | None = None
    sends_message: bool = True
    """Whether the exchange sends a message under the sender's messageId (SyncChannel
    ``SendMessage``, AsyncChannel ``sendMessage``): only those can repeat one. An AsyncChannel
    status query or delivery notification names a messageId without sending it again."""


@dataclass(frozen=True)
class JournalEntry:
    """A stored exchange. ``request_body``/``response_body`` are None when not loaded (lists)."""

    id: int
    channel: str
    message_id: str | None
    correlation_id: str | None
    session_id: str | None
    service_id: str | None
    sender_id: str | None
    route_id: str | None
    provider: str | None
    client: str | None
    received_at: dt.datetime
    provider_started_at: dt.datetime | None
    provider_finished_at: dt.datetime | None
    responded_at: dt.datetime | None
    provider_ms: float | None
    total_ms: float | None
    request_signature: str
    response_signed: bool
    signature_details: dict[str, Any] | None
    status_code: str | None
    status_message: str | None
    error_code: str | None
    error_message: str | None
    http_status: int | None
    request_size: int
    response_size: int | None
    duplicate_of: int | None = None
    """The journal id of the first exchange this sender's messageId was answered in, when this
    one repeats it (gateway/duplicates.py); None for a first use."""
    request_body: bytes | None = field(default=None, repr=False)
    response_body: bytes | None = field(default=None, repr=False)

    @property
    def is_fault(self) -> bool:
        return self.error_code is not None

    @property
    def outcome(self) -> str | None:
        """The status code, or the fault's errorCode."""
        return self.error_code or self.status_code

    def to_dict(self, *, bodies: bool = False) -> dict[str, Any]:
        """JSON-ready, with the wire's camelCase names; bodies as UTF-8 text or base64."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("request_body", "response_body"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, dt.datetime):
                value = to_db_time(value)
            out[_camel(f.name)] = value
        if bodies:
            for name in ("request_body", "response_body"):
                text, encoding = encode_body(getattr(self, name))
                out[_camel(name)] = text
                out[_camel(name) + "Encoding"] = encoding
        return out


def encode_body(body: bytes | None) -> tuple[str | None, str | None]:
    """``(text, "utf-8")`` when the bytes are UTF-8, else ``(base64, "base64")``."""
    if body is None:
        return None, None
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class JournalFilter:
    """Which entries to list, export or count. Every criterion given must hold (AND)."""

    service_id: str | None = None
    sender_id: str | None = None
    route_id: str | None = None
    status: str | None = None
    """Matches the status code or the fault's errorCode."""
    since: dt.datetime | None = None
    """Received at or after (inclusive)."""
    until: dt.datetime | None = None
    """Received before (exclusive)."""
    message_id: str | None = None
    text: str | None = None
    """Contained in the request body (exact, case-sensitive, UTF-8 bytes)."""


# ---------------------------------------------------------------------------------------------

JOURNAL_SCHEMA = Schema(
    component="shep_journal",
    steps=(
        (
            """CREATE TABLE shep_journal (
                id {id},
                channel TEXT NOT NULL,
                message_id TEXT,
                correlation_id TEXT,
                session_id TEXT,
                service_id TEXT,
                sender_id TEXT,
                route_id TEXT,
                provider TEXT,
                client TEXT,
                received_at TEXT NOT NULL,
                provider_started_at TEXT,
                provider_finished_at TEXT,
                responded_at TEXT,
                provider_ms DOUBLE PRECISION,
                total_ms DOUBLE PRECISION,
                request_signature TEXT NOT NULL,
                response_signed INTEGER NOT NULL,
                signature_details TEXT,
                status_code TEXT,
                status_message TEXT,
                error_code TEXT,
                error_message TEXT,
                http_status INTEGER,
                request_size INTEGER NOT NULL,
                response_size INTEGER,
                request_body {blob} NOT NULL,
                response_body {blob}
            )""",
            "CREATE INDEX shep_journal_service ON shep_journal (service_id, received_at)",
            "CREATE INDEX shep_journal_sender ON shep_journal (sender_id, received_at)",
            "CREATE INDEX shep_journal_route ON shep_journal (route_id, received_at)",
            "CREATE INDEX shep_journal_status ON shep_journal (status_code)",
            "CREATE INDEX shep_journal_error ON shep_journal (error_code)",
            "CREATE INDEX shep_journal_received ON shep_journal (received_at)",
            "CREATE INDEX shep_journal_message ON shep_journal (message_id)",
        ),
        # version 2: keyset pages (newest first) of one service, sender, route or outcome stay
        # index-only however deep: (column, id) orders the matches by id
        (
            "CREATE INDEX shep_journal_service_id ON shep_journal (service_id, id)",
            "CREATE INDEX shep_journal_sender_id ON shep_journal (sender_id, id)",
            "CREATE INDEX shep_journal_route_id ON shep_journal (route_id, id)",
            "CREATE INDEX shep_journal_status_id ON shep_journal (status_code, id)",
            "CREATE INDEX shep_journal_error_id ON shep_journal (error_code, id)",
        ),
        # version 3: a repeated messageId points at the exchange that first answered it
        "ALTER TABLE shep_journal ADD COLUMN duplicate_of BIGINT",
        # version 4: passwords and tokens stored before redaction existed are blanked out
        lambda tx: _redact_existing_bodies(tx),  # defined below
        # version 5: fewer indexes to keep current on every commit. The single-column status and
        # error indexes are prefixes of version 2's; the sender and route (column, received_at)
        # ones gave way to (column, id), which pages newest first. (service_id, received_at)
        # stays: it covers the COUNT of `journal check --service-id --since` (count_calls). Every
        # index is one more B-tree page written to the WAL (and re-read after another worker's
        # commit) per commit: twelve made the journal the most expensive step of a SendMessage.
        # IF EXISTS: a home that already ran this step as its version 3 (a development build)
        # is not broken by running it again.
        (
            "DROP INDEX IF EXISTS shep_journal_status",
            "DROP INDEX IF EXISTS shep_journal_error",
            "DROP INDEX IF EXISTS shep_journal_sender",
            "DROP INDEX IF EXISTS shep_journal_route",
        ),
        # version 6: the first answer of a (messageId, senderId) is one index probe, however often
        # a client repeats its messageId (load tools often send one body over and over): with
        # (message_id) alone the duplicate check grouped every earlier repeat on each commit
        (
            "CREATE INDEX shep_journal_message_sender ON shep_journal (message_id, sender_id, id)",
            "DROP INDEX IF EXISTS shep_journal_message",
        ),
    ),
)

_COLUMNS = tuple(f.name for f in fields(JournalEntry))
_SUMMARY_COLUMNS = ", ".join(c for c in _COLUMNS if c not in ("request_body", "response_body"))
_ALL_COLUMNS = ", ".join(_COLUMNS)
_INSERT_COLUMNS = tuple(c for c in _COLUMNS if c != "id")
_INSERT_SQL = (
    f"INSERT INTO shep_journal ({', '.join(_INSERT_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})"
)
"""Positional parameters: binding 27 of them from a tuple costs a third less than by name."""
_ROW_ORDER = ("channel", "message_id", "correlation_id", "session_id", "service_id", "sender_id",
              "route_id", "provider", "client", "received_at", "provider_started_at",
              "provider_finished_at", "responded_at", "provider_ms", "total_ms", "request_signature",
              "response_signed", "signature_details", "status_code", "status_message", "error_code",
              "error_message", "http_status", "request_size", "response_size", "duplicate_of",
              "request_body", "response_body")
if _INSERT_COLUMNS != _ROW_ORDER:  # JournalEntry's fields moved: Journal._values must follow
    raise RuntimeError("Journal._values writes its tuple in _ROW_ORDER, not in the columns' order")

IIN_PATTERN = re.compile(r"[0-9]{12}")


def _ms(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() * 1000.0, 3)


def _iin_token(iin: str) -> re.Pattern[bytes]:
    """The IIN as a whole token: no letter or digit right before or after it.

    So ``000000000000`` does not match inside ``10000000000001`` (a longer number) nor inside
    ``IIN000000000000`` (a certificate subject's serialNumber, which names the signer).
    """
    return re.compile(rb"(?<![0-9A-Za-z])" + iin.encode("ascii") + rb"(?![0-9A-Za-z])")


class Journal:
    """The ШЭП exchange journal on a :class:`Database` (which the caller opens and closes)."""

    def __init__(self, db: Database):
        self.db = db
        db.migrate(JOURNAL_SCHEMA)

    # -- writing -------------------------------------------------------------------------------

    def record(self, exchange: Exchange) -> int:
        """Store one exchange durably and return its journal id.

        Raises :class:`JournalUnavailable` when the database cannot take it (locked past the
        busy timeout, unreachable, disk full): the caller must not send a normal response.
        """
        return self.record_many([exchange])[0]

    def record_many(self, exchanges: builtins.list[Exchange]) -> builtins.list[int]:
        """Store several exchanges in one durable transaction (one fsync); ids in order."""
        return self.write_rows([self.row_values(e) for e in exchanges],
                               sends=[e.sends_message for e in exchanges])

    def row_values(self, exchange: Exchange) -> tuple[Any, ...]:
        """The exchange as the values of one journal row (checked; raises on a bad exchange)."""
        return self._values(exchange)

    def write_rows(self, rows: builtins.list[tuple[Any, ...]], *,
                   sends: builtins.list[bool] | None = None) -> builtins.list[int]:
        """Store rows made by :meth:`row_values` in one durable commit; ids in order. ``sends``:
        each row's ``Exchange.sends_message`` (which rows can repeat a messageId).

        One multi-row INSERT (``Database.insert_batch``): the writer thread enters SQLite once
        per batch, so it barely competes for the GIL with the event loop that serves requests."""
        try:
            rows, pending = _mark_duplicates(self.db, rows, sends)
            ids = self.db.insert_batch("shep_journal", _INSERT_COLUMNS, rows)
            if pending:  # repeats of an exchange of this very batch: linked once both have ids
                with self.db.transaction() as tx:
                    for index, first_index in pending:
                        tx.execute("UPDATE shep_journal SET duplicate_of = ? WHERE id = ?",
                                   (ids[first_index], ids[index]))
            return ids
        except DatabaseError as exc:
            raise JournalUnavailable(f"the ШЭП journal is unavailable: {exc}") from exc

    @staticmethod
    def _row(e: Exchange) -> dict[str, Any]:
        """The row by column name."""
        return dict(zip(_INSERT_COLUMNS, Journal._values(e)))

    @staticmethod
    def _values(e: Exchange) -> tuple[Any, ...]:
        """The row in ``_INSERT_COLUMNS`` order (a tuple made directly: every exchange passes here
        on the event loop, and a dict per row cost as much as the rest of the row)."""
        if not isinstance(e.request_body, (bytes, bytearray)):
            raise TypeError("request_body must be the bytes received on the wire")
        if e.response_body is not None and not isinstance(e.response_body, (bytes, bytearray)):
            raise TypeError("response_body must be the bytes sent on the wire")
        if not _VERDICT.fullmatch(e.request_signature or ""):
            raise ValueError(f"bad signature verdict {e.request_signature!r}")
        return (
            e.channel, e.message_id, e.correlation_id, e.session_id, e.service_id, e.sender_id,
            e.route_id, e.provider, e.client,
            to_db_time(e.received_at), _opt_time(e.provider_started_at),
            _opt_time(e.provider_finished_at), _opt_time(e.responded_at),
            e.provider_ms if e.provider_ms is not None else _ms(e.provider_started_at, e.provider_finished_at),
            e.total_ms if e.total_ms is not None else _ms(e.received_at, e.responded_at),
            e.request_signature, bool(e.response_signed),
            (None if e.signature_details is None else
             json.dumps(dict(e.signature_details), ensure_ascii=False, sort_keys=True, default=str)),
            e.status_code, e.status_message, e.error_code, e.error_message, e.http_status,
            len(e.request_body), None if e.response_body is None else len(e.response_body),
            None,  # duplicate_of: set by the writer (_mark_duplicates)
            # secrets (the sender's password, tokens) never reach the disk: gateway/redaction.py
            redact(bytes(e.request_body)),
            None if e.response_body is None else redact(bytes(e.response_body)),
        )

    def clear(self) -> int:
        """Delete every entry (between tests); return how many. Ids are never reused."""
        return self.db.execute("DELETE FROM shep_journal")

    # -- reading -------------------------------------------------------------------------------

    def get(self, journal_id: int) -> JournalEntry | None:
        """One entry with both bodies, or None."""
        row = self.db.query_one(f"SELECT {_ALL_COLUMNS} FROM shep_journal WHERE id = ?",
                                (int(journal_id),))
        return None if row is None else _entry(row)

    def list(self, where: JournalFilter = JournalFilter(), *, limit: int = 50,
             offset: int = 0) -> builtins.list[JournalEntry]:
        """Entries matching ``where``, newest first, without bodies."""
        if not 1 <= limit <= MAX_PAGE:
            raise InputError(f"limit must be between 1 and {MAX_PAGE}", code="BAD_LIMIT")
        if offset < 0:
            raise InputError("offset must not be negative", code="BAD_OFFSET")
        if where.status is not None:  # two index walks, merged: an OR would sort every match
            plain, wanted = replace(where, status=None), offset + limit
            found = {r["id"]: r for column in ("status_code", "error_code")
                     for r in self._keyset(plain, None, None, wanted, (column, where.status))}
            rows = sorted(found.values(), key=lambda r: r["id"], reverse=True)[offset:wanted]
            return [_entry(r) for r in rows]
        sql, params = self._where(where, newest_first=True)
        rows = self.db.query(
            f"SELECT {_SUMMARY_COLUMNS} FROM shep_journal{sql} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return [_entry(r) for r in rows]

    def page(self, where: JournalFilter = JournalFilter(), *, before: int | None = None,
             after: int | None = None, limit: int = 50) -> builtins.list[JournalEntry]:
        """A keyset page, newest first, without bodies: entries with ids below ``before`` (the
        next older page) or, with ``after``, the page just above that id (the newer one).

        Unlike ``offset``, the cost does not grow with the depth: each query walks an index
        on ``(column, id)`` or the primary key from the boundary. The outcome filter (status code
        or fault code) runs as two such walks, merged. A ``text`` filter still scans bodies.
        """
        if not 1 <= limit <= MAX_PAGE:
            raise InputError(f"limit must be between 1 and {MAX_PAGE}", code="BAD_LIMIT")
        if where.status is not None:
            plain = replace(where, status=None)
            rows = [*self._keyset(plain, before, after, limit, ("status_code", where.status)),
                    *self._keyset(plain, before, after, limit, ("error_code", where.status))]
            rows.sort(key=lambda r: r["id"], reverse=after is None)
            rows = rows[:limit]
        else:
            rows = self._keyset(where, before, after, limit, None)
        rows.sort(key=lambda r: r["id"], reverse=True)
        return [_entry(r) for r in rows]

    def _keyset(self, where: JournalFilter, before: int | None, after: int | None, limit: int,
                extra: tuple[str, str] | None) -> builtins.list[Any]:
        sql, params = self._where(where, newest_first=after is None)
        clauses = [sql[len(" WHERE "):]] if sql else []
        if extra is not None:
            clauses.append(f"{extra[0]} = ?")
            params.append(extra[1])
        if after is not None:
            clauses.append("id > ?")
            params.append(int(after))
            order = "ASC"
        else:
            if before is not None:
                clauses.append("id < ?")
                params.append(int(before))
            order = "DESC"
        condition = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return self.db.query(f"SELECT {_SUMMARY_COLUMNS} FROM shep_journal{condition}"
                             f" ORDER BY id {order} LIMIT ?", [*params, limit])

    def count(self, where: JournalFilter = JournalFilter()) -> int:
        sql, params = self._where(where)
        return int(self.db.scalar(f"SELECT COUNT(*) AS n FROM shep_journal{sql}", params))

    def export(self, where: JournalFilter = JournalFilter()) -> Iterator[dict[str, Any]]:
        """Matching entries with bodies, oldest first, as JSON-ready dicts (one per JSON line).

        Reads in batches by id, holding no cursor between them: the iterator may be consumed
        slowly, from different threads, while the gateway keeps writing.
        """
        sql, params = self._where(where)
        glue = " AND " if sql else " WHERE "
        last_id = 0
        while True:
            rows = self.db.query(
                f"SELECT {_ALL_COLUMNS} FROM shep_journal{sql}{glue}id > ? ORDER BY id LIMIT ?",
                [*params, last_id, _EXPORT_BATCH])
            for row in rows:
                yield _entry(row).to_dict(bodies=True)
            if len(rows) < _EXPORT_BATCH:
                return
            last_id = rows[-1]["id"]

    def count_calls(self, service_id: str, *, iin: str | None = None,
                    sender_id: str | None = None, since: dt.datetime | None = None) -> int:
        """How many exchanges called ``service_id`` (faults included), optionally with ``iin``.

        The IIN must appear in the request body as a whole 12-digit token (see
        :func:`_iin_token`); SQL narrows the candidates, Python checks the token boundaries.
        """
        where = JournalFilter(service_id=service_id, sender_id=sender_id, since=since)
        if iin is None:
            return self.count(where)
        iin = iin.strip()
        if not IIN_PATTERN.fullmatch(iin):
            raise InputError(f"IIN must be 12 digits, got {iin!r}", code="BAD_IIN")
        token = _iin_token(iin)
        sql, params = self._where(where)
        sql += f" AND {self.db.dialect.contains_bytes('request_body')}"
        params.append(iin.encode("ascii"))
        found, last_id = 0, 0
        while True:
            rows = self.db.query(
                f"SELECT id, request_body FROM shep_journal{sql} AND id > ? ORDER BY id LIMIT ?",
                [*params, last_id, _EXPORT_BATCH])
            found += sum(1 for r in rows if token.search(bytes(r["request_body"])))
            if len(rows) < _EXPORT_BATCH:
                return found
            last_id = rows[-1]["id"]

    def _where(self, f: JournalFilter, *,
               newest_first: bool = False) -> tuple[str, builtins.list[Any]]:
        """The WHERE clause of ``f``. ``newest_first``: for ``ORDER BY id DESC LIMIT`` queries,
        the time terms are kept off indexes (``received_at || ''``) so the planner walks
        ``(column, id)`` or the primary key newest first instead of sorting every match found by
        ``(service_id, received_at)``; ``until`` also bounds ``id`` by the newest entry received
        before it (every match has an id at most that), so the walk starts among the matches;
        ``id + 0`` makes that MAX read the covering ``received_at`` index, not walk the table."""
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        for column in ("service_id", "sender_id", "route_id", "message_id"):
            value = getattr(f, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if f.status is not None:
            clauses.append("(status_code = ? OR error_code = ?)")
            params += [f.status, f.status]
        time = "received_at || ''" if newest_first else "received_at"
        if f.since is not None:
            clauses.append(f"{time} >= ?")
            params.append(to_db_time(f.since))
        if f.until is not None:
            clauses.append(f"{time} < ?")
            params.append(to_db_time(f.until))
            if newest_first:
                clauses.append("id <= (SELECT MAX(id + 0) FROM shep_journal WHERE received_at < ?)")
                params.append(to_db_time(f.until))
        if f.text:
            clauses.append(self.db.dialect.contains_bytes("request_body"))
            params.append(f.text.encode("utf-8"))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _opt_time(value: dt.datetime | None) -> str | None:
    return None if value is None else to_db_time(value)


def _entry(row: Mapping[str, Any]) -> JournalEntry:
    values = dict(row)
    for name in ("received_at", "provider_started_at", "provider_finished_at", "responded_at"):
        values[name] = from_db_time(values.get(name))
    values["response_signed"] = bool(values["response_signed"])
    details = values.get("signature_details")
    values["signature_details"] = None if details is None else json.loads(details)
    for name in ("request_body", "response_body"):
        if values.get(name) is not None:
            values[name] = redact(bytes(values[name]))  # also what an older version stored
    return JournalEntry(**values)


_SENDER, _MESSAGE, _STATUS, _DUPLICATE = (
    _INSERT_COLUMNS.index(c) for c in ("sender_id", "message_id", "status_code", "duplicate_of"))


def _mark_duplicates(db: Database, rows: builtins.list[tuple[Any, ...]], sends: builtins.list[bool] | None,
                     ) -> tuple[builtins.list[tuple[Any, ...]], builtins.list[tuple[int, int]]]:
    """Set ``duplicate_of`` of each row whose (senderId, messageId) was answered before (a
    normal response, not a fault: a retry after a fault is not a repeat). One probe of the
    (message_id, sender_id, id) index per distinct key, outside the insert's commit so that stays one statement: two workers
    journaling the same repeat in the same millisecond may both leave it unmarked (the refusal
    policy does not depend on this mark: gateway/duplicates.py). Returns the rows and the
    (row, earlier row of this batch) pairs to link after the insert. ``sends``: which rows send a
    message (``Exchange.sends_message``, all when None); only those can repeat one."""
    keyed = [(i, (r[_SENDER], r[_MESSAGE])) for i, r in enumerate(rows)
             if r[_MESSAGE] and r[_SENDER] and (sends is None or sends[i])]
    if not keyed:
        return rows, []
    first = _first_answers(db, builtins.list(dict.fromkeys(key for _, key in keyed)))
    marked = list(rows)
    pending: list[tuple[int, int]] = []
    in_batch: dict[tuple[str, str], int] = {}
    for i, key in keyed:
        if key in first:
            row = marked[i]
            marked[i] = row[:_DUPLICATE] + (first[key],) + row[_DUPLICATE + 1:]
        elif key in in_batch:
            pending.append((i, in_batch[key]))
        elif rows[i][_STATUS] is not None:
            in_batch[key] = i
    return marked, pending


_FIRST_ANSWER = ("SELECT id FROM shep_journal WHERE message_id = {m} AND sender_id = {s}"
                 " AND status_code IS NOT NULL ORDER BY id LIMIT 1")
_PROBES_PER_STATEMENT = 200
"""Keys probed by one statement (two parameters each: far below SQLite's smallest limit, 999)."""


def _first_answers(db: Database, keys: builtins.list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(senderId, messageId) → id of the exchange that first answered it, for those that have one.

    On SQLite one statement probes every key of a batch (a correlated subquery per key, each an
    index probe) and answers in one row: a SELECT per key cost the writer thread more than the
    INSERT of the row, and every row SQLite returns is one more time the writer thread waits
    for the GIL while the event loop serves requests."""
    first: dict[tuple[str, str], int] = {}
    if db.dialect is not SQLITE:
        for key in keys:
            found = db.scalar(_FIRST_ANSWER.format(m="?", s="?"), (key[1], key[0]))
            if found is not None:
                first[key] = int(found)
        return first
    for start in range(0, len(keys), _PROBES_PER_STATEMENT):
        part = keys[start:start + _PROBES_PER_STATEMENT]
        sql = ("WITH k(n, m, s) AS (VALUES " + ", ".join(["(?, ?, ?)"] * len(part)) + "), "
               "f(n, first) AS (SELECT n, (" + _FIRST_ANSWER.format(m="k.m", s="k.s") + ") FROM k) "
               "SELECT group_concat(n || ' ' || first, ' ') FROM f WHERE first IS NOT NULL")
        params = [v for n, (sender, message) in enumerate(part) for v in (n, message, sender)]
        found = db.scalar(sql, params)  # one result row: the writer takes the GIL back once
        numbers = iter(found.split() if found else ())
        for n, first_id in zip(numbers, numbers):
            first[part[int(n)]] = int(first_id)
    return first


def _redact_existing_bodies(tx: Transaction) -> None:
    """Migration step: a schema step returns nothing; the count is for the CLI and tests."""
    redact_stored_bodies(tx)


def redact_stored_bodies(tx: Transaction, *, batch: int = 500) -> int:
    """Blank out the secrets of bodies stored before redaction existed; how many rows changed."""
    changed, last = 0, 0
    while True:
        rows = tx.query("SELECT id, request_body, response_body FROM shep_journal WHERE id > ?"
                        " ORDER BY id LIMIT ?", (last, batch))
        for row in rows:
            request = bytes(row["request_body"])
            response = None if row["response_body"] is None else bytes(row["response_body"])
            clean_request, clean_response = redact(request), redact(response)
            if clean_request != request or clean_response != response:
                tx.execute("UPDATE shep_journal SET request_body = ?, response_body = ? WHERE id = ?",
                           (clean_request, clean_response, row["id"]))
                changed += 1
        if len(rows) < batch:
            return changed
        last = rows[-1]["id"]


# ---------------------------------------------------------------------------------------------
# Parsing user input shared by the CLI and the admin API

_RELATIVE = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(text: str, *, now: dt.datetime) -> dt.datetime:
    """``2024-02-05T10:15:00+05:00``, ``2024-02-05`` (UTC midnight) or ``15m``/``2h``/``1d`` ago.

    A time without an offset is read as UTC.
    """
    text = text.strip()
    m = _RELATIVE.fullmatch(text)
    if m:
        return now - dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"bad time {text!r}: use ISO-8601 (2024-02-05T10:15:00+05:00) or an age like 15m, 2h, 1d",
            code="BAD_TIME") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class JournalWriter:
    """Group commit for request handlers: at most one commit in flight per event loop.

    A handler awaits :meth:`record` and resumes only after its exchange is committed, so an
    answer never leaves before its journal entry exists. Exchanges that arrive while a commit is
    running wait and go together in the next one: the commit's cost (and its fsync) is shared
    by the batch, and the batch grows by itself with the load.
    """

    def __init__(self, journal: Journal, *, max_batch: int = 512):
        self.journal = journal
        self.max_batch = max_batch
        self._executor: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._loops: dict[asyncio.AbstractEventLoop, _LoopQueue] = {}
        self._lock = threading.Lock()

    async def record(self, exchange: Exchange) -> int:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        q = self._loops.get(loop)
        if q is None:
            q = self._loops.setdefault(loop, _LoopQueue())
        q.pending.append((exchange, future))
        if not q.in_flight:
            q.in_flight = True
            loop.call_soon(self._dispatch, loop, q)  # handlers of this loop turn join the batch
        return await future

    def _writer(self) -> ThreadPoolExecutor:
        if self._executor is None or self._pid != os.getpid():
            with self._lock:
                if self._executor is None or self._pid != os.getpid():
                    self._pid = os.getpid()
                    self._executor = ThreadPoolExecutor(1, thread_name_prefix="shep-journal")
        return self._executor

    def _dispatch(self, loop: asyncio.AbstractEventLoop, q: _LoopQueue) -> None:
        taken, q.pending = q.pending[:self.max_batch], q.pending[self.max_batch:]
        batch, rows, sends = [], [], []
        for exchange, future in taken:  # the Python work here, on the loop: the writer only writes
            try:
                rows.append(self.journal.row_values(exchange))
            except Exception as exc:  # noqa: BLE001 — a bad exchange fails alone
                _fail(future, exc)
            else:
                batch.append((exchange, future))
                sends.append(exchange.sends_message)
        if not batch:
            q.in_flight = False
            if q.pending:
                self._dispatch(loop, q)
            return
        try:
            done = loop.run_in_executor(self._writer(), functools.partial(self.journal.write_rows, rows,
                                                                          sends=sends))
        except RuntimeError as exc:  # executor shut down
            for _, future in batch:
                _fail(future, JournalUnavailable(f"the ШЭП journal is closed: {exc}"))
            q.in_flight = False
            return
        done.add_done_callback(lambda f: self._finished(loop, q, batch, f))

    def _finished(self, loop, q, batch, done: asyncio.Future[list[int]]) -> None:
        exc = done.exception()
        if exc is None:
            for (_, future), journal_id in zip(batch, done.result()):
                _resolve(future, journal_id)
        else:
            for _, future in batch:
                _fail(future, exc)
        self._dispatch(loop, q)

    def close(self) -> None:
        if self._executor is not None and self._pid == os.getpid():
            self._executor.shutdown(wait=True)
            self._executor = None


@dataclass
class _LoopQueue:
    pending: builtins.list = field(default_factory=builtins.list)
    in_flight: bool = False


def _resolve(future: asyncio.Future[int], value: int) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[int], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
