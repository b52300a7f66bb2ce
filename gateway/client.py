"""A participant's SOAP client for ШЭП SyncChannel: what the portal, ЦОН and the АРМ use.

It builds the envelope with lxml and posts it over HTTP, like the PHP and Go clients of real
participants do; it never calls the gateway in process. ``data`` goes on the wire exactly as
given (a pre-signed payload stays byte-for-byte the same), and the answer's ``data`` comes
back as parsed from the raw response, so signatures inside it can be checked.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

import httpx
from lxml import etree

from egov_sim.core import ids
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.safe_xml import UnsafeXmlError, parse
from egov_sim.core.xml_build import child_text

from .providers import SYNC_TYPES
from .soap import SOAP11, now_iso, serialize

SYNC_PATH = "/bip-sync-wss-gost/"


class ShepError(Exception):
    """The gateway could not be reached, or answered something that is not SOAP."""


@dataclass(frozen=True)
class ShepFault(Exception):
    """The gateway (or the provider behind it) answered with a fault."""

    code: str
    message: str
    data: str | None = None
    sub_code: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" + (f" ({self.data})" if self.data else "")


@dataclass(frozen=True)
class ShepReply:
    message_id: str
    correlation_id: str | None
    status_code: str
    status_message: str
    session_id: str | None
    data: etree._Element | None = field(repr=False)
    raw: bytes = field(repr=False)
    request_message_id: str = ""


class ShepClient:
    """SendMessage as one registered participant (senderId/password), optionally WSSE-signed."""

    def __init__(self, gateway_url: str, sender_id: str, password: str | None, *,
                 http: httpx.AsyncClient, signer=None, clock: Clock = system_clock,
                 timeout: float = 30.0):
        self.url = gateway_url.rstrip("/") + SYNC_PATH
        self.sender_id, self.password = sender_id, password
        self.http, self.signer, self.clock, self.timeout = http, signer, clock, timeout

    def envelope(self, service_id: str, data: etree._Element | None, *, message_id: str,
                 route_id: str | None = None, correlation_id: str | None = None,
                 when: dt.datetime | None = None) -> bytes:
        send = etree.Element(f"{{{SYNC_TYPES}}}SendMessage", nsmap={"ns2": SYNC_TYPES})
        request = etree.SubElement(send, "request")
        info = etree.SubElement(request, "requestInfo")
        etree.SubElement(info, "messageId").text = message_id
        if correlation_id:
            etree.SubElement(info, "correlationId").text = correlation_id
        etree.SubElement(info, "serviceId").text = service_id
        etree.SubElement(info, "messageDate").text = now_iso(when or self.clock())
        if route_id:
            etree.SubElement(info, "routeId").text = route_id
        sender = etree.SubElement(info, "sender")
        etree.SubElement(sender, "senderId").text = self.sender_id
        if self.password is not None:
            etree.SubElement(sender, "password").text = self.password
        request_data = etree.SubElement(request, "requestData")
        if data is not None:
            request_data.append(copy.deepcopy(data))
        env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
        etree.SubElement(env, f"{{{SOAP11}}}Header")
        etree.SubElement(env, f"{{{SOAP11}}}Body").append(send)
        if self.signer is not None:
            from egov_sim.signing.wsse import sign_wsse

            return sign_wsse(etree.ElementTree(env), self.signer.key, self.signer.certificate,
                             engine="strict")
        return serialize(env)

    async def send(self, service_id: str, data: etree._Element | None = None, *,
                   route_id: str | None = None, correlation_id: str | None = None) -> ShepReply:
        message_id = str(ids.new_uuid())
        body = self.envelope(service_id, data, message_id=message_id, route_id=route_id,
                             correlation_id=correlation_id)
        try:
            resp = await self.http.post(self.url, content=body, timeout=self.timeout,
                                        headers={"Content-Type": "text/xml; charset=utf-8",
                                                 "SOAPAction": '""'})
        except httpx.HTTPError as exc:
            raise ShepError(f"ШЭП at {self.url} unreachable: {exc.__class__.__name__}: {exc}") from None
        try:
            root = parse(resp.content).getroot()
        except UnsafeXmlError as exc:
            raise ShepError(f"ШЭП answered HTTP {resp.status_code} with a broken message: {exc}") from None
        first = next((c for c in root.iterfind(f"{{{SOAP11}}}Body/*")), None)
        if first is not None and first.tag == f"{{{SOAP11}}}Fault":
            info = first.find("detail/*")
            sub = info.find("subError") if info is not None else None
            raise ShepFault(child_text(info, "errorCode") or child_text(first, "faultcode") or "?",
                            child_text(info, "errorMessage") or child_text(first, "faultstring") or "",
                            child_text(info, "errorData"), child_text(sub, "errorCode"))
        response = first.find("response") if first is not None else None
        if response is None:
            raise ShepError(f"ШЭП answered HTTP {resp.status_code} without a SendMessageResponse")
        return ShepReply(
            message_id=child_text(response, "responseInfo/messageId") or "",
            correlation_id=child_text(response, "responseInfo/correlationId"),
            status_code=child_text(response, "responseInfo/status/code") or "",
            status_message=child_text(response, "responseInfo/status/message") or "",
            session_id=child_text(response, "responseInfo/sessionId"),
            data=response.find("responseData/data"), raw=resp.content,
            request_message_id=message_id)


