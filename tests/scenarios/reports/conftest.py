"""Fixtures of the report tests: the hand-built run of tests/support/reports.py."""

from __future__ import annotations

import pytest

from egov_sim.scenarios.results import RunResult
from tests.support.reports import sample_run


@pytest.fixture
def run() -> RunResult:
    return sample_run()
