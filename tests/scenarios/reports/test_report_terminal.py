"""The terminal report: the summary table's rows, the failure diffs, and a progress bar that
many worker threads can advance at once."""

from __future__ import annotations

import dataclasses
import io
import threading

import pytest
from rich.console import Console

from egov_sim.scenarios.reports import ProgressReporter, print_summary, summary_table
from egov_sim.scenarios.reports.terminal import diff_text
from tests.support.reports import portal_happy, portal_revoked


def _console(width: int = 220) -> Console:
    return Console(record=True, width=width, file=io.StringIO(), force_terminal=False, color_system=None)


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("│")]


def test_summary_table_has_a_row_per_scenario(run):
    console = _console()
    console.print(summary_table(run))
    text = console.export_text()
    rows = _rows(text)
    first_lines = [r for r in rows if any(f"│ {s.scenario_id} " in r for s in run.scenarios)]
    assert len(first_lines) == 4
    happy, revoked, insufficient, late = first_lines
    for cell in ("happy-path", "002/portal", "X1 > P1 > C1:yes", "decision", "met (9 wd 30 min)", "PASS", "1.84s"):
        assert cell in happy
    for cell in ("eds-revoked", "002/portal", "FAIL", "0.61s"):
        assert cell in revoked
    assert "000/provider_office" in insufficient and "PASS" in insufficient
    assert "MISSED (19 wd 6 h)" in late and "FAIL" in late
    assert "diverged at C2" in text
    assert "finished 2024-02-15 10:44" in text and "due      2024-02-16 10:43" in text
    header = next(line for line in text.splitlines() if "Scenario" in line)
    for column in ("Scenario", "Regulation/channel", "Path", "Outcome", "Deadline", "Result", "Wall"):
        assert column in header


def test_print_summary_shows_the_diffs_and_totals(run):
    console = _console()
    print_summary(dataclasses.replace(run, errors=("bad.yaml: unknown node C9",)), console)
    text = console.export_text()
    assert "failure: 002/portal/eds-revoked: X1 > P1 > C1:yes > P3 > C2:yes > P5" in text
    assert "-C2:no > P4" in text and "+C2:yes > P5" in text
    assert "diverged at C2" in text
    assert "deadline missed: finished 2024-03-05T15:30:00+05:00" in text
    assert "bad.yaml: unknown node C9" in text
    assert ("4 scenarios: 2 passed, 2 failed, 1 deadline(s) missed, 1 regulation defect(s), 1 run error(s) in 3.4s "
            "(seed 20240205, -j 2)") in text
    assert "regulation defects" in text and "000-provider_office: term extended (19 wd 6 h, §5.3)" in text


def test_diff_colours():
    text = diff_text("--- expected\n+++ actual\n-C2:no\n+C2:yes\n same")
    styles = {text.plain[span.start:span.end].strip(): str(span.style) for span in text.spans}
    assert styles["-C2:no"] == "red" and styles["+C2:yes"] == "green" and styles["--- expected"] == "bold"


def test_progress_reporter_from_many_threads():
    console = _console()
    reporter = ProgressReporter(console, summary=False)
    reporter.start(400)
    results = [portal_happy(), portal_revoked()]
    barrier = threading.Barrier(8)

    def worker(k: int) -> None:
        barrier.wait()
        for i in range(50):
            reporter.advance(results[(k + i) % 2])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    task = reporter._progress.tasks[0]
    assert (reporter.passed, reporter.failed, reporter.completed) == (200, 200, 400)
    assert task.completed == 400 and task.total == 400
    reporter.stop()
    text = console.export_text()
    assert text.count("✗ 002/portal/eds-revoked") == 200


def test_progress_reporter_finish_prints_the_summary(run):
    console = _console()
    reporter = ProgressReporter(console)
    reporter.start(len(run.scenarios))
    for r in run.scenarios:
        reporter.advance(r)
    reporter.finish(run)
    reporter.finish(run)  # a second finish does not fail (the engine may call it from finally)
    text = console.export_text()
    assert "egov-sim conformance scenarios" in text and "4 scenarios: 2 passed" in text


def test_progress_reporter_without_start_and_as_context_manager():
    console = _console()
    with pytest.raises(RuntimeError):
        with ProgressReporter(console, summary=False) as reporter:
            reporter.advance(portal_happy())  # starts an open-ended bar
            raise RuntimeError("engine broke")
    assert reporter.completed == 1
    assert reporter._progress.live.is_started is False
