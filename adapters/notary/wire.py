"""ЕНИС payloads on the wire (SYNTHETIC contract): ``PoaRequest`` read, ``PoaResponse`` written.

Element order follows wsdl/payloads/enis/PowerOfAttorney.xsd; the answer is typed
(``xsi:type="enis:PoaResponse"``) like the ГБД ФЛ one, and shares its payload helpers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from egov_sim.adapters.gbd_fl.wire import (PayloadError, dictionary, fields, message_date, parse_date,
                                  read_payload, text, typed_data)
from egov_sim.wsdl.schemas import ENIS_NS

from .check import PoaQuery, Verdict
from .poa_registry import Party, PowerOfAttorney

__all__ = ["PayloadError", "PoaRequest", "read_poa_request", "response_data"]


@dataclass(frozen=True)
class PoaRequest:
    message_id: str
    sender_code: str
    poa_number: str | None
    principal_iin: str | None
    attorney_iin: str | None
    check_date: dt.date | None
    service_code: str | None

    def query(self, today: dt.date) -> PoaQuery:
        return PoaQuery(check_date=self.check_date or today, poa_number=self.poa_number,
                        principal_iin=self.principal_iin, attorney_iin=self.attorney_iin,
                        service_code=self.service_code)


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


def response_data(*, message_id: str, moment: dt.datetime, request_id: str,
                  result: tuple[str, str, str], verdict: Verdict | None = None) -> etree._Element:
    """An unsigned ``PoaResponse``; ``result`` is (code, nameRu, nameKz)."""
    data = typed_data("enis", ENIS_NS, "PoaResponse")
    etree.SubElement(data, "messageId").text = message_id
    etree.SubElement(data, "messageDate").text = message_date(moment)
    etree.SubElement(data, "requestId").text = request_id
    dictionary(data, "messageResult", *result)
    if verdict is not None and verdict.poa is not None:
        _power_of_attorney(etree.SubElement(data, "powerOfAttorney"), verdict)
    return data


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    el = etree.SubElement(parent, tag)
    text(el, "iin", party.iin)
    text(el, "surname", party.surname)
    text(el, "name", party.name)
    text(el, "patronymic", party.patronymic)
    text(el, "birthDate", party.birth_date)


def _power_of_attorney(el: etree._Element, verdict: Verdict) -> None:
    poa: PowerOfAttorney = verdict.poa
    text(el, "poaNumber", poa.number)
    text(el, "registrationDate", poa.registration_date)
    notary = etree.SubElement(el, "notary")
    text(notary, "fullName", poa.notary.full_name)
    text(notary, "licenseNumber", poa.notary.license_number)
    text(notary, "notarialDistrict", poa.notary.notarial_district)
    _party(el, "principal", poa.principal)
    _party(el, "attorney", poa.attorney)
    text(el, "validFrom", poa.valid_from)
    text(el, "validTo", poa.valid_to)
    text(el, "status", verdict.status)
    if verdict.status == "REVOKED":
        text(el, "revocationDate", poa.revocation_date)
    scope = etree.SubElement(el, "scope")
    if poa.scope.general:
        text(scope, "general", True)
    if poa.scope.actions:
        actions = etree.SubElement(scope, "actions")
        for action in poa.scope.actions:
            text(actions, "action", action)
    if poa.scope.services:
        services = etree.SubElement(scope, "services")
        for service in poa.scope.services:
            ref = etree.SubElement(services, "service")
            text(ref, "code", service.code)
            text(ref, "name", service.name)
    text(el, "substitutionAllowed", poa.substitution_allowed)
