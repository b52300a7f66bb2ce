"""Scenario files as pytest items, in an integrator's repository: catalogue files under a
``scenarios`` folder and files the ini option names are collected; other YAML is not."""

from __future__ import annotations

import shutil
import textwrap

from tests.support import ROOT

pytest_plugins = ["pytester"]

CATALOG = ROOT / "scenarios" / "catalog"

WRONG = textwrap.dedent("""\
    flow: 002-con
    scenarios:
      - id: con-wrong-branch
        title: "Expects condition 1 to pass with an expired power of attorney"
        personas: {applicant: poa_principal, representative: poa_agent_expired, operator: con_operator}
        start: "2025-06-02T10:00:00+05:00"
        expect:
          path: [X1, "C0:yes", P1, P2, P3, "C1:yes", P5, X3, P6, A2, "C2:yes", A3, A4, A5, X4, P8]
          outcome: decision
    """)

SINGLE = textwrap.dedent("""\
    id: office-single
    flow: 002-office
    title: "A single scenario file, named in the ini option"
    personas: {applicant: guardian}
    start: "2025-06-02T10:00:00+05:00"
    expect:
      path: [A1, A2, "C1:yes", A3, A4, A5]
      outcome: decision
      signed_by: provider_head
    """)


def test_scenario_files_become_items(pytester, monkeypatch):
    monkeypatch.delenv("EGOV_SIM_DATABASE_URL", raising=False)
    pytester.makeconftest('pytest_plugins = ["egov_sim.scenarios.pytest_items"]\n')
    qa = pytester.mkdir("qa")
    (qa / "scenarios").mkdir()
    shutil.copy(CATALOG / "002-office.yaml", qa / "scenarios" / "002-office.yaml")
    (qa / "scenarios" / "wrong.yaml").write_text(WRONG, encoding="utf-8")
    (qa / "scenarios" / "settings.yaml").write_text("timeout: 3\n", encoding="utf-8")
    (qa / "ci.yaml").write_text("scenarios:\n  - not egov-sim\n", encoding="utf-8")  # not in a scenarios folder
    (qa / "single.yaml").write_text(SINGLE, encoding="utf-8")
    pytester.makeini("[pytest]\negov_sim_scenarios =\n    qa/single.yaml\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-v",
                                           "--egov-sim-json", "run.json")
    result.assert_outcomes(passed=5, failed=1)  # 002-office's four, single
    result.stdout.fnmatch_lines([
        "*002-office.yaml::office-decision-from-a-day-off PASSED*",
        "*wrong.yaml::con-wrong-branch FAILED*",
        "*single.yaml::office-single PASSED*",
    ])
    result.stdout.fnmatch_lines(["*diverged at C1*", "*- C1:yes*", "*+ C1:no*"])
    assert "ci.yaml" not in result.stdout.str() and "settings.yaml" not in result.stdout.str()
    assert (pytester.path / "run.json").exists()
