"""Fixtures of the engine tests: the shipped flows and scenarios, and one template home for the
in-process plays of the session (building it is the slow part)."""

from __future__ import annotations

import pytest

from egov_sim.app.server import build_app
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.scenarios.engine import play_local, prepare_template, scratch_dir
from egov_sim.scenarios.loader import load_all
from tests.support.engine import STARTED


@pytest.fixture(scope="session")
def shipped():
    return load_all()


@pytest.fixture(scope="session")
def template(shipped, tmp_path_factory):
    flows, scenarios = shipped
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        return prepare_template(scenarios, flows, tmp_path_factory.mktemp("engine-template"),
                                started=STARTED, app_factory=build_app)


@pytest.fixture
def play(template):
    """Play a scenario on a fresh in-process simulator made from the session's template."""

    def run(scenario, flow, *, seed: int = 0):
        return play_local(scenario, flow, template, seed=seed, started=STARTED, workdir=scratch_dir())

    return run


@pytest.fixture
def scenario(shipped):
    flows, scenarios = shipped
    by_id = {s.id: s for s in scenarios}

    def get(scenario_id: str):
        s = by_id[scenario_id]
        return s, flows[s.flow]

    return get


@pytest.fixture(scope="session")
def workdir():
    return scratch_dir()
