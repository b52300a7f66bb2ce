"""Working days for the regulations' terms ("7 working days", "within 1 working day").

A working day is one that is not a day off in Kazakhstan (weekends, public holidays, decree
transfers: egov_sim/days_off.py, the calendar the scenario engine counts on too). Terms are
counted from the day after the registration date (the registration day itself is not counted
[inferred]), in Kazakhstan time.
"""

from __future__ import annotations

import datetime as dt

from egov_sim.core.clock import ALMATY
from egov_sim.core.days_off import add_working_days


def due_date(registered_at: dt.datetime, days: int) -> dt.date:
    """The result's due date for a request registered at ``registered_at``."""
    return add_working_days(registered_at.astimezone(ALMATY).date(), days)
