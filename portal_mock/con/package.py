"""Process 5 / K05: the electronic package for АРМ РШЭП, signed with the operator's EDS.

002 §9.7: "electronic documents (the recipient's request), certified (signed) with the EDS of
the State Corporation operator, are sent through ЭҮШ to ӨЭҮШ АЖО". The package is the SYNTHETIC
``rs:ServiceRequest`` of wsdl/payloads/rshep/RegionalService.xsd (docs/contracts.md): the
request, the recipient and representative as the registries returned them, the operator, the
lookups made (``registryChecks``, for traceability of K03/K04), the form and the scanned
documents. It is checked against the contract, then signed as a standalone document rooted at
``data`` (NCALayer enveloped layout, signatures.md §3), so the АРМ verifies ``reroot(data)``.
The signed bytes are what the application keeps and what is sent, unchanged, on every retry.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from lxml import etree

from egov_sim.adapters.gbd_fl.wire import text, typed_data
from egov_sim.core import safe_xml
from egov_sim.core.clock import ALMATY
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.wsdl.schemas import RSHEP_NS, payload_validator

from .operators import Operator

CHANNEL_CON = "CON"


class PackageError(Exception):
    """The package breaks the РШЭП contract: a bug of the ИИС ЦОН, never sent."""


@dataclass(frozen=True)
class Attachment:
    """A scanned document of the package (Standard item 9)."""

    document_type_code: str
    file_name: str
    media_type: str
    content: bytes
    title: str | None = None


@dataclass(frozen=True)
class PackageContent:
    request_id: str
    request_date: dt.datetime
    service_code: str
    service_name: str
    provider_bin: str
    provider_name: str
    region_code: str | None
    applicant: dict
    """iin, surname, name, patronymic?, birthDate?, phone?, email? (names from ГБД ФЛ)."""
    representative: dict | None
    """iin, surname, name, patronymic?, poaNumber, poaDate?, poaValidTo? (from ЕНИС)."""
    operator: Operator
    office_code: str
    registry_checks: Sequence[dict]
    """RegistryCheck.to_json() of the lookups that were made."""
    form: Sequence[tuple[str, str | None, str]]
    """(name, label, value) of each filled form field."""
    attachments: Sequence[Attachment]


def _when(value: str | dt.datetime) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(ALMATY).isoformat(timespec="seconds")


def build_service_request(c: PackageContent) -> etree._Element:
    """The unsigned ``<data xsi:type="rs:ServiceRequest">`` in schema order."""
    data = typed_data("rs", RSHEP_NS, "ServiceRequest")
    text(data, "requestId", c.request_id)
    text(data, "requestDate", _when(c.request_date))
    text(data, "channel", CHANNEL_CON)
    text(data, "serviceCode", c.service_code)
    text(data, "serviceName", c.service_name)
    provider = etree.SubElement(data, "provider")
    text(provider, "bin", c.provider_bin)
    text(provider, "name", c.provider_name)
    text(provider, "regionCode", c.region_code)
    applicant = etree.SubElement(data, "applicant")
    for key in ("iin", "surname", "name", "patronymic", "birthDate", "phone", "email", "address"):
        text(applicant, key, c.applicant.get(key))
    if c.representative:
        rep = etree.SubElement(data, "representative")
        for key in ("iin", "surname", "name", "patronymic", "poaNumber", "poaDate", "poaValidTo"):
            text(rep, key, c.representative.get(key))
    op = etree.SubElement(data, "operator")
    text(op, "iin", c.operator.iin)
    text(op, "fullName", c.operator.full_name)
    text(op, "conCode", c.office_code)
    asked = [check for check in c.registry_checks if check.get("messageId")]
    if asked:
        checks = etree.SubElement(data, "registryChecks")
        for check in asked:
            el = etree.SubElement(checks, "check")
            text(el, "registry", check["registry"])
            text(el, "serviceId", check["serviceId"])
            text(el, "messageId", check["messageId"])
            text(el, "resultCode", check.get("resultCode") or "")
            text(el, "checkedAt", check["checkedAt"])
    if c.form:
        form = etree.SubElement(data, "form")
        for name, label, value in c.form:
            field = etree.SubElement(form, "field")
            text(field, "name", name)
            text(field, "label", label)
            etree.SubElement(field, "value").text = value
    if c.attachments:
        attachments = etree.SubElement(data, "attachments")
        for a in c.attachments:
            el = etree.SubElement(attachments, "attachment")
            text(el, "documentTypeCode", a.document_type_code)
            text(el, "title", a.title)
            text(el, "fileName", a.file_name)
            text(el, "mediaType", a.media_type)
            text(el, "content", base64.b64encode(a.content).decode("ascii"))
    validator = payload_validator("rshep-request")
    if not validator.validate(data):
        err = validator.error_log.last_error
        raise PackageError(f"the ServiceRequest breaks the РШЭП contract: line {err.line}: {err.message}"
                           if err else "the ServiceRequest breaks the РШЭП contract")
    return data


def sign_package(data: etree._Element, signer) -> bytes:
    """K05: sign ``data`` with the operator's EDS; the signed document's bytes (blocking)."""
    return sign_enveloped(etree.ElementTree(data), signer.key, signer.certificate)


def load_package(signed: bytes) -> etree._Element:
    """The stored signed package as the ``data`` element to put in the ШЭП envelope."""
    return safe_xml.parse(signed).getroot()
