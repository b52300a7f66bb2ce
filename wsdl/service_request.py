"""The ``rs:ServiceRequest`` codec (payloads/rshep/RegionalService.xsd, SYNTHETIC): one writer
and one reader for every system that sends or receives an application to the АРМ.

Two channels write it: the portal as the document the applicant signs (the root element
``rs:ServiceRequest``, carried in ШЭП ``data`` as its only child: payload style 3b), and the ИИС
ЦОН as the package the operator signs (``<data xsi:type="rs:ServiceRequest">``: style 1). The
АРМ and the portal read it back from what was signed, so what they check is exactly what the
signer saw. Children are unqualified and written in schema order; empty optional ones are left
out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from lxml import etree

from egov_sim.core.xml_build import add_text, child_text, typed_data
from egov_sim.reference.person import PersonName

from .schemas import DS_NS, RSHEP_NS, payload_validator

ELEMENT = f"{{{RSHEP_NS}}}ServiceRequest"
CHANNELS = ("CON", "PORTAL")
VALIDATOR = "rshep-request"


# --- the document's values --------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    """An e-copy of a document of the package (Standard item 9): ``documentTypeCode`` of the
    service, the file and its media type. Read back, ``decodable`` is False when the document's
    content was not base64 (``content`` is then empty)."""

    document_code: str
    file_name: str
    media_type: str
    content: bytes
    title: str | None = None
    decodable: bool = True

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Applicant:
    """The recipient (услугополучатель); names as ГБД ФЛ keeps them."""

    iin: str
    name: PersonName
    birth_date: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Representative:
    """Who acts for the recipient under a notarised power of attorney (ЕНИС)."""

    iin: str
    name: PersonName
    poa_number: str
    poa_date: str | None = None
    poa_valid_to: str | None = None


@dataclass(frozen=True)
class Operator:
    """The State Corporation operator who certified the package (channel CON only)."""

    iin: str
    full_name: str
    con_code: str


@dataclass(frozen=True)
class RegistryCheck:
    """A lookup the sender made before sending (ГБД ФЛ, ЕНИС), for traceability."""

    registry: str
    service_id: str
    message_id: str
    result_code: str
    checked_at: str


@dataclass(frozen=True)
class FormField:
    name: str
    value: str
    label: str | None = None


@dataclass(frozen=True)
class ServiceRequest:
    """What an ``rs:ServiceRequest`` says."""

    request_id: str
    request_date: str
    """xsd:dateTime as written (the sender's offset)."""
    channel: str  # CHANNELS
    service_code: str
    provider_bin: str
    provider_name: str
    applicant: Applicant
    service_name: str | None = None
    region_code: str | None = None
    representative: Representative | None = None
    operator: Operator | None = None
    registry_checks: tuple[RegistryCheck, ...] = ()
    form: tuple[FormField, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    signed: bool = False
    """Read back: the document carries an enveloped ``ds:Signature``."""

    @property
    def form_values(self) -> dict[str, str]:
        """The form's values by field name (the first of a repeated name)."""
        out: dict[str, str] = {}
        for f in self.form:
            if f.name and f.name not in out:
                out[f.name] = f.value
        return out


# --- writing ----------------------------------------------------------------------------------

def _name(parent: etree._Element, name: PersonName) -> None:
    add_text(parent, "surname", name.surname)
    add_text(parent, "name", name.given_name)
    add_text(parent, "patronymic", name.patronymic)


def write(request: ServiceRequest, *, as_data: bool = False) -> etree._Element:
    """The unsigned document: the root element ``rs:ServiceRequest`` (sign it as it is, send it
    as the only child of ``data``), or with ``as_data`` ``<data xsi:type="rs:ServiceRequest">``
    (sign ``data`` itself)."""
    if as_data:
        root = typed_data("rs", RSHEP_NS, "ServiceRequest")
    else:
        root = etree.Element(ELEMENT, nsmap={"rs": RSHEP_NS})
    add_text(root, "requestId", request.request_id)
    add_text(root, "requestDate", request.request_date)
    add_text(root, "channel", request.channel)
    add_text(root, "serviceCode", request.service_code)
    add_text(root, "serviceName", request.service_name)
    provider = etree.SubElement(root, "provider")
    add_text(provider, "bin", request.provider_bin)
    add_text(provider, "name", request.provider_name)
    add_text(provider, "regionCode", request.region_code)
    a = request.applicant
    applicant = etree.SubElement(root, "applicant")
    add_text(applicant, "iin", a.iin)
    _name(applicant, a.name)
    for tag, value in (("birthDate", a.birth_date), ("phone", a.phone), ("email", a.email),
                       ("address", a.address)):
        add_text(applicant, tag, value)
    if request.representative is not None:
        r = request.representative
        rep = etree.SubElement(root, "representative")
        add_text(rep, "iin", r.iin)
        _name(rep, r.name)
        for tag, value in (("poaNumber", r.poa_number), ("poaDate", r.poa_date),
                           ("poaValidTo", r.poa_valid_to)):
            add_text(rep, tag, value)
    if request.operator is not None:
        op = etree.SubElement(root, "operator")
        add_text(op, "iin", request.operator.iin)
        add_text(op, "fullName", request.operator.full_name)
        add_text(op, "conCode", request.operator.con_code)
    if request.registry_checks:
        checks = etree.SubElement(root, "registryChecks")
        for c in request.registry_checks:
            el = etree.SubElement(checks, "check")
            for tag, value in (("registry", c.registry), ("serviceId", c.service_id),
                               ("messageId", c.message_id), ("resultCode", c.result_code),
                               ("checkedAt", c.checked_at)):
                add_text(el, tag, value)
    if request.form:
        form = etree.SubElement(root, "form")
        for f in request.form:
            field = etree.SubElement(form, "field")
            add_text(field, "name", f.name)
            add_text(field, "label", f.label)
            etree.SubElement(field, "value").text = f.value
    if request.attachments:
        holder = etree.SubElement(root, "attachments")
        for att in request.attachments:
            item = etree.SubElement(holder, "attachment")
            add_text(item, "documentTypeCode", att.document_code)
            add_text(item, "title", att.title)
            add_text(item, "fileName", att.file_name)
            add_text(item, "mediaType", att.media_type)
            etree.SubElement(item, "content").text = base64.b64encode(att.content).decode("ascii")
    return root


def schema_errors(element: etree._Element | etree._ElementTree, *, limit: int = 10) -> list[str]:
    """Contract violations of a written or received document (``line N: message``)."""
    validator = payload_validator(VALIDATOR)
    if validator.validate(element):
        return []
    return [f"line {e.line}: {e.message}" for e in validator.error_log][:limit]


# --- reading ----------------------------------------------------------------------------------

def is_service_request(root: etree._Element) -> bool:
    """The root element ``rs:ServiceRequest`` (the portal's document)."""
    return root.tag == ELEMENT


def request_id_of(root: etree._Element) -> str | None:
    """The requestId of something that looks like a ServiceRequest (to file a refusal under it)."""
    if not is_service_request(root):
        return None
    return child_text(root, "requestId")


def _person_name(el: etree._Element) -> PersonName:
    return PersonName(child_text(el, "surname") or "", child_text(el, "name") or "",
                      child_text(el, "patronymic"))


def _attachment(item: etree._Element) -> Attachment:
    raw = "".join((item.findtext("content") or "").split())
    try:
        content, ok = base64.b64decode(raw, validate=True), True
    except (binascii.Error, ValueError):
        content, ok = b"", False
    return Attachment(child_text(item, "documentTypeCode") or "", child_text(item, "fileName") or "",
                      child_text(item, "mediaType") or "", content, child_text(item, "title"), ok)


def read(root: etree._Element) -> ServiceRequest:
    """The document's values, from the element holding its fields (``rs:ServiceRequest`` or a
    typed ``data``: :func:`egov_sim.wsdl.schemas.payload_root` finds it in any style). Meant for
    a document already validated (:func:`schema_errors`); missing values read as empty."""
    a = root.find("applicant")
    applicant = Applicant(
        child_text(a, "iin") or "", _person_name(a) if a is not None else PersonName("", ""),
        child_text(a, "birthDate"), child_text(a, "phone"), child_text(a, "email"),
        child_text(a, "address"))
    r = root.find("representative")
    representative = None if r is None else Representative(
        child_text(r, "iin") or "", _person_name(r), child_text(r, "poaNumber") or "",
        child_text(r, "poaDate"), child_text(r, "poaValidTo"))
    o = root.find("operator")
    operator = None if o is None else Operator(
        child_text(o, "iin") or "", child_text(o, "fullName") or "", child_text(o, "conCode") or "")
    checks = tuple(RegistryCheck(*(child_text(c, tag) or "" for tag in (
        "registry", "serviceId", "messageId", "resultCode", "checkedAt")))
        for c in root.iterfind("registryChecks/check"))
    form = tuple(FormField(child_text(f, "name") or "", (f.findtext("value") or "").strip(),
                           child_text(f, "label")) for f in root.iterfind("form/field"))
    return ServiceRequest(
        request_id=child_text(root, "requestId") or "",
        request_date=child_text(root, "requestDate") or "",
        channel=child_text(root, "channel") or "",
        service_code=child_text(root, "serviceCode") or "",
        provider_bin=child_text(root, "provider/bin") or "",
        provider_name=child_text(root, "provider/name") or "",
        applicant=applicant, service_name=child_text(root, "serviceName"),
        region_code=child_text(root, "provider/regionCode"), representative=representative,
        operator=operator, registry_checks=checks, form=form,
        attachments=tuple(_attachment(i) for i in root.iterfind("attachments/attachment")),
        signed=root.find(f"{{{DS_NS}}}Signature") is not None)


def wrap_as_data(signed_root: etree._Element) -> etree._Element:
    """ШЭП ``data`` carrying the signed root-element document as its only child (style 3b)."""
    data = etree.Element("data")
    data.append(etree.fromstring(etree.tostring(signed_root)))
    return data

