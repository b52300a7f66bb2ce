"""The certificates follow НУЦ РК's profile (spec signatures.md §2, §10) and chain everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import verification
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from egov_sim.core.errors import InputError
from egov_sim.signing.pki import ROLE_OIDS, TestPKI

PERSON_IIN = "880101300040"
COMPANY_BIN = "040540001230"


def _ext(cert: x509.Certificate, kind):
    return cert.extensions.get_extension_for_class(kind)


def _uris(points) -> list[str]:
    return [n.value for p in points for n in p.full_name]


@pytest.mark.parametrize("which, cn, path_length", [
    ("root", "НЕГІЗГІ КО ROOT (SIM TEST)", 1),
    ("ca", "ҰКО 3.0 (RSA SIM TEST)", 0),
])
def test_ca_profile(pki, which, cn, path_length):
    cert = getattr(pki, which)
    attrs = list(cert.subject)
    assert [a.oid for a in attrs] == [NameOID.COUNTRY_NAME, NameOID.COMMON_NAME]
    assert attrs[1].value == cn and attrs[1]._type == _ASN1Type.UTF8String
    bc = _ext(cert, x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == path_length
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign
    assert _ext(cert, x509.SubjectKeyIdentifier)
    assert _ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier == \
        x509.SubjectKeyIdentifier.from_public_key(pki.root.public_key()).digest
    policies = _ext(cert, x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["1.2.398.3.3.1.1"]
    assert _uris(_ext(cert, x509.CRLDistributionPoints).value) == [pki.urls.root_crl]
    assert cert.signature_hash_algorithm.name == "sha256"


def test_ca_validity_covers_a_backdated_year(pki):
    now = dt.datetime.now(dt.UTC)
    assert pki.ca.not_valid_before_utc < now - dt.timedelta(days=360)
    assert pki.ca.not_valid_after_utc > now + dt.timedelta(days=4 * 365)
    assert pki.root.not_valid_after_utc > now + dt.timedelta(days=9 * 365)


def test_person_sign_certificate(pki, person_sign):
    cert = person_sign.certificate
    attrs = list(cert.subject)
    assert [a.oid for a in attrs] == [NameOID.COMMON_NAME, NameOID.SURNAME, NameOID.SERIAL_NUMBER,
                                      NameOID.COUNTRY_NAME, NameOID.GIVEN_NAME, NameOID.EMAIL_ADDRESS]
    assert [a.value for a in attrs] == ["ТЕСТОВ ТЕСТ", "ТЕСТОВ", f"IIN{PERSON_IIN}", "KZ", "ТЕСТОВИЧ",
                                        "test@example.kz"]
    assert [a._type for a in attrs] == [_ASN1Type.UTF8String, _ASN1Type.UTF8String,
                                        _ASN1Type.PrintableString, _ASN1Type.PrintableString,
                                        _ASN1Type.UTF8String, _ASN1Type.IA5String]
    assert cert.issuer == pki.ca.subject
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical
    assert (ku.value.digital_signature, ku.value.content_commitment, ku.value.key_encipherment) == \
        (True, True, False)
    eku = _ext(cert, x509.ExtendedKeyUsage)
    assert not eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.EMAIL_PROTECTION,
                               x509.ObjectIdentifier(ROLE_OIDS["INDIVIDUAL"])]
    (policy,) = _ext(cert, x509.CertificatePolicies).value
    assert policy.policy_identifier.dotted_string == "1.2.398.3.3.2.3"
    assert policy.policy_qualifiers[0] == "http://pki.gov.kz/cps"
    assert policy.policy_qualifiers[1].explicit_text == "http://pki.gov.kz/cps"
    assert _ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier == \
        _ext(pki.ca, x509.SubjectKeyIdentifier).value.digest
    assert _uris(_ext(cert, x509.CRLDistributionPoints).value) == [pki.crl_url]
    assert _uris(_ext(cert, x509.FreshestCRL).value) == [pki.delta_crl_url]
    aia = {d.access_method: d.access_location.value for d in _ext(cert, x509.AuthorityInformationAccess).value}
    assert aia == {x509.AuthorityInformationAccessOID.CA_ISSUERS: pki.ca_issuers_url,
                   x509.AuthorityInformationAccessOID.OCSP: pki.ocsp_url}
    assert pki.crl_url.startswith(pki.base_url + "/pki/crl/")
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=365)


def test_legal_entity_auth_certificate(ceo_auth):
    cert = ceo_auth.certificate
    attrs = list(cert.subject)
    assert [a.oid for a in attrs] == [NameOID.COMMON_NAME, NameOID.SURNAME, NameOID.SERIAL_NUMBER,
                                      NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME,
                                      NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.GIVEN_NAME]
    assert attrs[4].value == 'ТОО "SIM"'
    assert attrs[5].value == f"BIN{COMPANY_BIN}"
    ku = _ext(cert, x509.KeyUsage).value
    assert (ku.digital_signature, ku.content_commitment, ku.key_encipherment) == (True, False, True)
    assert [o.dotted_string for o in _ext(cert, x509.ExtendedKeyUsage).value] == [
        "1.3.6.1.5.5.7.3.2", "1.2.398.3.3.4.1.2", "1.2.398.3.3.4.1.2.1", "1.2.398.3.3.4.1.2.2"]
    (policy,) = _ext(cert, x509.CertificatePolicies).value
    assert policy.policy_identifier.dotted_string == "1.2.398.3.3.2.4"


def _verify_client(pki: TestPKI, cert: x509.Certificate) -> list[x509.Certificate]:
    store = verification.Store([pki.root])
    ee_policy = verification.ExtensionPolicy.permit_all().require_present(
        x509.KeyUsage, verification.Criticality.AGNOSTIC, None)
    verifier = (verification.PolicyBuilder().store(store)
                .time(dt.datetime.now(dt.UTC))
                .extension_policies(ee_policy=ee_policy,
                                    ca_policy=verification.ExtensionPolicy.webpki_defaults_ca())
                .build_client_verifier())
    return verifier.verify(cert, [pki.ca]).chain


@pytest.mark.parametrize("fixture", ["person_sign", "person_auth", "ceo_auth"])
def test_chain_validates_with_cryptography(pki, fixture, request):
    cert = request.getfixturevalue(fixture).certificate
    assert _verify_client(pki, cert) == [cert, pki.ca, pki.root]


@pytest.mark.parametrize("fixture", ["person_sign", "person_auth", "ceo_auth"])
def test_chain_validates_with_openssl(pki, fixture, request, openssl_bin, sh):
    issued = request.getfixturevalue(fixture)
    out = sh([openssl_bin, "verify", "-CAfile", str(pki.directory / "trust.pem"), str(issued.cert_pem_path)])
    assert out.stdout.strip().endswith(": OK")


def test_ocsp_responder_certificate(pki):
    cert = pki.ocsp_responder
    assert cert.issuer == pki.ca.subject
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    assert _ext(cert, x509.OCSPNoCheck)
    assert _ext(cert, x509.KeyUsage).value.digital_signature
    cert.verify_directly_issued_by(pki.ca)


def test_explicit_validity_and_sha1(pki):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    start = max(start, pki.ca.not_valid_before_utc.replace(microsecond=0) + dt.timedelta(days=1))
    issued = pki.issue(iin=PERSON_IIN, surname="Ескі", given_name="Тест", not_before=start,
                       not_after=start + dt.timedelta(days=30), signature_hash="sha1")
    cert = issued.certificate
    assert cert.not_valid_before_utc == start
    assert cert.not_valid_after_utc == start + dt.timedelta(days=30)
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA1)
    pki.ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA1())


def test_valid_days(pki):
    cert = pki.issue(iin=PERSON_IIN, surname="Қысқа", given_name="Тест", valid_days=10).certificate
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=10)


@pytest.mark.parametrize("changes, code", [
    ({"iin": "880101300041"}, "INVALID_IIN"),
    ({"bin": "040540001231"}, "INVALID_BIN"),
    ({"roles": ["BOSS"]}, "UNKNOWN_ROLE"),
    ({"roles": ["CEO"]}, "ROLE_NEEDS_BIN"),
    ({"organization": "ТОО X"}, "BIN_REQUIRED"),
    ({"purpose": "ENCRYPT"}, "BAD_PURPOSE"),
    ({"email": "тест@пример.kz"}, "BAD_EMAIL"),
    ({"surname": "  "}, "BAD_NAME"),
    ({"surname": "Ө" * 70}, "BAD_NAME"),
    ({"name": "../escape"}, "BAD_FILE_NAME"),
    ({"password": ""}, "EMPTY_PASSWORD"),
    ({"valid_days": 0}, "BAD_VALIDITY"),
    ({"not_before": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}, "OUTSIDE_CA_VALIDITY"),
    ({"not_after": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}, "OUTSIDE_CA_VALIDITY"),
    ({"signature_hash": "md5"}, "BAD_HASH"),
])
def test_bad_issue_input(pki, changes, code):
    before = pki.certificates()
    args = dict(iin=PERSON_IIN, surname="Тестов", given_name="Тест") | changes
    with pytest.raises(InputError) as err:
        pki.issue(**args)
    assert err.value.code == code
    assert "\n" not in str(err.value)
    assert pki.certificates() == before


def test_name_taken(pki, person_sign):
    with pytest.raises(InputError) as err:
        pki.issue(iin=PERSON_IIN, surname="Тестов", given_name="Тест", name="person_sign")
    assert err.value.code == "NAME_TAKEN"


def test_index_lists_issued_certificates(pki, person_sign, ceo_auth):
    records = {r.serial: r for r in pki.certificates()}
    person = records[person_sign.serial]
    assert (person.iin, person.bin, person.purpose, person.roles) == (PERSON_IIN, None, "SIGN", ("INDIVIDUAL",))
    assert person.p12_path == person_sign.p12_path and person.p12_path.is_file()
    assert person.subject.startswith(f"CN=ТЕСТОВ ТЕСТ,SURNAME=ТЕСТОВ,SERIALNUMBER=IIN{PERSON_IIN},C=KZ")
    ceo = records[ceo_auth.serial]
    assert (ceo.bin, ceo.roles) == (COMPANY_BIN, ("ORGANIZATION", "CEO", "CAN_SIGN"))
