"""Envelopes in the styles real clients write, a live-gateway handle, and reply parsing.

A uniquely named helper module (not conftest) so test modules can import it; every request is
built as text, the way string-template clients (Go, PHP, C#) build theirs, so what is tested is
the bytes on the wire and not what an XML library would have produced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
from lxml import etree

from egov_sim.app.server import build_app
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.settings import Settings
from egov_sim.core.testing import serve_in_thread
from egov_sim.reference.iin import make_iin
from egov_sim.signing.pki import TestPKI
from egov_sim.wsdl.schemas import sync_validator

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SYNC = "http://bip.bee.kz/SyncChannel/v10/Types"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
CS = "http://message.persistence.interactive.nat"
PATH = "/bip-sync-wss-gost/"
WSDL_PATH = "/wsdl/shep/SyncChannel/v10/Interfaces/SyncChannelHttp_Service.wsdl"
BINDING = "{http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2}SyncChannelHttpBinding"
FAULT_ELEMENT = f"{{{SYNC}}}SendMessageFault1_SendMessageFault"

TEST_CLIENT = ("EGOV_SIM_TEST_CLIENT", "test-secret")  # built-in, wsse if-present
SIGNED_CLIENT = ("EGOV_SIM_SIGNED_CLIENT", "signed-secret")  # built-in, wsse required
IIN = make_iin(dt.date(1988, 3, 14), "M", 1234)

GUID = r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}"
DATETIME_WITH_OFFSET = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


def new_id() -> str:
    return str(uuid.uuid4())


def journaled(body: bytes) -> bytes:
    """A request as the journal keeps it: byte for byte, but the sender's password is ``***``
    (gateway/redaction.py); written out here so a test compares with what it expects."""
    return re.sub(rb"<password>[^<]+</password>", b"<password>***</password>", body)


# --- requestInfo and payloads ----------------------------------------------------------------


def request_info(*, message_id: str | None = None, service_id: str = "SIM_ECHO",
                 sender: tuple[str, str | None] = TEST_CLIENT, route_id: str | None = None,
                 message_date: str = "2024-02-05T10:15:00.000+06:00",
                 omit: tuple[str, ...] = ()) -> str:
    """``requestInfo`` in schema order; ``omit`` drops named fields (``sender/senderId`` too)."""
    sender_id, password = sender
    parts = [("messageId", f"<messageId>{message_id or new_id()}</messageId>"),
             ("serviceId", f"<serviceId>{service_id}</serviceId>"),
             ("messageDate", f"<messageDate>{message_date}</messageDate>")]
    if route_id is not None:
        parts.append(("routeId", f"<routeId>{route_id}</routeId>"))
    inner = "" if "sender/senderId" in omit else f"<senderId>{sender_id}</senderId>"
    if password is not None:
        inner += f"<password>{password}</password>"
    parts.append(("sender", f"<sender>{inner}</sender>"))
    return "<requestInfo>" + "".join(x for name, x in parts if name not in omit) + "</requestInfo>"


def gbdfl_fields(iin: str = IIN) -> str:
    return (f"<messageId>{new_id()}</messageId><messageDate>2024-02-05T10:15:00.000+06:00</messageDate>"
            f"<senderCode>EGOV_SIM_TEST_CLIENT</senderCode><iin>{iin}</iin>")


def typed_data(iin: str = IIN, *, declare: bool = True) -> str:
    """Payload style 1: ``xsi:type="cs:Request"`` (``declare=False``: prefixes come from the Envelope)."""
    ns = f' xmlns:cs="{CS}" xmlns:xsi="{XSI}"' if declare else ""
    return f'<data{ns} xsi:type="cs:Request">{gbdfl_fields(iin)}</data>'


def escaped_data(iin: str = IIN) -> str:
    """Payload style 2: an escaped XML document in ``xsi:type="xs:string"`` (the NIT sample)."""
    inner = (f'<?xml version="1.0" encoding="UTF-8"?><request xmlns="http://shep.nitec.kz/">'
             f"<iin>{iin}</iin></request>")
    escaped = inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<data xmlns:xs="{XSD}" xmlns:xsi="{XSI}" xsi:type="xs:string">{escaped}</data>'


def plain_data(iin: str = IIN) -> str:
    """Payload style 3: plain unqualified children, no ``xsi:type`` (C#, PHP)."""
    return f"<data>{gbdfl_fields(iin)}</data>"


PAYLOADS = {"typed": typed_data, "escaped": escaped_data, "plain": plain_data}


# --- envelope styles -------------------------------------------------------------------------


def envelope(style: str = "jaxws", *, info: str | None = None, data: str | None = None,
             header: str = "") -> bytes:
    """A SendMessage in one client style.

    - ``jaxws``: ``S:`` envelope, ``ns2:SendMessage``, ``<request xmlns="">`` (JAX-WS RI / Metro);
    - ``cxf``: ``soap:`` envelope with the wrapper prefix declared on the Envelope;
    - ``php``: ``SOAP-ENV:``, ``typ:`` wrapper, ``xsi``/``xsd``/``cs`` declared on the Envelope;
    - ``go``: default namespace on the wrapper, ``<request xmlns="">`` (string templates).
    """
    info = info if info is not None else request_info()
    data = data if data is not None else plain_data()
    bare = f"<request>{info}<requestData>{data}</requestData></request>"
    unset = f'<request xmlns="">{info}<requestData>{data}</requestData></request>'
    if style == "jaxws":
        return (f'<?xml version="1.0" ?><S:Envelope xmlns:S="{SOAP11}"><S:Header>{header}</S:Header>'
                f'<S:Body><ns2:SendMessage xmlns:ns2="{SYNC}">{unset}'
                f"</ns2:SendMessage></S:Body></S:Envelope>").encode()
    if style == "cxf":
        return (f'<soap:Envelope xmlns:soap="{SOAP11}" xmlns:ns2="{SYNC}">'
                + (f"<soap:Header>{header}</soap:Header>" if header else "")
                + f"<soap:Body><ns2:SendMessage>{bare}</ns2:SendMessage>"
                "</soap:Body></soap:Envelope>").encode()
    if style == "php":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP11}" '
                f'xmlns:typ="{SYNC}" xmlns:xsi="{XSI}" xmlns:xsd="{XSD}" xmlns:cs="{CS}">'
                + (f"<SOAP-ENV:Header>{header}</SOAP-ENV:Header>" if header else "")
                + f"<SOAP-ENV:Body><typ:SendMessage>{bare}</typ:SendMessage>"
                "</SOAP-ENV:Body></SOAP-ENV:Envelope>\n").encode()
    if style == "go":
        return (f'<soap:Envelope xmlns:soap="{SOAP11}">\n  <soap:Header>{header}</soap:Header>\n'
                f'  <soap:Body>\n    <SendMessage xmlns="{SYNC}">{unset}'
                "</SendMessage>\n  </soap:Body>\n</soap:Envelope>").encode()
    raise ValueError(f"unknown style {style!r}")


STYLE_HEADERS = {
    "jaxws": {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
    "cxf": {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
    "php": {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
    "go": {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "SendMessage"},
}


# --- replies ---------------------------------------------------------------------------------


def _fields(el: etree._Element | None) -> dict:
    if el is None:
        return {}
    out = {}
    for child in el:
        if isinstance(child.tag, str):
            out[child.tag] = _fields(child) if len(child) else child.text
    return out


@dataclass
class Reply:
    status: int
    content: bytes
    headers: httpx.Headers
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
    def fault_element(self) -> etree._Element:
        assert self.is_fault, f"expected a fault, got HTTP {self.status}: {self.content[:400]!r}"
        return self.body_child.find("detail")[0]

    @property
    def error(self) -> dict:
        """ErrorInfo as a dict (``subError`` nested)."""
        return _fields(self.fault_element)

    @property
    def faultcode(self) -> str:
        return self.body_child.findtext("faultcode")

    @property
    def response_info(self) -> dict:
        assert not self.is_fault, f"unexpected fault: {self.error}"
        return _fields(self.body_child.find("response/responseInfo"))

    @property
    def data(self) -> etree._Element | None:
        return self.body_child.find("response/responseData/data")


def validate(element: etree._Element) -> None:
    """Schema-validate a SendMessageResponse or fault element with the contract's validator."""
    schema = sync_validator()
    doc = etree.fromstring(etree.tostring(element))
    assert schema.validate(doc), f"{schema.error_log}\n{etree.tostring(element).decode()}"


def assert_fault(reply: Reply, code: str, *, data_contains: str | None = None,
                 faultcode: str | None = None) -> dict:
    """A fault as the contract has it: HTTP 500, ErrorInfo valid and in order, the right code."""
    assert reply.status == 500, (reply.status, reply.content[:500])
    assert reply.is_fault, reply.content[:500]
    assert reply.fault_element.tag == FAULT_ELEMENT
    validate(reply.fault_element)
    error = reply.error
    assert error["errorCode"] == code, error
    assert error["errorMessage"], error
    if data_contains is not None:
        assert data_contains in (error.get("errorData") or ""), error
    if faultcode is not None:
        assert reply.faultcode == faultcode, reply.faultcode
    return error


# --- live servers ----------------------------------------------------------------------------


@dataclass
class LiveGateway:
    """A running simulator: its base URL, the app (for state) and a keep-alive HTTP client."""

    url: str
    app: object
    home: Path
    http: httpx.Client

    @property
    def endpoint(self) -> str:
        return self.url + PATH

    @property
    def journal(self):
        return self.app.state.gateway.journal

    def post(self, body: bytes, *, headers: dict | None = None, style: str = "jaxws") -> Reply:
        hdrs = dict(STYLE_HEADERS.get(style, STYLE_HEADERS["jaxws"]))
        hdrs.update(headers or {})
        r = self.http.post(self.endpoint, content=body, headers=hdrs)
        return Reply(r.status_code, r.content, r.headers)

    def send(self, style: str = "jaxws", **kwargs) -> Reply:
        return self.post(envelope(style, **kwargs), style=style)

    def assert_serving(self) -> None:
        """A good request right after a bad one still succeeds: nothing was left broken."""
        reply = self.send("jaxws")
        assert reply.status == 200 and not reply.is_fault, reply.content[:500]


def seed_home(home: Path, pki: TestPKI) -> Path:
    """A simulator home whose test PKI is a copy of ``pki`` (so no RSA keygen per server)."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "pki").exists():
        shutil.copytree(pki.directory, home / "pki")
    return home


@contextlib.contextmanager
def live_gateway(home: Path, pki: TestPKI, *, config: str | None = None,
                 clock: Clock = system_clock) -> Iterator[LiveGateway]:
    """``build_app`` on ``home`` (with a config file when given), served on loopback."""
    seed_home(home, pki)
    config_file = None
    if config is not None:
        config_file = home / "gateway.toml"
        config_file.write_text(config, encoding="utf-8")
    app = build_app(Settings(home=home, config_file=config_file), clock=clock)
    with serve_in_thread(app) as url, httpx.Client(timeout=20) as http:
        yield LiveGateway(url, app, home, http)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
