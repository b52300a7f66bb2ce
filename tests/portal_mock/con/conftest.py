"""Fixtures of the ИИС ЦОН tests: one test PKI per session (RSA keys are the slow part) and a
live stack per module, on a clock the tests move."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.signing.pki import TestPKI
from tests.support.con import Clock, live_con, next_monday_morning


@pytest.fixture(scope="module", autouse=True)
def _database_per_home():
    """Each live stack keeps its data in its own home (a shared database URL would mix them)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        yield


@pytest.fixture(scope="session")
def con_pki(tmp_path_factory) -> TestPKI:
    return TestPKI.init(tmp_path_factory.mktemp("con-pki"), base_url="http://127.0.0.1:9",
                        clock=fixed_clock(next_monday_morning() - dt.timedelta(days=1)))


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(next_monday_morning())


@pytest.fixture(scope="module")
def live(tmp_path_factory, con_pki, clock):
    """ШЭП + ГБД ФЛ + ЕНИС + ЦОН with a recording stand-in for РШЭП."""
    with live_con(tmp_path_factory.mktemp("con-home"), con_pki, clock) as stack:
        yield stack
