"""Fixtures of the stub provider tests: a test PKI on a fixed Monday, stub folders, live gateways.

Every gateway here runs on the fixed clock ``TEST_MONDAY`` (templates' ``now()`` included) with
its database in its own home, so journal and scenario states never mix between tests.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.gateway.shep import gateway_signer
from egov_sim.reference.iin import make_bin
from egov_sim.signing.pki import TestPKI
from tests.support.rshep import TEST_MONDAY
from tests.support.shep import LiveGateway, seed_home

SIGNING_CERT = "tax-service"
"""The named test certificate stub answers are signed with (issued into the session PKI)."""


@pytest.fixture(scope="module", autouse=True)
def _database_per_home():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        yield


@pytest.fixture(scope="session")
def stubs_pki(tmp_path_factory) -> TestPKI:
    pki = TestPKI.init(tmp_path_factory.mktemp("stubs-pki"), base_url="http://127.0.0.1:9",
                       clock=fixed_clock(TEST_MONDAY))
    gateway_signer(pki)
    pki.issue(iin="880314312347", surname="НАЛОГ", given_name="СЕРВИС", bin=make_bin(2001, 4, 1234),
              organization="КГД (SIM)", roles=("EMPLOYEE", "CAN_SIGN"), name=SIGNING_CERT)
    return pki


@contextlib.contextmanager
def live_gateway(home: Path, pki: TestPKI, *, config: str | None = None,
                 clock=None) -> Iterator[LiveGateway]:
    """tests.support.shep.live_gateway without the 10 000 generated ГБД ФЛ persons these tests
    never ask for (a third of the start-up time)."""
    import httpx

    from egov_sim.app.server import build_app
    from egov_sim.core.clock import system_clock
    from egov_sim.core.settings import Settings
    from egov_sim.core.testing import serve_in_thread

    seed_home(home, pki)
    config_file = None
    if config is not None:
        config_file = home / "gateway.toml"
        config_file.write_text(config, encoding="utf-8")
    app = build_app(Settings(home=home, config_file=config_file, population=0,
                             fast_password_hashing=True), clock=clock or system_clock)
    with serve_in_thread(app) as url, httpx.Client(timeout=20) as http:
        yield LiveGateway(url, app, home, http)


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@contextlib.contextmanager
def start_stub_gateway(tmp_path: Path, pki: TestPKI, files: dict[str, str] | None = None, *,
                       service_id: str = "TAX_DEBT_SIM", config: str | None = None,
                       extra: str = "") -> Iterator[LiveGateway]:
    """A live gateway (on TEST_MONDAY) whose service is answered by a stub folder written from
    ``files`` into ``tmp_path/stubs``."""
    folder = write_files(tmp_path / "stubs", files or {})
    if config is None:
        config = (f'[gateway]\nstub_reload_seconds = 0.1\n\n[[services]]\nservice_id = "{service_id}"\n'
                  f'provider = "stubs:{folder}"\ntimeout = 1\n' + extra)
    with live_gateway(tmp_path / "home", pki, config=config, clock=fixed_clock(TEST_MONDAY)) as live:
        yield live


@pytest.fixture
def stub_gateway(tmp_path, stubs_pki):
    """``stub_gateway(files, service_id=..., config=...)``: :func:`start_stub_gateway` for a test."""

    @contextlib.contextmanager
    def start(files: dict[str, str] | None = None, **kwargs) -> Iterator[LiveGateway]:
        with start_stub_gateway(tmp_path, stubs_pki, files, **kwargs) as live:
            yield live

    return start


@pytest.fixture
def run_cli(capsys):
    """``run_cli(*args)`` → (exit code, stdout, stderr) of ``egov-sim``."""
    from egov_sim.app.cli import main

    def invoke(*args: str) -> tuple[int, str, str]:
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
