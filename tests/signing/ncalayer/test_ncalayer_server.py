"""The emulator over a real WebSocket on loopback: plain ws and TLS (its self-signed certificate),
the origin restriction, and `egov-sim ncalayer` started as a command."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from egov_sim.core.testing import free_port
from egov_sim.signing.ncalayer.server import Listen, running

XML = "<request><iin>780314401012</iin></request>"
SIGN = json.dumps({"module": "kz.gov.pki.knca.commonUtils", "method": "signXml",
                   "args": ["PKCS12", "SIGNATURE", XML, "", ""]})


def _exchange(url: str, **kwargs) -> tuple[dict, dict]:
    with connect(url, open_timeout=10, **kwargs) as ws:
        greeting = json.loads(ws.recv(timeout=10))
        ws.send(SIGN)
        return greeting, json.loads(ws.recv(timeout=30))


def test_plain_ws(emulator):
    with running(emulator, Listen(port=free_port(), tls=False)) as url:
        assert url.startswith("ws://127.0.0.1:")
        greeting, answer = _exchange(url)
        assert greeting == {"result": {"version": "1.4"}}
        assert answer["code"] == "200" and "<ds:SignatureValue>" in answer["responseObject"]
        page = httpx.get(url.replace("ws://", "http://") + "/")
        assert "NCALayer emulator" in page.text and "persona:guardian" in page.text


def test_tls_with_the_generated_certificate(emulator, tmp_path):
    with running(emulator, Listen(port=free_port(), tls=True), tls_folder=tmp_path) as url:
        assert url.startswith("wss://")
        context = ssl.create_default_context(cafile=str(tmp_path / "ncalayer-tls.pem"))
        _, answer = _exchange(url, ssl=context)
        assert answer["code"] == "200"
        with pytest.raises(ssl.SSLError):  # not trusted without the certificate, as NCALayer's
            _exchange(url, ssl=ssl.create_default_context())
    assert oct((tmp_path / "ncalayer-tls.key").stat().st_mode & 0o777) == "0o600"


def test_allowed_origins(emulator):
    listen = Listen(port=free_port(), tls=False, allowed_origins=("http://127.0.0.1:8080",))
    with running(emulator, listen) as url:
        _, answer = _exchange(url, origin="http://127.0.0.1:8080")
        assert answer["code"] == "200"
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            _exchange(url, origin="http://evil.test")


def test_the_command(tmp_path):
    port = free_port()
    env = {**os.environ, "EGOV_SIM_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "egov_sim", "ncalayer", "--no-tls", "--port", str(port),
                             "--persona", "guardian"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                greeting, answer = _exchange(f"ws://127.0.0.1:{port}")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert answer["code"] == "200" and "<ds:X509Certificate>" in answer["responseObject"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert f"ws://127.0.0.1:{port}" in err and "persona:guardian" in err


def test_the_command_refuses_bad_usage(tmp_path):
    run = subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(tmp_path), "ncalayer",
                          "--algorithm", "dsa"], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.startswith("egov-sim: error: --algorithm: use one of")
