"""docs/reports.md says what the reports produce: its JUnit names and JSON keys are the real ones."""

from __future__ import annotations

import re

from egov_sim.scenarios.reports import run_to_dict
from tests.support import ROOT
from tests.support.reports import sample_run

DOC = ROOT / "docs" / "reports.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = {m["name"]: m["body"] for m in
          re.finditer(r"<!-- reports-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", TEXT, re.S)}


def test_junit_names_in_the_docs_are_the_ones_written():
    run = sample_run()
    written = [f"{s.flow.regulation}.{s.flow.channel} | {s.name}" for s in run.scenarios]
    assert BLOCKS["junit-names"].strip().splitlines() == written


def test_json_keys_in_the_docs_are_the_ones_written():
    assert BLOCKS["json-keys"].split() == list(run_to_dict(sample_run()))


def test_the_docs_name_every_public_function():
    import egov_sim.scenarios.reports as reports

    for name in reports.__all__:
        if name not in ("SCHEMA_VERSION", "junit_tree", "junit_xml", "run_from_dict"):
            assert name in TEXT, name
