"""The РШЭП payloads the АРМ writes (wsdl/payloads/rshep/RegionalService.xsd, SYNTHETIC):
StatusNotification, ServiceResult and the Acknowledgement. The ServiceRequest it receives is read
with the contract's codec, egov_sim.wsdl.service_request.

Every payload goes out in style 1 of docs/contracts.md (``<data xsi:type="rs:…">`` with
unqualified children), the style the contract's examples use. A ServiceResult is signed as a
standalone document whose root is ``data`` (NCALayer enveloped layout), so the receiver
verifies ``signing.verify.reroot(data)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from egov_sim.core.clock import ALMATY
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.wsdl.schemas import RSHEP_NS, XSI_NS

NSMAP = {"rs": RSHEP_NS, "xsi": XSI_NS}


def xml_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(ALMATY).isoformat(timespec="milliseconds")


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
