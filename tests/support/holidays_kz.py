"""An independent account of Kazakhstan's working days for the date sweeps: the ``holidays``
package read directly, days counted one by one. The product counts on egov_sim/core/days_off.py
and egov_sim/core/working_time.py; this is what the tests compare them with.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from egov_sim.core.clock import ALMATY

YEARS = (2025, 2026, 2027)


@functools.cache
def _calendar(year: int):
    return holidays.country_holidays("KZ", years=year, language="en_US")


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, or a weekend day a decree made a working day; never a holiday."""
    cal = _calendar(day.year)
    if day in cal:
        return False
    return day.weekday() < 5 or day in cal.weekend_workdays


def working_day_after(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted)."""
    while n:
        day += dt.timedelta(days=1)
        n -= is_working_day(day)
    return day


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def holiday_runs() -> list[tuple[dt.date, dt.date, str]]:
    """Every run of consecutive days off that holds a holiday or a transferred day off, in
    2025-2027: (first day, last day, the holidays' names)."""
    runs = []
    for year in YEARS:
        for day, name in sorted(_calendar(year).items()):
            if runs and runs[-1][1] + dt.timedelta(days=1) >= day - dt.timedelta(days=2) \
                    and all(not is_working_day(runs[-1][1] + dt.timedelta(days=i))
                            for i in range(1, (day - runs[-1][1]).days)):
                first, _, names = runs[-1]
                runs[-1] = (first, day, f"{names}; {name}")
            else:
                runs.append((day, day, name))
    # a run starts at the first day off before its first holiday (a weekend before it)
    out = []
    for first, last, names in runs:
        while not is_working_day(first - dt.timedelta(days=1)):
            first -= dt.timedelta(days=1)
        while not is_working_day(last + dt.timedelta(days=1)):
            last += dt.timedelta(days=1)
        out.append((first, last, names))
    return out


def eves() -> list[tuple[dt.datetime, str]]:
    """The last working day before every holiday run, at 10:00 Almaty: where terms cross them."""
    out = []
    for first, _, names in holiday_runs():
        day = first - dt.timedelta(days=1)
        while not is_working_day(day):
            day -= dt.timedelta(days=1)
        out.append((dt.datetime.combine(day, dt.time(10, 0), ALMATY), names))
    return out


def transferred_working_days() -> list[dt.date]:
    return sorted(d for y in YEARS for d in _calendar(y).weekend_workdays if d.year == y)
