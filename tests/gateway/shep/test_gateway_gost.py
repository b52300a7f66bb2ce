"""GOST transport signatures at the gateway, with NCA's real test keys: trusting NCA's test ҰКО
(``[gateway] trust``) and its CRL (``[gateway] crls``) lets a request signed with a real NCA GOST
test key pass; a tampered body is SCE006, a revoked key SCE005. The gateway runs on a clock
inside the keys' and the CRLs' validity (2022-09-02)."""

from __future__ import annotations

import shutil

import pytest

from egov_sim.gateway.journal import JournalFilter
from egov_sim.signing.keyfiles import load_pkcs12
from egov_sim.signing.wsse import sign_wsse
from tests.support import ncanode as nca
from tests.support.shep import SIGNED_CLIENT, TEST_CLIENT, assert_fault, envelope, live_gateway, new_id, request_info

CONFIG = """
[gateway]
trust = ["nca_gost_test.crt", "nca_gost2015_test.cer"]
crls = ["nca_gost_test.crl", "nca_gost2022_test.crl"]
"""


@pytest.fixture(scope="module")
def nca_gw(tmp_path_factory, gw_pki):
    home = tmp_path_factory.mktemp("nca-gost-home")
    for name in (nca.CA_GOST_2004, nca.CA_GOST_2015, nca.CRL_GOST_2004, nca.CRL_GOST_2015):
        shutil.copy(nca.path(name), home / name)
    with live_gateway(home, gw_pki, config=CONFIG, clock=lambda: nca.AT) as live:
        yield live


@pytest.fixture(scope="module")
def nca_keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nca-keys")
    return {name: load_pkcs12(nca.p12_file(folder, name), nca.PASSWORDS[name])[:2]
            for name in ("KEY_INDIVIDUAL_VALID_2015", "KEY_CEO_REVOKED_2015", "KEY_CEO_SIGN_REVOKED_2004")}


def _signed(keys, name, *, sender=SIGNED_CLIENT, message_id=None) -> bytes:
    key, cert = keys[name]
    body = envelope("cxf", info=request_info(message_id=message_id, sender=sender))
    return sign_wsse(body, key, cert)


def _entry(gw, message_id):
    (entry,) = gw.journal.list(JournalFilter(message_id=message_id))
    return entry


@pytest.mark.parametrize("sender", [SIGNED_CLIENT, TEST_CLIENT], ids=["required", "if-present"])
def test_request_signed_with_a_real_nca_gost_key_passes(nca_gw, nca_keys, sender):
    message_id = new_id()
    reply = nca_gw.post(_signed(nca_keys, "KEY_INDIVIDUAL_VALID_2015", sender=sender, message_id=message_id))
    assert reply.status == 200 and not reply.is_fault, reply.content[:800]
    entry = _entry(nca_gw, message_id)
    assert entry.request_signature == "valid"
    assert entry.signature_details["algorithm"] == "GOST 34.10-2015-512"
    assert entry.signature_details["signer"]["iin"] == "123456789012"


@pytest.mark.parametrize("sender", [SIGNED_CLIENT, TEST_CLIENT], ids=["required", "if-present"])
def test_tampered_gost_signed_body_is_sce006(nca_gw, nca_keys, sender):
    message_id = new_id()
    signed = _signed(nca_keys, "KEY_INDIVIDUAL_VALID_2015", sender=sender, message_id=message_id)
    tampered = signed.replace(b"<iin>880314312347</iin>", b"<iin>880314312348</iin>", 1)
    assert tampered != signed
    assert_fault(nca_gw.post(tampered), "SCE006", data_contains="DIGEST_MISMATCH")
    assert _entry(nca_gw, message_id).request_signature == "invalid"
    nca_gw.assert_serving()


@pytest.mark.parametrize("name", ["KEY_CEO_REVOKED_2015", "KEY_CEO_SIGN_REVOKED_2004"])
def test_revoked_nca_gost_keys_are_sce005_by_the_configured_crl(nca_gw, nca_keys, name):
    message_id = new_id()
    reply = nca_gw.post(_signed(nca_keys, name, message_id=message_id))
    assert_fault(reply, "SCE005", data_contains="CERT_REVOKED")
    entry = _entry(nca_gw, message_id)
    assert entry.request_signature == "not-current"
    assert entry.signature_details["algorithm"] in ("GOST 34.10-2015-512", "GOST 34.310-2004")


# --- a simulator configured to sign in GOST, as production does -------------------------------------

@pytest.fixture(scope="module")
def gost_sim(tmp_path_factory, gw_pki):
    import httpx

    from egov_sim.app.server import build_app
    from egov_sim.core.settings import Settings
    from egov_sim.core.testing import serve_in_thread
    from tests.support.shep import LiveGateway, seed_home

    home = seed_home(tmp_path_factory.mktemp("gost-sim-home"), gw_pki)
    (home / "gateway.toml").write_text("[gateway]\nsign_responses = true\n", encoding="utf-8")
    settings = Settings(home=home, config_file=home / "gateway.toml", population=50,
                        fast_password_hashing=True, signing_algorithm="gost2015-512")
    app = build_app(settings)
    with serve_in_thread(app) as url, httpx.Client(timeout=30) as http:
        yield LiveGateway(url, app, home, http)


def test_gost_configured_systems_sign_in_gost(gost_sim):
    from egov_sim.adapters.gbd_fl.provider import GBDFL_IDENTITY
    from egov_sim.adapters.notary.provider import ENIS_IDENTITY
    from egov_sim.gateway.shep import gateway_signer
    from egov_sim.signing.gost.keys import GostPrivateKey
    from egov_sim.signing.service_certs import service_signer
    from egov_sim.signing.trust import TrustStore
    from egov_sim.signing.verify import Verifier

    pki = gost_sim.app.state.pki
    for identity in (GBDFL_IDENTITY, ENIS_IDENTITY):
        assert isinstance(service_signer(pki, identity).key, GostPrivateKey)
    message_id = new_id()
    reply = gost_sim.send("jaxws", info=request_info(message_id=message_id))
    assert reply.status == 200 and not reply.is_fault, reply.content[:500]
    assert b"gostr34102015-gostr34112015-512" in reply.content
    certificate = gateway_signer(pki).certificate
    from cryptography.hazmat.primitives.serialization import Encoding

    trust = TrustStore.from_pem(pki.trust_pem() + certificate.public_bytes(Encoding.PEM))
    result = Verifier(trust).verify(reply.content, layout="wsse")
    assert result.valid and result.gost, result.to_json()
