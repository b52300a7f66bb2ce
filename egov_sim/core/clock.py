"""Clocks are passed in, never read from globals, so tests can run simulators at any time."""

from __future__ import annotations

import datetime as dt
from typing import Callable

Clock = Callable[[], dt.datetime]

ALMATY = dt.timezone(dt.timedelta(hours=5), "Asia/Almaty")
"""Kazakhstan's single time zone since 1 March 2024 (UTC+5)."""


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fixed_clock(at: dt.datetime) -> Clock:
    if at.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime")
    return lambda: at
