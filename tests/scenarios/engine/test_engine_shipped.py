"""Every shipped scenario plays end to end in process and passes (the whole catalogue, twice,
with two worker processes: both runs give the same report, wall times aside), and what the
reports need is there."""

from __future__ import annotations

import pytest

from egov_sim.app.server import build_app
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.scenarios.engine import RunOptions, run
from egov_sim.scenarios.loader import load_all
from egov_sim.scenarios.operations import OPERATIONS
from egov_sim.scenarios.ops import OPS
from egov_sim.scenarios.reports.json_report import run_to_dict
from tests.support.engine import STARTED

FLOWS, SCENARIOS = load_all()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The whole catalogue played twice with the same seed; the template (keys, certificates,
    data) is kept between the runs as ``egov-sim run`` keeps it."""
    cache = tmp_path_factory.mktemp("templates")
    options = RunOptions(jobs=2, started=STARTED, app_factory=build_app, template_cache=cache)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        return run(SCENARIOS, FLOWS, options), run(SCENARIOS, FLOWS, options)


@pytest.fixture(scope="module")
def results(runs):
    return {r.scenario_id: r for r in runs[0].scenarios}


def _without_wall_times(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k not in ("started", "wallSeconds")}
    data["scenarios"] = [{k: v for k, v in s.items() if k != "wallSeconds"} for s in data["scenarios"]]
    return data


def test_the_catalogue_played_twice_gives_the_same_report(runs):
    first, second = (_without_wall_times(run_to_dict(r)) for r in runs)
    assert len(first["scenarios"]) == len(SCENARIOS) and first["passed"]
    for a, b in zip(first["scenarios"], second["scenarios"]):
        assert a == b, a["scenarioId"]  # steps, times, verdicts, and every ШЭП message body
    assert first == second


def test_every_operation_of_the_vocabulary_is_implemented():
    assert set(OPS) == set(OPERATIONS)


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS])
def test_shipped_scenario_passes(results, scenario_id):
    result = results[scenario_id]
    assert result.passed, result.failure


def test_results_carry_steps_messages_and_verdicts(results):
    r = results["con-decision-before-kurban-ait"]
    assert r.path == r.expected_path and r.outcome == "decision" and r.signed_by == "provider_head"
    assert [s.node_id for s in r.steps][:3] == ["X1", "C0", "P1"]
    c2 = next(s for s in r.steps if s.node_id == "C2")
    assert c2.branch is True and c2.expected_branch is True and c2.status == "ok"
    services = [m.service_id for m in r.messages]
    assert services.count("GBDFL_UniversalServiceSync") == 1
    assert "SIM_GUARDIAN_ALLOWANCE_PAVLODAR" in services and "SIM_CON_INBOX" in services
    sent = next(m for m in r.messages if m.service_id == "SIM_GUARDIAN_ALLOWANCE_PAVLODAR")
    # sent over the AsyncChannel: the sendMessage is journaled as queued (ON_DELIVERY)
    assert sent.node_id == "C0" and sent.outcome == "ON_DELIVERY" and "ServiceRequest" in sent.request_body
    assert sent.journal_id in next(s for s in r.steps if s.node_id == "C0").message_ids
    assert r.deadline is not None and r.deadline.met and r.deadline.allowed == "9 wd 30 min"


def test_the_late_executor_misses_the_term_in_working_time(results):
    r = results["con-late-executor-misses-term"]
    assert r.passed and r.deadline is not None and not r.deadline.met
    assert r.deadline.finished > r.deadline.due
