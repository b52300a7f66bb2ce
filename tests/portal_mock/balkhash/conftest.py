"""Fixtures of the Balkhash tests: one test PKI per session, a live stack per test (each test
plays on its own registers and clock)."""

from __future__ import annotations

import pytest

from egov_sim.core.database import DATABASE_URL_ENV

from tests.support.balkhash import MONDAY_2013, Clock, live_balkhash, make_pki


@pytest.fixture(autouse=True)
def _database_per_home(monkeypatch):
    """Each live stack keeps its data in its own home (a shared database URL would mix them)."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)


@pytest.fixture(scope="session")
def balkhash_pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("balkhash-pki"))


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_2013)


@pytest.fixture
def live(tmp_path, balkhash_pki, clock):
    with live_balkhash(tmp_path / "home", balkhash_pki, clock) as stack:
        yield stack
