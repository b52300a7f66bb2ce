"""Who may do what in the АРМ: other providers' requests are invisible (404), a role does only
its own actions (403), actions keep the chain's order (409), bodies are validated (422), and
sessions expire (401)."""

from __future__ import annotations

import httpx

from tests.support.rshep import PASSWORD, Staff, send, service_request


def _registered(live, request_id):
    rid = int(send(live, service_request(request_id)).data.findtext("inboxId"))
    Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
    return rid


def test_another_providers_staff_get_404(live):
    rid = _registered(live, "SEC-1")
    other = Staff(live, "pvl_aksu_city.head")
    for method, path in (("GET", f"/requests/{rid}"), ("GET", f"/requests/{rid}/history"),
                         ("POST", f"/requests/{rid}/assign")):
        r = other.call(method, path, {"executor": "pvl_aksu_city.executor"} if method == "POST" else None)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "NOT_FOUND"
    assert Staff(live, "pvl_pavlodar_city.clerk").call("GET", "/requests/999999").status_code == 404


def test_wrong_role_gets_403_naming_the_role(live):
    rid = _registered(live, "SEC-2")
    r = Staff(live, "pvl_pavlodar_city.clerk").call("POST", f"/requests/{rid}/assign",
                                                      {"executor": "pvl_pavlodar_city.executor"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "WRONG_ROLE" and r.json()["error"]["requiredRole"] == "head"
    Staff(live, "pvl_pavlodar_city.head").act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})
    r = Staff(live, "pvl_pavlodar_city.executor2").call("POST", f"/requests/{rid}/draft", {"documentsConform": True})
    assert r.status_code == 403 and r.json()["error"]["requiredExecutor"] == "pvl_pavlodar_city.executor"


def test_out_of_order_gets_409_naming_the_state(live):
    rid = _registered(live, "SEC-3")
    head = Staff(live, "pvl_pavlodar_city.head")
    r = head.call("POST", f"/requests/{rid}/sign")
    assert r.status_code == 409
    assert r.json()["error"]["expectedState"] == ["AWAITING_SIGNATURE"] and r.json()["error"]["currentState"] == "REGISTERED"
    again = Staff(live, "pvl_pavlodar_city.clerk").call("POST", f"/requests/{rid}/register")
    assert again.status_code == 409 and again.json()["error"]["expectedState"] == ["RECEIVED"]


def test_bad_bodies_name_the_field(live):
    rid = _registered(live, "SEC-4")
    head = Staff(live, "pvl_pavlodar_city.head")
    missing = head.call("POST", f"/requests/{rid}/assign", {})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "executor"
    assert missing.json()["error"]["code"] == "INVALID_BODY"
    extra = head.call("POST", f"/requests/{rid}/assign", {"executor": "x", "colour": "red"})
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "colour"
    wrong_type = head.call("POST", f"/requests/{rid}/assign", {"executor": 7})
    assert wrong_type.status_code == 422 and wrong_type.json()["error"]["field"] == "executor"
    not_executor = head.call("POST", f"/requests/{rid}/assign", {"executor": "pvl_aksu_city.executor"})
    assert not_executor.status_code == 422 and not_executor.json()["error"]["field"] == "executor"
    assert not_executor.json()["error"]["code"] == "INVALID_INPUT"
    r = httpx.post(f"{live.url}/arm/requests/{rid}/assign", content=b"{not json",
                   headers={"Authorization": f"Bearer {head.token}", "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_JSON"
    bad_state = head.call("GET", "/requests?state=LOST")
    assert bad_state.status_code == 400 and bad_state.json()["error"]["field"] == "state"
    assert bad_state.json()["error"]["code"] == "BAD_PARAMETER"


def test_sign_in_and_sessions(live):
    r = httpx.post(f"{live.url}/arm/session", json={"login": "pvl_pavlodar_city.head", "password": "nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "AUTH_FAILED"
    r = httpx.post(f"{live.url}/arm/session", json={"login": "pvl_pavlodar_city.head"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    assert httpx.get(f"{live.url}/arm/requests").status_code == 401
    r = httpx.post(f"{live.url}/arm/session", json={"login": "pvl_pavlodar_city.head", "password": PASSWORD})
    token = r.json()["token"]
    me = httpx.get(f"{live.url}/arm/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["fullName"] == "САДЫКОВ КАЙРАТ БЕРИКОВИЧ" and me["roles"] == ["head"]
    live.clock.advance(hours=9)  # sessions last 8 hours
    expired = httpx.get(f"{live.url}/arm/me", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and expired.headers["www-authenticate"] == "Bearer"
