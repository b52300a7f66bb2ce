"""Fixtures of the report tests: the hand-built run of report_support.py."""

from __future__ import annotations

import pytest

from report_support import sample_run
from scenarios.results import RunResult


@pytest.fixture
def run() -> RunResult:
    return sample_run()
