"""WS-Security at the gateway: the per-participant policies (off | if-present | required), the
verdicts and their faults, extra trust anchors, and the gateway's own signed responses.
"""

from __future__ import annotations

import contextlib
import subprocess

import httpx
import pytest
import zeep
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from starlette.applications import Starlette

from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.testing import serve_in_thread
from egov_sim.gateway.config import ConfigError, load_config
from egov_sim.gateway.journal import JournalFilter
from egov_sim.gateway.shep import build_gateway, gateway_signer
from egov_sim.signing import algorithms as alg
from egov_sim.signing.dsig import WSSE_NS, WSU_NS
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from egov_sim.signing.wsse import sign_wsse
from tests.support.shep import (
    BINDING,
    IIN,
    SIGNED_CLIENT,
    SOAP11,
    TEST_CLIENT,
    WSDL_PATH,
    LiveGateway,
    assert_fault,
    envelope,
    live_gateway,
    new_id,
    request_info,
    validate,
)

DS = alg.DS_NS
NS = {"ds": DS, "wsse": WSSE_NS, "wsu": WSU_NS, "soap": SOAP11}
SOAP_BODY = f"{SOAP11}:Body"


def signed_request(cert, *, sender=SIGNED_CLIENT, message_id: str | None = None, style: str = "cxf") -> bytes:
    body = envelope(style, info=request_info(message_id=message_id, sender=sender))
    return sign_wsse(body, cert.private_key, cert.certificate)


def _entry(gw: LiveGateway, message_id: str):
    (entry,) = gw.journal.list(JournalFilter(message_id=message_id))
    return entry


@pytest.mark.parametrize("style", ["cxf", "php", "go"])
def test_required_policy_accepts_a_valid_signature(gw, client_cert, style):
    message_id = new_id()
    reply = gw.post(signed_request(client_cert, message_id=message_id, style=style), style=style)
    assert reply.status == 200, reply.content[:800]
    entry = _entry(gw, message_id)
    assert entry.request_signature == "valid"
    assert entry.signature_details["signer"]["iin"] == IIN


def test_required_policy_refuses_an_unsigned_request(gw):
    reply = gw.send(info=request_info(sender=SIGNED_CLIENT))
    assert_fault(reply, "SCE007", data_contains="'EGOV_SIM_SIGNED_CLIENT' must sign", faultcode="soap:Client")
    gw.assert_serving()


def test_if_present_policy(gw, client_cert):
    unsigned_id, signed_id = new_id(), new_id()
    assert gw.send(info=request_info(message_id=unsigned_id)).status == 200
    assert _entry(gw, unsigned_id).request_signature == "absent"
    reply = gw.post(signed_request(client_cert, sender=TEST_CLIENT, message_id=signed_id))
    assert reply.status == 200
    assert _entry(gw, signed_id).request_signature == "valid"


def test_tampered_body_is_sce006(gw, client_cert):
    signed = signed_request(client_cert, message_id=new_id())
    tampered = signed.replace(IIN.encode(), b"000000000000")
    assert tampered != signed
    reply = gw.post(tampered)
    assert_fault(reply, "SCE006", data_contains="DIGEST_MISMATCH")
    assert gw.journal.list(limit=1)[0].request_signature == "invalid"
    gw.assert_serving()


def test_expired_certificate_is_sce005(gw, expired_cert):
    reply = gw.post(signed_request(expired_cert))
    assert_fault(reply, "SCE005", data_contains="CERT_EXPIRED")
    assert gw.journal.list(limit=1)[0].request_signature == "not-current"
    gw.assert_serving()


def _wrapped(signed: bytes, *, keep_id: bool) -> bytes:
    """XSW: the signed Body moved into the Header, a forged Body in its place."""
    env = etree.fromstring(signed)
    header, body = env.find("soap:Header", NS), env.find("soap:Body", NS)
    forged = etree.fromstring(envelope("cxf", info=request_info(sender=SIGNED_CLIENT, service_id="SIM_ECHO"),
                                       data="<data><forged>1</forged></data>")).find("soap:Body", NS)
    if keep_id:
        forged.set(f"{{{WSU_NS}}}Id", body.get(f"{{{WSU_NS}}}Id"))
    wrapper = etree.SubElement(header, "Wrapper")
    env.replace(body, forged)
    wrapper.append(body)
    return etree.tostring(env)


@pytest.mark.parametrize("keep_id", [False, True], ids=["body-moved", "duplicate-id"])
def test_signature_wrapping_is_sce006(gw, client_cert, keep_id):
    reply = gw.post(_wrapped(signed_request(client_cert), keep_id=keep_id))
    assert_fault(reply, "SCE006")
    assert gw.journal.list(limit=1)[0].request_signature == "invalid"
    gw.assert_serving()


def _as_gost(signed: bytes) -> bytes:
    """An RSA signature relabelled with the GOST 2015 URIs (a forged GOST signature)."""
    return (signed.replace(alg.RSA_SHA256.encode(), alg.GOST_2015_512.encode())
            .replace(b"http://www.w3.org/2001/04/xmlenc#sha256", alg.GOST_DIGEST_2015_512.encode()))


@pytest.mark.parametrize("sender", [TEST_CLIENT, SIGNED_CLIENT], ids=["if-present", "required"])
def test_forged_gost_signature_is_sce006_under_every_policy(gw, client_cert, sender):
    """GOST is verified like RSA: there is no 'accepted unverified' any more."""
    message_id = new_id()
    gost = _as_gost(signed_request(client_cert, sender=sender, message_id=message_id))
    assert alg.GOST_2015_512.encode() in gost
    assert_fault(gw.post(gost), "SCE006", data_contains="SIGNATURE_MISMATCH")
    entry = _entry(gw, message_id)
    assert entry.request_signature == "invalid"
    assert entry.signature_details["algorithm"] == "GOST 34.10-2015-512"
    gw.assert_serving()


def test_certificate_from_an_unknown_ca_is_sce006(gw, foreign_cert):
    for sender in (SIGNED_CLIENT, TEST_CLIENT):  # a present, bad signature fails under if-present too
        reply = gw.post(signed_request(foreign_cert, sender=sender))
        assert_fault(reply, "SCE006", data_contains="CHAIN_NOT_TRUSTED")
    gw.assert_serving()


# --- a gateway assembled by hand: extra trust, a participant with the policy off ---------------

EXTRA_CONFIG = """
[[participants]]
sender_id = "LEGACY_CLIENT"
password = "legacy"
wsse = "off"
"""


@contextlib.contextmanager
def _custom_gateway(home, pki, config):
    db = Database.open(sqlite_url(home / "journal.db"))
    gateway = build_gateway(config=config, db=db, pki=pki)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await gateway.aclose()

    app = Starlette(routes=gateway.routes(), lifespan=lifespan)
    app.state.gateway = gateway
    try:
        with serve_in_thread(app) as url, httpx.Client(timeout=20) as http:
            yield LiveGateway(url, app, home, http)
    finally:
        db.close()


@pytest.fixture(scope="module")
def trusting_gw(tmp_path_factory, gw_pki, foreign_pki):
    """The client's CA is added the way an integrator does it: ``[gateway] trust`` in the config."""
    home = tmp_path_factory.mktemp("trust-home")
    (home / "nca-test.pem").write_bytes(foreign_pki.trust_pem())
    (home / "nca-test.crl").write_bytes(foreign_pki.full_crl())  # its CDP is not reachable from here
    config_file = home / "egov-sim.toml"
    config_file.write_text(EXTRA_CONFIG + '\n[gateway]\ntrust = ["nca-test.pem"]\ncrls = ["nca-test.crl"]\n',
                           encoding="utf-8")
    with _custom_gateway(home, gw_pki, load_config(config_file)) as live:
        yield live


def test_trust_file_that_is_not_pem_is_a_config_error(tmp_path):
    (tmp_path / "bad.pem").write_text("not a certificate")
    config_file = tmp_path / "egov-sim.toml"
    config_file.write_text('[gateway]\ntrust = ["bad.pem"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.pem is not a certificate"):
        load_config(config_file)


def test_client_ca_added_to_trust_verifies(trusting_gw, foreign_cert, client_cert):
    """A request signed with a client's real НУЦ RSA test key verifies once that CA is trusted."""
    for cert in (foreign_cert, client_cert):
        message_id = new_id()
        reply = trusting_gw.post(signed_request(cert, message_id=message_id))
        assert reply.status == 200, reply.content[:800]
        assert _entry(trusting_gw, message_id).request_signature == "valid"


def test_policy_off_does_not_check(trusting_gw, client_cert):
    legacy = ("LEGACY_CLIENT", "legacy")
    message_id = new_id()
    tampered = signed_request(client_cert, sender=legacy, message_id=message_id).replace(
        IIN.encode(), b"000000000000")
    assert trusting_gw.post(tampered).status == 200
    assert _entry(trusting_gw, message_id).request_signature == "not-checked"
    message_id = new_id()
    assert trusting_gw.send(info=request_info(sender=legacy, message_id=message_id)).status == 200
    assert _entry(trusting_gw, message_id).request_signature == "absent"


# --- signed responses ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_gw(tmp_path_factory, gw_pki):
    config = "[gateway]\nsign_responses = true\n"
    with live_gateway(tmp_path_factory.mktemp("signing-home"), gw_pki, config=config) as live:
        yield live


@pytest.fixture(scope="module")
def gateway_cert(signing_gw):
    return gateway_signer(signing_gw.app.state.pki).certificate


def test_signed_response_layout_and_our_verifier(signing_gw, gw_pki, gateway_cert):
    message_id = new_id()
    reply = signing_gw.send("go", info=request_info(message_id=message_id))
    assert reply.status == 200
    validate(reply.body_child)
    signature = reply.root.find("soap:Header/wsse:Security/ds:Signature", NS)
    assert signature is not None and signature.get("Id").startswith("SIG-")
    serial = signature.find("ds:KeyInfo/wsse:SecurityTokenReference/ds:X509Data/ds:X509IssuerSerial", NS)
    assert serial.findtext("ds:X509SerialNumber", namespaces=NS) == str(gateway_cert.serial_number)
    assert reply.root.find("soap:Body", NS).get(f"{{{WSU_NS}}}Id").startswith("id-")
    # IssuerSerial names the certificate; the client needs it in its store next to the chain
    trust = TrustStore.from_pem(gw_pki.trust_pem() + gateway_cert.public_bytes(Encoding.PEM))
    result = Verifier(trust).verify(reply.content, layout="wsse")
    assert result.valid, result.to_json()
    assert result.signed_element.tag == f"{{{SOAP11}}}Body"
    assert _entry(signing_gw, message_id).response_signed is True


def test_signed_response_verifies_in_xmlsec1(signing_gw, gateway_cert, xmlsec1_bin, tmp_path):
    reply = signing_gw.send("jaxws")
    assert reply.status == 200
    (tmp_path / "response.xml").write_bytes(reply.content)
    (tmp_path / "gateway.pem").write_bytes(gateway_cert.public_bytes(Encoding.PEM))
    run = subprocess.run([xmlsec1_bin, "--verify", "--pubkey-cert-pem", str(tmp_path / "gateway.pem"),
                          "--id-attr:Id", SOAP_BODY, str(tmp_path / "response.xml")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    tampered = reply.content.replace(b"SCSS001", b"SCSS002")
    (tmp_path / "tampered.xml").write_bytes(tampered)
    run = subprocess.run([xmlsec1_bin, "--verify", "--pubkey-cert-pem", str(tmp_path / "gateway.pem"),
                          "--id-attr:Id", SOAP_BODY, str(tmp_path / "tampered.xml")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0


def test_zeep_reads_a_signed_response(signing_gw):
    service = zeep.Client(signing_gw.url + WSDL_PATH).create_service(BINDING, signing_gw.endpoint)
    message_id = new_id()
    reply = service.SendMessage(request={
        "requestInfo": {"messageId": message_id, "serviceId": "SIM_ECHO",
                        "messageDate": "2024-02-05T10:15:00+05:00",
                        "sender": {"senderId": TEST_CLIENT[0], "password": TEST_CLIENT[1]}},
        "requestData": {"data": zeep.xsd.AnyObject(zeep.xsd.String(), "x")}})
    assert reply.responseInfo.correlationId == message_id


def test_faults_are_not_signed(signing_gw):
    reply = signing_gw.send(info=request_info(service_id="NO_SUCH"))
    assert_fault(reply, "SCE004")
    assert reply.root.find("soap:Header", NS) is None
