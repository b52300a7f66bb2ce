"""What every ШЭП operation checks before it acts, the same on SyncChannel and AsyncChannel.

SOAP 1.1 header processing (mustUnderstand), the contract (XSD; the SmartBridge form of
``data``), the sender (registered, right password), its transport signature (by its WS-Security
policy), and the register of interactions (serviceId, allowed senders, routeId). Each step
raises the :class:`GatewayFault` that names what was wrong; the channels call them in the
order docs/gateway.md lists, so both refuse the same request with the same fault.
"""

from __future__ import annotations

import copy
import hmac
from typing import Protocol

from lxml import etree

from egov_sim.wsdl.schemas import data_name_errors

from . import errors, soap
from .config import GatewayConfig, Participant, Service
from .errors import GatewayFault
from .journal import SignatureVerdict

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WS_ADDRESSING = ("http://www.w3.org/2005/08/addressing", "http://schemas.xmlsoap.org/ws/2004/08/addressing")
UNDERSTOOD = frozenset({f"{{{WSSE}}}Security"})
"""Header entries the gateway processes itself; WS-Addressing headers (any local name) too:
the gateway reads none of them, but routing by the register makes them harmless, and CXF and
WCF clients mark ``wsa:Action``/``wsa:To`` mustUnderstand."""

SMARTBRIDGE_DATA_NS = "http://bip.bee.kz/SyncChannel/v10/Interfaces"
"""The namespace NCANode's SmartBridge envelope puts ``data`` in (``<ns4:data xmlns:ns4=…>``)."""

_MUST_UNDERSTAND = f"{{{soap.SOAP11}}}mustUnderstand"
_DATA_HOLDERS = ("requestData", "responseData", "messageData")


class TransportSecurity(Protocol):
    """WS-Security for the gateway: verify a request's transport signature, sign a response."""

    def verify(self, message: soap.SoapMessage, participant: Participant) -> tuple[str, dict]: ...
    def sign(self, envelope: etree._Element) -> bytes: ...


def check_headers(message: soap.SoapMessage, config: GatewayConfig) -> None:
    """SOAP 1.1 §4.2.3: a header entry marked ``mustUnderstand="1"`` that this node does not
    understand is a ``soap:MustUnderstand`` fault, and nothing else is done."""
    if message.header is None:
        return
    understood = UNDERSTOOD | config.understood_headers
    for entry in message.header:
        if not isinstance(entry.tag, str):
            continue
        flag = (entry.get(_MUST_UNDERSTAND) or "0").strip()
        if flag not in ("1", "true"):
            continue
        qname = etree.QName(entry)
        if entry.tag in understood or qname.namespace in WS_ADDRESSING:
            continue
        raise GatewayFault(errors.MUST_UNDERSTAND,
                           f"header {qname.text} has mustUnderstand=\"{flag}\" and is not understood "
                           "by ШЭП (understood: wsse:Security, WS-Addressing)")


def smartbridge_data(operation: etree._Element) -> list[etree._Element]:
    """The ``data`` elements written in the SmartBridge form (qualified in …/Interfaces)."""
    return [child for holder in operation.iter(*_DATA_HOLDERS) for child in holder
            if child.tag == f"{{{SMARTBRIDGE_DATA_NS}}}data"]


def as_contract_data(element: etree._Element) -> etree._Element:
    """A copy of a SmartBridge-form ``data`` as the contract's unqualified ``data``."""
    fresh = soap.copy_data(element)
    fresh.tag = "data"
    return fresh


def validate(message: soap.SoapMessage, config: GatewayConfig, validator) -> None:
    """XSD validation against the contract (``data`` itself skipped); lenient mode only logs.

    The SmartBridge form of ``data`` is read as ``data`` (``smartbridge_data = "accept"``, the
    default: NCANode's reference SmartBridge client sends it and the public material shows no
    refusal) or refused naming the difference (``"refuse"``)."""
    operation = message.operation
    qualified = smartbridge_data(operation)
    if qualified and config.smartbridge_data == "refuse":
        raise GatewayFault(errors.FORMAT,
                           f"{qualified[0].getparent().tag}/data is qualified in namespace "
                           f"{SMARTBRIDGE_DATA_NS} (the SmartBridge/NCANode form); the contract "
                           "has data unqualified (no namespace)")
    if qualified:
        operation = copy.deepcopy(operation)
        for element in smartbridge_data(operation):
            element.tag = "data"
    problems = []
    if not validator.validate(operation):
        err = validator.error_log.last_error
        problems.append(f"line {err.line}: {err.message}" if err else "schema violation")
    problems += data_name_errors(operation)
    if problems and config.strict_schema:
        raise GatewayFault(errors.FORMAT, "; ".join(problems))


def find_data(holder: etree._Element | None) -> etree._Element | None:
    """``data`` of a requestData/messageData, in the contract's form or the SmartBridge one."""
    if holder is None:
        return None
    found = holder.find("data")
    if found is None:
        found = holder.find(f"{{{SMARTBRIDGE_DATA_NS}}}data")
    return found


def authenticate(config: GatewayConfig, sender_id: str, password: str | None) -> Participant:
    participant = config.participants.get(sender_id)
    if participant is None:
        raise GatewayFault(errors.AUTH_FAILED, f"senderId {sender_id!r} is not a registered participant")
    if participant.password is not None and not hmac.compare_digest(
            (password or "").encode(), participant.password.encode()):
        raise GatewayFault(errors.AUTH_FAILED, f"wrong password for senderId {sender_id!r}")
    return participant


def check_transport_signature(security: TransportSecurity | None, message: soap.SoapMessage,
                              participant: Participant, trace) -> None:
    """The participant's WS-Security policy; the verdict and details go on ``trace``."""
    present = message.header is not None and message.header.find(f"{{{WSSE}}}Security") is not None
    policy = participant.wsse
    if policy == "off":
        trace.signature = SignatureVerdict.NOT_CHECKED if present else SignatureVerdict.ABSENT
        return
    if not present:
        if policy == "required":
            raise GatewayFault(errors.NOT_SIGNED, f"participant {participant.sender_id!r} must sign requests (wsse:Security)")
        return
    if security is None:
        raise GatewayFault(errors.INTERNAL, "transport signature checking is not configured")
    verdict, detail = security.verify(message, participant)
    trace.signature, trace.signature_detail = verdict, detail
    if verdict == SignatureVerdict.VALID:
        return
    code = (errors.SIGNATURE_NOT_CURRENT if verdict == SignatureVerdict.NOT_CURRENT
            else errors.SIGNATURE_INVALID)
    raise GatewayFault(code, detail.get("reason") or verdict)


def admit(config: GatewayConfig, service_id: str, sender_id: str, route_id: str | None) -> Service:
    """The register of interactions: the serviceId exists, the sender may call it, the routeId
    is registered (and given when the service needs one)."""
    service = config.services.get(service_id)
    if service is None:
        raise GatewayFault(errors.NO_SERVICE, f"serviceId {service_id!r} is not in the register")
    if not service.allows(sender_id):
        raise GatewayFault(errors.FORBIDDEN, f"sender {sender_id!r} may not call serviceId {service_id!r}")
    if route_id is not None and route_id not in config.routes:
        raise GatewayFault(errors.NO_ROUTE, f"routeId {route_id!r} is not registered")
    if service.route_required and route_id is None:
        raise GatewayFault(errors.NO_ROUTE, f"serviceId {service_id!r} needs a routeId")
    return service


def content_of(data: etree._Element | None, copied: etree._Element | None = None) -> etree._Element | None:
    """``data`` as the built-in providers read it: a copy without comments, the text around
    them joined — what a transport signature made with c14n covers
    (:func:`egov_sim.signing.verify.signed_view`, the verifier's ``content``), so
    ``<iin>8801<!--x-->0040</iin>`` reads whole. ``call.data`` keeps the bytes as sent.

    Without a comment in ``data`` the view is ``copied`` (the call's own copy) itself."""
    from egov_sim.signing.verify import signed_view

    if data is None:
        return None
    if copied is not None and next(data.iter(etree.Comment), None) is None:
        return copied
    view = signed_view(soap.copy_data(data))
    view.tag = "data"
    return view
