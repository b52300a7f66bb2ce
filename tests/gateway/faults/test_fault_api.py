"""Admin JSON API of fault injection (mounted under /admin as the server does)."""

from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from egov_sim.gateway.fault_api import routes

with warnings.catch_warnings():
    # starlette 1.x prefers httpx2 for its TestClient; httpx (a dependency) still works
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient


@pytest.fixture
def client(injector):
    app = Starlette(routes=[Mount("/admin", routes=routes(injector))])
    with TestClient(app) as c:
        yield c


def test_post_list_get_delete(client, injector):
    r = client.post("/admin/faults", json={"serviceId": "SIM_ECHO", "faultCode": "SCE909"})
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["id"] == 1 and rule["source"] == "api" and rule["faultCode"] == "SCE909"
    assert r.headers["location"].endswith("/admin/faults/1")
    assert injector.match("SIM_ECHO", "ANY").rule.fault_code == "SCE909"

    r = client.post("/admin/faults", json={"senderId": "S", "latencyMsMin": 10, "latencyMsMax": 20,
                                           "probability": 0.5, "times": 2, "faultData": None})
    assert r.status_code == 201, r.text
    assert client.get("/admin/faults").json()["items"][1]["remaining"] == 2
    assert client.get("/admin/faults/2").json()["latencyMsMax"] == 20

    assert client.delete("/admin/faults/1").json() == {"removed": 1}
    r = client.delete("/admin/faults/1")
    assert r.status_code == 404 and r.json()["error"]["code"] == "FAULT_RULE_NOT_FOUND"
    assert client.get("/admin/faults/1").status_code == 404

    assert client.delete("/admin/faults").json() == {"deleted": 1}
    assert client.get("/admin/faults").json() == {"items": []}


@pytest.mark.parametrize("body, field", [
    ({"serviceId": "SIM_ECHO"}, None),
    ({"latencyMs": "200"}, "latencyMs"),
    ({"latencyMs": 5, "latency_ms": 5}, "latency_ms"),
    ({"timeout": True, "faultCode": "SCE909"}, "timeout"),
    ({"malformed": "xml"}, "malformed"),
    ({"timeout": True, "times": 0}, "times"),
    ({"timeout": True, "source": "config"}, "source"),
])
def test_bad_rules_are_422_naming_the_field(client, body, field):
    r = client.post("/admin/faults", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "BAD_FAULT_RULE" and error["field"] == field
    if field:
        assert f"'{field}'" in error["message"]
    assert client.get("/admin/faults").json() == {"items": []}


def test_a_body_that_is_not_a_json_object(client):
    r = client.post("/admin/faults", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_JSON"
    r = client.post("/admin/faults", json=[{"timeout": True}])
    assert r.status_code == 422 and r.json()["error"]["code"] == "BAD_FAULT_RULE"
