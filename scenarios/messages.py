"""The ШЭП messages a scenario caused, read from the gateway's journal, and the check of
``expect.messages``.

In process the journal is the app's own (``app.state.gateway.journal``) and holds only this
scenario's exchanges. Against a running server it is read through the admin API
(``/admin/journal``) from the last entry before the scenario started: any other traffic on that
server in the meantime is counted too (docs/engine.md).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Protocol

from egov_sim.core.database import from_db_time
from egov_sim.reference.personas import PERSONAS

from .model import ExpectedMessage
from .results import MessageRecord


class JournalView(Protocol):
    def last_id(self) -> int: ...

    def entries_after(self, journal_id: int) -> list[dict]: ...
    """Entries with bodies as the admin API's JSON (camelCase), oldest first."""


class LocalJournal:
    def __init__(self, journal):
        self.journal = journal

    def last_id(self) -> int:
        return int(self.journal.db.scalar("SELECT COALESCE(MAX(id), 0) FROM shep_journal"))

    def entries_after(self, journal_id: int) -> list[dict]:
        rows = self.journal.db.query("SELECT id FROM shep_journal WHERE id > ? ORDER BY id", (journal_id,))
        return [self.journal.get(r["id"]).to_dict(bodies=True) for r in rows]


class RemoteJournal:
    def __init__(self, client):
        self.client = client

    def last_id(self) -> int:
        r = self.client.get("/admin/journal", params={"limit": 1})
        r.raise_for_status()
        items = r.json().get("items") or []
        return int(items[0]["id"]) if items else 0

    def entries_after(self, journal_id: int) -> list[dict]:
        out, offset = [], 0
        while True:  # newest first, pages of 1000, until we pass journal_id
            r = self.client.get("/admin/journal", params={"limit": 1000, "offset": offset})
            r.raise_for_status()
            items = r.json().get("items") or []
            fresh = [i for i in items if int(i["id"]) > journal_id]
            out += fresh
            if len(fresh) < len(items) or len(items) < 1000:
                break
            offset += 1000
        bodies = []
        for item in sorted(out, key=lambda i: int(i["id"])):
            r = self.client.get(f"/admin/journal/{item['id']}")
            r.raise_for_status()
            bodies.append(r.json())
        return bodies


def journal_view(systems) -> JournalView:
    return LocalJournal(systems.journal) if systems.local else RemoteJournal(systems.client)


def records(entries: Iterable[dict], node_of: dict[int, str]) -> tuple[MessageRecord, ...]:
    return tuple(MessageRecord(
        journal_id=int(e["id"]), service_id=e.get("serviceId"), sender_id=e.get("senderId"),
        route_id=e.get("routeId"), outcome=e.get("errorCode") or e.get("statusCode"),
        signature=e.get("requestSignature") or "absent", at=_time(e.get("receivedAt")),
        request_body=e.get("requestBody") or "", response_body=e.get("responseBody") or "",
        node_id=node_of.get(int(e["id"])),
        signature_algorithm=(e.get("signatureDetails") or {}).get("algorithm")) for e in entries)


def _time(value: str | None) -> dt.datetime:
    return from_db_time(value) if value else dt.datetime.now(dt.UTC)


def check(expected: Iterable[ExpectedMessage], messages: tuple[MessageRecord, ...]) -> list[str]:
    """One line per expectation the messages do not meet."""
    problems = []
    for want in expected:
        iin = PERSONAS[want.iin].iin if want.iin in PERSONAS else want.iin
        token = re.compile(rf"(?<![0-9A-Za-z]){iin}(?![0-9A-Za-z])") if iin else None
        found = [m for m in messages if m.service_id == want.service_id
                 and (token is None or token.search(m.request_body))]
        if len(found) != want.count:
            ids = ", ".join(f"#{m.journal_id}" for m in found) or "none"
            problems.append(f"messages: expected {want.count} × {want.service_id}"
                            + (f" with IIN {iin}" if iin else "") + f", found {len(found)} ({ids})")
    return problems
