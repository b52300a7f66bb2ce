"""The date-sensitive parts played at dates around every Kazakh holiday of 2025-2027: the АРМ's
chain and due dates, the ЦОН's acceptance receipt, the portal cabinet's date and the scenario
clock, in one in-process simulator per play on the scenario's virtual clock (its PKI created on
that clock, in the session's template). Each play must pass, which includes the engine's own
check that the АРМ's, the cabinet's and the receipt's dates are its own; and the result's due is
compared with an independent day-by-day count (tests/support/holidays_kz.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from egov_sim.core.clock import ALMATY
from tests.support.holidays_kz import eves, transferred_working_days, working_day_after

BASES = {
    # scenario played → (the term whose due is checked, its due from a hand-in at 10:00 on a working day)
    "office-decision-from-a-day-off": ("provider_chain", lambda d: (working_day_after(d, 9), dt.time(10, 30))),
    "con-decision-before-kurban-ait": ("receipt", lambda d: (working_day_after(d, 11), dt.time(11, 0))),
    "portal-decision-on-kurban-ait": ("provider_chain", lambda d: (working_day_after(d, 9), dt.time(10, 30))),
    "akim-assigned-before-constitution-day": ("issued", lambda d: (working_day_after(d, 7), dt.time(10, 30))),
    "portal000-assigned": ("issued", lambda d: (working_day_after(d, 7), dt.time(16, 0))),
}
DATES = [(moment, names) for moment, names in eves()] + [
    (dt.datetime.combine(d, dt.time(10, 0), ALMATY), "a working Sunday by decree") for d in transferred_working_days()]
CASES = [(moment, names, list(BASES)[i % len(BASES)]) for i, (moment, names) in enumerate(DATES)]


@pytest.mark.parametrize("moment, names, base", CASES,
                         ids=[f"{m:%Y-%m-%d}-{b.split('-')[0]}" for m, _, b in CASES])
def test_a_chain_started_before_a_holiday_keeps_every_date(scenario, play, moment, names, base):
    s, flow = scenario(base)
    at_date = dataclasses.replace(s, id=f"{s.id}-{moment:%Y-%m-%d}", start=moment.isoformat())
    result = play(at_date, flow)
    assert result.passed, f"{names}: {result.failure}"
    term, expected = BASES[base]
    day, time = expected(moment.date())
    verdict = next(t for t in result.terms if t.term == term)
    assert verdict.due == dt.datetime.combine(day, time, ALMATY), names
    assert verdict.met and result.steps[-1].finished <= verdict.due
