"""The codec of what РШЭП sends back to a channel (payloads/rshep/RegionalService.xsd, SYNTHETIC):
the ``rs:Acknowledgement`` that answers a ServiceRequest at once, and the ``rs:StatusNotification``
and ``rs:ServiceResult`` the АРМ sends later to the channel's inbox (the portal's, the ИИС ЦОН's).

The АРМ writes all three; the two inboxes read the notification and the result. Every payload
goes out in style 1 of docs/contracts.md (``<data xsi:type="rs:…">`` with unqualified children),
the style the contract's examples use. Values are kept as written on the wire (dates as
``xsd:dateTime`` text, :func:`xml_datetime` writes them), so what an inbox stores is what the
signer signed. A ServiceResult is signed by the АРМ as a standalone document whose root is
``data`` (NCALayer enveloped layout); its receiver verifies ``signing.verify.reroot(data)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from egov_sim.core.xml_build import child_text, message_date

from .schemas import DS_NS, RSHEP_NS, XSI_NS, payload_validator

NSMAP = {"rs": RSHEP_NS, "xsi": XSI_NS}

NOTIFICATION, RESULT = "StatusNotification", "ServiceResult"
VALIDATORS = {NOTIFICATION: "rshep-notification", RESULT: "rshep-response"}
"""The payloads an inbox accepts, by kind → their validator in :mod:`egov_sim.wsdl.schemas`."""

STATUSES = ("REGISTERED", "EXECUTOR_ASSIGNED", "UNDER_REVIEW", "AWAITING_SIGNATURE", "TERM_EXTENDED")
"""``rs:RequestStatus``, the steps a StatusNotification reports."""

ERROR_MESSAGE_LIMIT = 1000


def xml_datetime(moment: dt.datetime) -> str:
    """xsd:dateTime with milliseconds and the Kazakhstan offset, as the АРМ writes every date."""
    return message_date(moment)


# --- the documents' values ------------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    """A number and the moment it was given (registration in the АРМ, the accounting journal)."""

    number: str
    date: str
    """xsd:dateTime as written."""


@dataclass(frozen=True)
class StatusNotification:
    request_id: str
    status: str  # STATUSES
    status_date: str
    registration: Registration | None = None
    result_due_date: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Decision:
    number: str
    date: str
    """xsd:date as written."""
    text: str
    amount: str | None = None


@dataclass(frozen=True)
class Violation:
    document_type_code: str | None
    description: str


@dataclass(frozen=True)
class Refusal:
    reason_code: str
    reason_text: str
    violations: tuple[Violation, ...] = ()


@dataclass(frozen=True)
class Signer:
    """The provider's authorised person who signed the result."""

    iin: str | None
    full_name: str
    position: str


@dataclass(frozen=True)
class ResultDocument:
    """The result as a file (``resultDocument``); ``content`` is the base64 text as received."""

    document_type_code: str
    file_name: str
    media_type: str
    content: str
    title: str | None = None


@dataclass(frozen=True)
class ServiceResult:
    request_id: str
    registration: Registration
    outcome: Decision | Refusal
    journal: Registration
    signer: Signer
    result_date: str
    result_document: ResultDocument | None = None
    signed: bool = False
    """Read back: the document carries an enveloped ``ds:Signature``."""


@dataclass(frozen=True)
class Acknowledgement:
    """РШЭП's synchronous answer to a ServiceRequest: taken into the АРМ's inbox, or refused."""

    accepted: bool
    received_at: str
    request_id: str | None = None
    inbox_id: str | None = None
    provider_code: str | None = None
    duplicate: bool = False
    signature_verdict: str | None = None
    error_code: str | None = None
    error_message: str | None = None


# --- writing ---------------------------------------------------------------------------------

def _data(type_name: str) -> etree._Element:
    return etree.Element("data", {f"{{{XSI_NS}}}type": f"rs:{type_name}"}, nsmap=NSMAP)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    """A child; unlike ``xml_build.add_text`` a required value is written even when empty, so
    the contract check (:func:`schema_errors`) names it rather than it vanishing."""
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def _registration(parent: etree._Element, name: str, registration: Registration) -> None:
    reg = _add(parent, name)
    _add(reg, "number", registration.number)
    _add(reg, "date", registration.date)


def write_notification(n: StatusNotification) -> etree._Element:
    data = _data(NOTIFICATION)
    _add(data, "requestId", n.request_id)
    _add(data, "status", n.status)
    _add(data, "statusDate", n.status_date)
    if n.registration is not None:
        _registration(data, "registration", n.registration)
    if n.result_due_date is not None:
        _add(data, "resultDueDate", n.result_due_date)
    if n.comment:
        _add(data, "comment", n.comment)
    return data


def write_result(r: ServiceResult) -> etree._Element:
    """The unsigned ServiceResult; the АРМ signs ``data`` itself."""
    data = _data(RESULT)
    _add(data, "requestId", r.request_id)
    _registration(data, "registration", r.registration)
    out = _add(data, "outcome")
    if isinstance(r.outcome, Decision):
        d = _add(out, "decision")
        _add(d, "number", r.outcome.number)
        _add(d, "date", r.outcome.date)
        _add(d, "text", r.outcome.text)
        if r.outcome.amount is not None:
            _add(d, "amount", r.outcome.amount)
    else:
        refusal = _add(out, "refusal")
        _add(refusal, "reasonCode", r.outcome.reason_code)
        _add(refusal, "reasonText", r.outcome.reason_text)
        if r.outcome.violations:
            vs = _add(refusal, "violations")
            for violation in r.outcome.violations:
                v = _add(vs, "violation")
                if violation.document_type_code:
                    _add(v, "documentTypeCode", violation.document_type_code)
                _add(v, "description", violation.description)
    _registration(data, "journal", r.journal)
    if r.result_document is not None:
        doc = r.result_document
        item = _add(data, "resultDocument")
        _add(item, "documentTypeCode", doc.document_type_code)
        if doc.title:
            _add(item, "title", doc.title)
        _add(item, "fileName", doc.file_name)
        _add(item, "mediaType", doc.media_type)
        _add(item, "content", doc.content)
    s = _add(data, "signer")
    if r.signer.iin is not None:  # optional in the contract
        _add(s, "iin", r.signer.iin)
    _add(s, "fullName", r.signer.full_name)
    _add(s, "position", r.signer.position)
    _add(data, "resultDate", r.result_date)
    return data


def write_acknowledgement(a: Acknowledgement) -> etree._Element:
    """The answer's ``data``; an error message is cut to :data:`ERROR_MESSAGE_LIMIT` characters."""
    data = _data("Acknowledgement")
    if a.request_id:
        _add(data, "requestId", a.request_id)
    _add(data, "accepted", "true" if a.accepted else "false")
    if a.inbox_id is not None:
        _add(data, "inboxId", a.inbox_id)
    if a.provider_code:
        _add(data, "providerCode", a.provider_code)
    _add(data, "receivedAt", a.received_at)
    if a.duplicate:
        _add(data, "duplicate", "true")
    if a.signature_verdict:
        _add(data, "signatureVerdict", a.signature_verdict)
    if a.error_code:
        _add(data, "errorCode", a.error_code)
    if a.error_message:
        _add(data, "errorMessage", a.error_message[:ERROR_MESSAGE_LIMIT])
    return data


# --- reading ---------------------------------------------------------------------------------

def kind_of(data: etree._Element, root: etree._Element) -> str | None:
    """Which РШЭП payload ``root`` is (found in ``data`` by ``schemas.payload_root``): the local
    name of a typed ``data``'s ``xsi:type`` or of a root element, when it is in the РШЭП
    namespace; None otherwise."""
    xsi_type = root.get(f"{{{XSI_NS}}}type")
    if xsi_type:
        prefix, _, local = xsi_type.strip().rpartition(":")
        return local if root.nsmap.get(prefix or None) == RSHEP_NS else None
    if root is data:
        return None
    qname = etree.QName(root)
    return qname.localname if qname.namespace == RSHEP_NS else None


def schema_error(kind: str, element: etree._Element | etree._ElementTree) -> str | None:
    """The first contract violation of a received notification or result (``line N: message``),
    or None when it conforms; ``kind`` is one of :data:`VALIDATORS`."""
    validator = payload_validator(VALIDATORS[kind])
    if validator.validate(element):
        return None
    err = validator.error_log.last_error
    return f"line {err.line}: {err.message}" if err else "the payload does not match the contract"


def _registration_of(el: etree._Element | None) -> Registration | None:
    if el is None:
        return None
    return Registration(child_text(el, "number") or "", child_text(el, "date") or "")


def read_notification(root: etree._Element) -> StatusNotification:
    """A validated StatusNotification's values (:func:`schema_error` first)."""
    return StatusNotification(
        request_id=child_text(root, "requestId") or "", status=child_text(root, "status") or "",
        status_date=child_text(root, "statusDate") or "",
        registration=_registration_of(root.find("registration")),
        result_due_date=child_text(root, "resultDueDate"), comment=child_text(root, "comment"))


def read_result(root: etree._Element) -> ServiceResult:
    """A validated ServiceResult's values (:func:`schema_error` first)."""
    outcome: Decision | Refusal
    decision = root.find("outcome/decision")
    if decision is not None:
        outcome = Decision(child_text(decision, "number") or "", child_text(decision, "date") or "",
                           child_text(decision, "text") or "", child_text(decision, "amount"))
    else:
        refusal = root.find("outcome/refusal")
        outcome = Refusal(child_text(refusal, "reasonCode") or "", child_text(refusal, "reasonText") or "",
                          tuple(Violation(child_text(v, "documentTypeCode"), child_text(v, "description") or "")
                                for v in (refusal.iterfind("violations/violation")
                                          if refusal is not None else ())))
    doc = root.find("resultDocument")
    document = None if doc is None else ResultDocument(
        child_text(doc, "documentTypeCode") or "", child_text(doc, "fileName") or "",
        child_text(doc, "mediaType") or "", doc.findtext("content") or "", child_text(doc, "title"))
    return ServiceResult(
        request_id=child_text(root, "requestId") or "",
        registration=_registration_of(root.find("registration")) or Registration("", ""),
        outcome=outcome, journal=_registration_of(root.find("journal")) or Registration("", ""),
        signer=Signer(child_text(root, "signer/iin"), child_text(root, "signer/fullName") or "",
                      child_text(root, "signer/position") or ""),
        result_date=child_text(root, "resultDate") or "", result_document=document,
        signed=root.find(f"{{{DS_NS}}}Signature") is not None)
