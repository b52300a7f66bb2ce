"""A participant's SOAP client for ШЭП AsyncChannel, and the choice of leg for the simulator's
own channels.

:class:`AsyncShepClient` speaks the four operations over HTTP like any integrator's client. Its
:meth:`AsyncShepClient.send` has the shape of :meth:`ShepClient.send` (SyncChannel) so the
portal, ЦОН and РШЭП send through either leg unchanged: it posts ``sendMessage`` and then
follows ``getMessageStatus`` until the message is delivered (the reply), refused or stopped (a
:class:`ShepFault` with the recipient's code), or still on delivery after ``wait`` seconds (a
:class:`ShepError` naming the messageId, which stays in the queue and may still arrive).

Which leg is the regulation's reading (``Settings.shep_leg``, ``serve --shep-leg``): the spec
marks the portal/ЦОН → РШЭП requests and РШЭП's answers async ([inferred], wire-formats.md §6–7),
so ``async`` is the default; ``sync`` keeps SendMessage.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from dataclasses import dataclass, field

import httpx
from lxml import etree

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.safe_xml import UnsafeXmlError, parse
from egov_sim.wsdl.schemas import ASYNC_TYPES_NS

from .client import ShepClient, ShepError, ShepFault, ShepReply
from .soap import SOAP11, now_iso, serialize

ASYNC_PATH = "/bip-async"
LEGS = ("async", "sync")


@dataclass(frozen=True)
class MessageStatus:
    state: str
    code: str
    message: str
    date: str | None = None

    @property
    def final(self) -> bool:
        return self.state != "ON_DELIVERY"


@dataclass(frozen=True)
class SentMessage:
    message_id: str
    correlation_id: str
    session_id: str | None
    raw: bytes = field(repr=False, default=b"")


class AsyncShepClient:
    """The AsyncChannel as one registered participant (senderId/password), optionally signed."""

    def __init__(self, gateway_url: str, sender_id: str, password: str | None, *,
                 http: httpx.AsyncClient, signer=None, clock: Clock = system_clock,
                 timeout: float = 30.0, wait: float = 10.0):
        self.url = gateway_url.rstrip("/") + ASYNC_PATH
        self.sender_id, self.password = sender_id, password
        self.http, self.signer, self.clock = http, signer, clock
        self.timeout, self.wait = timeout, wait

    # --- the operations -------------------------------------------------------------------

    def _sender(self, parent: etree._Element) -> None:
        sender = etree.SubElement(parent, "sender")
        etree.SubElement(sender, "senderId").text = self.sender_id
        if self.password is not None:
            etree.SubElement(sender, "password").text = self.password

    def _envelope(self, operation: str) -> tuple[etree._Element, etree._Element]:
        root = etree.Element(f"{{{ASYNC_TYPES_NS}}}{operation}", nsmap={"typ": ASYNC_TYPES_NS})
        return root, etree.SubElement(root, "request")

    async def _post(self, root: etree._Element) -> etree._Element:
        env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
        etree.SubElement(env, f"{{{SOAP11}}}Header")
        etree.SubElement(env, f"{{{SOAP11}}}Body").append(root)
        if self.signer is not None:
            from egov_sim.signing.wsse import sign_wsse

            body = sign_wsse(etree.ElementTree(env), self.signer.key, self.signer.certificate,
                             engine="strict")
        else:
            body = serialize(env)
        try:
            resp = await self.http.post(self.url, content=body, timeout=self.timeout,
                                        headers={"Content-Type": "text/xml; charset=utf-8",
                                                 "SOAPAction": '""'})
        except httpx.HTTPError as exc:
            raise ShepError(f"ШЭП at {self.url} unreachable: {exc.__class__.__name__}: {exc}") from None
        try:
            answer = parse(resp.content).getroot()
        except UnsafeXmlError as exc:
            raise ShepError(f"ШЭП answered HTTP {resp.status_code} with a broken message: {exc}") from None
        first = next((c for c in answer.iterfind(f"{{{SOAP11}}}Body/*")), None)
        if first is not None and first.tag == f"{{{SOAP11}}}Fault":
            info = first.find("detail/*")
            raise ShepFault(_text(info, "errorCode") or _text(first, "faultcode") or "?",
                            _text(info, "errorMessage") or _text(first, "faultstring") or "",
                            _text(info, "errorData"), _text(info, "subError/errorCode"))
        response = first.find("response") if first is not None else None
        if response is None:
            raise ShepError(f"ШЭП answered HTTP {resp.status_code} without a response")
        return response

    async def send_message(self, service_id: str, data: etree._Element | None, *,
                           message_type: str = "REQUEST", route_id: str | None = None,
                           correlation_id: str | None = None,
                           when: dt.datetime | None = None) -> SentMessage:
        root, request = self._envelope("sendMessage")
        info = etree.SubElement(request, "messageInfo")
        if correlation_id:
            etree.SubElement(info, "correlationId").text = correlation_id
        etree.SubElement(info, "serviceId").text = service_id
        etree.SubElement(info, "messageType").text = message_type
        if route_id:
            etree.SubElement(info, "routeId").text = route_id
        etree.SubElement(info, "messageDate").text = now_iso(when or self.clock())
        self._sender(info)
        message_data = etree.SubElement(request, "messageData")
        if data is not None:
            message_data.append(copy.deepcopy(data))
        response = await self._post(root)
        return SentMessage(_text(response, "messageId") or "", _text(response, "correlationId") or "",
                           _text(response, "sessionId"))

    async def status(self, message_id: str) -> MessageStatus:
        root, request = self._envelope("getMessageStatus")
        etree.SubElement(request, "messageId").text = message_id
        etree.SubElement(request, "requestDate").text = now_iso(self.clock())
        self._sender(request)
        response = await self._post(root)
        return MessageStatus(_text(response, "messageState") or "", _text(response, "status/statusCode") or "",
                             _text(response, "status/statusMessage") or "", _text(response, "status/statusDate"))

    async def get_messages(self, service_id: str, *, amount: int = 0,
                           correlation_id: str | None = None) -> list[etree._Element]:
        root, request = self._envelope("getMessages")
        if correlation_id:
            etree.SubElement(request, "correlationId").text = correlation_id
        etree.SubElement(request, "requestDate").text = now_iso(self.clock())
        etree.SubElement(request, "serviceId").text = service_id
        self._sender(request)
        etree.SubElement(request, "amount").text = str(amount)
        response = await self._post(root)
        return response.findall("messages")

    async def notify(self, message_id: str, service_id: str, *, accepted: bool = True,
                     resend: bool = False, error: tuple[str, str] | None = None) -> str:
        root, request = self._envelope("sendDeliveryNotification")
        note = etree.SubElement(request, "notification")
        etree.SubElement(note, "messageId").text = message_id
        etree.SubElement(note, "serviceId").text = service_id
        etree.SubElement(note, "notificationDate").text = now_iso(self.clock())
        status = etree.SubElement(note, "deliveryStatus")
        etree.SubElement(status, "receiveStatus").text = "MESSAGE_ACCEPTED" if accepted else "MESSAGE_NOT_ACCTEPTED"
        etree.SubElement(status, "statusDate").text = now_iso(self.clock())
        etree.SubElement(status, "resendMessage").text = "RESEND" if resend else "NOT_RESEND"
        if error is not None:
            err = etree.SubElement(status, "error")
            etree.SubElement(err, "errorCode").text = error[0]
            etree.SubElement(err, "errorMessage").text = error[1]
            etree.SubElement(err, "errorDate").text = now_iso(self.clock())
        etree.SubElement(request, "requestDate").text = now_iso(self.clock())
        self._sender(request)
        response = await self._post(root)
        return _text(response, "notificationId") or ""

    # --- the SyncChannel-shaped send --------------------------------------------------------

    async def wait_for(self, message_id: str, *, wait: float | None = None) -> MessageStatus:
        """``getMessageStatus`` until the state is final or ``wait`` seconds passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.wait if wait is None else wait)
        pause = 0.005
        while True:
            status = await self.status(message_id)
            if status.final or loop.time() >= deadline:
                return status
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)

    async def send(self, service_id: str, data: etree._Element | None = None, *,
                   route_id: str | None = None, correlation_id: str | None = None,
                   message_type: str | None = None) -> ShepReply:
        """sendMessage, then the delivery's outcome, in the shape of ShepClient.send.

        The type is REQUEST, or RESPONSE when a ``correlation_id`` continues a conversation
        (unless ``message_type`` says otherwise)."""
        kind = message_type or ("RESPONSE" if correlation_id else "REQUEST")
        sent = await self.send_message(service_id, data, message_type=kind, route_id=route_id,
                                       correlation_id=correlation_id)
        status = await self.wait_for(sent.message_id)
        if status.state == "DELIVERED":
            return ShepReply(message_id=sent.message_id, correlation_id=sent.correlation_id,
                             status_code=status.code, status_message=status.message,
                             session_id=sent.session_id, data=None, raw=b"",
                             request_message_id=sent.message_id)
        if status.state == "ON_DELIVERY":
            raise ShepError(f"message {sent.message_id} is still on delivery after {self.wait:g} s "
                            f"({status.code}: {status.message}); ШЭП keeps trying")
        raise ShepFault(status.code or status.state, status.message,
                        f"messageId {sent.message_id}: {status.state}")


def channel_client(leg: str, gateway_url: str, sender_id: str, password: str | None, *,
                   http: httpx.AsyncClient, clock: Clock = system_clock, timeout: float = 30.0):
    """The client a channel sends its async legs with: AsyncChannel, or SyncChannel by switch."""
    if leg == "async":
        return AsyncShepClient(gateway_url, sender_id, password, http=http, clock=clock, timeout=timeout)
    if leg == "sync":
        return ShepClient(gateway_url, sender_id, password, http=http, clock=clock, timeout=timeout)
    raise ValueError(f"shep leg must be one of {', '.join(LEGS)}, not {leg!r}")


def _text(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return found.text if found is not None else None
