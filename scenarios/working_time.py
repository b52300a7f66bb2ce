"""Kazakhstan working time: the clock the regulations' terms are counted on.

A step of "30 minutes" or "1 working day" does not run at night, at lunch, on weekends or on
public holidays, so a scenario started on a Friday afternoon before a holiday must finish days
later than one started on a Tuesday morning. This module answers "when does a step that started
then end?" for an office with given working hours.

Conventions (docs/scenarios.md, "Calendar"):

- **Days off** are Saturday, Sunday, the public holidays of the Labour Code and the days off the
  Government moves by decree, from the maintained ``holidays`` package (Kurban Ait by the Islamic
  calendar, Orthodox Christmas, the observed Monday of a holiday that falls on a weekend, the
  decree transfers) plus ``egov_sim.core.days_off.DECREE_TRANSFERS`` for transfers a ``holidays`` release may lack.
  A Saturday or Sunday a decree makes a working day is a working day.
- **Working hours** are written ``09:00-18:00/13:00-14:00`` (open-close, then breaks),
  optionally followed by the days the office is open (``mon-fri`` by default, ``mon-sat``,
  ``mon-sun``); ``24/7`` is always open, holidays included (the portal).
- **min / h** are counted in working minutes: 30 min from 17:50 at an office closing at 18:00
  end at 09:20 on the next working day.
- **wd** is one working day's worth of the office's working time (8 h at 09:00-18:00 with an
  hour's lunch; 11 h at the ЦОН's 09:00-20:00): 1 wd from Monday 10:00 ends on Tuesday 10:00,
  and N wd from the opening of a day end at the closing of the Nth working day, that day
  counted as the first. Terms compose: 9 wd then 30 min is the same moment as "9 wd 30 min".
- **cd** is calendar time (days of 24 h), holidays and hours ignored.
- A step ends at the first moment its working time is used up, which may be a closing time
  (Monday 09:00 + 1 wd = Monday 18:00); the next step then starts at the next opening.
- A zero duration leaves the clock where it is.
- **Sampled** timing draws a "within N" duration uniformly in (0, N] (whole minutes, at least
  one) from the given ``random.Random``; an exactly stated duration is never sampled.

All moments are aware datetimes; results are in Kazakhstan time (UTC+5, egov_sim.core.clock.ALMATY).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import re
from dataclasses import dataclass, field
from typing import Iterator, cast

from egov_sim.core.clock import ALMATY
from egov_sim.core.days_off import DaysOff, kazakhstan

from .model import Duration, DurationUnit

MINUTE = 60
DAY_MINUTES = 24 * 60

PROVIDER_HOURS = "09:00-18:00/13:00-14:00"
"""A provider's office: seed 001 states it for its department and for the rural akims; seeds 000
and 002 state no hours [inferred], and egov_sim/reference/catalogue.py assumes the same."""

CON_HOURS = "09:00-20:00"
"""The ЦОН (State Corporation's front office): 09:00-20:00 without a break (seed 001)."""

ALWAYS = "24/7"
"""The portal and the information systems: always open, holidays included."""


# --- working hours ------------------------------------------------------------------------------

_DAYS = {"mon-fri": frozenset(range(5)), "mon-sat": frozenset(range(6)), "mon-sun": frozenset(range(7))}
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class HoursError(ValueError):
    """Working hours that cannot be read; the message says why."""


@dataclass(frozen=True)
class WorkingHours:
    """When an office works, as minutes of the day: ``periods`` are the open spans between the
    breaks, ``weekdays`` the days it opens (0 = Monday)."""

    periods: tuple[tuple[int, int], ...]
    weekdays: frozenset[int] = field(default=_DAYS["mon-fri"])
    always: bool = False
    text: str = ""

    @property
    def minutes_per_day(self) -> int:
        """The length of one working day: what "1 wd" is worth."""
        return sum(b - a for a, b in self.periods)

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """``09:00-18:00/13:00-14:00``, ``09:00-20:00 mon-sat``, ``24/7``."""
        if not isinstance(text, str):
            raise HoursError(f"working hours must be a string like {PROVIDER_HOURS!r}")
        spec = text.strip()
        if spec == ALWAYS:
            return cls(((0, DAY_MINUTES),), _DAYS["mon-sun"], always=True, text=spec)
        hours, _, days = spec.partition(" ")
        days = days.strip() or "mon-fri"
        if days not in _DAYS:
            raise HoursError(f"working days {days!r}: expected one of {', '.join(_DAYS)}")
        open_, *breaks = [_span(s, spec) for s in hours.split("/")]
        periods, start = [], open_[0]
        for a, b in sorted(breaks):
            if not (open_[0] < a and b < open_[1] and a >= start):
                raise HoursError(f"{spec!r}: the break {_hhmm(a)}-{_hhmm(b)} must lie inside "
                                 f"{_hhmm(open_[0])}-{_hhmm(open_[1])} without overlapping another")
            periods.append((start, a))
            start = b
        periods.append((start, open_[1]))
        return cls(tuple(periods), _DAYS[days], text=spec)


def _span(text: str, whole: str) -> tuple[int, int]:
    m = _SPAN.match(text.strip())
    if not m:
        raise HoursError(f"{whole!r}: {text!r} is not a span like 09:00-18:00")
    h1, m1, h2, m2 = map(int, m.groups())
    a, b = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or b > DAY_MINUTES or a >= b:
        raise HoursError(f"{whole!r}: {text!r} is not a span of one day (start before end, "
                         "24:00 at the latest)")
    return a, b


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- durations ----------------------------------------------------------------------------------

_UNITS = ("min", "h", "wd", "cd")
_TERM = re.compile(r"(\d+(?:\.\d+)?)\s*(min|h|wd|cd)\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?$")


class DurationError(ValueError):
    """A duration that cannot be read; the message says why."""


def parse_duration(text: str) -> Duration:
    """``30 min``, ``4 h``, ``1 wd``, ``15 cd``, ``<= 6 wd`` / ``within 6 wd`` (a maximum),
    ``9 wd 30 min`` (a sum; each unit once, largest first)."""
    if not isinstance(text, str) or not text.strip():
        raise DurationError("a duration is text like '30 min', '<= 6 wd' or '9 wd 30 min'")
    rest = text.strip()
    within = False
    for prefix in ("<=", "≤", "within "):
        if rest.startswith(prefix):
            within, rest = True, rest[len(prefix):].strip()
            break
    terms: list[tuple[float, str]] = []
    pos = 0
    while pos < len(rest):
        m = _TERM.match(rest, pos)
        if not m:
            raise DurationError(f"{text!r}: cannot read {rest[pos:]!r}; units are "
                                f"{', '.join(_UNITS)} (e.g. '30 min', '<= 6 wd', '9 wd 30 min')")
        terms.append((float(m.group(1)), m.group(2)))
        pos = m.end()
        while pos < len(rest) and rest[pos] == " ":
            pos += 1
    units = [u for _, u in terms]
    order = {"cd": 0, "wd": 1, "h": 2, "min": 3}
    if len(set(units)) != len(units) or units != sorted(units, key=order.get):
        raise DurationError(f"{text!r}: write each unit once, largest first (cd, wd, h, min)")
    if any(a <= 0 for a, _ in terms):
        raise DurationError(f"{text!r}: amounts must be positive")
    (amount, unit), *more = terms
    return Duration(amount, cast(DurationUnit, unit), within=within, text=text.strip(),
                    plus=tuple(Duration(a, cast(DurationUnit, u)) for a, u in more))


def duration_terms(d: Duration) -> Iterator[Duration]:
    """The single-unit terms of a (possibly compound) duration."""
    yield Duration(d.amount, d.unit)
    for p in d.plus:
        yield from duration_terms(p)


# --- the clock ----------------------------------------------------------------------------------

class WorkingTime:
    """One office's working time: ``hours`` (see :meth:`WorkingHours.parse`) on the days that are
    not days off in ``days_off``."""

    def __init__(self, hours: str | WorkingHours = PROVIDER_HOURS, *, days_off: DaysOff | None = None):
        self.hours = hours if isinstance(hours, WorkingHours) else WorkingHours.parse(hours)
        self.days_off = days_off or kazakhstan()

    def __repr__(self) -> str:
        return f"WorkingTime({self.hours.text!r})"

    def is_working_day(self, day: dt.date) -> bool:
        if self.hours.always:
            return True
        if self.days_off.holiday(day) is not None:
            return False
        return day.weekday() in self.hours.weekdays or self.days_off.is_transferred_working_day(day)

    def _periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working_day(day):
            return []
        midnight = dt.datetime.combine(day, dt.time(0), ALMATY)
        return [(midnight + dt.timedelta(minutes=a), midnight + dt.timedelta(minutes=b))
                for a, b in self.hours.periods]

    def _days_from(self, day: dt.date) -> Iterator[dt.date]:
        for i in range(3700):  # ten years: no calendar is closed that long
            yield day + dt.timedelta(days=i)
        raise RuntimeError(f"no working time within ten years after {day}")

    def is_working_moment(self, moment: dt.datetime) -> bool:
        t = _local(moment)
        return any(a <= t < b for a, b in self._periods(t.date()))

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` itself when the office works then, else its next opening."""
        t = _local(moment)
        for day in self._days_from(t.date()):
            for a, b in self._periods(day):
                if t < b:
                    return max(a, t)
        raise AssertionError("unreachable")

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working time between two moments, in minutes (0 when ``end`` is not after ``start``)."""
        a0, b0 = _local(start), _local(end)
        total = 0.0
        day = a0.date()
        while day <= b0.date():
            for a, b in self._periods(day):
                lo, hi = max(a, a0), min(b, b0)
                if hi > lo:
                    total += (hi - lo).total_seconds() / MINUTE
            day += dt.timedelta(days=1)
        return total

    def minutes_of(self, duration: Duration) -> tuple[float, float]:
        """(working minutes, calendar minutes) a duration is worth at this office."""
        working = calendar = 0.0
        for term in duration_terms(duration):
            if term.unit == "min":
                working += term.amount
            elif term.unit == "h":
                working += term.amount * 60
            elif term.unit == "wd":
                working += term.amount * self.hours.minutes_per_day
            else:
                calendar += term.amount * DAY_MINUTES
        return working, calendar

    def add(self, start: dt.datetime, duration: Duration | None, *, rng: random.Random | None = None,
            sampled: bool = False) -> dt.datetime:
        """The moment a step that starts at ``start`` and lasts ``duration`` ends (module docstring
        for the conventions). ``sampled`` draws a "within" duration from ``rng``."""
        t = _local(start)
        if duration is None:
            return t
        working, calendar = self.minutes_of(duration)
        if sampled and duration.within:
            if rng is None:
                raise ValueError("sampled timing needs an rng (random.Random(seed))")
            whole = working + calendar
            share = max(1, math.ceil(rng.uniform(0, whole))) / whole if whole else 0.0
            working, calendar = working * share, calendar * share
        if calendar:
            t = t + dt.timedelta(minutes=calendar)
        return self.advance(t, working)

    def advance(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """``start`` plus ``minutes`` of working time (see the module docstring)."""
        t = _local(start)
        remaining = dt.timedelta(minutes=minutes)
        if remaining <= dt.timedelta(0):
            return t
        for day in self._days_from(t.date()):
            for a, b in self._periods(day):
                if b <= t:
                    continue
                begin = max(a, t)
                if remaining <= b - begin:
                    return begin + remaining
                remaining -= b - begin
        raise AssertionError("unreachable")

    def closing(self, day: dt.date) -> dt.datetime:
        """The closing time of a working day."""
        periods = self._periods(day)
        if not periods:
            raise ValueError(f"{day} is not a working day")
        return periods[-1][1]

    def legal_due(self, start: dt.datetime, working_days: int) -> dt.datetime:
        """The other common reading of "N working days": the term runs from the day after
        ``start`` and expires at the closing of its Nth working day (the АРМ's due date,
        gateway/rshep/workdays.py, counts so). Given for comparison; :meth:`add` is the clock."""
        if working_days < 1:
            raise ValueError("a term of working days is at least 1 wd")
        day, left = _local(start).date(), working_days
        while left:
            day += dt.timedelta(days=1)
            left -= self.is_working_day(day)
        return self.closing(day)


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("working time needs an aware datetime (Kazakhstan time: egov_sim.core.clock.ALMATY)")
    return moment.astimezone(ALMATY)


@functools.cache
def working_time(hours: str) -> WorkingTime:
    """A shared WorkingTime for an hours string (flows name hours per lane)."""
    return WorkingTime(hours)
