"""CRLs (full, delta, root) and OCSP answers, built in-process with a controlled clock."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from egov_sim.core.errors import InputError
from egov_sim.signing.ocsp_responder import issuer_hashes
from egov_sim.signing.pki import TestPKI

UTC = dt.UTC
DAY1 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture(scope="module")
def timed(tmp_path_factory):
    """A PKI of its own whose clock the tests move: (pki, clock, [three certificates])."""
    clock = Clock(DAY1)
    pki = TestPKI.init(tmp_path_factory.mktemp("timed") / "pki", base_url="http://127.0.0.1:9", clock=clock)
    certs = [pki.issue(iin="880101300040", surname="Тестов", given_name=f"Т{i}") for i in range(4)]
    return pki, clock, certs


def _crl(der: bytes) -> x509.CertificateRevocationList:
    return x509.load_der_x509_crl(der)


def _ext(obj, kind):
    return obj.extensions.get_extension_for_class(kind)


def test_full_and_delta_crls_over_two_days(timed):
    pki, clock, (a, b, c, _) = timed
    clock.at = DAY1
    pki.revoke(a.serial, "keyCompromise")
    clock.at = DAY1 + dt.timedelta(hours=23)          # 09:00 next day
    pki.revoke(b.serial, "superseded")
    pki.revoke(c.serial, "unspecified", at=DAY1 - dt.timedelta(days=1))
    clock.at = DAY1 + dt.timedelta(hours=24)

    full = _crl(pki.full_crl())
    assert full.is_signature_valid(pki.ca.public_key())
    assert full.issuer == pki.ca.subject
    assert full.last_update_utc == clock.at and full.next_update_utc == clock.at + dt.timedelta(days=1)
    assert {r.serial_number for r in full} == {a.serial, b.serial, c.serial}
    assert _ext(full, x509.AuthorityKeyIdentifier).value.key_identifier == \
        _ext(pki.ca, x509.SubjectKeyIdentifier).value.digest
    number = _ext(full, x509.CRLNumber).value.crl_number
    entry = full.get_revoked_certificate_by_serial_number(a.serial)
    assert _ext(entry, x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
    assert entry.revocation_date_utc == DAY1
    unspecified = full.get_revoked_certificate_by_serial_number(c.serial)
    assert unspecified.revocation_date_utc == DAY1 - dt.timedelta(days=1)
    with pytest.raises(x509.ExtensionNotFound):
        _ext(unspecified, x509.CRLReason)
    assert [p.full_name[0].value for p in _ext(full, x509.FreshestCRL).value] == [pki.delta_crl_url]

    delta = _crl(pki.delta_crl())
    assert delta.is_signature_valid(pki.ca.public_key())
    indicator = _ext(delta, x509.DeltaCRLIndicator)
    assert indicator.critical
    midnight = dt.datetime(2026, 3, 11, tzinfo=UTC)
    assert indicator.value.crl_number == int(midnight.timestamp() * 1000)
    assert {r.serial_number for r in delta} == {b.serial, c.serial}   # entered since the day-2 base
    assert delta.next_update_utc == clock.at + dt.timedelta(hours=1)
    assert _ext(delta, x509.CRLNumber).value.crl_number >= number > indicator.value.crl_number

    clock.at += dt.timedelta(seconds=1)
    later = _ext(_crl(pki.full_crl()), x509.CRLNumber).value.crl_number
    assert later > number


def test_openssl_accepts_the_crls(pki, fresh_cert, tmp_path, openssl_bin, sh):
    pki.revoke(fresh_cert.serial, "cessationOfOperation")
    for name, der in (("full", pki.full_crl()), ("delta", pki.delta_crl())):
        path = tmp_path / f"{name}.crl"
        path.write_bytes(der)
        out = sh([openssl_bin, "crl", "-inform", "DER", "-in", path, "-CAfile", pki.directory / "trust.pem",
                  "-noout"])
        assert "verify OK" in out.stderr
        text = sh([openssl_bin, "crl", "-inform", "DER", "-in", path, "-noout", "-text"]).stdout
        assert format(fresh_cert.serial, "X") in text
        assert "Cessation Of Operation" in text
        if name == "delta":
            assert "Delta CRL Indicator: critical" in text


def test_openssl_verify_with_crl_check(pki, person_sign, fresh_cert, tmp_path, openssl_bin, sh):
    pki.revoke(fresh_cert.serial, "keyCompromise")
    crls = tmp_path / "crls.pem"
    crls.write_bytes(b"".join(x509.load_der_x509_crl(d).public_bytes(Encoding.PEM)
                              for d in (pki.full_crl(), pki.root_crl())))
    base = [openssl_bin, "verify", "-crl_check_all", "-CAfile", pki.directory / "trust.pem", "-CRLfile", crls]
    assert sh(base + [person_sign.cert_pem_path]).stdout.strip().endswith(": OK")
    revoked = sh(base + [fresh_cert.cert_pem_path], check=False)
    assert revoked.code != 0 and "certificate revoked" in revoked.stdout + revoked.stderr


def test_root_crl_is_signed_by_the_root(pki):
    crl = _crl(pki.root_crl())
    assert crl.issuer == pki.root.subject and crl.is_signature_valid(pki.root.public_key())
    assert len(crl) == 0


def test_revoke_errors(pki, fresh_cert):
    with pytest.raises(InputError) as err:
        pki.revoke(0x1234)
    assert err.value.code == "UNKNOWN_SERIAL"
    with pytest.raises(InputError) as err:
        pki.revoke(fresh_cert.serial, "stolen")
    assert err.value.code == "BAD_REASON" and "keyCompromise" in str(err.value)
    pki.revoke(fresh_cert.serial, "key_compromise")          # snake_case names are accepted too
    with pytest.raises(InputError) as err:
        pki.revoke(fresh_cert.serial)
    assert err.value.code == "ALREADY_REVOKED"
    assert pki.status(fresh_cert.serial).state == "revoked"
    assert pki.status(fresh_cert.serial).reason == "keyCompromise"
    assert pki.status(0x1234).state == "unknown"


# --- OCSP ---------------------------------------------------------------------------------

def _request(cert, issuer, algorithm=hashes.SHA256(), nonce: bytes | None = b"0123456789abcdef") -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm)
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def _answer(pki: TestPKI, request: bytes) -> ocsp.OCSPResponse:
    return ocsp.load_der_ocsp_response(pki.ocsp_response(request))


@pytest.mark.parametrize("algorithm", [hashes.SHA256(), hashes.SHA1()])
def test_ocsp_good_signed_by_the_delegated_responder(pki, person_sign, algorithm):
    resp = _answer(pki, _request(person_sign.certificate, pki.ca, algorithm))
    assert resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert resp.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert resp.serial_number == person_sign.serial
    assert isinstance(resp.hash_algorithm, type(algorithm))
    assert _ext(resp, x509.OCSPNonce).value.nonce == b"0123456789abcdef"
    assert resp.certificates == [pki.ocsp_responder]
    assert resp.responder_key_hash == x509.SubjectKeyIdentifier.from_public_key(
        pki.ocsp_responder.public_key()).digest
    pki.ocsp_responder.public_key().verify(resp.signature, resp.tbs_response_bytes, padding.PKCS1v15(),
                                           resp.signature_hash_algorithm)
    assert resp.next_update_utc > resp.this_update_utc


def test_ocsp_revoked_with_reason(pki, fresh_cert):
    when = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    pki.revoke(fresh_cert.serial, "affiliationChanged", at=when)
    resp = _answer(pki, _request(fresh_cert.certificate, pki.ca, nonce=None))
    assert resp.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert resp.revocation_reason == x509.ReasonFlags.affiliation_changed
    assert resp.revocation_time_utc == when
    with pytest.raises(x509.ExtensionNotFound):
        _ext(resp, x509.OCSPNonce)


def test_cert_id_hashes(pki):
    name_hash = hashes.Hash(hashes.SHA256())
    name_hash.update(pki.ca.subject.public_bytes())
    assert issuer_hashes(pki.ca, hashes.SHA256())[0] == name_hash.finalize()
    # RFC 5280 key identifier method 1 is the SHA-1 of the same key bits
    assert issuer_hashes(pki.ca, hashes.SHA1())[1] == \
        x509.SubjectKeyIdentifier.from_public_key(pki.ca.public_key()).digest


def test_ocsp_unknown_serial(pki):
    name_digest, key_digest = issuer_hashes(pki.ca, hashes.SHA256())
    request = (ocsp.OCSPRequestBuilder()
               .add_certificate_by_hash(name_digest, key_digest, 0xDEADBEEF, hashes.SHA256())
               .build().public_bytes(Encoding.DER))
    resp = _answer(pki, request)
    assert resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert resp.certificate_status == ocsp.OCSPCertStatus.UNKNOWN


def test_ocsp_other_issuer_is_unauthorized(pki, person_sign):
    resp = _answer(pki, _request(person_sign.certificate, pki.root))
    assert resp.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01\x01", b"GET / HTTP/1.1", b"\x30" * 70000])
def test_ocsp_garbage_is_malformed(pki, garbage):
    assert _answer(pki, garbage).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_ocsp_responder_itself_is_good(pki):
    resp = _answer(pki, _request(pki.ocsp_responder, pki.ca))
    assert resp.certificate_status == ocsp.OCSPCertStatus.GOOD
