"""An accepted request is never lost, even when the server process is killed (SIGKILL).

A real `egov-sim serve` process takes portal requests; after each 201 it may be killed at any
moment, so the test kills it right after the last one and starts it again on the same home.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
