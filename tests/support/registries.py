"""A live ШЭП with the ГБД ФЛ and ЕНИС providers behind it, and the envelopes clients send to them.

Shared by tests/adapters/gbd_fl/provider and tests/adapters/notary.
The gateway is assembled by hand, as in tests/gateway/shep/test_gateway_wsse.py: ``build_gateway``
with a config naming the built-in providers, served by uvicorn on loopback. Envelopes are
written as text, the way string-template clients build them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from egov_sim.app.server import builtin_config
from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.testing import serve_in_thread
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.shep import build_gateway, gateway_signer
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import service_signer
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier, reroot

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SYNC = "http://bip.bee.kz/SyncChannel/v10/Types"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
CS = "http://message.persistence.interactive.nat"
ENIS = "urn:egov-sim:synthetic:enis:poa:v1"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
PATH = "/bip-sync-wss-gost/"
WSDL_PATH = "/wsdl/shep/SyncChannel/v10/Interfaces/SyncChannelHttp_Service.wsdl"
BINDING = "{http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2}SyncChannelHttpBinding"
FAULT_ELEMENT = f"{{{SYNC}}}SendMessageFault1_SendMessageFault"

GBDFL = "GBDFL_UniversalServiceSync"
GBDFL_TOKEN = "GBDFLUniversal_token"
ENIS_SERVICE = "ENIS_PowerOfAttorneyCheck_SIM"
CLIENT = ("EGOV_SIM_IIS_CON", "con-secret")  # built-in participant (ИИС ЦОН)

CONFIG = f"""
[gateway]
sign_responses = true

[[services]]
service_id = "{GBDFL}"
provider = "builtin:gbd_fl"

[[services]]
service_id = "{GBDFL_TOKEN}"
provider = "builtin:gbd_fl"

[[services]]
service_id = "{ENIS_SERVICE}"
provider = "builtin:enis"
"""

POPULATION = 400
"""Small, so the session fixture is fast; personas are always included by the population."""
MESSAGE_DATE = "2024-02-05T10:15:00.000+06:00"


def new_id() -> str:
    return str(uuid.uuid4())


def today(clock: Clock = system_clock) -> dt.date:
    return clock().astimezone(ALMATY).date()


# --- payloads -------------------------------------------------------------------------------


def _elements(fields: dict) -> str:
    return "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items() if v is not None)


def gbdfl_fields(message_id: str | None = None, **search) -> dict:
    """A ``cs:Request``'s fields in schema order; ``search`` keys are the element names."""
    order = ("iin", "surname", "name", "patronymic", "birthDate", "birthDateFrom", "birthDateTo",
             "documentNumber", "kdpToken", "publicKey")
    unknown = set(search) - set(order)
    assert not unknown, unknown
    fields = {"messageId": message_id or new_id(), "messageDate": MESSAGE_DATE,
              "senderCode": CLIENT[0]}
    fields.update({k: search[k] for k in order if k in search})
    return fields


def enis_fields(message_id: str | None = None, **query) -> dict:
    """A ``PoaRequest``'s fields in schema order."""
    order = ("principalIin", "attorneyIin", "poaNumber", "checkDate", "serviceCode")
    unknown = set(query) - set(order)
    assert not unknown, unknown
    fields = {"messageId": message_id or new_id(), "messageDate": MESSAGE_DATE,
              "senderCode": CLIENT[0]}
    fields.update({k: query[k] for k in order if k in query})
    return fields


def typed(prefix: str, namespace: str, type_name: str, fields: dict) -> str:
    """Payload style 1: ``<data xsi:type="prefix:Type">`` with unqualified fields."""
    return (f'<data xmlns:{prefix}="{namespace}" xmlns:xsi="{XSI}" xsi:type="{prefix}:{type_name}">'
            f"{_elements(fields)}</data>")


def escaped(document: str) -> str:
    """Payload style 2: an escaped XML document in ``xsi:type="xs:string"``."""
    return (f'<data xmlns:xs="{XSD}" xmlns:xsi="{XSI}" xsi:type="xs:string">'
            f"{escape(document)}</data>")


def plain(fields: dict) -> str:
    """Payload style 3: unqualified fields straight in ``data``, no ``xsi:type``."""
    return f"<data>{_elements(fields)}</data>"


def gbdfl_data(style: str, fields: dict) -> str:
    if style == "typed":
        return typed("cs", CS, "Request", fields)
    if style == "escaped":  # ГБД ФЛ has no global element: the escaped document is rooted at data
        return escaped(f'<?xml version="1.0" encoding="UTF-8"?><data>{_elements(fields)}</data>')
    if style == "plain":
        return plain(fields)
    raise ValueError(style)


def enis_data(style: str, fields: dict) -> str:
    if style == "typed":
        return typed("enis", ENIS, "PoaRequest", fields)
    if style == "escaped":
        return escaped(f'<?xml version="1.0" encoding="UTF-8"?><enis:PoaRequest xmlns:enis="{ENIS}">'
                       f"{_elements(fields)}</enis:PoaRequest>")
    if style == "plain":
        return plain(fields)
    if style == "wrapped":  # style 3b: the global element as the single child of data
        return (f'<data><enis:PoaRequest xmlns:enis="{ENIS}">{_elements(fields)}'
                "</enis:PoaRequest></data>")
    raise ValueError(style)


def envelope(service_id: str, data: str, *, message_id: str | None = None,
             sender: tuple[str, str] = CLIENT) -> bytes:
    """A JAX-WS-style SendMessage (``<request xmlns="">``) around ``data``."""
    info = (f"<requestInfo><messageId>{message_id or new_id()}</messageId>"
            f"<serviceId>{service_id}</serviceId><messageDate>{MESSAGE_DATE}</messageDate>"
            f"<sender><senderId>{sender[0]}</senderId><password>{sender[1]}</password></sender>"
            "</requestInfo>")
    return (f'<?xml version="1.0" ?><S:Envelope xmlns:S="{SOAP11}"><S:Body>'
            f'<ns2:SendMessage xmlns:ns2="{SYNC}"><request xmlns="">{info}'
            f"<requestData>{data}</requestData></request></ns2:SendMessage></S:Body></S:Envelope>"
            ).encode()


# --- replies --------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    content: bytes
    root: etree._Element = field(init=False)

    def __post_init__(self):
        self.root = etree.fromstring(self.content)

    @property
    def body_child(self) -> etree._Element:
        body = self.root.find(f"{{{SOAP11}}}Body")
        return next(c for c in body if isinstance(c.tag, str))

    @property
    def is_fault(self) -> bool:
        return self.body_child.tag == f"{{{SOAP11}}}Fault"

    @property
    def error_code(self) -> str:
        assert self.is_fault, self.content[:500]
        return self.body_child.find("detail")[0].findtext("errorCode")

    @property
    def status_code(self) -> str:
        assert not self.is_fault, self.content[:800]
        return self.body_child.findtext("response/responseInfo/status/code")

    @property
    def data(self) -> etree._Element:
        assert not self.is_fault, self.content[:800]
        return self.body_child.find("response/responseData/data")

    @property
    def result_code(self) -> str:
        return self.data.findtext("messageResult/code")


# --- the live gateway -------------------------------------------------------------------------


@dataclass
class LiveRegistries:
    url: str
    http: httpx.Client
    gateway: object
    persons: object
    poas: object
    pki: TestPKI
    clock: Clock

    @property
    def endpoint(self) -> str:
        return self.url + PATH

    @property
    def journal(self):
        return self.gateway.journal

    def post(self, body: bytes) -> Reply:
        r = self.http.post(self.endpoint, content=body,
                           headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
        return Reply(r.status_code, r.content)

    def verifier(self) -> Verifier:
        return Verifier(TrustStore.from_pem(self.pki.trust_pem()), clock=self.clock)


def verify_data(live: LiveRegistries, data: etree._Element):
    """The business-data signature of a ``data`` element, verified the way a client does it."""
    return live.verifier().verify(reroot(data), layout="enveloped")


@contextlib.contextmanager
def live_registries(home: Path, pki: TestPKI, *, clock: Clock = system_clock,
                    gbdfl_options: dict | None = None, enis_options: dict | None = None) -> Iterator[LiveRegistries]:
    """Population, ЕНИС register, both providers and a gateway, served on loopback."""
    from egov_sim.adapters.gbd_fl.provider import GBDFL_IDENTITY, build_gbdfl_provider
    from egov_sim.adapters.gbd_fl.registry import ensure_population
    from egov_sim.adapters.notary.provider import ENIS_IDENTITY, build_enis_provider
    from egov_sim.adapters.notary.seeding import ensure_powers_of_attorney

    home.mkdir(parents=True, exist_ok=True)
    db = Database.open(sqlite_url(home / "egov-sim.db"), clock=clock)
    persons = ensure_population(db, count=POPULATION, seed=1)
    poas = ensure_powers_of_attorney(db, persons, count=60, seed=1, clock=clock)
    providers = {
        "gbd_fl": build_gbdfl_provider(persons, service_signer(pki, GBDFL_IDENTITY), clock=clock,
                                       **(gbdfl_options or {})),
        "enis": build_enis_provider(poas, service_signer(pki, ENIS_IDENTITY), clock=clock,
                                    **(enis_options or {})),
    }
    gateway = build_gateway(config=parse_config(CONFIG, base=builtin_config()), db=db, pki=pki, clock=clock,
                            builtin_providers=providers)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await gateway.aclose()

    app = Starlette(routes=gateway.routes(), lifespan=lifespan)
    try:
        with serve_in_thread(app) as url, httpx.Client(timeout=20) as http:
            yield LiveRegistries(url, http, gateway, persons, poas, pki, clock)
    finally:
        db.close()


def ask_gbdfl(live: LiveRegistries, style: str = "typed", *, service_id: str = GBDFL,
              message_id: str | None = None, **search) -> Reply:
    return live.post(envelope(service_id, gbdfl_data(style, gbdfl_fields(message_id, **search))))


def ask_enis(live: LiveRegistries, style: str = "typed", *, message_id: str | None = None,
             **query) -> Reply:
    return live.post(envelope(ENIS_SERVICE, enis_data(style, enis_fields(message_id, **query))))


# --- fixtures (imported by the conftest of each test folder) ----------------------------------


@pytest.fixture(scope="session")
def registries_pki(tmp_path_factory) -> TestPKI:
    """One test PKI; the gateway's and the registries' certificates are issued once here."""
    from egov_sim.adapters.gbd_fl.provider import GBDFL_IDENTITY
    from egov_sim.adapters.notary.provider import ENIS_IDENTITY

    pki = TestPKI.init(tmp_path_factory.mktemp("registries-pki"), base_url="http://127.0.0.1:9")
    gateway_signer(pki)
    service_signer(pki, GBDFL_IDENTITY)
    service_signer(pki, ENIS_IDENTITY)
    return pki


@pytest.fixture(scope="session")
def registries(tmp_path_factory, registries_pki) -> Iterator[LiveRegistries]:
    """A live gateway with ГБД ФЛ and ЕНИС behind it (transport-signed responses on)."""
    with live_registries(tmp_path_factory.mktemp("registries-home"), registries_pki) as live:
        yield live
