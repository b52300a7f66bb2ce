"""SyncChannel v10 ``SendMessage``: authenticate, check the transport signature, route, call the
provider, answer — and journal the exchange before the answer leaves.

Data flows one way: transport (gateway/app.py) → envelope (gateway/soap.py) → this handler →
the provider (a registry), and back. The handler never re-reads the document after the
transport signature is verified; it works on the verified Body.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from lxml import etree

from egov_sim.core import ids
from egov_sim.core.clock import Clock, system_clock
from egov_sim.wsdl.schemas import sync_validator

from . import admission, errors, soap
from . import journal as journal_module
from .admission import TransportSecurity
from .config import GatewayConfig, Service
from .duplicates import DuplicateMessages
from .errors import GatewayFault
from .journal import SignatureVerdict
from .providers import SYNC_TYPES, ProviderCall, ProviderFault, ProviderReply
from .request_info import RequestInfo, read_request_info
from .soap_action import check_soap_action

SEND_MESSAGE = f"{{{SYNC_TYPES}}}SendMessage"
FAULT_ELEMENT = f"{{{SYNC_TYPES}}}SendMessageFault1_SendMessageFault"
WSSE = admission.WSSE


def new_session_id() -> str:
    """A ``guid`` as the contract's pattern wants it: with braces."""
    return "{" + str(ids.new_uuid()) + "}"


@dataclass
class Trace:
    """What the handler learns of one SendMessage as it goes; becomes a journal Exchange."""

    received_at: Any
    request_body: bytes
    session_id: str = field(default_factory=new_session_id)
    message_id: str | None = None
    correlation_id: str | None = None
    service_id: str | None = None
    sender_id: str | None = None
    route_id: str | None = None
    provider: str | None = None
    provider_ms: float | None = None
    signature: str = SignatureVerdict.ABSENT
    signature_detail: dict = field(default_factory=dict)
    response_signed: bool = False
    status_code: str | None = None
    status_message: str | None = None
    fault_code: str | None = None
    fault_message: str | None = None
    http_status: int = 200
    response_body: bytes = b""
    responded_at: Any = None
    provider_started_at: Any = None
    provider_finished_at: Any = None
    client: str | None = None
    total_ms: float | None = None
    fault_action: Any = None
    """The injected fault that matched this request, if any (gateway/fault_injection.py)."""
    channel: str = journal_module.CHANNEL_SYNC
    sends_message: bool = True
    """False for AsyncChannel calls that only name a message (gateway/journal.py)."""

    def to_exchange(self) -> journal_module.Exchange:
        return journal_module.Exchange(
            received_at=self.received_at, request_body=self.request_body,
            response_body=self.response_body, channel=self.channel,
            message_id=self.message_id, correlation_id=self.correlation_id,
            session_id=self.session_id, service_id=self.service_id, sender_id=self.sender_id,
            route_id=self.route_id, provider=self.provider, client=self.client,
            provider_started_at=self.provider_started_at,
            provider_finished_at=self.provider_finished_at, responded_at=self.responded_at,
            provider_ms=self.provider_ms, total_ms=self.total_ms,
            request_signature=self.signature, response_signed=self.response_signed,
            signature_details=self.signature_detail or None, status_code=self.status_code,
            status_message=self.status_message, error_code=self.fault_code,
            error_message=self.fault_message, http_status=self.http_status,
            sends_message=self.sends_message)


ProviderResolver = Callable[[Service, RequestInfo], Any]


class SyncChannel:
    def __init__(self, config: GatewayConfig, *, resolve_provider: ProviderResolver,
                 journal: journal_module.Journal, security: TransportSecurity | None = None,
                 injector=None, clock: Clock = system_clock,
                 duplicates: DuplicateMessages | None = None):
        self.config = config
        self.resolve_provider = resolve_provider
        self.journal = journal
        self.journal_writer = journal_module.JournalWriter(journal)
        self.security = security
        self.injector = injector
        self.clock = clock
        self.duplicates = duplicates or DuplicateMessages(journal.db, config.duplicate_message_id, clock=clock)

    async def handle(self, raw: bytes, content_type: str | None, *,
                     client: str | None = None, soap_action: str | None = None) -> tuple[int, bytes, Trace]:
        ex = Trace(received_at=self.clock(), request_body=raw, client=client)
        started = time.perf_counter()
        try:
            soap.check_content_type(content_type)
            check_soap_action(soap_action, policy=self.config.soap_action)
            message = soap.parse_message(raw, self.config.limits)
            body = await self._send_message(message, ex)
        except GatewayFault as fault:
            body = self._fault(ex, fault)
        except Exception as exc:  # noqa: BLE001 — an unexpected bug still answers with a fault
            body = self._fault(ex, GatewayFault(errors.INTERNAL, f"{exc.__class__.__name__}: {exc}"))
        if ex.fault_action is not None:
            body = ex.fault_action.response(body)
            ex.signature_detail["injectedFault"] = ex.fault_action.rule.describe()
        ex.response_body = body
        ex.responded_at = self.clock()
        ex.total_ms = round((time.perf_counter() - started) * 1000, 3)
        try:
            await self.journal_writer.record(ex.to_exchange())
        except Exception as exc:  # noqa: BLE001 — never answer what was not journaled
            body = self._fault(ex, GatewayFault(errors.JOURNAL_UNAVAILABLE,
                                                f"{exc.__class__.__name__}: {exc}"))
        return ex.http_status, body, ex

    def _fault(self, ex: Trace, fault: GatewayFault) -> bytes:
        ex.fault_code = self.config.error_codes.wire(fault.code)
        ex.fault_message = fault.message + (f" ({fault.data})" if fault.data else "")
        ex.http_status = 500
        return soap.fault_envelope(fault, fault_element=FAULT_ELEMENT, codes=self.config.error_codes,
                                   when=self.clock(), session_id=ex.session_id)

    async def _send_message(self, message: soap.SoapMessage, ex: Trace) -> bytes:
        if message.operation_qname != SEND_MESSAGE:
            raise GatewayFault(errors.NO_OPERATION,
                               f"{message.operation_qname} is not an operation of SyncChannel v10 (expected SendMessage)")
        request = message.operation.find("request")
        info = read_request_info(request)
        ex.message_id, ex.correlation_id = info.message_id, info.correlation_id
        ex.service_id, ex.sender_id, ex.route_id = info.service_id, info.sender_id, info.route_id
        admission.check_headers(message, self.config)
        admission.validate(message, self.config, sync_validator())

        participant = admission.authenticate(self.config, info.sender_id, info.password)
        admission.check_transport_signature(self.security, message, participant, ex)
        service = admission.admit(self.config, info.service_id, info.sender_id, info.route_id)

        data = admission.find_data(request.find("requestData"))
        if data is not None and data.tag != "data":
            call_data = admission.as_contract_data(data)
        else:
            call_data = soap.copy_data(data) if data is not None else None
        call = ProviderCall(info=info, data=call_data, session_id=ex.session_id,
                            route_id=info.route_id, content=admission.content_of(data, call_data))
        claim = await self.duplicates.claim(sender_id=info.sender_id, message_id=info.message_id,
                                            channel=journal_module.CHANNEL_SYNC, session_id=ex.session_id)
        try:
            reply = await self._call_provider(service, info, call, ex)
        except BaseException:
            await self.duplicates.release(claim)  # a retry after a fault may use the messageId
            raise
        ex.status_code, ex.status_message = reply.code, reply.message
        return self._response(info, reply, ex)

    async def _call_provider(self, service: Service, info: RequestInfo, call: ProviderCall,
                             ex: Trace) -> ProviderReply:
        provider = self.resolve_provider(service, info)
        ex.provider = service.provider if info.route_id is None else self.config.routes[info.route_id].provider
        action = self.injector.match(info.service_id, info.sender_id) if self.injector else None
        ex.fault_action = action
        started = time.perf_counter()
        ex.provider_started_at = self.clock()
        try:
            left = await action.before(service.timeout) if action is not None else service.timeout
            async with asyncio.timeout(left):
                reply = await provider(call)
        except TimeoutError:
            raise GatewayFault(errors.PROVIDER_TIMEOUT,
                               f"provider {ex.provider} did not answer within {service.timeout:g} s") from None
        except ProviderFault as pf:
            raise GatewayFault(errors.PROVIDER_FAILED, f"provider {ex.provider} answered with a fault",
                               sub_error=GatewayFault(pf.code, pf.data, message=pf.message)) from None
        finally:
            ex.provider_finished_at = self.clock()
            ex.provider_ms = round((time.perf_counter() - started) * 1000, 3)
        return reply

    def _response(self, info: RequestInfo, reply: ProviderReply, ex: Trace) -> bytes:
        fields = dict(message_id=reply.message_id, correlation_id=info.message_id,
                      response_date=soap.now_iso(self.clock()), code=reply.code,
                      message=reply.message, session_id=ex.session_id, data=reply.data)
        if not (self.config.sign_responses and self.security is not None):
            fast = soap.send_message_response(**fields)
            if fast is not None:
                return fast
            return soap.serialize(response_envelope(**fields))
        ex.response_signed = True
        return self.security.sign(response_envelope(**fields))


def response_envelope(*, message_id: str, correlation_id: str, response_date: str, code: str,
                      message: str, session_id: str, data: etree._Element | None) -> etree._Element:
    """The SendMessageResponse envelope as a tree (to be signed; ``data`` moves into it)."""
    resp_el = etree.Element(f"{{{SYNC_TYPES}}}SendMessageResponse", nsmap={"ns2": SYNC_TYPES})
    response = etree.SubElement(resp_el, "response")
    ri = etree.SubElement(response, "responseInfo")
    etree.SubElement(ri, "messageId").text = message_id
    etree.SubElement(ri, "correlationId").text = correlation_id
    etree.SubElement(ri, "responseDate").text = response_date
    status = etree.SubElement(ri, "status")
    etree.SubElement(status, "code").text = code
    etree.SubElement(status, "message").text = message
    etree.SubElement(ri, "sessionId").text = session_id
    rd = etree.SubElement(response, "responseData")
    if data is not None:
        rd.append(data)
    return soap.envelope_with(resp_el)
