"""Fixtures of the portal tests: one live simulator (ШЭП, ГБД ФЛ, portal, stand-in РШЭП) per module."""

from __future__ import annotations

import pytest

from tests.support.portal import live_portal


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    with live_portal(tmp_path_factory.mktemp("portal") / "home") as h:
        yield h


@pytest.fixture
def client(harness):
    with harness.http() as c:
        yield c
