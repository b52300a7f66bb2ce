"""pytest plugin (entry point ``pytest11``): a simulator inside an integrator's test session.

Every fixture is prefixed ``egov_sim_`` (or ``shep_``) so it never shadows a project's own.
The simulator runs in process on loopback with a fresh home per test session; per-test state
(journal, injected faults) is reset by ``egov_sim_clean``.

Scenario files are not collected by this plugin: that is opt-in, with
``-p egov_sim.scenarios.pytest_items`` (or ``pytest_plugins``), so an integrator's YAML files
are never mistaken for scenarios.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterator

import pytest

from egov_sim.core.settings import Settings


def pytest_configure(config: pytest.Config) -> None:
    """Give the opt-in scenario items (egov_sim.scenarios.pytest_items) the simulator's builder."""
    from egov_sim.app.server import build_app
    from egov_sim.scenarios.pytest_items import APP_FACTORY

    config.stash[APP_FACTORY] = build_app


@pytest.fixture(scope="session")
def egov_sim_settings(tmp_path_factory) -> Settings:
    from egov_sim.core.testing import free_port

    return Settings(home=Path(tmp_path_factory.mktemp("egov-sim")) / "home", port=free_port())


@pytest.fixture(scope="session")
def egov_sim_app(egov_sim_settings):
    """The simulator's ASGI app (every system mounted), built once per session."""
    from egov_sim.app.server import build_app

    return build_app(egov_sim_settings)


@pytest.fixture(scope="session")
def egov_sim_url(egov_sim_app, egov_sim_settings) -> Iterator[str]:
    """Base URL of the simulator served by uvicorn on loopback for the session."""
    from egov_sim.core.testing import serve_in_thread

    with serve_in_thread(egov_sim_app, port=egov_sim_settings.port) as url:
        yield url


@pytest.fixture
def egov_sim_transport(egov_sim_app):
    """A sync httpx transport to the in-process simulator (no sockets); respx can front it."""
    from egov_sim.core.asgi_transport import SyncASGITransport

    transport = SyncASGITransport(egov_sim_app)
    yield transport
    transport.close()


@pytest.fixture
def egov_sim_async_transport(egov_sim_app):
    import httpx

    return httpx.ASGITransport(app=egov_sim_app, client=("127.0.0.1", 123))


@pytest.fixture(scope="session")
def shep_client(egov_sim_url):
    """A zeep client built from the served SyncChannel WSDL, bound to the simulator."""
    import zeep

    client = zeep.Client(f"{egov_sim_url}/bip-sync-wss-gost/?wsdl")
    return client.create_service(
        "{http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2}SyncChannelHttpBinding",
        f"{egov_sim_url}/bip-sync-wss-gost/")


@pytest.fixture(scope="session")
def egov_sim_pki(egov_sim_app):
    return egov_sim_app.state.pki


@pytest.fixture(scope="session")
def egov_sim_personas():
    """Named persons with stable IINs (egov_sim/reference/personas.py), keyed by persona key."""
    from egov_sim.reference.personas import PERSONAS

    return PERSONAS


@pytest.fixture
def egov_sim_certificate(egov_sim_pki, egov_sim_personas) -> Callable:
    """Issue a test certificate for a persona: ``egov_sim_certificate("guardian", state="revoked")``."""

    def issue(persona: str, *, purpose: str = "SIGN", state: str = "valid", password: str = "Qwerty12"):
        who = egov_sim_personas[persona]
        person = who.person
        now = dt.datetime.now(dt.UTC)
        window = {}
        if state == "expired":
            window = {"not_before": now - dt.timedelta(days=400), "not_after": now - dt.timedelta(days=1)}
        issued = egov_sim_pki.issue(iin=who.iin, surname=person.surname if person else "ТЕСТ",
                                    given_name=person.name if person else "ТЕСТ",
                                    patronymic=person.patronymic if person else None,
                                    purpose=purpose, password=password, **window)
        if state == "revoked":
            egov_sim_pki.revoke(issued.serial, "keyCompromise")
        elif state not in ("valid", "expired"):
            raise ValueError(f"state must be valid, expired or revoked, not {state!r}")
        return issued

    return issue


@pytest.fixture
def egov_sim_journal(egov_sim_app):
    return egov_sim_app.state.gateway.journal


@pytest.fixture
def egov_sim_clean(egov_sim_app):
    """Per-test reset: an empty ШЭП journal, no injected faults and every stub scenario in
    Started, before and after the test."""
    gateway = egov_sim_app.state.gateway
    gateway.journal.clear()
    gateway.injector.reset()
    gateway.stubs.states.reset()
    yield egov_sim_app
    gateway.journal.clear()
    gateway.injector.reset()
    gateway.stubs.states.reset()


@pytest.fixture
def egov_sim_stubs(egov_sim_app):
    """The stub sets' scenario states (docs/stubs.md), reset before and after the test:
    ``egov_sim_stubs.set("TAX_DEBT", "lookup", "FOUND")``, ``.states("TAX_DEBT")``."""
    states = egov_sim_app.state.gateway.stubs.states
    states.reset()
    yield states
    states.reset()
