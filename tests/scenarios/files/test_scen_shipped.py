"""The shipped flows and scenarios: they load, they carry the regulations' chains, and their
terms and deadline claims hold on the working-time clock."""

from __future__ import annotations

import datetime as dt
import random
from typing import Iterator

import pytest

from egov_sim.core.clock import ALMATY
from egov_sim.scenarios.loader import (
    load_all,
    load_flow,
    load_scenario,
    resolve_args,
    shipped_flow_paths,
    shipped_scenario_paths,
)
from egov_sim.scenarios.model import Flow
from egov_sim.scenarios.operations import OPERATIONS
from egov_sim.scenarios.working_time import parse_duration, working_time

FLOWS, SCENARIOS = load_all()


@pytest.mark.parametrize("path", shipped_flow_paths(), ids=lambda p: p.name)
def test_every_shipped_flow_loads(path):
    flow = load_flow(path)
    assert flow.id == path.stem and flow.terms and flow.total == flow.terms[0].duration


@pytest.mark.parametrize("path", shipped_scenario_paths(), ids=lambda p: p.name)
def test_every_shipped_scenario_file_loads(path):
    assert load_scenario(path, FLOWS)


def test_the_six_channels_are_shipped():
    assert set(FLOWS) == {"002-con", "002-portal", "002-office", "000-provider", "000-akim", "000-portal"}
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS) >= 30


@pytest.mark.parametrize("flow_id", ["002-con", "002-portal", "002-office"])
def test_002_flows_carry_the_providers_five_steps(flow_id):
    ids = {n.id for n in FLOWS[flow_id].nodes}
    assert {"A2", "A3", "A4", "A5"} <= ids and ("A1" in ids or "P6" in ids)
    assert FLOWS[flow_id].total.text == "9 wd 30 min"


@pytest.mark.parametrize("flow_id", ["000-provider", "000-akim", "000-portal"])
def test_000_flows_carry_the_six_steps_and_the_extension(flow_id):
    flow = FLOWS[flow_id]
    assert {"S1", "S2", "S3", "S3X", "S4", "S5", "S6", "C1"} <= {n.id for n in flow.nodes}
    extended = flow.terms_for(("S1", "C1:no", "S6"))
    assert [t.id for t in extended] == ["extended"]
    assert extended[0].duration.text in ("19 wd 6 h", "19 wd 1.5 h")


def test_the_named_readings_are_switchable():
    options = {r.option for f in FLOWS.values() for r in f.readings if r.option}
    assert options == {"refusal_via_head", "c1_literal_and", "portal_restricted"}


def test_args_bind_options():
    flow = FLOWS["002-con"]
    assert resolve_args(flow, flow.node("P7")) == {"via_head": True}
    assert resolve_args(flow, flow.node("P7"), {"refusal_via_head": False}) == {"via_head": False}
    assert resolve_args(flow, flow.node("C0"))["service"] == "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"


def test_every_op_in_the_vocabulary_is_used_by_a_shipped_flow():
    used = {n.op for f in FLOWS.values() for n in f.nodes if n.op}
    assert used == set(OPERATIONS)


# --- timing: a dry run on the calendar ---------------------------------------------------------

def paths(flow: Flow) -> Iterator[tuple[str, ...]]:
    start = next(n for n in flow.nodes if n.kind == "start")

    def walk(node_id: str, acc: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        node = flow.node(node_id)
        if node.kind == "end":
            yield acc
        elif node.kind == "condition":
            yield from walk(node.on_true, acc + (f"{node_id}:yes",))
            yield from walk(node.on_false, acc + (f"{node_id}:no",))
        else:
            yield from walk(node.next, acc + ((node_id,) if node.kind != "start" else ()))

    yield from walk(start.id, ())


def play(flow: Flow, path: tuple[str, ...], start: dt.datetime, *, late=None, rng=None
         ) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """When each node of the path starts and ends, each step at its maximum (or sampled)."""
    times, t = {}, start
    for entry in path:
        node = flow.node(entry.partition(":")[0])
        wt = working_time(flow.hours_for(node))
        end = wt.add(t, node.duration, rng=rng, sampled=rng is not None)
        if late and node.id in late:
            end = wt.add(end, parse_duration(late[node.id]))
        times[node.id] = (t, end)
        t = end
    return times


def verdicts(flow: Flow, path: tuple[str, ...], times) -> list[tuple[str, bool]]:
    out = []
    nodes = [e.partition(":")[0] for e in path]
    for term in flow.terms_for(path):
        begin = times[term.start][0]
        due = working_time(flow.hours_for(flow.node(term.start))).add(begin, term.duration)
        finish = times[next(n for n in nodes if n in term.end)][1]
        out.append((term.id, finish <= due))
    return out


STARTS = [dt.datetime(*a, tzinfo=ALMATY) for a in (
    (2025, 6, 2, 9, 0), (2025, 6, 13, 17, 45), (2025, 6, 5, 19, 30), (2024, 12, 31, 17, 30),
    (2025, 12, 15, 16, 0), (2025, 3, 20, 12, 55), (2025, 6, 7, 3, 0))]


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_path_meets_its_terms_at_the_maximum(flow_id):
    flow = FLOWS[flow_id]
    for path in paths(flow):
        for start in STARTS:
            assert all(met for _, met in verdicts(flow, path, play(flow, path, start))), (path, start)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_each_scenarios_deadline_claim_holds_on_the_calendar(scenario):
    flow = FLOWS[scenario.flow]
    start = dt.datetime.fromisoformat(scenario.start) if scenario.start else STARTS[0]
    late = scenario.setup.get("late")
    seeds = range(20) if scenario.timing == "sampled" else [None]
    for seed in seeds:
        rng = random.Random(seed) if seed is not None else None
        results = verdicts(flow, scenario.expect.path, play(flow, scenario.expect.path, start, late=late, rng=rng))
        if scenario.expect.deadline == "any":
            assert not results
        else:
            assert all(met for _, met in results) == (scenario.expect.deadline == "met"), results


def test_the_kurban_ait_scenario_starts_the_provider_on_monday():
    sc = next(s for s in SCENARIOS if s.id == "con-decision-before-kurban-ait")
    flow = FLOWS[sc.flow]
    times = play(flow, sc.expect.path, dt.datetime.fromisoformat(sc.start))
    assert times["C0"][1] == dt.datetime(2025, 6, 5, 18, 55, tzinfo=ALMATY)  # the ЦОН is open till 20:00
    assert times["P6"][1] == dt.datetime(2025, 6, 9, 9, 30, tzinfo=ALMATY)  # Friday is Kurban Ait
