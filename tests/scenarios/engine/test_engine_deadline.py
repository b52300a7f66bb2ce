"""Step times on the virtual clock, in Kazakhstan working time, and the systems' clock with them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from egov_sim.core.clock import ALMATY
from egov_sim.scenarios.timing import StepTimes, deadline_verdict, term_verdicts
from egov_sim.core.working_time import parse_duration, working_time


def kz(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def test_a_start_before_a_holiday_moves_the_provider_to_monday(scenario, play):
    """Thursday 5 June 2025, 18:40 at the ЦОН (open till 20:00); Friday is Kurban Ait."""
    result = play(*scenario("con-decision-before-kurban-ait"))
    steps = {s.node_id: s for s in result.steps}
    assert steps["C0"].finished == kz(2025, 6, 5, 18, 55)
    assert steps["P6"].finished == kz(2025, 6, 9, 9, 30)
    assert steps["P6"].due == kz(2025, 6, 9, 9, 30)
    provider = working_time("09:00-18:00/13:00-14:00")
    due = provider.add(steps["P6"].started, parse_duration("9 wd 30 min"))
    assert result.deadline.due == due and result.deadline.met
    assert result.deadline.finished == steps["A5"].finished <= due


def test_the_systems_record_the_virtual_time(scenario, play):
    result = play(*scenario("con-decision-before-kurban-ait"))
    steps = {s.node_id: s for s in result.steps}
    lookup = next(m for m in result.messages if m.service_id == "GBDFL_UniversalServiceSync")
    assert lookup.at == steps["C0"].finished  # the ЦОН asked ГБД ФЛ when C0 ended, in 2025
    registered = next(m for m in result.messages
                      if m.service_id == "SIM_CON_INBOX" and "REGISTERED" in m.request_body)
    assert registered.node_id == "P6" and registered.at == steps["P6"].finished


def test_late_steps_miss_the_term(scenario, play):
    s, flow = scenario("provider-late-draft-misses-term")
    result = play(s, flow)
    assert result.passed and not result.deadline.met
    on_time = dataclasses.replace(s, setup={}, expect=dataclasses.replace(s.expect, deadline="met"))
    assert play(on_time, flow).deadline.met


def test_sampled_timing_is_reproducible_per_seed(scenario):
    s, flow = scenario("con-sampled-over-nowruz")
    path = [e.partition(":")[0] for e in s.expect.path]

    def ends(seed):
        clock, t, out = StepTimes(flow, s, seed=seed), kz(2025, 3, 20, 15, 0), []
        for node_id in path:
            t, _ = clock.step(flow.node(node_id), t)
            out.append(t)
        return out

    assert ends(1) == ends(1)
    assert ends(1) != ends(2)
    a3_max = working_time("09:00-18:00/13:00-14:00").add(kz(2025, 3, 20, 15, 0), parse_duration("6 wd"))
    assert ends(1)[path.index("A3")] < ends(1)[path.index("A2")] + (a3_max - kz(2025, 3, 20, 15, 0))


def test_the_verdict_names_the_missed_term(scenario):
    s, flow = scenario("con-late-executor-misses-term")
    clock, t, times = StepTimes(flow, s, seed=0), kz(2025, 3, 7, 16, 0), {}
    for entry in s.expect.path:
        node = flow.node(entry.partition(":")[0])
        end, _ = clock.step(node, t)
        times[node.id], t = (t, end), end
    verdicts = term_verdicts(flow, s.expect.path, times)
    assert {v.term.id: v.met for v in verdicts} == {"provider_chain": False, "intake": True}
    verdict = deadline_verdict(verdicts)
    assert verdict.allowed == "9 wd 30 min" and not verdict.met
