"""The AsyncChannel's durable queue: every accepted message, its delivery state, and the claims
that hand it to exactly one puller or pusher at a time.

Why it looks like this:

* **Accepted means committed.** ``sendMessage`` answers only after :meth:`AsyncQueue.accept`
  committed the row (SQLite ``synchronous=FULL`` or PostgreSQL), so a ``kill -9`` right after the
  answer loses nothing.
* **One claimant per message.** ``getMessages`` and the push worker take messages with
  :meth:`claim`: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` in the claiming transaction
  (workers on several hosts skip each other's rows), on SQLite the select and the update run in
  one ``BEGIN IMMEDIATE`` transaction (one writer at a time across processes). A claim carries a
  lease (``claimed_until``); a message whose lease ran out without an acknowledgement is handed
  out again, counted as another attempt.
* **The four states of the contract** (``MessageState``): ``ON_DELIVERY`` until the recipient
  acknowledges (``DELIVERED``), refuses for good (``NOT_DELIVERED``), or the tries run out or the
  message expires (``DELIVERY_STOPPED``). Each change of a message whose sender has a push
  endpoint queues a status notification (``changeMassageStatusNotification``) in the same
  transaction.

Times are the injected clock's, stored as fixed-width UTC text (egov_sim.core.database).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from egov_sim.core import ids
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import POSTGRESQL, Database, Schema, Transaction, from_db_time, to_db_time

from .config import AsyncSettings


class MessageState(str, enum.Enum):
    ON_DELIVERY = "ON_DELIVERY"
    DELIVERED = "DELIVERED"
    NOT_DELIVERED = "NOT_DELIVERED"
    DELIVERY_STOPPED = "DELIVERY_STOPPED"


class Mode(str, enum.Enum):
    PULL = "pull"
    PUSH = "push"
    BUILTIN = "builtin"


FINAL = (MessageState.DELIVERED, MessageState.NOT_DELIVERED, MessageState.DELIVERY_STOPPED)

# SYNTHETIC status codes of MessageStatusInfo (the real ones are not public).
STATUS_QUEUED = ("QUEUED", "Сообщение принято ШЭП и ожидает доставки")
STATUS_DELIVERED = ("DELIVERED", "Сообщение доставлено получателю")
STATUS_RETRY = ("RETRY", "Доставка не удалась, будет повторена")
STATUS_REFUSED = ("NOT_ACCEPTED", "Получатель не принял сообщение")
STATUS_STOPPED = ("ATTEMPTS_EXHAUSTED", "Доставка остановлена: исчерпано число попыток")
STATUS_EXPIRED = ("EXPIRED", "Доставка остановлена: истёк срок хранения сообщения")

ASYNC_SCHEMA = Schema(
    component="shep_async",
    steps=(
        (
            """CREATE TABLE shep_async_messages (
                id {id},
                message_id TEXT NOT NULL UNIQUE,
                correlation_id TEXT NOT NULL,
                service_id TEXT NOT NULL,
                message_type TEXT NOT NULL,
                route_id TEXT,
                sender_id TEXT NOT NULL,
                recipient TEXT NOT NULL,
                mode TEXT NOT NULL,
                message {blob} NOT NULL,
                state TEXT NOT NULL,
                status_code TEXT NOT NULL,
                status_message TEXT NOT NULL,
                status_date TEXT NOT NULL,
                error_code TEXT,
                error_message TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                claimed_by TEXT,
                claimed_until TEXT,
                notification_id TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                delivered_at TEXT)""",
            "CREATE INDEX shep_async_pull ON shep_async_messages (recipient, service_id, state, id)",
            "CREATE INDEX shep_async_due ON shep_async_messages (state, mode, next_attempt_at)",
            "CREATE INDEX shep_async_correlation ON shep_async_messages (correlation_id)",
            """CREATE TABLE shep_async_notifications (
                id {id},
                notification_id TEXT NOT NULL UNIQUE,
                message_id TEXT NOT NULL,
                sender_id TEXT NOT NULL,
                state TEXT NOT NULL,
                status_code TEXT NOT NULL,
                status_message TEXT NOT NULL,
                status_date TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                claimed_until TEXT,
                done INTEGER NOT NULL DEFAULT 0)""",
            "CREATE INDEX shep_async_notify_due ON shep_async_notifications (done, next_attempt_at)",
        ),
        # version 2: the messageId a sender wrote itself, so a repeat finds its first message
        # (gateway/duplicates.py); unique per sender, the claim concurrent repeats race for
        (
            "ALTER TABLE shep_async_messages ADD COLUMN sender_message_id TEXT",
            "CREATE UNIQUE INDEX shep_async_sender_message ON shep_async_messages (sender_id, sender_message_id)",
        ),
    ),
)

_COLUMNS = ("id, message_id, correlation_id, service_id, message_type, route_id, sender_id,"
            " recipient, mode, message, state, status_code, status_message, status_date,"
            " error_code, error_message, attempts, next_attempt_at, claimed_by, claimed_until,"
            " notification_id, created_at, expires_at, delivered_at, sender_message_id")


@dataclass(frozen=True)
class QueuedMessage:
    id: int
    message_id: str
    correlation_id: str
    service_id: str
    message_type: str
    route_id: str | None
    sender_id: str
    recipient: str
    """The participant's senderId, or ``builtin:<name>`` for a provider inside the simulator."""
    mode: Mode
    message: bytes
    """The ``AsyncMessage`` (messageInfo with the gateway's ids, then messageData) as XML."""
    state: MessageState
    status_code: str
    status_message: str
    status_date: dt.datetime
    error_code: str | None
    error_message: str | None
    attempts: int
    next_attempt_at: dt.datetime
    claimed_by: str | None
    claimed_until: dt.datetime | None
    notification_id: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    delivered_at: dt.datetime | None
    sender_message_id: str | None = None
    """The messageId the sender wrote in its ``sendMessage`` (the contract says to leave it
    empty; many clients fill it): a repeat of it is the same message."""


@dataclass(frozen=True)
class StatusNotice:
    """A state change to push to the sender (``changeMassageStatusNotification``)."""

    id: int
    notification_id: str
    message_id: str
    sender_id: str
    state: MessageState
    status_code: str
    status_message: str
    status_date: dt.datetime
    attempts: int


def _row(r: dict) -> QueuedMessage:
    times = ("status_date", "next_attempt_at", "claimed_until", "created_at", "expires_at", "delivered_at")
    values: dict[str, Any] = {k: (from_db_time(v) if k in times else v) for k, v in r.items()}
    values["message"] = bytes(values["message"])
    values["state"] = MessageState(values["state"])
    values["mode"] = Mode(values["mode"])
    values["attempts"] = int(values["attempts"])
    return QueuedMessage(**values)


class AsyncQueue:
    def __init__(self, db: Database, *, settings: AsyncSettings = AsyncSettings(),
                 clock: Clock = system_clock, notify_senders=frozenset()):
        db.migrate(ASYNC_SCHEMA)
        self.db, self.settings, self.clock = db, settings, clock
        self.notify_senders = notify_senders
        """senderIds with a push endpoint: their messages' state changes are queued for them."""

    # --- accepting ------------------------------------------------------------------------

    def accept(self, *, message_id: str, correlation_id: str, service_id: str, message_type: str,
               route_id: str | None, sender_id: str, recipient: str, mode: Mode,
               message: bytes, sender_message_id: str | None = None) -> QueuedMessage:
        """Commit a new message (ON_DELIVERY); returns it when it is durable.

        When the sender wrote a ``sender_message_id`` it used before (its own messageId, or the
        messageId ШЭП gave its earlier message), nothing is stored and the earlier message is
        returned (its ``message_id`` is not the one asked for). The unique index decides
        between concurrent repeats."""
        now = self.clock()
        expires = now + dt.timedelta(seconds=self.settings.expiry)
        with self.db.transaction() as tx:
            if sender_message_id is not None:
                earlier = self._sent_before(tx, sender_id, sender_message_id)
                if earlier is not None:
                    return earlier
            taken = tx.execute(
                f"INSERT INTO shep_async_messages ({_COLUMNS.removeprefix('id, ')}) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, NULL, NULL, NULL, ?, ?, NULL, ?)"
                " ON CONFLICT (sender_id, sender_message_id) DO NOTHING",
                (message_id, correlation_id, service_id, message_type, route_id, sender_id,
                 recipient, mode.value, message, MessageState.ON_DELIVERY.value, *STATUS_QUEUED,
                 now, now, now, expires, sender_message_id))
            if taken != 1 and sender_message_id is not None:  # a concurrent repeat won
                earlier = self._sent_before(tx, sender_id, sender_message_id)
                if earlier is not None:
                    return earlier
            return self._get(tx, message_id)

    @staticmethod
    def _sent_before(ex, sender_id: str, sender_message_id: str) -> QueuedMessage | None:
        r = ex.query_one(f"SELECT {_COLUMNS} FROM shep_async_messages WHERE sender_id = ?"
                         " AND (sender_message_id = ? OR message_id = ?) ORDER BY id LIMIT 1",
                         (sender_id, sender_message_id, sender_message_id))
        return _row(r) if r else None

    # --- reading --------------------------------------------------------------------------

    def get(self, message_id: str) -> QueuedMessage | None:
        return self._get(self.db, message_id)

    @staticmethod
    def _get(ex, message_id: str) -> QueuedMessage | None:
        r = ex.query_one(f"SELECT {_COLUMNS} FROM shep_async_messages WHERE message_id = ?", (message_id,))
        return _row(r) if r else None

    def request_of(self, correlation_id: str) -> QueuedMessage | None:
        """The REQUEST that opened a correlation (the first message with this correlationId)."""
        r = self.db.query_one(f"SELECT {_COLUMNS} FROM shep_async_messages WHERE correlation_id = ?"
                              " AND message_type = 'REQUEST' ORDER BY id LIMIT 1", (correlation_id,))
        return _row(r) if r else None

    def count(self, **where) -> int:
        clauses = " AND ".join(f"{k} = ?" for k in where) or "1 = 1"
        return int(self.db.scalar(f"SELECT COUNT(*) FROM shep_async_messages WHERE {clauses}",
                                  tuple(v.value if isinstance(v, enum.Enum) else v for v in where.values())))

    # --- claiming -------------------------------------------------------------------------

    def claim_for_pull(self, recipient: str, service_id: str, *, limit: int,
                       message_id: str | None = None, correlation_id: str | None = None,
                       ) -> list[QueuedMessage]:
        """Hand at most ``limit`` waiting messages of ``recipient`` for ``service_id`` to one
        ``getMessages`` call; each is leased to it and counted as an attempt."""
        filters, params = "", [recipient, service_id]
        if message_id is not None:
            filters, params = " AND message_id = ?", params + [message_id]
        elif correlation_id is not None:
            filters, params = " AND correlation_id = ?", params + [correlation_id]
        return self._claim(
            "recipient = ? AND service_id = ? AND mode = 'pull'" + filters, params, limit,
            claimant=recipient, lease=self.settings.lease)

    def has_work(self) -> bool:
        """A cheap read (no write lock): is anything due for the pusher, expired, or to notify?
        The push loop of every worker asks this each poll; only a yes takes the write lock."""
        now = self.clock()
        return self.db.query_one(
            "SELECT 1 AS x FROM shep_async_messages WHERE state = 'ON_DELIVERY' AND ("
            "(mode IN ('push', 'builtin') AND next_attempt_at <= ? AND"
            " (claimed_until IS NULL OR claimed_until <= ?)) OR expires_at <= ?)"
            " UNION ALL SELECT 1 AS x FROM shep_async_notifications WHERE done = 0"
            " AND next_attempt_at <= ? LIMIT 1", (now, now, now, now)) is not None

    def claim_one(self, message_id: str, *, claimant: str) -> QueuedMessage | None:
        """This message for the pusher, if it is due and nobody holds it."""
        found = self._claim("message_id = ? AND mode IN ('push', 'builtin')", [message_id], 1,
                            claimant=claimant, lease=self.settings.push_timeout * 3 + 30)
        return found[0] if found else None

    def claim_due(self, *, limit: int, claimant: str) -> list[QueuedMessage]:
        """Messages for the push worker: due (push or built-in) and not leased to another."""
        return self._claim("mode IN ('push', 'builtin')", [], limit, claimant=claimant,
                           lease=self.settings.push_timeout * 3 + 30)

    def _claim(self, where: str, params: list, limit: int, *, claimant: str,
               lease: float) -> list[QueuedMessage]:
        now = self.clock()
        with self.db.transaction() as tx:
            self._sweep(tx, now)
            lock = " FOR UPDATE SKIP LOCKED" if tx.dialect is POSTGRESQL else ""
            rows = tx.query(
                f"SELECT id FROM shep_async_messages WHERE state = 'ON_DELIVERY' AND {where}"
                " AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)"
                f" ORDER BY id LIMIT ?{lock}", (*params, now, now, limit))
            ids = [int(r["id"]) for r in rows]
            if not ids:
                return []
            marks = ", ".join("?" for _ in ids)
            until = now + dt.timedelta(seconds=lease)
            tx.execute(f"UPDATE shep_async_messages SET claimed_by = ?, claimed_until = ?,"
                       f" attempts = attempts + 1 WHERE id IN ({marks})", (claimant, until, *ids))
            found = tx.query(f"SELECT {_COLUMNS} FROM shep_async_messages WHERE id IN ({marks})"
                             " ORDER BY id", ids)
        return [_row(r) for r in found]

    def _sweep(self, tx: Transaction, now: dt.datetime) -> None:
        """Stop what expired, and pulled messages whose last lease ran out at the last try."""
        expired = tx.query("SELECT message_id, sender_id FROM shep_async_messages WHERE"
                           " state = 'ON_DELIVERY' AND expires_at <= ?", (now,))
        for r in expired:
            self._set_state(tx, r["message_id"], r["sender_id"], MessageState.DELIVERY_STOPPED,
                            STATUS_EXPIRED, now)
        exhausted = tx.query("SELECT message_id, sender_id FROM shep_async_messages WHERE"
                             " state = 'ON_DELIVERY' AND mode = 'pull' AND attempts >= ?"
                             " AND claimed_until <= ?", (self.settings.max_attempts, now))
        for r in exhausted:
            self._set_state(tx, r["message_id"], r["sender_id"], MessageState.DELIVERY_STOPPED,
                            STATUS_STOPPED, now)

    # --- outcomes -------------------------------------------------------------------------

    def delivered(self, message_id: str, status: tuple[str, str] = STATUS_DELIVERED,
                  *, notification_id: str | None = None) -> QueuedMessage:
        now = self.clock()
        with self.db.transaction() as tx:
            m = self._get(tx, message_id)
            self._set_state(tx, message_id, m.sender_id, MessageState.DELIVERED, status, now,
                            notification_id=notification_id)
            return self._get(tx, message_id)

    def refused(self, message_id: str, status: tuple[str, str], *, error: tuple[str, str] | None = None,
                notification_id: str | None = None) -> QueuedMessage:
        """The recipient will not take it, and no resend helps: NOT_DELIVERED."""
        now = self.clock()
        with self.db.transaction() as tx:
            m = self._get(tx, message_id)
            self._set_state(tx, message_id, m.sender_id, MessageState.NOT_DELIVERED, status, now,
                            error=error, notification_id=notification_id)
            return self._get(tx, message_id)

    def retry(self, message_id: str, status: tuple[str, str] = STATUS_RETRY, *,
              error: tuple[str, str] | None = None) -> QueuedMessage:
        """A failed try: back in the queue after the backoff, or DELIVERY_STOPPED after the last."""
        now = self.clock()
        with self.db.transaction() as tx:
            m = self._get(tx, message_id)
            if m.state is not MessageState.ON_DELIVERY:
                return m
            if m.attempts >= self.settings.max_attempts:
                self._set_state(tx, message_id, m.sender_id, MessageState.DELIVERY_STOPPED,
                                STATUS_STOPPED, now, error=error)
            else:
                wait = min(self.settings.retry_backoff * 2 ** max(m.attempts - 1, 0), self.settings.retry_max)
                tx.execute("UPDATE shep_async_messages SET claimed_by = NULL, claimed_until = NULL,"
                           " next_attempt_at = ?, status_code = ?, status_message = ?, status_date = ?,"
                           " error_code = ?, error_message = ? WHERE message_id = ?",
                           (now + dt.timedelta(seconds=wait), *status, now,
                            *(error or (None, None)), message_id))
            return self._get(tx, message_id)

    def stop_unjournaled(self, message_id: str) -> None:
        """The sender got a fault (the journal failed): the message must not go out."""
        with self.db.transaction() as tx:
            m = self._get(tx, message_id)
            # the sender's messageId is given back: its retry is a new message, not this one
            tx.execute("UPDATE shep_async_messages SET sender_message_id = NULL WHERE message_id = ?",
                       (message_id,))
            if m is not None and m.state is MessageState.ON_DELIVERY:
                self._set_state(tx, message_id, m.sender_id, MessageState.DELIVERY_STOPPED,
                                ("NOT_JOURNALED", "Доставка остановлена: обмен не записан в журнал"),
                                self.clock())

    def _set_state(self, tx: Transaction, message_id: str, sender_id: str, state: MessageState,
                   status: tuple[str, str], now: dt.datetime, *, error=None,
                   notification_id: str | None = None) -> None:
        tx.execute("UPDATE shep_async_messages SET state = ?, status_code = ?, status_message = ?,"
                   " status_date = ?, error_code = ?, error_message = ?, claimed_until = NULL,"
                   " notification_id = ?, delivered_at = ? WHERE message_id = ?",
                   (state.value, *status, now, *(error or (None, None)), notification_id,
                    now if state is MessageState.DELIVERED else None, message_id))
        if sender_id in self.notify_senders:
            tx.insert("INSERT INTO shep_async_notifications (notification_id, message_id, sender_id,"
                      " state, status_code, status_message, status_date, attempts, next_attempt_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
                      (str(ids.new_uuid()), message_id, sender_id, state.value, *status, now, now))

    # --- status notifications to senders -------------------------------------------------

    def claim_notices(self, *, limit: int) -> list[StatusNotice]:
        now = self.clock()
        with self.db.transaction() as tx:
            lock = " FOR UPDATE SKIP LOCKED" if tx.dialect is POSTGRESQL else ""
            rows = tx.query("SELECT id FROM shep_async_notifications WHERE done = 0 AND next_attempt_at <= ?"
                            " AND (claimed_until IS NULL OR claimed_until <= ?)"
                            f" ORDER BY id LIMIT ?{lock}", (now, now, limit))
            ids = [int(r["id"]) for r in rows]
            if not ids:
                return []
            marks = ", ".join("?" for _ in ids)
            tx.execute(f"UPDATE shep_async_notifications SET attempts = attempts + 1, claimed_until = ?"
                       f" WHERE id IN ({marks})",
                       (now + dt.timedelta(seconds=self.settings.push_timeout * 3 + 30), *ids))
            found = tx.query("SELECT id, notification_id, message_id, sender_id, state, status_code,"
                             f" status_message, status_date, attempts FROM shep_async_notifications"
                             f" WHERE id IN ({marks}) ORDER BY id", ids)
        return [StatusNotice(int(r["id"]), r["notification_id"], r["message_id"], r["sender_id"],
                             MessageState(r["state"]), r["status_code"], r["status_message"],
                             from_db_time(r["status_date"]), int(r["attempts"])) for r in found]

    def notice_done(self, notice: StatusNotice, *, ok: bool) -> None:
        now = self.clock()
        give_up = not ok and notice.attempts >= self.settings.max_attempts
        wait = min(self.settings.retry_backoff * 2 ** max(notice.attempts - 1, 0), self.settings.retry_max)
        self.db.execute("UPDATE shep_async_notifications SET done = ?, claimed_until = NULL,"
                        " next_attempt_at = ? WHERE id = ?",
                        (1 if ok else (2 if give_up else 0), now + dt.timedelta(seconds=wait), notice.id))

    def notices(self, message_id: str) -> list[dict]:
        return self.db.query("SELECT notification_id, state, status_code, done, attempts FROM"
                             " shep_async_notifications WHERE message_id = ? ORDER BY id", (message_id,))


__all__ = ["AsyncQueue", "MessageState", "Mode", "QueuedMessage", "StatusNotice", "FINAL",
           "ASYNC_SCHEMA", "to_db_time"]
