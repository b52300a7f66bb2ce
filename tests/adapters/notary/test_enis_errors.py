"""Bad input to ЕНИС: an error code in messageResult inside a normal, signed response (or, for a
broken envelope, the gateway's fault), never a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from egov_sim.reference.iin import make_iin
from egov_sim.reference.personas import PERSONAS
from egov_sim.wsdl.schemas import payload_validator
from tests.support.registries import (
    ENIS,
    ENIS_SERVICE,
    XSI,
    Reply,
    ask_enis,
    enis_data,
    enis_fields,
    envelope,
    escaped,
    new_id,
    verify_data,
)

SOME_IIN = make_iin(dt.date(1988, 3, 14), "M", 1234)


def assert_error(live, reply: Reply, code: str) -> etree._Element:
    """HTTP 200, SCSS001, no powerOfAttorney, ``code`` in messageResult, valid and signed."""
    assert reply.status == 200, reply.content[:800]
    assert reply.status_code == "SCSS001"
    data = reply.data
    assert payload_validator("enis-response").validate(data)
    assert data.findtext("messageResult/code") == code, etree.tostring(data)[:600]
    assert data.find("powerOfAttorney") is None
    assert verify_data(live, data).valid
    return data


def test_invalid_iin_checksum(registries):
    iin = PERSONAS["poa_principal"].iin
    broken = iin[:11] + str((int(iin[11]) + 1) % 10)
    data = assert_error(registries, ask_enis(registries, principalIin=broken,
                                             attorneyIin=PERSONAS["poa_agent"].iin), "ENIS091")
    assert broken in data.findtext("messageResult/nameRu")


@pytest.mark.parametrize("data", [
    pytest.param("", id="no-data"),
    pytest.param(enis_data("typed", enis_fields()), id="no-search-keys"),
    pytest.param(enis_data("typed", enis_fields(principalIin=SOME_IIN)),
                 id="principal-without-attorney"),
    pytest.param(enis_data("plain", enis_fields(poaNumber="X", checkDate="tomorrow")), id="bad-date"),
    pytest.param(enis_data("typed", enis_fields(principalIin="12345", attorneyIin="1")), id="short-iin"),
    pytest.param(escaped("<enis:PoaRequest xmlns:enis='urn:x'>"), id="escaped-not-xml"),
    pytest.param(f'<data xmlns:cs="http://message.persistence.interactive.nat" xmlns:xsi="{XSI}"'
                 ' xsi:type="cs:Request"><messageId>x</messageId></data>', id="gbdfl-payload"),
    pytest.param(f'<data><enis:PoaResponse xmlns:enis="{ENIS}"/></data>', id="wrong-element"),
])
def test_malformed_payload_is_answered_not_faulted(registries, data):
    message_id = new_id()
    reply = registries.post(envelope(ENIS_SERVICE, data, message_id=message_id))
    assert assert_error(registries, reply, "ENIS090").findtext("requestId") == message_id


def test_broken_envelope_is_the_gateways_fault(registries):
    body = envelope(ENIS_SERVICE, enis_data("typed", enis_fields(poaNumber="SIM-POA-000001")))
    reply = registries.http.post(registries.endpoint, content=body.replace(b"</S:Body>", b""),
                                 headers={"Content-Type": "text/xml; charset=utf-8"})
    fault = Reply(reply.status_code, reply.content)
    assert reply.status_code == 500 and fault.is_fault and fault.error_code == "SCE001"
    assert ask_enis(registries, poaNumber="SIM-POA-000001").result_code == "00000"
