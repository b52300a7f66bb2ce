"""Fixtures of the РШЭП tests: one test PKI per session (RSA keys are the slow part), a live
simulator with ШЭП and РШЭП per module, on a clock the tests move."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.signing.pki import TestPKI
from tests.support.rshep import Clock, live_rshep, next_monday_morning


@pytest.fixture(scope="module", autouse=True)
def _database_per_home():
    """Each live stack keeps its data in its own home (a shared database URL would mix them)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        yield


@pytest.fixture(scope="session")
def rshep_pki(tmp_path_factory) -> TestPKI:
    return TestPKI.init(tmp_path_factory.mktemp("rshep-pki"), base_url="http://127.0.0.1:9",
                        clock=fixed_clock(next_monday_morning() - dt.timedelta(days=1)))


@pytest.fixture(scope="module")
def live(tmp_path_factory, rshep_pki):
    clock = Clock(next_monday_morning())
    with live_rshep(tmp_path_factory.mktemp("rshep-home"), rshep_pki, clock) as stack:
        yield stack
