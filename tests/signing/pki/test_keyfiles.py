"""PKCS#12 and certificate files: readable by OpenSSL, with clear errors for bad input."""

from __future__ import annotations

import base64
import stat

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from egov_sim.core.errors import InputError
from egov_sim.signing.keyfiles import load_certificate_file
from egov_sim.signing.pki import load_certificate, load_pkcs12


def _same_key(key, cert) -> bool:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == \
        cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_pkcs12_holds_key_certificate_and_ca(pki, person_sign):
    key, cert, chain = load_pkcs12(person_sign.p12_path, "Qwerty12")
    assert cert == person_sign.certificate
    assert _same_key(key, cert)
    assert chain == [pki.ca]


def test_openssl_reads_the_pkcs12(person_sign, openssl_bin, sh):
    out = sh([openssl_bin, "pkcs12", "-in", str(person_sign.p12_path), "-passin", "pass:Qwerty12",
               "-info", "-noout"])
    assert "MAC: sha1" in out.stdout + out.stderr
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in out.stdout + out.stderr
    bad = sh([openssl_bin, "pkcs12", "-in", str(person_sign.p12_path), "-passin", "pass:wrong",
               "-info", "-noout"], check=False)
    assert bad.code != 0


def test_wrong_password(person_sign):
    with pytest.raises(InputError, match="wrong PKCS#12 password") as err:
        load_pkcs12(person_sign.p12_path, "qwerty12")
    assert err.value.code == "BAD_PKCS12_PASSWORD"


def test_wrong_password_on_an_openssl3_pkcs12(person_sign, tmp_path, openssl_bin, sh):
    """OpenSSL 3 writes AES-256 / PBKDF2 / SHA-256 MAC: the MAC check must handle SHA-256 too."""
    p12 = tmp_path / "openssl.p12"
    sh([openssl_bin, "pkcs12", "-export", "-inkey", str(person_sign.key_pem_path),
         "-in", str(person_sign.cert_pem_path), "-out", str(p12), "-passout", "pass:secret"])
    assert load_pkcs12(p12, "secret")[1] == person_sign.certificate
    with pytest.raises(InputError) as err:
        load_pkcs12(p12, "Secret")
    assert err.value.code == "BAD_PKCS12_PASSWORD"


@pytest.mark.parametrize("content", [b"", b"hello", b"0\x82\x01\x00garbage", b"-----BEGIN CERTIFICATE-----"])
def test_not_a_pkcs12(tmp_path, content):
    path = tmp_path / "x.p12"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not a PKCS#12") as err:
        load_pkcs12(path, "Qwerty12")
    assert err.value.code == "NOT_PKCS12"


def test_missing_pkcs12(tmp_path):
    with pytest.raises(InputError) as err:
        load_pkcs12(tmp_path / "absent.p12", "x")
    assert err.value.code == "FILE_NOT_FOUND"


def test_pem_files_on_request(person_sign):
    assert person_sign.cert_pem_path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE(person_sign.key_pem_path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in person_sign.key_pem_path.read_bytes()


def test_no_pem_by_default(pki):
    issued = pki.issue(iin="880101300040", surname="Тестов", given_name="Тест")
    assert issued.cert_pem_path is None and issued.key_pem_path is None
    assert sorted(p.name for p in issued.p12_path.parent.glob(issued.p12_path.stem + "*")) == \
        [issued.p12_path.name]


def test_load_certificate_in_every_encoding(person_sign):
    cert = person_sign.certificate
    der = cert.public_bytes(Encoding.DER)
    assert load_certificate(cert.public_bytes(Encoding.PEM)) == cert
    assert load_certificate(der) == cert
    wrapped = b"\n".join(base64.b64encode(der)[i:i + 76] for i in range(0, 2000, 76))
    assert load_certificate(wrapped) == cert


@pytest.mark.parametrize("content", [b"", b"not a certificate", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                     base64.b64encode(b"0\x03\x02\x01\x01")])
def test_not_a_certificate(content):
    with pytest.raises(InputError, match="not a certificate") as err:
        load_certificate(content)
    assert err.value.code == "NOT_A_CERTIFICATE"


def test_not_a_certificate_file_names_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InputError, match="notes.txt: not a certificate"):
        load_certificate_file(path)
