"""Every service's checks read from the registers, for the personas, in 2013 and in 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.adapters.social import Facts
from egov_sim.reference import personas as p
from egov_sim.reference.balkhash_services import service

Y2013, Y2026 = dt.date(2013, 2, 4), dt.date(2026, 2, 2)


def assess(registers, number, iin, on=Y2013, **kw):
    return registers.assessor.assess(Facts(service(number), iin, on, **kw))


@pytest.mark.parametrize("on", [Y2013, Y2026], ids=["2013", "2026"])
@pytest.mark.parametrize("number, iin, extra, grounds", [
    (3, p.BLH_UNEMPLOYED, {}, ()),
    (3, p.BLH_JOBSEEKER, {}, ("NOT_REGISTERED_UNEMPLOYED",)),
    (6, p.BLH_MOTHER_LOW, {}, ()),
    (6, p.BLH_MOTHER_HIGH, {}, ("INCOME_ABOVE_FOOD_BASKET",)),
    (6, p.BLH_MOTHER_C, {}, ("EMPLOYMENT_CONDITION",)),
    (6, p.BLH_MOTHER_AT_BASKET, {}, ("INCOME_ABOVE_FOOD_BASKET",)),
    (7, p.BLH_SINGLE_AT_LINE, {}, ()),
    (7, p.BLH_MOTHER_C, {}, ("NOT_REGISTERED_OR_REFUSED_MEASURES",)),
    (7, p.BLH_KONYRAT_RESIDENT, {}, ()),
    (7, p.BLH_MOTHER_HIGH, {}, ("INCOME_ABOVE_POVERTY_LINE",)),
    (11, p.BLH_PENSIONER_HOUSING, {}, ()),
    (11, p.BLH_HOUSING_WITHIN_SHARE, {}, ("HOUSING_SHARE_NOT_EXCEEDED",)),
    (4, p.BLH_DISABLED_PROSTHETIC, {}, ()),
    (4, p.BLH_CONTRAINDICATED, {}, ("MEDICAL_CONTRAINDICATIONS",)),
    (4, p.BLH_JOBSEEKER, {}, ("NOT_ENTITLED",)),
    (5, p.BLH_HEARING_IMPAIRED, {"subtype": "surdo"}, ()),
    (5, p.BLH_HEARING_IMPAIRED, {"subtype": "tiflo"}, ("NOT_ENTITLED",)),
    (5, p.BLH_DISABLED_MOBILITY, {"subtype": "hygiene"}, ()),
    (8, p.BLH_DISABLED_MOBILITY, {"subtype": "personal_assistant"}, ()),
    (8, p.BLH_HEARING_IMPAIRED, {"subtype": "sign_language"}, ()),
    (8, p.BLH_HEARING_IMPAIRED, {"subtype": "personal_assistant"}, ("NOT_ENTITLED",)),
    (9, p.BLH_DISABLED_PROSTHETIC, {}, ()),
    (10, p.BLH_CONTRAINDICATED, {}, ("MEDICAL_CONTRAINDICATIONS",)),
    (12, p.BLH_VOV_VETERAN, {}, ()),
    (13, p.BLH_ELDERLY_LONE, {"flags": frozenset({"elderly"})}, ()),
    (13, p.BLH_JOBSEEKER, {"flags": frozenset({"elderly"})}, ("NOT_ENTITLED",)),
    (14, p.BLH_PARENT_OF_DISABLED_CHILD, {"subject_iin": p.BLH_DISABLED_CHILD}, ()),
    (14, p.BLH_MOTHER_LOW, {"subject_iin": p.BLH_DISABLED_CHILD}, ("NOT_ENTITLED",)),
    (15, p.BLH_VOV_VETERAN, {"form": {"socialStatus": "VOV_PARTICIPANT"}}, ()),
    (15, p.BLH_JOBSEEKER, {"form": {"socialStatus": "VOV_PARTICIPANT"}}, ("NOT_IN_MASLIKHAT_CATEGORY",)),
    (15, p.BLH_JOBSEEKER, {"form": {"socialStatus": "UNEMPLOYED"}}, ("NOT_IN_MASLIKHAT_CATEGORY",)),
    (2, p.BLH_SEMIPALATINSK, {"form": {"residencePeriods": [{"from": 1955, "to": 1968}]}}, ()),
    (2, p.BLH_SEMIPALATINSK_PAID, {"form": {"residencePeriods": [{"from": 1949, "to": 1962}]}}, ("ALREADY_COMPENSATED",)),
    (2, p.BLH_SEMIPALATINSK, {"form": {"residencePeriods": [{"from": 1991, "to": 1999}]}}, ("INCOMPLETE_OR_UNRELIABLE",)),
])
def test_the_personas_checks(registers, on, number, iin, extra, grounds):
    assert assess(registers, number, iin, on, **extra).refusal_grounds == grounds


@pytest.mark.parametrize("on, grounds", [(Y2013, ("REFUSED_OFFERED_EMPLOYMENT",)), (Y2026, ())])
def test_service_7_refused_offer_within_the_year_before(registers, on, grounds):
    assert assess(registers, 7, p.BLH_UNEMPLOYED, on).refusal_grounds == grounds


def test_caring_for_a_child_under_three_exempts_a_parent(registers):
    registers.unemployed.deregister(p.BLH_FATHER_REGISTERED, "2013-01-01", reason="снят с учета", actor="test")
    assert assess(registers, 6, p.BLH_MOTHER_LOW).refusal_grounds == ("EMPLOYMENT_CONDITION",)
    registers.households.update_member(p.BLH_FATHER_REGISTERED, activity="CARING", cares_for=p.BLH_CHILD_A_SMALL,
                                       actor="test")
    assert assess(registers, 6, p.BLH_MOTHER_LOW).eligible  # she is 1 year old in 2013
    assert assess(registers, 6, p.BLH_MOTHER_LOW, Y2026).refusal_grounds == ("EMPLOYMENT_CONDITION",)  # 14 in 2026
    # Service 7 exempts carers of children under 7: in 2013 the same; the caring check reads ГБД ФЛ's birth date.
    assert assess(registers, 7, p.BLH_MOTHER_LOW).eligible


def test_inpatient_treatment_over_a_month_exempts(registers):
    registers.households.update_member(p.BLH_FATHER_IDLE, activity="INPATIENT", activity_since="2013-01-10",
                                       actor="test")
    assert assess(registers, 7, p.BLH_MOTHER_C, dt.date(2013, 2, 4)).refusal_grounds == ("NOT_REGISTERED_OR_REFUSED_MEASURES",)
    assert assess(registers, 7, p.BLH_MOTHER_C, dt.date(2013, 2, 11)).eligible  # 32 days in hospital
