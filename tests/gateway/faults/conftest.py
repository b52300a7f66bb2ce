"""Fixtures for fault injection: a database per test, an injector, worker processes.

``db_url`` is SQLite (a fresh file) and, when ``EGOV_SIM_TEST_POSTGRES_URL`` is set, also
PostgreSQL in a fresh schema dropped afterwards (as in tests/core/storage).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

from egov_sim.core.database import Database, sqlite_url
from egov_sim.gateway.fault_injection import FaultInjector
from tests.support import ROOT

POSTGRES_ENV = "EGOV_SIM_TEST_POSTGRES_URL"
WORKER = Path(__file__).with_name("fault_worker.py")
_ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])


@pytest.fixture(params=_ENGINES)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "egov-sim.db")
    psycopg = pytest.importorskip("psycopg")
    base = os.environ[POSTGRES_ENV]
    schema = f"egov_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    request.addfinalizer(drop)
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-c search_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@pytest.fixture
def db(db_url):
    with Database.open(db_url) as database:
        yield database


@pytest.fixture
def injector(db):
    return FaultInjector(db, rng=random.Random(7))


@pytest.fixture
def run_worker():
    """Start ``fault_worker.py`` in a new interpreter (a separate process, as a server worker)."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        env = dict(os.environ)
        root = str(ROOT)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        proc = subprocess.Popen([sys.executable, str(WORKER), *args], env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
