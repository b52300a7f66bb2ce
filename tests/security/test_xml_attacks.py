"""Hostile XML at every door that parses XML: the gateway, the portal's signed request, the
admin API's stubs and ``egov-sim verify``. External entities, entity expansion, external DTDs
and XInclude are never resolved (nothing is read from disk, nothing is fetched), oversize and
deep documents are refused without being built, and every refusal is a specific answer —
SCE002 at the gateway, 413/422 at the APIs, one line from the CLI.
"""

from __future__ import annotations

import socket
import threading

import pytest

from tests.support.security import bearer, egov_sim_cli, error_code, portal_token, whole_simulator
from tests.support.shep import envelope

XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       + envelope("jaxws", data="<data>&x;</data>").split(b"?>", 1)[1])
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
          + envelope("jaxws", data="<data>&d;</data>").split(b"?>", 1)[1])
PARAMETER = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
             + envelope("jaxws").split(b"?>", 1)[1])
XINCLUDE = envelope("jaxws", data='<data><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                  'href="file:///etc/passwd" parse="text"/></data>')


def deep(depth: int) -> bytes:
    return envelope("jaxws", data="<data>" + "<a>" * depth + "x" + "</a>" * depth + "</data>")


class Listener:
    """A TCP port that records whether anybody connected (an external DTD's address)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("xml"), config="[gateway]\nmax_bytes = 200000\nmax_depth = 64\n") as sim:
        yield sim


@pytest.fixture
def listener():
    spy = Listener()
    yield spy
    spy.close()


@pytest.mark.parametrize("name", ["xxe", "billion-laughs", "parameter-entity", "external-dtd", "too-deep",
                                  "too-deep-for-libxml2", "oversize"])
def test_the_gateway_refuses_hostile_xml_with_sce002(sim, listener, name):
    body = {"xxe": XXE, "billion-laughs": LAUGHS, "parameter-entity": PARAMETER,
            "external-dtd": (f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:{listener.port}/x.dtd">'
                             ).encode() + envelope("jaxws").split(b"?>", 1)[1],
            "too-deep": deep(100), "too-deep-for-libxml2": deep(300_000),
            "oversize": envelope("jaxws", data="<data>" + "x" * 250_000 + "</data>")}[name]
    reply = sim.shep(body)
    assert reply.status_code == 500 and error_code(reply) == "SCE002", reply.text[:400]
    assert b"root:" not in reply.content and listener.connections == 0
    assert sim.shep(envelope("jaxws")).status_code == 200


def test_xinclude_is_data_not_an_instruction(sim):
    reply = sim.shep(XINCLUDE)
    assert reply.status_code == 200 and b"root:" not in reply.content and b"xi:include" in reply.content


@pytest.mark.parametrize("body, status, code", [
    (XXE, 422, "BAD_XML"), (LAUGHS, 422, "BAD_XML"), (b"<a>" * 200_000, 422, "BAD_XML"),
    (b"<r>" + b"x" * (7 * 1024 * 1024) + b"</r>", 413, "BODY_TOO_LARGE"),
], ids=["xxe", "laughs", "deep", "oversize"])
def test_the_portal_refuses_hostile_signed_requests(sim, body, status, code):
    token = portal_token(sim)
    reply = sim.http.post("/portal/requests", content=body, headers={**bearer(token), "Content-Type": "application/xml"})
    assert reply.status_code == status and reply.json()["error"]["code"] == code, reply.text[:300]
    assert "root:" not in reply.text


def test_the_ncalayer_emulator_does_not_sign_an_entity(tmp_path):
    """A page asks the emulator to sign XML with an external entity: an error answer, no file read."""
    import asyncio
    import json

    from egov_sim.signing.ncalayer.assembly import build_ncalayer
    from egov_sim.signing.pki import TestPKI
    from tests.support.rshep import TEST_MONDAY

    pki = TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9", clock=lambda: TEST_MONDAY)
    emulator = build_ncalayer(pki, personas=["guardian"], clock=lambda: TEST_MONDAY)
    message = {"module": "kz.gov.pki.knca.commonUtils", "method": "signXml",
               "args": ["PKCS12", "SIGNATURE", XXE.decode(), "", ""]}
    answer = json.loads(asyncio.run(emulator.handle(json.dumps(message), emulator.connection())))
    assert answer.get("code") != "200" and "root:" not in json.dumps(answer), answer


def test_egov_sim_verify_refuses_an_entity_in_one_line(tmp_path):
    file = tmp_path / "xxe.xml"
    file.write_bytes(XXE)
    result = egov_sim_cli(tmp_path / "home", "verify", str(file))
    assert result.returncode == 2 and result.stderr.startswith("egov-sim: error:"), result.stderr
    assert result.stderr.count("\n") == 1 and "root:" not in result.stdout + result.stderr
