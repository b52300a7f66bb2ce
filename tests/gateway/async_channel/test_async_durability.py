"""The AsyncChannel's queue against real `egov-sim serve` processes: what sendMessage
acknowledged survives kill -9, and two worker processes (SQLite, or two servers on one
PostgreSQL) never hand the same message to two getMessages calls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.core.testing import free_port
from tests.support.async_channel import PATH, csharp_get_messages, csharp_notification, php_send_message, response

SENDER, PULLER = ("Q_SENDER", "q-secret"), ("Q_PULLER", "q-pull")
CONFIG = f'''
[[participants]]
sender_id = "{SENDER[0]}"
password = "{SENDER[1]}"

[[participants]]
sender_id = "{PULLER[0]}"
password = "{PULLER[1]}"

[[services]]
service_id = "Q_SERVICE"
provider = "builtin:echo"
recipient = "{PULLER[0]}"
'''
POSTGRES_ENV = "EGOV_SIM_TEST_POSTGRES_URL"


def start(home: Path, port: int, *, workers: int = 1, env: dict | None = None) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    (home / "gateway.toml").write_text(CONFIG, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
    environ.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "egov_sim", "--home", str(home), "serve",
                             "--port", str(port), "--population", "0", "--workers", str(workers),
                             "--config", str(home / "gateway.toml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}{PATH}?wsdl", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError("egov-sim serve did not start")


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL the server and its worker processes (one process group, started by this test)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill9(proc)


def _post(client: httpx.Client, body: bytes) -> httpx.Response:
    return client.post(PATH, content=body, headers={"Content-Type": "text/xml; charset=utf-8"})


def send_many(url: str, count: int) -> list[str]:
    def one(_):
        with httpx.Client(base_url=url, timeout=30) as client:
            r = _post(client, php_send_message("Q_SERVICE", SENDER))
            assert r.status_code == 200, r.content
            return response(r.content).findtext("messageId")
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def pull_all(url: str, *, threads: int, amount: int) -> list[str]:
    """Every message handed out, by ``threads`` concurrent pullers (each acknowledges its own)."""
    handed: list[str] = []
    lock = threading.Lock()

    def puller():
        with httpx.Client(base_url=url, timeout=30) as client:
            empty = 0
            while empty < 3:
                r = _post(client, csharp_get_messages("Q_SERVICE", PULLER, amount))
                got = [m.findtext("messageInfo/messageId") for m in response(r.content).findall("messages")]
                if not got:
                    empty += 1
                    time.sleep(0.05)
                    continue
                with lock:
                    handed.extend(got)
                for message_id in got:
                    ack = _post(client, csharp_notification(message_id, "Q_SERVICE", PULLER))
                    assert ack.status_code == 200, ack.content
    workers = [threading.Thread(target=puller) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return handed


def test_acknowledged_messages_survive_kill_9(tmp_path):
    home, port = tmp_path / "home", free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(home, port)
    try:
        acknowledged = send_many(url, 24)
    finally:
        kill9(proc)
    proc = start(home, port)
    try:
        handed = pull_all(url, threads=2, amount=5)
    finally:
        stop(proc)
    assert sorted(handed) == sorted(acknowledged)  # every one, none twice


def _two_workers(tmp_path, env: dict | None = None):
    home, port = tmp_path / "home", free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(home, port, workers=2, env=env)
    try:
        sent = send_many(url, 60)
        handed = pull_all(url, threads=8, amount=3)
    finally:
        stop(proc)
    assert len(handed) == len(set(handed)), "a message was handed to two getMessages calls"
    assert sorted(handed) == sorted(sent)


def test_two_worker_processes_never_hand_out_one_message_twice(tmp_path):
    _two_workers(tmp_path)


@pytest.fixture
def postgres_url():
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}=postgresql://…")
    psycopg = pytest.importorskip("psycopg")
    schema = f"egov_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"] + [("options", f"-c search_path={schema}")]
    try:
        yield urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_two_servers_on_one_postgresql_never_hand_out_one_message_twice(tmp_path, postgres_url):
    """Two hosts on one database: two `serve` processes, each with two workers (SKIP LOCKED)."""
    env = {DATABASE_URL_ENV: postgres_url}
    ports = [free_port(), free_port()]
    procs = [start(tmp_path / f"home{i}", port, workers=2, env=env) for i, port in enumerate(ports)]
    try:
        sent = send_many(f"http://127.0.0.1:{ports[0]}", 40) + send_many(f"http://127.0.0.1:{ports[1]}", 40)
        handed: list[str] = []
        with ThreadPoolExecutor(2) as pool:
            for part in pool.map(lambda p: pull_all(f"http://127.0.0.1:{p}", threads=4, amount=3), ports):
                handed += part
    finally:
        for proc in procs:
            stop(proc)
    assert len(handed) == len(set(handed)), "a message was handed to two getMessages calls"
    assert sorted(handed) == sorted(sent)
