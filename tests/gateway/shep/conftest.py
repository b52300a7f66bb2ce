"""Fixtures of the gateway's end-to-end tests: one test PKI per session, live gateways per module.

RSA key generation is the slow part of starting a simulator, so the PKI (and the gateway's own
certificate) is made once and each gateway home gets a copy of it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.gateway.shep import gateway_signer
from egov_sim.signing.pki import IssuedCert, TestPKI
from tests.support.shep import IIN, live_gateway

UTC = dt.UTC


@pytest.fixture(scope="module", autouse=True)
def _journal_per_home():
    """Each gateway here keeps its journal in its own home, so tests can count its entries;
    a shared ``EGOV_SIM_DATABASE_URL`` would mix them. Module scope: restored for other dirs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        yield


@pytest.fixture(scope="session")
def gw_pki(tmp_path_factory) -> TestPKI:
    pki = TestPKI.init(tmp_path_factory.mktemp("gw-pki"), base_url="http://127.0.0.1:9")
    gateway_signer(pki)  # issued once here; every home copied from this PKI reuses it
    return pki


def _issue(pki: TestPKI, name: str, **kwargs) -> IssuedCert:
    kwargs.setdefault("iin", IIN)
    return pki.issue(surname="ИНТЕГРАТОР", given_name="ТЕСТ", name=name, pem=True, **kwargs)


@pytest.fixture(scope="session")
def client_cert(gw_pki) -> IssuedCert:
    """The integrator's RSA transport-signing certificate from the simulator's PKI."""
    return _issue(gw_pki, "client")


@pytest.fixture(scope="session")
def expired_cert(gw_pki) -> IssuedCert:
    now = dt.datetime.now(UTC)
    return _issue(gw_pki, "client-expired", not_before=now - dt.timedelta(days=60),
                  not_after=now - dt.timedelta(days=1))


@pytest.fixture(scope="session")
def foreign_pki(tmp_path_factory) -> TestPKI:
    """Stands in for a client's real НУЦ test CA: a CA the simulator does not know."""
    return TestPKI.init(tmp_path_factory.mktemp("nuc-pki"), base_url="http://127.0.0.1:9")


@pytest.fixture(scope="session")
def foreign_cert(foreign_pki) -> IssuedCert:
    return _issue(foreign_pki, "nuc-client")


@pytest.fixture(scope="module")
def gw(tmp_path_factory, gw_pki):
    """A simulator with zero configuration (built-in participants and SIM_ECHO)."""
    with live_gateway(tmp_path_factory.mktemp("home"), gw_pki) as live:
        yield live
