"""Bad input to ГБД ФЛ: an error code in messageResult inside a normal, signed response (or, for a
broken envelope, the gateway's fault), never a crash; and the journal counts the calls."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from lxml import etree

from egov_sim.adapters.gbd_fl.provider import ResultCodes, build_gbdfl_provider
from egov_sim.gateway.providers import ProviderCall
from egov_sim.gateway.request_info import RequestInfo
from egov_sim.reference.iin import make_iin
from egov_sim.reference.personas import PERSONAS
from egov_sim.signing.service_certs import service_signer
from egov_sim.wsdl.schemas import payload_validator
from tests.support.registries import (
    CS,
    GBDFL,
    GBDFL_TOKEN,
    XSI,
    Reply,
    ask_gbdfl,
    envelope,
    escaped,
    gbdfl_data,
    gbdfl_fields,
    new_id,
    verify_data,
)


def assert_result(reply: Reply, code: str, *, contains: str | None = None) -> etree._Element:
    """HTTP 200, SCSS001, persons absent, the code in messageResult, valid and signed."""
    assert reply.status == 200, reply.content[:800]
    assert reply.status_code == "SCSS001"
    data = reply.data
    schema = payload_validator("gbdfl-response")
    assert schema.validate(data), schema.error_log
    assert data.findtext("messageResult/code") == code, etree.tostring(data)[:600]
    assert data.findtext("messageResult/nameRu") and data.findtext("messageResult/nameKz")
    if contains is not None:
        assert contains in data.findtext("messageResult/nameRu")
    assert data.find("persons") is None
    return data


def test_invalid_iin_checksum(registries):
    iin = PERSONAS["poa_principal"].iin
    broken = iin[:11] + str((int(iin[11]) + 1) % 10)
    assert_result(ask_gbdfl(registries, iin=broken), "SIM002", contains=broken)


def test_unknown_iin_is_not_found(registries):
    iin = next(i for i in (make_iin(dt.date(1961, 2, 3), "M", n) for n in range(9000, 9100))
               if i and registries.persons.get(i) is None)
    assert_result(ask_gbdfl(registries, iin=iin), "SIM001")


def test_empty_search(registries):
    assert_result(ask_gbdfl(registries), "SIM003")


def test_over_broad_search_hits_the_result_limit(registries):
    data = assert_result(ask_gbdfl(registries, birthDateFrom="1900-01-01", birthDateTo="2030-12-31"),
                         "SIM004", contains="50")
    assert data.findtext("requestId")


def test_contradictory_search_is_a_bad_request(registries):
    assert_result(ask_gbdfl(registries, surname="ИВАНОВ", birthDate="1980-01-01",
                            birthDateFrom="1979-01-01"), "SIM005")


def test_nobody_matches_a_search(registries):
    assert_result(ask_gbdfl(registries, surname="НЕСУЩЕСТВУЮЩАЯФАМИЛИЯ"), "SIM001")


def test_token_service_without_a_token(registries):
    assert_result(ask_gbdfl(registries, service_id=GBDFL_TOKEN, iin=PERSONAS["poa_principal"].iin),
                  "SIM006")


@pytest.mark.parametrize("data", [
    pytest.param("", id="no-data"),
    pytest.param("<data/>", id="empty-data"),
    pytest.param(gbdfl_data("plain", {"iin": "880314312347"}), id="no-messageId"),
    pytest.param(gbdfl_data("typed", {**gbdfl_fields(), "unknownField": "x"}), id="unknown-field"),
    pytest.param(gbdfl_data("typed", {**gbdfl_fields(), "birthDate": "05.02.1980"}), id="bad-date"),
    pytest.param(escaped("<data><messageId>x</messageId"), id="escaped-not-xml"),
    pytest.param(escaped('<?xml version="1.0"?><!DOCTYPE data [<!ENTITY e "x">]><data>&e;</data>'),
                 id="escaped-doctype"),
    pytest.param(f'<data xmlns:cs="{CS}" xmlns:xsi="{XSI}" xsi:type="cs:Nonexistent">'
                 "<messageId>x</messageId></data>", id="unknown-xsi-type"),
])
def test_malformed_payload_is_answered_not_faulted(registries, data):
    message_id = new_id()
    reply = registries.post(envelope(GBDFL, data, message_id=message_id))
    answered = assert_result(reply, "SIM005")
    assert answered.findtext("requestId") == message_id  # the ШЭП messageId when data is unreadable
    assert verify_data(registries, answered).valid


def test_broken_envelope_is_the_gateways_fault(registries):
    body = envelope(GBDFL, gbdfl_data("typed", gbdfl_fields(iin=PERSONAS["poa_principal"].iin)))
    reply = registries.http.post(registries.endpoint, content=body[:-30],
                                 headers={"Content-Type": "text/xml; charset=utf-8"})
    assert reply.status_code == 500
    fault = Reply(reply.status_code, reply.content)
    assert fault.is_fault and fault.error_code == "SCE001"
    assert ask_gbdfl(registries, iin=PERSONAS["poa_principal"].iin).result_code == "00000"


def test_journal_counts_calls_with_the_iin(registries):
    iin = PERSONAS["ward"].iin
    before = registries.journal.count_calls(GBDFL, iin=iin)
    for style in ("typed", "plain", "escaped"):
        assert ask_gbdfl(registries, style, iin=iin).status == 200
    assert registries.journal.count_calls(GBDFL, iin=iin) == before + 3
    assert registries.journal.count_calls(GBDFL, iin=iin, sender_id="EGOV_SIM_PORTAL") == 0


def test_result_codes_are_configurable(registries):
    """The SYNTHETIC codes can be renamed when the provider is built."""
    from egov_sim.adapters.gbd_fl.provider import GBDFL_IDENTITY

    provider = build_gbdfl_provider(registries.persons, service_signer(registries.pki, GBDFL_IDENTITY),
                                    codes=ResultCodes(not_found="E404", invalid_iin="E400"),
                                    result_limit=1)
    info = RequestInfo(new_id(), GBDFL, "2024-02-05T10:15:00+05:00", "EGOV_SIM_IIS_CON")

    def answer(**search) -> etree._Element:
        data = etree.fromstring(gbdfl_data("typed", gbdfl_fields(**search)))
        reply = asyncio.run(provider(ProviderCall(info=info, data=data, session_id="{s}")))
        return reply.data

    assert answer(iin="123456789012").findtext("messageResult/code") == "E400"
    assert answer(surname="НЕСУЩЕСТВУЮЩАЯФАМИЛИЯ").findtext("messageResult/code") == "E404"
    assert answer(birthDateFrom="1900-01-01").findtext("messageResult/code") == "SIM004"
    with pytest.raises(ValueError):
        build_gbdfl_provider(registries.persons, None, result_limit=0)
