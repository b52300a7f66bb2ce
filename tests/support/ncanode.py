"""NCANode's test vectors (real Kalkan signatures, NCA test certificates, CRLs, OCSP answers and
PKCS#12 keys; MIT licence in ``ncanode/LICENSE``) and the fixed moment they are checked at."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from cryptography import x509

from egov_sim.signing.keyfiles import load_certificate

FOLDER = Path(__file__).with_name("ncanode")

AT = dt.datetime(2022, 9, 2, 17, 0, tzinfo=dt.UTC)
"""Inside the validity of the GOST 2015 signer, both GOST ҰКО, both GOST CRLs (2022-07-27 ..
2022-09-25) and the OCSP answers (produced 2022-09-02)."""
AT_2004_KEYS = dt.datetime(2022, 3, 30, 12, 0, tzinfo=dt.UTC)
"""Inside the validity of the 2004 CEO key and of the 2004 ҰКО CRL, before the 2015 hierarchy."""

PASSWORDS = {"KEY_INDIVIDUAL_VALID_2015": "Aa123456", "KEY_CEO_REVOKED_2015": "Aa123456",
             "KEY_CEO_SIGN_REVOKED_2004": "Qwerty12", "KEY_INDIVIDUAL_VALID_SIGN_2004": "Qwerty12",
             "KEY_INDIVIDUAL_SIGN_REVOKED_2004": "Qwerty12", "KEY_INDIVIDUAL_AUTH_REVOKED_2004": "Qwerty12"}
"""From NCANode's test classes (the vectors' README)."""

CA_GOST_2004 = "nca_gost_test.crt"
CA_GOST_2015 = "nca_gost2015_test.cer"
CA_RSA = "nca_rsa_test.crt"
CRL_GOST_2004 = "nca_gost_test.crl"
CRL_GOST_2015 = "nca_gost2022_test.crl"
CRL_RSA = "nca_rsa_test.crl"


def path(name: str) -> Path:
    return FOLDER / name


def read(name: str) -> bytes:
    return path(name).read_bytes()


def certificate(name: str) -> x509.Certificate:
    return load_certificate(read(name))


def crl(name: str) -> x509.CertificateRevocationList:
    return x509.load_der_x509_crl(read(name))


def p12_file(tmp_path: Path, name: str) -> Path:
    """The base64 PKCS#12 vector as a .p12 file (what a user has on disk)."""
    target = tmp_path / f"{name}.p12"
    target.write_bytes(base64.b64decode(read(f"{name}.b64")))
    return target


def trust_pem() -> bytes:
    """The three test ҰКО certificates as one PEM bundle (the roots above them are not public)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return b"".join(certificate(n).public_bytes(Encoding.PEM) for n in (CA_GOST_2004, CA_GOST_2015, CA_RSA))
