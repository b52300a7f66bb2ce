"""AsyncChannel test helpers: a push participant served on loopback (``IAsyncChannelClient``),
raw envelopes in the styles real clients write, and reply parsing.

The participant is a real HTTP server that answers ``sendMessage`` and
``changeMassageStatusNotification`` as the contract says, records what it got, and can be told
to fail its next N calls, so retries and backoff are tested against the wire.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Iterator

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from egov_sim.core.testing import serve_in_thread
from egov_sim.wsdl.schemas import async_validator

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
TYPES = "http://bip.bee.kz/AsyncChannel/v10/Types"
CLIENT = "http://bip.bee.kz/AsyncChannel/v10/Types/Client"
PATH = "/bip-async"


@dataclass
class PushParticipant:
    """What the gateway pushed here, and how the next calls should go."""

    url: str = ""
    messages: list[etree._Element] = field(default_factory=list)
    notifications: list[etree._Element] = field(default_factory=list)
    fail_next: int = 0
    """Answer this many calls with a SOAP fault (HTTP 500) before answering normally."""
    calls: int = 0
    tries: dict[str, int] = field(default_factory=dict)
    """sendMessage calls per messageId, failed ones included."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def states(self, message_id: str) -> list[str]:
        with self.lock:
            return [n.findtext("request/notification/messageState") for n in self.notifications
                    if n.findtext("request/notification/messageId") == message_id]


def _app(participant: PushParticipant) -> Starlette:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        root = etree.fromstring(body)
        operation = root.find(f"{{{SOAP11}}}Body")[0]
        with participant.lock:
            participant.calls += 1
            if operation.tag == f"{{{CLIENT}}}sendMessage":
                message_id = operation.findtext("request/messageInfo/messageId")
                participant.tries[message_id] = participant.tries.get(message_id, 0) + 1
            if participant.fail_next > 0:
                participant.fail_next -= 1
                fault = (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><soap:Fault>'
                         "<faultcode>soap:Server</faultcode><faultstring>participant busy</faultstring>"
                         "</soap:Fault></soap:Body></soap:Envelope>")
                return Response(fault, status_code=500, media_type="text/xml")
            assert async_validator().validate(operation), async_validator().error_log
            if operation.tag == f"{{{CLIENT}}}sendMessage":
                participant.messages.append(operation)
                info = operation.find("request/messageInfo")
                answer = (f'<cl:sendMessageResponse xmlns:cl="{CLIENT}"><response>'
                          f"<messageId>{info.findtext('messageId')}</messageId>"
                          f"<correlationId>{info.findtext('correlationId')}</correlationId>"
                          "<responseDate>2026-02-02T09:00:00.000+05:00</responseDate></response>"
                          "</cl:sendMessageResponse>")
            else:
                participant.notifications.append(operation)
                answer = (f'<cl:changeMassageStatusNotificationResponse xmlns:cl="{CLIENT}"><response>'
                          "<responseDate>2026-02-02T09:00:00.000+05:00</responseDate></response>"
                          "</cl:changeMassageStatusNotificationResponse>")
        return Response(f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{answer}</soap:Body></soap:Envelope>',
                        media_type="text/xml")

    return Starlette(routes=[Route("/AsyncChannelClient", endpoint, methods=["POST"])])


@contextlib.contextmanager
def push_participant() -> Iterator[PushParticipant]:
    participant = PushParticipant()
    with serve_in_thread(_app(participant)) as url:
        participant.url = url + "/AsyncChannelClient"
        yield participant


# --- raw envelopes ------------------------------------------------------------------------------

def php_send_message(service_id: str, sender: tuple[str, str], *, data: str = "<data><iin>880314312347</iin></data>",
                     message_type: str = "REQUEST", route_id: str | None = None,
                     correlation_id: str | None = None, message_id: str = "") -> bytes:
    """The PHP integration's shape (spec §3.2): ``SOAP-ENV``, ``typ:sendMessage``, unqualified
    ``request``, ``messageId`` left empty as the contract asks (``message_id``: a client that
    fills it anyway)."""
    route = f"<routeId>{route_id}</routeId>" if route_id else ""
    corr = f"<correlationId>{correlation_id}</correlationId>" if correlation_id else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP11}" '
            f'xmlns:typ="{TYPES}"><SOAP-ENV:Body><typ:sendMessage><request><messageInfo>'
            f"<messageId>{message_id}</messageId>{corr}<serviceId>{service_id}</serviceId><messageType>{message_type}</messageType>"
            f"{route}<messageDate>2026-02-02T09:00:00+05:00</messageDate>"
            f"<sender><senderId>{sender[0]}</senderId><password>{sender[1]}</password></sender>"
            f"</messageInfo><messageData>{data}</messageData></request></typ:sendMessage>"
            "</SOAP-ENV:Body></SOAP-ENV:Envelope>\n").encode()


def csharp_get_messages(service_id: str, sender: tuple[str, str], amount: int = 0) -> bytes:
    """A C# string template: ``s:`` envelope, default namespace on the operation, ``xmlns=""``
    on ``request``, a ``.NET``-style ``requestDate`` with seven fractional digits."""
    return (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><getMessages xmlns="{TYPES}"><request xmlns="">'
            f"<requestDate>2026-02-02T09:00:00.1234567+05:00</requestDate><serviceId>{service_id}</serviceId>"
            f"<sender><senderId>{sender[0]}</senderId><password>{sender[1]}</password></sender>"
            f"<amount>{amount}</amount></request></getMessages></s:Body></s:Envelope>").encode()


def csharp_notification(message_id: str, service_id: str, sender: tuple[str, str], *,
                        accepted: bool = True, resend: bool = False) -> bytes:
    receive = "MESSAGE_ACCEPTED" if accepted else "MESSAGE_NOT_ACCTEPTED"
    return (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><sendDeliveryNotification xmlns="{TYPES}">'
            f'<request xmlns=""><notification><messageId>{message_id}</messageId><serviceId>{service_id}</serviceId>'
            "<notificationDate>2026-02-02T09:00:00.1234567+05:00</notificationDate><deliveryStatus>"
            f"<receiveStatus>{receive}</receiveStatus><statusDate>2026-02-02T09:00:00+05:00</statusDate>"
            f"<resendMessage>{'RESEND' if resend else 'NOT_RESEND'}</resendMessage></deliveryStatus></notification>"
            "<requestDate>2026-02-02T09:00:00+05:00</requestDate>"
            f"<sender><senderId>{sender[0]}</senderId><password>{sender[1]}</password></sender>"
            "</request></sendDeliveryNotification></s:Body></s:Envelope>").encode()


def status_request(message_id: str, sender: tuple[str, str]) -> bytes:
    return (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><t:getMessageStatus xmlns:t="{TYPES}">'
            f"<request><messageId>{message_id}</messageId><requestDate>2026-02-02T09:00:00+05:00</requestDate>"
            f"<sender><senderId>{sender[0]}</senderId><password>{sender[1]}</password></sender>"
            "</request></t:getMessageStatus></soap:Body></soap:Envelope>").encode()


def body_child(content: bytes) -> etree._Element:
    return etree.fromstring(content).find(f"{{{SOAP11}}}Body")[0]


def response(content: bytes) -> etree._Element:
    """The operation's ``response``, after validating the answer against the contract."""
    element = body_child(content)
    assert element.tag != f"{{{SOAP11}}}Fault", content[:600]
    schema = async_validator()
    assert schema.validate(etree.fromstring(etree.tostring(element))), schema.error_log
    return element.find("response")


def fault(content: bytes, operation: str) -> dict:
    element = body_child(content)
    assert element.tag == f"{{{SOAP11}}}Fault", content[:600]
    info = element.find("detail")[0]
    assert info.tag == f"{{{TYPES}}}{operation}Fault1_{operation}Fault", info.tag
    schema = async_validator()
    assert schema.validate(etree.fromstring(etree.tostring(info))), schema.error_log
    return {c.tag: c.text for c in info if isinstance(c.tag, str)} | {"faultcode": element.findtext("faultcode")}
