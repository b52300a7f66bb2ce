"""The ЦОН channel end to end: queue, расписка, реестр to the УО through ШЭП, the УО's chain,
the реестр back, issue against the расписка; the receipt of refusal; the return path."""

from __future__ import annotations

import httpx

from egov_sim.reference import personas as p
from tests.support.balkhash import S6_DOCUMENTS, S11_CON_DOCUMENTS, error


def _s6(applicant=p.BLH_MOTHER_LOW, documents=S6_DOCUMENTS, **extra):
    return {"service": 6, "category": "citizen", "documents": documents,
            "applicant": {"iin": applicant, "surname": "АБЕНОВА", "name": "ГУЛЬЖАН", "patronymic": "ТАЛГАТОВНА",
                          "phone": "+7 701 000 00 00"}, **extra}


def test_child_benefit_through_the_con_and_back(live):
    clock = live.clock
    inspector, accumulation, issuing = (live.con("blh.con.inspector"), live.con("blh.con.accumulation"),
                                        live.con("blh.con.issuing"))
    # The kiosk: two people already wait, so the wait allowed is the ЦОН's fixed 30 minutes (service 6, D19).
    for _ in range(2):
        httpx.post(f"{live.url}/balkhash/con/queue/tickets", json={"service": 6})
    ticket = httpx.post(f"{live.url}/balkhash/con/queue/tickets", json={"service": 6}).json()
    assert ticket["personsAhead"] == 2 and ticket["allowedWaitMinutes"] == 30 and ticket["status"] == "WAITING"
    clock.advance(minutes=10)
    inspector.post("/queue/call")
    inspector.post("/queue/call")
    clock.advance(minutes=25)
    called = inspector.post("/queue/call")
    assert called["number"] == ticket["number"] and called["waitedMinutes"] == 35.0 and called["waitExceeded"] is True
    assert called["window"] == 1 and called["calledBy"] == "blh.con.inspector"

    app = inspector.post("/applications", _s6(ticket=ticket["number"]), expect=201)
    assert app["status"] == "ACCEPTED"
    # 10 wd from Mon 4 Feb 2013 = Mon 18 Feb; the day of issue is outside the term: Tue 19 Feb.
    assert app["issueDate"] == "2013-02-19"
    receipt = inspector.get(f"/papers/{app['receipt']}")
    rows = dict(receipt["fields"]["rows"])
    assert rows["Номер заявления"] == app["number"] and rows["Дата выдачи документов"] == "2013-02-19"
    assert rows["Количество приложенных документов"] == "6"
    assert rows["Инспектор центра, принявший заявление"] == "САГЫНДЫКОВА ДИНАРА АСКАРОВНА"
    assert "Время выдачи документов" in rows and "Место выдачи документов" in rows

    inspector.post(f"/applications/{app['number']}/handover")
    clock.advance(hours=3)
    made = accumulation.post("/transfers", {"applications": [app["number"]]}, expect=201)
    assert made["transfer"]["status"] == "SENT", made
    registry = made["transfer"]["number"]

    # The УО: the specialist receives the packages by the реестр (one case each) ...
    spec, head, sector, commission = (live.uo("blh.benefits.specialist"), live.uo("blh.head"),
                                      live.uo("blh.benefits.head"), live.uo("blh.commission"))
    clock.advance(days=1)
    incoming = spec.get("/transfers?direction=INCOMING")["transfers"]
    assert [t["number"] for t in incoming] == [registry] and incoming[0]["status"] == "DELIVERED"
    cases = spec.post(f"/transfers/{registry}/receive", expect=201)["cases"]
    case = cases[0]
    assert case["channel"] == "con" and case["dueOn"] == "2013-02-19" and case["conApplication"] == app["number"]
    assert case["nextStep"]["verb"] == "order_survey"
    n = case["number"]
    for desk, verb, body in ((head, "order_survey", {}), (commission, "survey", {}), (spec, "accept_conclusion", {}),
                             (spec, "draft", {"outcome": "grant"}), (sector, "visa", {}), (head, "decide", {})):
        clock.advance(hours=2)
        desk.post(f"/cases/{n}/{verb}", body)
    done = spec.post("/transfers", {"cases": [n]}, expect=201)
    assert done["cases"][0]["state"] == "COMPLETED" and done["transfer"]["status"] == "SENT"

    # ... and the ЦОН: the накопительный сектор accepts the реестр, the сектор выдачи issues.
    clock.set(2013, 2, 12, hour=10)
    back = accumulation.get("/transfers?direction=INCOMING")["transfers"]
    assert len(back) == 1 and back[0]["status"] == "DELIVERED"
    taken = accumulation.post(f"/transfers/{back[0]['number']}/accept")["applications"][0]
    assert taken["status"] == "AT_ISSUING" and taken["outcome"] == "grant" and len(taken["result"]) == 2
    html = issuing.call("GET", f"/papers/{taken['result'][-1]}/html")
    assert html.status_code == 200 and "Уведомление" in html.text and "3462.00 тг" in html.text
    wrong = issuing.call("POST", f"/applications/{app['number']}/issue", {"receiptNumber": "CON-BLH-2013-999999-R"})
    assert wrong.status_code == 422 and error(wrong.json())["field"] == "receiptNumber"
    clock.set(2013, 2, 19, hour=11)
    issued = issuing.post(f"/applications/{app['number']}/issue", {"receiptNumber": app["receipt"]})
    assert issued["status"] == "ISSUED"
    last = issued["history"][-1]
    assert last["detail"]["onOrAfterIssueDate"] is True and last["detail"]["resultWasReadyOnTime"] is True
    again = issuing.call("POST", f"/applications/{app['number']}/issue", {"receiptNumber": app["receipt"]})
    assert again.status_code == 409 and error(again.json())["currentStatus"] == "ISSUED"

    # Both реестры went through ШЭП's journal, each way once.
    journal = live.gateway.journal
    assert journal.count_calls("SIM_BALKHASH_UO_REGISTRY", sender_id="EGOV_SIM_BALKHASH_CON") == 1
    assert journal.count_calls("SIM_BALKHASH_CON_REGISTRY", sender_id="EGOV_SIM_BALKHASH_UO") == 1


def test_incomplete_package_gets_a_receipt_listing_the_missing_documents(live):
    inspector = live.con("blh.con.inspector")
    app = inspector.post("/applications", _s6(documents=["APPLICATION", "IDENTITY_DOCUMENT"]), expect=201)
    assert app["status"] == "REFUSED_AT_INTAKE"
    assert set(app["missingDocuments"]) == {"CHILD_BIRTH_CERTIFICATES", "FAMILY_REGISTRATION", "FAMILY_COMPOSITION",
                                            "FAMILY_INCOME"}
    receipt = dict(inspector.get(f"/papers/{app['receipt']}")["fields"]["rows"])
    missing = [v for k, v in receipt.items() if k.startswith("Недостающий документ")]
    assert len(missing) == 4 and any("составе семьи" in m for m in missing)
    # Nothing can be done with it any more.
    r = inspector.call("POST", f"/applications/{app['number']}/handover", {})
    assert r.status_code == 409


def test_housing_assistance_on_saturday_at_the_con_but_not_at_the_uo(live):
    live.clock.set(2013, 2, 9, hour=19, minute=30)  # a Saturday, 19:30
    inspector = live.con("blh.con.inspector")
    app = inspector.post("/applications", {
        "service": 11, "documents": S11_CON_DOCUMENTS, "representative": {"fullName": "СМАГУЛОВ АРМАН", "phone": "+7 702"},
        "applicant": {"iin": p.BLH_PENSIONER_HOUSING, "surname": "СМАГУЛОВА", "name": "РАУШАН", "phone": "+7 705"}},
        expect=201)
    assert app["status"] == "ACCEPTED"
    # 10 calendar days from Sat 9 Feb: Tue 19 Feb is the last, the issue day after it: Wed 20 Feb.
    assert app["issueDate"] == "2013-02-20"
    rows = dict(inspector.get(f"/papers/{app['receipt']}")["fields"]["rows"])
    assert "+7 705" in rows["Получатель государственной услуги"]
    assert "СМАГУЛОВ АРМАН" in rows["Уполномоченный представитель"]
    # Service 6 is not served on Saturdays, and the УО is closed.
    r = inspector.call("POST", "/applications", _s6())
    assert r.status_code == 409 and error(r.json())["code"] == "CENTRE_CLOSED"
    r = live.uo("blh.benefits.specialist").call("POST", "/cases", {
        "service": 11, "applicant": {"iin": p.BLH_PENSIONER_HOUSING}, "documents": []})
    assert r.status_code == 409 and error(r.json())["code"] == "OFFICE_CLOSED"


def test_the_uo_returns_an_erroneous_package_and_the_con_informs_within_a_working_day(live):
    clock = live.clock
    inspector, accumulation, issuing = (live.con("blh.con.inspector"), live.con("blh.con.accumulation"),
                                        live.con("blh.con.issuing"))
    app = inspector.post("/applications", {
        "service": 11, "documents": S11_CON_DOCUMENTS,
        "applicant": {"iin": p.BLH_PENSIONER_HOUSING, "surname": "СМАГУЛОВА", "name": "РАУШАН"}}, expect=201)
    inspector.post(f"/applications/{app['number']}/handover")
    registry = accumulation.post("/transfers", {"applications": [app["number"]]}, expect=201)["transfer"]["number"]
    spec = live.uo("blh.benefits.specialist")
    clock.advance(days=1)
    case = spec.post(f"/transfers/{registry}/receive", expect=201)["cases"][0]
    # The head of sector cannot return it; the specialist can, with the written reasons.
    r = live.uo("blh.benefits.head").call("POST", f"/cases/{case['number']}/return", {"reasons": ["x"]})
    assert r.status_code == 403
    r = spec.call("POST", f"/cases/{case['number']}/return", {"reasons": []})
    assert r.status_code == 422 and error(r.json())["field"] == "reasons"
    clock.advance(days=2)
    returned = spec.post(f"/cases/{case['number']}/return", {"reasons": ["счета на коммунальные услуги не "
                                                                         "заверены поставщиком"]})
    assert returned["case"]["state"] == "RETURNED" and returned["transfer"]["status"] == "SENT"
    history = spec.get(f"/cases/{case['number']}/history")["entries"]
    assert history[-1]["verb"] == "return" and history[-1]["detail"]["withinTerm"] is True
    # The ЦОН takes the реестр, informs the applicant, hands the documents back.
    back = accumulation.get("/transfers?direction=INCOMING")["transfers"][0]
    assert accumulation.post(f"/transfers/{back['number']}/accept")["applications"][0]["status"] == "RETURNED"
    clock.advance(days=3)  # Mon 4 → Thu 7 + … : later than one working day
    informed = issuing.post(f"/applications/{app['number']}/inform", {"method": "phone"})
    assert informed["status"] == "INFORMED" and informed["history"][-1]["detail"]["withinTerm"] is False
    done = issuing.post(f"/applications/{app['number']}/return-documents", {})
    assert done["status"] == "DOCUMENTS_RETURNED"
    letter = issuing.call("GET", f"/papers/{done['result'][0]}/html")
    assert "не заверены поставщиком" in letter.text


def test_roles_at_the_con(live):
    consultant, accumulation = live.con("blh.con.consultant"), live.con("blh.con.accumulation")
    r = accumulation.call("POST", "/applications", _s6())
    assert r.status_code == 403 and error(r.json())["requiredRole"] == "consultant"
    app = consultant.post("/applications", _s6(), expect=201)
    assert app["status"] == "CONSULTED" and app["receipt"] is None
    r = consultant.call("POST", f"/applications/{app['number']}/accept", {})
    assert r.status_code == 403
    accepted = live.con("blh.con.inspector").post(f"/applications/{app['number']}/accept")
    assert accepted["status"] == "ACCEPTED" and accepted["receipt"]
    r = accumulation.call("POST", "/transfers", {"applications": [app["number"]]})
    assert r.status_code == 409 and error(r.json())["field"] == "applications[0]"
    r = consultant.call("POST", "/applications", {**_s6(), "category": "martian"})
    assert r.status_code == 422 and error(r.json())["field"] == "category"
    r = consultant.call("POST", "/applications", {**_s6(), "documents": ["PASSPORT_OF_MARS"]})
    assert r.status_code == 422 and error(r.json())["field"] == "documents[0]"
