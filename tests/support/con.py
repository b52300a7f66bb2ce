"""A live simulator for the ИИС ЦОН tests: ШЭП with ГБД ФЛ, ЕНИС, the ЦОН inbox and РШЭП
(the real one, or a recording stand-in), the ЦОН API at /con, all on loopback.

The stack is what ``egov-sim serve`` mounts, assembled by hand (as tests/rshep does) so the
test controls the clock and the config. ЦОН reaches ШЭП over HTTP through its own URL.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import uuid
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
from egov_sim.core.clock import ALMATY
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.safe_xml import parse
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.gateway.client import ShepClient
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.providers import ProviderCall, ProviderReply
from egov_sim.gateway.shep import build_gateway
from egov_sim.portal_mock.con import ConOptions, build_con
from egov_sim.reference.iin import make_bin, make_iin
from egov_sim.reference.personas import GUARDIAN, WARD
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import ServiceIdentity, service_signer
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from egov_sim.wsdl.schemas import RSHEP_NS, XSI_NS

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
OPERATOR_PASSWORD = "operator-secret"
RSHEP = ("EGOV_SIM_RSHEP", "rshep-secret")
GUARDIAN_SERVICE = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"
PAVLODAR_CITY = "PVL_PAVLODAR_CITY"
GBDFL = "GBDFL_UniversalServiceSync"
ENIS = "ENIS_PowerOfAttorneyCheck_SIM"
POPULATION = 300

# The wiring the lead adds to gateway/config.py, as TOML for parse_config.
CONFIG = f"""
[[routes]]
route_id = "R_Pavlodar"
provider = "builtin:rshep"
region = "Павлодарская область"

[[routes]]
route_id = "R_Karaganda"
provider = "builtin:rshep"
region = "Карагандинская область"

[[services]]
service_id = "{GUARDIAN_SERVICE}"
provider = "builtin:rshep"
route_required = true
allowed_senders = ["EGOV_SIM_PORTAL", "EGOV_SIM_IIS_CON"]

[[services]]
service_id = "SIM_PROSTHETIC_AID_BALKHASH"
provider = "builtin:rshep"
route_required = true
allowed_senders = ["EGOV_SIM_IIS_CON"]

[[services]]
service_id = "SIM_CON_INBOX"
provider = "builtin:con_inbox"
allowed_senders = ["EGOV_SIM_RSHEP"]
"""


class Clock:
    """The simulated time, moved by the test (shared by every system of the stack)."""

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
class StandInRshep:
    """Stands in for ``builtin:rshep``: keeps each ServiceRequest and acknowledges it."""

    calls: list[ProviderCall] = field(default_factory=list)

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        self.calls.append(call)
        ack = etree.Element("data", {f"{{{XSI_NS}}}type": "rs:Acknowledgement"},
                            nsmap={"rs": RSHEP_NS, "xsi": XSI_NS})
        etree.SubElement(ack, "requestId").text = call.data.findtext("requestId") if call.data is not None else ""
        etree.SubElement(ack, "accepted").text = "true"
        etree.SubElement(ack, "inboxId").text = str(len(self.calls))
        etree.SubElement(ack, "receivedAt").text = "2025-01-06T10:00:00+05:00"
        return ProviderReply(data=ack)

    def request(self, request_id: str) -> ProviderCall:
        return next(c for c in self.calls if c.data.findtext("requestId") == request_id)


@dataclass
class LiveCon:
    url: str
    con: object
    gateway: object
    rshep: object
    clock: Clock
    db: Database
    pki: TestPKI

    @property
    def journal(self):
        return self.gateway.journal

    def verifier(self) -> Verifier:
        return Verifier(TrustStore.from_pem(self.pki.trust_pem()), clock=self.clock)


@contextlib.contextmanager
def live_con(home: Path, pki: TestPKI, clock: Clock, *, real_rshep: bool = False,
             options: ConOptions = ConOptions()) -> Iterator[LiveCon]:
    home.mkdir(parents=True, exist_ok=True)
    db = Database.open(sqlite_url(home / "sim.db"), clock=clock)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    http = httpx.AsyncClient()
    registries = build_registries(db, pki, clock=clock, population=POPULATION)
    con = build_con(db, pki, gateway_url=url, http=http, clock=clock, options=options,
                    hasher=FAST_HASHER)
    routes = []
    if real_rshep:
        from egov_sim.gateway.rshep import build_rshep

        rshep = build_rshep(db, pki, gateway_url=url, http=http, clock=clock, hasher=FAST_HASHER)
        rshep_provider = rshep.provider
        routes.append(Mount("/arm", routes=rshep.routes()))
    else:
        rshep = rshep_provider = StandInRshep()
    gateway = build_gateway(config=parse_config(CONFIG, base=builtin_config()), db=db, pki=pki, clock=clock,
                            builtin_providers={**registries.providers, "rshep": rshep_provider,
                                               "con_inbox": con.inbox_provider})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await http.aclose()
            await gateway.aclose()

    app = Starlette(routes=[*gateway.routes(), Mount("/con", routes=con.routes()), *routes],
                    lifespan=lifespan)
    try:
        with serve_in_thread(app, port=port):
            yield LiveCon(url, con, gateway, rshep, clock, db, pki)
    finally:
        db.close()


# --- the operator at the counter --------------------------------------------------------------


class Desk:
    """An operator signed in to the ИИС ЦОН API (signs in again when the session expired)."""

    def __init__(self, live: LiveCon, login: str = "pvl1.operator"):
        self.live, self.login, self.token = live, login, None

    def sign_in(self) -> str:
        r = httpx.post(f"{self.live.url}/con/session",
                       json={"login": self.login, "password": OPERATOR_PASSWORD}, timeout=30)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]
        return self.token

    def call(self, method: str, path: str, body=None, *, retry: bool = True, **kw) -> httpx.Response:
        if self.token is None:
            self.sign_in()
        r = httpx.request(method, f"{self.live.url}/con{path}", json=body, timeout=60,
                          headers={"Authorization": f"Bearer {self.token}"}, **kw)
        if r.status_code == 401 and retry:
            self.sign_in()
            return self.call(method, path, body, retry=False, **kw)
        return r

    def submit(self, body: dict, *, expect: int = 201) -> dict:
        r = self.call("POST", "/applications", body)
        assert r.status_code == expect, r.text
        return r.json()

    def get(self, number: str) -> dict:
        r = self.call("GET", f"/applications/{number}")
        assert r.status_code == 200, r.text
        return r.json()


def document(code: str, content: bytes = b"%PDF-1.4\n% scan\n") -> dict:
    return {"documentTypeCode": code, "fileName": f"{code.lower()}.pdf", "mediaType": "application/pdf",
            "content": base64.b64encode(content).decode()}


GUARDIAN_DOCUMENTS = ("APPLICATION", "GUARDIAN_ID", "GUARDIANSHIP_DECISION", "CHILD_BIRTH_CERTIFICATE",
                      "PARENTS_STATUS", "BANK_ACCOUNT")


def guardian_application(applicant: str = GUARDIAN, *, representative: tuple[str, str] | None = None,
                         documents: tuple[str, ...] = GUARDIAN_DOCUMENTS, **extra) -> dict:
    """A ЦОН application for the guardian allowance (seed 002), complete unless told otherwise."""
    body = {
        "serviceCode": GUARDIAN_SERVICE, "providerCode": PAVLODAR_CITY,
        "applicant": {"iin": applicant, "phone": "+77001234567"},
        "form": {"guardianIin": GUARDIAN, "childIin": WARD, "childFullName": "СЕРИКОВ АЛИХАН ДАНИЯРОВИЧ",
                 "guardianRole": "guardian", "guardianshipDecisionNumber": "SIM-123",
                 "guardianshipDecisionDate": "2023-01-15", "accountIban": "KZ000000000000000000"},
        "documents": [document(code) for code in documents],
    }
    if representative:
        body["representative"] = {"iin": representative[0], "poaNumber": representative[1]}
    body.update(extra)
    return body


def steps(application: dict) -> list[tuple[str, str]]:
    return [(h["step"], h["event"]) for h in application["history"]]


# --- the provider's АРМ, played by the test (stand-in РШЭП) -----------------------------------

PROVIDER_HEAD_IDENTITY = ServiceIdentity(
    name="test-con-provider-head", organization="ГУ «Отдел образования города Павлодара» (SIM)",
    bin=make_bin(2001, 3, 77), employee_iin=make_iin(dt.date(1971, 2, 14), "M", 953),
    surname="САДЫКОВ", given_name="КАЙРАТ")


def _add(parent, name, text=None):
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def _typed(type_name: str) -> etree._Element:
    return etree.Element("data", {f"{{{XSI_NS}}}type": f"rs:{type_name}"}, nsmap={"rs": RSHEP_NS, "xsi": XSI_NS})


def notification(request_id: str, status: str = "REGISTERED", *, number: str = "PVL-2025-000314",
                 due: str | None = "2025-01-20") -> etree._Element:
    data = _typed("StatusNotification")
    _add(data, "requestId", request_id)
    _add(data, "status", status)
    _add(data, "statusDate", "2025-01-06T10:50:00+05:00")
    if status == "REGISTERED":
        reg = _add(data, "registration")
        _add(reg, "number", number)
        _add(reg, "date", "2025-01-06T10:50:00+05:00")
    if due:
        _add(data, "resultDueDate", due)
    return data


def service_result(request_id: str, *, refusal: bool = False, document_bytes: bytes | None = b"%PDF decision",
                   signer=None) -> etree._Element:
    """A ServiceResult, signed by ``signer`` (the provider's head) unless None."""
    data = _typed("ServiceResult")
    _add(data, "requestId", request_id)
    reg = _add(data, "registration")
    _add(reg, "number", "PVL-2025-000314")
    _add(reg, "date", "2025-01-06T10:50:00+05:00")
    outcome = _add(data, "outcome")
    if refusal:
        r = _add(outcome, "refusal")
        _add(r, "reasonCode", "DOCUMENT_VIOLATIONS")
        _add(r, "reasonText", "Мотивированный отказ: нарушения в документах услугополучателя")
        v = _add(_add(r, "violations"), "violation")
        _add(v, "documentTypeCode", "GUARDIANSHIP_DECISION")
        _add(v, "description", "Копия решения не читается")
    else:
        d = _add(outcome, "decision")
        _add(d, "number", "D-2025-0101")
        _add(d, "date", "2025-01-13")
        _add(d, "text", "Назначить пособие опекуну на содержание ребенка-сироты")
        _add(d, "amount", "45000.00")
    journal = _add(data, "journal")
    _add(journal, "number", "J-2025-0091")
    _add(journal, "date", "2025-01-13T17:00:00+05:00")
    if document_bytes is not None and not refusal:
        doc = _add(data, "resultDocument")
        _add(doc, "documentTypeCode", "DECISION")
        _add(doc, "fileName", "decision.pdf")
        _add(doc, "mediaType", "application/pdf")
        _add(doc, "content", base64.b64encode(document_bytes).decode())
    s = _add(data, "signer")
    _add(s, "fullName", "САДЫКОВ КАЙРАТ БЕРИКОВИЧ")
    _add(s, "position", "Руководитель")
    _add(data, "resultDate", "2025-01-13T17:05:00+05:00")
    if signer is None:
        return data
    return parse(sign_enveloped(etree.ElementTree(data), signer.key, signer.certificate)).getroot()


def provider_head(pki: TestPKI):
    return service_signer(pki, PROVIDER_HEAD_IDENTITY)


def arm_send(live: LiveCon, data: etree._Element, *, correlation_id: str | None = None,
             sender: tuple[str, str] = RSHEP, service_id: str = "SIM_CON_INBOX"):
    """What АРМ РШЭП does: a message to the ЦОН inbox through ШЭП, over HTTP."""
    async def go():
        async with httpx.AsyncClient() as http:
            client = ShepClient(live.url, sender[0], sender[1], http=http, clock=live.clock)
            return await client.send(service_id, data, correlation_id=correlation_id)
    return asyncio.run(go())


def new_id() -> str:
    return str(uuid.uuid4())
