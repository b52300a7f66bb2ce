"""ЕНИС (SYNTHETIC contract) through the real gateway over HTTP: personas, payload styles, zeep,
the business-data signature after the round trip."""

from __future__ import annotations

import datetime as dt

import pytest
import zeep
from lxml import etree
from zeep import xsd
from zeep.plugins import HistoryPlugin

from egov_sim.adapters.notary.personas import POA_PERSONAS
from egov_sim.adapters.notary.provider import ENIS_IDENTITY
from egov_sim.reference.personas import PERSONAS
from egov_sim.signing.verify import DIGEST_MISMATCH
from egov_sim.wsdl.schemas import payload_validator
from tests.support.registries import (
    BINDING,
    CLIENT,
    ENIS,
    ENIS_SERVICE,
    SOAP11,
    WSDL_PATH,
    XSI,
    Reply,
    ask_enis,
    live_registries,
    new_id,
    today,
    verify_data,
)

SERVICE = "SIM_GUARDIAN_ALLOWANCE"


def assert_enis_response(reply: Reply, code: str) -> etree._Element:
    """A normal response whose data is a typed PoaResponse, valid, signed by ЕНИС, with ``code``."""
    assert reply.status == 200, reply.content[:800]
    assert reply.status_code == "SCSS001"
    data = reply.data
    prefix, _, local = data.get(f"{{{XSI}}}type").partition(":")
    assert (data.nsmap[prefix], local) == (ENIS, "PoaResponse")
    schema = payload_validator("enis-response")
    assert schema.validate(data), schema.error_log
    assert data.findtext("messageResult/code") == code, etree.tostring(data)[:700]
    assert data.findtext("messageResult/nameRu") and data.findtext("messageResult/nameKz")
    return data


def iins(persona_key: str) -> dict:
    persona = POA_PERSONAS[persona_key]
    return {"principalIin": PERSONAS[persona.principal].iin,
            "attorneyIin": PERSONAS[persona.attorney].iin}


@pytest.mark.parametrize("key", sorted(POA_PERSONAS))
def test_each_persona_by_the_two_iins(registries, key):
    persona = POA_PERSONAS[key]
    message_id = new_id()
    data = assert_enis_response(ask_enis(registries, message_id=message_id, serviceCode=SERVICE,
                                         **iins(key)), persona.expected_code)
    assert data.findtext("requestId") == message_id
    poa = data.find("powerOfAttorney")
    assert poa.findtext("poaNumber") == persona.poa_number
    assert poa.findtext("principal/iin") == PERSONAS[persona.principal].iin
    assert poa.findtext("attorney/iin") == PERSONAS[persona.attorney].iin
    expected_status = {"ENIS002": "REVOKED", "ENIS003": "EXPIRED"}.get(persona.expected_code, "ACTIVE")
    assert poa.findtext("status") == expected_status
    assert (poa.find("revocationDate") is not None) == (expected_status == "REVOKED")
    assert verify_data(registries, data).valid


@pytest.mark.parametrize("key", sorted(POA_PERSONAS))
def test_each_persona_by_number(registries, key):
    persona = POA_PERSONAS[key]
    data = assert_enis_response(ask_enis(registries, poaNumber=persona.poa_number,
                                         serviceCode=SERVICE), persona.expected_code)
    assert data.findtext("powerOfAttorney/poaNumber") == persona.poa_number


def test_valid_persona_in_full(registries):
    persona = POA_PERSONAS["poa_valid"]
    record = registries.poas.get(persona.poa_number)
    data = assert_enis_response(ask_enis(registries, poaNumber=persona.poa_number, **iins("poa_valid")),
                                "00000")
    assert data.findtext("messageResult/nameRu") == "Доверенность найдена и действует"
    poa = data.find("powerOfAttorney")
    assert [c.tag for c in poa] == ["poaNumber", "registrationDate", "notary", "principal",
                                    "attorney", "validFrom", "validTo", "status", "scope",
                                    "substitutionAllowed"]
    principal = registries.persons.get(PERSONAS["poa_principal"].iin)
    assert poa.findtext("principal/surname") == principal.surname
    assert poa.findtext("principal/name") == principal.name
    assert poa.findtext("principal/birthDate") == principal.birth_date.isoformat()
    assert poa.findtext("notary/licenseNumber") == record.notary.license_number
    assert poa.findtext("notary/notarialDistrict") == "Павлодарский нотариальный округ"
    assert poa.findtext("notary/fullName") == record.notary.full_name
    assert poa.findtext("validFrom") == (today() - dt.timedelta(days=30)).isoformat()
    assert [s.findtext("code") for s in poa.findall("scope/services/service")] == [
        "SIM_GUARDIAN_ALLOWANCE", "SIM_SOCIAL_ASSISTANCE"]
    assert poa.findall("scope/actions/action")
    assert poa.findtext("substitutionAllowed") == "false"


def test_scope_mismatch_only_for_a_service_it_does_not_cover(registries):
    assert_enis_response(ask_enis(registries, serviceCode="SIM_SOCIAL_ASSISTANCE",
                                  **iins("poa_scope_mismatch")), "00000")
    assert_enis_response(ask_enis(registries, **iins("poa_scope_mismatch")), "00000")


def test_number_with_other_parties_is_a_mismatch(registries):
    data = assert_enis_response(ask_enis(registries, poaNumber=POA_PERSONAS["poa_valid"].poa_number,
                                         **iins("poa_expired")), "ENIS004")
    assert data.find("powerOfAttorney") is None


def test_not_found(registries):
    data = assert_enis_response(ask_enis(registries, poaNumber="SIM-1999-999999"), "ENIS001")
    assert data.find("powerOfAttorney") is None
    swapped = iins("poa_valid")
    swapped = {"principalIin": swapped["attorneyIin"], "attorneyIin": swapped["principalIin"]}
    assert_enis_response(ask_enis(registries, **swapped), "ENIS001")


def test_check_date_judges_that_day(registries):
    revoked = POA_PERSONAS["poa_revoked"]
    before_revocation = (today() - dt.timedelta(days=revoked.revoked_days_ago + 1)).isoformat()
    data = assert_enis_response(ask_enis(registries, poaNumber=revoked.poa_number,
                                         checkDate=before_revocation), "00000")
    assert data.findtext("powerOfAttorney/status") == "ACTIVE"
    before_registration = (today() - dt.timedelta(days=400)).isoformat()
    assert_enis_response(ask_enis(registries, poaNumber=POA_PERSONAS["poa_valid"].poa_number,
                                  checkDate=before_registration), "ENIS001")
    expired = POA_PERSONAS["poa_expired"]
    while_valid = (today() - dt.timedelta(days=expired.registered_days_ago - 10)).isoformat()
    assert_enis_response(ask_enis(registries, checkDate=while_valid, serviceCode=SERVICE,
                                  **iins("poa_expired")), "00000")


@pytest.mark.parametrize("style", ["typed", "escaped", "plain", "wrapped"])
def test_every_payload_style(registries, style):
    assert_enis_response(ask_enis(registries, style, serviceCode=SERVICE, **iins("poa_valid")), "00000")


def test_signature_after_round_trip_and_tampering(registries):
    reply = ask_enis(registries, **iins("poa_valid"))
    result = verify_data(registries, reply.data)
    assert result.valid, result.to_json()
    assert result.signer.iin == ENIS_IDENTITY.employee_iin
    surname = reply.data.findtext("powerOfAttorney/attorney/surname")
    altered = surname[:-1] + ("Ъ" if surname[-1] != "Ъ" else "Ь")
    tampered = reply.content.replace(f"<surname>{surname}</surname>".encode(),
                                     f"<surname>{altered}</surname>".encode())
    data = etree.fromstring(tampered).find(f".//{{{SOAP11}}}Body//responseData/data")
    bad = verify_data(registries, data)
    assert not bad.valid and DIGEST_MISMATCH in bad.codes


def test_zeep_typed_request(registries):
    history = HistoryPlugin()
    client = zeep.Client(registries.url + WSDL_PATH, plugins=[history])
    service = client.create_service(BINDING, registries.endpoint)
    names = ("messageId", "messageDate", "senderCode", "principalIin", "attorneyIin", "poaNumber",
             "checkDate", "serviceCode")
    poa_request = xsd.ComplexType(
        xsd.Sequence([xsd.Element(n, xsd.String(), min_occurs=0) for n in names]),
        qname=etree.QName(ENIS, "PoaRequest"))
    message_id = new_id()
    payload = poa_request(messageId=message_id, messageDate="2024-02-05T10:15:00+05:00",
                          senderCode=CLIENT[0], serviceCode=SERVICE, **iins("poa_revoked"))
    reply = service.SendMessage(request={
        "requestInfo": {"messageId": message_id, "serviceId": ENIS_SERVICE,
                        "messageDate": dt.datetime.now(dt.UTC),
                        "sender": {"senderId": CLIENT[0], "password": CLIENT[1]}},
        "requestData": {"data": xsd.AnyObject(poa_request, payload)}})
    assert reply.responseInfo.correlationId == message_id
    data = history.last_received["envelope"].find(".//responseData/data")
    assert payload_validator("enis-response").validate(data)
    assert data.findtext("messageResult/code") == "ENIS002"
    assert data.findtext("powerOfAttorney/revocationDate")
    assert verify_data(registries, data).valid


def test_journal_counts_calls_with_the_iin(registries):
    iin = PERSONAS["poa_agent_revoked"].iin
    before = registries.journal.count_calls(ENIS_SERVICE, iin=iin)
    ask_enis(registries, **iins("poa_revoked"))
    ask_enis(registries, "escaped", **iins("poa_revoked"))
    assert registries.journal.count_calls(ENIS_SERVICE, iin=iin) == before + 2


def test_answers_made_on_threads_are_the_same(tmp_path, registries_pki, registries):
    """On PostgreSQL ЕНИС and ГБД ФЛ answer on a few threads of their own, on SQLite on the
    event loop (egov_sim/core/offload.py): both places give the same signed answers."""
    persona = POA_PERSONAS["poa_revoked"]
    with live_registries(tmp_path / "home", registries_pki, gbdfl_options={"in_thread": True},
                         enis_options={"in_thread": True}) as threaded:
        for live, on_threads in ((registries, False), (threaded, True)):
            for name in ("enis", "gbd_fl"):
                assert live.gateway.channel.resolve_provider.builtin[name].in_thread is on_threads
        for live in (registries, threaded):
            data = assert_enis_response(ask_enis(live, poaNumber=persona.poa_number, serviceCode=SERVICE),
                                        persona.expected_code)
            assert data.findtext("powerOfAttorney/status") == "REVOKED"
            verify_data(live, data)
            iin = PERSONAS["poa_principal"].iin
            broken = iin[:11] + str((int(iin[11]) + 1) % 10)  # a refusal is signed there too
            verify_data(live, assert_enis_response(
                ask_enis(live, principalIin=broken, attorneyIin=PERSONAS["poa_agent"].iin), "ENIS091"))
