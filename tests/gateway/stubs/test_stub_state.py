"""Scenario state across calls: "first NOT_FOUND, then FOUND", shared by workers through the
database, with one winner when two race for a transition; reset and set over the admin API."""

from __future__ import annotations

import threading

import httpx
import pytest

from egov_sim.core.database import Database, sqlite_url
from egov_sim.gateway.stubs.state import StubStates
from tests.support.shep import request_info

SCENARIO_YAML = """\
stubs:
  - name: not-yet
    scenario: {name: registration, state: Started, next: REGISTERED}
    match: {xpath: ["//register"]}
    answer: {status: SCSS001, data: "<result>NOT_FOUND</result>"}
  - name: registered
    scenario: {name: registration, state: REGISTERED}
    match: {xpath: ["//register"]}
    answer: {data: "<result>FOUND {{ state }}</result>"}
  - name: forget
    scenario: {name: registration, next: Started}
    match: {xpath: ["//forget"]}
    answer: {data: "<forgotten/>"}
"""


def _ask(gw, what: str = "register") -> str:
    reply = gw.send("jaxws", info=request_info(service_id="SIM_REGISTRY"), data=f"<data><{what}/></data>")
    assert reply.status == 200, reply.content[:500]
    return "".join(reply.data.itertext()) or reply.data[0].tag


@pytest.fixture
def gw(stub_gateway):
    with stub_gateway({"registry.yaml": SCENARIO_YAML}, service_id="SIM_REGISTRY") as live:
        yield live


def test_first_not_found_then_found_and_back(gw):
    assert _ask(gw) == "NOT_FOUND"
    assert _ask(gw) == "FOUND REGISTERED"
    assert _ask(gw) == "FOUND REGISTERED"
    assert _ask(gw, "forget") == "forgotten"
    assert _ask(gw) == "NOT_FOUND"


def test_admin_api_lists_sets_and_states_resets_and_sets(gw):
    admin = gw.url + "/admin/stubs"
    assert _ask(gw) == "NOT_FOUND"
    listed = httpx.get(admin).json()["items"]
    [registry] = [s for s in listed if s["name"] == "SIM_REGISTRY"]
    assert registry["scenarios"] == {"registration": "REGISTERED"}
    assert [s["name"] for s in registry["stubs"]] == ["not-yet", "registered", "forget"]

    assert httpx.delete(admin + "/SIM_REGISTRY/state").json() == {"reset": 1}
    assert _ask(gw) == "NOT_FOUND"
    assert httpx.delete(admin + "/state").status_code == 200
    assert _ask(gw) == "NOT_FOUND"

    r = httpx.put(admin + "/SIM_REGISTRY/state/registration", json={"state": "REGISTERED"})
    assert r.status_code == 200, r.text
    assert _ask(gw) == "FOUND REGISTERED"
    assert httpx.put(admin + "/NOPE/state/x", json={"state": "A"}).status_code == 404
    bad = httpx.put(admin + "/SIM_REGISTRY/state/registration", json={"status": "A"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_STUB_STATE"


def test_states_are_shared_between_workers_through_the_database(tmp_path):
    url = sqlite_url(tmp_path / "egov-sim.db")
    with Database.open(url) as db1, Database.open(url) as db2:
        worker1, worker2 = StubStates(db1), StubStates(db2)
        assert worker2.states("S") == {}
        assert worker1.transition("S", "flow", "Started", "ONE")
        assert worker2.states("S") == {"flow": "ONE"}  # seen at once: no time-bounded cache
        assert not worker2.transition("S", "flow", "Started", "TWO")  # not in Started any more
        assert worker2.transition("S", "flow", "ONE", "TWO")
        assert worker1.states("S") == {"flow": "TWO"}
        assert [worker1.next_counter("S", "c") for _ in range(2)] + [worker2.next_counter("S", "c")] == [1, 2, 3]
        assert worker2.reset("S") == 1
        assert worker1.states("S") == {} and worker1.next_counter("S", "c") == 1


def test_one_winner_when_requests_race_for_a_transition(tmp_path):
    url = sqlite_url(tmp_path / "egov-sim.db")
    dbs = [Database.open(url) for _ in range(4)]
    try:
        workers = [StubStates(db) for db in dbs]
        wins: list[bool] = []
        start = threading.Barrier(len(workers))

        def race(states: StubStates) -> None:
            start.wait()
            wins.append(states.transition("S", "flow", "Started", "TAKEN"))

        threads = [threading.Thread(target=race, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(wins) == [False, False, False, True]
    finally:
        for db in dbs:
            db.close()


def test_a_transition_in_another_process_is_seen_at_once(tmp_path):
    """As between two workers of ``egov-sim serve --workers 2``: separate processes, one database."""
    import subprocess
    import sys

    from tests.support import ROOT

    url = sqlite_url(tmp_path / "egov-sim.db")
    with Database.open(url) as db:
        here = StubStates(db)
        assert here.states("S") == {}  # cached now
        code = ("import sys; from egov_sim.core.database import Database; "
                "from egov_sim.gateway.stubs.state import StubStates; "
                "db = Database.open(sys.argv[1]); "
                "print(StubStates(db).transition('S', 'flow', 'Started', 'ELSEWHERE')); db.close()")
        done = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True,
                              cwd=ROOT, timeout=60)
        assert done.stdout.strip() == "True", done.stderr
        assert here.states("S") == {"flow": "ELSEWHERE"}
        assert not here.transition("S", "flow", "Started", "HERE")
