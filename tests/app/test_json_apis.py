"""Every JSON API of one simulator behaves the same way (egov_sim.core.json_api): one error body,
one status per kind of error, the body cap of ``Settings.max_body`` everywhere, JSON 404/405."""

from __future__ import annotations

import httpx
import pytest

from egov_sim.app.server import build_app
from egov_sim.core.settings import Settings
from egov_sim.core.testing import serve_in_thread

CAP = 4096

PUBLIC_WRITES = [
    ("POST", "/portal/login"),
    ("POST", "/con/session"),
    ("POST", "/arm/session"),
    ("POST", "/admin/faults"),
    ("PUT", "/admin/persons/780314401012"),
    ("POST", "/balkhash/uo/session"),
    ("POST", "/balkhash/con/session"),
]
"""A route of each API that reads a JSON body before anything else (no session needed)."""


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    settings = Settings(home=tmp_path_factory.mktemp("json-apis") / "home", population=0,
                        fast_password_hashing=True, max_body=CAP)
    with serve_in_thread(build_app(settings)) as base:
        yield base


def _error(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]


@pytest.mark.parametrize("method, path", PUBLIC_WRITES)
def test_malformed_json_is_400_bad_json(url, method, path):
    r = httpx.request(method, url + path, content=b"{not json",
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and _error(r)["code"] == "BAD_JSON"


@pytest.mark.parametrize("method, path", PUBLIC_WRITES)
def test_another_media_type_is_415(url, method, path):
    r = httpx.request(method, url + path, content=b"login=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and _error(r)["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("method, path", PUBLIC_WRITES)
def test_a_body_over_the_cap_is_413(url, method, path):
    too_big = b'{"x": "' + b"a" * CAP + b'"}'
    r = httpx.request(method, url + path, content=too_big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and _error(r)["code"] == "BODY_TOO_LARGE"
    assert _error(r)["limit"] == CAP


def test_a_streamed_body_over_the_cap_is_413_too(url):
    """No Content-Length to trust: the cap is counted while reading."""
    def chunks():
        for _ in range(8):
            yield b"a" * 1024

    r = httpx.post(url + "/con/session", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and _error(r)["code"] == "BODY_TOO_LARGE"


@pytest.mark.parametrize("path, body", [("/portal/login", {"iin": "780314401012"}),
                                         ("/con/session", {"login": "someone"}),
                                         ("/arm/session", {"login": "someone"})])
def test_a_body_that_breaks_the_schema_is_422_invalid_body(url, path, body):
    r = httpx.post(url + path, json=body)
    field = "password"
    error = _error(r)
    assert r.status_code == 422 and error["code"] == "INVALID_BODY" and error["field"] == field
    assert error["details"] and all(set(d) == {"path", "message"} for d in error["details"])


@pytest.mark.parametrize("path", ["/portal/me", "/con/applications", "/arm/me"])
def test_no_session_is_401_unauthenticated(url, path):
    r = httpx.get(url + path)
    assert r.status_code == 401 and _error(r)["code"] == "UNAUTHENTICATED"
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("prefix", ["/portal", "/con", "/arm", "/admin"])
def test_unknown_paths_and_methods_are_json(url, prefix):
    r = httpx.get(f"{url}{prefix}/no/such/thing")
    assert r.status_code == 404 and _error(r)["code"] == "NOT_FOUND"
    known = {"/portal": "/services", "/con": "/openapi.json", "/arm": "/catalogue", "/admin": "/faults"}
    r = httpx.patch(f"{url}{prefix}{known[prefix]}")
    assert r.status_code == 405 and _error(r)["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in r.headers["allow"]


@pytest.mark.parametrize("path", ["/con/applications?colour=red", "/arm/requests?limit=zero",
                                  "/admin/journal?limit=0", "/admin/persons?colour=red"])
def test_a_bad_query_parameter_is_400(url, path):
    headers = {}
    if path.startswith("/con"):
        token = httpx.post(url + "/con/session", json={"login": "pvl1.operator",
                                                       "password": "operator-secret"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    elif path.startswith("/arm"):
        token = httpx.post(url + "/arm/session", json={"login": "pvl_pavlodar_city.head",
                                                       "password": "arm-secret"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    r = httpx.get(url + path, headers=headers)
    assert r.status_code == 400 and _error(r)["code"] == "BAD_PARAMETER"


@pytest.mark.parametrize("api", ["portal", "con", "arm"])
def test_every_openapi_document_describes_the_same_error_body(url, api):
    doc = httpx.get(f"{url}/{api}/openapi.json").json()
    error = doc["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message"]
    assert {"field", "details"} <= set(error["properties"])


def test_the_admin_api_publishes_a_valid_openapi_document(url):
    """What a client (or schemathesis in tests/security) reads to know the admin paths."""
    from openapi_spec_validator import validate

    r = httpx.get(url + "/admin/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    validate(doc)
    assert {"/journal", "/journal/{journal_id}", "/faults", "/persons/{iin}"} <= set(doc["paths"])


@pytest.mark.parametrize("path", ["/admin/journal/1234567890123456789012345",
                                  "/admin/faults/99999999999999999999999"])
def test_an_id_too_long_for_the_database_is_404_not_500(url, path):
    """egov_sim.core.url_params: ``{id:int}`` takes at most 18 digits, so SQLite never overflows."""
    r = httpx.get(url + path)
    assert r.status_code == 404 and _error(r)["code"] == "NOT_FOUND"
