"""The request document the applicant signs: a РШЭП ``rs:ServiceRequest`` (channel PORTAL).

The portal writes it from the form (the draft), the applicant signs it in the NCALayer enveloped
layout, and the very same signed element travels to the АРМ in ШЭП ``data`` (payload style 3b:
``<data><rs:ServiceRequest>…</rs:ServiceRequest></data>``). Reading goes the other way, from the
signed document, so what the portal checks is exactly what the applicant signed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Mapping, Sequence

from lxml import etree

from egov_sim.core.clock import ALMATY
from egov_sim.reference.catalogue import ProviderOffice, StateService
from egov_sim.wsdl.schemas import RSHEP_NS, payload_validator

from .requests_store import Draft, PortalUser

SERVICE_REQUEST = f"{{{RSHEP_NS}}}ServiceRequest"


@dataclass(frozen=True)
class Attachment:
    """An e-copy of a document of the package (Standard item 9), as the applicant uploads it."""

    document_code: str
    file_name: str
    media_type: str
    content: bytes
    title: str | None = None


@dataclass(frozen=True)
class AttachmentInfo:
    document_code: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    decodable: bool = True

    def to_json(self) -> dict:
        return {"documentCode": self.document_code, "fileName": self.file_name,
                "mediaType": self.media_type, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class RequestContent:
    """What a (signed) ServiceRequest says, read without trusting it yet."""

    request_id: str
    channel: str
    service_code: str
    provider_bin: str
    applicant_iin: str
    form: Mapping[str, str]
    attachments: tuple[AttachmentInfo, ...]


def _sub(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def build_request(draft: Draft, *, when: dt.datetime, service: StateService, office: ProviderOffice,
                  applicant: PortalUser, form: Mapping[str, str],
                  attachments: Sequence[Attachment]) -> bytes:
    """The unsigned request document of a draft, ready for NCALayer (``sign_enveloped``)."""
    root = etree.Element(SERVICE_REQUEST, nsmap={"rs": RSHEP_NS})
    _sub(root, "requestId", draft.request_id)
    _sub(root, "requestDate", when.astimezone(ALMATY).isoformat(timespec="seconds"))
    _sub(root, "channel", "PORTAL")
    _sub(root, "serviceCode", service.code)
    _sub(root, "serviceName", service.name_ru)
    provider = _sub(root, "provider", None)
    _sub(provider, "bin", office.bin)
    _sub(provider, "name", office.name_ru)
    if office.region_code:
        _sub(provider, "regionCode", office.region_code)
    person = _sub(root, "applicant", None)
    _sub(person, "iin", applicant.iin)
    _sub(person, "surname", applicant.surname)
    _sub(person, "name", applicant.name)
    if applicant.patronymic:
        _sub(person, "patronymic", applicant.patronymic)
    if applicant.birth_date:
        _sub(person, "birthDate", applicant.birth_date)
    fields = [(f, form[f.name]) for f in service.form if str(form.get(f.name, "")).strip()]
    if fields:
        form_el = _sub(root, "form", None)
        for spec, value in fields:
            field = _sub(form_el, "field", None)
            _sub(field, "name", spec.name)
            _sub(field, "label", spec.label_ru)
            _sub(field, "value", str(value).strip())
    if attachments:
        holder = _sub(root, "attachments", None)
        titles = {d.code: d.name_ru for d in service.documents}
        for a in attachments:
            item = _sub(holder, "attachment", None)
            _sub(item, "documentTypeCode", a.document_code)
            _sub(item, "title", a.title or titles.get(a.document_code))
            _sub(item, "fileName", a.file_name)
            _sub(item, "mediaType", a.media_type)
            _sub(item, "content", base64.b64encode(a.content).decode("ascii"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def is_service_request(root: etree._Element) -> bool:
    return root.tag == SERVICE_REQUEST


def schema_errors(tree: etree._ElementTree) -> list[str]:
    """Contract violations of the document (wsdl/payloads/rshep/RegionalService.xsd)."""
    validator = payload_validator("rshep-request")
    if validator.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in validator.error_log][:10]


def read_request(root: etree._Element) -> RequestContent:
    """The fields the portal checks, from the document's root ``rs:ServiceRequest``."""
    text = lambda path: (root.findtext(path) or "").strip()  # noqa: E731
    form = {}
    for field in root.iterfind("form/field"):
        name = (field.findtext("name") or "").strip()
        if name and name not in form:
            form[name] = (field.findtext("value") or "").strip()
    infos = []
    for item in root.iterfind("attachments/attachment"):
        raw = "".join((item.findtext("content") or "").split())
        try:
            content, ok = base64.b64decode(raw, validate=True), True
        except (binascii.Error, ValueError):
            content, ok = b"", False
        infos.append(AttachmentInfo((item.findtext("documentTypeCode") or "").strip(),
                                    (item.findtext("fileName") or "").strip(),
                                    (item.findtext("mediaType") or "").strip(), len(content),
                                    hashlib.sha256(content).hexdigest(), ok))
    return RequestContent(text("requestId"), text("channel"), text("serviceCode"),
                          text("provider/bin"), text("applicant/iin"), form, tuple(infos))


def request_id_of(root: etree._Element) -> str | None:
    """The requestId of something that looks like a ServiceRequest (to file a refusal under it)."""
    if not is_service_request(root):
        return None
    value = (root.findtext("requestId") or "").strip()
    return value or None


def wrap_as_data(signed_root: etree._Element) -> etree._Element:
    """ШЭП ``data`` carrying the signed request as its only child (payload style 3b)."""
    data = etree.Element("data")
    data.append(etree.fromstring(etree.tostring(signed_root)))
    return data
