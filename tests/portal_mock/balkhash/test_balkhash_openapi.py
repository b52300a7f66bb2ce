"""Both OpenAPI 3.1 documents are valid, describe every route, and the bodies the APIs validate
are the documents' own schemas; concurrent acts on one case or one реестр take effect once."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from openapi_spec_validator import validate
from starlette.routing import Route

from egov_sim.reference import personas as p
from egov_sim.reference.balkhash_services import Readings
from tests.support.balkhash import MONDAY_2013, S6_DOCUMENTS, Clock, error, live_balkhash


def _routes(system) -> set[tuple[str, str]]:
    found = set()
    for route in system.routes():
        if isinstance(route, Route) and route.include_in_schema:
            path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path)
            found |= {(path, m.lower()) for m in route.methods if m != "HEAD"}
    return found


def test_both_documents_are_valid_and_describe_every_route(live):
    for system, base in ((live.department, "/balkhash/uo"), (live.centre, "/balkhash/con")):
        doc = httpx.get(f"{live.url}{base}/openapi.json").json()
        validate(doc)
        assert doc["servers"] == [{"url": base}]
        described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
        routes = _routes(system)
        assert routes == described, (routes - described, described - routes)
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                params = {q["name"] for q in op.get("parameters", []) if q["in"] == "path"}
                assert params == set(re.findall(r"\{(\w+)\}", path)), (base, path, method)


def test_the_validated_bodies_are_the_documented_ones(live):
    doc = httpx.get(f"{live.url}/balkhash/uo/openapi.json").json()
    draft = doc["paths"]["/cases/{number}/draft"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert draft["properties"]["outcome"]["enum"] == ["grant", "refusal"]
    r = live.uo("blh.benefits.specialist").call("POST", "/cases/BLH-S06-2013-000001/draft", {"outcome": "maybe"})
    assert r.status_code == 422 and error(r.json())["field"] == "outcome"


def test_two_officers_taking_the_same_step_at_once(live):
    spec, head = live.uo("blh.benefits.specialist"), live.uo("blh.head")
    n = spec.post("/cases", {"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "documents": S6_DOCUMENTS},
                  expect=201)["number"]
    head.sign_in()
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(r.status_code for r in pool.map(lambda _: head.call("POST", f"/cases/{n}/order_survey", {}),
                                                       range(4)))
    assert codes == [200, 409, 409, 409]
    history = spec.get(f"/cases/{n}/history")["entries"]
    assert [e["verb"] for e in history] == ["accept", "order_survey"]


def test_a_registry_is_received_once(live):
    inspector, accumulation = live.con("blh.con.inspector"), live.con("blh.con.accumulation")
    numbers = []
    for iin in (p.BLH_MOTHER_LOW, p.BLH_MOTHER_HIGH):
        app = inspector.post("/applications", {"service": 6, "documents": S6_DOCUMENTS,
                                               "applicant": {"iin": iin, "surname": "X", "name": "Y"}}, expect=201)
        inspector.post(f"/applications/{app['number']}/handover")
        numbers.append(app["number"])
    registry = accumulation.post("/transfers", {"applications": numbers}, expect=201)["transfer"]["number"]
    spec = live.uo("blh.benefits.specialist")
    spec.sign_in()
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: spec.call("POST", f"/transfers/{registry}/receive", {}), range(3)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409]
    assert len(spec.get("/cases?service=6")["cases"]) == 2


def test_the_akim_issues_under_the_other_reading(tmp_path, balkhash_pki):
    clock = Clock(MONDAY_2013)
    with live_balkhash(tmp_path / "h", balkhash_pki, clock, readings=Readings(s6_akim_issuer="akim")) as live:
        akim, spec = live.uo("konyrat.akim"), live.uo("blh.benefits.specialist")
        case = akim.post("/cases", {"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "documents": S6_DOCUMENTS},
                         expect=201)
        n = case["number"]
        akim.post(f"/cases/{n}/order_survey")
        live.uo("konyrat.commission").post(f"/cases/{n}/survey")
        akim.post(f"/cases/{n}/forward")
        spec.post(f"/cases/{n}/receive")
        spec.post(f"/cases/{n}/draft", {"outcome": "grant"})
        live.uo("blh.benefits.head").post(f"/cases/{n}/visa")
        decided = live.uo("blh.head").post(f"/cases/{n}/decide")
        assert decided["nextStep"]["role"] == "akim"
        r = spec.call("POST", f"/cases/{n}/notify", {})
        assert r.status_code == 403 and error(r.json())["requiredRole"] == "akim"
        assert live.uo("gulshat.akim").call("POST", f"/cases/{n}/notify", {}).status_code == 404
        assert akim.post(f"/cases/{n}/notify")["state"] == "COMPLETED"
