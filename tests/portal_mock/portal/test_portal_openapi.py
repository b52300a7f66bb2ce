"""The OpenAPI 3.1 document describes every route of the portal, and the server's answers
match the schemas it publishes."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import Route

from egov_sim.portal_mock.portal import openapi
from egov_sim.reference import personas
from tests.support.portal import GUARDIAN_SERVICE, draft, guardian_draft, login, sign, submit

METHODS = {"get", "post", "put", "patch", "delete"}


def _served(portal) -> dict[str, set[str]]:
    """path → methods the portal's routes actually handle (HEAD comes with GET)."""
    out: dict[str, set[str]] = {}
    for route in portal.routes():
        assert isinstance(route, Route)
        if not route.include_in_schema:  # the JSON 404/405 fallback
            continue
        out.setdefault(route.path, set()).update(m.lower() for m in route.methods if m != "HEAD")
    return out


def test_every_route_is_described_and_every_description_is_served(harness, client):
    doc = client.get("/portal/openapi.json").json()
    assert doc == harness.portal.openapi()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/portal"}]
    described = {path: {m for m in ops if m in METHODS} for path, ops in doc["paths"].items()}
    assert described == _served(harness.portal)
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, op in ops.items():
            assert op["summary"] and op["responses"] and "security" in op, (method, path)
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)


def test_the_schemas_are_valid_json_schema_2020_12():
    for schema in openapi.SCHEMAS.values():
        Draft202012Validator.check_schema(schema)


def test_answers_match_the_published_schemas(harness, client):
    doc = harness.portal.openapi()
    registry = Registry().with_resource("urn:doc", Resource.from_contents(doc, default_specification=DRAFT202012))

    def check(name, instance):
        validator = Draft202012Validator({"$ref": f"urn:doc#/components/schemas/{name}"}, registry=registry)
        errors = list(validator.iter_errors(instance))
        assert not errors, (name, errors[0].message)

    r = client.post("/portal/login", json={"iin": personas.GUARDIAN, "password": "x"})
    check("Error", r.json())
    auth = login(client, personas.GUARDIAN)
    session = client.post("/portal/login", json={"iin": personas.GUARDIAN, "password": "Qwerty-123"}).json()
    check("Session", session)
    check("ServiceDetail", client.get(f"/portal/services/{GUARDIAN_SERVICE}").json())
    d = draft(client, auth, guardian_draft())
    check("Draft", d)
    r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.GUARDIAN)))
    check("Request", r.json())
    check("RequestList", client.get("/portal/requests", headers=auth).json())
    check("Error", submit(client, auth, d["xml"].encode().replace(b"PRT-", b"PRX-")).json())

