"""Fixtures of the PKI tests: one session PKI served by a real uvicorn server, its certificates,
and helpers to run the real ``openssl`` binary and the ``egov-sim`` command line."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.settings import Settings
from egov_sim.signing.pki import IssuedCert, TestPKI

PERSON_IIN = "880101300040"
"""Valid IIN: born 1988-01-01, male, serial 0004."""
EMPLOYEE_IIN = "900215400013"
COMPANY_BIN = "040540001230"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.settings.base_url


@contextlib.contextmanager
def live_server(settings: Settings, *, clock: Clock = system_clock) -> Iterator[LiveServer]:
    """``egov-sim serve``'s app (egov_sim.app.server.build_app) on 127.0.0.1 in a background thread."""
    from egov_sim.app.server import build_app

    app = build_app(settings, clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning",
                            access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn:{settings.port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server did not start on port {settings.port}")
        time.sleep(0.01)
    try:
        yield LiveServer(settings, server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def pki_settings(tmp_path_factory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("pki-home"), port=free_port())


@pytest.fixture(scope="session")
def pki(pki_settings) -> TestPKI:
    """The session's PKI; its certificates point at :func:`server`'s port."""
    return TestPKI.init(pki_settings.pki_dir, base_url=pki_settings.base_url)


@pytest.fixture(scope="session")
def server(pki, pki_settings) -> Iterator[LiveServer]:
    with live_server(pki_settings) as running:
        yield running


@pytest.fixture(scope="session")
def person_sign(pki) -> IssuedCert:
    return pki.issue(iin=PERSON_IIN, surname="Тестов", given_name="Тест", patronymic="Тестович",
                     email="test@example.kz", name="person_sign", pem=True)


@pytest.fixture(scope="session")
def person_auth(pki) -> IssuedCert:
    return pki.issue(iin=PERSON_IIN, surname="Тестов", given_name="Тест", purpose="AUTH",
                     name="person_auth", pem=True)


@pytest.fixture(scope="session")
def ceo_auth(pki) -> IssuedCert:
    return pki.issue(iin=EMPLOYEE_IIN, surname="Үлгі", given_name="Қолданушы", patronymic="Үлгіұлы",
                     purpose="AUTH", bin=COMPANY_BIN, organization='ТОО "SIM"', roles=["CEO", "CAN_SIGN"],
                     name="ceo_auth", pem=True)


@pytest.fixture
def fresh_cert(pki, request) -> IssuedCert:
    """A certificate of its own for a test that revokes it."""
    return pki.issue(iin=PERSON_IIN, surname="Отозванов", given_name="Тест",
                     name=f"t_{request.node.name[:60]}", pem=True)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def _run(args: list[str | Path], *, check: bool = True, **kwargs) -> Run:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60, **kwargs)
    result = Run(proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed with {proc.returncode}: {proc.stdout}{proc.stderr}")
    return result


@pytest.fixture(scope="session")
def sh():
    """Run a command (e.g. the real openssl); fails the test on a non-zero exit unless check=False."""
    return _run


@pytest.fixture(scope="session")
def cli_process():
    """The real command line in a separate process (same code path as the console script)."""
    def invoke(*args: str | Path) -> Run:
        return _run([sys.executable, "-c", "from egov_sim.app.cli import main; main()", *args], check=False)

    return invoke


@pytest.fixture
def cli(capsys):
    """``egov-sim`` in this process: (exit code, stdout, stderr)."""
    from egov_sim.app.cli import main

    def invoke(*args: str | Path) -> Run:
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return invoke
