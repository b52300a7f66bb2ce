"""The OpenAPI 3.1 document describes every route of the ИИС ЦОН API, and the bodies the API
validates are the document's own schemas."""

from __future__ import annotations

import re

import httpx
from starlette.routing import Route

from tests.support.con import Desk


def _routes(con) -> set[tuple[str, str]]:
    found = set()
    for route in con.routes():
        if not isinstance(route, Route) or not route.include_in_schema:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path)
        found |= {(path, m.lower()) for m in route.methods if m != "HEAD"}
    return found


def test_every_route_is_described(live):
    doc = httpx.get(f"{live.url}/con/openapi.json").json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/con"}]
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routes = _routes(live.con)
    assert routes == described, (routes - described, described - routes)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["responses"] and op["summary"], (path, method)
            for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(op).replace("'", '"')):
                assert ref in doc["components"]["schemas"], ref
            params = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert params == set(re.findall(r"\{(\w+)\}", path)), (path, method)


def test_documented_codes_and_bodies_match_the_api(live):
    doc = live.con.openapi()
    body = doc["paths"]["/applications"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ApplicationRequest"}
    r = Desk(live).call("POST", "/applications", {"serviceCode": "X"})
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"path": "/", "message": "'applicant' is a required property"}]
