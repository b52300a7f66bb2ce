"""The ЕНИС codec (payloads/enis/PowerOfAttorney.xsd, SYNTHETIC): the ``PoaRequest`` written by a
client (the ЦОН) and read by the register, the ``PoaResponse`` written and read back.

Element order follows the schema; the answer is typed (``xsi:type="enis:PoaResponse"``) and its
dictionary values are shaped like ГБД ФЛ's. The register (adapters/notary) decides the verdict;
this module only reads the question and writes the answer, from any record that has the
attributes of :class:`PowerOfAttorneyRecord`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, Sequence

from lxml import etree

from egov_sim.core import ids
from egov_sim.core.clock import ALMATY
from egov_sim.core.xml_build import add_dictionary, add_text, fields, message_date, parse_date, typed_data

from .schemas import ENIS_NS, PayloadError, read_payload

__all__ = ["PayloadError", "PoaRequest", "read_first_poa", "read_poa_request", "response_data",
           "write_poa_request"]


@dataclass(frozen=True)
class PoaRequest:
    """What a ``PoaRequest`` asks: a number, the two parties, a day and a service."""

    message_id: str
    sender_code: str
    poa_number: str | None
    principal_iin: str | None
    attorney_iin: str | None
    check_date: dt.date | None
    service_code: str | None


def write_poa_request(principal_iin: str, attorney_iin: str, poa_number: str | None, *,
                      sender_code: str, now: dt.datetime, service_code: str | None,
                      message_id: str | None = None) -> etree._Element:
    """A ``PoaRequest`` by both IINs and the number, asked for the day of ``now`` (docs/enis.md)."""
    data = typed_data("enis", ENIS_NS, "PoaRequest")
    add_text(data, "messageId", message_id or str(ids.new_uuid()))
    add_text(data, "messageDate", message_date(now))
    add_text(data, "senderCode", sender_code)
    add_text(data, "principalIin", principal_iin)
    add_text(data, "attorneyIin", attorney_iin)
    add_text(data, "poaNumber", poa_number)
    add_text(data, "checkDate", now.astimezone(ALMATY).date())
    add_text(data, "serviceCode", service_code)
    return data


def read_poa_request(data: etree._Element | None) -> PoaRequest:
    """The ``PoaRequest`` in ``data`` (any payload style); :class:`PayloadError` if it breaks the contract."""
    f = fields(read_payload(data, "enis-request"))
    try:
        check_date = parse_date(f.get("checkDate"))
    except ValueError as exc:
        raise PayloadError(f"bad checkDate: {exc}") from None
    return PoaRequest(message_id=f["messageId"], sender_code=f["senderCode"],
                      poa_number=f.get("poaNumber") or None,
                      principal_iin=f.get("principalIin") or None,
                      attorney_iin=f.get("attorneyIin") or None,
                      check_date=check_date, service_code=f.get("serviceCode") or None)


def read_first_poa(data: etree._Element) -> dict | None:
    """The ``powerOfAttorney`` of an answer as a client keeps it, or None."""
    poa = data.find("powerOfAttorney")
    if poa is None:
        return None
    return {
        "poaNumber": poa.findtext("poaNumber"), "registrationDate": poa.findtext("registrationDate"),
        "validFrom": poa.findtext("validFrom"), "validTo": poa.findtext("validTo"),
        "status": poa.findtext("status"), "revocationDate": poa.findtext("revocationDate"),
        "principalIin": poa.findtext("principal/iin"), "attorneyIin": poa.findtext("attorney/iin"),
        "attorney": {"surname": poa.findtext("attorney/surname"), "name": poa.findtext("attorney/name"),
                     "patronymic": poa.findtext("attorney/patronymic")},
        "notary": poa.findtext("notary/fullName")}


# --- what the answer is written from ----------------------------------------------------------

class PartyRecord(Protocol):
    iin: str
    surname: str
    name: str
    patronymic: str | None
    birth_date: dt.date | None


class NotaryRecord(Protocol):
    full_name: str
    license_number: str
    notarial_district: str


class ServiceRecord(Protocol):
    code: str
    name: str


class ScopeRecord(Protocol):
    general: bool
    actions: Sequence[str]
    services: Sequence[ServiceRecord]


class PowerOfAttorneyRecord(Protocol):
    number: str
    registration_date: dt.date
    notary: NotaryRecord
    principal: PartyRecord
    attorney: PartyRecord
    valid_from: dt.date
    valid_to: dt.date
    scope: ScopeRecord
    substitution_allowed: bool
    revocation_date: dt.date | None


def response_data(*, message_id: str, moment: dt.datetime, request_id: str,
                  result: tuple[str, str, str], poa: PowerOfAttorneyRecord | None = None,
                  status: str | None = None) -> etree._Element:
    """An unsigned ``PoaResponse``; ``result`` is (code, nameRu, nameKz); ``poa`` the record the
    verdict is about (with its ``status`` on the day asked), if any."""
    data = typed_data("enis", ENIS_NS, "PoaResponse")
    etree.SubElement(data, "messageId").text = message_id
    etree.SubElement(data, "messageDate").text = message_date(moment)
    etree.SubElement(data, "requestId").text = request_id
    add_dictionary(data, "messageResult", *result)
    if poa is not None:
        _power_of_attorney(etree.SubElement(data, "powerOfAttorney"), poa, status)
    return data


def _party(parent: etree._Element, tag: str, party: PartyRecord) -> None:
    el = etree.SubElement(parent, tag)
    add_text(el, "iin", party.iin)
    add_text(el, "surname", party.surname)
    add_text(el, "name", party.name)
    add_text(el, "patronymic", party.patronymic)
    add_text(el, "birthDate", party.birth_date)


def _power_of_attorney(el: etree._Element, poa: PowerOfAttorneyRecord, status: str | None) -> None:
    add_text(el, "poaNumber", poa.number)
    add_text(el, "registrationDate", poa.registration_date)
    notary = etree.SubElement(el, "notary")
    add_text(notary, "fullName", poa.notary.full_name)
    add_text(notary, "licenseNumber", poa.notary.license_number)
    add_text(notary, "notarialDistrict", poa.notary.notarial_district)
    _party(el, "principal", poa.principal)
    _party(el, "attorney", poa.attorney)
    add_text(el, "validFrom", poa.valid_from)
    add_text(el, "validTo", poa.valid_to)
    add_text(el, "status", status)
    if status == "REVOKED":
        add_text(el, "revocationDate", poa.revocation_date)
    scope = etree.SubElement(el, "scope")
    if poa.scope.general:
        add_text(scope, "general", True)
    if poa.scope.actions:
        actions = etree.SubElement(scope, "actions")
        for action in poa.scope.actions:
            add_text(actions, "action", action)
    if poa.scope.services:
        services = etree.SubElement(scope, "services")
        for service in poa.scope.services:
            ref = etree.SubElement(services, "service")
            add_text(ref, "code", service.code)
            add_text(ref, "name", service.name)
    add_text(el, "substitutionAllowed", poa.substitution_allowed)
