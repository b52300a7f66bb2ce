"""Coverage of the shipped catalogue: every condition of every flow is taken both ways."""

from __future__ import annotations

from egov_sim.scenarios.coverage import coverage, main, markdown_table
from egov_sim.scenarios.loader import load_all

FLOWS, SCENARIOS = load_all()


def test_every_condition_is_taken_yes_and_no():
    cov = coverage(FLOWS, SCENARIOS)
    assert cov.missing == ()
    assert len(cov.branches) == 2 * sum(1 for f in FLOWS.values() for n in f.nodes if n.kind == "condition")


def test_every_process_node_is_visited_and_every_flow_has_scenarios():
    cov = coverage(FLOWS, SCENARIOS)
    assert cov.unvisited == () and cov.flows_without_scenarios == ()
    assert cov.complete


def test_a_missing_branch_is_reported():
    without = [s for s in SCENARIOS if "C3:no" not in s.expect.path or s.flow != "002-portal"]
    cov = coverage(FLOWS, without)
    assert cov.missing == ("002-portal C3:no",)
    assert "002-portal 002.P6" not in cov.unvisited and "002-portal P6" in cov.unvisited
    assert ("| 002-portal | C3 | K06 | `portal-decision-on-kurban-ait`, "
            "`portal-slow-form-misses-the-application-term` | **none** |") in markdown_table(cov)


def test_a_flow_without_scenarios_is_reported():
    cov = coverage(FLOWS, [s for s in SCENARIOS if s.flow != "002-office"])
    assert cov.flows_without_scenarios == ("002-office",)
    assert not cov.complete


def test_the_command_prints_the_table(capsys):
    assert main([]) == 0
    assert capsys.readouterr().out == markdown_table(coverage(FLOWS, SCENARIOS))
