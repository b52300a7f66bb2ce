"""The registers through the department's API: who may write what, errors naming the field,
the household computation, and the lifecycle of assignments (quarterly confirmation, termination)."""

from __future__ import annotations

from egov_sim.reference import personas as p
from tests.support.balkhash import error


def test_register_writes_are_for_the_unit_that_keeps_the_register(live):
    employment, benefits, veterans, head = (live.uo("blh.employment.officer"), live.uo("blh.benefits.specialist"),
                                            live.uo("blh.veterans.specialist"), live.uo("blh.head"))
    r = benefits.call("POST", "/registers/unemployed", {"iin": p.BLH_JOBSEEKER, "registeredOn": "2013-01-10"})
    assert r.status_code == 403 and error(r.json())["requiredRole"] == "officer"
    reg = employment.post("/registers/unemployed", {"iin": p.BLH_JOBSEEKER, "registeredOn": "2013-01-10"}, expect=201)
    assert reg["registeredOn"] == "2013-01-10" and reg["cardNumber"].startswith("BLH-KPU-2013-")
    r = employment.call("POST", "/registers/unemployed", {"iin": p.BLH_JOBSEEKER})
    assert r.status_code == 409 and error(r.json())["code"] == "ALREADY_REGISTERED"
    r = employment.call("POST", f"/registers/unemployed/{p.BLH_JOBSEEKER}/events", {"kind": "DANCED"})
    assert r.status_code == 422 and error(r.json())["field"] == "kind"
    employment.post(f"/registers/unemployed/{p.BLH_JOBSEEKER}/deregister", {"on": "2013-01-31", "reason": "трудоустроена"})
    person = employment.get(f"/registers/persons/{p.BLH_JOBSEEKER}?on=2013-02-04")
    assert person["unemployed"]["inForce"] is None and len(person["unemployed"]["registrations"]) == 1
    assert employment.get(f"/registers/persons/{p.BLH_JOBSEEKER}?on=2013-01-20")["unemployed"]["inForce"]
    r = veterans.call("POST", f"/registers/medical/{p.BLH_JOBSEEKER}/contraindications",
                      {"measure": "SANATORIUM", "since": "2013-13-01"})
    assert r.status_code == 422 and error(r.json())["field"] == "since"
    r = veterans.call("POST", f"/registers/medical/{p.BLH_JOBSEEKER}/iprs",
                      {"number": "ИПР-1", "issuedOn": "2013-01-01", "measures": ["PROSTHETIC", "FLYING"]})
    assert r.status_code == 422 and error(r.json())["field"] == "measures[1]"
    r = head.call("POST", f"/registers/medical/{p.BLH_JOBSEEKER}/statuses", {"status": "PENSIONER", "since": "2013-01-01"})
    assert r.status_code == 403
    r = veterans.call("POST", "/registers/compensations", {"iin": p.NOT_REGISTERED, "paidOn": "2013-01-01",
                                                           "amount": 1000})
    assert r.status_code == 404 and error(r.json())["code"] == "PERSON_NOT_FOUND"
    r = veterans.call("POST", "/registers/compensations", {"iin": p.BLH_SEMIPALATINSK, "paidOn": "2013-01-01",
                                                           "amount": "12.345"})
    assert r.status_code == 422 and error(r.json())["field"] == "amount"
    # The akim's staff read the registers; the history names every writer.
    person = live.uo("konyrat.akim").get(f"/registers/persons/{p.BLH_JOBSEEKER}")
    assert [h["action"] for h in person["history"]] == ["register", "deregister"]
    assert {h["actor"] for h in person["history"]} == {"blh.employment.officer"}


def test_a_household_entered_and_computed(live):
    benefits = live.uo("blh.benefits.specialist")
    h = benefits.post("/registers/households", {"applicantIin": p.BLH_JOBSEEKER, "activity": "NOT_WORKING"}, expect=201)
    r = benefits.call("POST", f"/registers/households/{h['id']}/members",
                      {"iin": p.BLH_CHILD_A, "relation": "CHILD", "activity": "CHILD"})
    assert r.status_code == 409 and error(r.json())["code"] == "ALREADY_IN_HOUSEHOLD"  # household A's child
    r = benefits.call("POST", f"/registers/households/{h['id']}/members",
                      {"iin": p.BLH_ELDERLY_LONE, "relation": "PARENT", "activity": "CARING"})
    assert r.status_code == 422 and error(r.json())["field"] == "caresFor"
    r = benefits.call("PUT", "/registers/incomes", {"incomes": [
        {"iin": p.BLH_JOBSEEKER, "month": "2012-10", "kind": "BENEFIT", "amount": 9000},
        {"iin": p.BLH_JOBSEEKER, "month": "2012-13", "kind": "BENEFIT", "amount": 9000}]})
    assert r.status_code == 422 and error(r.json())["field"] == "incomes[1].month"
    benefits.put("/registers/incomes", {"incomes": [
        {"iin": p.BLH_JOBSEEKER, "month": m, "kind": "BENEFIT", "amount": "7464"} for m in ("2012-11", "2012-12")]})
    view = benefits.get(f"/registers/households/{h['id']}?on=2013-02-04")
    # October's 9000 was entered before the bad row: each row is committed on its own.
    assert view["perCapita"]["totalIncome"] == "23928.00" and view["perCapita"]["perCapitaIncome"] == "7976.00"
    assert view["perCapita"]["undeclared"] == []
    assessment = benefits.get(f"/registers/persons/{p.BLH_JOBSEEKER}/assessment?service=7&on=2013-02-04")
    income = next(c for c in assessment["checks"] if c["code"] == "PER_CAPITA_INCOME")
    assert income["passed"] is False and income["detail"]["comparison"] == "превышает"


def test_quarterly_confirmation_and_termination(live):
    spec, sector, head = live.uo("blh.benefits.specialist"), live.uo("blh.benefits.head"), live.uo("blh.head")
    from tests.support.balkhash import S6_DOCUMENTS

    n = spec.post("/cases", {"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "documents": S6_DOCUMENTS},
                  expect=201)["number"]
    head.post(f"/cases/{n}/order_survey")
    live.uo("blh.commission").post(f"/cases/{n}/survey")
    spec.post(f"/cases/{n}/accept_conclusion")
    spec.post(f"/cases/{n}/draft", {"outcome": "grant"})
    sector.post(f"/cases/{n}/visa")
    number = head.post(f"/cases/{n}/decide")["assignment"]
    r = head.call("POST", f"/registers/assignments/{number}/confirm", {"quarter": "2013Q2"})
    assert r.status_code == 403
    confirmed = spec.post(f"/registers/assignments/{number}/confirm", {"quarter": "2013Q2"})
    assert confirmed["endsOn"] == "2013-06-30" and confirmed["confirmations"][0]["outcome"] == "CONFIRMED"
    r = spec.call("POST", f"/registers/assignments/{number}/confirm", {"quarter": "2013Q2"})
    assert r.status_code == 409 and error(r.json())["code"] == "ALREADY_CONFIRMED"
    # The mother's income of Q2 rises above the food basket: Q3 is not confirmed.
    spec.put("/registers/incomes", {"incomes": [
        {"iin": p.BLH_MOTHER_LOW, "month": m, "kind": "SALARY", "amount": 90000}
        for m in ("2013-04", "2013-05", "2013-06")]})
    refused = spec.post(f"/registers/assignments/{number}/confirm", {"quarter": "2013Q3"})
    assert refused["status"] == "NOT_CONFIRMED" and refused["endsOn"] == "2013-06-30"
    # Termination grounds are service 6's; the child's death must be in ГБД ФЛ.
    n2 = spec.post("/cases", {"service": 6, "applicant": {"iin": p.BLH_MOTHER_AT_BASKET}, "documents": S6_DOCUMENTS},
                   expect=201)["number"]
    assert n2
    r = head.call("POST", f"/registers/assignments/{number}/terminate", {"ground": "CHILD_DEATH",
                                                                         "childIin": p.BLH_CHILD_A})
    assert r.status_code == 409  # NOT_CONFIRMED already
    r = head.call("POST", "/registers/assignments/BLH-NZN-2013-999999/terminate", {"ground": "CHILD_DEATH"})
    assert r.status_code == 404


def test_termination_of_an_active_benefit(live):
    spec, head = live.uo("blh.benefits.specialist"), live.uo("blh.head")
    desk = live.department.registers.payments
    a = desk.assign(service=6, iin=p.BLH_MOTHER_LOW, case_number="TEST-1", starts_on="2013-02-01",
                    ends_on="2013-03-31", monthly_amount="3462", actor="test")
    r = head.call("POST", f"/registers/assignments/{a.number}/terminate", {"ground": "CHILD_DEATH",
                                                                           "childIin": p.BLH_CHILD_A})
    assert r.status_code == 422 and error(r.json())["code"] == "GROUND_NOT_BORNE_OUT"
    r = head.call("POST", f"/registers/assignments/{a.number}/terminate", {"ground": "MASLIKHAT_SUSPENSION"})
    assert r.status_code == 422 and error(r.json())["field"] == "ground"
    r = head.call("POST", f"/registers/assignments/{a.number}/terminate", {"ground": "FULL_STATE_SUPPORT"})
    assert r.status_code == 422 and error(r.json())["code"] == "GROUND_NOT_BORNE_OUT"  # no status, no finding
    review = head.get(f"/registers/assignments/{a.number}/review")
    assert review["eligible"] and [c["code"] for c in review["checks"]] == [
        "CHILD_ALIVE", "NOT_ON_STATE_SUPPORT", "PARENTAL_RIGHTS_HELD"]
    r = spec.call("POST", f"/registers/assignments/{a.number}/terminate", {"ground": "FULL_STATE_SUPPORT",
                                                                           "reasonText": "x"})
    assert r.status_code == 403
    done = head.post(f"/registers/assignments/{a.number}/terminate",
                     {"ground": "FULL_STATE_SUPPORT", "on": "2013-03-01", "reasonText": "ребенок помещен в детский дом"})
    assert (done["status"], done["endsOn"], done["ground"]) == ("TERMINATED", "2013-03-01", "FULL_STATE_SUPPORT")


def test_the_review_reads_the_grounds_of_termination_from_the_registers(live):
    """Service 6 §10: a child placed on full state support is a ground the registers bear out."""
    head, veterans = live.uo("blh.head"), live.uo("blh.veterans.specialist")
    desk = live.department.registers.payments
    a = desk.assign(service=6, iin=p.BLH_MOTHER_LOW, case_number="TEST-2", starts_on="2013-02-01",
                    ends_on="2013-03-31", monthly_amount="3462", actor="test")
    veterans.post(f"/registers/medical/{p.BLH_CHILD_A}/statuses", {"status": "FULL_STATE_SUPPORT",
                                                                   "since": "2013-01-02"}, expect=201)
    review = head.get(f"/registers/assignments/{a.number}/review")
    failed = [c["code"] for c in review["checks"] if not c["passed"]]
    assert not review["eligible"] and failed == ["NOT_ON_STATE_SUPPORT"]
    done = head.post(f"/registers/assignments/{a.number}/terminate", {"ground": "FULL_STATE_SUPPORT", "on": "2013-03-01"})
    assert (done["status"], done["ground"]) == ("TERMINATED", "FULL_STATE_SUPPORT")
    r = head.call("GET", "/registers/assignments/BLH-NZN-2013-999999/review")
    assert r.status_code == 404
