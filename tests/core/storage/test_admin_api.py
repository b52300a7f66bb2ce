"""Admin JSON API of the journal, and the loopback/token guard in front of it."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import warnings

import httpx
import pytest
from starlette.applications import Starlette

from egov_sim.core.clock import fixed_clock
from egov_sim.gateway.admin_api import AdminGuard, admin_mount, is_loopback

with warnings.catch_warnings():
    # starlette 1.x prefers httpx2 for its TestClient; httpx (a dependency) still works
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

T0 = dt.datetime(2024, 2, 5, 5, 15, tzinfo=dt.UTC)
LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.7", 50000)


def make_app(journal, token=None) -> Starlette:
    clock = fixed_clock(T0 + dt.timedelta(hours=1))
    return Starlette(routes=[admin_mount(journal, token=token, clock=clock)])


@pytest.fixture
def filled(journal, exchange):
    journal.record(exchange(service_id="GBDFL", sender_id="IIS_CON", message_id="m0",
                            request_body=b"<iin>000000000000</iin>"))
    journal.record(exchange(service_id="GBDFL", sender_id="PORTAL", message_id="m1",
                            received_at=T0 + dt.timedelta(minutes=1),
                            request_body=b"<iin>000000000000</iin>"))
    journal.record(exchange(service_id="ENIS", message_id="m2", status_code=None,
                            error_code="SCE004", http_status=500,
                            received_at=T0 + dt.timedelta(minutes=2),
                            request_body=b"<x/>", response_body=b"\xff"))
    return journal


@pytest.fixture
def client(filled):
    with TestClient(make_app(filled), client=LOCAL) as c:
        yield c


def test_list_with_filters(client):
    r = client.get("/admin/journal")
    assert r.status_code == 200
    body = r.json()
    assert [i["messageId"] for i in body["items"]] == ["m2", "m1", "m0"]
    assert (body["limit"], body["offset"], body["total"]) == (50, 0, 3)
    assert "requestBody" not in body["items"][0]
    r = client.get("/admin/journal", params={"serviceId": "GBDFL", "senderId": "PORTAL"})
    assert [i["messageId"] for i in r.json()["items"]] == ["m1"]
    r = client.get("/admin/journal", params={"status": "SCE004"})
    assert [i["messageId"] for i in r.json()["items"]] == ["m2"]
    r = client.get("/admin/journal", params={"since": "2024-02-05T10:16:00+05:00", "limit": "1"})
    assert [i["messageId"] for i in r.json()["items"]] == ["m2"]
    r = client.get("/admin/journal", params={"since": "2h"})  # relative to the app's clock
    assert r.json()["total"] == 3
    r = client.get("/admin/journal", params={"text": "000000000000", "offset": "1"})
    assert [i["messageId"] for i in r.json()["items"]] == ["m0"]


@pytest.mark.parametrize("params, code", [
    ({"limit": "0"}, "BAD_PARAMETER"),
    ({"limit": "ten"}, "BAD_PARAMETER"),
    ({"since": "yesterday"}, "BAD_TIME"),
    ({"service_id": "GBDFL"}, "BAD_PARAMETER"),  # a typo must not silently list everything
])
def test_bad_parameters_are_400_json(client, params, code):
    r = client.get("/admin/journal", params=params)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == code


def test_get_one_entry(client):
    r = client.get("/admin/journal/3")
    assert r.status_code == 200
    body = r.json()
    assert body["messageId"] == "m2" and body["errorCode"] == "SCE004"
    assert body["requestBody"] == "<x/>" and body["responseBodyEncoding"] == "base64"
    assert "requestBody" not in client.get("/admin/journal/3", params={"bodies": "false"}).json()


def test_unknown_entry_is_404_json(client):
    r = client.get("/admin/journal/999")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "JOURNAL_NOT_FOUND"


def test_export_is_ndjson(client):
    r = client.get("/admin/journal/export", params={"serviceId": "GBDFL"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [x["messageId"] for x in lines] == ["m0", "m1"]
    assert lines[0]["requestBody"] == "<iin>000000000000</iin>"


def test_check_counts(client):
    r = client.get("/admin/journal/check",
                   params={"serviceId": "GBDFL", "iin": "000000000000", "count": "2"})
    assert r.status_code == 200
    assert r.json() == {"serviceId": "GBDFL", "found": 2, "expected": 2, "ok": True}
    r = client.get("/admin/journal/check",
                   params={"serviceId": "GBDFL", "iin": "000000000000", "senderId": "PORTAL",
                           "count": "2"})
    assert r.status_code == 409
    assert r.json()["found"] == 1 and r.json()["expected"] == 2 and r.json()["ok"] is False
    assert r.json()["message"] == "expected 2 calls, found 1"
    r = client.get("/admin/journal/check", params={"serviceId": "ENIS"})
    assert r.status_code == 200 and r.json() == {"serviceId": "ENIS", "found": 1}


@pytest.mark.parametrize("params, code", [
    ({"iin": "000000000000", "count": "1"}, "BAD_PARAMETER"),
    ({"serviceId": "GBDFL", "iin": "12345", "count": "1"}, "BAD_IIN"),
    ({"serviceId": "GBDFL", "count": "-1"}, "BAD_PARAMETER"),
])
def test_check_rejects_bad_input(client, params, code):
    r = client.get("/admin/journal/check", params=params)
    assert r.status_code == 400 and r.json()["error"]["code"] == code


def test_delete_clears_the_journal(client):
    r = client.delete("/admin/journal")
    assert r.status_code == 200 and r.json() == {"deleted": 3}
    assert client.get("/admin/journal").json()["items"] == []


# -- the guard -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host, local", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("203.0.113.7", False), ("::ffff:10.0.0.1", False),
    ("testclient", False), ("", False), (None, False),
])
def test_is_loopback(host, local):
    assert is_loopback(host) is local


def test_without_a_token_only_loopback_is_served(filled):
    app = make_app(filled)
    with TestClient(app, client=REMOTE) as remote:
        r = remote.get("/admin/journal")
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
        assert remote.delete("/admin/journal").status_code == 403
    with TestClient(app, client=("::1", 50000)) as local:
        assert local.get("/admin/journal").status_code == 200
    assert filled.count() == 3  # the remote DELETE did nothing


def test_with_a_token_bearer_is_required_from_anywhere(filled):
    app = make_app(filled, token="s3cret-token")
    for address in (LOCAL, REMOTE):
        with TestClient(app, client=address) as c:
            r = c.get("/admin/journal")
            assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHENTICATED"
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert c.get("/admin/journal", headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert c.get("/admin/journal", headers={"Authorization": "Basic s3cret-token"}).status_code == 401
            r = c.get("/admin/journal", headers={"Authorization": "bearer s3cret-token"})
            assert r.status_code == 200


def test_guard_passes_lifespan_through():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    import asyncio
    asyncio.run(AdminGuard(app)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_server_serves_loopback_clients(filled):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(filled), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        r = httpx.get(f"http://127.0.0.1:{port}/admin/journal/check",
                      params={"serviceId": "GBDFL", "count": "2"})
        assert r.status_code == 200 and r.json()["ok"] is True
    finally:
        server.should_exit = True
        thread.join(timeout=10)
