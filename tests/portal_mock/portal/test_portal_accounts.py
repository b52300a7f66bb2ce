"""Registration (002 §11.1), authorization (condition 1 / K07) with the notice of process 2,
the throttle on repeated failures, and sessions that expire."""

from __future__ import annotations

import datetime as dt

from egov_sim.reference import personas
from tests.support.portal import PASSWORD, login, register


def test_registration_takes_the_person_from_gbd_fl(harness, client):
    r = register(client, personas.GUARDIAN)
    assert r.status_code == 201, r.text
    assert r.json() == {"iin": personas.GUARDIAN, "surname": "ЖУМАБАЕВА", "name": "АЙГЕРИМ",
                        "patronymic": "НУРЛАНОВНА", "birthDate": "1978-03-14"}
    # the lookup went through ШЭП, as the portal
    assert harness.gateway.journal.count_calls("GBDFL_UniversalServiceSync", iin=personas.GUARDIAN,
                                               sender_id="EGOV_SIM_PORTAL") == 1
    assert register(client, personas.GUARDIAN).json()["error"]["code"] == "ACCOUNT_EXISTS"


def test_registration_refuses_a_bad_or_unknown_iin(client):
    bad = register(client, "780314401013")  # wrong check digit
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "INVALID_IIN" and error["notice"]["code"] == "REGISTRATION_REFUSED"
    assert error["notice"]["kk"] and error["notice"]["ru"]

    unknown = register(client, personas.NOT_REGISTERED)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "PERSON_NOT_FOUND"
    assert unknown.json()["error"]["registryCode"] == "SIM001"

    dead = register(client, personas.DECEASED)
    assert dead.status_code == 422 and dead.json()["error"]["code"] == "PERSON_DECEASED"

    weak = register(client, personas.WARD_TEEN, "short")
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "WEAK_PASSWORD"


def test_wrong_password_is_refused_with_the_process_2_notice(client):
    login(client, personas.NEEDY_APPLICANT)
    r = client.post("/portal/login", json={"iin": personas.NEEDY_APPLICANT, "password": "wrong-pass-1"})
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["code"] == "AUTH_REFUSED" and error["check"] == "K07" and error["step"] == "P2"
    notice = error["notice"]
    assert notice["code"] == "AUTH_REFUSED" and notice["step"] == "P2" and notice["basis"] == "text"
    assert "авторизац" in notice["ru"] and "авторизация" in notice["kk"]
    # an invalid IIN at sign-in is the same refusal (condition 1 checks IIN and password together)
    r = client.post("/portal/login", json={"iin": "12345", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["error"]["notice"]["code"] == "AUTH_REFUSED"


def test_repeated_failures_are_throttled_even_with_the_right_password(client):
    iin = personas.POA_PRINCIPAL
    login(client, iin)
    for _ in range(3):  # the harness throttles after 3 failures
        assert client.post("/portal/login", json={"iin": iin, "password": "nope-nope"}).status_code == 401
    r = client.post("/portal/login", json={"iin": iin, "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "AUTH_THROTTLED"
    assert r.json()["error"]["notice"]["code"] == "AUTH_REFUSED"


def test_sessions_expire_and_end_on_logout(harness, client):
    auth = login(client, personas.POA_AGENT)
    assert client.get("/portal/me", headers=auth).json()["iin"] == personas.POA_AGENT
    harness.clock.offset = dt.timedelta(minutes=31)  # session_ttl is 30 min
    try:
        r = client.get("/portal/me", headers=auth)
        assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHENTICATED"
    finally:
        harness.clock.offset = dt.timedelta()
    auth = login(client, personas.POA_AGENT)
    assert client.post("/portal/logout", headers=auth).status_code == 204
    assert client.get("/portal/me", headers=auth).status_code == 401
    assert client.get("/portal/requests").status_code == 401


def test_bad_bodies_are_json_errors(client):
    r = client.post("/portal/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_JSON"
    r = client.post("/portal/login", json={"iin": personas.GUARDIAN})
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_BODY"
    assert "password" in r.json()["error"]["message"] and r.json()["error"]["field"] == "password"
    r = client.post("/portal/register", json={"iin": personas.GUARDIAN, "password": "x" * 9, "admin": True})
    assert r.status_code == 422 and "admin" in r.json()["error"]["message"]
    r = client.post("/portal/login", content=b"iin=1", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
