"""The АРМ's durable state: the inbox of requests per provider, the history of every staff
action, the registration / journal counters, and the outbox of messages to send through ШЭП.

Everything is in the simulator's embedded database, so the inbox survives a restart. A request
that arrives through ШЭП is committed before РШЭП acknowledges it; a message to the origin is
written to the outbox in the same transaction as the action that produced it, and delivered
after the commit (see delivery.py), so neither is lost when the process dies in between.
"""

from __future__ import annotations

import builtins  # a method of the store is named list
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database, IntegrityError, Schema, Transaction, from_db_time, to_db_time

ARM_SCHEMA = Schema("rshep_arm", (
    ("""CREATE TABLE arm_requests (
            id {id},
            provider TEXT NOT NULL,
            service_code TEXT NOT NULL,
            channel TEXT NOT NULL,
            origin_sender TEXT,
            route_id TEXT,
            shep_message_id TEXT,
            request_id TEXT NOT NULL,
            applicant_iin TEXT NOT NULL,
            applicant_name TEXT NOT NULL,
            received_at TEXT NOT NULL,
            state TEXT NOT NULL,
            registration_number TEXT,
            registered_at TEXT,
            due_date TEXT,
            term_extended INTEGER NOT NULL DEFAULT 0,
            executor TEXT,
            draft TEXT,
            journal_number TEXT,
            journal_at TEXT,
            result_xml {blob},
            signed_by TEXT,
            completed_at TEXT,
            checks TEXT NOT NULL DEFAULT '{}',
            payload {blob})""",
     "CREATE UNIQUE INDEX arm_requests_origin ON arm_requests (origin_sender, request_id)",
     "CREATE INDEX arm_requests_provider ON arm_requests (provider, state)",
     """CREATE TABLE arm_history (
            id {id},
            request INTEGER NOT NULL REFERENCES arm_requests (id),
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            at TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}')""",
     "CREATE INDEX arm_history_request ON arm_history (request, id)",
     """CREATE TABLE arm_counters (
            provider TEXT NOT NULL, kind TEXT NOT NULL, year INTEGER NOT NULL,
            value INTEGER NOT NULL, PRIMARY KEY (provider, kind, year))""",
     """CREATE TABLE arm_outbox (
            id {id},
            request INTEGER NOT NULL REFERENCES arm_requests (id),
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            service_id TEXT,
            correlation_id TEXT,
            payload {blob} NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sent_at TEXT,
            shep_message_id TEXT)""",
     "CREATE INDEX arm_outbox_request ON arm_outbox (request, id)"),
    # 2: the moment the result is due (the term model, egov_sim/reference/terms.py), and every
    # term's due for the request, beside the due date.
    ("ALTER TABLE arm_requests ADD COLUMN due_at TEXT",
     "ALTER TABLE arm_requests ADD COLUMN terms TEXT"),
))

# Outbox states: pending (to send), sending (claimed by one process), sent, failed (the last
# attempt failed; retried with the next delivery), no_route (the origin has no inbox service).
PENDING, SENDING, SENT, FAILED, NO_ROUTE = "pending", "sending", "sent", "failed", "no_route"


@dataclass(frozen=True)
class ArmRequest:
    id: int
    provider: str
    service_code: str
    channel: str
    origin_sender: str | None
    route_id: str | None
    shep_message_id: str | None
    request_id: str
    applicant_iin: str
    applicant_name: str
    received_at: dt.datetime
    state: str
    registration_number: str | None
    registered_at: dt.datetime | None
    due_date: dt.date | None
    due_at: dt.datetime | None
    """The result term's due moment (egov_sim/reference/terms.py); ``due_date`` is its date."""
    terms: list
    """Every term of the request's chain with its due (``Due.to_json()``), in the chain's order."""
    term_extended: bool
    executor: str | None
    draft: dict | None
    journal_number: str | None
    journal_at: dt.datetime | None
    result_xml: bytes | None
    signed_by: str | None
    completed_at: dt.datetime | None
    checks: dict
    payload: bytes | None


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    action: str
    actor: str
    role: str
    at: dt.datetime
    from_state: str | None
    to_state: str
    detail: dict


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    request: int
    kind: str
    status: str
    service_id: str | None
    correlation_id: str | None
    payload: bytes
    state: str
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None
    shep_message_id: str | None


def _blob(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def _request(row: dict) -> ArmRequest:
    return ArmRequest(
        id=int(row["id"]), provider=row["provider"], service_code=row["service_code"],
        channel=row["channel"], origin_sender=row["origin_sender"], route_id=row["route_id"],
        shep_message_id=row["shep_message_id"], request_id=row["request_id"],
        applicant_iin=row["applicant_iin"], applicant_name=row["applicant_name"],
        received_at=from_db_time(row["received_at"]), state=row["state"],
        registration_number=row["registration_number"], registered_at=from_db_time(row["registered_at"]),
        due_date=dt.date.fromisoformat(row["due_date"]) if row["due_date"] else None,
        due_at=from_db_time(row["due_at"]), terms=json.loads(row["terms"] or "[]"),
        term_extended=bool(row["term_extended"]), executor=row["executor"],
        draft=json.loads(row["draft"]) if row["draft"] else None,
        journal_number=row["journal_number"], journal_at=from_db_time(row["journal_at"]),
        result_xml=_blob(row["result_xml"]), signed_by=row["signed_by"],
        completed_at=from_db_time(row["completed_at"]), checks=json.loads(row["checks"] or "{}"),
        payload=_blob(row["payload"]))


def _outbox(row: dict) -> OutboxMessage:
    return OutboxMessage(
        id=int(row["id"]), request=int(row["request"]), kind=row["kind"], status=row["status"],
        service_id=row["service_id"], correlation_id=row["correlation_id"],
        payload=bytes(row["payload"]), state=row["state"], attempts=int(row["attempts"]),
        last_error=row["last_error"], sent_at=from_db_time(row["sent_at"]),
        shep_message_id=row["shep_message_id"])


_UPDATABLE = {"state", "registration_number", "registered_at", "due_date", "due_at", "terms", "term_extended",
              "executor", "draft", "journal_number", "journal_at", "result_xml", "signed_by",
              "completed_at"}


def _db_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return to_db_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


class ArmStore:
    def __init__(self, db: Database, *, clock: Clock = system_clock):
        db.migrate(ARM_SCHEMA)
        self.db, self.clock = db, clock

    # --- inbox -------------------------------------------------------------------------------

    def receive(self, *, provider: str, service_code: str, channel: str, origin_sender: str | None,
                route_id: str | None, shep_message_id: str | None, request_id: str,
                applicant_iin: str, applicant_name: str, checks: dict, payload: bytes | None,
                state: str = "RECEIVED", actor: str = "РШЭП", role: str = "system",
                action: str = "receive", detail: dict | None = None,
                received_at: dt.datetime | None = None) -> tuple[int, bool]:
        """Put a request in the provider's inbox and commit; ``(id, duplicate)``.

        The same ``requestId`` from the same origin is one request: a retry after a lost
        acknowledgement gets the first id back instead of a second inbox entry.
        ``received_at``: when the package was handed in, if before now (an office's clerk enters
        the moment the recipient handed it over; the terms count from it).
        """
        now = self.clock()
        received = received_at or now
        try:
            with self.db.transaction() as tx:
                existing = self._existing(tx, origin_sender, request_id)
                if existing is not None:
                    return existing, True
                new_id = tx.insert(
                    "INSERT INTO arm_requests (provider, service_code, channel, origin_sender, route_id,"
                    " shep_message_id, request_id, applicant_iin, applicant_name, received_at, state,"
                    " checks, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (provider, service_code, channel, origin_sender, route_id, shep_message_id, request_id,
                     applicant_iin, applicant_name, to_db_time(received), state,
                     json.dumps(checks, ensure_ascii=False), payload))
                self.add_history(tx, new_id, action=action, actor=actor, role=role, at=now,
                                 from_state=None, to_state=state, detail=detail or {})
        except IntegrityError:  # the same request, filed by another worker a moment ago
            existing = self._existing(self.db, origin_sender, request_id)
            if existing is None:
                raise
            return existing, True
        return new_id, False

    @staticmethod
    def _existing(executor, origin_sender: str | None, request_id: str) -> int | None:
        if origin_sender is None:
            return None
        found = executor.scalar("SELECT id FROM arm_requests WHERE origin_sender = ? AND request_id = ?",
                                (origin_sender, request_id))
        return None if found is None else int(found)

    def get(self, request_id: int, tx: Transaction | None = None) -> ArmRequest | None:
        row = (tx or self.db).query_one("SELECT * FROM arm_requests WHERE id = ?", (request_id,))
        return None if row is None else _request(row)

    def list(self, providers: Iterable[str], *, state: str | None = None,
             limit: int = 100, offset: int = 0) -> list[ArmRequest]:
        providers = list(providers)
        if not providers:
            return []
        marks = ", ".join("?" for _ in providers)
        sql = f"SELECT * FROM arm_requests WHERE provider IN ({marks})"
        params: list[Any] = list(providers)
        if state is not None:
            sql += " AND state = ?"
            params.append(state)
        sql += " ORDER BY id LIMIT ? OFFSET ?"
        return [_request(r) for r in self.db.query(sql, [*params, limit, offset])]

    def journal(self, providers: Iterable[str], *, limit: int = 100, offset: int = 0) -> builtins.list[ArmRequest]:
        """The accounting journal: results registered (numbered) at the providers, newest first."""
        providers = list(providers)
        if not providers:
            return []
        marks = ", ".join("?" for _ in providers)
        rows = self.db.query(f"SELECT * FROM arm_requests WHERE provider IN ({marks})"
                             " AND journal_number IS NOT NULL ORDER BY id DESC LIMIT ? OFFSET ?",
                             [*providers, limit, offset])
        return [_request(r) for r in rows]

    def update(self, tx: Transaction, request_id: int, expected_state: str, **fields: Any) -> bool:
        """Change a request if it is still in ``expected_state`` (False: someone was first)."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        changed = tx.execute(f"UPDATE arm_requests SET {sets} WHERE id = ? AND state = ?",
                             [*(_db_value(v) for v in fields.values()), request_id, expected_state])
        return changed == 1

    # --- history -----------------------------------------------------------------------------

    def add_history(self, tx: Transaction, request_id: int, *, action: str, actor: str, role: str,
                    at: dt.datetime, from_state: str | None, to_state: str, detail: dict) -> None:
        tx.execute("INSERT INTO arm_history (request, action, actor, role, at, from_state, to_state, detail)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (request_id, action, actor, role, to_db_time(at), from_state, to_state,
                    json.dumps(detail, ensure_ascii=False)))

    def history(self, request_id: int) -> builtins.list[HistoryEntry]:
        rows = self.db.query("SELECT * FROM arm_history WHERE request = ? ORDER BY id", (request_id,))
        return [HistoryEntry(int(r["id"]), r["action"], r["actor"], r["role"], from_db_time(r["at"]),
                             r["from_state"], r["to_state"], json.loads(r["detail"] or "{}")) for r in rows]

    # --- numbers -------------------------------------------------------------------------------

    def next_number(self, tx: Transaction, provider: str, kind: str, year: int) -> int:
        """The next number of ``kind`` (registration, journal, decision) for the year.

        The UPDATE comes first so that on PostgreSQL it locks the counter row until the commit
        (on SQLite the transaction already holds the write lock): no two requests share a number."""
        key = (provider, kind, year)
        if tx.execute("UPDATE arm_counters SET value = value + 1 WHERE provider = ? AND kind = ? AND year = ?",
                      key) == 0:
            tx.execute("INSERT INTO arm_counters (provider, kind, year, value) VALUES (?, ?, ?, 1)", key)
            return 1
        return int(tx.scalar("SELECT value FROM arm_counters WHERE provider = ? AND kind = ? AND year = ?", key))

    # --- outbox --------------------------------------------------------------------------------

    def enqueue(self, tx: Transaction, request_id: int, *, kind: str, status: str,
                service_id: str | None, correlation_id: str | None, payload: bytes) -> int:
        return tx.insert(
            "INSERT INTO arm_outbox (request, kind, status, service_id, correlation_id, payload,"
            " created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (request_id, kind, status, service_id, correlation_id, payload, to_db_time(self.clock()),
             PENDING if service_id else NO_ROUTE))

    def outbox(self, request_id: int) -> builtins.list[OutboxMessage]:
        rows = self.db.query("SELECT * FROM arm_outbox WHERE request = ? ORDER BY id", (request_id,))
        return [_outbox(r) for r in rows]

    def undelivered_requests(self) -> builtins.list[int]:
        rows = self.db.query("SELECT DISTINCT request FROM arm_outbox WHERE state IN (?, ?, ?)"
                             " ORDER BY request", (PENDING, FAILED, SENDING))
        return [int(r["request"]) for r in rows]

    def claim(self, message_id: int, stale_before: dt.datetime) -> bool:
        """Take a message for sending; False when another worker has it (or it is done).

        A claim older than ``stale_before`` is considered abandoned (its process died)."""
        with self.db.transaction() as tx:
            changed = tx.execute(
                "UPDATE arm_outbox SET state = ?, attempts = attempts + 1, sent_at = ?"
                " WHERE id = ? AND (state IN (?, ?) OR (state = ? AND sent_at < ?))",
                (SENDING, to_db_time(self.clock()), message_id, PENDING, FAILED, SENDING,
                 to_db_time(stale_before)))
        return changed == 1

    def mark(self, message_id: int, state: str, *, error: str | None = None,
             shep_message_id: str | None = None) -> None:
        with self.db.transaction() as tx:
            tx.execute("UPDATE arm_outbox SET state = ?, last_error = ?, sent_at = ?, shep_message_id = ?"
                       " WHERE id = ?", (state, error, to_db_time(self.clock()), shep_message_id, message_id))
