"""The personal cabinet's storage: drafts, requests, their status history and results.

Everything lives in the embedded database (egov_sim.core.database), so requests survive a restart.
A request is written (committed) before anything is sent or answered, and every change of
status is one transaction together with the history entry that explains it: the cabinet never
shows a status without its reason.
"""

from __future__ import annotations

import builtins  # a method of the store is named list
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from egov_sim.core.database import Database, Schema, from_db_time, to_db_time
from egov_sim.reference.person import PersonName

from .notices import notice as notice_of

PORTAL_SCHEMA = Schema("portal", (
    ("""CREATE TABLE portal_users (
            iin TEXT PRIMARY KEY, surname TEXT NOT NULL, name TEXT NOT NULL, patronymic TEXT,
            birth_date TEXT, registered_at TEXT NOT NULL, registry_message_id TEXT)""",
     """CREATE TABLE portal_drafts (
            id {id}, request_id TEXT UNIQUE, owner_iin TEXT NOT NULL, service_code TEXT NOT NULL,
            provider_code TEXT NOT NULL, created_at TEXT NOT NULL, xml {blob})""",
     """CREATE TABLE portal_requests (
            request_id TEXT PRIMARY KEY, owner_iin TEXT NOT NULL, service_code TEXT NOT NULL,
            provider_code TEXT NOT NULL, route_id TEXT NOT NULL, status TEXT NOT NULL,
            notice_code TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            signed_xml {blob} NOT NULL, xml_sha256 TEXT NOT NULL, signer_json TEXT,
            registration_number TEXT, registration_date TEXT, result_due_date TEXT,
            message_id TEXT, correlation_id TEXT, attempts INTEGER NOT NULL DEFAULT 0)""",
     "CREATE INDEX portal_requests_owner ON portal_requests (owner_iin, created_at)",
     "CREATE INDEX portal_requests_status ON portal_requests (status)",
     """CREATE TABLE portal_history (
            id {id}, request_id TEXT NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL,
            event TEXT NOT NULL, step TEXT, check_id TEXT, notice_code TEXT, reason_code TEXT,
            message TEXT NOT NULL, detail TEXT)""",
     "CREATE INDEX portal_history_request ON portal_history (request_id, id)",
     """CREATE TABLE portal_results (
            request_id TEXT PRIMARY KEY, received_at TEXT NOT NULL, outcome TEXT NOT NULL,
            xml {blob} NOT NULL, signer_json TEXT, summary TEXT NOT NULL)"""),
))

# status → (ru, kk); the order is the order of the flow (a later one never goes back).
STATUSES: dict[str, tuple[str, str]] = {
    "submitted": ("Запрос подан", "Сұрау салу берілді"),
    "sending": ("Отправляется услугодателю", "Көрсетілетін қызметті берушіге жіберілуде"),
    "not_delivered": ("Не доставлен услугодателю", "Көрсетілетін қызметті берушіге жеткізілмеді"),
    "accepted": ("Запрос принят", "Сұрау салу қабылданды"),
    "registered": ("Зарегистрирован у услугодателя", "Көрсетілетін қызметті берушіде тіркелді"),
    "in_review": ("На рассмотрении", "Қаралуда"),
    "result_ready": ("Результат готов", "Нәтиже дайын"),
    "refused": ("Отказано", "Бас тартылды"),
}
_RANK = {"submitted": 0, "sending": 1, "not_delivered": 1, "accepted": 2, "registered": 3,
         "in_review": 4, "result_ready": 9, "refused": 9}
FINAL = frozenset({"result_ready", "refused"})
_RESULT_NOTICES = ("RESULT_READY", "DOCUMENTS_REFUSED")
"""Final notices that come with the provider's signed result (a portal refusal has none)."""


def advances(current: str, new: str) -> bool:
    """Whether ``new`` may replace ``current``: forward in the flow, never out of a final status."""
    if current in FINAL:
        return False
    return _RANK[new] >= _RANK[current]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


@dataclass(frozen=True)
class PortalUser:
    iin: str
    surname: str
    name: str
    patronymic: str | None = None
    birth_date: str | None = None

    @property
    def person_name(self) -> PersonName:
        return PersonName(self.surname, self.name, self.patronymic)

    @property
    def full_name(self) -> str:
        return self.person_name.full

    def to_json(self) -> dict:
        return {"iin": self.iin, "surname": self.surname, "name": self.name,
                "patronymic": self.patronymic, "birthDate": self.birth_date}


@dataclass(frozen=True)
class Draft:
    request_id: str
    owner_iin: str
    service_code: str
    provider_code: str
    created_at: dt.datetime


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    status: str
    event: str
    message: str
    step: str | None = None
    check: str | None = None
    notice_code: str | None = None
    reason_code: str | None = None
    detail: Any = None

    def to_json(self) -> dict:
        n = notice_of(self.notice_code)
        return {"at": self.at.isoformat(), "status": self.status, "event": self.event,
                "step": self.step, "check": self.check, "reasonCode": self.reason_code,
                "message": self.message, "notice": n.to_json() if n else None,
                "detail": self.detail}


@dataclass(frozen=True)
class PortalRequest:
    request_id: str
    owner_iin: str
    service_code: str
    provider_code: str
    route_id: str
    status: str
    notice_code: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    xml_sha256: str
    signer: Any = None
    registration_number: str | None = None
    registration_date: str | None = None
    result_due_date: str | None = None
    message_id: str | None = None
    correlation_id: str | None = None
    attempts: int = 0
    history: tuple[HistoryEntry, ...] = field(default=(), compare=False)

    def to_json(self, *, with_history: bool = True) -> dict:
        ru, kk = STATUSES[self.status]
        n = notice_of(self.notice_code)
        out = {
            "requestId": self.request_id, "serviceCode": self.service_code,
            "providerCode": self.provider_code, "routeId": self.route_id,
            "status": self.status, "statusRu": ru, "statusKk": kk,
            "notice": n.to_json() if n else None,
            "createdAt": self.created_at.isoformat(), "updatedAt": self.updated_at.isoformat(),
            "registration": ({"number": self.registration_number, "date": self.registration_date}
                             if self.registration_number else None),
            "resultDueDate": self.result_due_date, "shepMessageId": self.message_id,
            "correlationId": self.correlation_id, "deliveryAttempts": self.attempts,
            "signer": self.signer,
            "resultAvailable": self.status in FINAL and self.notice_code in _RESULT_NOTICES,
        }
        if with_history:
            out["history"] = [h.to_json() for h in self.history]
        return out


@dataclass(frozen=True)
class StoredResult:
    request_id: str
    received_at: dt.datetime
    outcome: str
    xml: bytes
    signer: Any
    summary: Any


@dataclass(frozen=True)
class Event:
    """One history entry to write, with the status it leads to (None: status unchanged)."""

    event: str
    message: str
    status: str | None = None
    step: str | None = None
    check: str | None = None
    notice_code: str | None = None
    reason_code: str | None = None
    detail: Any = None


_REQUEST_COLUMNS = ("request_id, owner_iin, service_code, provider_code, route_id, status, notice_code,"
                    " created_at, updated_at, xml_sha256, signer_json, registration_number,"
                    " registration_date, result_due_date, message_id, correlation_id, attempts")
_UPDATABLE = {"notice_code", "signer_json", "registration_number", "registration_date",
              "result_due_date", "message_id", "correlation_id", "attempts"}


class RequestStore:
    """The portal's tables in one database."""

    def __init__(self, db: Database, *, clock):
        db.migrate(PORTAL_SCHEMA)
        self.db, self.clock = db, clock

    # --- users -----------------------------------------------------------------------------

    def add_user(self, user: PortalUser, *, registry_message_id: str | None) -> None:
        self.db.execute(
            "INSERT INTO portal_users (iin, surname, name, patronymic, birth_date, registered_at,"
            " registry_message_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user.iin, user.surname, user.name, user.patronymic, user.birth_date,
             to_db_time(self.clock()), registry_message_id))

    def user(self, iin: str) -> PortalUser | None:
        row = self.db.query_one("SELECT iin, surname, name, patronymic, birth_date FROM portal_users"
                                " WHERE iin = ?", (iin,))
        return None if row is None else PortalUser(row["iin"], row["surname"], row["name"],
                                                   row["patronymic"], row["birth_date"])

    # --- drafts ----------------------------------------------------------------------------

    def create_draft(self, owner_iin: str, service_code: str, provider_code: str,
                     build: Callable[[Draft], bytes]) -> tuple[Draft, bytes]:
        """A new draft with a fresh request number PRT-<year>-<7 digits> (the sender's
        requestId) and its unsigned document, ``build(draft)``, stored together."""
        now = self.clock()
        with self.db.transaction() as tx:
            row_id = tx.insert("INSERT INTO portal_drafts (owner_iin, service_code, provider_code,"
                               " created_at) VALUES (?, ?, ?, ?)",
                               (owner_iin, service_code, provider_code, to_db_time(now)))
            draft = Draft(f"PRT-{now.year}-{row_id:07d}", owner_iin, service_code, provider_code, now)
            xml = build(draft)
            tx.execute("UPDATE portal_drafts SET request_id = ?, xml = ? WHERE id = ?",
                       (draft.request_id, xml, row_id))
        return draft, xml

    def draft_xml(self, request_id: str) -> bytes | None:
        value = self.db.scalar("SELECT xml FROM portal_drafts WHERE request_id = ?", (request_id,))
        return None if value is None else bytes(value)

    def draft(self, request_id: str) -> Draft | None:
        row = self.db.query_one("SELECT request_id, owner_iin, service_code, provider_code, created_at"
                                " FROM portal_drafts WHERE request_id = ?", (request_id,))
        if row is None:
            return None
        return Draft(row["request_id"], row["owner_iin"], row["service_code"], row["provider_code"],
                     from_db_time(row["created_at"]))

    # --- requests --------------------------------------------------------------------------

    def create(self, draft: Draft, route_id: str, signed_xml: bytes, sha256: str,
               first: Event) -> PortalRequest:
        """Commit the submitted request with its first history entry, before any check runs."""
        now = to_db_time(self.clock())
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO portal_requests (request_id, owner_iin, service_code, provider_code,"
                " route_id, status, created_at, updated_at, signed_xml, xml_sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (draft.request_id, draft.owner_iin, draft.service_code, draft.provider_code,
                 route_id, first.status or "submitted", now, now, signed_xml, sha256))
            self._history(tx, draft.request_id, first.status or "submitted", first, now)
        return self.get(draft.request_id)

    def get(self, request_id: str, *, owner_iin: str | None = None) -> PortalRequest | None:
        """The request, or None when it does not exist or belongs to someone else."""
        row = self.db.query_one(f"SELECT {_REQUEST_COLUMNS} FROM portal_requests WHERE request_id = ?",
                                (request_id,))
        if row is None or (owner_iin is not None and row["owner_iin"] != owner_iin):
            return None
        return self._request(row, self.history(request_id))

    def list(self, owner_iin: str) -> list[PortalRequest]:
        rows = self.db.query(f"SELECT {_REQUEST_COLUMNS} FROM portal_requests WHERE owner_iin = ?"
                             " ORDER BY created_at DESC, request_id DESC", (owner_iin,))
        return [self._request(r, ()) for r in rows]

    def signed_xml(self, request_id: str) -> bytes | None:
        value = self.db.scalar("SELECT signed_xml FROM portal_requests WHERE request_id = ?",
                               (request_id,))
        return None if value is None else bytes(value)

    def pending_delivery(self) -> builtins.list[str]:
        """Requests that passed the portal's checks but have no ШЭП acknowledgement yet."""
        rows = self.db.query("SELECT request_id FROM portal_requests WHERE status IN"
                             " ('sending', 'not_delivered') ORDER BY created_at")
        return [r["request_id"] for r in rows]

    def record(self, request_id: str, event: Event, *, only_from: tuple[str, ...] | None = None,
               **fields: Any) -> bool:
        """Write ``event`` (and its status, and ``fields``) in one transaction.

        The status changes only forward (see :func:`advances`) and, with ``only_from``, only
        from those statuses; otherwise the event is still written to the history, under the
        status the request keeps, so nothing received is ever silently dropped. Returns whether
        the status changed.
        """
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        now = to_db_time(self.clock())
        with self.db.transaction() as tx:
            current = tx.scalar("SELECT status FROM portal_requests WHERE request_id = ?", (request_id,))
            if current is None:
                raise KeyError(request_id)
            changes = event.status is not None and advances(current, event.status) and (
                only_from is None or current in only_from)
            status = event.status if changes else current
            sets = {"updated_at": now, **({"status": status} if changes else {}), **fields}
            if changes and event.notice_code:
                sets["notice_code"] = event.notice_code
            assignments = ", ".join(f"{k} = :{k}" for k in sets)
            tx.execute(f"UPDATE portal_requests SET {assignments} WHERE request_id = :request_id",
                       {**sets, "request_id": request_id})
            self._history(tx, request_id, status, event, now)
        return changes

    def bump_attempts(self, request_id: str) -> int:
        with self.db.transaction() as tx:
            tx.execute("UPDATE portal_requests SET attempts = attempts + 1 WHERE request_id = ?",
                       (request_id,))
            return int(tx.scalar("SELECT attempts FROM portal_requests WHERE request_id = ?",
                                 (request_id,)))

    def history(self, request_id: str) -> tuple[HistoryEntry, ...]:
        rows = self.db.query("SELECT at, status, event, step, check_id, notice_code, reason_code,"
                             " message, detail FROM portal_history WHERE request_id = ? ORDER BY id",
                             (request_id,))
        return tuple(HistoryEntry(from_db_time(r["at"]), r["status"], r["event"], r["message"],
                                  r["step"], r["check_id"], r["notice_code"], r["reason_code"],
                                  _loads(r["detail"])) for r in rows)

    # --- results ---------------------------------------------------------------------------

    def save_result(self, request_id: str, outcome: str, xml: bytes, signer: Any, summary: Any,
                    event: Event, **fields: Any) -> bool:
        """Store the provider's signed result and move the request to its final status, at once.
        A second delivery of a result for the same request is kept in the history only."""
        now = to_db_time(self.clock())
        with self.db.transaction() as tx:
            exists = tx.scalar("SELECT 1 FROM portal_results WHERE request_id = ?", (request_id,))
            if not exists:
                tx.execute("INSERT INTO portal_results (request_id, received_at, outcome, xml,"
                           " signer_json, summary) VALUES (?, ?, ?, ?, ?, ?)",
                           (request_id, now, outcome, xml, _json(signer), _json(summary)))
            if exists:
                event, fields = Event("RESULT_DUPLICATE", "the result was delivered again; the "
                                      "first one is kept", step=event.step, detail=event.detail), {}
            changed = self.record(request_id, event, **fields)
        return changed

    def result(self, request_id: str) -> StoredResult | None:
        row = self.db.query_one("SELECT request_id, received_at, outcome, xml, signer_json, summary"
                                " FROM portal_results WHERE request_id = ?", (request_id,))
        if row is None:
            return None
        return StoredResult(row["request_id"], from_db_time(row["received_at"]), row["outcome"],
                            bytes(row["xml"]), _loads(row["signer_json"]), _loads(row["summary"]))

    # --- helpers ---------------------------------------------------------------------------

    def _history(self, tx, request_id: str, status: str, event: Event, at: str) -> None:
        tx.execute(
            "INSERT INTO portal_history (request_id, at, status, event, step, check_id, notice_code,"
            " reason_code, message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (request_id, at, status, event.event, event.step, event.check, event.notice_code,
             event.reason_code, event.message, _json(event.detail)))

    def _request(self, row, history) -> PortalRequest:
        return PortalRequest(
            row["request_id"], row["owner_iin"], row["service_code"], row["provider_code"],
            row["route_id"], row["status"], row["notice_code"], from_db_time(row["created_at"]),
            from_db_time(row["updated_at"]), row["xml_sha256"], _loads(row["signer_json"]),
            row["registration_number"], row["registration_date"], row["result_due_date"],
            row["message_id"], row["correlation_id"], int(row["attempts"] or 0), tuple(history))
