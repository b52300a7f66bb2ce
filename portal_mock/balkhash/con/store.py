"""The 2012 ЦОН's durable state: the electronic queue, the applications with their history, the
papers (расписки, receipts of refusal, реестры, the results received), the реестры in and out.

Each act is one transaction; an application changes only from the status the act expects, so a
double click or a second window cannot issue a result twice.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any

from egov_sim.core.database import Database, Schema, Transaction, from_db_time, to_db_time

SCHEMA = Schema("balkhash_con", (
    ("""CREATE TABLE con12_tickets (
            id {id}, number TEXT NOT NULL, day TEXT NOT NULL, service INTEGER NOT NULL, purpose TEXT NOT NULL,
            status TEXT NOT NULL, taken_at TEXT NOT NULL, persons_ahead INTEGER NOT NULL,
            allowed_wait INTEGER, called_at TEXT, called_by TEXT, window_no INTEGER, waited REAL,
            application TEXT, UNIQUE (day, number))""",
     """CREATE TABLE con12_applications (
            id {id}, number TEXT NOT NULL UNIQUE, service INTEGER NOT NULL, status TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1, category TEXT NOT NULL, subtype TEXT, flags TEXT NOT NULL DEFAULT '',
            applicant TEXT NOT NULL, representative TEXT, subject_iin TEXT, documents TEXT NOT NULL,
            missing TEXT NOT NULL DEFAULT '[]', form TEXT NOT NULL DEFAULT '{}', accepted_at TEXT NOT NULL,
            accepted_by TEXT NOT NULL, issue_date TEXT, receipt TEXT, ticket TEXT,
            registry_out TEXT, registry_in TEXT, case_number TEXT, outcome TEXT, reason TEXT,
            result TEXT NOT NULL DEFAULT '[]', result_at TEXT, informed_at TEXT, issued_at TEXT, issued_to TEXT,
            updated_at TEXT NOT NULL)""",
     "CREATE INDEX con12_applications_status ON con12_applications (status, service)",
     """CREATE TABLE con12_history (
            id {id}, application TEXT NOT NULL, event TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
            at TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}')""",
     "CREATE INDEX con12_history_application ON con12_history (application, id)",
     """CREATE TABLE con12_papers (
            id {id}, number TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, application TEXT, title TEXT NOT NULL,
            fields TEXT, html {blob}, signed_xml {blob}, created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
     "CREATE INDEX con12_papers_application ON con12_papers (application, id)",
     """CREATE TABLE con12_transfers (
            id {id}, number TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, status TEXT NOT NULL, service INTEGER,
            items TEXT NOT NULL, payload {blob}, created_at TEXT NOT NULL, created_by TEXT NOT NULL, sent_at TEXT,
            accepted_at TEXT, accepted_by TEXT, shep_message_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT)""",
     """CREATE TABLE con12_counters (
            kind TEXT NOT NULL, year INTEGER NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (kind, year))"""),
))

CONSULTED, ACCEPTED, REFUSED_AT_INTAKE, IN_ACCUMULATION, SENT = (
    "CONSULTED", "ACCEPTED", "REFUSED_AT_INTAKE", "IN_ACCUMULATION", "SENT")
AT_ISSUING, ISSUED, RETURNED, INFORMED, DOCUMENTS_RETURNED = (
    "AT_ISSUING", "ISSUED", "RETURNED", "INFORMED", "DOCUMENTS_RETURNED")
STATUSES = (CONSULTED, ACCEPTED, REFUSED_AT_INTAKE, IN_ACCUMULATION, SENT, AT_ISSUING, ISSUED, RETURNED, INFORMED,
            DOCUMENTS_RETURNED)
WAITING, CALLED, SERVED, NO_SHOW = "WAITING", "CALLED", "SERVED", "NO_SHOW"
INCOMING, OUTGOING = "INCOMING", "OUTGOING"
DELIVERED, TAKEN, PENDING, TRANSFER_SENT, FAILED = "DELIVERED", "ACCEPTED", "PENDING", "SENT", "FAILED"

_JSON = {"applicant", "representative", "documents", "missing", "form", "result"}


@dataclass(frozen=True)
class Application:
    id: int
    number: str
    service: int
    status: str
    version: int
    category: str
    subtype: str | None
    flags: str
    applicant: dict
    representative: dict | None
    subject_iin: str | None
    documents: list
    missing: list
    form: dict
    accepted_at: str
    accepted_by: str
    issue_date: str | None
    receipt: str | None
    ticket: str | None
    registry_out: str | None
    registry_in: str | None
    case_number: str | None
    outcome: str | None
    reason: str | None
    result: list
    result_at: str | None
    informed_at: str | None
    issued_at: str | None
    issued_to: str | None
    updated_at: str

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]


def _application(row: dict) -> Application:
    values = {}
    for f in fields(Application):
        v = row[f.name]
        if f.name in _JSON:
            v = json.loads(v) if v else ({} if f.name in ("applicant", "form") else None
                                         if f.name == "representative" else [])
        values[f.name] = v
    values["id"], values["service"], values["version"] = int(row["id"]), int(row["service"]), int(row["version"])
    return Application(**values)


def _db(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, dt.datetime):
        return to_db_time(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


class StatusConflict(Exception):
    def __init__(self, number: str, status: str, expected: tuple[str, ...]):
        super().__init__(f"application {number} is {status}; this needs {' or '.join(expected)}")
        self.number, self.status, self.expected = number, status, expected


class ConStore:
    def __init__(self, db: Database):
        db.migrate(SCHEMA)
        self.db = db

    def next_number(self, tx: Transaction, kind: str, year: int) -> int:
        # Create the row if it is missing without racing another writer (both engines know ON CONFLICT),
        # then increment it: the UPDATE holds the row until the commit, so no two get one number.
        tx.execute("INSERT INTO con12_counters (kind, year, value) VALUES (?, ?, 0) ON CONFLICT (kind, year) DO NOTHING",
                   (kind, year))
        tx.execute("UPDATE con12_counters SET value = value + 1 WHERE kind = ? AND year = ?", (kind, year))
        return int(tx.scalar("SELECT value FROM con12_counters WHERE kind = ? AND year = ?", (kind, year)))

    # --- queue -------------------------------------------------------------------------------

    def insert_ticket(self, tx: Transaction, **v) -> dict:
        names = list(v)
        tx.execute(f"INSERT INTO con12_tickets ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                   [_db(v[n]) for n in names])
        return self.ticket(v["day"], v["number"], tx)

    def ticket(self, day: str, number: str, executor=None) -> dict | None:
        return (executor or self.db).query_one("SELECT * FROM con12_tickets WHERE day = ? AND number = ?",
                                               (day, number))

    def tickets(self, day: str, *, status: str | None = None, purpose: str | None = None, executor=None) -> builtins.list[dict]:
        sql, params = "SELECT * FROM con12_tickets WHERE day = ?", [day]
        if status:
            sql += " AND status = ?"
            params.append(status)
        if purpose:
            sql += " AND purpose = ?"
            params.append(purpose)
        return (executor or self.db).query(sql + " ORDER BY id", params)

    def update_ticket(self, tx: Transaction, ticket_id: int, expect: str, **v) -> bool:
        sets = ", ".join(f"{k} = ?" for k in v)
        return tx.execute(f"UPDATE con12_tickets SET {sets} WHERE id = ? AND status = ?",
                          [*(_db(x) for x in v.values()), ticket_id, expect]) == 1

    # --- applications ------------------------------------------------------------------------

    def insert(self, tx: Transaction, **v) -> Application:
        names = list(v)
        tx.execute(f"INSERT INTO con12_applications ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                   [_db(v[n]) for n in names])
        return self.get(v["number"], tx)

    def get(self, number: str, executor=None) -> Application | None:
        row = (executor or self.db).query_one("SELECT * FROM con12_applications WHERE number = ?", (number,))
        return None if row is None else _application(row)

    def list(self, *, status: str | None = None, service: int | None = None, limit: int = 100,
             offset: int = 0) -> builtins.list[Application]:
        sql, params = "SELECT * FROM con12_applications WHERE 1 = 1", builtins.list[Any]()
        if status:
            sql += " AND status = ?"
            params.append(status)
        if service:
            sql += " AND service = ?"
            params.append(service)
        return [_application(r) for r in self.db.query(sql + " ORDER BY id LIMIT ? OFFSET ?", [*params, limit, offset])]

    def update(self, tx: Transaction, app: Application, expect: tuple[str, ...], at: dt.datetime, **v) -> Application:
        if app.status not in expect:
            raise StatusConflict(app.number, app.status, expect)
        sets = ", ".join(f"{k} = ?" for k in v)
        done = tx.execute(f"UPDATE con12_applications SET {sets}, version = version + 1, updated_at = ?"
                          " WHERE number = ? AND version = ?",
                          [*(_db(x) for x in v.values()), to_db_time(at), app.number, app.version])
        if done != 1:
            current = self.get(app.number, tx)
            raise StatusConflict(app.number, current.status if current else "?", expect)
        return self.get(app.number, tx)

    def add_history(self, tx: Transaction, number: str, *, event: str, actor: str, role: str, at: dt.datetime,
                    from_status: str | None, to_status: str, detail: dict | None = None) -> None:
        tx.execute("INSERT INTO con12_history (application, event, actor, role, at, from_status, to_status, detail)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (number, event, actor, role, to_db_time(at), from_status, to_status,
                    json.dumps(detail or {}, ensure_ascii=False, default=str)))

    def history(self, number: str) -> builtins.list[dict]:
        return [{"event": r["event"], "actor": r["actor"], "role": r["role"], "at": from_db_time(r["at"]),
                 "fromStatus": r["from_status"], "toStatus": r["to_status"], "detail": json.loads(r["detail"] or "{}")}
                for r in self.db.query("SELECT * FROM con12_history WHERE application = ? ORDER BY id", (number,))]

    # --- papers ------------------------------------------------------------------------------

    def add_paper(self, tx: Transaction, *, number: str, kind: str, application: str | None, title: str,
                  fields_: dict | None, html: bytes | None, signed_xml: bytes | None, at: dt.datetime, by: str) -> None:
        tx.execute("INSERT INTO con12_papers (number, kind, application, title, fields, html, signed_xml, created_at,"
                   " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (number, kind, application, title,
                    json.dumps(fields_, ensure_ascii=False, default=str) if fields_ is not None else None,
                    html, signed_xml, to_db_time(at), by))

    def paper(self, number: str) -> dict | None:
        r = self.db.query_one("SELECT * FROM con12_papers WHERE number = ?", (number,))
        return None if r is None else self._paper(r)

    def papers_of(self, application: str) -> builtins.list[dict]:
        return [self._paper(r) for r in self.db.query(
            "SELECT * FROM con12_papers WHERE application = ? ORDER BY id", (application,))]

    @staticmethod
    def _paper(r: dict) -> dict:
        return {"number": r["number"], "kind": r["kind"], "application": r["application"], "title": r["title"],
                "fields": json.loads(r["fields"]) if r["fields"] else None,
                "html": bytes(r["html"]) if r["html"] is not None else None,
                "signedXml": bytes(r["signed_xml"]) if r["signed_xml"] is not None else None,
                "createdAt": from_db_time(r["created_at"]), "createdBy": r["created_by"]}

    # --- transfers ---------------------------------------------------------------------------

    def add_transfer(self, tx: Transaction, *, number: str, direction: str, status: str, service: int | None,
                     items: builtins.list, payload: bytes | None, at: dt.datetime, by: str) -> None:
        tx.execute("INSERT INTO con12_transfers (number, direction, status, service, items, payload, created_at,"
                   " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (number, direction, status, service, json.dumps(items, ensure_ascii=False, default=str), payload,
                    to_db_time(at), by))

    def transfer(self, number: str, executor=None) -> dict | None:
        r = (executor or self.db).query_one("SELECT * FROM con12_transfers WHERE number = ?", (number,))
        return None if r is None else self._transfer(r)

    def transfers(self, *, direction: str | None = None, status: str | None = None, limit: int = 100,
                  offset: int = 0) -> builtins.list[dict]:
        sql, params = "SELECT * FROM con12_transfers WHERE 1 = 1", []
        if direction:
            sql += " AND direction = ?"
            params.append(direction)
        if status:
            sql += " AND status = ?"
            params.append(status)
        return [self._transfer(r) for r in self.db.query(sql + " ORDER BY id LIMIT ? OFFSET ?",
                                                         [*params, limit, offset])]

    def mark_transfer(self, number: str, tx: Transaction | None = None, **v) -> None:
        sets = ", ".join(f"{k} = ?" for k in v)
        (tx or self.db).execute(f"UPDATE con12_transfers SET {sets} WHERE number = ?",
                                [*(_db(x) for x in v.values()), number])

    @staticmethod
    def _transfer(r: dict) -> dict:
        return {"number": r["number"], "direction": r["direction"], "status": r["status"], "service": r["service"],
                "items": json.loads(r["items"]), "payload": bytes(r["payload"]) if r["payload"] is not None else None,
                "createdAt": from_db_time(r["created_at"]), "createdBy": r["created_by"],
                "sentAt": from_db_time(r["sent_at"]), "acceptedAt": from_db_time(r["accepted_at"]),
                "acceptedBy": r["accepted_by"], "shepMessageId": r["shep_message_id"], "attempts": int(r["attempts"]),
                "lastError": r["last_error"]}
