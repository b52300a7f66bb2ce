"""Fixtures shared by every test package: isolated settings, external tools, live servers."""

from __future__ import annotations

import os
import shutil

import pytest

from egov_sim.core.settings import Settings


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (.ci/run installs it)")
    pytest.skip(f"{name} is not installed (apt-get install {name})")


@pytest.fixture(scope="session")
def xmlsec1_bin() -> str:
    """The libxmlsec command line tool; skipped locally when absent, required in CI."""
    return _tool("xmlsec1")


@pytest.fixture(scope="session")
def openssl_bin() -> str:
    return _tool("openssl")


@pytest.fixture
def settings(tmp_path) -> Settings:
    """A simulator home of its own for each test."""
    return Settings(home=tmp_path / "home")
