"""The per-capita income and the housing share as the regulations define them, at every boundary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from egov_sim.adapters.social.households import Expense, Household, Income, Member
from egov_sim.adapters.social.income import housing_share, per_capita_income, previous_quarter

Q4 = ("2012-10", "2012-11", "2012-12")


def household(members: int, incomes: list[tuple[int, str, str]], expenses: list[tuple[str, str]] = ()) -> Household:
    iins = [f"{i:012d}" for i in range(members)]
    return Household(1, iins[0], None, tuple(Member(i, "APPLICANT" if k == 0 else "CHILD", "WORKING", None, None)
                                             for k, i in enumerate(iins)),
                     tuple(Income(iins[m], month, "SALARY", Decimal(a)) for m, month, a in incomes),
                     tuple(Expense(month, "UTILITIES", Decimal(a)) for month, a in expenses))


@pytest.mark.parametrize("on, months", [
    (dt.date(2013, 2, 4), Q4), (dt.date(2013, 1, 1), Q4), (dt.date(2013, 3, 31), Q4),
    (dt.date(2013, 4, 1), ("2013-01", "2013-02", "2013-03")), (dt.date(2012, 12, 31), ("2012-07", "2012-08", "2012-09")),
])
def test_the_income_period_is_the_previous_quarter(on, months):
    assert previous_quarter(on) == months


def test_a_household_of_one_divides_by_one():
    pc = per_capita_income(household(1, [(0, m, "7464") for m in Q4]), Q4)
    assert pc.per_capita == Decimal("7464.00") and pc.compare(Decimal("7464")) == 0
    assert pc.compare(Decimal("7464.01")) == -1 and pc.compare(Decimal("7463.99")) == 1


def test_every_member_counts_and_an_undeclared_month_is_zero():
    pc = per_capita_income(household(4, [(0, "2012-10", "15000"), (0, "2012-11", "15000")]), Q4)
    assert pc.total == Decimal("30000") and pc.per_capita == Decimal("2500.00")
    assert ("000000000000", "2012-12") in pc.undeclared and len(pc.undeclared) == 3 * 4 - 2


def test_the_comparison_is_exact_not_rounded():
    # 10000 over 3 members and 3 months: 1111.111…, shown as 1111.11 but above 1111.11.
    pc = per_capita_income(household(3, [(0, "2012-10", "10000")]), Q4)
    assert pc.per_capita == Decimal("1111.11") and pc.compare(Decimal("1111.11")) == 1
    assert pc.compare(Decimal("1111.12")) == -1


def test_housing_share_and_its_equality():
    h = household(1, [(0, m, "25000") for m in Q4], [(m, "2500") for m in Q4])
    hs = housing_share(h, Q4, Decimal("0.10"))
    assert hs.compare() == 0 and hs.excess == Decimal("0.00")
    over = housing_share(household(1, [(0, m, "25000") for m in Q4], [(m, "5000") for m in Q4]), Q4, Decimal("0.10"))
    assert over.compare() == 1 and over.excess == Decimal("2500.00") and over.expense_months == Q4
    none = housing_share(household(1, [(0, m, "25000") for m in Q4]), Q4, Decimal("0.10"))
    assert none.compare() == -1 and none.excess == Decimal("0.00")
