"""A test PKI on the tests' fixed clock and NCALayer emulators holding persona keys."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.signing.ncalayer.assembly import build_ncalayer
from egov_sim.signing.pki import TestPKI
from tests.support.rshep import TEST_MONDAY

NOW = TEST_MONDAY + dt.timedelta(hours=2)


@pytest.fixture(scope="session")
def ncalayer_pki(tmp_path_factory) -> TestPKI:
    return TestPKI.init(tmp_path_factory.mktemp("ncalayer-pki"), base_url="http://127.0.0.1:8080",
                        clock=fixed_clock(TEST_MONDAY))


@pytest.fixture(scope="session")
def emulator(ncalayer_pki):
    return build_ncalayer(ncalayer_pki, personas=["guardian", "ward_teen"], clock=fixed_clock(NOW))
