"""AsyncChannel v10 on the gateway (``IAsyncChannel`` at ``/bip-async``): ``sendMessage``,
``getMessages``, ``getMessageStatus``, ``sendDeliveryNotification``.

The sequencing is the one the spec infers (wire-formats.md §3.4), egov-sim's model:

1. ``sendMessage`` REQUEST: the gateway generates ``messageId`` and ``correlationId`` (the
   contract says the sender leaves them empty), commits the message to the queue in state
   ``ON_DELIVERY`` and answers with both ids. Other message types (RESPONSE, NOTIFICATION,
   UPDATE) must carry the ``correlationId`` of the conversation; the gateway generates their
   ``messageId``.
2. The recipient: for a REQUEST, the ``recipient`` participant of the route or service in the
   register (push when it has a ``push_url``, else pull), or the ``builtin:`` provider, called
   in process. A RESPONSE/NOTIFICATION/UPDATE on the same serviceId from the participant that
   received the conversation's REQUEST goes back to the REQUEST's sender; otherwise it is routed
   by its serviceId like a REQUEST (РШЭП answers into the portal's and ЦОН's inbox services).
3. Pull: ``getMessages`` hands out waiting messages (``amount`` 0 → the configured batch) under
   a lease; ``sendDeliveryNotification`` ends them: MESSAGE_ACCEPTED → DELIVERED,
   MESSAGE_NOT_ACCTEPTED + RESEND → redelivered after a backoff, + NOT_RESEND → NOT_DELIVERED.
   Push: gateway/async_push.py. Tries run out or the message expires → DELIVERY_STOPPED.
4. ``getMessageStatus`` answers the sender (or the recipient) with the state and status.

Every operation goes through the same admission as SyncChannel (gateway/admission.py: headers,
contract, sender, WS-Security policy, register), fault injection and the journal; the same
``SOAPAction`` check, per operation (gateway/soap_action.py); and the same
``duplicate_message_id`` policy for a ``sendMessage`` whose messageId the sender used before
(gateway/duplicates.py): answered with the first message (``record``), or ``SCE019``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from lxml import etree

from egov_sim.core import ids
from egov_sim.core.clock import Clock, system_clock
from egov_sim.wsdl.schemas import ASYNC_TYPES_NS, async_validator

from . import admission, errors, soap
from . import journal as journal_module
from .async_queue import FINAL, AsyncQueue, MessageState, Mode, QueuedMessage
from .config import GatewayConfig
from .duplicates import DuplicateMessages
from .errors import GatewayFault
from .soap_action import check_soap_action
from .sync_channel import Trace

TYPES = ASYNC_TYPES_NS
OPERATIONS = ("sendMessage", "getMessages", "getMessageStatus", "sendDeliveryNotification")
MESSAGE_TYPES = ("REQUEST", "NOTIFICATION", "UPDATE", "RESPONSE")
MAX_AMOUNT = 1000


def fault_element(operation: str) -> str:
    return f"{{{TYPES}}}{operation}Fault1_{operation}Fault"


@dataclass(frozen=True)
class Sender:
    sender_id: str
    password: str | None


def _sender(el: etree._Element | None, where: str) -> Sender:
    sender_id = (el.findtext("senderId") or "").strip() if el is not None else ""
    if not sender_id:
        raise GatewayFault(errors.FORMAT, f"{where}/sender/senderId is missing")
    return Sender(sender_id, el.findtext("password"))


def _text(el: etree._Element | None, path: str) -> str | None:
    value = el.findtext(path) if el is not None else None
    return value.strip() if value and value.strip() else None


def _required(el: etree._Element, path: str, where: str) -> str:
    value = _text(el, path)
    if value is None:
        raise GatewayFault(errors.FORMAT, f"{where}/{path} is missing")
    return value


def _essence(stored: bytes) -> tuple:
    """What makes a stored message the same message: its service, type, route, conversation
    (for a continuation) and data, not the ids, date or session the gateway and sender stamp."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(stored, parser)
    info = root.find("messageInfo")
    kind = info.findtext("messageType")
    data = root.find("messageData")
    return (info.findtext("serviceId"), kind, info.findtext("routeId"),
            None if kind == "REQUEST" else info.findtext("correlationId"),
            etree.tostring(data, method="c14n") if data is not None else None)


class AsyncChannel:
    def __init__(self, config: GatewayConfig, *, queue: AsyncQueue, journal: journal_module.Journal,
                 journal_writer: journal_module.JournalWriter, security=None, injector=None,
                 clock: Clock = system_clock, on_queued: Callable[[QueuedMessage], None] | None = None,
                 deliver_now: Callable[[QueuedMessage], Awaitable[None]] | None = None,
                 duplicates: DuplicateMessages | None = None):
        self.config, self.queue, self.journal = config, queue, journal
        self.duplicates = duplicates or DuplicateMessages(journal.db, config.duplicate_message_id, clock=clock)
        self.journal_writer = journal_writer
        self.security, self.injector, self.clock = security, injector, clock
        self.on_queued = on_queued
        """Called after a push message is committed and journaled (wakes the pusher)."""
        self.deliver_now = deliver_now
        """Awaited for a message to a built-in recipient before the answer leaves (first try)."""

    async def handle(self, raw: bytes, content_type: str | None, *,
                     client: str | None = None, soap_action: str | None = None) -> tuple[int, bytes, Trace]:
        ex = Trace(received_at=self.clock(), request_body=raw, client=client,
                   channel=journal_module.CHANNEL_ASYNC)
        started = time.perf_counter()
        operation = "sendMessage"
        queued: QueuedMessage | None = None
        try:
            soap.check_content_type(content_type)
            message = soap.parse_message(raw, self.config.limits)
            qname = etree.QName(message.operation)
            if qname.namespace != TYPES or qname.localname not in OPERATIONS:
                raise GatewayFault(errors.NO_OPERATION,
                                   f"{message.operation.tag} is not an operation of AsyncChannel v10 "
                                   f"(expected one of {', '.join(OPERATIONS)})")
            operation = qname.localname
            ex.sends_message = operation == "sendMessage"
            check_soap_action(soap_action, operations=(operation,), policy=self.config.soap_action)
            body, queued = await getattr(self, "_" + operation)(message, ex)
        except GatewayFault as fault:
            body = self._fault(ex, fault, operation)
        except Exception as exc:  # noqa: BLE001 — an unexpected bug still answers with a fault
            body = self._fault(ex, GatewayFault(errors.INTERNAL, f"{exc.__class__.__name__}: {exc}"), operation)
        if ex.fault_action is not None:
            body = ex.fault_action.response(body)
            ex.signature_detail["injectedFault"] = ex.fault_action.rule.describe()
        ex.response_body = body
        ex.responded_at = self.clock()
        ex.total_ms = round((time.perf_counter() - started) * 1000, 3)
        try:
            await self.journal_writer.record(ex.to_exchange())
        except Exception as exc:  # noqa: BLE001 — never answer what was not journaled
            body = self._fault(ex, GatewayFault(errors.JOURNAL_UNAVAILABLE, f"{exc.__class__.__name__}: {exc}"),
                               operation)
            if queued is not None:  # the sender gets a fault: the message must not go out
                await asyncio.to_thread(self.queue.stop_unjournaled, queued.message_id)
            queued = None
        if queued is not None and queued.mode is Mode.BUILTIN and self.deliver_now is not None:
            try:
                await self.deliver_now(queued)
            except Exception:  # noqa: BLE001 — accepted is accepted: the pusher tries again later
                pass
        elif queued is not None and queued.mode is Mode.PUSH and self.on_queued is not None:
            self.on_queued(queued)
        return ex.http_status, body, ex

    def _fault(self, ex: Trace, fault: GatewayFault, operation: str) -> bytes:
        ex.fault_code = self.config.error_codes.wire(fault.code)
        ex.fault_message = fault.message + (f" ({fault.data})" if fault.data else "")
        ex.http_status = 500
        return soap.fault_envelope(fault, fault_element=fault_element(operation),
                                   codes=self.config.error_codes, when=self.clock(),
                                   session_id=ex.session_id)

    # --- shared ---------------------------------------------------------------------------

    async def _admit(self, message: soap.SoapMessage, ex: Trace, sender: Sender):
        admission.check_headers(message, self.config)
        admission.validate(message, self.config, async_validator())
        participant = admission.authenticate(self.config, sender.sender_id, sender.password)
        admission.check_transport_signature(self.security, message, participant, ex)
        return participant

    async def _inject(self, service_id: str, sender_id: str, timeout: float, ex: Trace) -> None:
        action = self.injector.match(service_id, sender_id) if self.injector else None
        ex.fault_action = action
        if action is None:
            return
        try:
            await action.before(timeout)
        except TimeoutError:
            raise GatewayFault(errors.PROVIDER_TIMEOUT,
                               f"ШЭП did not answer within {timeout:g} s (injected)") from None

    def _answer(self, operation: str, fields: list[tuple[str, str | None]],
                extra: list[etree._Element] | tuple = ()) -> bytes:
        root = etree.Element(f"{{{TYPES}}}{operation}Response", nsmap={"ns2": TYPES})
        response = etree.SubElement(root, "response")
        for name, value in fields:
            if value is not None:
                etree.SubElement(response, name).text = value
        for element in extra:
            response.append(element)
        env = soap.envelope_with(root)
        if self.config.sign_responses and self.security is not None:
            return self.security.sign(env)
        return soap.serialize(env)

    # --- sendMessage ----------------------------------------------------------------------

    async def _sendMessage(self, message: soap.SoapMessage, ex: Trace):
        request = message.operation.find("request")
        info = request.find("messageInfo") if request is not None else None
        if info is None:
            raise GatewayFault(errors.FORMAT, "request/messageInfo is missing")
        where = "messageInfo"
        service_id = _required(info, "serviceId", where)
        message_type = _required(info, "messageType", where)
        _required(info, "messageDate", where)
        sender = _sender(info.find("sender"), where)
        route_id = _text(info, "routeId")
        correlation_id = _text(info, "correlationId")
        ex.service_id, ex.sender_id, ex.route_id = service_id, sender.sender_id, route_id
        participant = await self._admit(message, ex, sender)
        if message_type not in MESSAGE_TYPES:
            raise GatewayFault(errors.FORMAT, f"messageInfo/messageType {message_type!r} is not one of "
                                              f"{', '.join(MESSAGE_TYPES)}")
        if message_type != "REQUEST" and correlation_id is None:
            raise GatewayFault(errors.FORMAT, f"messageInfo/correlationId is missing: a {message_type} "
                                              "continues a conversation and must name its correlationId")
        reply_to = None
        if message_type != "REQUEST":
            request_row = await asyncio.to_thread(self.queue.request_of, correlation_id)
            if request_row is not None and request_row.service_id == service_id \
                    and request_row.recipient == participant.sender_id:
                reply_to = request_row
        if reply_to is None:
            service = admission.admit(self.config, service_id, sender.sender_id, route_id)
            recipient, mode = self._recipient(service, route_id)
            timeout = service.timeout
        else:
            if service_id not in self.config.services:
                raise GatewayFault(errors.NO_SERVICE, f"serviceId {service_id!r} is not in the register")
            recipient = reply_to.sender_id
            mode = self._participant_mode(recipient)
            timeout = self.config.services[service_id].timeout
        await self._inject(service_id, sender.sender_id, timeout, ex)

        sender_message_id = _text(info, "messageId")
        message_id = str(ids.new_uuid())
        if message_type == "REQUEST":
            correlation_id = str(ids.new_uuid())
        ex.message_id, ex.correlation_id = message_id, correlation_id
        stored = self._stored_message(request, info, message_id=message_id,
                                      correlation_id=correlation_id, session_id=ex.session_id)
        queued = await asyncio.to_thread(
            self.queue.accept, message_id=message_id, correlation_id=correlation_id,
            service_id=service_id, message_type=message_type, route_id=route_id,
            sender_id=sender.sender_id, recipient=recipient, mode=mode, message=stored,
            sender_message_id=sender_message_id)
        if queued.message_id != message_id:
            return self._repeat(queued, sender_message_id, stored, ex), None
        ex.provider = recipient
        ex.status_code, ex.status_message = MessageState.ON_DELIVERY.value, \
            f"sendMessage: {message_type} queued for {recipient} ({mode.value})"
        body = self._answer("sendMessage", [
            ("messageId", message_id), ("correlationId", correlation_id),
            ("responseDate", soap.now_iso(self.clock())), ("sessionId", ex.session_id)])
        return body, queued

    def _repeat(self, first: QueuedMessage, sender_message_id: str, stored: bytes, ex: Trace) -> bytes:
        """A ``sendMessage`` with a messageId this sender used before: refused under
        ``duplicate_message_id = "refuse"``, else answered with the first message's ids (nothing
        queued again; the journal marks the row ``duplicateOf``). A messageId reused for another
        message (other service, type, route, conversation or data) is refused either way."""
        ex.message_id, ex.correlation_id, ex.provider = first.message_id, first.correlation_id, first.recipient
        self.duplicates.repeated(sender_id=first.sender_id, message_id=sender_message_id)
        if _essence(first.message) != _essence(stored):
            raise GatewayFault(errors.DUPLICATE_MESSAGE,
                               f"messageId {sender_message_id!r} of sender {first.sender_id!r} was accepted "
                               f"before for another message ({first.message_id}); a new message needs a new messageId")
        ex.status_code = first.state.value
        ex.status_message = (f"sendMessage: repeat of messageId {sender_message_id}, answered with message "
                             f"{first.message_id} ({first.state.value}); not queued again")
        return self._answer("sendMessage", [
            ("messageId", first.message_id), ("correlationId", first.correlation_id),
            ("responseDate", soap.now_iso(self.clock())), ("sessionId", ex.session_id)])

    def _recipient(self, service, route_id: str | None) -> tuple[str, Mode]:
        if route_id is not None:
            route = self.config.routes[route_id]
            named, provider = route.recipient, route.provider
        else:
            named, provider = service.recipient, service.provider
        if named is not None:
            if named not in self.config.participants:
                raise GatewayFault(errors.NO_RECIPIENT, f"the recipient {named!r} of serviceId "
                                                        f"{service.service_id!r} is not a registered participant")
            return named, self._participant_mode(named)
        if provider.startswith("builtin:"):
            return provider, Mode.BUILTIN
        raise GatewayFault(errors.NO_RECIPIENT,
                           f"serviceId {service.service_id!r} has no AsyncChannel recipient (its provider "
                           f"{provider} speaks SyncChannel; give the service a recipient participant)")

    def _participant_mode(self, sender_id: str) -> Mode:
        participant = self.config.participants.get(sender_id)
        return Mode.PUSH if participant is not None and participant.push_url else Mode.PULL

    @staticmethod
    def _stored_message(request: etree._Element, info: etree._Element, *, message_id: str,
                        correlation_id: str, session_id: str) -> bytes:
        """The AsyncMessage the recipient gets: the sender's messageInfo with the gateway's ids,
        without the sender's password; messageData as the sender wrote it."""
        out = etree.Element("messages")
        new_info = etree.SubElement(out, "messageInfo")
        etree.SubElement(new_info, "messageId").text = message_id
        etree.SubElement(new_info, "correlationId").text = correlation_id
        for name in ("serviceId", "messageType", "routeId", "messageDate"):
            value = info.findtext(name)
            if value is not None:
                etree.SubElement(new_info, name).text = value.strip()
        sender = etree.SubElement(new_info, "sender")
        etree.SubElement(sender, "senderId").text = info.findtext("sender/senderId").strip()
        for prop in info.iterfind("properties"):
            copy = etree.SubElement(new_info, "properties")
            for child in prop:
                if isinstance(child.tag, str):
                    etree.SubElement(copy, child.tag).text = child.text
        etree.SubElement(new_info, "sessionId").text = session_id
        data_out = etree.SubElement(out, "messageData")
        data = admission.find_data(request.find("messageData"))
        if data is not None:
            data_out.append(admission.as_contract_data(data) if data.tag != "data" else soap.copy_data(data))
        return etree.tostring(out, encoding="UTF-8")

    # --- getMessages ----------------------------------------------------------------------

    async def _getMessages(self, message: soap.SoapMessage, ex: Trace):
        request = message.operation.find("request")
        if request is None:
            raise GatewayFault(errors.FORMAT, "request is missing")
        service_id = _required(request, "serviceId", "request")
        sender_el = request.find("sender")
        if sender_el is None:
            raise GatewayFault(errors.AUTH_FAILED, "request/sender is missing: getMessages hands out "
                                                   "the sender's own messages, so it must say who it is")
        sender = _sender(sender_el, "request")
        ex.service_id, ex.sender_id = service_id, sender.sender_id
        await self._admit(message, ex, sender)
        if service_id not in self.config.services:
            raise GatewayFault(errors.NO_SERVICE, f"serviceId {service_id!r} is not in the register")
        amount_text = _text(request, "amount")
        amount = int(amount_text) if amount_text else 0
        if amount < 0:
            raise GatewayFault(errors.FORMAT, f"request/amount {amount} is negative")
        limit = min(amount, MAX_AMOUNT) if amount else self.config.async_.batch_size
        await self._inject(service_id, sender.sender_id, self.config.services[service_id].timeout, ex)
        message_id, correlation_id = _text(request, "messageId"), _text(request, "correlationId")
        ex.message_id, ex.correlation_id = message_id, correlation_id
        found = await asyncio.to_thread(self.queue.claim_for_pull, sender.sender_id, service_id,
                                        limit=limit, message_id=message_id,
                                        correlation_id=correlation_id)
        ex.status_code = "OK"
        ex.status_message = f"getMessages: {len(found)} handed out" + (
            f" ({', '.join(m.message_id for m in found)})" if found else "")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        messages = [etree.fromstring(m.message, parser) for m in found]
        body = self._answer("getMessages", [("responseDate", soap.now_iso(self.clock())),
                                            ("sessionId", ex.session_id)], messages)
        return body, None

    # --- getMessageStatus -----------------------------------------------------------------

    async def _getMessageStatus(self, message: soap.SoapMessage, ex: Trace):
        request = message.operation.find("request")
        if request is None:
            raise GatewayFault(errors.FORMAT, "request is missing")
        message_id = _required(request, "messageId", "request")
        sender = _sender(request.find("sender"), "request")
        ex.sender_id, ex.message_id = sender.sender_id, message_id
        await self._admit(message, ex, sender)
        row = await asyncio.to_thread(self.queue.get, message_id)
        if row is None or sender.sender_id not in (row.sender_id, row.recipient):
            raise GatewayFault(errors.NO_MESSAGE, f"no message {message_id!r} sent or received by "
                                                  f"{sender.sender_id!r}")
        ex.correlation_id = row.correlation_id  # no serviceId: a status query is no call of it
        ex.status_code = row.state.value
        ex.status_message = f"getMessageStatus: {row.service_id} {row.status_code}"
        status = etree.Element("status")
        etree.SubElement(status, "statusCode").text = row.status_code
        etree.SubElement(status, "statusMessage").text = row.status_message
        etree.SubElement(status, "statusDate").text = soap.now_iso(row.status_date)
        root = etree.Element(f"{{{TYPES}}}getMessageStatusResponse", nsmap={"ns2": TYPES})
        response = etree.SubElement(root, "response")
        etree.SubElement(response, "messageState").text = row.state.value
        response.append(status)
        etree.SubElement(response, "responseDate").text = soap.now_iso(self.clock())
        etree.SubElement(response, "sessionId").text = ex.session_id
        env = soap.envelope_with(root)
        body = self.security.sign(env) if self.config.sign_responses and self.security else soap.serialize(env)
        return body, None

    # --- sendDeliveryNotification ---------------------------------------------------------

    async def _sendDeliveryNotification(self, message: soap.SoapMessage, ex: Trace):
        request = message.operation.find("request")
        notification = request.find("notification") if request is not None else None
        if notification is None:
            raise GatewayFault(errors.FORMAT, "request/notification is missing")
        where = "notification"
        message_id = _required(notification, "messageId", where)
        service_id = _required(notification, "serviceId", where)
        receive = _required(notification, "deliveryStatus/receiveStatus", where)
        resend = _required(notification, "deliveryStatus/resendMessage", where)
        sender_el = request.find("sender")
        if sender_el is None:
            raise GatewayFault(errors.AUTH_FAILED, "request/sender is missing: only the recipient of "
                                                   "a message may notify its delivery")
        sender = _sender(sender_el, "request")
        ex.sender_id, ex.message_id, ex.service_id = sender.sender_id, message_id, service_id
        await self._admit(message, ex, sender)
        row = await asyncio.to_thread(self.queue.get, message_id)
        if row is None or row.recipient != sender.sender_id:
            raise GatewayFault(errors.NO_MESSAGE, f"no message {message_id!r} addressed to {sender.sender_id!r}")
        ex.correlation_id = row.correlation_id
        if row.service_id != service_id:
            raise GatewayFault(errors.FORMAT, f"notification/serviceId {service_id!r}: message "
                                              f"{message_id} belongs to {row.service_id!r}")
        error = notification.find("deliveryStatus/error")
        error_pair = ((error.findtext("errorCode") or "").strip() or "NOT_ACCEPTED",
                      (error.findtext("errorMessage") or "").strip() or "") if error is not None else None
        accepted = receive == "MESSAGE_ACCEPTED"
        final = {True: MessageState.DELIVERED, False: MessageState.NOT_DELIVERED}
        if row.state in FINAL:
            repeated = (row.state is final[accepted] and (accepted or resend == "NOT_RESEND"))
            if not repeated:
                raise GatewayFault(errors.BAD_NOTIFICATION,
                                   f"message {message_id} is already {row.state.value}; {receive}/{resend} "
                                   "contradicts it")
            notification_id = row.notification_id or str(ids.new_uuid())
        elif row.attempts == 0:
            raise GatewayFault(errors.BAD_NOTIFICATION, f"message {message_id} was never handed to "
                                                        f"{sender.sender_id} (getMessages first)")
        else:
            notification_id = str(ids.new_uuid())
            if accepted:
                row = await asyncio.to_thread(self.queue.delivered, message_id, notification_id=notification_id)
            elif resend == "RESEND":
                row = await asyncio.to_thread(self.queue.retry, message_id, error=error_pair)
            else:
                from .async_queue import STATUS_REFUSED
                status = (error_pair[0], error_pair[1] or STATUS_REFUSED[1]) if error_pair else STATUS_REFUSED
                row = await asyncio.to_thread(self.queue.refused, message_id, status, error=error_pair,
                                              notification_id=notification_id)
        ex.status_code = row.state.value
        ex.status_message = f"sendDeliveryNotification: {receive} {resend}"
        body = self._answer("sendDeliveryNotification", [
            ("notificationId", notification_id), ("responseDate", soap.now_iso(self.clock())),
            ("sessionId", ex.session_id)])
        return body, None
