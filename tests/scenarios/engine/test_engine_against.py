"""``--against URL``: the same scenarios played against a running server (real HTTP on loopback)
that keeps its own clock and state; certificates come from the PKI of its data directory."""

from __future__ import annotations

import pytest

from egov_sim.app.server import build_app
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.core.settings import Settings
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.scenarios.engine import RunOptions, run
from egov_sim.scenarios.loader import load_all

FLOWS, SCENARIOS = load_all()
PLAYED = ("con-decision-before-kurban-ait", "portal-certificate-revoked", "portal-decision-on-kurban-ait")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("against") / "home"
    port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        app = build_app(Settings(home=home, port=port, population=300, fast_password_hashing=True))
        with serve_in_thread(app, port=port) as url:
            yield url, home


def test_scenarios_pass_against_a_running_server(server):
    url, home = server
    chosen = [s for s in SCENARIOS if s.id in PLAYED]
    result = run(chosen, FLOWS, RunOptions(against=url, home=home))
    assert result.against == url and result.jobs == 1
    for r in result.scenarios:
        assert r.passed, r.failure
    con = next(r for r in result.scenarios if r.scenario_id == "con-decision-before-kurban-ait")
    assert {m.service_id for m in con.messages} >= {"GBDFL_UniversalServiceSync", "SIM_CON_INBOX"}


def test_a_switch_the_server_was_started_without_is_named(server):
    url, home = server
    chosen = [s for s in SCENARIOS if s.id == "office-refusal-signed-by-executor"]
    r = run(chosen, FLOWS, RunOptions(against=url, home=home)).scenarios[0]
    assert not r.passed and "refusal_via_head=True" in r.failure


def test_against_needs_the_servers_home(server, tmp_path):
    from egov_sim.core.errors import InputError

    url, _ = server
    with pytest.raises(InputError, match="--home"):
        run(SCENARIOS[:1], FLOWS, RunOptions(against=url, home=tmp_path))
