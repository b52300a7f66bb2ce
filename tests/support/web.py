"""A whole simulator with its pages on loopback, an NCALayer emulator beside it, and an HTTP
client that fills forms as a browser does (cookies, CSRF tokens) — for the page tests.

Everything runs on the tests' fixed clock (TEST_MONDAY): the test PKI, the sessions, the
registrations and due dates; no test depends on today's date.
"""

from __future__ import annotations

import contextlib
import re
import time
import warnings
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Iterator

import httpx

from egov_sim.app.server import build_app
from egov_sim.core.clock import Clock
from egov_sim.core.settings import Settings
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.signing.ncalayer.assembly import build_ncalayer
from egov_sim.signing.ncalayer.server import Listen, running
from tests.support.rshep import TEST_MONDAY
from tests.support.rshep import Clock as MovableClock

GUARDIAN = "780314401012"
WARD = "180722501110"
POA_PRINCIPAL = "560630302314"
POA_AGENT = "900909402419"
PORTAL_PASSWORD = "Qwerty-123"
GUARDIAN_SERVICE = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"
GUARDIAN_FORM = {"guardianIin": GUARDIAN, "childIin": WARD, "childFullName": "СЕРИКОВ АЛИХАН ДАНИЯРОВИЧ",
                 "guardianRole": "guardian", "guardianshipDecisionNumber": "SIM-123",
                 "guardianshipDecisionDate": "2023-01-10", "accountIban": "KZ000000000000000001"}
PORTAL_DOCUMENTS = ("GUARDIANSHIP_DECISION", "CHILD_BIRTH_CERTIFICATE", "PARENTS_STATUS", "BANK_ACCOUNT")
PDF = b"%PDF-1.4\n% egov-sim test e-copy\n"

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@dataclass
class Live:
    url: str
    app: object
    ncalayer_url: str
    ncalayer: object
    clock: Clock
    home: Path


@contextlib.contextmanager
def live_simulator(home: Path, *, clock: Clock | None = None, admin_token: str | None = None) -> Iterator[Live]:
    """The simulator (every system and its pages) and an NCALayer emulator holding the guardian's
    key from the simulator's own test PKI, both on free loopback ports (plain ws)."""
    clock = clock or MovableClock(TEST_MONDAY)
    port, ncalayer_port = free_port(), free_port()
    config = None
    if admin_token:
        config = home.parent / f"{home.name}-gateway.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[gateway]\nadmin_token = "{admin_token}"\n', encoding="utf-8")
    settings = Settings(home=home, port=port, population=200, fast_password_hashing=True,
                        ncalayer_url=f"ws://127.0.0.1:{ncalayer_port}", config_file=config)
    app = build_app(settings, clock=clock)
    emulator = build_ncalayer(app.state.pki, personas=["guardian"], clock=clock)
    with running(emulator, Listen(port=ncalayer_port, tls=False)) as ncalayer_url, \
            serve_in_thread(app, port=port) as url:
        yield Live(url, app, ncalayer_url, emulator, clock, home)


def delivery_story(app, limit: int = 12) -> str:
    """The newest AsyncChannel messages and АРМ outbox rows, for an assertion's message: when a
    result did not arrive, this says whether the try failed, is waiting for a retry, or was never
    sent (the test's clock is fixed, so a retry it schedules never comes due)."""
    db = app.state.database
    lines = ["AsyncChannel messages (newest first):"]
    for r in db.query("SELECT message_id, service_id, message_type, state, status_code, error_code,"
                      " error_message, attempts, claimed_by FROM shep_async_messages ORDER BY id DESC"
                      " LIMIT ?", (limit,)):
        lines.append("  " + " | ".join(str(v) for v in r.values()))
    lines.append("АРМ outbox (newest first):")
    for r in db.query("SELECT id, request, kind, status, state, attempts, last_error FROM arm_outbox"
                      " ORDER BY id DESC LIMIT ?", (limit,)):
        lines.append("  " + " | ".join(str(v) for v in r.values()))
    return "\n".join(lines)

def let_shep_retry(live: Live, *, wait: float = 20.0) -> None:
    """Let ШЭП retry a delivery to a built-in inbox whose first try failed, and wait for it.

    The AsyncChannel delivers at least once: a try that fails (on a loaded machine the inbox
    may miss its timeout) is retried after a back-off counted on the simulator's clock. The
    live tests' clock is fixed, so that retry would never come due; this moves the clock to
    it (seconds, the same day) and waits for the push loop. A try that failed is reported as a
    warning with its error, so the run still says it happened."""
    queue = live.app.state.gateway.queue
    db = live.app.state.database
    deadline = time.monotonic() + wait
    reported: set[str] = set()
    while time.monotonic() < deadline:
        waiting = [queue.get(r["message_id"]) for r in db.query(
            "SELECT message_id FROM shep_async_messages WHERE state = 'ON_DELIVERY' AND mode = 'builtin'")]
        waiting = [m for m in waiting if m is not None]
        if not waiting:
            return
        failed = [m for m in waiting if m.attempts > 0 and m.claimed_by is None]  # a try under way has one
        for m in failed:
            if m.message_id not in reported:
                reported.add(m.message_id)
                warnings.warn(f"ШЭП retries {m.message_id} to {m.recipient}: the first try failed "
                              f"({m.error_code}: {m.error_message})", stacklevel=2)
        due = min((m.next_attempt_at for m in failed), default=live.clock())
        if due > live.clock():
            live.clock.advance(seconds=(due - live.clock()).total_seconds())
        time.sleep(0.1)

class Browserless:
    """An httpx client that keeps cookies and posts forms with the page's CSRF token."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, follow_redirects=True, timeout=60)
        self.last: httpx.Response | None = None

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kw) -> httpx.Response:
        self.last = self.http.get(path, **kw)
        return self.last

    def token(self, path: str | None = None) -> str:
        page = self.get(path) if path else self.last
        found = _CSRF.search(page.text)
        assert found, f"no CSRF token on {page.url}"
        return found.group(1)

    def post(self, path: str, data: dict | None = None, *, files=None, form_page: str | None = None,
             token: bool = True, **kw) -> httpx.Response:
        data = dict(data or {})
        if token:
            data.setdefault("csrf_token", self.token(form_page or path))
        self.last = self.http.post(path, data=data, files=files, **kw)
        return self.last


def text_of(html: str) -> str:
    """The page's visible text, roughly (tags dropped, entities decoded, spaces squeezed)."""
    without = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", without))).strip()


ARM_PASSWORD = "arm-secret"


def arm_login(base_url: str, login: str) -> Browserless:
    client = Browserless(base_url)
    page = client.post("/web/arm/login", {"login": login, "password": ARM_PASSWORD})
    assert page.status_code == 200 and login in page.text, page.text[-500:]
    return client


def arm_requests_of(client: Browserless) -> list[int]:
    """The АРМ inbox numbers listed on the inbox page."""
    return sorted({int(n) for n in re.findall(r'href="/web/arm/requests/(\d+)"', client.get("/web/arm/").text)})


def arm_work(base_url: str, arm_id: int, *, office: str = "pvl_pavlodar_city", decision: str = "Назначить пособие",
             amount: str = "45000") -> None:
    """The provider's chain through the workstation's pages: the clerk registers (A1), the head
    appoints the executor (A2), the executor reviews and drafts a decision (A3), the head signs
    it with EDS (A4), the executor registers it in the journal and issues it (A5)."""
    clerk, head, executor = (arm_login(base_url, f"{office}.{role}") for role in ("clerk", "head", "executor"))
    page = f"/web/arm/requests/{arm_id}"
    try:
        for who, action, data in (
                (clerk, "register", {}),
                (head, "assign", {"executor": f"{office}.executor"}),
                (executor, "review", {}),
                (executor, "draft", {"documents_conform": "yes", "decision_text": decision, "amount": amount}),
                (head, "sign", {}),
                (executor, "issue", {})):
            answer = who.post(f"{page}/{action}", data, form_page=page)
            assert answer.status_code == 200 and "problem" not in answer.text.split("<main", 1)[1][:400], \
                (action, text_of(answer.text)[:600])
        assert 'id="state">COMPLETED' in executor.get(page).text
    finally:
        for c in (clerk, head, executor):
            c.close()
