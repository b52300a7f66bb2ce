"""Query numbers a database integer cannot hold: a 400 naming the parameter (APIs) or the first
page (pages), never a 500.

Found by a longer schemathesis campaign than the suite's (``EGOV_SIM_FUZZ_EXAMPLES=60``):
``GET /arm/requests?offset=4719364977402489386041344`` reached SQLite, which raised
``OverflowError`` while binding it. Ids in URL paths were bounded before (egov_sim/core/url_params.py).
"""

from __future__ import annotations

import pytest

from egov_sim.core.json_api import INTEGER_RANGE
from tests.support.security import bearer, sign_in, whole_simulator
from tests.support.web import Browserless

HUGE = "4719364977402489386041344"
JUST_OVER = str(INTEGER_RANGE[1] + 1)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("numbers")) as sim:
        yield sim


@pytest.mark.parametrize("api, path, login", [
    ("arm", "/arm/requests", ("pvl_pavlodar_city.head", "arm-secret")),
    ("con", "/con/applications", ("pvl1.operator", "operator-secret")),
    ("balkhash_con", "/balkhash/con/applications", ("blh.con.inspector", "con2012-secret")),
])
@pytest.mark.parametrize("number", [HUGE, JUST_OVER, "-" + HUGE, "9" * 5000])
def test_an_api_refuses_a_number_no_database_holds(sim, api, path, login, number):
    token = sign_in(sim, api, *login)
    r = sim.http.get(path, params={"offset": number}, headers=bearer(token))
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("BAD_PARAMETER", "offset")
    assert len(r.text) < 1000  # the 5,000 digits are not echoed back


def test_the_largest_database_integer_is_still_taken(sim):
    token = sign_in(sim, "arm", "pvl_pavlodar_city.head", "arm-secret")
    r = sim.http.get("/arm/requests", params={"offset": str(INTEGER_RANGE[1])}, headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["requests"] == []


@pytest.mark.parametrize("path", ["/web/con/?offset=" + HUGE, "/overview/journal?before=" + HUGE,
                                  "/overview/journal?after=-" + HUGE])
def test_a_page_shows_its_first_page(sim, path):
    client = Browserless(sim.url)
    try:
        client.post("/web/con/login", {"login": "pvl1.operator", "password": "operator-secret"})
        r = client.get(path)
        assert r.status_code == 200, r.text[:500]
        assert r.url.path == path.partition("?")[0]  # served, not sent to the sign-in page
    finally:
        client.close()
