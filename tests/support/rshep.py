"""A live simulator with ШЭП and РШЭП on loopback, a stand-in for the origins' inboxes, and
helpers to send ServiceRequests and drive the АРМ's HTTP API.

The origin inbox here only records what ШЭП delivers to it; the portal's and ЦОН's real inboxes
are built elsewhere. The stack is what ``egov-sim serve`` mounts, assembled by hand so the
test controls the clock, the config and the option ``refusal_via_head``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
from argon2 import PasswordHasher
from lxml import etree
from starlette.applications import Starlette
from starlette.routing import Mount

from egov_sim.app.server import builtin_config
from egov_sim.core.clock import ALMATY
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.gateway.client import ShepClient
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.providers import ProviderCall, ProviderFault, ProviderReply
from egov_sim.gateway.rshep import build_rshep
from egov_sim.gateway.shep import build_gateway
from egov_sim.reference.catalogue import PROVIDERS, SERVICES
from egov_sim.reference.iin import make_bin
from egov_sim.reference.personas import CON_OPERATOR, GUARDIAN, WARD
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import ServiceIdentity, service_signer
from egov_sim.wsdl.schemas import RSHEP_NS, XSI_NS
from tests.support import ROOT

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "arm-secret"
CON = ("EGOV_SIM_IIS_CON", "con-secret")
PORTAL = ("EGOV_SIM_PORTAL", "portal-secret")

DOC = ROOT / "docs" / "rshep.md"
_BLOCK = re.compile(r"<!-- rshep-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", re.S)
BLOCKS = {m["name"]: m["body"] for m in _BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
CONFIG = BLOCKS["gateway.toml"]
"""The ШЭП wiring of docs/rshep.md (what the lead adds to gateway/config.py), as TOML."""


class Clock:
    """The simulated time, moved by the test (shared by ШЭП, РШЭП and the sessions)."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += dt.timedelta(**delta)


TEST_MONDAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=ALMATY)
"""The tests' fixed start: Monday 2 February 2026, 09:00 Almaty. No Kazakh holiday falls in the
three weeks after it (the tests count their dates with the term model anyway,
egov_sim/reference/terms.py, which the date sweeps check around every holiday); the test PKI is
created on the same clock, so its certificates are valid then whatever today's date is."""


def next_monday_morning() -> dt.datetime:
    """The tests' start (a fixed date: the suite must pass on any date)."""
    return TEST_MONDAY


@dataclass
class RecordingInbox:
    """Stands in for the portal's / ЦОН's inbox service: keeps every call ШЭП delivers."""

    calls: list[ProviderCall] = field(default_factory=list)
    down: bool = False
    """True: the inbox answers with a fault (the origin's system is unavailable)."""

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        if self.down:
            raise ProviderFault("INBOX_DOWN", "the origin's inbox is unavailable")
        self.calls.append(call)
        return ProviderReply()

    def payloads(self, service_id: str | None = None) -> list[etree._Element]:
        return [c.data for c in self.calls if service_id is None or c.info.service_id == service_id]

    def statuses(self, request_id: str) -> list[str]:
        """What arrived for ``request_id``, in order: notification statuses and RESULT."""
        found = []
        for c in self.calls:
            if c.data is None or c.data.findtext("requestId") != request_id:
                continue
            found.append(c.data.findtext("status") or "RESULT")
        return found


@dataclass
class Live:
    url: str
    rshep: object
    gateway: object
    inbox: RecordingInbox
    clock: Clock
    db: Database


@contextlib.contextmanager
def live_rshep(home: Path, pki: TestPKI, clock: Clock, *, refusal_via_head: bool = True) -> Iterator[Live]:
    home.mkdir(parents=True, exist_ok=True)
    db = Database.open(sqlite_url(home / "sim.db"), clock=clock)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    http = httpx.AsyncClient()
    inbox = RecordingInbox()
    rshep = build_rshep(db, pki, gateway_url=url, http=http, clock=clock, refusal_via_head=refusal_via_head,
                        hasher=FAST_HASHER)
    gateway = build_gateway(config=parse_config(CONFIG, base=builtin_config()), db=db, pki=pki, clock=clock,
                            builtin_providers={"rshep": rshep.provider, "portal_inbox": inbox,
                                               "con_inbox": inbox})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await http.aclose()
            await gateway.aclose()

    app = Starlette(routes=[*gateway.routes(), Mount("/arm", routes=rshep.routes())], lifespan=lifespan)
    try:
        with serve_in_thread(app, port=port):
            yield Live(url, rshep, gateway, inbox, clock, db)
    finally:
        db.close()


# --- ServiceRequest payloads -----------------------------------------------------------------

def _add(parent, name, text=None):
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def service_request(request_id: str, *, provider: str = "PVL_PAVLODAR_CITY",
                    service: str = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR", channel: str = "CON",
                    applicant: str = GUARDIAN, operator: str | None = CON_OPERATOR,
                    attachments: tuple[str, ...] = ("APPLICATION", "GUARDIAN_ID", "GUARDIANSHIP_DECISION",
                                                    "CHILD_BIRTH_CERTIFICATE", "PARENTS_STATUS",
                                                    "BANK_ACCOUNT")) -> etree._Element:
    """A ServiceRequest in payload style 1 (``<data xsi:type="rs:ServiceRequest">``)."""
    office = PROVIDERS[provider]
    data = etree.Element("data", {f"{{{XSI_NS}}}type": "rs:ServiceRequest"},
                         nsmap={"rs": RSHEP_NS, "xsi": XSI_NS})
    _add(data, "requestId", request_id)
    _add(data, "requestDate", "2025-01-06T10:00:00+05:00")
    _add(data, "channel", channel)
    _add(data, "serviceCode", service)
    _add(data, "serviceName", SERVICES[service].name_ru)
    p = _add(data, "provider")
    _add(p, "bin", office.bin)
    _add(p, "name", office.name_ru)
    _add(p, "regionCode", office.region_code)
    a = _add(data, "applicant")
    _add(a, "iin", applicant)
    _add(a, "surname", "ЕРМЕКОВА")
    _add(a, "name", "ГУЛЬМИРА")
    if operator:
        o = _add(data, "operator")
        _add(o, "iin", operator)
        _add(o, "fullName", "АБДРАХМАНОВА МАДИНА ЕРБОЛАТОВНА")
        _add(o, "conCode", "PVL-01")
    form = _add(data, "form")
    f = _add(form, "field")
    _add(f, "name", "childIin")
    _add(f, "value", WARD)
    if attachments:
        atts = _add(data, "attachments")
        for code in attachments:
            att = _add(atts, "attachment")
            _add(att, "documentTypeCode", code)
            _add(att, "fileName", f"{code.lower()}.pdf")
            _add(att, "mediaType", "application/pdf")
            _add(att, "content", "JVBERi0xLjQK")
    return data


def operator_signer(pki: TestPKI):
    """The ЦОН operator's EDS (K05): a State Corporation employee certificate."""
    return service_signer(pki, ServiceIdentity(
        name="test-con-operator", organization='НАО "Государственная корпорация" (SIM)',
        bin=make_bin(2016, 3, 21), employee_iin=CON_OPERATOR, surname="АБДРАХМАНОВА", given_name="МАДИНА"))


def signed(data: etree._Element, signer) -> etree._Element:
    """``data`` signed as a standalone document, as the sender's NCALayer would do."""
    from egov_sim.core.safe_xml import parse

    return parse(sign_enveloped(etree.ElementTree(data), signer.key, signer.certificate)).getroot()


def send(live: Live, data: etree._Element | None, *, route_id: str | None = "R_Pavlodar",
         service_id: str = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR", sender=CON):
    async def go():
        async with httpx.AsyncClient() as http:
            client = ShepClient(live.url, sender[0], sender[1], http=http, clock=live.clock)
            return await client.send(service_id, data, route_id=route_id)
    return asyncio.run(go())


# --- АРМ API ---------------------------------------------------------------------------------

class Staff:
    """A staff member signed in to the АРМ (signs in again when the session has expired)."""

    def __init__(self, live: Live, login: str):
        self.live, self.login = live, login
        self.token = None

    def _sign_in(self) -> None:
        r = httpx.post(f"{self.live.url}/arm/session", json={"login": self.login, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]

    def call(self, method: str, path: str, body=None) -> httpx.Response:
        if self.token is None:
            self._sign_in()
        r = httpx.request(method, f"{self.live.url}/arm{path}", json=body,
                          headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
        if r.status_code == 401:
            self._sign_in()
            r = httpx.request(method, f"{self.live.url}/arm{path}", json=body,
                              headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
        return r

    def act(self, request_id: int, action: str, body=None, *, expect: int = 200) -> dict:
        r = self.call("POST", f"/requests/{request_id}/{action}", body)
        assert r.status_code == expect, r.text
        return r.json()


def arm_request(url: str, login: str, request_id: str, *, password: str = PASSWORD) -> dict:
    """The АРМ's view of the request the origin numbered ``request_id``, found in the office's
    inbox as a clerk finds it (an AsyncChannel sender gets no handle in the АРМ)."""
    token = httpx.post(f"{url}/arm/session", json={"login": login, "password": password},
                       timeout=30).json()["token"]
    found = httpx.get(f"{url}/arm/requests", headers={"Authorization": f"Bearer {token}"},
                      timeout=30).json()["requests"]
    return next(r for r in found if r["requestId"] == request_id)
