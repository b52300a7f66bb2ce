"""The inbox survives a restart; the OpenAPI description covers every route of the АРМ."""

from __future__ import annotations

import re

import httpx
from jsonschema import Draft202012Validator

from tests.support.rshep import Clock, Staff, live_rshep, next_monday_morning, send, service_request


def test_restart_keeps_the_inbox_and_the_chain_goes_on(tmp_path, rshep_pki):
    clock = Clock(next_monday_morning())
    home = tmp_path / "home"
    with live_rshep(home, rshep_pki, clock) as live:
        rid = int(send(live, service_request("CON-RESTART-1")).data.findtext("inboxId"))
        Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
    with live_rshep(home, rshep_pki, clock) as live:
        got = Staff(live, "pvl_pavlodar_city.head").call("GET", f"/requests/{rid}").json()
        assert got["state"] == "REGISTERED" and got["requestId"] == "CON-RESTART-1"
        Staff(live, "pvl_pavlodar_city.head").act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})
        again = send(live, service_request("CON-RESTART-1"))
        assert again.data.findtext("inboxId") == str(rid) and again.data.findtext("duplicate") == "true"


def test_openapi_describes_every_route(live):
    doc = httpx.get(f"{live.url}/arm/openapi.json").json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/arm"}]
    served = set()
    for route in live.rshep.routes():
        if not route.include_in_schema:  # the JSON 404/405 fallback
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method in route.methods - {"HEAD"}:
            served.add((path, method.lower()))
    described = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert served == described
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["operationId"] and op["responses"], (path, method)
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                Draft202012Validator.check_schema(body)


def test_catalogue_is_public(live):
    cat = httpx.get(f"{live.url}/arm/catalogue").json()
    assert {s["code"] for s in cat["services"]} >= {"SIM_GUARDIAN_ALLOWANCE_PAVLODAR",
                                                    "SIM_SOCIAL_ASSISTANCE_ALMATY_OBL"}
    assert cat["routes"]["R_Pavlodar"] == "Павлодарская область"
