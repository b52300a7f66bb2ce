"""Proof on real data: every GOST signature in NCANode's vectors verifies (as of a date inside the
certificates' validity, trusting the NCA test ҰКО), a one-byte change breaks each, and the
revoked test keys are reported revoked by the CRLs and OCSP answers shipped with them."""

import base64
import re

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from egov_sim.core.errors import InputError
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.gost import x509 as gost_x509
from egov_sim.signing.gost.keys import BY_SIGNATURE_OID, GostPrivateKey
from egov_sim.signing.keyfiles import load_pkcs12
from egov_sim.signing.revocation import RevocationChecker, read_ocsp_response
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from egov_sim.signing.wsse import sign_wsse
from tests.support import ncanode as nca

TWO_SIGNERS = "XML_SIGNED_VALID_STRING_TWO_SIGNERS.xml"


def _clock(moment):
    return lambda: moment


@pytest.fixture(scope="module")
def trust():
    return TrustStore.from_pem(nca.trust_pem(), partial_chain=True)


@pytest.fixture(scope="module")
def crls():
    return [nca.crl(n) for n in (nca.CRL_GOST_2004, nca.CRL_GOST_2015, nca.CRL_RSA)]


def _key(tmp_path, name):
    return load_pkcs12(nca.p12_file(tmp_path, name), nca.PASSWORDS[name])


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


# ---- the XML signature ---------------------------------------------------------------------------

def test_kalkan_gost_2015_xml_signature_verifies(trust, crls):
    checker = RevocationChecker(methods=("CRL",), crls=crls, clock=_clock(nca.AT))
    result = Verifier(trust, revocation=checker).verify(nca.read(TWO_SIGNERS), at=nca.AT)
    gost, rsa = result.signatures  # LIFO: the outer GOST signature first
    assert gost.valid and gost.gost and gost.codes == ()
    assert gost.signature_method.endswith("gostr34102015-gostr34112015-512")
    assert gost.signer.iin == "123456789012" and gost.signer.key_usage == "SIGN"
    assert [r.to_json()["revoked"] for r in gost.revocations] == [False]
    assert rsa.codes == ("CERT_EXPIRED",)  # the RSA signer's year was over by 2022-09


@pytest.mark.parametrize("change, code", [
    (lambda d: d.replace(b"<b>test</b>", b"<b>tesT</b>"), "DIGEST_MISMATCH"),
    (lambda d: d.replace(b"<ds:SignatureValue>\n9KSG", b"<ds:SignatureValue>\n8KSG"), "SIGNATURE_MISMATCH"),
    (lambda d: d.replace(b"<ds:DigestValue>JXtg", b"<ds:DigestValue>JXth"), "SIGNATURE_MISMATCH"),
])
def test_one_byte_change_breaks_the_gost_signature(trust, change, code):
    changed = change(nca.read(TWO_SIGNERS))
    assert changed != nca.read(TWO_SIGNERS)
    gost = Verifier(trust).verify(changed, at=nca.AT).signatures[0]
    assert not gost.valid and code in gost.codes


# ---- certificates, CRLs and OCSP answers signed by the GOST ҰКО ----------------------------------

def _gost_certificates(tmp_path):
    xml = nca.read(TWO_SIGNERS).decode()
    signer = re.findall(r"<ds:X509Certificate>(.*?)</ds:X509Certificate>", xml, re.S)[1]
    found = {"XML signer": x509.load_der_x509_certificate(base64.b64decode(signer.replace("&#13;", ""))),
             "CEO 2004 (valid)": nca.certificate("ceo_valid_sign_2004_gost.cer")}
    for name in ("KEY_INDIVIDUAL_VALID_2015", "KEY_CEO_REVOKED_2015", "KEY_CEO_SIGN_REVOKED_2004"):
        found[name] = _key(tmp_path, name)[1]
    for name in ("ocsp_response_ceo_2015_revoked.bin", "ocsp_response_ceo_sign_2004_revoked.bin"):
        from cryptography.x509 import ocsp

        found[f"responder of {name}"] = ocsp.load_der_ocsp_response(nca.read(name)).certificates[0]
    return found


def test_every_gost_issued_certificate_chains_to_its_uko(tmp_path, trust):
    for name, cert in _gost_certificates(tmp_path).items():
        result = trust.chain(cert)
        assert result.trusted, (name, result.problem)
        assert gost_x509.signature_algorithm(cert.signature_algorithm_oid) is not None, name


def test_one_byte_change_breaks_each_certificate_signature(tmp_path):
    issuers = {c.subject: c for c in (nca.certificate(nca.CA_GOST_2004), nca.certificate(nca.CA_GOST_2015))}
    for cert in _gost_certificates(tmp_path).values():
        key = gost_x509.public_key(issuers[cert.issuer])
        algorithm = BY_SIGNATURE_OID[cert.signature_algorithm_oid.dotted_string]
        key.verify(cert.signature, cert.tbs_certificate_bytes, algorithm)
        with pytest.raises(InvalidSignature):
            key.verify(cert.signature, _flip(cert.tbs_certificate_bytes, 200), algorithm)
        with pytest.raises(InvalidSignature):
            key.verify(_flip(cert.signature, 5), cert.tbs_certificate_bytes, algorithm)


@pytest.mark.parametrize("crl_name, ca_name", [(nca.CRL_GOST_2004, nca.CA_GOST_2004),
                                               (nca.CRL_GOST_2015, nca.CA_GOST_2015)])
def test_gost_crls_are_signed_by_their_uko(crl_name, ca_name):
    crl, key = nca.crl(crl_name), gost_x509.public_key(nca.certificate(ca_name))
    algorithm = BY_SIGNATURE_OID[crl.signature_algorithm_oid.dotted_string]
    key.verify(crl.signature, crl.tbs_certlist_bytes, algorithm)
    with pytest.raises(InvalidSignature):
        key.verify(crl.signature, _flip(crl.tbs_certlist_bytes, 120), algorithm)


# ---- revocation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, ca, at, reason", [
    ("KEY_CEO_REVOKED_2015", nca.CA_GOST_2015, nca.AT, "certificateHold"),
    ("KEY_CEO_SIGN_REVOKED_2004", nca.CA_GOST_2004, nca.AT_2004_KEYS, "superseded"),
    ("KEY_INDIVIDUAL_SIGN_REVOKED_2004", nca.CA_RSA, nca.AT_2004_KEYS, None),
    ("KEY_INDIVIDUAL_AUTH_REVOKED_2004", nca.CA_RSA, nca.AT_2004_KEYS, None),
])
def test_revoked_test_keys_are_revoked_in_the_shipped_crls(tmp_path, crls, name, ca, at, reason):
    cert = _key(tmp_path, name)[1]
    checker = RevocationChecker(methods=("CRL",), crls=crls, clock=_clock(at))
    (revocation,) = checker.check(cert, nca.certificate(ca))
    assert revocation.revoked and revocation.by == "CRL"
    if reason:
        assert revocation.reason == reason


@pytest.mark.parametrize("name, ca, at", [("KEY_INDIVIDUAL_VALID_2015", nca.CA_GOST_2015, nca.AT),
                                          ("KEY_INDIVIDUAL_VALID_SIGN_2004", nca.CA_RSA, nca.AT_2004_KEYS)])
def test_valid_test_keys_are_not_in_the_crls(tmp_path, crls, name, ca, at):
    cert = _key(tmp_path, name)[1]
    (revocation,) = RevocationChecker(crls=crls, clock=_clock(at)).check(cert, nca.certificate(ca))
    assert not revocation.revoked


def test_a_stale_configured_crl_is_reported_unavailable(tmp_path, crls):
    cert = _key(tmp_path, "KEY_INDIVIDUAL_VALID_2015")[1]
    checker = RevocationChecker(crls=crls, clock=_clock(nca.AT.replace(year=2024)))
    with pytest.raises(InputError) as err:
        checker.check(cert, nca.certificate(nca.CA_GOST_2015))
    assert err.value.code == "REVOCATION_UNAVAILABLE" and "not current" in str(err.value)


def test_a_stale_crl_that_lists_a_key_still_revokes_it(tmp_path, crls):
    """A revocation is final: a CRL past its nextUpdate cannot say "good", but what it lists stays revoked."""
    cert = _key(tmp_path, "KEY_CEO_REVOKED_2015")[1]
    (revocation,) = RevocationChecker(crls=crls, clock=_clock(nca.AT.replace(year=2024))).check(
        cert, nca.certificate(nca.CA_GOST_2015))
    assert revocation.revoked and revocation.reason == "certificateHold"


def test_the_accept_policy_lets_a_stale_crl_pass_and_says_why(tmp_path, crls):
    cert = _key(tmp_path, "KEY_INDIVIDUAL_VALID_2015")[1]
    checker = RevocationChecker(crls=crls, clock=_clock(nca.AT.replace(year=2024)), unavailable="accept")
    (revocation,) = checker.check(cert, nca.certificate(nca.CA_GOST_2015))
    assert not revocation.revoked and "not current" in revocation.unavailable
    assert revocation.to_json()["unavailable"] == revocation.unavailable


@pytest.mark.parametrize("name, response, ca, reason", [
    ("KEY_CEO_REVOKED_2015", "ocsp_response_ceo_2015_revoked.bin", nca.CA_GOST_2015, "certificateHold"),
    ("KEY_CEO_SIGN_REVOKED_2004", "ocsp_response_ceo_sign_2004_revoked.bin", nca.CA_GOST_2004, "superseded"),
])
def test_revoked_test_keys_are_revoked_in_the_gost_signed_ocsp_answers(tmp_path, name, response, ca, reason):
    cert = _key(tmp_path, name)[1]
    revocation = read_ocsp_response(nca.read(response), cert, nca.certificate(ca), at=nca.AT)
    assert revocation.revoked and revocation.by == "OCSP" and revocation.reason == reason
    from cryptography.x509 import ocsp

    der = nca.read(response)
    broken = _flip(der, der.index(ocsp.load_der_ocsp_response(der).signature) + 7)
    with pytest.raises(InputError) as err:
        read_ocsp_response(broken, cert, nca.certificate(ca), at=nca.AT)
    assert err.value.code == "REVOCATION_UNAVAILABLE" and "bad signature" in str(err.value)


def test_the_rfc6960_non_issued_answer_is_not_a_revocation(tmp_path):
    """NCA's test responder answers 'revoked, certificateHold, 1970-01-01' + extended-revoke for the
    valid 2015 key it does not know: RFC 6960 §2.2's 'never issued', reported as unknown."""
    cert = _key(tmp_path, "KEY_INDIVIDUAL_VALID_2015")[1]
    with pytest.raises(InputError) as err:
        read_ocsp_response(nca.read("ocsp_response_individual_2015.bin"), cert,
                           nca.certificate(nca.CA_GOST_2015), at=nca.AT)
    assert err.value.code == "REVOCATION_UNKNOWN" and "never issued" in str(err.value)


# ---- CMS signatures and time stamps (the primitives, on signed attributes) ------------------------

def _gost_signer_infos():
    for name in ("SIGNED_CMS.b64", "SIGNED_CMS_ONE_SIGNER.b64", "SIGNED_DETACHED_CMS.b64", "tsp_token.bin"):
        data = nca.read(name)
        data = base64.b64decode(data) if name.endswith(".b64") else data
        signed = cms.ContentInfo.load(data)["content"]
        certificates = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
        for info in signed["signer_infos"]:
            oid = info["signature_algorithm"]["algorithm"].dotted
            if oid not in BY_SIGNATURE_OID:
                continue
            serial = info["sid"].chosen["serial_number"].native
            cert = next(c for c in certificates if c.serial_number == serial)
            attributes = info["signed_attrs"].untag().dump()  # hashed as a SET (tag 0x31)
            yield name, cert, info["signature"].native, attributes, BY_SIGNATURE_OID[oid]


def test_gost_cms_and_time_stamp_signatures_verify():
    seen = set()
    for name, cert, signature, attributes, algorithm in _gost_signer_infos():
        key = gost_x509.public_key(cert)
        key.verify(signature, attributes, algorithm)
        with pytest.raises(InvalidSignature):
            key.verify(signature, _flip(attributes, 10), algorithm)
        seen.add((name, algorithm.name))
    assert {a for _, a in seen} == {"gost2004", "gost2015-512"} and len(seen) >= 3, seen


# ---- signing with the NCA test keys ------------------------------------------------------------------

def test_signing_with_the_nca_2015_key_gives_kalkans_bytes(tmp_path, trust):
    """Re-sign the first signer's document with KEY_INDIVIDUAL_VALID_2015: everything but the
    (randomised) SignatureValue is byte for byte the Kalkan output in the vector."""
    key, cert, _ = _key(tmp_path, "KEY_INDIVIDUAL_VALID_2015")
    assert isinstance(key, GostPrivateKey) and key.algorithm.name == "gost2015-512"
    vector = nca.read(TWO_SIGNERS)
    cut = vector.index(b"</ds:Signature><ds:Signature") + len(b"</ds:Signature>")
    ours = sign_enveloped(vector[:cut] + b"</a>", key, cert, flavor="ncanode")
    without_value = lambda d: re.sub(rb"<ds:SignatureValue>.*?</ds:SignatureValue>", b"", d, flags=re.S)  # noqa: E731
    assert without_value(ours) == without_value(vector)
    assert ours != vector
    assert Verifier(trust).verify(ours, at=nca.AT).signatures[0].valid


@pytest.mark.parametrize("name, at", [("KEY_INDIVIDUAL_VALID_2015", nca.AT),
                                      ("KEY_CEO_SIGN_REVOKED_2004", nca.AT_2004_KEYS)])
def test_wsse_signed_with_nca_gost_keys_verifies(tmp_path, trust, name, at):
    key, cert, _ = _key(tmp_path, name)
    signed = sign_wsse(nca.read("XML_VALID_STRING.xml"), key, cert)
    assert key.algorithm.signature_uri.encode() in signed
    result = Verifier(trust).verify(signed, at=at)
    assert result.valid and result.layout == "wsse" and result.gost
    assert not Verifier(trust).verify(signed.replace(b"<iin>", b"<iiN>").replace(b"</iin>", b"</iiN>"),
                                      at=at).valid


def test_the_2004_key_is_stored_like_kalkan_stores_it(tmp_path):
    key, cert, _ = _key(tmp_path, "KEY_CEO_SIGN_REVOKED_2004")
    assert key.algorithm.name == "gost2004" and key.public_key() == gost_x509.public_key(cert)
    assert GostPrivateKey.from_pkcs8(key.pkcs8()).public_key() == key.public_key()
    assert cert.public_bytes(Encoding.DER)[:1] == b"\x30"
