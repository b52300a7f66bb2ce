"""The State Corporation channel at the counter (002 §9): C0 → P1 → P2 → P3 → C1 → P4 | P5, with
the real ГБД ФЛ and ЕНИС behind a live ШЭП and a recording stand-in for РШЭП."""

from __future__ import annotations

import base64

import httpx
import pytest

from egov_sim.core.safe_xml import parse
from egov_sim.gateway.fault_injection import FaultRule
from egov_sim.reference.personas import (
    CON_OPERATOR,
    GUARDIAN,
    NOT_REGISTERED,
    POA_AGENT,
    POA_AGENT_EXPIRED,
    POA_AGENT_REVOKED,
    POA_AGENT_SCOPE_MISMATCH,
    POA_PRINCIPAL,
)
from egov_sim.signing.verify import reroot
from egov_sim.wsdl.schemas import payload_validator
from tests.support.con import ENIS, GBDFL, GUARDIAN_DOCUMENTS, GUARDIAN_SERVICE, Desk, guardian_application, steps


def test_operator_login_and_the_services_of_the_con_channel(live):
    r = httpx.post(f"{live.url}/con/session", json={"login": "pvl1.operator", "password": "wrong-one"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "AUTH_FAILED"

    desk = Desk(live)
    me = desk.call("GET", "/session").json()
    assert me["office"] == "PVL-01" and me["iin"] == CON_OPERATOR

    services = {s["code"]: s for s in desk.call("GET", "/services").json()["items"]}
    assert GUARDIAN_SERVICE in services and "SIM_SOCIAL_ASSISTANCE_ALMATY_OBL" not in services
    guardian = services[GUARDIAN_SERVICE]
    assert {d["code"] for d in guardian["documents"] if d["required"]} >= {"APPLICATION", "BANK_ACCOUNT"}
    assert {p["code"] for p in guardian["providers"]} >= {"PVL_PAVLODAR_CITY"}
    assert desk.call("GET", f"/services/{GUARDIAN_SERVICE}").json()["code"] == GUARDIAN_SERVICE
    missing = desk.call("GET", "/services/SIM_SOCIAL_ASSISTANCE_ALMATY_OBL")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "SERVICE_NOT_FOUND"


def test_application_without_representative_is_signed_and_sent(live):
    desk = Desk(live)
    before = live.journal.count_calls(GBDFL, iin=GUARDIAN)
    app = desk.submit(guardian_application())
    assert app["status"] == "SENT", app
    assert steps(app) == [("X1", "DOCUMENTS_HANDED"), ("C0", "DOCUMENTS_COMPLETE"),
                          ("P1", "OPERATOR_AUTHORISED"), ("P2", "DATA_ENTERED"),
                          ("P3", "GBDFL_QUERIED"), ("C1", "DATA_OBTAINED"),
                          ("P5", "PACKAGE_SIGNED"), ("P5", "PACKAGE_SENT")]
    # P3: one ГБД ФЛ lookup through ШЭП, journaled; no ЕНИС lookup without a representative
    assert live.journal.count_calls(GBDFL, iin=GUARDIAN, sender_id="EGOV_SIM_IIS_CON") - before == 1
    check = app["registryChecks"][0]
    assert check["registry"] == "GBDFL" and check["resultCode"] == "00000"
    assert check["signature"]["valid"] is True  # the registry's answer verified (re-rooted)
    assert app["applicant"]["surname"] == "ЖУМАБАЕВА"  # from ГБД ФЛ

    # P5 / K05: the package РШЭП received is the contract's ServiceRequest, signed by the operator
    call = live.rshep.request(app["id"])
    assert call.info.route_id == "R_Pavlodar" and call.info.service_id == GUARDIAN_SERVICE
    assert payload_validator("rshep-request").validate(call.data)
    verified = live.verifier().verify(reroot(call.data), layout="enveloped", expect_iin=CON_OPERATOR)
    assert verified.valid, verified.codes
    assert verified.signer.bin is not None  # a legal-entity (State Corporation) employee
    assert call.data.findtext("operator/conCode") == "PVL-01"
    assert call.data.findtext("registryChecks/check/messageId") == check["messageId"]
    assert len(call.data.findall("attachments/attachment")) == 6
    assert app["shep"]["messageId"] == call.info.message_id

    # the kept package is the signed document, byte for byte what was verified
    package = desk.call("GET", f"/applications/{app['id']}/package")
    assert package.status_code == 200 and package.headers["content-type"].startswith("application/xml")
    assert live.verifier().verify(package.content, layout="enveloped", expect_iin=CON_OPERATOR).valid

    receipt = desk.call("GET", f"/applications/{app['id']}/notices/acceptance-receipt").json()
    assert receipt["titleRu"] == "Расписка о приеме документов" and receipt["details"]["resultDate"]


def test_application_with_a_representative_under_a_valid_power_of_attorney(live):
    desk = Desk(live)
    before = live.journal.count_calls(ENIS, iin=POA_AGENT)
    app = desk.submit(guardian_application(POA_PRINCIPAL, representative=(POA_AGENT, "SIM-POA-000001")))
    assert app["status"] == "SENT", app
    assert ("P3", "ENIS_QUERIED") in steps(app)
    assert live.journal.count_calls(ENIS, iin=POA_AGENT) - before == 1
    assert live.journal.count_calls(GBDFL, iin=POA_AGENT) == 0  # ГБД ФЛ is asked for the recipient only
    enis = next(c for c in app["registryChecks"] if c["registry"] == "ENIS")
    assert enis["resultCode"] == "00000" and enis["signature"]["valid"] is True
    assert app["representative"]["surname"] == "МУКАНОВА"  # from the power of attorney (ЕНИС)
    data = live.rshep.request(app["id"]).data
    assert data.findtext("representative/iin") == POA_AGENT
    assert data.findtext("representative/poaNumber") == "SIM-POA-000001"
    assert [c.findtext("registry") for c in data.iterfind("registryChecks/check")] == ["GBDFL", "ENIS"]


def test_scope_of_the_power_of_attorney_is_not_judged_by_default(live):
    """The seed's minimal rule (§7 item 5): PoA data exist → condition 1 holds; scope is an option."""
    desk = Desk(live)
    app = desk.submit(guardian_application(POA_PRINCIPAL,
                                           representative=(POA_AGENT_SCOPE_MISMATCH, "SIM-POA-000004")))
    assert app["status"] == "SENT"


def test_recipient_not_in_gbd_fl_stops_at_condition_one(live):
    desk = Desk(live)
    sent_before = len(live.rshep.calls)
    app = desk.submit(guardian_application(NOT_REGISTERED))
    assert app["status"] == "DATA_UNAVAILABLE"
    assert steps(app)[-2:] == [("C1", "DATA_NOT_OBTAINED"), ("P4", "NOTICE_ISSUED")]
    assert app["registryChecks"][0]["resultCode"] == "SIM001"
    assert live.journal.count_calls(GBDFL, iin=NOT_REGISTERED) == 1
    assert len(live.rshep.calls) == sent_before  # nothing went to РШЭП
    notice = desk.call("GET", f"/applications/{app['id']}/notices/data-unavailable").json()
    assert notice["step"] == "P4" and notice["check"] == "K03" and "SIM001" in notice["textRu"]
    text = desk.call("GET", f"/applications/{app['id']}/notices/data-unavailable?format=text").text
    assert "Деректерді алу мүмкін еместігі туралы хабарлама" in text
    assert "Уведомление о невозможности получения данных" in text
    assert desk.call("GET", f"/applications/{app['id']}/package").status_code == 404


@pytest.mark.parametrize("attorney, number, code", [
    (POA_AGENT_EXPIRED, "SIM-POA-000002", "ENIS003"),
    (POA_AGENT_REVOKED, "SIM-POA-000003", "ENIS002"),
])
def test_expired_or_revoked_power_of_attorney_stops_at_condition_one(live, attorney, number, code):
    desk = Desk(live)
    app = desk.submit(guardian_application(POA_PRINCIPAL, representative=(attorney, number)))
    assert app["status"] == "DATA_UNAVAILABLE"
    failed = app["history"][-2]
    assert failed["step"] == "C1" and failed["detail"]["failures"] == [
        {"registry": "ENIS", "reason": "REGISTRY_CODE", "resultCode": code}]
    notice = desk.call("GET", f"/applications/{app['id']}/notices/data-unavailable").json()
    assert notice["check"] == "K04" and code in notice["textRu"]
    assert live.journal.count_calls(ENIS, iin=attorney) >= 1


def test_invalid_iin_gets_the_notice_without_a_lookup(live):
    desk = Desk(live)
    bad = "780314401013"  # a wrong check digit
    asked_before = live.journal.count_calls(GBDFL, iin=bad)  # the module's live stack is shared
    app = desk.submit(guardian_application(bad))
    assert app["status"] == "DATA_UNAVAILABLE"
    assert ("P3", "GBDFL_NOT_ASKED") in steps(app)
    assert app["registryChecks"][0]["reason"] == "INVALID_IIN"
    assert live.journal.count_calls(GBDFL, iin=bad) == asked_before
    notice = desk.call("GET", f"/applications/{app['id']}/notices/data-unavailable").json()
    assert "ИИН указан неверно" in notice["textRu"]


def test_incomplete_package_is_refused_at_intake_with_the_receipt(live):
    desk = Desk(live)
    docs = ("APPLICATION", "GUARDIAN_ID", "CHILD_BIRTH_CERTIFICATE", "PARENTS_STATUS")
    body = guardian_application(documents=docs)
    body["applicant"].update(surname="ЖУМАБАЕВА", name="АЙГЕРИМ")
    body["documents"].append({**body["documents"][0], "documentTypeCode": "BANK_ACCOUNT", "content": ""})
    before = live.journal.count_calls(GBDFL, iin=GUARDIAN)
    app = desk.submit(body)
    assert app["status"] == "REFUSED_AT_INTAKE"
    assert steps(app) == [("X1", "DOCUMENTS_HANDED"), ("C0", "DOCUMENTS_INCOMPLETE"),
                          ("X2", "INTAKE_REFUSED")]
    assert {m["documentTypeCode"]: m["why"] for m in app["completeness"]["missing"]} == {
        "GUARDIANSHIP_DECISION": "absent", "BANK_ACCOUNT": "empty"}
    assert live.journal.count_calls(GBDFL, iin=GUARDIAN) == before  # the request ends there
    receipt = desk.call("GET", f"/applications/{app['id']}/notices/intake-refusal-receipt").json()
    assert receipt["check"] == "K01" and receipt["step"] == "X2"
    assert receipt["titleRu"] == "Расписка об отказе в приеме документов"
    assert receipt["titleKz"] == "Құжаттарды қабылдаудан бас тарту туралы қолхат"
    text = desk.call("GET", f"/applications/{app['id']}/notices/intake-refusal-receipt?format=text").text
    assert "Решение органа опеки и попечительства" in text and "банк анықтамасы" in text
    assert "ЖУМАБАЕВА АЙГЕРИМ" in text and "SYNTHETIC" in text


def test_a_failed_send_keeps_the_accepted_application_and_can_be_repeated(live):
    desk = Desk(live)
    rule = live.gateway.injector.add(FaultRule(service_id=GUARDIAN_SERVICE, sender_id="EGOV_SIM_IIS_CON",
                                               fault_code="SCE012", times=1))
    try:
        app = desk.submit(guardian_application())
    finally:
        live.gateway.injector.remove(rule.id)
    assert app["status"] == "ACCEPTED" and app["sendError"]["code"] == "SCE012"
    assert steps(app)[-1] == ("P5", "SEND_FAILED")
    assert desk.get(app["id"])["status"] == "ACCEPTED"
    package = desk.call("GET", f"/applications/{app['id']}/package").content

    again = desk.call("POST", f"/applications/{app['id']}/send")
    assert again.status_code == 200 and again.json()["status"] == "SENT"
    assert parse(package).getroot().findtext("requestId") == app["id"]
    sent = live.rshep.request(app["id"]).data  # the same signed package, unchanged
    assert live.verifier().verify(reroot(sent), layout="enveloped").valid
    assert desk.call("POST", f"/applications/{app['id']}/send").status_code == 409


def test_bad_input_is_refused_with_json_errors(live):
    desk = Desk(live)
    r = desk.call("POST", "/applications", content=b"{not json", retry=False)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_JSON"
    r = desk.call("POST", "/applications", {"serviceCode": GUARDIAN_SERVICE, "applicant": {}, "x": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_BODY"
    assert {d["path"] for d in r.json()["error"]["details"]} == {"/", "/applicant"}
    body = guardian_application()
    body["form"]["guardianshipDecisionDate"] = "15.01.2023"
    del body["form"]["childIin"]
    r = desk.call("POST", "/applications", body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "FORM_INVALID"
    assert {d["field"] for d in r.json()["error"]["details"]} == {"guardianshipDecisionDate", "childIin"}
    body = guardian_application()
    body["documents"][0]["documentTypeCode"] = "PASSPORT_SCAN"
    assert desk.call("POST", "/applications", body).json()["error"]["code"] == "UNKNOWN_DOCUMENT_TYPE"
    body = guardian_application()
    body["documents"][0]["content"] = "not*base64"
    assert desk.call("POST", "/applications", body).json()["error"]["code"] == "BAD_BASE64"
    body = guardian_application()
    del body["providerCode"]
    assert desk.call("POST", "/applications", body).json()["error"]["code"] == "PROVIDER_REQUIRED"
    assert desk.call("POST", "/applications", guardian_application(serviceCode="SIM_NOPE")).json()[
        "error"]["code"] == "UNKNOWN_SERVICE"

    r = desk.call("GET", "/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = desk.call("PUT", "/applications")
    assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    r = httpx.get(f"{live.url}/con/applications")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHENTICATED"
    r = httpx.get(f"{live.url}/con/applications", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401
    r = desk.call("GET", "/applications?status=LOST")
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_PARAMETER"


def test_another_office_sees_nothing(live):
    mine, theirs = Desk(live, "pvl1.operator"), Desk(live, "pvl2.operator")
    app = mine.submit(guardian_application())
    for method, path in (("GET", ""), ("GET", "/package"), ("GET", "/notices/acceptance-receipt"),
                         ("POST", "/send"), ("GET", "/result")):
        r = theirs.call(method, f"/applications/{app['id']}{path}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "APPLICATION_NOT_FOUND", (path, r.text)
    r = theirs.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "applicant"})
    assert r.status_code == 404
    assert app["id"] not in [a["id"] for a in theirs.call("GET", "/applications").json()["items"]]
    assert app["id"] in [a["id"] for a in mine.call("GET", "/applications?limit=200").json()["items"]]


def test_sessions_expire(live):
    desk = Desk(live)
    token = desk.sign_in()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{live.url}/con/session", headers=headers).status_code == 200
    live.clock.advance(hours=8, seconds=1)
    r = httpx.get(f"{live.url}/con/session", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHENTICATED"
    assert r.headers["www-authenticate"] == "Bearer"
    assert desk.call("GET", "/session").status_code == 200  # a new sign-in works


def test_large_scans_are_refused(live):
    desk = Desk(live)
    body = guardian_application()
    body["documents"][0]["content"] = base64.b64encode(b"\0" * (3 * 1024 * 1024 + 1)).decode()
    r = desk.call("POST", "/applications", body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "DOCUMENTS_TOO_LARGE"


@pytest.mark.parametrize("rules, applicant, representative, reason, code", [
    # stricter: the power of attorney must cover the service (ЕНИС judges the scope, ENIS005)
    (dict(enis_check_scope=True), POA_PRINCIPAL, (POA_AGENT_SCOPE_MISMATCH, "SIM-POA-000004"),
     "REGISTRY_CODE", "ENIS005"),
    # an invalid IIN sent anyway: ГБД ФЛ itself answers SIM002
    (dict(validate_iin_locally=False), "780314401013", None, "REGISTRY_CODE", "SIM002"),
])
def test_named_options_of_condition_one(live, rules, applicant, representative, reason, code):
    """Another ИИС ЦОН on the same ШЭП, with stricter or looser lookup rules."""
    import asyncio

    from egov_sim.portal_mock.con import ConOptions, build_con
    from egov_sim.portal_mock.con.intake import ApplicantEntry, ApplicationEntry, RepresentativeEntry
    from egov_sim.portal_mock.con.lookups import LookupRules
    from egov_sim.portal_mock.con.package import Attachment

    async def go():
        async with httpx.AsyncClient() as http:
            con = build_con(live.db, live.pki, gateway_url=live.url, http=http, clock=live.clock,
                            options=ConOptions(lookups=LookupRules(**rules)))
            entry = ApplicationEntry(
                GUARDIAN_SERVICE, ApplicantEntry(applicant), "PVL_PAVLODAR_CITY",
                RepresentativeEntry(*representative) if representative else None,
                guardian_application()["form"],
                tuple(Attachment(c, f"{c}.pdf", "application/pdf", b"%PDF") for c in GUARDIAN_DOCUMENTS))
            return await con.intake.submit(con.operators.get("pvl1.operator"), entry)

    outcome = asyncio.run(go())
    app = outcome.application
    assert app.status == "DATA_UNAVAILABLE"
    failed = [c for c in app.record["registryChecks"] if not c["ok"]]
    assert [(c["reason"], c["resultCode"]) for c in failed] == [(reason, code)]
