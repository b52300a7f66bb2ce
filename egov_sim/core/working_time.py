"""Kazakhstan working time: the clock every term of the regulations is counted on.

A step of "30 minutes" or "1 working day" does not run at night, at lunch, on weekends or on
public holidays, so a request handed in on a Friday afternoon before a holiday is due days later
than one handed in on a Tuesday morning. This module answers "when does a span that started then
end?" for an office with given working hours. It is the foundation's: the АРМ's due dates, the
ЦОН's receipt, the portal's cabinet and the scenario engine all count on it through the term
model (egov_sim/reference/terms.py), so they cannot disagree.

Conventions (docs/terms.md):

- **Days off** are Saturday, Sunday, the public holidays of the Labour Code and the days off the
  Government moves by decree (egov_sim/core/days_off.py). A Saturday or Sunday a decree makes a
  working day is a working day (``WorkingTime(weekend_workdays=False)`` ignores such decrees).
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
- A span ends at the first moment its working time is used up, which may be a closing time
  (Monday 09:00 + 1 wd = Monday 18:00); the next step then starts at the next opening.
- A zero duration leaves the clock where it is.
- **Sampled** timing draws a "within N" duration uniformly in (0, N] (whole minutes, at least
  one) from the given ``random.Random``; an exactly stated duration is never sampled.

That is :attr:`Counting.MOMENT`, the reading of "from the moment …" (сәттен бастап). The other
common reading, :attr:`Counting.NEXT_DAY`, counts whole days from the day after the start and
expires at the closing of the last one (the Civil Code's rule for terms in days); a regulation
that says "the day of acceptance and the day of issue are not counted" is NEXT_DAY with
``end_day_excluded``. :meth:`WorkingTime.due` takes the convention.

All moments are aware datetimes; results are in Kazakhstan time (UTC+5, egov_sim.core.clock.ALMATY).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterator, Literal, cast

from egov_sim.core.clock import ALMATY
from egov_sim.core.days_off import DaysOff, kazakhstan

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

DurationUnit = Literal["min", "h", "wd", "cd"]


@dataclass(frozen=True)
class Duration:
    """A stated duration: ``amount`` ``unit`` (minutes, hours, working days, calendar days).

    ``within`` marks a maximum ("within 6 working days"); otherwise the regulation states the
    duration exactly."""

    amount: float
    unit: DurationUnit
    within: bool = False
    text: str = ""
    plus: tuple[Duration, ...] = ()
    """Further terms of a compound duration: ``9 wd 30 min`` is 9 wd plus (30 min,). ``within``
    applies to the whole sum."""

    def __str__(self) -> str:
        return self.text or format_duration(self)


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
    if len(set(units)) != len(units) or units != sorted(units, key=lambda u: order[u]):
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


@dataclass(frozen=True)
class Span:
    """A sum of durations kept per unit (calendar days, working days, working minutes), so sums
    of cells can be compared with a stated term without picking a date."""

    cd: float = 0.0
    wd: float = 0.0
    minutes: float = 0.0

    @classmethod
    def of(cls, duration: Duration | None) -> Span:
        if duration is None:
            return cls()
        cd = wd = minutes = 0.0
        for t in duration_terms(duration):
            if t.unit == "cd":
                cd += t.amount
            elif t.unit == "wd":
                wd += t.amount
            elif t.unit == "h":
                minutes += t.amount * 60
            else:
                minutes += t.amount
        return cls(cd, wd, minutes)

    def __add__(self, other: Span) -> Span:
        return Span(self.cd + other.cd, self.wd + other.wd, self.minutes + other.minutes)

    def __sub__(self, other: Span) -> Span:
        return Span(self.cd - other.cd, self.wd - other.wd, self.minutes - other.minutes)

    def minutes_at(self, minutes_per_day: float) -> float:
        """The span's length in minutes of a calendar with ``minutes_per_day`` working minutes a
        day. A working day lasts at least 7/5 calendar days' share of a week (five working days
        take a week), so calendar days compare with working days by 5 wd = 7 cd, holidays aside:
        the comparison errs towards "fits"."""
        return (self.wd + self.cd * 5 / 7) * minutes_per_day + self.minutes

    def exceeds(self, other: Span, minutes_per_day: float) -> bool:
        return self.minutes_at(minutes_per_day) > other.minutes_at(minutes_per_day) + 1e-9

    @property
    def zero(self) -> bool:
        return not (self.cd or self.wd or self.minutes)

    def text(self) -> str:
        """``9 wd 30 min``; hours when they are whole (``7 wd 6 h``); ``0 min`` when empty."""
        parts = []
        if self.cd:
            parts.append(f"{self.cd:g} cd")
        if self.wd:
            parts.append(f"{self.wd:g} wd")
        m = self.minutes
        if m and m % 60 == 0:
            parts.append(f"{m / 60:g} h")
        elif m > 60 and (m % 30 == 0):
            parts.append(f"{m / 60:g} h")
        elif m:
            parts.append(f"{m:g} min")
        return " ".join(parts) or "0 min"


def format_duration(d: Duration) -> str:
    """The text of a duration as the regulation would write it (``<= 6 wd``, ``9 wd 30 min``)."""
    body = " ".join(f"{t.amount:g} {t.unit}" for t in duration_terms(d))
    return f"<= {body}" if d.within else body


class Counting(StrEnum):
    """How "N days" are counted from a moment (docs/terms.md, "Counting")."""

    MOMENT = "moment"
    """From the moment, on the working clock: N wd is N working days' worth of working time
    (the words "from the moment …", сәттен бастап)."""
    NEXT_DAY = "next_day"
    """Whole days from the day after the moment; the term expires at the closing of its last
    day, moved to the next working day when that is a day off (the Civil Code's rule)."""


# --- the clock ----------------------------------------------------------------------------------

class WorkingTime:
    """One office's working time: ``hours`` (see :meth:`WorkingHours.parse`) on the days that are
    not days off in ``days_off``."""

    def __init__(self, hours: str | WorkingHours = PROVIDER_HOURS, *, days_off: DaysOff | None = None,
                 weekend_workdays: bool = True):
        self.hours = hours if isinstance(hours, WorkingHours) else WorkingHours.parse(hours)
        self.days_off = days_off or kazakhstan()
        self.weekend_workdays = weekend_workdays
        """A Saturday or Sunday that a decree makes a working day (the day off it moves) works."""

    def __repr__(self) -> str:
        return f"WorkingTime({self.hours.text!r})"

    def is_working_day(self, day: dt.date) -> bool:
        if self.hours.always:
            return True
        if self.days_off.holiday(day) is not None:
            return False
        return day.weekday() in self.hours.weekdays or (
            self.weekend_workdays and self.days_off.is_transferred_working_day(day))

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

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        for d in self._days_from(day):
            if self.is_working_day(d):
                return d
        raise AssertionError("unreachable")

    def due(self, start: dt.datetime, duration: Duration, *, counting: Counting = Counting.MOMENT,
            end_day_excluded: bool = False) -> dt.datetime:
        """When a term of ``duration`` that starts at ``start`` expires, counted by ``counting``.

        MOMENT is :meth:`add`. NEXT_DAY first adds the minutes and hours of the term on the
        working clock, then counts its working days (calendar days) from the day after, and
        expires at the closing of the last one; a last calendar day that is a day off moves to
        the next working day. ``end_day_excluded`` ("the day of issue is not counted") moves
        the expiry to the closing of the next working day."""
        if counting == Counting.MOMENT:
            end = self.add(start, duration)
        else:
            wd = cd = minutes = 0.0
            for t in duration_terms(duration):
                if t.unit == "wd":
                    wd += t.amount
                elif t.unit == "cd":
                    cd += t.amount
                else:
                    minutes += t.amount * (60 if t.unit == "h" else 1)
            moment = self.advance(start, minutes) if minutes else _local(start)
            if not (wd or cd):
                end = moment
            else:
                if wd != int(wd) or cd != int(cd):
                    raise ValueError(f"{duration}: whole days only when counted from the next day")
                day = moment.date() + dt.timedelta(days=int(cd))
                left = int(wd)
                while left:
                    day += dt.timedelta(days=1)
                    left -= self.is_working_day(day)
                end = self.closing(self.next_working_day(day))
        if end_day_excluded:
            end = self.closing(self.next_working_day(end.date() + dt.timedelta(days=1)))
        return end


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("working time needs an aware datetime (Kazakhstan time: egov_sim.core.clock.ALMATY)")
    return moment.astimezone(ALMATY)


@functools.cache
def working_time(hours: str, weekend_workdays: bool = True) -> WorkingTime:
    """A shared WorkingTime for an hours string (flows name hours per lane)."""
    return WorkingTime(hours, weekend_workdays=weekend_workdays)
