"""The protocol, abused (issue 16, item 7): oversized and slow request heads, a SOAPAction that
names nothing, the same messageId again and again, well-known passwords on a public address.

The head limits are tested on a real ``egov-sim serve`` process (the options reach uvicorn's
protocol), the rest on a simulator served in the test process.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from egov_sim.app.staff_passwords import is_loopback, require_for, resolve
from egov_sim.core.errors import InputError
from egov_sim.core.testing import free_port
from egov_sim.gateway.journal import JournalFilter
from tests.support.security import error_code, whole_simulator
from tests.support.shep import envelope, request_info

NODE_SOAP_ACTION = "http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2/SendMessage"


# --- request heads ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A real ``egov-sim serve`` with a one-second header deadline."""
    home, port = tmp_path_factory.mktemp("served"), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "egov_sim", "--home", str(home), "serve", "--port", str(port),
                             "--population", "0", "--header-timeout", "1", "--max-header-bytes", "65536"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/portal/services", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_200_kb_header_is_refused_with_431(served):
    r = httpx.get(f"http://127.0.0.1:{served}/portal/services", headers={"X-Padding": "a" * 200_000})
    assert r.status_code == 431
    many = httpx.get(f"http://127.0.0.1:{served}/portal/services",
                     headers={f"X-Pad-{i}": "b" * 900 for i in range(100)})
    assert many.status_code == 431
    assert httpx.get(f"http://127.0.0.1:{served}/portal/services").status_code == 200  # and it still serves


def test_a_slow_header_connection_is_closed_after_the_deadline(served):
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        sock.sendall(b"GET /portal/services HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(4096):  # drip nothing more; the server must end it
            answer += chunk
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408") and 0.5 < waited < 5, (answer[:80], waited)


def test_a_connection_that_sends_nothing_is_closed_too(served):
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(4096).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started < 5


# --- SOAPAction and messageIds ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("protocol")) as sim:
        yield sim


@pytest.fixture(scope="module")
def strict_ids(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("refuse-duplicates"),
                         config='[gateway]\nduplicate_message_id = "refuse"\n') as sim:
        yield sim


@pytest.mark.parametrize("action", [None, "", '""', "SendMessage", '"SendMessage"', NODE_SOAP_ACTION,
                                    f'"{NODE_SOAP_ACTION}"', "urn:SyncChannel#SendMessage"])
def test_the_soap_actions_clients_send_are_accepted(sim, action):
    headers = {"Content-Type": "text/xml"} if action is None else {"Content-Type": "text/xml", "SOAPAction": action}
    assert sim.http.post("/bip-sync-wss-gost/", content=envelope("jaxws"), headers=headers).status_code == 200


@pytest.mark.parametrize("action", ["garbage", "DeleteEverything", "http://evil.example/SendMessages",
                                    "SendMessage/../admin", "x" * 5000])
def test_a_soap_action_that_names_no_operation_is_sce013_and_journaled(sim, action):
    message_id = str(uuid.uuid4())
    reply = sim.shep(envelope("jaxws", info=request_info(message_id=message_id)), SOAPAction=action)
    assert reply.status_code == 500 and error_code(reply) == "SCE013"
    (entry,) = sim.journal.list(JournalFilter(message_id=message_id)) or [None]
    assert entry is None or entry.error_code == "SCE013"
    assert sim.journal.count(JournalFilter(status="SCE013")) >= 1


def test_lenient_soap_action_accepts_anything(tmp_path):
    with whole_simulator(tmp_path / "home", config='[gateway]\nsoap_action = "lenient"\n') as sim:
        assert sim.shep(envelope("jaxws"), SOAPAction="garbage").status_code == 200


def test_a_repeated_message_id_is_served_and_marked(sim):
    message_id = str(uuid.uuid4())
    body = envelope("jaxws", info=request_info(message_id=message_id))
    for _ in range(3):
        assert sim.shep(body).status_code == 200
    first, *repeats = sorted(sim.journal.list(JournalFilter(message_id=message_id)), key=lambda e: e.id)
    assert first.duplicate_of is None and [r.duplicate_of for r in repeats] == [first.id, first.id]
    listed = sim.http.get("/admin/journal", params={"messageId": message_id}).json()["items"]
    assert sorted(i["duplicateOf"] or 0 for i in listed) == [0, first.id, first.id]
    # another sender's identical messageId is not a repeat of this one
    other = envelope("jaxws", info=request_info(message_id=message_id, sender=("EGOV_SIM_SIGNED_CLIENT", "signed-secret")))
    sim.shep(other)
    assert all(e.duplicate_of in (None, first.id) for e in sim.journal.list(JournalFilter(message_id=message_id)))


def test_refused_duplicates_reach_the_provider_once_even_at_once(strict_ids):
    message_id = str(uuid.uuid4())
    body = envelope("jaxws", info=request_info(message_id=message_id))

    async def fire():
        async with httpx.AsyncClient(base_url=strict_ids.url, timeout=60) as http:
            return await asyncio.gather(*(http.post("/bip-sync-wss-gost/", content=body,
                                                    headers={"Content-Type": "text/xml"}) for _ in range(8)))

    replies = asyncio.run(fire())
    assert sorted(error_code(r) or "ok" for r in replies) == ["SCE019"] * 7 + ["ok"]
    entries = strict_ids.journal.list(JournalFilter(message_id=message_id))
    assert sum(e.provider is not None and e.status_code == "SCSS001" for e in entries) == 1


def test_a_retry_after_a_fault_may_reuse_its_message_id(strict_ids):
    """A messageId whose exchange ended in a fault after the claim is given back."""
    message_id = str(uuid.uuid4())
    unknown_route = envelope("jaxws", info=request_info(message_id=message_id, service_id="SIM_ECHO",
                                                        route_id="R_Nowhere"))
    assert error_code(strict_ids.shep(unknown_route)) == "SCE010"  # refused before any claim
    assert strict_ids.shep(envelope("jaxws", info=request_info(message_id=message_id))).status_code == 200
    assert error_code(strict_ids.shep(envelope("jaxws", info=request_info(message_id=message_id)))) == "SCE019"


def test_a_wrong_password_cannot_spoil_anothers_message_id(strict_ids):
    message_id = str(uuid.uuid4())
    forged = envelope("jaxws", info=request_info(message_id=message_id, sender=("EGOV_SIM_TEST_CLIENT", "guess")))
    assert error_code(strict_ids.shep(forged)) == "SCE008"
    assert strict_ids.shep(envelope("jaxws", info=request_info(message_id=message_id))).status_code == 200


# --- well-known staff passwords off loopback ---------------------------------------------------------

def test_serve_refuses_a_public_address_with_the_documented_passwords(tmp_path):
    result = subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(tmp_path), "serve", "--host", "0.0.0.0",
                             "--port", str(free_port()), "--population", "0"],
                            capture_output=True, text=True, timeout=60, env={"PATH": "", "HOME": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("egov-sim: error: serving on 0.0.0.0") and result.stderr.count("\n") == 1
    assert "EGOV_SIM_STAFF_PASSWORD" in result.stderr


def test_staff_passwords_come_from_the_environment_or_a_file(tmp_path):
    assert resolve(None, {}) is None
    assert resolve(None, {"EGOV_SIM_STAFF_PASSWORD": "Long-Secret-1"}) == dict.fromkeys(
        ("arm", "con", "balkhash_uo", "balkhash_con"), "Long-Secret-1")
    file = tmp_path / "staff.toml"
    file.write_text('all = "Long-Secret-2"\narm = "Arm-Secret-22"\n', encoding="utf-8")
    assert resolve(file, {})["arm"] == "Arm-Secret-22" and resolve(file, {})["con"] == "Long-Secret-2"
    for bad in ('arm = "short"\n', 'arm = "arm-secret"\n', 'nobody = "Long-Secret-3"\n'):
        file.write_text(bad, encoding="utf-8")
        with pytest.raises(InputError):
            resolve(file, {})
    with pytest.raises(InputError, match="con, balkhash_uo"):
        require_for("0.0.0.0", {"arm": "Arm-Secret-22"})
    require_for("0.0.0.0", dict.fromkeys(("arm", "con", "balkhash_uo", "balkhash_con"), "Long-Secret-1"))
    require_for("127.0.0.1", None)
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("192.0.2.7")


def test_a_set_password_replaces_the_documented_one(tmp_path):
    with whole_simulator(tmp_path / "home", staff_passwords=dict.fromkeys(
            ("arm", "con", "balkhash_uo", "balkhash_con"), "Operator-Chosen-1")) as sim:
        for path, login, documented in (("/arm/session", "pvl_pavlodar_city.clerk", "arm-secret"),
                                        ("/con/session", "pvl1.operator", "operator-secret"),
                                        ("/balkhash/uo/session", "blh.head", "uo-secret"),
                                        ("/balkhash/con/session", "blh.con.inspector", "con2012-secret")):
            assert sim.http.post(path, json={"login": login, "password": documented}).status_code == 401, path
            assert sim.http.post(path, json={"login": login, "password": "Operator-Chosen-1"}).status_code == 200, path
