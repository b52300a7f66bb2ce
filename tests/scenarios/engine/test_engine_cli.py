"""``egov-sim run`` and ``egov-sim scenarios list`` as the lead mounts them in egov_sim/cli.py:
exit codes 0 (all passed), 1 (a scenario failed), 2 (bad usage or a file that does not load),
and the report files."""

from __future__ import annotations

import json
import textwrap

import pytest
from junitparser import JUnitXml

from egov_sim.app import cli
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.scenarios.cli import run_command, scenarios_app


def _mounted() -> None:
    """Mount the commands as docs/engine.md tells the lead to (once, if not done already)."""
    names = {c.name for c in cli.app.registered_commands}
    if "run" not in names:
        cli.app.command("run")(run_command)
    if "scenarios" not in {g.name for g in cli.app.registered_groups}:
        cli.app.add_typer(scenarios_app, name="scenarios")


@pytest.fixture
def egov(tmp_path, monkeypatch, capsys):
    _mounted()
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "240")

    def call(*argv: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_:
            cli.main(["--home", str(tmp_path / "home"), *argv])
        out, err = capsys.readouterr()
        return exit_.value.code, out, err

    return call


def test_a_passing_run_writes_every_report(egov, tmp_path):
    code, out, err = egov("run", "-k", "office-refusal-signed-by-executor", "-k", "portal-auth-refused",
                          "--junit", "junit.xml", "--html", "report.html", "--json", "run.json", "-j", "2")
    assert code == 0, out + err
    assert "2 scenarios: 2 passed, 0 failed" in " ".join(out.split())
    suites = JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    cases = [case for suite in suites for case in suite]
    assert len(cases) == 2 and all(case.is_passed for case in cases)
    data = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert data["passed"] is True and data["summary"]["scenarios"] == 2 and data["jobs"] == 2
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "office-refusal-signed-by-executor" in html and "<svg" in html


def test_a_failing_scenario_exits_1_with_its_diff(egov, tmp_path):
    (tmp_path / "wrong.yaml").write_text(textwrap.dedent("""\
        flow: 002-con
        scenarios:
          - id: con-wrong-branch
            title: "Expects condition 1 to pass with an expired power of attorney"
            personas: {applicant: poa_principal, representative: poa_agent_expired, operator: con_operator}
            start: "2025-06-02T10:00:00+05:00"
            expect:
              path: [X1, "C0:yes", P1, P2, P3, "C1:yes", P5, X3, P6, A2, "C2:yes", A3, A4, A5, X4, P8]
              outcome: decision
        """), encoding="utf-8")
    code, out, err = egov("run", "wrong.yaml", "--junit", "junit.xml")
    assert code == 1, out + err
    assert "diverged at C1" in out
    case = next(c for s in JUnitXml.fromfile(str(tmp_path / "junit.xml")) for c in s)
    assert not case.is_passed and "- C1:yes" in case.result[0].text


def test_a_file_that_does_not_load_exits_2_in_one_line(egov, tmp_path):
    (tmp_path / "broken.yaml").write_text("scenarios:\n  - id: x\n    flow: 002-nowhere\n", encoding="utf-8")
    code, out, err = egov("run", "broken.yaml")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("egov-sim: error: ") and "broken.yaml:" in err


def test_bad_usage_exits_2(egov):
    code, out, err = egov("run", "-j", "0")
    assert code == 2 and "-j" in err


def test_scenarios_list(egov):
    code, out, err = egov("scenarios", "list", "-k", "akim-extended")
    assert code == 0 and "akim-extended-sampled" in out and "2 scenarios" in out


def test_scenarios_check_reports_what_a_flow_may_still_get_wrong(egov):
    code, out, err = egov("scenarios", "check")
    assert code == 0, out + err
    text = " ".join(out.split())
    assert "002-con X1: regulation-defect: 002-con: term con_intake (15 min, §9 heading) cannot be met" in text
    assert "term-without-durations: term portal_application" in text and "33 flows: 26 finding(s)" in text
    assert egov("scenarios", "check", "--strict")[0] == 1
