"""The catalogue and the request form (process 3): the services on the portal, the required
e-copies (K11) and seed 000's portal eligibility (K16)."""

from __future__ import annotations

import pytest
from lxml import etree

from egov_sim.reference import catalogue, personas
from tests.support.portal import (
    GUARDIAN_SERVICE,
    SOCIAL_SERVICE,
    draft,
    guardian_draft,
    login,
    sign,
    social_draft,
    submit,
)


def test_the_catalogue_lists_the_portal_services_with_their_forms(client):
    services = client.get("/portal/services").json()["services"]
    assert [s["code"] for s in services] == [s.code for s in catalogue.services_for("portal")]
    assert {GUARDIAN_SERVICE, SOCIAL_SERVICE} <= {s["code"] for s in services}
    social = next(s for s in services if s["code"] == SOCIAL_SERVICE)
    assert social["portalEligibility"]["check"] == "K16"

    detail = client.get(f"/portal/services/{GUARDIAN_SERVICE}").json()
    assert [f["name"] for f in detail["form"]] == [f.name for f in catalogue.GUARDIAN_ALLOWANCE.form]
    codes = {d["code"] for d in detail["documents"]}
    assert "GUARDIANSHIP_DECISION" in codes and "APPLICATION" not in codes  # paper-only
    assert {p["code"] for p in detail["providers"]} == {
        o.code for o in catalogue.offices_for(catalogue.GUARDIAN_ALLOWANCE, "portal")}
    r = client.get("/portal/services/SIM_PROSTHETIC_AID_BALKHASH")  # not on the portal
    assert r.status_code == 404 and r.json()["error"]["code"] == "UNKNOWN_SERVICE"


def test_a_missing_e_copy_stops_the_draft(client):
    auth = login(client, personas.GUARDIAN)
    r = client.post("/portal/requests/draft", json=guardian_draft(drop="CHILD_BIRTH_CERTIFICATE"),
                    headers=auth)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "FORM_INCOMPLETE" and error["check"] == "K11" and error["step"] == "P3"
    assert error["reasonCode"] == "DOCUMENTS_MISSING"
    assert error["detail"]["problems"][0]["document"] == "CHILD_BIRTH_CERTIFICATE"
    assert error["notice"]["basis"] == "inferred"

    body = guardian_draft()
    body["form"]["childIin"] = "180722501111"  # check digit wrong
    body["form"]["guardianRole"] = "aunt"
    r = client.post("/portal/requests/draft", json=body, headers=auth)
    problems = {p["field"]: p["problem"] for p in r.json()["error"]["detail"]["problems"]}
    assert set(problems) == {"childIin", "guardianRole"} and r.json()["error"]["reasonCode"] == "FORM_INVALID"


def test_a_signed_request_without_its_e_copies_is_refused_at_process_3(harness, client):
    """The form is also checked in what was signed: the applicant could sign anything."""
    auth = login(client, personas.GUARDIAN)
    d = draft(client, auth, guardian_draft())
    root = etree.fromstring(d["xml"].encode())
    for a in root.iterfind("attachments/attachment"):
        if a.findtext("documentTypeCode") == "BANK_ACCOUNT":
            a.getparent().remove(a)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    r = submit(client, auth, sign(xml, harness.cert(personas.GUARDIAN)))
    assert r.status_code == 422 and r.json()["error"]["code"] == "FORM_INCOMPLETE"
    request = client.get(f"/portal/requests/{d['requestId']}", headers=auth).json()
    assert request["status"] == "refused"
    assert request["history"][-1]["check"] == "K11"
    assert request["history"][-1]["detail"]["problems"][0]["document"] == "BANK_ACCOUNT"


def test_a_request_of_someone_else_is_not_accepted(harness, client):
    """The IIN in the signed request must be the signed-in user's (and match its draft)."""
    auth = login(client, personas.GUARDIAN)
    d = draft(client, auth, guardian_draft())
    xml = d["xml"].encode().replace(personas.GUARDIAN.encode() + b"</iin>",
                                    personas.WARD_TEEN.encode() + b"</iin>")
    r = submit(client, auth, sign(xml, harness.cert(personas.WARD_TEEN)))
    assert r.status_code == 422 and r.json()["error"]["reasonCode"] == "APPLICANT_NOT_USER"


@pytest.mark.parametrize("category", ["low_income", "large_family"])
def test_seed_000_portal_is_only_for_disability_or_social_disease(client, category):
    auth = login(client, personas.NEEDY_APPLICANT)
    r = client.post("/portal/requests/draft", json=social_draft(category), headers=auth)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "NOT_ELIGIBLE" and error["check"] == "K16" and error["step"] == "START"
    assert "инвалидност" in error["notice"]["ru"]


def test_an_eligible_seed_000_request_goes_to_the_almaty_oblast_route(harness, client):
    auth = login(client, personas.NEEDY_APPLICANT)
    d = draft(client, auth, social_draft("socially_significant_disease"))
    r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.NEEDY_APPLICANT)))
    assert r.status_code == 201 and r.json()["status"] == "accepted", r.text
    assert harness.standin.calls[-1].route_id == "R_Almaty_obl"


def test_the_draft_as_xml_and_bad_input(client):
    auth = login(client, personas.GUARDIAN)
    r = client.post("/portal/requests/draft", json=guardian_draft(),
                    headers={**auth, "Accept": "application/xml"})
    assert r.status_code == 201 and r.content.startswith(b"<?xml")
    rid = r.headers["x-request-id"]
    assert client.get(f"/portal/requests/draft/{rid}", headers=auth).content == r.content

    body = guardian_draft()
    body["attachments"][0]["content"] = "not base64!"
    r = client.post("/portal/requests/draft", json=body, headers=auth)
    assert r.status_code == 422 and "attachments/0/content" in r.json()["error"]["message"]
    body = guardian_draft()
    body["providerCode"] = "ALM_TALGAR_DISTRICT"
    r = client.post("/portal/requests/draft", json=body, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["code"] == "UNKNOWN_PROVIDER"
    body = guardian_draft()
    del body["providerCode"]
    assert client.post("/portal/requests/draft", json=body, headers=auth).json()["error"]["code"] \
        == "PROVIDER_REQUIRED"
    r = submit(client, auth, b"<not-xml")
    assert r.status_code == 422 and r.json()["error"]["code"] == "BAD_XML"
    r = submit(client, auth, b"<a/>")
    assert r.status_code == 422 and r.json()["error"]["code"] == "NOT_A_SERVICE_REQUEST"
    r = client.post("/portal/requests", json={"signedXml": "<a/>", "more": 1}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_BODY"
    r = client.post("/portal/requests", content=b"x" * (7 * 1024 * 1024),
                    headers={**auth, "Content-Type": "application/xml"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "BODY_TOO_LARGE"


def test_unknown_paths_and_methods_answer_json(client):
    r = client.get("/portal/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = client.delete("/portal/services")
    assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
