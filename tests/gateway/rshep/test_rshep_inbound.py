"""A ServiceRequest sent through ШЭП with a routeId lands in the right provider's АРМ inbox."""

from __future__ import annotations

import pytest
from lxml import etree

from egov_sim.gateway.client import ShepFault
from egov_sim.reference.catalogue import PROVIDERS
from egov_sim.reference.personas import CON_OPERATOR
from egov_sim.wsdl.schemas import RSHEP_NS, XSI_NS
from tests.support.rshep import PORTAL, Staff, operator_signer, send, service_request, signed


def _inbox(live, login):
    r = Staff(live, login).call("GET", "/requests")
    assert r.status_code == 200, r.text
    return r.json()["requests"]


def test_request_lands_in_the_providers_inbox(live):
    reply = send(live, service_request("CON-IN-1", provider="PVL_EKIBASTUZ_CITY"))
    assert reply.status_code == "SCSS001"
    ack = reply.data
    assert ack.get(f"{{{XSI_NS}}}type") == "rs:Acknowledgement"
    assert ack.findtext("accepted") == "true" and ack.findtext("providerCode") == "PVL_EKIBASTUZ_CITY"
    assert ack.findtext("signatureVerdict") == "absent"
    inbox_id = int(ack.findtext("inboxId"))

    mine = _inbox(live, "pvl_ekibastuz_city.clerk")
    entry = next(r for r in mine if r["id"] == inbox_id)
    assert entry["state"] == "RECEIVED" and entry["requestId"] == "CON-IN-1"
    assert entry["origin"] == "EGOV_SIM_IIS_CON" and entry["routeId"] == "R_Pavlodar"
    assert entry["shepMessageId"] == reply.request_message_id
    assert all(r["id"] != inbox_id for r in _inbox(live, "pvl_aksu_city.clerk"))


def test_the_same_request_twice_is_one_inbox_entry(live):
    first = send(live, service_request("CON-IN-DUP"))
    again = send(live, service_request("CON-IN-DUP"))
    assert first.data.findtext("inboxId") == again.data.findtext("inboxId")
    assert again.data.findtext("duplicate") == "true"


def test_unknown_route_is_refused_by_the_gateway(live):
    with pytest.raises(ShepFault) as err:
        send(live, service_request("CON-IN-2"), route_id="R_Nowhere")
    assert err.value.code == "SCE010"


def test_office_of_another_region_is_not_filed(live):
    reply = send(live, service_request("CON-IN-3", provider="PVL_AKSU_CITY"), route_id="R_Almaty_obl")
    assert reply.status_code == "RSHEP003"
    assert reply.data.findtext("accepted") == "false" and reply.data.findtext("errorCode") == "RSHEP003"


def test_malformed_request_gets_an_error_status(live):
    broken = service_request("CON-IN-4")
    broken.remove(broken.find("applicant"))
    reply = send(live, broken)
    assert reply.status_code == "RSHEP001" and reply.data.findtext("accepted") == "false"
    assert "applicant" in reply.data.findtext("errorMessage")


def test_wrapped_payload_style_is_accepted(live):
    typed = service_request("CON-IN-5")
    wrapped = etree.Element("data")
    root = etree.SubElement(wrapped, f"{{{RSHEP_NS}}}ServiceRequest", nsmap={"rs": RSHEP_NS})
    for child in typed:
        root.append(child)
    reply = send(live, wrapped)
    assert reply.status_code == "SCSS001", reply.status_message


def test_operator_signature_is_verified_and_recorded(live, rshep_pki):
    signer = operator_signer(rshep_pki)
    reply = send(live, signed(service_request("CON-IN-SIGNED"), signer))
    assert reply.data.findtext("signatureVerdict") == "valid"
    got = Staff(live, "pvl_pavlodar_city.clerk").call("GET", f"/requests/{reply.data.findtext('inboxId')}").json()
    assert got["checks"]["signature"]["signerIin"] == CON_OPERATOR
    assert got["checks"]["signature"]["iinMatches"] is True


def test_a_broken_signature_is_recorded_not_refused(live, rshep_pki):
    data = signed(service_request("CON-IN-TAMPERED"), operator_signer(rshep_pki))
    data.find("applicant/name").text = "ПОДМЕНА"
    reply = send(live, data)
    assert reply.status_code == "SCSS001" and reply.data.findtext("signatureVerdict") == "invalid"


def test_portal_request_expects_the_applicants_signature(live, rshep_pki):
    data = signed(service_request("PORTAL-IN-1", channel="PORTAL", operator=None), operator_signer(rshep_pki))
    reply = send(live, data, sender=PORTAL)
    assert reply.data.findtext("signatureVerdict") == "invalid"  # signed, but not by the applicant
    got = Staff(live, "pvl_pavlodar_city.clerk").call("GET", f"/requests/{reply.data.findtext('inboxId')}").json()
    assert got["checks"]["signature"]["expectedSigner"].startswith("applicant")
    assert got["channel"] == "PORTAL" and got["origin"] == "EGOV_SIM_PORTAL"


def test_each_office_has_staff_and_a_route(live):
    for code, office in PROVIDERS.items():
        r = Staff(live, f"{code.lower()}.clerk").call("GET", "/me")
        assert r.status_code == 200 and r.json()["provider"] == code
        assert office.route_id in live.gateway.config.routes


def test_portal_request_signed_by_the_applicant_is_valid(live, rshep_pki):
    from egov_sim.reference.personas import GUARDIAN
    from egov_sim.signing.service_certs import ServiceSigner

    issued = rshep_pki.issue(iin=GUARDIAN, surname="ЕРМЕКОВА", given_name="ГУЛЬМИРА", purpose="SIGN",
                             name="test-applicant-guardian")
    data = signed(service_request("PORTAL-IN-2", channel="PORTAL", operator=None),
                  ServiceSigner(issued.private_key, issued.certificate))
    reply = send(live, data, sender=PORTAL)
    assert reply.data.findtext("signatureVerdict") == "valid"


def test_acknowledgement_matches_the_contract(live):
    """rs:Acknowledgement is in RegionalService.xsd; validated as its global element."""
    from egov_sim.wsdl.schemas import path

    schema = etree.XMLSchema(etree.parse(str(path("payloads/rshep/RegionalService.xsd"))))
    accepted = send(live, service_request("CON-IN-ACK"))
    refused = send(live, service_request("CON-IN-ACK"), route_id="R_Karaganda")  # RSHEP003
    for reply in (accepted, refused):
        root = etree.Element(f"{{{RSHEP_NS}}}Acknowledgement", nsmap={"rs": RSHEP_NS})
        root.extend(list(reply.data))
        assert schema.validate(root), schema.error_log
