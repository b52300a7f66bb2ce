"""The department's durable state: cases (личные дела), their history, the documents it issues,
the registers of transfer (реестры) in and out, and the journal counters.

Every action is one transaction that changes the case only if it is still at the version the
action read (``version``), so two officers acting at once cannot both take the same step; what
an action acknowledges is committed first.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any

from egov_sim.core.database import Database, Schema, Transaction, from_db_time, to_db_time

SCHEMA = Schema("balkhash_uo", (
    ("""CREATE TABLE blh_cases (
            id {id},
            number TEXT NOT NULL UNIQUE,
            service INTEGER NOT NULL,
            channel TEXT NOT NULL,
            office TEXT NOT NULL,
            origin_office TEXT NOT NULL,
            state TEXT NOT NULL,
            step INTEGER NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            applicant_iin TEXT NOT NULL,
            applicant TEXT NOT NULL,
            representative TEXT,
            subject_iin TEXT,
            category TEXT NOT NULL,
            subtype TEXT,
            flags TEXT NOT NULL DEFAULT '',
            form TEXT NOT NULL DEFAULT '{}',
            documents TEXT NOT NULL DEFAULT '[]',
            missing TEXT NOT NULL DEFAULT '[]',
            applied_on TEXT NOT NULL,
            registered_at TEXT NOT NULL,
            due_on TEXT NOT NULL,
            journal_number TEXT,
            akim_journal_number TEXT,
            talon_number TEXT,
            executor TEXT,
            con_application TEXT UNIQUE,
            con_registry TEXT,
            outcome TEXT,
            grounds TEXT NOT NULL DEFAULT '[]',
            reason TEXT,
            work TEXT NOT NULL DEFAULT '{}',
            result_documents TEXT NOT NULL DEFAULT '[]',
            assignment TEXT,
            suspended_state TEXT,
            completed_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
     "CREATE INDEX blh_cases_office ON blh_cases (office, state)",
     "CREATE INDEX blh_cases_applicant ON blh_cases (applicant_iin)",
     """CREATE TABLE blh_history (
            id {id}, case_number TEXT NOT NULL, verb TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
            at TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, row_ref TEXT, norm TEXT,
            detail TEXT NOT NULL DEFAULT '{}')""",
     "CREATE INDEX blh_history_case ON blh_history (case_number, id)",
     """CREATE TABLE blh_documents (
            id {id}, number TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, case_number TEXT, title TEXT NOT NULL,
            fields TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, signed_by TEXT,
            signed_xml {blob})""",
     "CREATE INDEX blh_documents_case ON blh_documents (case_number, id)",
     """CREATE TABLE blh_transfers (
            id {id}, number TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, status TEXT NOT NULL,
            service INTEGER, items TEXT NOT NULL, payload {blob}, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
            sent_at TEXT, received_at TEXT, received_by TEXT, shep_message_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT)""",
     """CREATE TABLE blh_counters (
            kind TEXT NOT NULL, year INTEGER NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (kind, year))"""),
))

# Case states. IN_PROGRESS: at ``step`` of its chain.
IN_PROGRESS, COMPLETED, RETURNED, REFUSED_AT_INTAKE, SUSPENDED, ARCHIVED = (
    "IN_PROGRESS", "COMPLETED", "RETURNED", "REFUSED_AT_INTAKE", "SUSPENDED", "ARCHIVED")
STATES = (IN_PROGRESS, COMPLETED, RETURNED, REFUSED_AT_INTAKE, SUSPENDED, ARCHIVED)
# Transfer statuses: incoming DELIVERED → RECEIVED; outgoing PENDING → SENT (or FAILED, retried).
DELIVERED, RECEIVED, PENDING, SENT, FAILED = "DELIVERED", "RECEIVED", "PENDING", "SENT", "FAILED"
INCOMING, OUTGOING = "INCOMING", "OUTGOING"

_JSON = {"applicant", "representative", "form", "documents", "missing", "grounds", "work", "result_documents"}


@dataclass(frozen=True)
class Case:
    id: int
    number: str
    service: int
    channel: str
    office: str
    origin_office: str
    state: str
    step: int
    version: int
    applicant_iin: str
    applicant: dict
    representative: dict | None
    subject_iin: str | None
    category: str
    subtype: str | None
    flags: str
    form: dict
    documents: list
    missing: list
    applied_on: str
    registered_at: str
    due_on: str
    journal_number: str | None
    akim_journal_number: str | None
    talon_number: str | None
    executor: str | None
    con_application: str | None
    con_registry: str | None
    outcome: str | None
    grounds: list
    reason: str | None
    work: dict
    """What the chain's steps produced: resolution, commission decision, survey, draft, assessment."""
    result_documents: list
    assignment: str | None
    suspended_state: str | None
    completed_at: str | None
    created_at: str
    updated_at: str

    @property
    def flag_set(self) -> frozenset[str]:
        return frozenset(f for f in self.flags.split(",") if f)

    @property
    def applied_date(self) -> dt.date:
        return dt.date.fromisoformat(self.applied_on)

    @property
    def subject(self) -> str:
        return self.subject_iin or self.applicant_iin


_COLUMNS = [f.name for f in fields(Case)]


def _case(row: dict) -> Case:
    values = {}
    for name in _COLUMNS:
        v = row[name]
        if name in _JSON:
            v = json.loads(v) if v else ({} if name in ("applicant", "form", "work") else
                                         None if name == "representative" else [])
        values[name] = v
    values["id"], values["service"], values["step"], values["version"] = (
        int(row["id"]), int(row["service"]), int(row["step"]), int(row["version"]))
    return Case(**values)


def _db(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dt.datetime):
        return to_db_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class StaleCase(Exception):
    """The case changed since it was read (another officer acted first)."""


@dataclass(frozen=True)
class Document:
    number: str
    kind: str
    case_number: str | None
    title: str
    fields: dict
    created_at: dt.datetime
    created_by: str
    signed_by: str | None
    signed_xml: bytes | None


@dataclass(frozen=True)
class Transfer:
    number: str
    direction: str
    status: str
    service: int | None
    items: list
    payload: bytes | None
    created_at: dt.datetime
    created_by: str
    sent_at: dt.datetime | None
    received_at: dt.datetime | None
    received_by: str | None
    shep_message_id: str | None
    attempts: int
    last_error: str | None

    def to_json(self) -> dict:
        return {"number": self.number, "direction": self.direction, "status": self.status, "service": self.service,
                "items": self.items, "createdAt": self.created_at.isoformat(), "createdBy": self.created_by,
                "sentAt": self.sent_at.isoformat() if self.sent_at else None,
                "receivedAt": self.received_at.isoformat() if self.received_at else None,
                "receivedBy": self.received_by, "shepMessageId": self.shep_message_id, "attempts": self.attempts,
                "lastError": self.last_error}


class CaseStore:
    def __init__(self, db: Database):
        db.migrate(SCHEMA)
        self.db = db

    # --- cases -------------------------------------------------------------------------------

    def insert(self, tx: Transaction, **values: Any) -> Case:
        names = list(values)
        tx.execute(f"INSERT INTO blh_cases ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                   [_db(values[n]) for n in names])
        return self.get(values["number"], tx)

    def get(self, number: str, executor=None) -> Case | None:
        row = (executor or self.db).query_one("SELECT * FROM blh_cases WHERE number = ?", (number,))
        return None if row is None else _case(row)

    def by_con_application(self, application: str, executor=None) -> Case | None:
        row = (executor or self.db).query_one("SELECT * FROM blh_cases WHERE con_application = ?", (application,))
        return None if row is None else _case(row)

    def update(self, tx: Transaction, case: Case, at: dt.datetime, **changes: Any) -> Case:
        sets = ", ".join(f"{k} = ?" for k in changes)
        done = tx.execute(f"UPDATE blh_cases SET {sets}, version = version + 1, updated_at = ?"
                          " WHERE number = ? AND version = ?",
                          [*(_db(v) for v in changes.values()), to_db_time(at), case.number, case.version])
        if done != 1:
            raise StaleCase(case.number)
        return self.get(case.number, tx)

    def list(self, *, where: str, params: list, limit: int, offset: int) -> builtins.list[Case]:
        rows = self.db.query(f"SELECT * FROM blh_cases WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                             [*params, limit, offset])
        return [_case(r) for r in rows]

    # --- history -----------------------------------------------------------------------------

    def add_history(self, tx: Transaction, case_number: str, *, verb: str, actor: str, role: str, at: dt.datetime,
                    from_state: str | None, to_state: str, row: str | None = None, norm: str | None = None,
                    detail: dict | None = None) -> None:
        tx.execute("INSERT INTO blh_history (case_number, verb, actor, role, at, from_state, to_state, row_ref, norm,"
                   " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (case_number, verb, actor, role, to_db_time(at), from_state, to_state, row, norm,
                    json.dumps(detail or {}, ensure_ascii=False, default=str)))

    def history(self, case_number: str) -> builtins.list[dict]:
        rows = self.db.query("SELECT * FROM blh_history WHERE case_number = ? ORDER BY id", (case_number,))
        return [{"verb": r["verb"], "actor": r["actor"], "role": r["role"], "at": from_db_time(r["at"]),
                 "fromState": r["from_state"], "toState": r["to_state"], "row": r["row_ref"], "norm": r["norm"],
                 "detail": json.loads(r["detail"] or "{}")} for r in rows]

    # --- numbers -----------------------------------------------------------------------------

    def next_number(self, tx: Transaction, kind: str, year: int) -> int:
        # Create the row if it is missing without racing another writer (both engines know ON CONFLICT),
        # then increment it: the UPDATE holds the row until the commit, so no two get one number.
        tx.execute("INSERT INTO blh_counters (kind, year, value) VALUES (?, ?, 0) ON CONFLICT (kind, year) DO NOTHING",
                   (kind, year))
        tx.execute("UPDATE blh_counters SET value = value + 1 WHERE kind = ? AND year = ?", (kind, year))
        return int(tx.scalar("SELECT value FROM blh_counters WHERE kind = ? AND year = ?", (kind, year)))

    # --- documents ---------------------------------------------------------------------------

    def add_document(self, tx: Transaction, *, number: str, kind: str, case_number: str | None, title: str,
                     fields: dict, at: dt.datetime, by: str, signed_by: str | None = None,
                     signed_xml: bytes | None = None) -> None:
        tx.execute("INSERT INTO blh_documents (number, kind, case_number, title, fields, created_at, created_by,"
                   " signed_by, signed_xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (number, kind, case_number, title, json.dumps(fields, ensure_ascii=False, default=str),
                    to_db_time(at), by, signed_by, signed_xml))

    def document(self, number: str) -> Document | None:
        r = self.db.query_one("SELECT * FROM blh_documents WHERE number = ?", (number,))
        return None if r is None else self._document(r)

    def documents_of(self, case_number: str) -> builtins.list[Document]:
        return [self._document(r) for r in self.db.query(
            "SELECT * FROM blh_documents WHERE case_number = ? ORDER BY id", (case_number,))]

    @staticmethod
    def _document(r: dict) -> Document:
        return Document(r["number"], r["kind"], r["case_number"], r["title"], json.loads(r["fields"]),
                        from_db_time(r["created_at"]), r["created_by"], r["signed_by"],
                        bytes(r["signed_xml"]) if r["signed_xml"] is not None else None)

    # --- transfers ---------------------------------------------------------------------------

    def add_transfer(self, tx: Transaction, *, number: str, direction: str, status: str, service: int | None,
                     items: builtins.list, payload: bytes | None, at: dt.datetime, by: str) -> None:
        tx.execute("INSERT INTO blh_transfers (number, direction, status, service, items, payload, created_at,"
                   " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (number, direction, status, service, json.dumps(items, ensure_ascii=False, default=str), payload,
                    to_db_time(at), by))

    def transfer(self, number: str, executor=None) -> Transfer | None:
        r = (executor or self.db).query_one("SELECT * FROM blh_transfers WHERE number = ?", (number,))
        return None if r is None else self._transfer(r)

    def transfers(self, *, direction: str | None = None, status: str | None = None, limit: int = 100,
                  offset: int = 0) -> builtins.list[Transfer]:
        sql, params = "SELECT * FROM blh_transfers WHERE 1 = 1", []
        if direction:
            sql += " AND direction = ?"
            params.append(direction)
        if status:
            sql += " AND status = ?"
            params.append(status)
        rows = self.db.query(sql + " ORDER BY id LIMIT ? OFFSET ?", [*params, limit, offset])
        return [self._transfer(r) for r in rows]

    def mark_transfer(self, number: str, tx: Transaction | None = None, **changes: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        (tx or self.db).execute(f"UPDATE blh_transfers SET {sets} WHERE number = ?",
                                [*(_db(v) for v in changes.values()), number])

    @staticmethod
    def _transfer(r: dict) -> Transfer:
        return Transfer(r["number"], r["direction"], r["status"], r["service"], json.loads(r["items"]),
                        bytes(r["payload"]) if r["payload"] is not None else None, from_db_time(r["created_at"]),
                        r["created_by"], from_db_time(r["sent_at"]), from_db_time(r["received_at"]),
                        r["received_by"], r["shep_message_id"], int(r["attempts"]), r["last_error"])
