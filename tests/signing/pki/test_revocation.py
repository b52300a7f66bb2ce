"""The revocation client (signing/revocation.py) against the live server, a local PKI, and liars."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from cryptography.x509 import ocsp

from egov_sim.core.errors import InputError
from egov_sim.signing.revocation import Revocation, RevocationChecker

BOTH = ("CRL", "OCSP")


class Counting:
    """An httpx client that counts the requests it sends."""

    def __init__(self, transport: httpx.BaseTransport | None = None):
        self.urls: list[str] = []
        self.client = httpx.Client(transport=transport, timeout=10,
                                   event_hooks={"request": [lambda r: self.urls.append(str(r.url))]})


def test_good_over_http(server, pki, person_sign):
    with RevocationChecker(methods=BOTH) as checker:
        assert checker.check(person_sign.certificate, pki.ca) == \
            [Revocation(False, "CRL"), Revocation(False, "OCSP")]


def test_revoked_over_http(server, pki, fresh_cert):
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    pki.revoke(fresh_cert.serial, "privilegeWithdrawn", at=at)
    with RevocationChecker(methods=BOTH) as checker:
        crl, by_ocsp = checker.check(fresh_cert.certificate, pki.ca)
    assert crl == Revocation(True, "CRL", at, "privilegeWithdrawn")
    assert by_ocsp == Revocation(True, "OCSP", at, "privilegeWithdrawn")
    assert crl.to_json()["revocationTime"].startswith(at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_crls_are_cached_until_next_update(server, pki, fresh_cert):
    counting = Counting()
    checker = RevocationChecker(methods=("CRL",), http=counting.client)
    assert not checker.check(fresh_cert.certificate, pki.ca)[0].revoked
    assert counting.urls == [pki.crl_url, pki.delta_crl_url]
    pki.revoke(fresh_cert.serial)
    assert not checker.check(fresh_cert.certificate, pki.ca)[0].revoked   # as NCANode: until nextUpdate
    assert len(counting.urls) == 2
    with RevocationChecker(methods=("CRL",)) as fresh_checker:
        assert fresh_checker.check(fresh_cert.certificate, pki.ca)[0].revoked


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected HTTP request to {request.url}")


def test_local_pki_is_asked_directly_and_sees_changes_at_once(pki, fresh_cert):
    checker = RevocationChecker(methods=BOTH, local_pki=pki,
                                http=httpx.Client(transport=httpx.MockTransport(_no_network)))
    assert [r.revoked for r in checker.check(fresh_cert.certificate, pki.ca)] == [False, False]
    pki.revoke(fresh_cert.serial, "superseded")
    assert [(r.revoked, r.reason) for r in checker.check(fresh_cert.certificate, pki.ca)] == \
        [(True, "superseded"), (True, "superseded")]


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize("method", BOTH)
def test_unreachable_source(pki, person_sign, method):
    checker = RevocationChecker(methods=(method,), http=httpx.Client(transport=httpx.MockTransport(_unreachable)))
    with pytest.raises(InputError, match="cannot") as err:
        checker.check(person_sign.certificate, pki.ca)
    assert err.value.code == "REVOCATION_UNAVAILABLE"


@pytest.mark.parametrize("body", [b"", b"<html>maintenance</html>"])
def test_crl_that_is_not_a_crl(pki, person_sign, body):
    transport = httpx.MockTransport(lambda r: httpx.Response(200 if body else 404, content=body))
    with pytest.raises(InputError) as err:
        RevocationChecker(http=httpx.Client(transport=transport)).check(person_sign.certificate, pki.ca)
    assert err.value.code == "REVOCATION_UNAVAILABLE"


def _crl_signed_by(key, issuer_name: x509.Name) -> bytes:
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateRevocationListBuilder().issuer_name(issuer_name).last_update(now)
            .next_update(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()).public_bytes(Encoding.DER))


def test_crl_with_a_forged_signature(pki, person_sign):
    forged = _crl_signed_by(rsa.generate_private_key(public_exponent=65537, key_size=2048), pki.ca.subject)
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=forged))
    with pytest.raises(InputError, match="not signed by") as err:
        RevocationChecker(http=httpx.Client(transport=transport)).check(person_sign.certificate, pki.ca)
    assert err.value.code == "REVOCATION_UNAVAILABLE"


def _ca_key(pki):
    generation = pki.version[0]
    return load_pem_private_key((pki.directory / "ca" / generation / "ca.key").read_bytes(), None)


def test_ocsp_answer_without_our_nonce_is_refused(pki, person_sign):
    def replay(request: httpx.Request) -> httpx.Response:
        plain = (ocsp.OCSPRequestBuilder().add_certificate(person_sign.certificate, pki.ca, hashes.SHA256())
                 .build().public_bytes(Encoding.DER))
        return httpx.Response(200, content=pki.ocsp_response(plain))

    checker = RevocationChecker(methods=("OCSP",), http=httpx.Client(transport=httpx.MockTransport(replay)))
    with pytest.raises(InputError, match="nonce") as err:
        checker.check(person_sign.certificate, pki.ca)
    assert err.value.code == "REVOCATION_UNAVAILABLE"


def test_ocsp_answer_signed_by_a_stranger_is_refused(pki, person_sign):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def forge(request: httpx.Request) -> httpx.Response:
        asked = ocsp.load_der_ocsp_request(request.content)
        now = dt.datetime.now(dt.UTC)
        name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "responder")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(stranger.public_key())
                .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=1)).sign(stranger, hashes.SHA256()))
        der = (ocsp.OCSPResponseBuilder()
               .add_response(cert=person_sign.certificate, issuer=pki.ca, algorithm=hashes.SHA256(),
                             cert_status=ocsp.OCSPCertStatus.GOOD, this_update=now,
                             next_update=now + dt.timedelta(minutes=5), revocation_time=None,
                             revocation_reason=None)
               .responder_id(ocsp.OCSPResponderEncoding.HASH, cert).certificates([cert])
               .add_extension(asked.extensions.get_extension_for_class(x509.OCSPNonce).value, False)
               .sign(stranger, hashes.SHA256()).public_bytes(Encoding.DER))
        return httpx.Response(200, content=der)

    checker = RevocationChecker(methods=("OCSP",), http=httpx.Client(transport=httpx.MockTransport(forge)))
    with pytest.raises(InputError, match="not signed by the issuer") as err:
        checker.check(person_sign.certificate, pki.ca)
    assert err.value.code == "REVOCATION_UNAVAILABLE"


def test_ocsp_unknown_certificate(pki, person_sign):
    """A certificate made with the CA key but never entered in the index: OCSP says UNKNOWN."""
    now = dt.datetime.now(dt.UTC)
    rogue_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rogue = (x509.CertificateBuilder().subject_name(person_sign.certificate.subject).issuer_name(pki.ca.subject)
             .public_key(rogue_key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                 x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(pki.ocsp_url))]), False)
             .sign(_ca_key(pki), hashes.SHA256()))
    with pytest.raises(InputError, match="does not know") as err:
        RevocationChecker(methods=("OCSP",), local_pki=pki).check(rogue, pki.ca)
    assert err.value.code == "REVOCATION_UNKNOWN"


def test_certificate_without_addresses(pki):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "bare")])
    now = dt.datetime.now(dt.UTC)
    bare = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(2).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    for method, message in (("CRL", "no CRL distribution point"), ("OCSP", "no OCSP responder")):
        with pytest.raises(InputError, match=message) as err:
            RevocationChecker(methods=(method,)).check(bare, bare)
        assert err.value.code == "REVOCATION_UNAVAILABLE"


def test_bad_arguments(pki, person_sign):
    with pytest.raises(InputError) as err:
        RevocationChecker(methods=("LDAP",))
    assert err.value.code == "BAD_REVOCATION_METHOD"
    with pytest.raises(InputError) as err:
        RevocationChecker(local_pki=pki).check(person_sign.certificate, pki.root)
    assert err.value.code == "WRONG_ISSUER"
