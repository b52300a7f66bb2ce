"""The working-time clock: Kazakhstan's days off, office hours, and the duration conventions."""

from __future__ import annotations

import datetime as dt
import random

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_sim.core.clock import ALMATY
from egov_sim.core.days_off import DECREE_TRANSFERS, DaysOff, Transfer, kazakhstan
from egov_sim.core.working_time import (
    ALWAYS,
    CON_HOURS,
    PROVIDER_HOURS,
    Counting,
    DurationError,
    HoursError,
    Span,
    WorkingHours,
    WorkingTime,
    parse_duration,
)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


office = WorkingTime(PROVIDER_HOURS)
con = WorkingTime(CON_HOURS)
portal = WorkingTime(ALWAYS)


def add(wt: WorkingTime, start: dt.datetime, text: str, **kw) -> dt.datetime:
    return wt.add(start, parse_duration(text), **kw)


# --- days off ---------------------------------------------------------------------------------

def test_weekend_is_skipped():
    assert add(office, at(2025, 6, 13, 17, 30), "1 h") == at(2025, 6, 16, 9, 30)  # Fri → Mon


def test_kurban_ait_moves_with_the_islamic_calendar():
    days = kazakhstan()
    assert "Eid al-Adha" in days.holiday(dt.date(2025, 6, 6))
    assert "Eid al-Adha" in days.holiday(dt.date(2024, 6, 16))
    assert not office.is_working_day(dt.date(2025, 6, 6))
    # Thursday 17:50 + 30 min: Friday is Kurban Ait, then the weekend.
    assert add(office, at(2025, 6, 5, 17, 50), "30 min") == at(2025, 6, 9, 9, 20)


def test_religious_holidays_on_a_weekend_are_not_moved():
    # Kurban Ait 2024 fell on Sunday 16 June, Orthodox Christmas 2023 on Saturday 7 January.
    assert office.is_working_day(dt.date(2024, 6, 17))
    assert office.is_working_day(dt.date(2023, 1, 9))


def test_orthodox_christmas_is_a_day_off():
    assert "Christmas" in kazakhstan().holiday(dt.date(2025, 1, 7))
    assert not office.is_working_day(dt.date(2025, 1, 7))


def test_a_holiday_on_a_weekend_is_observed_on_monday():
    assert not office.is_working_day(dt.date(2025, 3, 10))  # Women's Day was Saturday 8 March
    assert not office.is_working_day(dt.date(2025, 9, 1))  # Constitution Day was Saturday 30 August


def test_transferred_day_off_and_working_sunday():
    # Decree: Friday 3 January 2025 is a day off, Sunday 5 January a working day.
    assert not office.is_working_day(dt.date(2025, 1, 3))
    assert office.is_working_day(dt.date(2025, 1, 5))
    assert not office.is_working_day(dt.date(2025, 1, 4))
    # 31 December 17:45 + 30 min: 1-2 January holidays, 3rd moved, Saturday, then working Sunday.
    assert add(office, at(2024, 12, 31, 17, 45), "30 min") == at(2025, 1, 5, 9, 15)
    # 2024: Saturday 4 May worked, Wednesday 8 May off.
    assert office.is_working_day(dt.date(2024, 5, 4))
    assert not office.is_working_day(dt.date(2024, 5, 8))


@pytest.mark.parametrize("transfer", DECREE_TRANSFERS, ids=lambda t: str(t.day_off.year))
def test_the_decree_table_agrees_with_the_holidays_package(transfer):
    kz = holidays.country_holidays("KZ", years=transfer.day_off.year)
    assert transfer.day_off in kz
    assert transfer.working_day in kz.weekend_workdays


def test_a_table_transfer_missing_from_holidays_still_counts():
    days = DaysOff((Transfer(dt.date(2031, 5, 2), dt.date(2031, 5, 10), "test decree"),))
    wt = WorkingTime(PROVIDER_HOURS, days_off=days)
    assert not wt.is_working_day(dt.date(2031, 5, 2))  # a Friday
    assert wt.is_working_day(dt.date(2031, 5, 10))  # a Saturday


# --- hours --------------------------------------------------------------------------------------

def test_lunch_break_is_not_working_time():
    assert add(office, at(2025, 6, 2, 12, 30), "1 h") == at(2025, 6, 2, 14, 30)
    assert add(office, at(2025, 6, 2, 13, 15), "30 min") == at(2025, 6, 2, 14, 30)
    assert office.next_working_moment(at(2025, 6, 2, 13, 5)) == at(2025, 6, 2, 14, 0)


def test_con_works_until_eight_without_a_break():
    assert add(con, at(2025, 6, 2, 13, 30), "15 min") == at(2025, 6, 2, 13, 45)
    assert add(con, at(2025, 6, 2, 19, 50), "15 min") == at(2025, 6, 3, 9, 5)
    assert con.hours.minutes_per_day == 11 * 60


def test_the_portal_is_always_open():
    assert add(portal, at(2025, 6, 6, 23, 50), "30 min") == at(2025, 6, 7, 0, 20)  # Kurban Ait night
    assert portal.is_working_day(dt.date(2025, 1, 1))


def test_saturday_office():
    wt = WorkingTime("09:00-20:00 mon-sat")
    assert add(wt, at(2025, 6, 14, 19, 30), "15 min") == at(2025, 6, 14, 19, 45)  # Saturday
    assert add(wt, at(2025, 6, 14, 19, 50), "15 min") == at(2025, 6, 16, 9, 5)  # Sunday closed


def test_start_before_opening_and_at_closing():
    assert add(office, at(2025, 6, 2, 7, 0), "30 min") == at(2025, 6, 2, 9, 30)
    assert add(office, at(2025, 6, 2, 18, 0), "30 min") == at(2025, 6, 3, 9, 30)


@pytest.mark.parametrize("text", ["9-18", "18:00-09:00", "09:00-18:00/19:00-20:00", "09:00-18:00 weekends",
                                  "09:00-25:00", "09:00-18:00/13:00-14:00/13:30-14:30"])
def test_bad_hours_are_refused(text):
    with pytest.raises(HoursError):
        WorkingHours.parse(text)


def test_hours_parse():
    h = WorkingHours.parse("09:00-18:30/13:00-14:30")
    assert h.periods == ((540, 780), (870, 1110)) and h.minutes_per_day == 480


# --- the wd convention --------------------------------------------------------------------------

def test_one_working_day_from_monday_ten_is_tuesday_ten():
    assert add(office, at(2025, 6, 2, 10), "1 wd") == at(2025, 6, 3, 10)


def test_n_working_days_from_the_opening_end_at_the_closing_of_the_nth_day():
    assert add(office, at(2025, 6, 2, 9), "1 wd") == at(2025, 6, 2, 18)
    assert add(office, at(2025, 6, 9, 9), "5 wd") == at(2025, 6, 13, 18)  # Monday to Friday
    assert add(office, at(2025, 6, 2, 9), "4 wd") == at(2025, 6, 5, 18)
    assert add(office, at(2025, 6, 2, 9), "5 wd") == at(2025, 6, 9, 18)  # Friday 6 June is Kurban Ait


def test_a_working_day_at_the_con_is_its_eleven_hours():
    assert add(con, at(2025, 6, 2, 9), "1 wd") == at(2025, 6, 2, 20)


def test_compound_durations_compose():
    start = at(2025, 6, 2, 9)
    whole = add(office, start, "9 wd 30 min")
    assert whole == add(office, add(office, start, "9 wd"), "30 min") == at(2025, 6, 16, 9, 30)


def test_calendar_days_ignore_hours_and_holidays():
    assert add(office, at(2025, 6, 5, 10), "2 cd") == at(2025, 6, 7, 10)


def test_zero_and_no_duration_leave_the_clock():
    t = at(2025, 6, 7, 3)  # a Saturday night
    assert office.add(t, None) == t
    assert office.advance(t, 0) == t


def due(wt: WorkingTime, start: dt.datetime, text: str, **kw) -> dt.datetime:
    return wt.due(start, parse_duration(text), **kw)


def test_a_term_from_the_moment_is_the_working_clock():
    assert due(office, at(2025, 6, 2, 10), "7 wd") == add(office, at(2025, 6, 2, 10), "7 wd") == at(2025, 6, 12, 10)  # Friday 6 June is Kurban Ait


def test_a_term_from_the_next_day_expires_at_the_closing_of_its_last_day():
    nd = Counting.NEXT_DAY
    assert due(office, at(2025, 6, 2, 10), "1 wd", counting=nd) == at(2025, 6, 3, 18)
    assert due(office, at(2025, 6, 5, 10), "1 wd", counting=nd) == at(2025, 6, 9, 18)  # Friday is Kurban Ait
    # calendar days: the 10th day is Saturday 14 June, so the term runs to Monday's closing
    assert due(office, at(2025, 6, 4, 10), "10 cd", counting=nd) == at(2025, 6, 16, 18)


def test_the_day_of_issue_not_counted_moves_the_expiry_a_working_day():
    nd = Counting.NEXT_DAY
    assert due(office, at(2025, 6, 2, 10), "1 wd", counting=nd, end_day_excluded=True) == at(2025, 6, 4, 18)
    # Wed, Thu, (Kurban Ait), Mon: the third day; the day of issue not counted: Tuesday
    assert due(office, at(2025, 6, 3, 10), "3 wd", counting=nd, end_day_excluded=True) == at(2025, 6, 10, 18)


def test_a_con_open_monday_to_saturday_counts_saturdays():
    con_sat = WorkingTime("09:00-20:00 mon-sat")
    assert con_sat.is_working_day(dt.date(2025, 6, 14))  # a Saturday
    assert not con_sat.is_working_day(dt.date(2025, 6, 15))
    assert not con_sat.is_working_day(dt.date(2025, 6, 6))  # Kurban Ait on a Friday
    assert due(con_sat, at(2025, 6, 13, 10), "1 wd", counting=Counting.NEXT_DAY) == at(2025, 6, 14, 20)


def test_a_decree_working_saturday_may_be_left_uncounted():
    counted, ignored = WorkingTime(PROVIDER_HOURS), WorkingTime(PROVIDER_HOURS, weekend_workdays=False)
    sunday = dt.date(2025, 1, 5)  # a working day by decree (3 January moved to it)
    assert counted.is_working_day(sunday) and not ignored.is_working_day(sunday)
    assert due(ignored, at(2025, 1, 3, 10), "1 wd", counting=Counting.NEXT_DAY) == at(2025, 1, 6, 18)


def test_spans_compare_sums_with_a_term_without_a_date():
    table = Span.of(parse_duration("30 min")) + Span.of(parse_duration("30 min")) + Span.of(parse_duration("7 wd"))
    assert table.text() == "7 wd 1 h"
    assert table.exceeds(Span.of(parse_duration("7 wd")), 480)
    assert not Span.of(parse_duration("7 wd")).exceeds(Span.of(parse_duration("7 wd")), 480)
    # 19 wd cannot fit in 20 calendar days (seed 001, service 2): five working days take a week
    assert Span.of(parse_duration("19 wd")).exceeds(Span.of(parse_duration("20 cd")), 480)
    assert not Span.of(parse_duration("10 wd")).exceeds(Span.of(parse_duration("20 cd")), 480)


def test_aware_datetimes_only():
    with pytest.raises(ValueError, match="aware"):
        office.add(dt.datetime(2025, 6, 2, 10), parse_duration("1 h"))


def test_other_time_zones_are_converted():
    utc = dt.datetime(2025, 6, 2, 5, 0, tzinfo=dt.UTC)  # 10:00 in Kazakhstan
    assert add(office, utc, "1 h") == at(2025, 6, 2, 11)


# --- durations ----------------------------------------------------------------------------------

def test_parse_durations():
    d = parse_duration("<= 6 wd")
    assert (d.amount, d.unit, d.within) == (6, "wd", True)
    d = parse_duration("within 15 min")
    assert (d.amount, d.unit, d.within) == (15, "min", True)
    d = parse_duration("7 wd 1.5 h")
    assert (d.amount, d.unit, d.plus[0].amount, d.plus[0].unit, d.text) == (7, "wd", 1.5, "h", "7 wd 1.5 h")


@pytest.mark.parametrize("text", ["", "30", "30 mins", "min 30", "6 wd 1 wd", "30 min 1 wd", "0 h", "-1 h",
                                  "1 week"])
def test_bad_durations_are_refused(text):
    with pytest.raises(DurationError):
        parse_duration(text)


# --- sampling -----------------------------------------------------------------------------------

def test_sampled_is_within_the_maximum_and_deterministic_by_seed():
    start = at(2025, 6, 2, 10)
    d = parse_duration("<= 6 wd")
    latest = office.add(start, d)
    draws = [office.add(start, d, rng=random.Random(seed), sampled=True) for seed in range(200)]
    assert all(start < t <= latest for t in draws)
    assert len(set(draws)) > 100
    assert draws == [office.add(start, d, rng=random.Random(seed), sampled=True) for seed in range(200)]


def test_exact_durations_are_never_sampled():
    start = at(2025, 6, 2, 10)
    d = parse_duration("1 wd")
    assert office.add(start, d, rng=random.Random(7), sampled=True) == office.add(start, d)


def test_sampling_needs_an_rng():
    with pytest.raises(ValueError, match="rng"):
        office.add(at(2025, 6, 2, 10), parse_duration("<= 1 wd"), sampled=True)


# --- properties ---------------------------------------------------------------------------------

starts = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 1)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=ALMATY))
minutes = st.integers(min_value=0, max_value=30 * 480)
hours_texts = st.sampled_from([PROVIDER_HOURS, CON_HOURS, "09:00-18:30/13:00-14:30", "09:00-20:00 mon-sat"])


@settings(max_examples=150, deadline=None)
@given(starts, minutes, hours_texts)
def test_added_working_time_is_measured_back(start, m, hours):
    wt = WorkingTime(hours)
    end = wt.advance(start, m)
    assert wt.working_minutes_between(start, end) == pytest.approx(m)
    assert end >= start


@settings(max_examples=150, deadline=None)
@given(starts, minutes, minutes, hours_texts)
def test_adding_in_two_steps_is_adding_the_sum(start, a, b, hours):
    wt = WorkingTime(hours)
    assert wt.advance(wt.advance(start, a), b) == wt.advance(start, a + b)


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(min_value=1, max_value=30 * 480))
def test_a_step_ends_in_working_time_or_at_a_closing(start, m):
    end = office.advance(start, m)
    closing = any(end == b for _, b in office._periods(end.date()))
    assert office.is_working_moment(end) or closing


@settings(max_examples=100, deadline=None)
@given(starts, st.integers(min_value=0, max_value=2**32))
def test_sampled_never_exceeds_the_maximum(start, seed):
    d = parse_duration("<= 6 wd")
    assert start <= office.add(start, d, rng=random.Random(seed), sampled=True) <= office.add(start, d)
