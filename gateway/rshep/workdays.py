"""Working days for the regulations' terms ("7 working days", "within 1 working day").

SYNTHETIC simplification: a working day is Monday to Friday; public holidays are not modelled.
Terms are counted from the day after the registration date (the registration day itself is not
counted [inferred]), in Kazakhstan time.
"""

from __future__ import annotations

import datetime as dt

from egov_sim.clock import ALMATY


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start``."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def due_date(registered_at: dt.datetime, days: int) -> dt.date:
    """The result's due date for a request registered at ``registered_at``."""
    return add_working_days(registered_at.astimezone(ALMATY).date(), days)
