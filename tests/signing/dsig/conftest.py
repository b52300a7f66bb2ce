"""Fixtures for the XML-DSig tests: one real test PKI per session, its signers, documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from egov_sim.signing.pki import IssuedCert, TestPKI
from egov_sim.signing.revocation import RevocationChecker
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from tests.support.dsig_docs import ORG_BIN, OTHER_IIN, SIGNER_IIN, UTC


@dataclass(frozen=True)
class Signer:
    issued: IssuedCert
    iin: str

    @property
    def key(self):
        return self.issued.private_key

    @property
    def cert(self):
        return self.issued.certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(Encoding.PEM)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPKI:
    return TestPKI.init(tmp_path_factory.mktemp("pki"), base_url="http://sim.shep.test")


def _issue(pki: TestPKI, name: str, iin: str = SIGNER_IIN, **kwargs) -> Signer:
    kwargs.setdefault("surname", "ҮЛГІ")
    kwargs.setdefault("given_name", "ҚОЛДАНУШЫ")
    kwargs.setdefault("patronymic", "ҮЛГІҰЛЫ")
    return Signer(pki.issue(iin=iin, name=name, pem=True, **kwargs), iin)


@pytest.fixture(scope="session")
def signer(pki) -> Signer:
    return _issue(pki, "sign")


@pytest.fixture(scope="session")
def auth_signer(pki) -> Signer:
    return _issue(pki, "auth", purpose="AUTH")


@pytest.fixture(scope="session")
def org_signer(pki) -> Signer:
    return _issue(pki, "org", iin=OTHER_IIN, bin=ORG_BIN, organization='ТОО "ҮЛГІ"', roles=["CEO"])


@pytest.fixture(scope="session")
def expired_signer(pki) -> Signer:
    now = dt.datetime.now(UTC)
    return _issue(pki, "expired", not_before=now - dt.timedelta(days=200),
                  not_after=now - dt.timedelta(days=10))


@pytest.fixture(scope="session")
def future_signer(pki) -> Signer:
    now = dt.datetime.now(UTC)
    return _issue(pki, "future", not_before=now + dt.timedelta(days=10), valid_days=30)


@pytest.fixture(scope="session")
def revoked_signer(pki) -> Signer:
    signer = _issue(pki, "revoked", not_before=dt.datetime.now(UTC) - dt.timedelta(days=10))
    pki.revoke(signer.issued.serial, reason="keyCompromise",
               at=dt.datetime.now(UTC) - dt.timedelta(hours=1))
    return signer


@pytest.fixture(scope="session")
def sha1_signer(pki) -> Signer:
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        return _issue(pki, "sha1cert", signature_hash="sha1")
    except UnsupportedAlgorithm as exc:
        pytest.skip(f"this cryptography/OpenSSL cannot sign SHA-1 certificates: {exc}")


@pytest.fixture(scope="session")
def trust(pki) -> TrustStore:
    return TrustStore.from_pem(pki.trust_pem())


@pytest.fixture(scope="session")
def verifier(trust) -> Verifier:
    return Verifier(trust)


@pytest.fixture(params=["strict", "signxml"])
def engine(request) -> str:
    return request.param


@pytest.fixture
def any_verifier(trust, engine) -> Verifier:
    """The strict verifier and the signxml-backed one: every test using it runs on both."""
    return Verifier(trust, engine=engine)


@pytest.fixture
def crl_checker(pki) -> RevocationChecker:
    return RevocationChecker(methods=("CRL",), local_pki=pki)


@pytest.fixture
def ocsp_checker(pki) -> RevocationChecker:
    return RevocationChecker(methods=("OCSP",), local_pki=pki)
