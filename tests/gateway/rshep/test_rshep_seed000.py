"""Seed 000: the six-step chain at a district akimat and at a rural akim, the term extension
(7 -> 19 wd, 4 -> 16 wd, K15) with its TERM_EXTENDED notice, and office intake."""

from __future__ import annotations

import datetime as dt

from egov_sim.reference.personas import NEEDY_APPLICANT, NEEDY_APPLICANT_RURAL
from egov_sim.reference.terms import procedure_for
from tests.support.rshep import PORTAL, Staff, send, service_request

SERVICE = "SIM_SOCIAL_ASSISTANCE_ALMATY_OBL"
DOCS = ("CATEGORY_PROOF", "INCOME_STATEMENT", "BANK_ACCOUNT")


def _portal_request(live, request_id, provider):
    data = service_request(request_id, provider=provider, service=SERVICE, channel="PORTAL", operator=None,
                           applicant=NEEDY_APPLICANT, attachments=DOCS)
    return send(live, data, route_id="R_Almaty_obl", service_id=SERVICE, sender=PORTAL)


def test_extension_at_the_district_akimat(live):
    arrived = live.clock()
    rid = int(_portal_request(live, "PORTAL-000-1", "ALM_KARASAY_DISTRICT").data.findtext("inboxId"))
    live.clock.advance(minutes=25)
    reg = Staff(live, "alm_karasay_district.clerk").act(rid, "register")["request"]
    district = procedure_for(SERVICE, "akimat")
    # the terms count from the request's arrival (the package handed to the provider), not
    # from the registration 25 minutes later (000 §5.3)
    due = district.result_due("portal", arrived)
    assert reg["dueAt"] == due.due.isoformat() and reg["dueDate"] == due.date.isoformat()
    assert reg["term"]["term"] == "issued" and reg["term"]["dueAt"] == reg["dueAt"]
    terms = {t["term"]: t for t in reg["terms"]}
    assert terms["drawn_up"]["dueAt"] == district.term_due(district.term("drawn_up"), arrived).isoformat()
    assert terms["drawn_up"]["allowed"] == "7 wd" and terms["drawn_up"]["basis"] == "stated"
    Staff(live, "alm_karasay_district.head").act(rid, "assign", {"executor": "alm_karasay_district.executor"})
    executor = Staff(live, "alm_karasay_district.executor")
    live.clock.advance(days=2)
    ext = executor.act(rid, "extend", {"reason": "Справка о доходах утеряна",
                                       "missingDocuments": ["INCOME_STATEMENT"]})["request"]
    assert ext["termExtended"] and {t["term"] for t in ext["terms"]} == {"drawn_up_extended", "issued"}
    assert ext["dueAt"] == district.result_due("portal", arrived, extended=True).due.isoformat()
    assert next(t for t in ext["terms"] if t["term"] == "drawn_up_extended")["allowed"] == "19 wd"
    assert "extend" not in ext["nextActions"]
    again = executor.call("POST", f"/requests/{rid}/extend", {"reason": "ещё раз"})
    assert again.status_code == 409
    notice = [c.data for c in live.inbox.calls if c.data.findtext("requestId") == "PORTAL-000-1"][-1]
    assert notice.findtext("status") == "TERM_EXTENDED" and notice.findtext("resultDueDate") == ext["dueDate"]
    history = executor.call("GET", f"/requests/{rid}/history").json()["entries"]
    assert history[-1]["action"] == "extend" and history[-1]["detail"]["dueAt"] == ext["dueAt"]
    assert history[-1]["detail"]["missingDocuments"] == ["INCOME_STATEMENT"]


def test_no_extension_for_seed_002(live):
    rid = int(send(live, service_request("CON-NOEXT")).data.findtext("inboxId"))
    Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
    Staff(live, "pvl_pavlodar_city.head").act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})
    r = Staff(live, "pvl_pavlodar_city.executor").call("POST", f"/requests/{rid}/extend", {"reason": "x"})
    assert r.status_code == 409 and "extended term" in r.json()["error"]["message"]


def test_rural_akim_office_intake_and_the_district_head_signs(live):
    clerk = Staff(live, "alm_irgeli_rural_akim.clerk")
    handed_in = live.clock() - dt.timedelta(minutes=20)
    r = clerk.call("POST", "/requests", {
        "serviceCode": SERVICE, "documents": ["APPLICATION", "ID_DOCUMENT", "CATEGORY_PROOF"],
        "applicant": {"iin": NEEDY_APPLICANT_RURAL, "surname": "ЖАКСЫБЕКОВ", "name": "ТАЛГАТ"},
        "form": {"category": "low_income", "familySize": "5"}, "handedInAt": handed_in.isoformat()})
    assert r.status_code == 201, r.text
    req = r.json()["request"]
    rid = req["id"]
    akim_terms = procedure_for(SERVICE, "rural_akim")
    assert req["channel"] == "AKIM" and req["state"] == "REGISTERED"
    assert req["receivedAt"] == handed_in.isoformat()  # the hand-in moment the clerk entered
    drawn_up = next(t for t in req["terms"] if t["term"] == "drawn_up")
    assert drawn_up["allowed"] == "4 wd"
    assert drawn_up["dueAt"] == akim_terms.term_due(akim_terms.term("drawn_up"), handed_in).isoformat()
    assert req["checks"]["missingDocuments"] == ["INCOME_STATEMENT", "BANK_ACCOUNT"]
    assert r.json()["deliveries"] == []  # handed in on paper: nothing to send through ШЭП

    akim = Staff(live, "alm_irgeli_rural_akim.head")
    akim.act(rid, "assign", {"executor": "alm_irgeli_rural_akim.executor"})
    executor = Staff(live, "alm_irgeli_rural_akim.executor")
    # documents missing (recorded at intake): a decision waits for the extended term (K15)
    early = executor.call("POST", f"/requests/{rid}/draft", {"documentsConform": True, "amount": 30000})
    assert early.status_code == 409 and early.json()["error"]["code"] == "DOCUMENTS_MISSING"
    assert early.json()["error"]["missingDocuments"] == ["INCOME_STATEMENT", "BANK_ACCOUNT"]
    extended = executor.act(rid, "extend", {"reason": "документы повреждены"})["request"]
    assert next(t for t in extended["terms"] if t["term"] == "drawn_up_extended")["allowed"] == "16 wd"
    executor.act(rid, "draft", {"documentsConform": True, "amount": 30000})
    # the akim does not sign (000 §5.4): the head of the district akimat does
    denied = akim.call("POST", f"/requests/{rid}/sign")
    assert denied.status_code == 403 and denied.json()["error"]["requiredProvider"] == "ALM_KARASAY_DISTRICT"
    district_head = Staff(live, "alm_karasay_district.head")
    assert any(x["id"] == rid for x in district_head.call("GET", "/requests").json()["requests"])
    district_head.act(rid, "sign")
    done = executor.act(rid, "issue")["request"]
    assert done["state"] == "COMPLETED"
    history = executor.call("GET", f"/requests/{rid}/history").json()["entries"]
    assert [e["action"] for e in history] == ["accept", "register", "assign", "extend", "draft", "sign", "issue"]
    assert history[-2]["actor"] == "alm_karasay_district.head" and history[-2]["norm"] == "2 wd"
    # a district clerk or executor does not see the akim's requests
    assert Staff(live, "alm_karasay_district.executor").call("GET", f"/requests/{rid}").status_code == 404


def test_office_intake_rejects_unknown_documents(live):
    r = Staff(live, "alm_talgar_district.clerk").call("POST", "/requests", {
        "serviceCode": SERVICE, "documents": ["APPLICATION", "PASSPORT_OF_MARS"],
        "applicant": {"iin": NEEDY_APPLICANT, "surname": "А", "name": "Б"}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "documents[1]"


def test_handed_in_at_must_be_within_ten_days_before_now(live):
    clerk = Staff(live, "alm_talgar_district.clerk")
    body = {"serviceCode": SERVICE, "applicant": {"iin": NEEDY_APPLICANT, "surname": "А", "name": "Б"}}
    for bad in ((live.clock() + dt.timedelta(minutes=5)).isoformat(),
                (live.clock() - dt.timedelta(days=11)).isoformat(), "2026-02-02T09:00:00", "вчера"):
        r = clerk.call("POST", "/requests", {**body, "handedInAt": bad})
        assert r.status_code == 422 and r.json()["error"]["field"] == "handedInAt", (bad, r.text)
