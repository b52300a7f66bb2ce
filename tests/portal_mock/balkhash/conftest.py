"""Fixtures of the Balkhash tests: one test PKI per session, a live stack per test (each test
plays on its own registers and clock)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

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


_ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("EGOV_SIM_TEST_POSTGRES_URL") else [])


@pytest.fixture(params=_ENGINES)
def live(request, tmp_path, balkhash_pki, clock):
    """The stack on SQLite, and again on PostgreSQL when ``EGOV_SIM_TEST_POSTGRES_URL`` is set."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with live_balkhash(tmp_path / "home", balkhash_pki, clock, database_url=url) as stack:
        yield stack


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL schema on ``$EGOV_SIM_TEST_POSTGRES_URL``; skips the test without it."""
    base = os.environ.get("EGOV_SIM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL tests need EGOV_SIM_TEST_POSTGRES_URL=postgresql://…")
    psycopg = pytest.importorskip("psycopg")
    schema = f"egov_blh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"] + [("options", f"-c search_path={schema}")]
    try:
        yield urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
