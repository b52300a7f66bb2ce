"""A bounded, deterministic fuzzing run of every JSON API against its own published OpenAPI
document (schemathesis on hypothesis): the portal, the ЦОН, the АРМ, the Balkhash department and
2012 ЦОН, and the admin API.

Each operation gets a few generated requests that follow its schema and a few that break it
(``derandomize``: the same requests every run), sent with a signed-in user's token to a whole
simulator on loopback. The only property checked is the one the JSON contract promises for any
input: never a 5xx (a traceback, an internal error) — every request, good or bad, gets a
specific answer. Signing out is left out (it would end the fuzzer's own session).
"""

from __future__ import annotations

import pytest

from tests.support.security import portal_token, sign_in, whole_simulator

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

EXAMPLES = int(__import__("os").environ.get("EGOV_SIM_FUZZ_EXAMPLES", "6"))
APIS = {
    "portal": ("/portal/openapi.json", None),
    "con": ("/con/openapi.json", ("con", "pvl1.operator", "operator-secret")),
    "arm": ("/arm/openapi.json", ("arm", "pvl_pavlodar_city.head", "arm-secret")),
    "balkhash_uo": ("/balkhash/uo/openapi.json", ("balkhash_uo", "blh.head", "uo-secret")),
    "balkhash_con": ("/balkhash/con/openapi.json", ("balkhash_con", "blh.con.inspector", "con2012-secret")),
    "admin": ("/admin/openapi.json", None),
}
SIGN_OUT = ("DELETE /session", "POST /logout")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("fuzz-apis")) as sim:
        yield sim


@pytest.mark.parametrize("api", APIS)
def test_no_request_the_schema_allows_or_breaks_gets_a_server_error(sim, api):
    path, login = APIS[api]
    token = portal_token(sim) if api == "portal" else sign_in(sim, *login) if login else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    schema = schemathesis.openapi.from_url(sim.url + path)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{path} describes no operation"
    for operation in operations:
        if any(operation.label.endswith(s) for s in SIGN_OUT):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def probe(case):
                response = case.call(base_url=sim.url + path.rsplit("/", 1)[0], headers=headers, timeout=60)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {case.as_curl_command()}\n  {response.text[:300]}")

            try:
                probe()
            except Unsatisfiable:  # nothing of this operation can be broken (no parameters, no body)
                pass
    assert not failures, "\n".join(failures[:10])
