"""Fixtures for the contract tests: zeep clients built from the file tree, offline."""

from __future__ import annotations

import pytest
import zeep

from egov_sim.wsdl import schemas
from tests.support.contracts import OfflineTransport


@pytest.fixture(scope="session")
def sync_client() -> zeep.Client:
    return zeep.Client(str(schemas.path(schemas.SYNC_SERVICE_WSDL)), transport=OfflineTransport())


@pytest.fixture(scope="session")
def async_client() -> zeep.Client:
    return zeep.Client(str(schemas.path(schemas.ASYNC_SERVICE_WSDL)), transport=OfflineTransport())


@pytest.fixture(scope="session")
def async_push_client() -> zeep.Client:
    return zeep.Client(str(schemas.path(schemas.ASYNC_CLIENT_SERVICE_WSDL)),
                       transport=OfflineTransport())
