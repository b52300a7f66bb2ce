"""A whole simulator on loopback for the hostile-input suite (tests/security), and the moves an
attacker or a load tester makes against it: signed portal requests, signed ШЭП envelopes,
desks of every system signed in over their APIs.

Everything runs on the tests' fixed clock (TEST_MONDAY) with cheap password hashing; the test
PKI is the simulator's own (its home), so ``egov-sim pki revoke`` on that home reaches it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from egov_sim.app.server import build_app
from egov_sim.core.settings import Settings
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.reference import personas
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.pki import IssuedCert, TestPKI
from egov_sim.signing.wsse import sign_wsse
from tests.support.portal import guardian_draft
from tests.support.rshep import TEST_MONDAY
from tests.support.rshep import Clock as MovableClock
from tests.support.shep import envelope, request_info

PORTAL_PASSWORD = "Qwerty-123"
OPERATOR = ("pvl1.operator", "operator-secret")
ARM_PASSWORD = "arm-secret"


@dataclass
class Sim:
    url: str
    app: object
    clock: MovableClock
    home: Path
    http: httpx.Client

    @property
    def pki(self) -> TestPKI:
        return self.app.state.pki

    @property
    def journal(self):
        return self.app.state.gateway.journal

    def shep(self, body: bytes, **headers: str) -> httpx.Response:
        return self.http.post("/bip-sync-wss-gost/", content=body,
                              headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""', **headers})


@contextlib.contextmanager
def whole_simulator(home: Path, *, config: str | None = None, clock: MovableClock | None = None,
                    **settings) -> Iterator[Sim]:
    """Every system of ``egov-sim serve`` (build_app) on a free loopback port."""
    clock = clock or MovableClock(TEST_MONDAY)
    home.mkdir(parents=True, exist_ok=True)
    config_file = None
    if config is not None:
        config_file = home / "gateway.toml"
        config_file.write_text(config, encoding="utf-8")
    port = free_port()
    app = build_app(Settings(home=home, port=port, population=200, fast_password_hashing=True,
                             config_file=config_file, **settings), clock=clock)
    with serve_in_thread(app, port=port) as url, httpx.Client(base_url=url, timeout=60) as http:
        yield Sim(url, app, clock, home, http)


def egov_sim_cli(home: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command, in a child process, on the simulator's home."""
    return subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(home), *argv],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "120"})


def issue(pki: TestPKI, iin: str = personas.GUARDIAN, **kw) -> IssuedCert:
    """A SIGN certificate valid over the tests' fixed clock."""
    kw.setdefault("not_before", TEST_MONDAY - dt.timedelta(days=30))
    kw.setdefault("not_after", TEST_MONDAY + dt.timedelta(days=365))
    return pki.issue(iin=iin, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ", **kw)


# --- ШЭП ------------------------------------------------------------------------------------------

def signed_envelope(cert: IssuedCert, *, message_id: str | None = None,
                    sender: tuple[str, str] = ("EGOV_SIM_TEST_CLIENT", "test-secret")) -> bytes:
    """A SendMessage to SIM_ECHO with a WS-Security transport signature by ``cert``."""
    body = envelope("cxf", info=request_info(message_id=message_id, sender=sender))
    return sign_wsse(body, cert.private_key, cert.certificate)


def error_code(response: httpx.Response) -> str | None:
    """The ``ErrorInfo/errorCode`` of a SOAP fault, or None for a normal answer."""
    from lxml import etree

    root = etree.fromstring(response.content)
    return root.findtext(".//errorCode")


# --- the portal ---------------------------------------------------------------------------------

def portal_token(sim: Sim, iin: str = personas.GUARDIAN) -> str:
    r = sim.http.post("/portal/register", json={"iin": iin, "password": PORTAL_PASSWORD})
    assert r.status_code in (201, 409), r.text
    r = sim.http.post("/portal/login", json={"iin": iin, "password": PORTAL_PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def signed_guardian_request(sim: Sim, token: str, cert: IssuedCert) -> tuple[str, bytes]:
    """A draft of seed 002's request, signed by ``cert`` as NCALayer would: (requestId, XML)."""
    r = sim.http.post("/portal/requests/draft", json=guardian_draft(), headers=bearer(token))
    assert r.status_code == 201, r.text
    draft = r.json()
    return draft["requestId"], sign_enveloped(draft["xml"].encode(), cert.private_key, cert.certificate)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(sim: Sim, api: str, login: str, password: str) -> str:
    path = {"con": "/con/session", "arm": "/arm/session", "balkhash_uo": "/balkhash/uo/session",
            "balkhash_con": "/balkhash/con/session"}[api]
    r = sim.http.post(path, json={"login": login, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["token"]
