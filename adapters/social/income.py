"""Per-capita income and the housing-expense share, computed as the regulations define them.

Service 6 §1 and service 7 п.1: "среднедушевой доход – доля совокупного дохода семьи,
приходящегося на каждого члена семьи в месяц" — the family's total income, per member, per
month. The period the income is taken over is set by acts outside the seed (the Rules of ПП
No. 1092 for service 6, Приказ No. 237-п for service 7, the Rules of ПП No. 2314 for service 11):
the quarter preceding the quarter of application [inferred, UNVERIFIED; docs/balkhash.md].

Rules at every boundary (documented, tested):

* the members counted are the household's members on the day of application, every one of
  them (children included); a household of one divides by one;
* a month without an income record of a member counts as zero for that member (the family's
  statement declares incomes; none declared is none received) and is listed as ``undeclared``;
* comparisons with a threshold are exact (fractions of a tiyn are not rounded away): the
  per-capita income is ``total / (members × months)``; the figure shown is rounded half-up to
  the tiyn;
* housing: the family's monthly income and its monthly expenses within the norms are averages
  over the same three months; assistance is paid when the expenses *exceed* the permissible
  share (equality is a reading, see Readings.s11_share_equal) and equals the excess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .households import Household

TIYN = Decimal("0.01")


def money(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(TIYN, rounding=ROUND_HALF_UP)


def previous_quarter(on: dt.date) -> tuple[str, ...]:
    """The three months of the quarter before the quarter of ``on``: 2013-02-04 → 2012-10..12."""
    q_start = dt.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    months = []
    day = q_start
    for _ in range(3):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        months.append(day.strftime("%Y-%m"))
    return tuple(reversed(months))


@dataclass(frozen=True)
class PerCapita:
    period: tuple[str, ...]
    members: tuple[str, ...]
    total: Decimal
    exact: Fraction
    undeclared: tuple[tuple[str, str], ...]

    @property
    def per_capita(self) -> Decimal:
        return money(self.exact)

    def compare(self, threshold: Decimal) -> int:
        """-1 below, 0 equal, 1 above the threshold (exactly)."""
        t = Fraction(threshold)
        return (self.exact > t) - (self.exact < t)

    def to_json(self) -> dict:
        return {"period": list(self.period), "members": list(self.members), "memberCount": len(self.members),
                "months": len(self.period), "totalIncome": str(money(self.total)),
                "perCapitaIncome": str(self.per_capita),
                "undeclared": [{"iin": i, "month": m} for i, m in self.undeclared]}


def per_capita_income(household: Household, period: tuple[str, ...]) -> PerCapita:
    members = tuple(m.iin for m in household.members)
    if not members:
        raise ValueError("a household has at least its applicant")
    total = sum((i.amount for i in household.incomes if i.month in period and i.iin in members), Decimal(0))
    declared = {(i.iin, i.month) for i in household.incomes}
    undeclared = tuple((m, month) for m in members for month in period if (m, month) not in declared)
    exact = Fraction(total) / (len(members) * len(period))
    return PerCapita(period, members, total, exact, undeclared)


@dataclass(frozen=True)
class HousingShare:
    period: tuple[str, ...]
    family_income: Fraction
    """Average monthly income of the whole family over the period."""
    expenses: Fraction
    """Average monthly housing expenses within the norms over the period."""
    share: Decimal
    expense_months: tuple[str, ...]

    @property
    def permissible(self) -> Fraction:
        return self.family_income * Fraction(self.share)

    def compare(self) -> int:
        """1 when the expenses exceed the permissible share, 0 at it, -1 within it."""
        return (self.expenses > self.permissible) - (self.expenses < self.permissible)

    @property
    def excess(self) -> Decimal:
        return money(max(self.expenses - self.permissible, Fraction(0)))

    def to_json(self) -> dict:
        return {"period": list(self.period), "familyIncomeMonthly": str(money(self.family_income)),
                "housingExpensesMonthly": str(money(self.expenses)), "share": str(self.share),
                "permissibleExpenses": str(money(self.permissible)), "excess": str(self.excess),
                "monthsWithExpenses": list(self.expense_months)}


def housing_share(household: Household, period: tuple[str, ...], share: Decimal) -> HousingShare:
    members = {m.iin for m in household.members}
    income = sum((Fraction(i.amount) for i in household.incomes if i.month in period and i.iin in members),
                 Fraction(0)) / len(period)
    expenses = sum((Fraction(e.amount) for e in household.expenses if e.month in period), Fraction(0)) / len(period)
    months = tuple(sorted({e.month for e in household.expenses if e.month in period}))
    return HousingShare(period, income, expenses, share, months)
