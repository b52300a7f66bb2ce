"""Providers behind ШЭП: what answers a serviceId once the gateway has let the request through.

A provider is an async callable ``(ProviderCall) -> ProviderReply``. Built-in providers run in
the simulator's process; :class:`HttpProvider` forwards the SendMessage to an external URL so an
integrator can put their own provider behind the simulated gateway.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Mapping

import httpx
from lxml import etree

from egov_sim.core import ids
from egov_sim.core.safe_xml import UnsafeXmlError, XmlLimits, parse
from egov_sim.core.xml_build import child_text

from . import errors
from .errors import GatewayFault
from .request_info import RequestInfo
from .soap import SOAP11, copy_data, serialize

SYNC_TYPES = "http://bip.bee.kz/SyncChannel/v10/Types"
SUCCESS_CODE = "SCSS001"
SUCCESS_MESSAGE = "Message has been processed successfully"


@dataclass(eq=False)
class ProviderCall:
    info: RequestInfo
    data: etree._Element | None
    """A deep copy of the request's ``data``: the provider may keep or change it freely."""
    session_id: str
    route_id: str | None = None
    content: etree._Element | None = None
    """``data`` as a signature covers it: comments removed, the text around them joined (c14n's
    view, signing.verify.signed_view). Built-in providers read values from here, never from
    ``data``, whose ``.text`` stops at a comment. None when there is no data."""

    @property
    def payload(self) -> etree._Element | None:
        """What to read values from: :attr:`content`, or ``data`` when no view was made."""
        return self.content if self.content is not None else self.data


@dataclass(eq=False)
class ProviderReply:
    data: etree._Element | None = None
    code: str = SUCCESS_CODE
    message: str = SUCCESS_MESSAGE
    message_id: str = field(default_factory=lambda: str(ids.new_uuid()))


class ProviderFault(Exception):
    """The provider answered with its own fault; the gateway passes it on as a subError."""

    def __init__(self, code: str, message: str, data: str | None = None):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.data = code, message, data


Provider = Callable[[ProviderCall], Awaitable[ProviderReply]]


async def echo_provider(call: ProviderCall) -> ProviderReply:
    """SIM_ECHO: the request's data, back as the response's data."""
    return ProviderReply(data=call.data)


def build_send_message(call: ProviderCall) -> bytes:
    """The SendMessage envelope the gateway sends on to an external provider."""
    send = etree.Element(f"{{{SYNC_TYPES}}}SendMessage", nsmap={"ns2": SYNC_TYPES})
    request = etree.SubElement(send, "request")
    request.append(call.info.to_element(session_id=call.session_id))
    request_data = etree.SubElement(request, "requestData")
    if call.data is not None:
        request_data.append(copy.deepcopy(call.data))
    env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
    etree.SubElement(env, f"{{{SOAP11}}}Body").append(send)
    return serialize(env)


class HttpProvider:
    """An external provider reached over HTTP: its SOAP answer, or its fault, comes back."""

    def __init__(self, url: str, *, timeout: float, client: httpx.AsyncClient,
                 limits: XmlLimits = XmlLimits()):
        self.url, self.timeout, self.client, self.limits = url, timeout, client, limits

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        body = build_send_message(call)
        try:
            resp = await self.client.post(self.url, content=body, timeout=self.timeout,
                                          headers={"Content-Type": "text/xml; charset=utf-8",
                                                   "SOAPAction": '""'})
        except httpx.TimeoutException:
            raise GatewayFault(errors.PROVIDER_TIMEOUT,
                               f"provider {self.url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise GatewayFault(errors.PROVIDER_FAILED, f"provider {self.url}: {exc.__class__.__name__}: {exc}") from None
        try:
            root = parse(resp.content, self.limits).getroot()
        except UnsafeXmlError as exc:
            raise GatewayFault(errors.PROVIDER_FAILED,
                               f"provider {self.url} answered HTTP {resp.status_code} with a broken message: {exc}") from None
        body_el = root.find(f"{{{SOAP11}}}Body")
        first = next((c for c in body_el if isinstance(c.tag, str)), None) if body_el is not None else None
        if first is not None and first.tag == f"{{{SOAP11}}}Fault":
            info = next((c for c in first.iterfind("detail/*")), None)
            raise ProviderFault(child_text(info, "errorCode") or child_text(first, "faultcode") or "SCE909",
                                child_text(info, "errorMessage") or child_text(first, "faultstring") or "provider fault",
                                child_text(info, "errorData"))
        if first is None or first.tag != f"{{{SYNC_TYPES}}}SendMessageResponse" or resp.status_code != 200:
            raise GatewayFault(errors.PROVIDER_FAILED,
                               f"provider {self.url} answered HTTP {resp.status_code} without a SendMessageResponse")
        response = first.find("response")
        data = response.find("responseData/data") if response is not None else None
        return ProviderReply(
            data=copy_data(data) if data is not None else None,
            code=child_text(response, "responseInfo/status/code") or SUCCESS_CODE,
            message=child_text(response, "responseInfo/status/message") or SUCCESS_MESSAGE,
            message_id=child_text(response, "responseInfo/messageId") or str(ids.new_uuid()),
        )


BUILTIN: Mapping[str, Provider] = {"echo": echo_provider}
