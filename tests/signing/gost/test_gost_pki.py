"""The test PKI issues GOST certificates like NCA's (a GOST 2004 and a GOST 2015 ҰКО under a GOST
root), with GOST-signed CRLs and OCSP answers; and the CLI signs and verifies with GOST keys,
NCA's own test keys included."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography import x509

from egov_sim.app.cli import main
from egov_sim.reference.iin import make_bin
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.gost import x509 as gost_x509
from egov_sim.signing.gost.keys import GostPrivateKey
from egov_sim.signing.keyfiles import load_pkcs12
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.revocation import RevocationChecker
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from egov_sim.signing.wsse import sign_wsse
from tests.support import ncanode as nca
from tests.support.dsig_docs import OTHER_IIN, SIGNER_IIN, person_request, soap_request
from tests.support.rshep import TEST_MONDAY

ORG_BIN = make_bin(2000, 1, 1235)
ALGORITHMS = ["gost2004", "gost2015-256", "gost2015-512"]
SIGNATURE_OIDS = {"gost2004": "1.2.398.3.10.1.1.1.2", "gost2015": "1.2.398.3.10.1.1.2.3.2"}


def _clock():
    return TEST_MONDAY


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> TestPKI:
    return TestPKI.init(tmp_path_factory.mktemp("gost-pki"), base_url="http://127.0.0.1:9", clock=_clock)


@pytest.fixture(scope="module")
def issued(pki):
    return {a: pki.issue(iin=SIGNER_IIN, surname="ҮЛГІ", given_name="ҚОЛДАНУШЫ", algorithm=a, name=a,
                         bin=ORG_BIN, roles=["CEO"], purpose="SIGN") for a in ALGORITHMS}


def test_the_gost_hierarchy_appears_with_the_first_gost_certificate(tmp_path):
    pki = TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9", clock=_clock)
    assert pki.gost_authority() is None and len(TrustStore.from_pem(pki.trust_pem()).anchors) == 1
    pki.issue(iin=SIGNER_IIN, surname="А", given_name="Б", algorithm="gost2015-512")
    store = TrustStore.from_pem(pki.trust_pem())
    assert len(store.anchors) == 2 and len(store.intermediates) == 3
    assert TestPKI.open(pki.directory).gost_authority().root == pki.gost_authority().root


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_gost_certificates_like_ncas(pki, issued, algorithm):
    cert = issued[algorithm].certificate
    family = "gost2004" if algorithm == "gost2004" else "gost2015"
    assert cert.issuer == pki.gost_ca(family).subject
    assert cert.signature_algorithm_oid.dotted_string == SIGNATURE_OIDS[family]
    assert gost_x509.public_key(cert).algorithm.name == algorithm
    result = TrustStore.from_pem(pki.trust_pem()).chain(cert)
    assert result.trusted and result.chain[-1] == pki.gost_authority().root
    key, loaded, chain = load_pkcs12(issued[algorithm].p12_path, "Qwerty12")
    assert isinstance(key, GostPrivateKey) and loaded == cert and chain == [pki.gost_ca(family)]
    assert key.public_key() == gost_x509.public_key(cert)
    record = pki.record(issued[algorithm].serial)
    assert record.algorithm == algorithm and record.bin == ORG_BIN and "CEO" in record.roles


@pytest.mark.parametrize("family", ["gost2004", "gost2015"])
def test_gost_crls_are_gost_signed_by_their_uko(pki, issued, family):
    crl = x509.load_der_x509_crl(pki.full_crl(ca=family))
    assert crl.issuer == pki.gost_ca(family).subject
    assert crl.signature_algorithm_oid.dotted_string == SIGNATURE_OIDS[family]
    key = gost_x509.public_key(pki.gost_ca(family))
    key.verify(crl.signature, crl.tbs_certlist_bytes, gost_x509.signature_algorithm(crl.signature_algorithm_oid))
    delta = x509.load_der_x509_crl(pki.delta_crl(ca=family))
    assert delta.extensions.get_extension_for_class(x509.DeltaCRLIndicator).critical


@pytest.mark.parametrize("methods", [("CRL",), ("OCSP",)])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_revocation_of_gost_certificates(tmp_path, algorithm, methods):
    pki = TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9", clock=_clock)
    cert = pki.issue(iin=SIGNER_IIN, surname="А", given_name="Б", algorithm=algorithm)
    signed = sign_enveloped(person_request(), cert.private_key, cert.certificate)
    checker = RevocationChecker(methods=methods, local_pki=pki, clock=_clock)
    verifier = Verifier(TrustStore.from_pem(pki.trust_pem()), revocation=checker, clock=_clock)
    result = verifier.verify(signed)
    assert result.valid and [r.revoked for r in result.signatures[0].revocations] == [False]
    pki.revoke(cert.serial, "keyCompromise")
    result = verifier.verify(signed)
    assert set(result.codes) == {"CERT_REVOKED"}
    (revocation,) = result.signatures[0].revocations
    assert revocation.by == methods[0] and revocation.reason == "keyCompromise"


def test_the_gost_ocsp_answer_is_signed_by_the_uko(pki, issued):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509 import ocsp

    from egov_sim.signing.ocsp_responder import issuer_hashes

    cert, ca = issued["gost2004"].certificate, pki.gost_ca("gost2004")
    name_hash, key_hash = issuer_hashes(ca, hashes.SHA256())
    request = (ocsp.OCSPRequestBuilder().add_certificate_by_hash(name_hash, key_hash, cert.serial_number,
                                                                 hashes.SHA256())
               .build().public_bytes(Encoding.DER))
    response = ocsp.load_der_ocsp_response(pki.ocsp_response(request))
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.signature_algorithm_oid.dotted_string == SIGNATURE_OIDS["gost2004"]
    gost_x509.public_key(ca).verify(response.signature, response.tbs_response_bytes,
                                    gost_x509.signature_algorithm(response.signature_algorithm_oid))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("layout", ["enveloped", "wsse"])
def test_sign_and_verify_with_our_gost_keys(pki, issued, algorithm, layout):
    key, cert = issued[algorithm].private_key, issued[algorithm].certificate
    signed = (sign_enveloped(person_request(), key, cert) if layout == "enveloped"
              else sign_wsse(soap_request(), key, cert))
    assert key.algorithm.signature_uri.encode() in signed and key.algorithm.digest_uri.encode() in signed
    verifier = Verifier(TrustStore.from_pem(pki.trust_pem()), clock=_clock)
    result = verifier.verify(signed, expect_iin=SIGNER_IIN, purpose="SIGN")
    assert result.valid and result.gost and result.signer.bin == ORG_BIN and "CEO" in result.signer.roles
    assert not verifier.verify(signed.replace(SIGNER_IIN.encode(), OTHER_IIN.encode())).valid


def test_sequential_rsa_then_gost_signers(pki, issued):
    rsa = pki.issue(iin=SIGNER_IIN, surname="А", given_name="Б")
    once = sign_enveloped(person_request(), rsa.private_key, rsa.certificate)
    gost = issued["gost2015-512"]
    twice = sign_enveloped(once, gost.private_key, gost.certificate)
    result = Verifier(TrustStore.from_pem(pki.trust_pem()), clock=_clock).verify(twice)
    assert result.valid and [s.gost for s in result.signatures] == [True, False]


# ---- the command line ----------------------------------------------------------------------------

@pytest.fixture
def run(tmp_path, capsys):
    home = tmp_path / "home"

    def invoke(*args: str) -> tuple[int, str, str]:
        try:
            main(["--home", str(home), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return invoke


def test_cli_issues_gost_and_signs_and_verifies(run, tmp_path):
    assert run("pki", "init")[0] == 0
    code, out, err = run("pki", "issue", "--iin", SIGNER_IIN, "--surname", "ҮЛГІ", "--given-name", "Қ",
                         "--algorithm", "gost2015-512", "--name", "g", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["algorithm"] == "gost2015-512"
    document = tmp_path / "doc.xml"
    document.write_bytes(soap_request())
    signed = tmp_path / "signed.xml"
    code, _, err = run("sign", str(document), "--p12", record["p12"], "--password", "Qwerty12",
                       "--layout", "wsse", "--out", str(signed))
    assert code == 0, err
    code, out, _ = run("verify", str(signed), "--revocation", "ocsp", "--json")
    result = json.loads(out)
    assert code == 0 and result["valid"] and result["signatures"][0]["signer"]["signAlg"] == "GOST3410-2015-512"
    code, out, _ = run("pki", "crl", "--ca", "gost2015")
    assert code == 0 and out.startswith("-----BEGIN X509 CRL-----")


def test_cli_signs_with_the_nca_test_key_and_verifies_as_of_2022(run, tmp_path):
    """The issue's example: sign with KEY_INDIVIDUAL_VALID_2015 (password from the vectors' README),
    verify trusting NCA's test ҰКО (a DER file) with NCA's CRL, as of a date in the key's validity."""
    p12 = nca.p12_file(tmp_path, "KEY_INDIVIDUAL_VALID_2015")
    document = tmp_path / "doc.xml"
    document.write_bytes(nca.read("XML_VALID_STRING.xml"))
    signed = tmp_path / "signed.xml"
    code, _, err = run("sign", str(document), "--p12", str(p12), "--password", "Aa123456", "--layout", "wsse",
                       "--out", str(signed))
    assert code == 0, err
    verify = ("verify", str(signed), "--trust", str(nca.path(nca.CA_GOST_2015)), "--at", nca.AT.isoformat(),
              "--crl", str(nca.path(nca.CRL_GOST_2015)))
    code, out, _ = run(*verify)
    assert code == 0 and "GOST 34.10-2015 512-bit" in out and "IIN 123456789012" in out, out
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(signed.read_bytes().replace(b"<iin>931002451325", b"<iin>931002451326"))
    code, out, _ = run("verify", str(tampered), *verify[2:])
    assert code == 1 and "DIGEST_MISMATCH" in out
    code, out, _ = run("verify", str(signed), *verify[2:6], "--at", (nca.AT + dt.timedelta(days=400)).isoformat())
    assert code == 1 and "CERT_EXPIRED" in out


def test_cli_verifies_the_kalkan_vector(run):
    code, out, _ = run("verify", str(nca.path("XML_SIGNED_VALID_STRING_TWO_SIGNERS.xml")),
                       "--trust", str(nca.path(nca.CA_GOST_2015)), "--at", nca.AT.isoformat(),
                       "--revocation", "none", "--json")
    gost, rsa = json.loads(out)["signatures"]
    assert gost["valid"] and gost["signer"]["signAlg"] == "GOST3410-2015-512"
    assert not rsa["valid"] and code == 1  # its RSA signer is not trusted here and had expired
