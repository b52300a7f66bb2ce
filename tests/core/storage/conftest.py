"""Fixtures for the data layer and the ШЭП journal.

``db_url`` runs a test on SQLite (a fresh file) and, when ``EGOV_SIM_TEST_POSTGRES_URL`` is set,
again on PostgreSQL in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

from egov_sim.core.database import Database, sqlite_url
from egov_sim.gateway.journal import Exchange, Journal
from tests.support import ROOT

POSTGRES_ENV = "EGOV_SIM_TEST_POSTGRES_URL"
WORKER = Path(__file__).with_name("storage_worker.py")
T0 = dt.datetime(2024, 2, 5, 5, 15, tzinfo=dt.UTC)


def _postgres_schema_url(base: str, schema: str) -> str:
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-c search_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL schema on ``$EGOV_SIM_TEST_POSTGRES_URL``; skips the test without it."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}=postgresql://…")
    psycopg = pytest.importorskip("psycopg")
    schema = f"egov_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _postgres_schema_url(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


# Tests on db_url run on every configured engine; PostgreSQL joins only when configured, so a
# plain run lists one skip (tests/core/storage/test_postgres.py) instead of one per test.
_ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])


@pytest.fixture(params=_ENGINES)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "egov-sim.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def db(db_url):
    with Database.open(db_url) as database:
        yield database


@pytest.fixture
def journal(db):
    return Journal(db)


@pytest.fixture
def exchange():
    """Build an Exchange with sensible defaults; keyword arguments override them."""

    def make(**changes) -> Exchange:
        values = dict(
            received_at=T0,
            request_body=b"<SendMessage><iin>000000000000</iin></SendMessage>",
            response_body=b"<SendMessageResponse/>",
            message_id=str(uuid.uuid4()),
            service_id="GBDFL_UniversalServiceSync",
            sender_id="EGOV_SIM_IIS_CON",
            provider="gbd_fl",
            responded_at=T0 + dt.timedelta(milliseconds=12),
            request_signature="valid",
            response_signed=True,
            status_code="SCSS001",
            status_message="Message has been processed successfully",
            http_status=200,
        )
        values.update(changes)
        return Exchange(**values)

    return make


@pytest.fixture
def run_worker():
    """Start ``storage_worker.py`` in a new interpreter (a separate process, as a server worker)."""

    def start(*args: str) -> subprocess.Popen:
        env = dict(os.environ)
        root = str(ROOT)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        return subprocess.Popen([sys.executable, str(WORKER), *args], env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    return start
