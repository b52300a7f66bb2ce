"""Applications of the ИИС ЦОН: their state, history, notices and files, in the embedded database.

Why a store of its own: an application accepted at the counter must survive a restart and
never be lost, so every state change is one transaction, and the package is committed before
it is sent (process 5). The history is append-only and names the diagram node (C0, P4, P8 ...
of regulations-kz.md 4.3) each entry belongs to, so QA can read why an application ended where
it did. Reads for an operator always go through the office: another office's number is "not
found".
"""

from __future__ import annotations

import builtins  # a method of the store is named list
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from egov_sim.core import ids
from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.database import Database, Schema, Transaction, from_db_time
from egov_sim.core.errors import InputError

# Application statuses (the node the application stands at, regulations-kz.md 4.3).
REFUSED_AT_INTAKE = "REFUSED_AT_INTAKE"  # C0 false -> X2: receipt of refusal (K01); end
DATA_UNAVAILABLE = "DATA_UNAVAILABLE"    # C1 false -> P4: "data cannot be obtained"; end
ACCEPTED = "ACCEPTED"                    # C1 true: package signed and committed, not sent yet
SENT = "SENT"                            # P5 done: ШЭП took the package for АРМ РШЭП
AT_PROVIDER = "AT_PROVIDER"              # P6..A4: the АРМ reported progress
RESULT_READY = "RESULT_READY"            # A5 / P7: decision or reasoned refusal received
ISSUED = "ISSUED"                        # P8: handed to the recipient; end

STATUSES = (REFUSED_AT_INTAKE, DATA_UNAVAILABLE, ACCEPTED, SENT, AT_PROVIDER, RESULT_READY, ISSUED)
OPEN_AT_PROVIDER = (ACCEPTED, SENT, AT_PROVIDER)
"""Statuses in which the provider's notifications and result are expected (ACCEPTED too: the
package may have arrived although ШЭП's answer to the send was lost)."""

APPLICATIONS_SCHEMA = Schema("con.applications", (
    ("""CREATE TABLE con_applications (
            seq {id},
            number TEXT NOT NULL UNIQUE,
            office TEXT NOT NULL,
            operator TEXT NOT NULL,
            service_code TEXT NOT NULL,
            provider_code TEXT,
            status TEXT NOT NULL,
            applicant_iin TEXT NOT NULL,
            record TEXT NOT NULL,
            provider_status TEXT,
            registration TEXT,
            result_due_date TEXT,
            correlation_id TEXT,
            shep_message_id TEXT,
            outcome TEXT,
            result TEXT,
            issued TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT,
            result_at TEXT)""",
     "CREATE INDEX con_applications_office ON con_applications (office, seq)",
     """CREATE TABLE con_history (
            id {id},
            application TEXT NOT NULL,
            at TEXT NOT NULL,
            step TEXT NOT NULL,
            event TEXT NOT NULL,
            message TEXT NOT NULL,
            detail TEXT)""",
     "CREATE INDEX con_history_application ON con_history (application, id)",
     """CREATE TABLE con_notices (
            application TEXT NOT NULL,
            kind TEXT NOT NULL,
            number TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (application, kind))""",
     """CREATE TABLE con_files (
            application TEXT NOT NULL,
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            content {blob} NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (application, name))"""),
))


class StatusConflict(InputError):
    """The application is not in a status that allows this step."""

    code = "WRONG_STATUS"
    status = 409


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    step: str
    """Diagram node of regulations-kz.md 4.3 (C0, X2, P1 ... P8, A2 ... A5)."""
    event: str
    message: str
    detail: dict | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"at": _iso(self.at), "step": self.step, "event": self.event,
                               "message": self.message}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class NoticeRecord:
    kind: str
    number: str
    issued_at: dt.datetime
    body: dict


@dataclass(frozen=True)
class StoredFile:
    name: str
    media_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Application:
    number: str
    office: str
    operator: str
    service_code: str
    provider_code: str | None
    status: str
    applicant_iin: str
    record: dict
    """What was entered (applicant, representative, form, documents) and what the lookups found."""
    provider_status: str | None
    registration: dict | None
    result_due_date: str | None
    correlation_id: str | None
    shep_message_id: str | None
    outcome: str | None
    result: dict | None
    issued: dict | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None
    result_at: dt.datetime | None


@dataclass(frozen=True)
class NewApplication:
    office: str
    operator: str
    service_code: str
    provider_code: str | None
    applicant_iin: str
    record: dict


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(ALMATY).isoformat(timespec="seconds") if moment else None


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


_JSON_COLUMNS = {"record", "registration", "result", "issued"}
_TIME_COLUMNS = {"sent_at", "result_at"}
_UPDATABLE = {"status", "record", "provider_status", "registration", "result_due_date",
              "correlation_id", "shep_message_id", "outcome", "result", "issued", "sent_at",
              "result_at"}


def _row(row: dict) -> Application:
    return Application(
        number=row["number"], office=row["office"], operator=row["operator"],
        service_code=row["service_code"], provider_code=row["provider_code"],
        status=row["status"], applicant_iin=row["applicant_iin"], record=_loads(row["record"]),
        provider_status=row["provider_status"], registration=_loads(row["registration"]),
        result_due_date=row["result_due_date"], correlation_id=row["correlation_id"],
        shep_message_id=row["shep_message_id"], outcome=row["outcome"],
        result=_loads(row["result"]), issued=_loads(row["issued"]),
        created_at=from_db_time(row["created_at"]), updated_at=from_db_time(row["updated_at"]),
        sent_at=from_db_time(row["sent_at"]), result_at=from_db_time(row["result_at"]))


class ApplicationStore:
    """Every read and write of applications; each write is one transaction."""

    def __init__(self, db: Database, *, clock: Clock = system_clock):
        db.migrate(APPLICATIONS_SCHEMA)
        self.db, self.clock = db, clock

    # -- writes -----------------------------------------------------------------------------

    def create(self, new: NewApplication, *, status: str, history: Sequence[HistoryEntry],
               notices: Callable[[str], Iterable[NoticeRecord]] = lambda number: (),
               files: Iterable[StoredFile] = ()) -> Application:
        """Insert the application with its history, notices (built from its new number) and files."""
        now = self.clock()
        with self.db.transaction() as tx:
            seq = tx.insert(
                "INSERT INTO con_applications (number, office, operator, service_code, provider_code,"
                " status, applicant_iin, record, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (f"pending-{ids.new_uuid()}", new.office, new.operator, new.service_code,
                 new.provider_code, status, new.applicant_iin, _dumps(new.record), now, now),
                id_column="seq")
            number = f"CON-{now.astimezone(ALMATY).year}-{seq:07d}"
            tx.execute("UPDATE con_applications SET number = ? WHERE seq = ?", (number, seq))
            self._append(tx, number, history)
            for notice in notices(number):
                self._put_notice(tx, number, notice)
            for f in files:
                self._put_file(tx, number, f, now)
        return self.get(number)

    def update(self, number: str, *, expect: Iterable[str] | None = None,
               history: Sequence[HistoryEntry] = (), notices: Iterable[NoticeRecord] = (),
               files: Iterable[StoredFile] = (), **changes: Any) -> Application:
        """Change columns, append history, add notices and files, in one transaction.

        ``expect``: the statuses the application must be in, else :class:`StatusConflict` (the
        check and the change happen under the same write lock).
        """
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
        now = self.clock()
        with self.db.transaction() as tx:
            current = tx.scalar("SELECT status FROM con_applications WHERE number = ?", (number,))
            if current is None:
                raise KeyError(number)
            if expect is not None and current not in set(expect):
                raise StatusConflict(f"application {number} is {current}; this step needs "
                                     f"{' or '.join(expect)}")
            sets: list[str] = ["updated_at = ?"]
            params: list[Any] = [now]
            for column, value in changes.items():
                sets.append(f"{column} = ?")
                params.append(_dumps(value) if column in _JSON_COLUMNS else value)
            params.append(number)
            tx.execute(f"UPDATE con_applications SET {', '.join(sets)} WHERE number = ?", params)
            self._append(tx, number, history)
            for notice in notices:
                self._put_notice(tx, number, notice)
            for f in files:
                self._put_file(tx, number, f, now)
        return self.get(number)

    def add_history(self, number: str, entries: Sequence[HistoryEntry]) -> None:
        with self.db.transaction() as tx:
            self._append(tx, number, entries)

    def _append(self, tx: Transaction, number: str, entries: Sequence[HistoryEntry]) -> None:
        for e in entries:
            tx.insert("INSERT INTO con_history (application, at, step, event, message, detail)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      (number, e.at, e.step, e.event, e.message, _dumps(e.detail)))

    def _put_notice(self, tx: Transaction, number: str, notice: NoticeRecord) -> None:
        tx.execute("DELETE FROM con_notices WHERE application = ? AND kind = ?", (number, notice.kind))
        tx.execute("INSERT INTO con_notices (application, kind, number, issued_at, body)"
                   " VALUES (?, ?, ?, ?, ?)",
                   (number, notice.kind, notice.number, notice.issued_at, _dumps(notice.body)))

    def _put_file(self, tx: Transaction, number: str, f: StoredFile, now: dt.datetime) -> None:
        tx.execute("DELETE FROM con_files WHERE application = ? AND name = ?", (number, f.name))
        tx.execute("INSERT INTO con_files (application, name, media_type, content, created_at)"
                   " VALUES (?, ?, ?, ?, ?)", (number, f.name, f.media_type, f.content, now))

    # -- reads ------------------------------------------------------------------------------

    def get(self, number: str) -> Application | None:
        row = self.db.query_one("SELECT * FROM con_applications WHERE number = ?", (number,))
        return None if row is None else _row(row)

    def get_for_office(self, number: str, office: str) -> Application | None:
        """The application if it belongs to ``office``; None otherwise (also for another office's)."""
        row = self.db.query_one("SELECT * FROM con_applications WHERE number = ? AND office = ?",
                                (number, office))
        return None if row is None else _row(row)

    def list(self, office: str, *, status: str | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[Application], int]:
        where, params = "office = ?", [office]
        if status:
            where += " AND status = ?"
            params.append(status)
        total = self.db.scalar(f"SELECT COUNT(*) FROM con_applications WHERE {where}", params)
        rows = self.db.query(f"SELECT * FROM con_applications WHERE {where}"
                             " ORDER BY seq DESC LIMIT ? OFFSET ?", [*params, limit, offset])
        return [_row(r) for r in rows], int(total)

    def history(self, number: str) -> builtins.list[HistoryEntry]:
        rows = self.db.query("SELECT at, step, event, message, detail FROM con_history"
                             " WHERE application = ? ORDER BY id", (number,))
        return [HistoryEntry(from_db_time(r["at"]), r["step"], r["event"], r["message"],
                             _loads(r["detail"])) for r in rows]

    def notices(self, number: str) -> builtins.list[NoticeRecord]:
        rows = self.db.query("SELECT kind, number, issued_at, body FROM con_notices"
                             " WHERE application = ? ORDER BY issued_at, kind", (number,))
        return [NoticeRecord(r["kind"], r["number"], from_db_time(r["issued_at"]),
                             _loads(r["body"])) for r in rows]

    def notice(self, number: str, kind: str) -> NoticeRecord | None:
        return next((n for n in self.notices(number) if n.kind == kind), None)

    def file(self, number: str, name: str) -> StoredFile | None:
        row = self.db.query_one("SELECT name, media_type, content FROM con_files"
                                " WHERE application = ? AND name = ?", (number, name))
        return None if row is None else StoredFile(row["name"], row["media_type"], bytes(row["content"]))

    def file_names(self, number: str) -> builtins.list[str]:
        return [r["name"] for r in self.db.query(
            "SELECT name FROM con_files WHERE application = ? ORDER BY name", (number,))]


def iso(moment: dt.datetime | None) -> str | None:
    """A stored time as the API shows it: ISO-8601 in Kazakhstan time."""
    return _iso(moment)


__all__ = ["ACCEPTED", "AT_PROVIDER", "Application", "ApplicationStore", "DATA_UNAVAILABLE",
           "HistoryEntry", "ISSUED", "NewApplication", "NoticeRecord", "OPEN_AT_PROVIDER",
           "REFUSED_AT_INTAKE", "RESULT_READY", "SENT", "STATUSES", "StatusConflict", "StoredFile",
           "iso"]
