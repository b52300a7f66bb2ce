"""An accepted request is never lost, even when the server process is killed (SIGKILL).

A real `egov-sim serve` process takes portal requests; after each 201 it may be killed at any
moment, so the test kills it right after the last one and starts it again on the same home.
The second test does the same under mixed load (ШЭП, portal, ЦОН, АРМ) on two workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from egov_sim.core.testing import free_port
from egov_sim.reference import personas
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.pki import TestPKI
from tests.support.portal import guardian_draft

PASSWORD = "Qwerty-123"


def start(home: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "egov_sim", "--home", str(home), "serve",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/portal/services", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("egov-sim serve did not start")


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_requests_accepted_before_a_sigkill_survive(tmp_path):
    home, port = tmp_path / "home", free_port()
    proc = start(home, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            assert client.post("/portal/register", json={"iin": personas.GUARDIAN,
                                                         "password": PASSWORD}).status_code == 201
            token = client.post("/portal/login", json={"iin": personas.GUARDIAN,
                                                       "password": PASSWORD}).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            pki = TestPKI.open(home / "pki")
            cert = pki.issue(iin=personas.GUARDIAN, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ")
            accepted = []
            for _ in range(3):
                draft = client.post("/portal/requests/draft", json=guardian_draft(), headers=auth).json()
                signed = sign_enveloped(draft["xml"].encode(), cert.private_key, cert.certificate)
                reply = client.post("/portal/requests", content=signed,
                                    headers={**auth, "Content-Type": "application/xml"})
                assert reply.status_code == 201, reply.text
                accepted.append(draft["requestId"])
    finally:
        kill(proc)

    proc = start(home, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            token = client.post("/portal/login", json={"iin": personas.GUARDIAN,
                                                       "password": PASSWORD}).json()["token"]
            listed = client.get("/portal/requests", headers={"Authorization": f"Bearer {token}"}).json()
            ids = {r["requestId"] for r in listed["requests"]}
            assert set(accepted) <= ids
            journal = client.get("/admin/journal", params={"serviceId": "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"}).json()
            assert len(journal["items"]) >= len(accepted)
    finally:
        kill(proc)


# --- mixed load on two workers ------------------------------------------------------------------

OPERATOR = {"login": "pvl1.operator", "password": "operator-secret"}


def start_group(home: Path, port: int, *extra: str) -> subprocess.Popen:
    """``egov-sim serve`` in a process group of its own, so a SIGKILL takes its workers too."""
    proc = subprocess.Popen([sys.executable, "-m", "egov_sim", "--home", str(home), "serve",
                             "--port", str(port), "--population", "300", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/portal/services", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("egov-sim serve did not start")


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _token(client: httpx.Client, path: str, body: dict) -> dict:
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _arm_requests_awaiting_signature(client: httpx.Client, count: int) -> tuple[dict, list[int]]:
    """Office intakes taken to the head's signature (A1 → A3); the head signs none yet."""
    from egov_sim.reference.catalogue import SERVICES

    service = SERVICES["SIM_GUARDIAN_ALLOWANCE_PAVLODAR"]
    documents = [d.code for d in service.documents_for("office") if d.required]
    staff = {role: _token(client, "/arm/session", {"login": f"pvl_pavlodar_city.{role}", "password": "arm-secret"})
             for role in ("clerk", "head", "executor")}
    ids = []
    for i in range(count):
        r = client.post("/arm/requests", headers=staff["clerk"], json={
            "serviceCode": service.code, "documents": documents,
            "applicant": {"iin": personas.GUARDIAN, "surname": "ЖУМАБАЕВА", "name": f"АЙГЕРИМ{i}"}})
        assert r.status_code == 201, r.text
        arm_id = r.json()["request"]["id"]
        assert client.post(f"/arm/requests/{arm_id}/assign", headers=staff["head"],
                           json={"executor": "pvl_pavlodar_city.executor"}).status_code == 200
        r = client.post(f"/arm/requests/{arm_id}/draft", headers=staff["executor"],
                        json={"documentsConform": True, "decisionText": "Назначить пособие", "amount": 45000})
        assert r.status_code == 200, r.text
        ids.append(arm_id)
    return staff, ids


def test_mixed_load_on_two_workers_loses_nothing_acknowledged(tmp_path):
    """ШЭП, portal, ЦОН and АРМ traffic at once on ``serve --workers 2``; the whole server (both
    workers) is killed mid-load; after a restart every answered request is there. On the way,
    the АРМ head's first signatures land on both workers at once: none may fail (issue 16, 5)."""
    from concurrent.futures import ThreadPoolExecutor

    home, port = tmp_path / "home", free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_group(home, port, "--workers", "2")
    acknowledged: dict[str, list] = {"shep": [], "portal": [], "con": [], "arm-signed": []}
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            assert client.post("/portal/register", json={"iin": personas.GUARDIAN, "password": PASSWORD}).status_code == 201
            portal = _token(client, "/portal/login", {"iin": personas.GUARDIAN, "password": PASSWORD})
            con = _token(client, "/con/session", OPERATOR)
            head_staff, awaiting = _arm_requests_awaiting_signature(client, 6)
        pki = TestPKI.open(home / "pki")
        cert = pki.issue(iin=personas.GUARDIAN, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ")

        def head_signs(arm_id: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as c:
                r = c.post(f"/arm/requests/{arm_id}/sign", headers=head_staff["head"], json={})
                if r.status_code == 200:
                    acknowledged["arm-signed"].append(arm_id)
                return r.status_code

        with ThreadPoolExecutor(6) as pool:  # the head's first signatures, on both workers at once
            assert sorted(pool.map(head_signs, awaiting)) == [200] * 6

        stop = time.monotonic() + 5

        def shep_load() -> None:
            from tests.support.shep import envelope, request_info

            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() < stop:
                    message_id = str(uuid.uuid4())
                    r = c.post("/bip-sync-wss-gost/", content=envelope("jaxws", info=request_info(message_id=message_id)),
                               headers={"Content-Type": "text/xml"})
                    if r.status_code == 200:
                        acknowledged["shep"].append(message_id)

        def portal_load() -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                while time.monotonic() < stop:
                    draft = c.post("/portal/requests/draft", json=guardian_draft(), headers=portal).json()
                    signed = sign_enveloped(draft["xml"].encode(), cert.private_key, cert.certificate)
                    r = c.post("/portal/requests", content=signed, headers={**portal, "Content-Type": "application/xml"})
                    if r.status_code == 201:
                        acknowledged["portal"].append(draft["requestId"])

        def con_load() -> None:
            from tests.support.con import guardian_application

            with httpx.Client(base_url=base, timeout=60) as c:
                while time.monotonic() < stop:
                    r = c.post("/con/applications", json=guardian_application(),
                               headers={**con, "Idempotency-Key": str(uuid.uuid4())})
                    if r.status_code == 201:
                        acknowledged["con"].append(r.json()["id"])

        with ThreadPoolExecutor(6) as pool:
            loads = [pool.submit(f) for f in (shep_load, shep_load, shep_load, portal_load, con_load, con_load)]
            time.sleep(3)  # well into the load...
            kill_group(proc)  # ...the whole server dies
            for load in loads:
                try:
                    load.result()
                except httpx.HTTPError:
                    pass  # a request cut by the kill was never acknowledged
    finally:
        if proc.poll() is None:
            kill_group(proc)
    assert all(acknowledged.values()), {k: len(v) for k, v in acknowledged.items()}

    proc = start_group(home, port)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for message_id in acknowledged["shep"]:
                items = client.get("/admin/journal", params={"messageId": message_id}).json()["items"]
                assert items and items[0]["statusCode"] == "SCSS001", message_id
            portal = _token(client, "/portal/login", {"iin": personas.GUARDIAN, "password": PASSWORD})
            mine = {r["requestId"] for r in client.get("/portal/requests", headers=portal).json()["requests"]}
            assert set(acknowledged["portal"]) <= mine
            con = _token(client, "/con/session", OPERATOR)
            for number in acknowledged["con"]:
                assert client.get(f"/con/applications/{number}", headers=con).status_code == 200, number
            head = _token(client, "/arm/session", {"login": "pvl_pavlodar_city.head", "password": "arm-secret"})
            for arm_id in acknowledged["arm-signed"]:
                assert client.get(f"/arm/requests/{arm_id}", headers=head).json()["state"] == "SIGNED"
    finally:
        kill_group(proc)
