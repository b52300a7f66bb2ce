"""The lxml SOAP 1.1 layer: hardened parsing, prefix-agnostic dispatch, faults.

Rules from soap-layer.md: the payload is not ours to change (comments and PIs kept, nothing
re-resolved), dispatch is on the QName of the Body's first element whatever prefixes the client
chose, a DOCTYPE is a client fault, and faults carry ``ErrorInfo`` in ``detail`` with HTTP 500.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

from egov_sim.core.clock import ALMATY
from egov_sim.core.safe_xml import UnsafeXmlError, XmlLimits, parse

from . import errors
from .errors import ErrorCodes, GatewayFault

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_ENVELOPE = f"{{{SOAP11}}}Envelope"
_HEADER = f"{{{SOAP11}}}Header"
_BODY = f"{{{SOAP11}}}Body"
_XSI_TYPE = f"{{{XSI}}}type"

CONTENT_TYPES = ("text/xml", "application/xml")


@dataclass(eq=False)
class SoapMessage:
    """A parsed request: the tree is parsed once and every later stage works on these nodes."""

    raw: bytes
    tree: etree._ElementTree
    envelope: etree._Element
    header: etree._Element | None
    body: etree._Element
    operation: etree._Element

    @property
    def operation_qname(self) -> str:
        return self.operation.tag


def check_content_type(content_type: str | None) -> None:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/soap+xml":
        raise GatewayFault(errors.SOAP_VERSION,
                           "Content-Type application/soap+xml is SOAP 1.2; send text/xml (SOAP 1.1)")
    if ctype and ctype not in CONTENT_TYPES:
        raise GatewayFault(errors.FORMAT, f"Content-Type {ctype!r} is not text/xml or application/xml")


def parse_message(raw: bytes, limits: XmlLimits) -> SoapMessage:
    """Parse a SOAP 1.1 request, or raise the GatewayFault that names what was wrong."""
    try:
        tree = parse(raw, limits)
    except UnsafeXmlError as exc:
        code = errors.FORMAT if exc.code == "XML_MALFORMED" else errors.XML_POLICY
        raise GatewayFault(code, str(exc)) from None
    env = tree.getroot()
    if env.tag == f"{{{SOAP12}}}Envelope":
        raise GatewayFault(errors.SOAP_VERSION, "SOAP 1.2 envelope; this endpoint speaks SOAP 1.1")
    if env.tag != _ENVELOPE:
        raise GatewayFault(errors.FORMAT, f"root element is {env.tag}, expected a SOAP 1.1 Envelope")
    header = body = None
    for child in env:
        if not isinstance(child.tag, str):
            continue
        if child.tag == _HEADER and header is None and body is None:
            header = child
        elif child.tag == _BODY and body is None:
            body = child
        else:
            raise GatewayFault(errors.FORMAT, f"unexpected element {child.tag} in soap:Envelope")
    if body is None:
        raise GatewayFault(errors.FORMAT, "soap:Envelope has no soap:Body")
    operation = next((c for c in body if isinstance(c.tag, str)), None)
    if operation is None:
        raise GatewayFault(errors.FORMAT, "soap:Body is empty")
    return SoapMessage(raw, tree, env, header, body, operation)


def copy_data(data: etree._Element) -> etree._Element:
    """A deep copy of ``data`` that keeps the prefixes its ``xsi:type`` values name.

    ``copy.deepcopy`` re-declares only the namespaces used in element and attribute *names*.
    PHP, JAX-WS and zeep often declare the prefix of ``xsi:type="cs:Request"`` on an ancestor
    (the Envelope); the copy would leave ``cs`` unbound. Those declarations go on the copy's root.
    """
    needed: dict[str, str] = {}
    for el in data.iter():
        if not isinstance(el.tag, str):
            continue
        value = el.get(_XSI_TYPE)
        if value and ":" in value:
            prefix = value.strip().partition(":")[0]
            uri = el.nsmap.get(prefix)
            if uri is not None:
                needed.setdefault(prefix, uri)
    dup = copy.deepcopy(data)
    missing = {p: u for p, u in needed.items() if p not in dup.nsmap}
    if not missing:
        return dup
    fresh = etree.Element(dup.tag, attrib=dict(dup.attrib), nsmap={**dup.nsmap, **missing})
    fresh.text = dup.text
    fresh.extend(list(dup))
    return fresh


def now_iso(clock_value: dt.datetime) -> str:
    """xsd:dateTime with milliseconds and the Kazakhstan offset, as ШЭП writes them."""
    local = clock_value.astimezone(ALMATY)
    return local.isoformat(timespec="milliseconds")


def envelope_with(body_child: etree._Element, header_children=()) -> etree._Element:
    env = etree.Element(_ENVELOPE, nsmap={"soap": SOAP11})
    if header_children:
        header = etree.SubElement(env, _HEADER)
        header.extend(header_children)
    body = etree.SubElement(env, _BODY)
    body.append(body_child)
    return env


def serialize(env: etree._Element) -> bytes:
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


# --- SendMessageResponse from a template -------------------------------------------------------
# An unsigned SendMessageResponse is the same bytes every time but for six texts and the data:
# writing them into the serialized frame costs a fifth of building the tree and serializing it
# (tests/gateway/shep/test_gateway_response_bytes.py holds the two to the same bytes).

_SYNC_TYPES = "http://bip.bee.kz/SyncChannel/v10/Types"
_RESPONSE_HEAD = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<soap:Envelope xmlns:soap="' + SOAP11.encode() + b'"><soap:Body>'
    b'<ns2:SendMessageResponse xmlns:ns2="' + _SYNC_TYPES.encode() + b'">'
    b"<response><responseInfo>")
_SOAP_DECLARATION = b'="' + SOAP11.encode() + b'"'
_SYNC_DECLARATION = b'="' + _SYNC_TYPES.encode() + b'"'
"""lxml drops a moved element's declarations of the envelope's namespaces (any prefix)."""
_RESPONSE_TAIL = b"</response></ns2:SendMessageResponse></soap:Body></soap:Envelope>"
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _element(tag: bytes, text: str | None) -> bytes:
    """``<tag>text</tag>`` escaped as libxml2 escapes text (``<tag/>`` for None)."""
    if text is None:
        return b"<" + tag + b"/>"
    if _NOT_XML_CHAR.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    return b"<" + tag + b">" + text.translate(_ESCAPES).encode() + b"</" + tag + b">"


def send_message_response(*, message_id: str, correlation_id: str, response_date: str, code: str,
                          message: str, session_id: str, data: etree._Element | None) -> bytes | None:
    """The unsigned SendMessageResponse envelope, byte for byte as lxml writes the same tree;
    None when ``data`` belongs to a larger tree (its ancestors' namespaces would differ)."""
    if data is None:
        payload = b"<responseData/>"
    else:
        if data.getparent() is not None:
            return None
        payload = etree.tostring(data, encoding="UTF-8")
        if _SOAP_DECLARATION in payload or _SYNC_DECLARATION in payload:
            return None  # the tree then writes what lxml makes of them
        payload = b"<responseData>" + payload + b"</responseData>"
    return b"".join((
        _RESPONSE_HEAD, _element(b"messageId", message_id),
        _element(b"correlationId", correlation_id), _element(b"responseDate", response_date),
        b"<status>", _element(b"code", code), _element(b"message", message), b"</status>",
        _element(b"sessionId", session_id), b"</responseInfo>", payload, _RESPONSE_TAIL))


def _error_info(parent: etree._Element, fault: GatewayFault, codes: ErrorCodes, when: str,
                session_id: str | None) -> None:
    etree.SubElement(parent, "errorCode").text = codes.wire(fault.code)
    etree.SubElement(parent, "errorMessage").text = fault.message
    if fault.data:
        etree.SubElement(parent, "errorData").text = fault.data
    etree.SubElement(parent, "errorDate").text = when
    if fault.sub_error is not None:
        _error_info(etree.SubElement(parent, "subError"), fault.sub_error, codes, when, None)
    if session_id:
        etree.SubElement(parent, "sessionId").text = session_id


def fault_envelope(fault: GatewayFault, *, fault_element: str, codes: ErrorCodes,
                   when: dt.datetime, session_id: str | None = None) -> bytes:
    """SOAP 1.1 Fault whose detail holds ``fault_element`` (an ErrorInfo), fields in schema order."""
    sf = etree.Element(f"{{{SOAP11}}}Fault")
    etree.SubElement(sf, "faultcode").text = fault.faultcode
    etree.SubElement(sf, "faultstring").text = fault.message
    detail = etree.SubElement(sf, "detail")
    info = etree.SubElement(detail, fault_element)
    _error_info(info, fault, codes, now_iso(when), session_id)
    return serialize(envelope_with(sf))
