"""A live simulator for the portal tests: ШЭП + ГБД ФЛ + the portal (+ РШЭП) on one loopback server.

The gateway is built with ``build_gateway`` from a ``parse_config`` text that registers
SIM_PORTAL_INBOX → ``builtin:portal_inbox`` and routes the regions to ``builtin:rshep``: either
the real РШЭП (egov_sim.gateway.rshep.build_rshep) or :class:`RshepStandIn`, a tiny provider that files
requests and lets the test answer through ШЭП as EGOV_SIM_RSHEP. The portal talks to the gateway
over HTTP (its own server URL), like every participant. A second portal instance, configured to
check revocation by OCSP, is mounted at /portal-ocsp over the same database.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
from argon2 import PasswordHasher
from lxml import etree
from starlette.applications import Starlette
from starlette.routing import Mount

from egov_sim.adapters.providers import build_registries
from egov_sim.app.server import builtin_config
from egov_sim.core.auth import Throttle
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.gateway.client import ShepClient
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.providers import ProviderCall, ProviderReply
from egov_sim.gateway.shep import build_gateway
from egov_sim.portal_mock.portal import GATEWAY_CONFIG, PortalSettings, build_portal
from egov_sim.reference import catalogue, personas
from egov_sim.signing import pki_http
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.pki import IssuedCert, TestPKI
from egov_sim.signing.service_certs import ServiceIdentity, service_signer
from egov_sim.wsdl.schemas import RSHEP_NS, XSI_NS

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Qwerty-123"
GUARDIAN_SERVICE = catalogue.GUARDIAN_ALLOWANCE.code
SOCIAL_SERVICE = catalogue.SOCIAL_ASSISTANCE.code
GUARDIAN_OFFICE = catalogue.PROVIDERS["PVL_PAVLODAR_CITY"]
SOCIAL_OFFICE = catalogue.PROVIDERS["ALM_TALGAR_DISTRICT"]
POPULATION = 300

CONFIG = GATEWAY_CONFIG + f"""
[[services]]
service_id = "{GUARDIAN_SERVICE}"
provider = "builtin:rshep"
allowed_senders = ["EGOV_SIM_PORTAL", "EGOV_SIM_IIS_CON"]
route_required = true

[[services]]
service_id = "{SOCIAL_SERVICE}"
provider = "builtin:rshep"
allowed_senders = ["EGOV_SIM_PORTAL"]
route_required = true

[[routes]]
route_id = "R_Pavlodar"
provider = "builtin:rshep"
region = "Павлодарская область"

[[routes]]
route_id = "R_Almaty_obl"
provider = "builtin:rshep"
region = "Алматинская область"
"""

PDF = b"%PDF-1.4\n% egov-sim test e-copy\n"


class ShiftClock:
    """The system clock plus an offset a test can move (session expiry) and put back."""

    def __init__(self):
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


@dataclass
class RshepStandIn:
    """``builtin:rshep`` for tests: files each ServiceRequest and acknowledges it."""

    received: dict[str, etree._Element] = field(default_factory=dict)
    calls: list[ProviderCall] = field(default_factory=list)

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        self.calls.append(call)
        root = call.data[0] if call.data is not None and len(call.data) else call.data
        self.received[root.findtext("requestId")] = root
        return ProviderReply(data=None)


@dataclass
class Harness:
    url: str
    home: Path
    db: Database
    pki: TestPKI
    gateway: object
    portal: object
    portal_ocsp: object
    clock: ShiftClock
    standin: RshepStandIn | None
    rshep: object | None
    _certs: dict = field(default_factory=dict)

    # --- certificates ---------------------------------------------------------------------

    def cert(self, iin: str, *, tag: str = "good", **kw) -> IssuedCert:
        """A SIGN certificate of the person (one per tag, reused within the session)."""
        key = (iin, tag)
        if key not in self._certs:
            self._certs[key] = self.pki.issue(iin=iin, surname="ТЕСТОВ", given_name="ТЕСТ", **kw)
        return self._certs[key]

    def provider_signer(self, office=GUARDIAN_OFFICE):
        """The head of the provider office: a legal-entity employee key (K13)."""
        return service_signer(self.pki, ServiceIdentity(
            name=f"head-{office.code.lower()}", organization=office.name_ru[:60], bin=office.bin,
            employee_iin=personas.PROVIDER_HEAD, surname="РУКОВОДИТЕЛЕВ", given_name="РУКОВОДИТЕЛЬ",
            roles=("CEO", "CAN_SIGN")))

    # --- HTTP ------------------------------------------------------------------------------

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    async def _send_as_rshep(self, data: etree._Element, correlation_id: str | None):
        async with httpx.AsyncClient() as http:
            client = ShepClient(self.url, "EGOV_SIM_RSHEP", "rshep-secret", http=http)
            return await client.send("SIM_PORTAL_INBOX", data, correlation_id=correlation_id)

    def send_as_rshep(self, data: etree._Element, correlation_id: str | None = None):
        return asyncio.run(self._send_as_rshep(data, correlation_id))


def sign(xml: bytes, cert: IssuedCert) -> bytes:
    """What NCALayer does in the browser: the applicant signs the draft (enveloped layout)."""
    return sign_enveloped(xml, cert.private_key, cert.certificate)


# --- payloads the stand-in АРМ sends back -------------------------------------------------------

def _data(type_name: str) -> etree._Element:
    data = etree.Element("data", nsmap={"rs": RSHEP_NS, "xsi": XSI_NS})
    data.set(f"{{{XSI_NS}}}type", f"rs:{type_name}")
    return data


def _add(parent, name, text=None):
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def notification(request_id: str, status: str, *, number: str | None = None,
                 due: str | None = None) -> etree._Element:
    data = _data("StatusNotification")
    _add(data, "requestId", request_id)
    _add(data, "status", status)
    _add(data, "statusDate", "2024-02-05T10:50:00+05:00")
    if number:
        reg = _add(data, "registration")
        _add(reg, "number", number)
        _add(reg, "date", "2024-02-05T10:50:00+05:00")
    if due:
        _add(data, "resultDueDate", due)
    return data


def result(request_id: str, *, refusal: bool = False, signer=None) -> etree._Element:
    """A ServiceResult, signed as a standalone document whose root is ``data`` (K13)."""
    data = _data("ServiceResult")
    _add(data, "requestId", request_id)
    reg = _add(data, "registration")
    _add(reg, "number", "PVL-2024-000314")
    _add(reg, "date", "2024-02-05T10:50:00+05:00")
    outcome = _add(data, "outcome")
    if refusal:
        r = _add(outcome, "refusal")
        _add(r, "reasonCode", "DOCUMENT_VIOLATIONS")
        _add(r, "reasonText", "Мотивированный отказ: нарушения в документах услугополучателя")
        vs = _add(_add(r, "violations"), "violation")
        _add(vs, "documentTypeCode", "GUARDIANSHIP_DECISION")
        _add(vs, "description", "Копия решения не читается")
    else:
        d = _add(outcome, "decision")
        _add(d, "number", "D-2024-0101")
        _add(d, "date", "2024-02-13")
        _add(d, "text", "Назначить пособие опекуну на содержание ребенка-сироты")
        _add(d, "amount", "45000.00")
    journal = _add(data, "journal")
    _add(journal, "number", "J-2024-0091")
    _add(journal, "date", "2024-02-13T17:00:00+05:00")
    s = _add(data, "signer")
    _add(s, "iin", personas.PROVIDER_HEAD)
    _add(s, "fullName", "РУКОВОДИТЕЛЕВ РУКОВОДИТЕЛЬ")
    _add(s, "position", "Руководитель отдела")
    _add(data, "resultDate", "2024-02-13T17:05:00+05:00")
    if signer is None:
        return data
    signed = sign_enveloped(etree.ElementTree(data), signer.key, signer.certificate)
    return etree.fromstring(signed)


# --- forms ------------------------------------------------------------------------------------

def e_copy(code: str) -> dict:
    return {"documentCode": code, "fileName": f"{code.lower()}.pdf", "mediaType": "application/pdf",
            "content": base64.b64encode(PDF).decode()}


def guardian_draft(*, drop: str | None = None) -> dict:
    """Seed 002 on the portal: the form and every required e-copy (``drop`` leaves one out)."""
    docs = [d.code for d in catalogue.GUARDIAN_ALLOWANCE.documents_for("portal") if d.required]
    return {
        "serviceCode": GUARDIAN_SERVICE, "providerCode": GUARDIAN_OFFICE.code,
        "form": {"guardianIin": personas.GUARDIAN, "childIin": personas.WARD,
                 "childFullName": "СЕРИКОВ АЛИХАН ДАНИЯРОВИЧ", "guardianRole": "guardian",
                 "guardianshipDecisionNumber": "SIM-123", "guardianshipDecisionDate": "2023-01-10",
                 "accountIban": "KZ000000000000000001"},
        "attachments": [e_copy(c) for c in docs if c != drop],
    }


def social_draft(category: str = "disability") -> dict:
    """Seed 000 on the portal (K16: only disability / socially significant disease)."""
    docs = [d.code for d in catalogue.SOCIAL_ASSISTANCE.documents_for("portal") if d.required]
    return {
        "serviceCode": SOCIAL_SERVICE, "providerCode": SOCIAL_OFFICE.code,
        "form": {"applicantIin": personas.NEEDY_APPLICANT, "category": category, "familySize": 3,
                 "accountIban": "KZ000000000000000002"},
        "attachments": [e_copy(c) for c in docs],
    }


# --- assembly ---------------------------------------------------------------------------------

@contextlib.contextmanager
def live_portal(home: Path, *, real_rshep: bool = False, port: int | None = None,
                pki: TestPKI | None = None) -> Iterator[Harness]:
    """Start the simulator; the same ``home`` again gives the same database (a restart)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    clock = ShiftClock()
    pki = pki or TestPKI.open_or_init(home / "pki", base_url=url)
    db = Database.open(sqlite_url(home / "egov-sim.db") + "?synchronous=normal")  # fast; a crash still loses nothing
    registries = build_registries(db, pki, population=POPULATION)
    http = httpx.AsyncClient()
    settings = PortalSettings(hasher=FAST_HASHER, session_ttl=dt.timedelta(minutes=30),
                              throttle=Throttle(max_failures=3, window=dt.timedelta(minutes=15)))
    portal = build_portal(db, pki, gateway_url=url, http=http, clock=clock, settings=settings)
    portal_ocsp = build_portal(db, pki, gateway_url=url, http=http, clock=clock,
                               settings=PortalSettings(revocation=("OCSP",), hasher=FAST_HASHER))
    standin, rshep = None, None
    if real_rshep:
        from egov_sim.gateway.rshep.assembly import build_rshep

        rshep = build_rshep(db, pki, gateway_url=url, http=http, hasher=FAST_HASHER)
        provider = rshep.provider
    else:
        standin = provider = RshepStandIn()
    gateway = build_gateway(config=parse_config(CONFIG, source="portal tests", base=builtin_config()), db=db, pki=pki,
                            builtin_providers={**registries.providers, **portal.builtin_providers,
                                               "rshep": provider})
    routes = [*gateway.routes(), Mount("/pki", routes=pki_http.routes(pki, clock=clock)),
              Mount("/portal", routes=portal.routes()),
              Mount("/portal-ocsp", routes=portal_ocsp.routes())]
    if rshep is not None:
        routes.append(Mount("/arm", routes=rshep.routes()))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await gateway.aclose()
            await http.aclose()

    app = Starlette(routes=routes, lifespan=lifespan)
    try:
        with serve_in_thread(app, port=port) as served:
            assert served == url
            yield Harness(url, home, db, pki, gateway, portal, portal_ocsp, clock, standin, rshep)
    finally:
        db.close()


# --- API helpers ------------------------------------------------------------------------------

def register(client: httpx.Client, iin: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/portal/register", json={"iin": iin, "password": password})


def login(client: httpx.Client, iin: str, password: str = PASSWORD, *, base: str = "/portal") -> dict:
    """Sign in (registering first if needed); the Authorization header for later calls."""
    r = client.post(f"{base}/login", json={"iin": iin, "password": password})
    if r.status_code == 401:
        assert register(client, iin, password).status_code in (201, 409), r.text
        r = client.post(f"{base}/login", json={"iin": iin, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def draft(client: httpx.Client, auth: dict, body: dict, *, base: str = "/portal") -> dict:
    r = client.post(f"{base}/requests/draft", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return r.json()


def submit(client: httpx.Client, auth: dict, signed: bytes, *, base: str = "/portal") -> httpx.Response:
    return client.post(f"{base}/requests", content=signed,
                       headers={**auth, "Content-Type": "application/xml"})
