"""`egov-sim serve --ncalayer`: the emulator runs beside the server, at the address the signing
pages use, with the keys of the server's own test PKI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
from websockets.sync.client import connect

from egov_sim.core.testing import free_port


def test_serve_with_the_emulator(tmp_path):
    port, ncalayer_port = free_port(), free_port()
    url = f"ws://127.0.0.1:{ncalayer_port}"
    env = {**os.environ, "EGOV_SIM_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "egov_sim", "serve", "--port", str(port), "--population", "20",
                             "--ncalayer", "--ncalayer-url", url, "--ncalayer-persona", "ward_teen"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert url in page.text  # the overview says where the pages look for NCALayer
        with connect(url, open_timeout=10) as ws:
            ws.recv(timeout=10)
            ws.send(json.dumps({"module": "kz.gov.pki.knca.commonUtils", "method": "getKeyInfo", "args": ["PKCS12"]}))
            info = json.loads(ws.recv(timeout=30))["responseObject"]
        assert "IIN111005601218" in info["subjectDn"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "NCALayer emulator" in err and url in err


def test_a_bad_ncalayer_url_is_one_line(tmp_path):
    run = subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(tmp_path), "serve", "--ncalayer",
                          "--ncalayer-url", "http://127.0.0.1:1"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stderr.startswith("egov-sim: error: --ncalayer-url")
