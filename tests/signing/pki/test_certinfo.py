"""NCANode-compatible certificate information (spec §2.5)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from egov_sim.signing.certinfo import describe
from egov_sim.signing.revocation import Revocation


def test_person_sign(person_sign):
    info = describe(person_sign.certificate)
    assert (info.iin, info.bin) == ("880101300040", None)
    assert (info.common_name, info.surname, info.given_name, info.patronymic) == \
        ("ТЕСТОВ ТЕСТ", "ТЕСТОВ", "ТЕСТ", "ТЕСТОВИЧ")
    assert (info.country, info.email, info.organization) == ("KZ", "test@example.kz", None)
    assert info.key_usage == "SIGN"
    assert info.roles == ["INDIVIDUAL"]
    assert info.policies == ["1.2.398.3.3.2.3"]
    assert info.sign_alg == "SHA256withRSA"
    assert info.serial_hex == format(person_sign.serial, "x")
    assert info.dn == ("CN=ТЕСТОВ ТЕСТ,SURNAME=ТЕСТОВ,SERIALNUMBER=IIN880101300040,C=KZ,G=ТЕСТОВИЧ,"
                       "E=test@example.kz")
    assert info.issuer_dn == "C=KZ,CN=ҰКО 3.0 (RSA SIM TEST)"
    assert info.valid_at(dt.datetime.now(dt.UTC))


def test_legal_entity_auth(ceo_auth):
    info = describe(ceo_auth.certificate)
    assert (info.iin, info.bin, info.organization) == ("900215400013", "040540001230", 'ТОО "SIM"')
    assert info.key_usage == "AUTH"
    assert info.roles == ["ORGANIZATION", "CEO", "CAN_SIGN"]
    assert info.policies == ["1.2.398.3.3.2.4"]


def test_ncanode_json(ceo_auth):
    doc = describe(ceo_auth.certificate).to_json(valid=True, revocations=[Revocation(False, "OCSP")])
    assert doc["valid"] is True
    assert doc["revocations"] == [{"revoked": False, "by": "OCSP", "revocationTime": None, "reason": None}]
    assert doc["keyUsage"] == "AUTH" and doc["keyUser"] == ["ORGANIZATION", "CEO", "CAN_SIGN"]
    assert doc["serialNumber"] == format(ceo_auth.serial, "x")
    assert doc["signAlg"] == "SHA256withRSA"
    assert doc["notBefore"].endswith("+00:00")
    subject = doc["subject"]
    assert subject["lastName"] == "ҮЛГІҰЛЫ"          # the patronymic, as NCANode names it
    assert subject["surName"] == "ҮЛГІ"
    assert (subject["iin"], subject["bin"], subject["country"]) == ("900215400013", "040540001230", "KZ")
    assert "email" not in subject                   # absent fields are left out (JsonInclude NON_NULL)
    assert doc["issuer"]["commonName"] == "ҰКО 3.0 (RSA SIM TEST)"
    assert set(describe(ceo_auth.certificate).to_json()) >= {"notBefore", "notAfter", "publicKey", "signature"}


def _self_signed(attrs, key_usage: x509.KeyUsage | None = None) -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name(attrs)
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)))
    if key_usage:
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(key, hashes.SHA256())


def test_serialnumber_with_bin_and_unknown_usage():
    ku = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                       encipher_only=False, decipher_only=False)
    info = describe(_self_signed([x509.NameAttribute(NameOID.COMMON_NAME, "ТОО SIM"),
                                  x509.NameAttribute(NameOID.SERIAL_NUMBER, "BIN040540001230"),
                                  x509.NameAttribute(NameOID.LOCALITY_NAME, "Астана")], ku))
    assert (info.iin, info.bin) == (None, "040540001230")
    assert info.key_usage == "UNKNOWN"
    assert info.to_json()["subject"]["locality"] == "Астана"


def test_no_key_usage_and_bare_serialnumber():
    info = describe(_self_signed([x509.NameAttribute(NameOID.SERIAL_NUMBER, "880101300040")]))
    assert info.iin == "880101300040"
    assert info.key_usage == "UNKNOWN" and info.roles == [] and info.policies == []


def test_ca_certificate(pki):
    info = describe(pki.ca)
    assert info.common_name == "ҰКО 3.0 (RSA SIM TEST)"
    assert info.key_usage == "UNKNOWN"
    assert info.policies == ["1.2.398.3.3.1.1"]
