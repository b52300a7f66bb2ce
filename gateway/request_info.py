"""``requestInfo`` (SyncMessageInfo): read from the wire with named errors, written in schema order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from . import errors
from .errors import GatewayFault

_ORDER = ("messageId", "correlationId", "serviceId", "messageDate", "routeId", "sender",
          "properties", "sessionId")
_MANDATORY = ("messageId", "serviceId", "messageDate", "sender")


@dataclass(frozen=True)
class RequestInfo:
    message_id: str
    service_id: str
    message_date: str
    sender_id: str
    password: str | None = None
    correlation_id: str | None = None
    route_id: str | None = None
    properties: tuple[tuple[str, str], ...] = ()

    def to_element(self, *, session_id: str | None = None) -> etree._Element:
        el = etree.Element("requestInfo")
        for name, value in (("messageId", self.message_id), ("correlationId", self.correlation_id),
                            ("serviceId", self.service_id), ("messageDate", self.message_date),
                            ("routeId", self.route_id)):
            if value is not None:
                etree.SubElement(el, name).text = value
            if name == "routeId":
                sender = etree.SubElement(el, "sender")
                etree.SubElement(sender, "senderId").text = self.sender_id
                if self.password is not None:
                    etree.SubElement(sender, "password").text = self.password
        for key, value in self.properties:
            prop = etree.SubElement(el, "properties")
            etree.SubElement(prop, "key").text = key
            etree.SubElement(prop, "value").text = value
        if session_id:
            etree.SubElement(el, "sessionId").text = session_id
        return el


def _parse_datetime(value: str) -> None:
    try:
        dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise GatewayFault(errors.FORMAT, f"requestInfo/messageDate {value!r} is not an xsd:dateTime") from None


def read_request_info(request: etree._Element | None) -> RequestInfo:
    """Read ``request/requestInfo``; a missing mandatory field is SCE001 naming that field."""
    info = request.find("requestInfo") if request is not None else None
    if info is None:
        raise GatewayFault(errors.FORMAT, "request/requestInfo is missing")
    fields: dict[str, etree._Element] = {}
    for child in info:
        if isinstance(child.tag, str) and child.tag in _ORDER and child.tag != "properties":
            fields.setdefault(child.tag, child)
    for name in _MANDATORY:
        el = fields.get(name)
        if el is None or (name != "sender" and not (el.text or "").strip()):
            raise GatewayFault(errors.FORMAT, f"requestInfo/{name} is missing")
    sender = fields["sender"]
    sender_id = sender.findtext("senderId")
    if not (sender_id or "").strip():
        raise GatewayFault(errors.FORMAT, "requestInfo/sender/senderId is missing")
    _parse_datetime(fields["messageDate"].text)
    props = tuple((p.findtext("key") or "", p.findtext("value") or "")
                  for p in info.iterfind("properties"))
    text = lambda n: fields[n].text.strip() if n in fields and fields[n].text else None  # noqa: E731
    return RequestInfo(
        message_id=text("messageId"), service_id=text("serviceId"),
        message_date=fields["messageDate"].text.strip(), sender_id=sender_id.strip(),
        password=sender.findtext("password"), correlation_id=text("correlationId"),
        route_id=text("routeId"), properties=props,
    )
