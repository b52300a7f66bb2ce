"""The test PKI's GOST hierarchy, modelled on NCA's: a GOST root above a GOST 34.310-2004 ҰКО and
a GOST 34.10-2015 ҰКО (which also issues 256-bit keys).

Created the first time a GOST certificate is issued (``pki issue --algorithm gost…``), so an
RSA-only simulator keeps exactly the trust store it had. Its validity windows are those of the
RSA root and CA, so back-dated certificates chain in both families. The root signs with GOST
2015-512 (SYNTHETIC: NCA's test roots are not public). CRLs and OCSP answers for GOST
certificates are signed by their GOST ҰКО itself (RFC 6960 §4.2.2.2 allows the CA to answer).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from cryptography import x509

from egov_sim.core import atomic
from egov_sim.core.errors import InputError

from . import pki_profile
from .gost import resign
from .gost.keys import ALGORITHMS, GOST2015_512, GostPrivateKey
from .keyfiles import cert_pem, key_pem, load_private_key_pem

ROOT_CN = "НЕГІЗГІ КО ROOT (GOST SIM TEST)"


@dataclasses.dataclass(frozen=True)
class GostCA:
    """One GOST ҰКО: its family name, what it is called and where its CRLs and certificate live."""

    family: str
    common_name: str
    key_algorithm: str
    crl_path: str
    delta_crl_path: str
    cert_path: str


CAS = {
    "gost2004": GostCA("gost2004", "ҰКО 3.0 (GOST SIM TEST)", "gost2004", "/crl/nca_gost_sim.crl",
                       "/crl/nca_d_gost_sim.crl", "/cert/nca_gost_sim.cer"),
    "gost2015": GostCA("gost2015", "ҰКО 2022 (GOST SIM TEST)", "gost2015-512",
                       "/crl/nca_gost2022_sim.crl", "/crl/nca_gost2022_d_sim.crl",
                       "/cert/nca_gost2022_sim.cer"),
}
ROOT_CERT_PATH = "/cert/root_gost_sim.cer"
ROOT_CRL_PATH = "/crl/root_gost_sim.crl"
ISSUER_OF = {"gost2004": "gost2004", "gost2015-256": "gost2015", "gost2015-512": "gost2015"}
"""Which ҰКО issues a key of each algorithm."""
ALGORITHM_CHOICES = ("rsa", *ALGORITHMS)


def key_algorithm(name: str):
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise InputError(f"unknown algorithm {name!r}; use one of: {', '.join(ALGORITHM_CHOICES)}",
                         code="BAD_ALGORITHM") from None


@dataclasses.dataclass(frozen=True)
class GostAuthority:
    root: x509.Certificate
    root_key: GostPrivateKey
    cas: dict[str, tuple[x509.Certificate, GostPrivateKey]]

    def ca(self, family: str) -> x509.Certificate:
        return self.cas[family][0]

    def ca_key(self, family: str) -> GostPrivateKey:
        return self.cas[family][1]

    def certificates(self) -> list[x509.Certificate]:
        return [self.root, *(cert for cert, _ in self.cas.values())]

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        pairs = [("root", self.root, self.root_key)] + [(f"ca-{f}", c, k) for f, (c, k) in self.cas.items()]
        for stem, _cert, key in pairs:
            atomic.write_bytes(folder / f"{stem}.key", key_pem(key), mode=0o600)
        for stem, cert, _key in pairs:  # the certificates last: their presence marks a complete set
            atomic.write_bytes(folder / f"{stem}.pem", cert_pem(cert))

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return all((folder / f"{stem}.pem").exists() for stem in ("root", *(f"ca-{f}" for f in CAS)))

    @classmethod
    def load(cls, folder: Path) -> GostAuthority:
        def pair(stem):
            return (x509.load_pem_x509_certificate((folder / f"{stem}.pem").read_bytes()),
                    load_private_key_pem((folder / f"{stem}.key").read_bytes()))
        try:
            root, root_key = pair("root")
            return cls(root, root_key, {family: pair(f"ca-{family}") for family in CAS})
        except (OSError, ValueError) as exc:
            raise InputError(f"GOST test PKI files in {folder} are damaged ({exc}); "
                             "run `egov-sim pki init --force`", code="PKI_CORRUPT") from None

    @classmethod
    def create(cls, *, rsa_root: x509.Certificate, rsa_ca: x509.Certificate, base: str) -> GostAuthority:
        root_key = GostPrivateKey.generate(GOST2015_512)
        root_name = pki_profile.ca_name(ROOT_CN)
        root = resign.sign_certificate(
            _ca_builder(root_name, root_name, rsa_root, root_key.public_key(), root_key.public_key(),
                        path_length=1, crl_url=base + ROOT_CRL_PATH, ca_issuers_url=None),
            root_key, root_key.public_key())
        cas = {}
        for family, ca in CAS.items():
            key = GostPrivateKey.generate(ALGORITHMS[ca.key_algorithm])
            cert = resign.sign_certificate(
                _ca_builder(pki_profile.ca_name(ca.common_name), root_name, rsa_ca, key.public_key(),
                            root_key.public_key(), path_length=0, crl_url=base + ROOT_CRL_PATH,
                            ca_issuers_url=base + ROOT_CERT_PATH),
                root_key, key.public_key())
            cas[family] = (cert, key)
        return cls(root, root_key, cas)


def _ca_builder(subject: x509.Name, issuer: x509.Name, window: x509.Certificate, key, issuer_key, *,
                path_length: int, crl_url: str, ca_issuers_url: str | None) -> x509.CertificateBuilder:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .serial_number(x509.random_serial_number())
               .not_valid_before(window.not_valid_before_utc).not_valid_after(window.not_valid_after_utc))
    for extension, critical in pki_profile.ca_extensions(key=key, issuer_key=issuer_key, path_length=path_length,
                                                         crl_url=crl_url, ca_issuers_url=ca_issuers_url):
        builder = builder.add_extension(extension, critical=critical)
    return builder


def issue_certificate(*, subject: x509.Name, ca: x509.Certificate, ca_key: GostPrivateKey, key,
                      not_before: dt.datetime, not_after: dt.datetime, serial: int,
                      extensions: list) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject)
               .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return resign.sign_certificate(builder, ca_key, key)
