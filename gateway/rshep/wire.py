"""The РШЭП payloads on the wire (wsdl/payloads/rshep/RegionalService.xsd, SYNTHETIC): reading a
ServiceRequest, writing StatusNotification, ServiceResult and the Acknowledgement.

Every payload goes out in style 1 of docs/contracts.md (``<data xsi:type="rs:…">`` with
unqualified children), the style the contract's examples use. A ServiceResult is signed as a
standalone document whose root is ``data`` (NCALayer enveloped layout), so the receiver
verifies ``signing.verify.reroot(data)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from egov_sim.core.clock import ALMATY
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.wsdl.schemas import RSHEP_NS, XSI_NS

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NSMAP = {"rs": RSHEP_NS, "xsi": XSI_NS}


def xml_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(ALMATY).isoformat(timespec="milliseconds")


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else None


# --- reading a ServiceRequest ------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    iin: str
    surname: str
    name: str
    patronymic: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


@dataclass(frozen=True)
class IncomingRequest:
    """What the АРМ keeps of a ServiceRequest (the payload itself is stored too)."""

    request_id: str
    request_date: str
    channel: str  # "CON" | "PORTAL"
    service_code: str
    provider_bin: str
    provider_name: str
    applicant: Person
    representative: Person | None = None
    operator_iin: str | None = None
    operator_name: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    """documentTypeCode of each attached e-copy."""
    signed: bool = False


def _person(el: etree._Element | None) -> Person | None:
    if el is None:
        return None
    return Person(_text(el, "iin") or "", _text(el, "surname") or "", _text(el, "name") or "",
                  _text(el, "patronymic"))


def read_service_request(root: etree._Element) -> IncomingRequest:
    """The fields of a ServiceRequest already validated against the schema."""
    operator = root.find("operator")
    return IncomingRequest(
        request_id=_text(root, "requestId") or "", request_date=_text(root, "requestDate") or "",
        channel=_text(root, "channel") or "", service_code=_text(root, "serviceCode") or "",
        provider_bin=_text(root, "provider/bin") or "", provider_name=_text(root, "provider/name") or "",
        applicant=_person(root.find("applicant")), representative=_person(root.find("representative")),
        operator_iin=_text(operator, "iin") if operator is not None else None,
        operator_name=_text(operator, "fullName") if operator is not None else None,
        form={_text(f, "name") or "": _text(f, "value") or "" for f in root.iterfind("form/field")},
        attachments=tuple(_text(a, "documentTypeCode") or "" for a in root.iterfind("attachments/attachment")),
        signed=root.find(f"{{{DS_NS}}}Signature") is not None)


# --- writing -------------------------------------------------------------------------------------

def _data(type_name: str) -> etree._Element:
    return etree.Element("data", {f"{{{XSI_NS}}}type": f"rs:{type_name}"}, nsmap=NSMAP)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def _registration(parent: etree._Element, name: str, number: str, at: dt.datetime) -> None:
    reg = _add(parent, name)
    _add(reg, "number", number)
    _add(reg, "date", xml_datetime(at))


@dataclass(frozen=True)
class Registration:
    number: str
    at: dt.datetime


def status_notification(request_id: str, status: str, at: dt.datetime, *,
                        registration: Registration | None = None, due: dt.date | None = None,
                        comment: str | None = None) -> etree._Element:
    data = _data("StatusNotification")
    _add(data, "requestId", request_id)
    _add(data, "status", status)
    _add(data, "statusDate", xml_datetime(at))
    if registration is not None:
        _registration(data, "registration", registration.number, registration.at)
    if due is not None:
        _add(data, "resultDueDate", due.isoformat())
    if comment:
        _add(data, "comment", comment)
    return data


@dataclass(frozen=True)
class Decision:
    number: str
    date: dt.date
    text: str
    amount: str | None = None


@dataclass(frozen=True)
class Refusal:
    reason_code: str
    reason_text: str
    violations: tuple[tuple[str | None, str], ...] = ()
    """(documentTypeCode or None, description)."""


@dataclass(frozen=True)
class Signer:
    iin: str
    full_name: str
    position: str


def service_result(request_id: str, registration: Registration, outcome: Decision | Refusal,
                   journal: Registration, signer: Signer, at: dt.datetime) -> etree._Element:
    data = _data("ServiceResult")
    _add(data, "requestId", request_id)
    _registration(data, "registration", registration.number, registration.at)
    out = _add(data, "outcome")
    if isinstance(outcome, Decision):
        d = _add(out, "decision")
        _add(d, "number", outcome.number)
        _add(d, "date", outcome.date.isoformat())
        _add(d, "text", outcome.text)
        if outcome.amount is not None:
            _add(d, "amount", outcome.amount)
    else:
        r = _add(out, "refusal")
        _add(r, "reasonCode", outcome.reason_code)
        _add(r, "reasonText", outcome.reason_text)
        if outcome.violations:
            vs = _add(r, "violations")
            for code, description in outcome.violations:
                v = _add(vs, "violation")
                if code:
                    _add(v, "documentTypeCode", code)
                _add(v, "description", description)
    _registration(data, "journal", journal.number, journal.at)
    s = _add(data, "signer")
    _add(s, "iin", signer.iin)
    _add(s, "fullName", signer.full_name)
    _add(s, "position", signer.position)
    _add(data, "resultDate", xml_datetime(at))
    return data


def sign_result(data: etree._Element, key, certificate) -> bytes:
    """``data`` signed as a standalone document (K13): the bytes the АРМ keeps and sends."""
    return sign_enveloped(etree.ElementTree(data), key, certificate)


def acknowledgement(at: dt.datetime, *, accepted: bool, request_id: str | None = None,
                    inbox_id: int | None = None, provider_code: str | None = None,
                    duplicate: bool = False, signature_verdict: str | None = None,
                    error_code: str | None = None, error_message: str | None = None) -> etree._Element:
    data = _data("Acknowledgement")
    if request_id:
        _add(data, "requestId", request_id)
    _add(data, "accepted", "true" if accepted else "false")
    if inbox_id is not None:
        _add(data, "inboxId", str(inbox_id))
    if provider_code:
        _add(data, "providerCode", provider_code)
    _add(data, "receivedAt", xml_datetime(at))
    if duplicate:
        _add(data, "duplicate", "true")
    if signature_verdict:
        _add(data, "signatureVerdict", signature_verdict)
    if error_code:
        _add(data, "errorCode", error_code)
    if error_message:
        _add(data, "errorMessage", error_message[:1000])
    return data
