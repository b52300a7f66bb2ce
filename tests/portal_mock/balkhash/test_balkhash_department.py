"""The department's workstation directly: the chains by role, the checks read from the registers,
refusal at intake, the akim channel, the special commission, suspension, bad input."""

from __future__ import annotations

import datetime as dt

from egov_sim.core.clock import ALMATY
from egov_sim.reference import personas as p
from egov_sim.reference.balkhash_services import Readings
from tests.support.balkhash import S6_DOCUMENTS, Clock, error, live_balkhash

S1_DOCUMENTS = ["ID_CARD", "LABOUR_DOCUMENTS", "SIK_CERTIFICATE", "RNN", "INCOME_DECLARATION"]


def _accept(desk, service, iin, documents, *, expect=201, **extra):
    r = desk.call("POST", "/cases", {"service": service, "applicant": {"iin": iin}, "documents": documents, **extra})
    assert r.status_code == expect, r.text
    return r.json()


def test_a_certificate_needs_the_registration_of_service_1(live):
    officer = live.uo("blh.employment.officer")
    case = _accept(officer, 3, p.BLH_JOBSEEKER, ["ID_CARD", "APPLICATION"])
    r = officer.call("POST", f"/cases/{case['number']}/decide", {"outcome": "grant"})
    assert r.status_code == 422 and error(r.json())["code"] == "INELIGIBLE"
    assert error(r.json())["assessment"]["refusalGrounds"] == ["NOT_REGISTERED_UNEMPLOYED"]
    refused = officer.post(f"/cases/{case['number']}/decide", {"outcome": "refusal",
                                                              "grounds": ["NOT_REGISTERED_UNEMPLOYED"]})
    assert refused["state"] == "COMPLETED" and refused["outcome"] == "refusal"

    # Service 1: the card is entered (10 wd at most), the person is in the register ...
    live.clock.advance(minutes=30)
    reg = _accept(officer, 1, p.BLH_JOBSEEKER, S1_DOCUMENTS,
                  queue={"arrivedAt": "2013-02-04T08:30:00+05:00", "personsAhead": 3})
    accept = officer.get(f"/cases/{reg['number']}/history")["entries"][0]
    assert accept["detail"]["queue"]["allowedWaitMinutes"] == 45 and accept["detail"]["queue"]["waitExceeded"] is True
    assert reg["dueOn"] == "2013-02-18" and reg["talon"]
    talon = dict(officer.get(f"/documents/{reg['talon']}")["fields"]["rows"])
    assert talon["Дата получения государственной услуги"] == "2013-02-18" and talon["Документы принял"].startswith("ИБРАЕВ Т.А.")
    done = officer.post(f"/cases/{reg['number']}/decide", {"outcome": "grant"})
    assert done["state"] == "COMPLETED" and done["assignment"].startswith("BLH-KPU-2013-")
    person = officer.get(f"/registers/persons/{p.BLH_JOBSEEKER}?on=2013-02-04")
    assert person["unemployed"]["inForce"]["cardNumber"] == done["assignment"]
    assert person["history"][0]["actor"] == "blh.employment.officer"

    # ... and service 3 now gives the certificate.
    cert = _accept(officer, 3, p.BLH_JOBSEEKER, ["ID_CARD", "APPLICATION"])
    issued = officer.post(f"/cases/{cert['number']}/decide", {"outcome": "grant"})
    html = officer.call("GET", f"/documents/{issued['resultDocuments'][0]}/html")
    assert "Справка о регистрации в качестве безработного" in html.text and done["assignment"] in html.text
    # Registering twice is refused by the register.
    again = _accept(officer, 1, p.BLH_JOBSEEKER, S1_DOCUMENTS)
    r = officer.call("POST", f"/cases/{again['number']}/decide", {"outcome": "grant"})
    assert r.status_code == 409 and error(r.json())["code"] == "ALREADY_REGISTERED"


def test_applicant_categories_change_the_documents(live):
    officer = live.uo("blh.employment.officer")
    # A foreigner brings the residence permit and the stateless-person ID (read literally); without it: refused.
    refused = _accept(officer, 1, p.BLH_FOREIGNER, ["RESIDENCE_PERMIT", "LABOUR_DOCUMENTS", "SIK_CERTIFICATE", "RNN",
                                                    "INCOME_DECLARATION"], category="foreigner")
    assert refused["state"] == "REFUSED_AT_INTAKE" and refused["missingDocuments"] == ["STATELESS_ID"]
    rows = dict(officer.get(f"/documents/{refused['resultDocuments'][0]}")["fields"]["rows"])
    assert "STATELESS_ID" not in rows["Обоснование"] and "удостоверение лица без гражданства" in rows["Обоснование"]
    ok = _accept(officer, 1, p.BLH_ORALMAN, ["ORALMAN_ID", "LABOUR_DOCUMENTS", "SIK_CERTIFICATE", "RNN",
                                             "INCOME_DECLARATION"], category="oralman")
    assert ok["state"] == "IN_PROGRESS"
    r = officer.call("POST", "/cases", {"service": 1, "applicant": {"iin": p.BLH_FOREIGNER}, "category": "citizen",
                                        "documents": S1_DOCUMENTS})
    assert r.status_code == 422 and error(r.json())["field"] == "category"
    # Service 6 is for citizens and oralmans only: a foreigner is refused at intake.
    spec = live.uo("blh.benefits.specialist")
    r = _accept(spec, 6, p.BLH_FOREIGNER, S6_DOCUMENTS, category="foreigner")
    assert r["state"] == "REFUSED_AT_INTAKE" and r["grounds"] == ["NOT_ENTITLED"]


def _s6_case(live, iin):
    return _accept(live.uo("blh.benefits.specialist"), 6, iin, S6_DOCUMENTS)


def test_child_benefit_roles_and_checks(live):
    spec, head, deputy, sector, commission = (live.uo("blh.benefits.specialist"), live.uo("blh.head"),
                                              live.uo("blh.deputy"), live.uo("blh.benefits.head"),
                                              live.uo("blh.commission"))
    case = _s6_case(live, p.BLH_MOTHER_C)
    n = case["number"]
    assert case["nextStep"] == {**case["nextStep"], "verb": "order_survey", "role": "head", "row": "2"}
    r = spec.call("POST", f"/cases/{n}/order_survey", {})
    assert r.status_code == 403 and error(r.json())["requiredRole"] == "head"
    r = live.uo("blh.veterans.specialist").call("GET", f"/cases/{n}")
    assert r.status_code == 404 and error(r.json())["code"] == "CASE_NOT_FOUND"
    r = live.uo("konyrat.akim").call("GET", f"/cases/{n}")
    assert r.status_code == 404
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 409 and error(r.json())["expectedStep"] == "order_survey"
    deputy.post(f"/cases/{n}/order_survey")  # the deputy may instruct the commission
    r = commission.call("POST", f"/cases/{n}/survey", {"conclusion": "not_needy"})
    assert r.status_code == 422 and error(r.json())["code"] == "CONCLUSION_CONTRADICTS"
    survey = commission.post(f"/cases/{n}/survey", {"housingConditions": "частный дом"})
    act = dict(commission.get(f"/documents/{survey['work']['survey']['act']}")["fields"]["rows"])
    assert act["Среднедушевой доход в месяц"] == "4000.00 тг" and act["Период исчисления дохода"] == "2012-10, 2012-11, 2012-12"
    spec.post(f"/cases/{n}/accept_conclusion")
    r = sector.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 403 and error(r.json())["requiredRole"] == "officer"
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 422 and error(r.json())["assessment"]["refusalGrounds"] == ["EMPLOYMENT_CONDITION"]
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["INCOME_ABOVE_FOOD_BASKET"]})
    assert r.status_code == 422 and error(r.json()) | {"field": "grounds[0]"} == error(r.json())
    assert error(r.json())["code"] == "GROUND_NOT_BORNE_OUT"
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["CHILD_DEATH"]})
    assert r.status_code == 422 and error(r.json())["code"] == "UNKNOWN_GROUND"
    spec.post(f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["EMPLOYMENT_CONDITION"]})
    sector.post(f"/cases/{n}/visa")
    r = deputy.call("POST", f"/cases/{n}/decide", {})
    assert r.status_code == 403  # the deputy signs nothing
    decided = head.post(f"/cases/{n}/decide")
    refusal = dict(head.get(f"/documents/{decided['resultDocuments'][0]}")["fields"]["rows"])
    assert "трудоспособный родитель" in refusal["Обоснование"] and p.BLH_FATHER_IDLE in refusal["Обоснование"]
    notified = spec.post(f"/cases/{n}/notify", {"receivedBy": "applicant"})
    assert notified["state"] == "COMPLETED" and notified["assignment"] is None
    history = spec.get(f"/cases/{n}/history")["entries"]
    assert [(e["verb"], e["actor"]) for e in history] == [
        ("accept", "blh.benefits.specialist"), ("order_survey", "blh.deputy"), ("survey", "blh.commission"),
        ("accept_conclusion", "blh.benefits.specialist"), ("draft", "blh.benefits.specialist"),
        ("visa", "blh.benefits.head"), ("decide", "blh.head"), ("notify", "blh.benefits.specialist")]
    assert [e["norm"] for e in history] == ["15 min", "1 wd", "5 wd", "15 min", "1 wd", "1 wd", "1 wd", "1 wd"]
    archived = spec.post(f"/cases/{n}/archive")
    assert archived["state"] == "ARCHIVED"


def _run_s6_to_draft(live, iin):
    spec = live.uo("blh.benefits.specialist")
    n = _s6_case(live, iin)["number"]
    live.uo("blh.head").post(f"/cases/{n}/order_survey")
    live.uo("blh.commission").post(f"/cases/{n}/survey", {})
    spec.post(f"/cases/{n}/accept_conclusion")
    return n


def test_income_exactly_at_the_food_basket_is_refused_by_default(live):
    spec = live.uo("blh.benefits.specialist")
    n = _run_s6_to_draft(live, p.BLH_MOTHER_AT_BASKET)
    a = spec.get(f"/cases/{n}/assessment")
    income = next(c for c in a["checks"] if c["code"] == "PER_CAPITA_INCOME")
    assert income["detail"]["perCapitaIncome"] == "11196.00" and income["detail"]["comparison"] == "равен"
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 422
    spec.post(f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["INCOME_ABOVE_FOOD_BASKET"]})


def test_the_other_reading_grants_at_the_food_basket(tmp_path, balkhash_pki):
    clock = Clock(dt.datetime(2013, 2, 4, 9, 0, tzinfo=ALMATY))
    with live_balkhash(tmp_path / "h", balkhash_pki, clock, readings=Readings(s6_income_equal="grant")) as live:
        spec = live.uo("blh.benefits.specialist")
        n = _run_s6_to_draft(live, p.BLH_MOTHER_AT_BASKET)
        drafted = spec.post(f"/cases/{n}/draft", {"outcome": "grant"})
        assert drafted["work"]["draft"]["amount"] == "1731.00"
        assert spec.get("/readings")["s6_income_equal"] == "grant"


def test_targeted_assistance_through_the_settlement_akim(live):
    akim, commission, other = live.uo("konyrat.akim"), live.uo("konyrat.commission"), live.uo("gulshat.akim")
    spec, sector, head = live.uo("blh.benefits.specialist"), live.uo("blh.benefits.head"), live.uo("blh.head")
    r = spec.call("POST", "/cases", {"service": 11, "applicant": {"iin": p.BLH_KONYRAT_RESIDENT}, "documents": []})
    case = _accept(akim, 7, p.BLH_KONYRAT_RESIDENT, ["APPLICATION", "FAMILY_COMPOSITION", "FAMILY_INCOME",
                                                     "SUBSIDIARY_FARM", "AKIM_CERTIFICATE"])
    n = case["number"]
    assert case["channel"] == "akim" and case["akimJournalNumber"] and case["journalNumber"] is None
    assert case["dueOn"] == "2013-03-06"  # 22 wd from Mon 4 Feb 2013 (8 March a holiday)
    assert other.call("GET", f"/cases/{n}").status_code == 404
    assert spec.call("GET", f"/cases/{n}").status_code == 404  # still at the akim's
    akim.post(f"/cases/{n}/order_survey")
    r = live.uo("blh.commission").call("POST", f"/cases/{n}/survey", {})
    assert r.status_code == 404  # the city's commission does not see the akim's case
    commission.post(f"/cases/{n}/survey")
    live.clock.set(2013, 2, 20)
    forwarded = akim.post(f"/cases/{n}/forward")
    assert forwarded["office"] == "BLH_UO"
    step = akim.get(f"/cases/{n}/history")["entries"][-1]
    assert step["detail"]["milestone"] == "2013-02-25" and step["detail"]["milestoneMet"] is True
    received = spec.post(f"/cases/{n}/receive")
    assert received["journalNumber"] and received["nextStep"]["verb"] == "draft"
    drafted = spec.post(f"/cases/{n}/draft", {"outcome": "grant"})
    assert drafted["work"]["draft"]["amount"] == "2464.00"  # (7464 − 5000) × 1
    sector.post(f"/cases/{n}/visa")
    head.post(f"/cases/{n}/decide")
    spec.post(f"/cases/{n}/notify")
    assignment = spec.get(f"/cases/{n}")["assignment"]
    a = spec.get(f"/registers/assignments/{assignment}")
    assert (a["service"], a["startsOn"], a["endsOn"], a["monthlyAmount"]) == (7, "2013-02-01", "2013-03-31", "2464.00")
    assert akim.get(f"/cases/{n}")["state"] == "COMPLETED"  # the akim still sees the file it opened


def test_semipalatinsk_special_commission(live):
    officer, officer2, head, secretary = (live.uo("blh.veterans.specialist"), live.uo("blh.veterans.specialist2"),
                                          live.uo("blh.head"), live.uo("blh.special_commission"))
    documents = ["APPLICATION", "IDENTITY_DOCUMENT", "RESIDENCE_REGISTRATION", "SAVINGS_BOOK", "ARCHIVE_CERTIFICATE"]
    r = officer.call("POST", "/cases", {"service": 2, "applicant": {"iin": p.BLH_SEMIPALATINSK_PAID},
                                        "documents": documents})
    assert r.status_code == 422 and error(r.json())["field"] == "form.residencePeriods"
    case = _accept(officer, 2, p.BLH_SEMIPALATINSK_PAID, documents,
                   form={"residencePeriods": [{"from": 1949, "to": 1962}]})
    n = case["number"]
    assert case["dueOn"] == "2013-02-25"  # 20 cd: Sun 24 Feb, the next working day
    r = head.call("POST", f"/cases/{n}/resolve", {"executor": "blh.benefits.specialist"})
    assert r.status_code == 422 and error(r.json())["field"] == "executor"
    head.post(f"/cases/{n}/resolve", {"executor": "blh.veterans.specialist2"})
    r = officer.call("POST", f"/cases/{n}/refer", {})
    assert r.status_code == 403 and error(r.json())["requiredExecutor"] == "blh.veterans.specialist2"
    officer2.post(f"/cases/{n}/refer")
    r = secretary.call("POST", f"/cases/{n}/commission", {"eligible": True, "protocolNumber": "7"})
    assert r.status_code == 422 and "уже выплачена" in error(r.json())["message"]
    secretary.post(f"/cases/{n}/commission", {"eligible": False, "protocolNumber": "7"})
    r = officer2.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 422
    officer2.post(f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["ALREADY_COMPENSATED"]})
    decided = head.post(f"/cases/{n}/decide")
    text = head.call("GET", f"/documents/{decided['resultDocuments'][0]}/html").text
    assert "ALREADY_COMPENSATED" in text and "2010-05-20" in text


def test_refusals_read_from_the_medical_register(live):
    spec, sector, head = live.uo("blh.veterans.specialist"), live.uo("blh.veterans.head"), live.uo("blh.head")
    incomplete = _accept(spec, 4, p.BLH_DISABLED_PROSTHETIC, ["APPLICATION", "IDENTITY_DOCUMENT"])
    assert incomplete["state"] == "REFUSED_AT_INTAKE" and incomplete["missingDocuments"] == ["IPR_EXTRACT"]
    case = _accept(spec, 4, p.BLH_CONTRAINDICATED, ["APPLICATION", "IDENTITY_DOCUMENT", "IPR_EXTRACT"])
    n = case["number"]
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 422 and error(r.json())["assessment"]["refusalGrounds"] == ["MEDICAL_CONTRAINDICATIONS"]
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["MISSING_DOCUMENTS"]})
    assert r.status_code == 422 and error(r.json())["field"] == "reasonText"
    spec.post(f"/cases/{n}/draft", {"outcome": "refusal", "grounds": ["MEDICAL_CONTRAINDICATIONS"]})
    sector.post(f"/cases/{n}/visa")
    head.post(f"/cases/{n}/decide")
    done = spec.post(f"/cases/{n}/notify", {"method": "post"})
    assert done["outcome"] == "refusal" and done["grounds"] == ["MEDICAL_CONTRAINDICATIONS"]
    ok = _accept(spec, 4, p.BLH_DISABLED_PROSTHETIC, ["APPLICATION", "IDENTITY_DOCUMENT", "IPR_EXTRACT"])
    spec.post(f"/cases/{ok['number']}/draft", {"outcome": "grant"})


def test_suspension_of_housing_assistance(live):
    spec, head = live.uo("blh.benefits.specialist"), live.uo("blh.head")
    case = _accept(spec, 11, p.BLH_PENSIONER_HOUSING, ["IDENTITY_DOCUMENT", "TITLE_DEED", "HOUSEHOLD_BOOK",
                                                        "FAMILY_INCOME", "MAINTENANCE_BILLS", "UTILITY_BILLS"])
    n = case["number"]
    assert case["dueOn"] == "2013-02-14"  # 10 calendar days
    r = spec.call("POST", f"/cases/{n}/suspend", {"ground": "MASLIKHAT_SUSPENSION", "reasonText": "x"})
    assert r.status_code == 403
    r = head.call("POST", f"/cases/{n}/suspend", {"ground": "NOPE", "reasonText": "x"})
    assert r.status_code == 422 and error(r.json())["field"] == "ground"
    head.post(f"/cases/{n}/suspend", {"ground": "MASLIKHAT_SUSPENSION", "reasonText": "не представлен акт сверки"})
    r = spec.call("POST", f"/cases/{n}/draft", {"outcome": "grant"})
    assert r.status_code == 409 and error(r.json())["code"] == "CASE_SUSPENDED"
    head.post(f"/cases/{n}/resume", {})
    drafted = spec.post(f"/cases/{n}/draft", {"outcome": "grant"})
    assert drafted["work"]["draft"]["amount"] == "2500.00"
    r = head.call("POST", f"/cases/{n}/return", {"reasons": ["x"]})
    assert r.status_code == 409 and error(r.json())["code"] == "NO_RETURN"  # a УО case has no ЦОН to return to


def test_bad_input_names_the_field(live):
    spec = live.uo("blh.benefits.specialist")
    cases = [
        ({"applicant": {"iin": p.BLH_MOTHER_LOW}}, 422, "service"),
        ({"service": 99, "applicant": {"iin": p.BLH_MOTHER_LOW}}, 422, "service"),
        ({"service": 6}, 422, "applicant"),
        ({"service": 6, "applicant": {"iin": "123"}}, 422, "applicant.iin"),
        ({"service": 6, "applicant": {"iin": p.NOT_REGISTERED}}, 404, "applicant.iin"),
        ({"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "flags": ["lucky"]}, 422, "flags[0]"),
        ({"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "documents": ["X"]}, 422, "documents[0]"),
        ({"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "colour": "red"}, 422, "colour"),
        ({"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "queue": {"arrivedAt": "yesterday"}}, 422,
         "queue.arrivedAt"),
    ]
    for body, status, field in cases:
        r = spec.call("POST", "/cases", body)
        assert r.status_code == status and error(r.json())["field"] == field, (body, r.text)
    r = spec.call("GET", "/cases?colour=red")
    assert r.status_code == 400 and error(r.json())["code"] == "BAD_PARAMETER"
    r = spec.call("POST", "/cases", None)
    assert r.status_code == 422 and error(r.json())["code"] == "INVALID_BODY"
    r = spec.call("GET", "/cases/BLH-S06-2013-999999")
    assert r.status_code == 404 and error(r.json())["code"] == "CASE_NOT_FOUND"
    import httpx

    r = httpx.get(f"{live.url}/balkhash/uo/cases")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = httpx.post(f"{live.url}/balkhash/uo/session", json={"login": "blh.head", "password": "wrong-password"})
    assert r.status_code == 401 and error(r.json())["code"] == "AUTH_FAILED"
    # The simulator's JSON manners: unknown paths and methods, bodies that are not JSON.
    r = spec.call("GET", "/nothing-here")
    assert r.status_code == 404 and error(r.json())["code"] == "NOT_FOUND"
    r = spec.call("DELETE", "/cases")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    r = httpx.post(f"{live.url}/balkhash/uo/cases", content=b"{oops", headers={
        "Authorization": f"Bearer {spec.token}", "Content-Type": "application/json"})
    assert r.status_code == 400 and error(r.json())["code"] == "BAD_JSON"
    r = httpx.post(f"{live.url}/balkhash/con/queue/tickets", content=b"service=6",
                   headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and error(r.json())["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_an_electronic_result_signed_with_the_heads_eds(tmp_path, balkhash_pki):
    from lxml import etree

    from egov_sim.signing.trust import TrustStore
    from egov_sim.signing.verify import Verifier

    clock = Clock(dt.datetime(2026, 2, 2, 9, 30, tzinfo=ALMATY))
    with live_balkhash(tmp_path / "h", balkhash_pki, clock, readings=Readings(electronic_results=frozenset({3}))) as live:
        officer = live.uo("blh.employment.officer")
        case = _accept(officer, 3, p.BLH_UNEMPLOYED, ["ID_CARD", "APPLICATION"])
        done = officer.post(f"/cases/{case['number']}/decide", {"outcome": "grant"})
        number = done["resultDocuments"][0]
        assert officer.get(f"/documents/{number}")["electronic"] is True
        xml = officer.call("GET", f"/documents/{number}/xml").content
        result = Verifier(TrustStore.from_pem(balkhash_pki.trust_pem()), clock=clock).verify(xml, layout="enveloped")
        assert result.valid, result.codes
        assert result.signer.iin == officer.get("/session")["iin"]
        assert etree.fromstring(xml).findtext("number") == number
        # The talon is paper whatever the reading.
        r = officer.call("GET", f"/documents/{case['talon']}/xml")
        assert r.status_code == 404 and error(r.json())["code"] == "NOT_ELECTRONIC"
