"""Kazakhstan's days off: weekends, public holidays and the days the Government moves by decree.

Shared by everything that counts working days, through the working-time clock
(egov_sim/core/working_time.py) and the term model (egov_sim/reference/terms.py): the АРМ's due
dates, the ЦОН's acceptance receipt and the scenario engine. Holidays come from the maintained
``holidays`` package (Kurban Ait by the Islamic calendar, Orthodox Christmas, observed days of
holidays falling on a weekend, decree transfers); :data:`DECREE_TRANSFERS` covers transfers a
``holidays`` release may lack.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import holidays as holidays_lib


@dataclass(frozen=True)
class Transfer:
    """A decree that moves a day off: ``day_off`` becomes a rest day, ``working_day`` (a Saturday
    or Sunday) a working day."""

    day_off: dt.date
    working_day: dt.date
    decree: str


DECREE_TRANSFERS: tuple[Transfer, ...] = (
    # 2012-2013: the years of seed 001 (the Balkhash regulations of 4 October 2012, repealed
    # 13 May 2013), whose terms are played in working days of that calendar.
    Transfer(dt.date(2012, 3, 9), dt.date(2012, 3, 11),
             "Government resolution, adilet.zan.kz P1200000268"),
    Transfer(dt.date(2012, 4, 30), dt.date(2012, 4, 28),
             "Government resolution, adilet.zan.kz P1200000458"),
    Transfer(dt.date(2012, 12, 31), dt.date(2012, 12, 29),
             "Government resolution, adilet.zan.kz P1200001538"),
    Transfer(dt.date(2013, 5, 10), dt.date(2013, 5, 4),
             "Government resolution, adilet.zan.kz P1300000345"),
    Transfer(dt.date(2013, 10, 14), dt.date(2013, 10, 12),
             "Government resolution, adilet.zan.kz P1300001068"),
    Transfer(dt.date(2014, 1, 3), dt.date(2013, 12, 28),
             "Government resolution, adilet.zan.kz P1300001322"),
    Transfer(dt.date(2023, 7, 7), dt.date(2023, 7, 1),
             "Government resolution, adilet.zan.kz P2300000326"),
    Transfer(dt.date(2024, 5, 8), dt.date(2024, 5, 4),
             "Government resolution, adilet.zan.kz G24G0000109"),
    Transfer(dt.date(2025, 1, 3), dt.date(2025, 1, 5),
             "Government resolution, adilet.zan.kz G24G0000436"),
)
"""Decree transfers of the years the tests and the shipped scenarios use (document ids as the
``holidays`` package cites them). ``holidays`` 0.109
has every one of them too (a test checks that both agree); the table keeps the calendar right
with a ``holidays`` release that lacks a year's decree. Add a year's transfers here when its
decree is published before ``holidays`` ships it. No decree transfer for 2026 was published
when this was written: its holidays that fall on a weekend move by the Labour Code's
observed-day rule, which ``holidays`` applies."""


class DaysOff:
    """Kazakhstan's days off for a five-day week: weekends, public holidays, decree transfers."""

    def __init__(self, transfers: tuple[Transfer, ...] = DECREE_TRANSFERS):
        self._holidays = holidays_lib.country_holidays("KZ", language="en_US")
        self._extra_off = {t.day_off: f"Day off (transferred from {t.working_day.isoformat()})"
                           for t in transfers}
        self._extra_working = {t.working_day for t in transfers}

    def holiday(self, day: dt.date) -> str | None:
        """The name of the holiday or transferred day off on ``day``, or None."""
        name = self._holidays.get(day)
        return name if name is not None else self._extra_off.get(day)

    def is_transferred_working_day(self, day: dt.date) -> bool:
        """A Saturday or Sunday that a decree made a working day."""
        self._holidays.get(day)  # populates the year, and with it ``weekend_workdays``
        return day in self._extra_working or day in self._holidays.weekend_workdays

    def is_day_off(self, day: dt.date) -> bool:
        """Weekend (unless transferred to a working day) or holiday, for a Monday-Friday week."""
        if self.holiday(day) is not None:
            return True
        return day.weekday() >= 5 and not self.is_transferred_working_day(day)


@functools.cache
def kazakhstan() -> DaysOff:
    """The shared calendar of days off (``holidays`` builds each year once)."""
    return DaysOff()
