"""The term model on every day of 2025-2027: each result's and receipt's due, counted by the
product's calendar, is the one an independent day-by-day count gives, across every holiday,
transferred day off and working Saturday or Sunday."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.clock import ALMATY
from egov_sim.core.days_off import kazakhstan
from egov_sim.reference.terms import procedure_for
from tests.support.holidays_kz import (
    YEARS,
    eves,
    is_working_day,
    next_working_day,
    transferred_working_days,
    working_day_after,
)

GUARDIAN, SOCIAL = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR", "SIM_SOCIAL_ASSISTANCE_ALMATY_OBL"
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range((dt.date(2027, 12, 31) - dt.date(2025, 1, 1)).days + 1)]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ALMATY)


def test_the_calendar_is_the_independent_counts():
    days_off = kazakhstan()
    assert [d for d in DAYS if days_off.is_day_off(d) == is_working_day(d)] == []


def test_every_named_holiday_of_the_three_years_is_swept():
    names = " ".join(n for _, n in eves())
    for holiday in ("New Year", "Women's Day", "Nowruz", "Solidarity", "Defender of the Fatherland",
                    "Victory Day", "Capital Day", "Constitution Day", "Republic Day", "Independence Day",
                    "Eid al-Adha", "Orthodox Christmas", "Day off (substituted"):
        assert holiday in names, holiday
    assert transferred_working_days() == [dt.date(2025, 1, 5)]
    assert len(eves()) >= 33


@pytest.mark.parametrize("year", YEARS)
def test_002_dues_on_every_working_day_of_the_year(year):
    """A request handed in at 10:00: App.1's 9 wd 30 min end at 10:30 on the 9th working day
    after; through the ЦОН (accepted at 10:15) the receipt adds the transfers (1 wd at the
    provider, 1 wd of the ЦОН) and 15 min: 11:00 on the 11th."""
    p = procedure_for(GUARDIAN)
    for day in (d for d in DAYS if d.year == year and is_working_day(d)):
        assert p.result_due("office", at(day, 10)).due == at(working_day_after(day, 9), 10, 30), day
        assert p.receipt_due("con", at(day, 10, 15)).due == at(working_day_after(day, 11), 11, 0), day


@pytest.mark.parametrize("year", YEARS)
def test_000_dues_on_every_day_of_the_year(year):
    """Handed in at 10:00 on a working day: drawn up by 10:00 on the 7th working day after (4th
    at a rural akim); issued 5 h later (the provider: 16:00) or 1 wd + 2 wd + 30 min (the akim).
    Handed in on a day off, the terms count from the next opening: 7 wd from 09:00 end at the
    closing of the 7th working day, that day the first."""
    district, akim = procedure_for(SOCIAL, "akimat"), procedure_for(SOCIAL, "rural_akim")
    for day in (d for d in DAYS if d.year == year):
        dues = {d.term.id: d.due for d in district.dues("office", at(day, 10))}
        akim_dues = {d.term.id: d.due for d in akim.dues("akim", at(day, 10))}
        if is_working_day(day):
            assert dues["drawn_up"] == at(working_day_after(day, 7), 10), day
            assert dues["issued"] == at(working_day_after(day, 7), 16), day
            assert akim_dues["drawn_up"] == at(working_day_after(day, 4), 10), day
            assert akim_dues["issued"] == at(working_day_after(day, 7), 10, 30), day
        else:
            opening = next_working_day(day)
            assert dues["drawn_up"] == at(working_day_after(opening, 6), 18), day
            assert dues["issued"] == at(working_day_after(opening, 7), 15), day
            assert akim_dues["drawn_up"] == at(working_day_after(opening, 3), 18), day
            assert akim_dues["issued"] == at(working_day_after(opening, 7), 9, 30), day
