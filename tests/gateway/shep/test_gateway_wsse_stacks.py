"""Requests as client stacks nobody here wrote send them, against a live gateway: node-soap's
WSSecurityCert (recorded bytes), WSS4J's Timestamp Signature with a DirectReference, NCANode's
SmartBridge envelope (answered with the person), a comment inside a signed IIN, SOAP 1.1
mustUnderstand, and ``?wsdl`` without the trailing slash.

The gateway's clock stands a minute after the node-soap vector was made; its client certificate
chains to the vector's CA, trusted through ``[gateway] trust``."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from egov_sim.signing.wsse import sign_wsse
from egov_sim.wsdl.schemas import GBDFL_MESSAGE_NS
from tests.support.nodesoap import HERE as NODESOAP
from tests.support.nodesoap import VECTOR_TIME, node_soap_sign, vector
from tests.support.shep import assert_fault, live_gateway

NCANODE = NODESOAP.parent / "ncanode"
SMARTBRIDGE_IIN = "931002451325"  # the IIN in NCANode's XML_VALID_STRING
NOW = VECTOR_TIME + dt.timedelta(minutes=1)
CONFIG = """
[gateway]
trust = ["nodesoap-ca.pem"]

[[participants]]
sender_id = "smartbridge"
password = "123"

[[participants]]
sender_id = "NODE_SOAP_IS"
password = "node-secret"
wsse = "required"
"""


def _gateway(tmp_path_factory, gw_pki, extra: str = ""):
    home = tmp_path_factory.mktemp("stacks")
    shutil.copy(NODESOAP / "ca-chain.pem", home / "nodesoap-ca.pem")
    return live_gateway(home, gw_pki, config=CONFIG + extra, clock=lambda: NOW)


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, gw_pki):
    with _gateway(tmp_path_factory, gw_pki) as live:
        personas = live.http.get(live.url + "/admin/persons/personas").json()["items"]
        model = next(p["iin"] for p in personas if p["registered"])
        person = live.http.get(f"{live.url}/admin/persons/{model}").json()
        person.update(iin=SMARTBRIDGE_IIN, surname="СМАРТБРИДЖ", name="ТЕСТ", birthDate="1993-10-02")
        person.pop("documents", None)
        r = live.http.put(f"{live.url}/admin/persons/{SMARTBRIDGE_IIN}", json=person)
        assert r.status_code in (200, 201), r.text
        yield live


def _key_and_cert():
    key = load_pem_private_key((NODESOAP / "client-key.pem").read_bytes(), password=None)
    return key, x509.load_pem_x509_certificate((NODESOAP / "client-cert.pem").read_bytes())


def _gbdfl_request(iin: str, sender=("NODE_SOAP_IS", "node-secret")) -> str:
    request, _ = vector()
    return (request.replace("SIM_ECHO", "GBDFL_UniversalServiceSync")
            .replace("EGOV_SIM_TEST_CLIENT", sender[0]).replace("test-secret", sender[1])
            .replace("<data><iin>880314312347</iin></data>",
                     f'<data xmlns:cs="{GBDFL_MESSAGE_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                     'xsi:type="cs:Request"><messageId>m-1</messageId><messageDate>2026-02-02T09:00:00+05:00</messageDate>'
                     f"<senderCode>{sender[0]}</senderCode><iin>{iin}</iin></data>"))


def _person_iins(reply) -> list[str]:
    return [p.findtext("iin") for p in reply.data.iterfind("persons/person")]


# ---- node-soap ---------------------------------------------------------------------------------

def test_node_soap_recorded_request_is_answered(stacks):
    reply = stacks.post(vector()[1].encode())
    assert reply.status == 200 and reply.response_info["status"]["code"] == "SCSS001", reply.content[:500]
    entry = stacks.journal.list(limit=1)[0]
    assert entry.request_signature == "valid" and entry.signature_details["signer"]["iin"] == "880314312347"


def test_node_soap_layout_for_a_participant_that_must_sign(stacks):
    key_pem = (NODESOAP / "client-key.pem").read_bytes()
    signed = node_soap_sign(_gbdfl_request(SMARTBRIDGE_IIN), key_pem, (NODESOAP / "client-cert.pem").read_bytes(),
                            now=NOW, x509_id="x509-node")
    reply = stacks.post(signed.encode())
    assert reply.status == 200, reply.content[:500]
    assert _person_iins(reply) == [SMARTBRIDGE_IIN]


def test_node_soap_request_with_a_stale_timestamp_is_not_current(stacks):
    key_pem = (NODESOAP / "client-key.pem").read_bytes()
    signed = node_soap_sign(_gbdfl_request(SMARTBRIDGE_IIN), key_pem, (NODESOAP / "client-cert.pem").read_bytes(),
                            now=NOW - dt.timedelta(hours=1), x509_id="x509-old")
    assert_fault(stacks.post(signed.encode()), "SCE005", data_contains="TIMESTAMP_EXPIRED")


# ---- WSS4J -------------------------------------------------------------------------------------

def test_wss4j_timestamp_signature_with_direct_reference(stacks):
    key, cert = _key_and_cert()
    signed = sign_wsse(_gbdfl_request(SMARTBRIDGE_IIN).encode(), key, cert, key_info="BinarySecurityToken",
                       timestamp=(NOW, NOW + dt.timedelta(minutes=5)))
    reply = stacks.post(signed)
    assert reply.status == 200, reply.content[:500]
    assert _person_iins(reply) == [SMARTBRIDGE_IIN]


def test_a_comment_inside_the_signed_iin_is_read_as_the_signature_covers_it(stacks):
    """XML-DSig signs the text without the comment; ГБД ФЛ must look up the whole IIN."""
    key, cert = _key_and_cert()
    commented = _gbdfl_request(f"{SMARTBRIDGE_IIN[:8]}<!--x-->{SMARTBRIDGE_IIN[8:]}")
    signed = sign_wsse(commented.encode(), key, cert, key_info="BinarySecurityToken",
                       timestamp=(NOW, NOW + dt.timedelta(minutes=5)))
    reply = stacks.post(signed)
    assert reply.status == 200, reply.content[:500]
    assert _person_iins(reply) == [SMARTBRIDGE_IIN]


# ---- NCANode SmartBridge envelope ---------------------------------------------------------------

def test_ncanode_smartbridge_vector_is_answered_with_the_person(stacks):
    """``XML_VALID_STRING`` puts ``data`` in the SyncChannel Interfaces namespace; read as ``data``."""
    reply = stacks.post((NCANODE / "XML_VALID_STRING.xml").read_bytes())
    assert reply.status == 200, reply.content[:500]
    assert reply.response_info["status"]["code"] == "SCSS001"
    assert reply.data.findtext("messageResult/code") == "00000"
    assert _person_iins(reply) == [SMARTBRIDGE_IIN]


def test_smartbridge_form_refused_with_the_difference_when_switched(tmp_path_factory, gw_pki):
    config = CONFIG.replace('trust = ["nodesoap-ca.pem"]', 'trust = ["nodesoap-ca.pem"]\nsmartbridge_data = "refuse"')
    home = tmp_path_factory.mktemp("stacks-refuse")
    shutil.copy(NODESOAP / "ca-chain.pem", home / "nodesoap-ca.pem")
    with live_gateway(home, gw_pki, config=config, clock=lambda: NOW) as live:
        reply = live.post((NCANODE / "XML_VALID_STRING.xml").read_bytes())
        assert_fault(reply, "SCE001", data_contains="requestData/data is qualified in namespace "
                                                    "http://bip.bee.kz/SyncChannel/v10/Interfaces")


# ---- SOAP 1.1 headers and the WSDL --------------------------------------------------------------

def _with_header(header: str) -> bytes:
    request, _ = vector()
    return request.replace("<soap:Header></soap:Header>", f"<soap:Header>{header}</soap:Header>").encode()


def test_unknown_must_understand_header_is_a_must_understand_fault(stacks):
    reply = stacks.post(_with_header('<x:Audit xmlns:x="urn:vendor" soap:mustUnderstand="1">1</x:Audit>'))
    error = assert_fault(reply, "SCE018", faultcode="soap:MustUnderstand")
    assert "{urn:vendor}Audit" in error["errorData"]
    stacks.assert_serving()


@pytest.mark.parametrize("header", [
    '<x:Audit xmlns:x="urn:vendor" soap:mustUnderstand="0">1</x:Audit>',
    '<x:Audit xmlns:x="urn:vendor">1</x:Audit>',
    '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing" soap:mustUnderstand="1">urn:SendMessage</wsa:Action>',
])
def test_headers_the_gateway_may_ignore(stacks, header):
    reply = stacks.post(_with_header(header))
    assert reply.status == 200 and not reply.is_fault, reply.content[:400]


@pytest.mark.parametrize("path", ["/bip-sync-wss-gost?wsdl", "/bip-sync-wss-gost/?wsdl",
                                  "/bip-async?wsdl", "/bip-async/?wsdl"])
def test_wsdl_with_and_without_the_trailing_slash(stacks, path):
    r = stacks.http.get(stacks.url + path)
    assert r.status_code == 200 and b"wsdl:definitions" in r.content
    assert stacks.url.encode() in r.content  # soap:address points at this server
