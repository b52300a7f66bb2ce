"""Step times on the virtual clock, in Kazakhstan working time, and the systems' clock with them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from egov_sim.core.clock import ALMATY
from egov_sim.core.working_time import parse_duration, working_time
from egov_sim.scenarios.timing import StepTimes, deadline_verdict, term_verdicts


def kz(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def test_a_start_before_a_holiday_moves_the_provider_to_monday(scenario, play):
    """Thursday 5 June 2025, 18:40 at the ЦОН (open till 20:00); Friday is Kurban Ait. The package
    reaches the provider within App.4's working day (X3: Monday), and is registered on Tuesday."""
    result = play(*scenario("con-decision-before-kurban-ait"))
    steps = {s.node_id: s for s in result.steps}
    assert steps["C0"].finished == kz(2025, 6, 5, 18, 55)
    assert steps["X3"].finished == kz(2025, 6, 9, 18, 0)
    assert steps["P6"].finished == steps["P6"].due == kz(2025, 6, 10, 9, 30)
    provider = working_time("09:00-18:00/13:00-14:00")
    terms = {t.term: t for t in result.terms}
    due = provider.add(steps["P6"].started, parse_duration("9 wd 30 min"))
    assert terms["provider_chain"].due == due and terms["provider_chain"].met
    assert terms["provider_chain"].finished == steps["A5"].finished <= due
    # the receipt's date, promised at the counter, and process 8 on that day at the latest
    assert terms["receipt"].promised == kz(2025, 6, 24, 20, 0) and terms["receipt"].met
    assert terms["receipt"].due.date() == dt.date(2025, 6, 24) and steps["P8"].finished <= terms["receipt"].due


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
        clock, t, out, starts = StepTimes(flow, s, seed=seed), kz(2025, 3, 20, 15, 0), [], {}
        for node_id in path:
            starts[node_id] = t
            t, _ = clock.step(flow.node(node_id), t, starts)
            out.append(t)
        return out

    assert ends(1) == ends(1)
    assert ends(1) != ends(2)
    a3_max = working_time("09:00-18:00/13:00-14:00").add(kz(2025, 3, 20, 15, 0), parse_duration("6 wd"))
    assert ends(1)[path.index("A3")] < ends(1)[path.index("A2")] + (a3_max - kz(2025, 3, 20, 15, 0))


def test_the_verdict_names_the_missed_term(scenario):
    s, flow = scenario("con-late-executor-misses-term")
    clock, t, times, starts = StepTimes(flow, s, seed=0), kz(2025, 3, 7, 16, 0), {}, {}
    for entry in s.expect.path:
        node = flow.node(entry.partition(":")[0])
        starts[node.id] = t
        end, _ = clock.step(node, t, starts)
        times[node.id], t = (t, end), end
    verdicts = term_verdicts(flow, s.expect.path, times, {})
    assert {v.term: v.met for v in verdicts} == {"provider_chain": False, "at_provider": False,
                                                  "receipt": False, "con_intake": True}
    verdict = deadline_verdict(verdicts)
    assert verdict.term == "provider_chain" and verdict.allowed == "9 wd 30 min" and not verdict.met


def test_a_milestone_step_ends_by_its_term_whatever_the_steps_before_took(scenario, play):
    """000 §5.3: S3 ends by hand-in + 4 wd even when the akim's resolution (S2) is a day late:
    the milestone counts from the hand-in, not from S3's start."""
    s, flow = scenario("akim-assigned-before-constitution-day")
    late_s2 = dataclasses.replace(s, setup={"late": {"S2": "1 wd"}})
    on_time, late = play(s, flow), play(late_s2, flow)
    s3 = {r: {x.node_id: x for x in res.steps}["S3"] for r, res in (("on", on_time), ("late", late))}
    assert s3["on"].finished == s3["late"].finished == kz(2025, 9, 5, 17, 30)
    assert s3["late"].started > s3["on"].started
    assert {t.term: t.met for t in late.terms} == {"drawn_up": True, "issued": True}
