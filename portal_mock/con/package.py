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

import datetime as dt
from typing import Sequence

from lxml import etree

from egov_sim.core import safe_xml
from egov_sim.core.clock import ALMATY
from egov_sim.reference.person import PersonName
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.wsdl import service_request as rs
from egov_sim.wsdl.service_request import Attachment

from .operators import Operator

CHANNEL_CON = "CON"

__all__ = ["Attachment", "CHANNEL_CON", "PackageError", "build_service_request", "load_package",
           "package_request", "sign_package"]


class PackageError(Exception):
    """The package breaks the РШЭП contract: a bug of the ИИС ЦОН, never sent."""


def _when(value: str | dt.datetime) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(ALMATY).isoformat(timespec="seconds")


def _name(d: dict) -> PersonName:
    return PersonName(d.get("surname") or "", d.get("name") or "", d.get("patronymic"))


def package_request(*, request_id: str, request_date: str | dt.datetime, service_code: str,
                    service_name: str, provider_bin: str, provider_name: str,
                    region_code: str | None, applicant: dict, representative: dict | None,
                    operator: Operator, office_code: str, registry_checks: Sequence[dict],
                    form: Sequence[tuple[str, str | None, str]],
                    attachments: Sequence[Attachment]) -> rs.ServiceRequest:
    """The package's ``rs:ServiceRequest`` from the application as the ИИС ЦОН keeps it:
    ``applicant`` (iin, surname, name, patronymic?, birthDate?, phone?, email?, address?; names
    from ГБД ФЛ), ``representative`` (iin, names, poaNumber, poaDate?, poaValidTo?; from ЕНИС),
    ``registry_checks`` (RegistryCheck.to_json() of the lookups made; those not asked are left
    out), ``form`` ((name, label, value) of each filled field)."""
    rep = None
    if representative:
        rep = rs.Representative(representative["iin"], _name(representative),
                                representative.get("poaNumber") or "",
                                representative.get("poaDate"), representative.get("poaValidTo"))
    return rs.ServiceRequest(
        request_id=request_id, request_date=_when(request_date), channel=CHANNEL_CON,
        service_code=service_code, service_name=service_name, provider_bin=provider_bin,
        provider_name=provider_name, region_code=region_code,
        applicant=rs.Applicant(applicant["iin"], _name(applicant), applicant.get("birthDate"),
                               applicant.get("phone"), applicant.get("email"),
                               applicant.get("address")),
        representative=rep, operator=rs.Operator(operator.iin, operator.full_name, office_code),
        registry_checks=tuple(rs.RegistryCheck(c["registry"], c["serviceId"], c["messageId"],
                                               c.get("resultCode") or "", c["checkedAt"])
                              for c in registry_checks if c.get("messageId")),
        form=tuple(rs.FormField(name, value, label) for name, label, value in form),
        attachments=tuple(attachments))


def build_service_request(request: rs.ServiceRequest) -> etree._Element:
    """The unsigned ``<data xsi:type="rs:ServiceRequest">``, checked against the contract."""
    data = rs.write(request, as_data=True)
    errors = rs.schema_errors(data, limit=1)
    if errors:
        raise PackageError(f"the ServiceRequest breaks the РШЭП contract: {errors[0]}")
    return data


def sign_package(data: etree._Element, signer) -> bytes:
    """K05: sign ``data`` with the operator's EDS; the signed document's bytes (blocking)."""
    return sign_enveloped(etree.ElementTree(data), signer.key, signer.certificate)


def load_package(signed: bytes) -> etree._Element:
    """The stored signed package as the ``data`` element to put in the ШЭП envelope."""
    return safe_xml.parse(signed).getroot()
