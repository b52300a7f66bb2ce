"""egov-sim's test PKI: a root and an issuing CA named and profiled like НУЦ РК's test chain.

It issues person (IIN) and legal-entity (BIN + role) certificates for signing or
authentication as password-protected PKCS#12 files, revokes them, and answers revocation
queries (full and delta CRLs, OCSP through a delegated responder) with addresses that point
at the simulator. Several processes may use one PKI directory: writers lock, readers notice
changes (see :mod:`egov_sim.signing.pki_index`). The on-disk layout is documented in docs/pki.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
import shutil
import threading
from pathlib import Path
from typing import Literal, Mapping, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from egov_sim.core import atomic
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError
from egov_sim.reference.iin import parse_bin, parse_iin

from . import ocsp_responder, pki_crl, pki_gost, pki_profile
from .gost.keys import GostPrivateKey
from .keyfiles import PrivateKey, cert_pem, key_pem, load_certificate, load_pkcs12, load_private_key_pem, pkcs12_bytes
from .pki_index import CertStatus, Index, IndexData, IssuedRecord, already_revoked, exclusive
from .pki_profile import ROLE_OIDS, Purpose, Urls
from .pki_shared import SharedRegister, joined

__all__ = [
    "CertStatus", "IssuedCert", "IssuedRecord", "Purpose", "ROLE_OIDS", "TestPKI",
    "load_certificate", "load_pkcs12", "PrivateKey",
]

MOUNT = "/pki"
"""Where egov_sim.app.server mounts :mod:`egov_sim.signing.pki_http`; part of every URL in certificates."""
FULL_CRL_PATH = "/crl/nca_rsa_sim.crl"
DELTA_CRL_PATH = "/crl/nca_d_rsa_sim.crl"
ROOT_CRL_PATH = "/crl/root_rsa_sim.crl"
CA_CERT_PATH = "/cert/nca_rsa_sim.cer"
ROOT_CERT_PATH = "/cert/root_rsa_sim.cer"
OCSP_PATH = "/ocsp"

ROOT_LIFETIME = dt.timedelta(days=3653)
CA_LIFETIME = dt.timedelta(days=1827)
CA_BACKDATE = dt.timedelta(days=366)
"""CAs start a year in the past so that back-dated (e.g. already expired) certificates chain."""
DEFAULT_ORGANIZATION = 'ТОО "SIM TEST"'

_NAME_RE = re.compile(r"\w[\w.-]{0,99}")
_HASHES = {"sha256": hashes.SHA256, "sha1": hashes.SHA1}


@dataclasses.dataclass(frozen=True)
class IssuedCert:
    serial: int
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey | GostPrivateKey
    p12_path: Path
    cert_pem_path: Path | None
    key_pem_path: Path | None


@dataclasses.dataclass(frozen=True)
class _Authority:
    """The CA keys and certificates of one PKI generation (``ca/<generation>/``)."""

    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    ca: x509.Certificate
    ca_key: rsa.RSAPrivateKey
    responder: x509.Certificate
    responder_key: rsa.RSAPrivateKey

    _FILES = ("root", "ca", "ocsp")

    @functools.cached_property
    def generation(self) -> str:
        """Names the key directory; derived from the root so that a new init gets a new one."""
        return hashlib.sha256(self.root.public_bytes(Encoding.DER)).hexdigest()[:16]

    def write(self, folder: Path) -> None:
        pairs = ((self.root, self.root_key), (self.ca, self.ca_key), (self.responder, self.responder_key))
        for stem, (cert, key) in zip(self._FILES, pairs):
            atomic.write_bytes(folder / f"{stem}.key", key_pem(key), mode=0o600)
            atomic.write_bytes(folder / f"{stem}.pem", cert_pem(cert))

    @classmethod
    def load(cls, folder: Path) -> _Authority:
        loaded = []
        try:
            for stem in cls._FILES:
                loaded.append(x509.load_pem_x509_certificate((folder / f"{stem}.pem").read_bytes()))
                loaded.append(load_private_key_pem((folder / f"{stem}.key").read_bytes(), None))
        except (OSError, ValueError) as exc:
            raise InputError(f"test PKI files in {folder} are missing or damaged ({exc}); "
                             "run `egov-sim pki init --force`", code="PKI_CORRUPT") from None
        return cls(*loaded)

    @classmethod
    def create(cls, urls: Urls, *, now: dt.datetime, key_size: int) -> _Authority:
        start = now.replace(microsecond=0) - CA_BACKDATE
        root_key, ca_key, responder_key = (_new_key(key_size) for _ in range(3))
        root = _sign(
            subject=pki_profile.ca_name(pki_profile.ROOT_CN), issuer=None, public_key=root_key.public_key(),
            signer=root_key, not_before=start, not_after=now + ROOT_LIFETIME,
            extensions=pki_profile.ca_extensions(key=root_key.public_key(), issuer_key=root_key.public_key(),
                                                 path_length=1, crl_url=urls.root_crl, ca_issuers_url=None))
        ca = _sign(
            subject=pki_profile.ca_name(pki_profile.CA_CN), issuer=root, public_key=ca_key.public_key(),
            signer=root_key, not_before=start, not_after=now + CA_LIFETIME,
            extensions=pki_profile.ca_extensions(key=ca_key.public_key(), issuer_key=root_key.public_key(),
                                                 path_length=0, crl_url=urls.root_crl,
                                                 ca_issuers_url=urls.root_cert))
        responder = _sign(
            subject=pki_profile.ca_name(pki_profile.OCSP_CN), issuer=ca,
            public_key=responder_key.public_key(), signer=ca_key, not_before=start,
            not_after=ca.not_valid_after_utc,
            extensions=pki_profile.ocsp_responder_extensions(key=responder_key.public_key(),
                                                             issuer_key=ca_key.public_key()))
        return cls(root, root_key, ca, ca_key, responder, responder_key)


def _public(cert: x509.Certificate):
    from .gost.x509 import public_key

    return public_key(cert)


def _new_key(key_size: int) -> rsa.RSAPrivateKey:
    if not 1024 <= key_size <= 16384:
        raise InputError(f"RSA key size {key_size} is out of range (1024-16384)", code="BAD_KEY_SIZE")
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def _sign(*, subject: x509.Name, issuer: x509.Certificate | None, public_key: rsa.RSAPublicKey,
          signer: rsa.RSAPrivateKey, not_before: dt.datetime, not_after: dt.datetime,
          extensions: list, serial: int | None = None,
          hash_algorithm: hashes.HashAlgorithm | None = None) -> x509.Certificate:
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer.subject if issuer else subject)
               .public_key(public_key)
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(not_before)
               .not_valid_after(not_after))
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    cert = builder.sign(signer, hashes.SHA256())
    return _resigned_with_sha1(cert, signer) if isinstance(hash_algorithm, hashes.SHA1) else cert


_SHA256_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")
_SHA1_RSA = bytes.fromhex("300d06092a864886f70d0101050500")


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _resigned_with_sha1(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A legacy sha1WithRSA copy of ``cert`` (Kalkan-era certificates, spec §5.3).

    cryptography no longer signs certificates with SHA-1, so the TBSCertificate's algorithm
    identifier is swapped (same length) and the structure re-signed by hand.
    """
    tbs = cert.tbs_certificate_bytes
    at = tbs.index(_SHA256_RSA)
    tbs = tbs[:at] + _SHA1_RSA + tbs[at + len(_SHA1_RSA):]
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    bits = b"\x00" + signature
    body = tbs + _SHA1_RSA + b"\x03" + _der_length(len(bits)) + bits
    return x509.load_der_x509_certificate(b"\x30" + _der_length(len(body)) + body)


def _write_all(files: list[tuple[Path, bytes, int]]) -> None:
    """Write each file atomically; if one fails, remove those already written."""
    done: list[Path] = []
    try:
        for path, data, mode in files:
            atomic.write_bytes(path, data, mode=mode)
            done.append(path)
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _urls(base_url: str) -> Urls:
    base = base_url + MOUNT
    return Urls(crl=base + FULL_CRL_PATH, delta_crl=base + DELTA_CRL_PATH,
                ca_issuers=base + CA_CERT_PATH, ocsp=base + OCSP_PATH,
                root_crl=base + ROOT_CRL_PATH, root_cert=base + ROOT_CERT_PATH)


def _check_base_url(base_url: str) -> str:
    base_url = (base_url or "").rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base_url):
        raise InputError(f"base URL {base_url!r} is not an http(s) URL", code="BAD_BASE_URL")
    return base_url


def parse_reason(reason: str) -> str:
    """A revocation reason as its RFC 5280 name (``keyCompromise``); snake_case is accepted too."""
    key = reason.replace("_", "").replace("-", "").lower()
    for flag in x509.ReasonFlags:
        if flag is not x509.ReasonFlags.remove_from_crl and key == flag.value.lower():
            return flag.value
    names = ", ".join(f.value for f in x509.ReasonFlags if f is not x509.ReasonFlags.remove_from_crl)
    raise InputError(f"unknown revocation reason {reason!r}; use one of: {names}", code="BAD_REASON")


def _role_list(roles: Sequence[str], *, legal_entity: bool) -> list[str]:
    wanted = ["ORGANIZATION" if legal_entity else "INDIVIDUAL"]
    for role in roles:
        name = role.strip().upper().replace("-", "_")
        if name not in ROLE_OIDS:
            raise InputError(f"unknown role {role!r}; known roles: {', '.join(ROLE_OIDS)}",
                             code="UNKNOWN_ROLE")
        if name in pki_profile.ORGANIZATION_ROLES and not legal_entity:
            raise InputError(f"role {name} belongs to a legal entity: give --bin too", code="ROLE_NEEDS_BIN")
        if name in ("INDIVIDUAL", "ORGANIZATION") and name != wanted[0]:
            raise InputError(f"role {name} contradicts the certificate type "
                             f"({'legal entity' if legal_entity else 'individual'})", code="UNKNOWN_ROLE")
        if name not in wanted:
            wanted.append(name)
    return wanted


def _person_name(value: str | None, what: str, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InputError(f"{what} must not be empty", code="BAD_NAME")
        return None
    return value.upper()


class TestPKI:
    """One test PKI directory. Build it with :meth:`init`, :meth:`open` or :meth:`open_or_init`."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path, *, clock: Clock = system_clock, algorithm: str = "rsa"):
        self.directory = Path(directory)
        self._clock = clock
        if algorithm != "rsa":
            pki_gost.key_algorithm(algorithm)
        self.algorithm = algorithm
        """Key algorithm of certificates issued without naming one: personas, staff and the
        simulator's own systems (``Settings.signing_algorithm``; production signs in GOST)."""
        self._index = Index(self.directory)
        self._authority: _Authority | None = None
        self._authority_lock = threading.Lock()
        self._gost: tuple[str, pki_gost.GostAuthority] | None = None
        self._shared: SharedRegister | None = None
        self._joined: tuple[IndexData, Mapping[int, IssuedRecord], dict[int, IssuedRecord]] | None = None
        """(index, register's records, the two joined): joined again when either is read anew."""

    # --- lifecycle ---------------------------------------------------------------------

    @classmethod
    def init(cls, directory: Path, *, base_url: str, clock: Clock = system_clock,
             key_size: int = 2048, force: bool = False, algorithm: str = "rsa") -> TestPKI:
        directory = Path(directory)
        with exclusive(directory):
            return cls._init_locked(directory, base_url=base_url, clock=clock, key_size=key_size,
                                    force=force, algorithm=algorithm)

    @classmethod
    def open(cls, directory: Path, *, clock: Clock = system_clock, algorithm: str = "rsa") -> TestPKI:
        pki = cls(Path(directory), clock=clock, algorithm=algorithm)
        pki._current()
        return pki

    @classmethod
    def open_or_init(cls, directory: Path, *, base_url: str, clock: Clock = system_clock,
                     algorithm: str = "rsa") -> TestPKI:
        directory = Path(directory)
        if not Index(directory).exists():
            with exclusive(directory):
                if not Index(directory).exists():
                    return cls._init_locked(directory, base_url=base_url, clock=clock,
                                            key_size=2048, force=False, algorithm=algorithm)
        return cls.open(directory, clock=clock, algorithm=algorithm)

    @classmethod
    def _init_locked(cls, directory: Path, *, base_url: str, clock: Clock, key_size: int,
                     force: bool, algorithm: str = "rsa") -> TestPKI:
        base_url = _check_base_url(base_url)
        index = Index(directory)
        if index.exists() and not force:
            raise InputError(f"a test PKI already exists in {directory}; --force replaces it "
                             "(certificates issued so far stop chaining)", code="PKI_EXISTS")
        authority = _Authority.create(_urls(base_url), now=_utc(clock()), key_size=key_size)
        generation = authority.generation
        authority.write(directory / "ca" / generation)
        index.write(IndexData(generation=generation, base_url=base_url))
        # Committed. What follows only tidies up or exports copies.
        for old in (directory / "ca").iterdir():
            if old.name != generation:
                shutil.rmtree(old, ignore_errors=True)
        if force:
            shutil.rmtree(directory / "issued", ignore_errors=True)
        atomic.write_bytes(directory / "root.pem", cert_pem(authority.root))
        atomic.write_bytes(directory / "ca.pem", cert_pem(authority.ca))
        atomic.write_bytes(directory / "ocsp.pem", cert_pem(authority.responder))
        atomic.write_bytes(directory / "trust.pem", cert_pem(authority.root) + cert_pem(authority.ca))
        return cls.open(directory, clock=clock, algorithm=algorithm)

    def attach(self, register: SharedRegister) -> None:
        """Share issues and revocations with the other hosts of one database (see
        :mod:`egov_sim.signing.pki_shared`); what this host's index holds is entered first."""
        data = self._current()[0]
        register.add(data.generation, data.records.values())
        self._shared = register

    def _records(self, *, fresh: bool = False) -> tuple[IndexData, dict[int, IssuedRecord]]:
        """The index and every certificate of this CA generation: this host's joined with the
        shared register's when one is attached."""
        data = self._current()[0]
        if self._shared is None:
            return data, data.records
        shared = self._shared.records(data.generation, fresh=fresh)
        cached = self._joined
        if cached is not None and cached[0] is data and cached[1] is shared:
            return data, cached[2]
        records = joined(data.records, shared)
        self._joined = (data, shared, records)
        return data, records

    def _current(self) -> tuple[IndexData, _Authority]:
        """The index and the CA generation it names, both reloaded when another process changed them."""
        data = self._index.current()
        with self._authority_lock:
            if self._authority is None or self._authority.generation != data.generation:
                self._authority = _Authority.load(self.directory / "ca" / data.generation)
            return data, self._authority

    def gost_authority(self, *, create: bool = False) -> pki_gost.GostAuthority | None:
        """The GOST root and ҰКО (see :mod:`egov_sim.signing.pki_gost`), made on first need when
        ``create``; None while no GOST certificate has been issued."""
        data, authority = self._current()
        with self._authority_lock:
            if self._gost is not None and self._gost[0] == data.generation:
                return self._gost[1]
        folder = self.directory / "ca" / data.generation / "gost"
        if not pki_gost.GostAuthority.exists(folder):
            if not create:
                return None
            with exclusive(self.directory):
                if not pki_gost.GostAuthority.exists(folder):
                    pki_gost.GostAuthority.create(rsa_root=authority.root, rsa_ca=authority.ca,
                                                  base=data.base_url + MOUNT).write(folder)
        loaded = pki_gost.GostAuthority.load(folder)
        with self._authority_lock:
            self._gost = (data.generation, loaded)
        return loaded

    def gost_ca(self, family: str) -> x509.Certificate:
        return self.gost_authority(create=True).ca(family)

    def gost_urls(self, family: str) -> Urls:
        base = self.base_url + MOUNT
        ca = pki_gost.CAS[family]
        return Urls(crl=base + ca.crl_path, delta_crl=base + ca.delta_crl_path,
                    ca_issuers=base + ca.cert_path, ocsp=base + OCSP_PATH,
                    root_crl=base + pki_gost.ROOT_CRL_PATH, root_cert=base + pki_gost.ROOT_CERT_PATH)

    def derive_secret(self, purpose: str) -> bytes:
        """32 bytes every host with a copy of this PKI derives alike (HKDF-SHA256 of the issuing
        CA's key, ``purpose`` as the info): what several hosts must agree on, such as the key of
        the pages' CSRF tokens, without a further secret to store or copy. A new CA generation
        (``pki init --force``) gives new secrets."""
        ca_key = self._current()[1].ca_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"egov-sim " + purpose.encode("utf-8")).derive(ca_key)

    # --- the chain and its addresses -----------------------------------------------------

    @property
    def root(self) -> x509.Certificate:
        return self._current()[1].root

    @property
    def ca(self) -> x509.Certificate:
        return self._current()[1].ca

    @property
    def ocsp_responder(self) -> x509.Certificate:
        return self._current()[1].responder

    @property
    def base_url(self) -> str:
        return self._current()[0].base_url

    @property
    def version(self) -> tuple:
        """Changes whenever the PKI does (a cache key for whatever is derived from it)."""
        data = self._current()[0]
        if self._shared is None:
            return data.generation, data.revision
        return data.generation, data.revision, self._shared.revision(data.generation)

    @property
    def urls(self) -> Urls:
        return _urls(self.base_url)

    @property
    def crl_url(self) -> str:
        return self.urls.crl

    @property
    def delta_crl_url(self) -> str:
        return self.urls.delta_crl

    @property
    def ca_issuers_url(self) -> str:
        return self.urls.ca_issuers

    @property
    def ocsp_url(self) -> str:
        return self.urls.ocsp

    def trust_pem(self) -> bytes:
        """Root + intermediate: the store a verifier needs, since NCALayer sends only the leaf
        (and the GOST root and ҰКО once GOST certificates have been issued)."""
        authority = self._current()[1]
        gost = self.gost_authority()
        extra = b"".join(cert_pem(c) for c in gost.certificates()) if gost else b""
        return cert_pem(authority.root) + cert_pem(authority.ca) + extra

    # --- issuing ---------------------------------------------------------------------------

    def issue(self, *, iin: str, surname: str, given_name: str, patronymic: str | None = None,
              purpose: Purpose = "SIGN", bin: str | None = None, organization: str | None = None,
              roles: Sequence[str] = (), email: str | None = None,
              not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
              valid_days: int = 365, password: str = "Qwerty12", name: str | None = None,
              pem: bool = False, key_size: int = 2048,
              signature_hash: Literal["sha256", "sha1"] = "sha256", algorithm: str | None = None) -> IssuedCert:
        """Issue a person certificate (``bin`` None) or a legal-entity employee's certificate.

        ``algorithm``: ``rsa`` (the RSA ҰКО), or ``gost2004`` / ``gost2015-256`` /
        ``gost2015-512`` (a GOST key, issued by the GOST 2004 or GOST 2015 ҰКО, see
        :mod:`egov_sim.signing.pki_gost`); None: this PKI's :attr:`algorithm`.

        Files go to ``issued/<name>.p12`` (and ``.pem`` / ``.key.pem`` with ``pem``); the
        index is written last, so a failure leaves no trace in it.
        """
        iin = parse_iin(iin).iin
        if bin is not None:
            bin = parse_bin(bin).bin
        elif organization:
            raise InputError("an organisation name needs the organisation's BIN (--bin)", code="BIN_REQUIRED")
        purpose = str(purpose).upper()
        if purpose not in pki_profile.PURPOSE_EKU:
            raise InputError(f"purpose must be SIGN or AUTH, got {purpose!r}", code="BAD_PURPOSE")
        role_names = _role_list(roles, legal_entity=bin is not None)
        surname_ = _person_name(surname, "surname", required=True)
        given = _person_name(given_name, "given name", required=True)
        patronymic_ = _person_name(patronymic, "patronymic", required=False)
        if email is not None and not re.fullmatch(r"[\x21-\x7e]+@[\x21-\x7e]+", email):
            raise InputError(f"e-mail {email!r} must be an ASCII address", code="BAD_EMAIL")
        if signature_hash not in _HASHES:
            raise InputError(f"signature hash must be sha256 or sha1, got {signature_hash!r}",
                             code="BAD_HASH")
        if not password:
            raise InputError("a PKCS#12 password must not be empty", code="EMPTY_PASSWORD")
        if name is not None and not _NAME_RE.fullmatch(name):
            raise InputError(f"file name {name!r} may hold letters, digits, '.', '-' and '_' only",
                             code="BAD_FILE_NAME")
        try:
            subject = pki_profile.subject_name(
                iin=iin, surname=surname_, given_name=given, patronymic=patronymic_,
                organization=(organization or DEFAULT_ORGANIZATION) if bin else None, bin=bin, email=email)
        except ValueError as exc:
            raise InputError(f"subject name rejected: {exc}", code="BAD_NAME") from None

        _, authority = self._current()
        algorithm = algorithm or self.algorithm
        gost_algorithm = pki_gost.key_algorithm(algorithm) if algorithm != "rsa" else None
        if gost_algorithm is not None and signature_hash != "sha256":
            raise InputError("--signature-hash applies to RSA certificates only", code="BAD_HASH")
        start = _utc(not_before) or _utc(self._clock()).replace(microsecond=0)
        if not_after is not None:
            end = _utc(not_after)
        elif valid_days >= 1:
            end = start + dt.timedelta(days=valid_days)
        else:
            raise InputError(f"validity must be at least one day, got {valid_days}", code="BAD_VALIDITY")
        if end <= start:
            raise InputError(f"not-after {end:%Y-%m-%d %H:%M:%S}Z is not after not-before "
                             f"{start:%Y-%m-%d %H:%M:%S}Z", code="BAD_VALIDITY")
        ca_from, ca_to = authority.ca.not_valid_before_utc, authority.ca.not_valid_after_utc
        if start < ca_from or end > ca_to:
            raise InputError(f"validity {start:%Y-%m-%d}..{end:%Y-%m-%d} is outside the issuing CA's "
                             f"{ca_from:%Y-%m-%d}..{ca_to:%Y-%m-%d}", code="OUTSIDE_CA_VALIDITY")
        if gost_algorithm is None:
            key = _new_key(key_size)
            issuer, issuer_key, urls = authority.ca, authority.ca_key, self.urls
        else:
            family = pki_gost.ISSUER_OF[algorithm]
            gost = self.gost_authority(create=True)
            key = GostPrivateKey.generate(gost_algorithm)
            issuer, issuer_key, urls = gost.ca(family), gost.ca_key(family), self.gost_urls(family)
        extensions = pki_profile.leaf_extensions(
            purpose=purpose, roles=role_names, key=key.public_key(),
            issuer_key=_public(issuer), urls=urls)

        with self._index.update() as data:
            if data.generation != authority.generation:
                raise InputError("the test PKI was re-initialised meanwhile; run the command again",
                                 code="PKI_CHANGED")
            serial = x509.random_serial_number()
            while serial in data.records:
                serial = x509.random_serial_number()
            if gost_algorithm is None:
                cert = _sign(subject=subject, issuer=authority.ca, public_key=key.public_key(),
                             signer=authority.ca_key, not_before=start, not_after=end,
                             extensions=extensions, serial=serial,
                             hash_algorithm=_HASHES[signature_hash]())
            else:
                cert = pki_gost.issue_certificate(subject=subject, ca=issuer, ca_key=issuer_key,
                                                  key=key.public_key(), not_before=start, not_after=end,
                                                  serial=serial, extensions=extensions)
            kind = "RSA256" if gost_algorithm is None else {"gost2004": "GOST512", "gost2015-256": "GOST2015_256",
                                                             "gost2015-512": "GOST2015_512"}[algorithm]
            stem = name or f"{'AUTH_' if purpose == 'AUTH' else ''}{kind}_{iin}_{format(serial, 'x')[:8]}"
            if any(r.name == stem for r in data.records.values()):
                raise InputError(f"a certificate named {stem!r} exists already; choose another --name",
                                 code="NAME_TAKEN")
            issued = self.directory / "issued"
            p12_path = issued / f"{stem}.p12"
            pem_path = issued / f"{stem}.pem" if pem else None
            key_path = issued / f"{stem}.key.pem" if pem else None
            files = [(p12_path, pkcs12_bytes(key, cert, [issuer], password=password,
                                             friendly_name=stem), 0o644)]
            if pem:
                files += [(pem_path, cert_pem(cert), 0o644), (key_path, key_pem(key), 0o600)]
            _write_all(files)
            record = data.records[serial] = IssuedRecord(
                serial=serial, name=stem, subject=pki_profile.dn_string(subject),
                common_name=f"{surname_} {given}", iin=iin, bin=bin, purpose=purpose,
                roles=tuple(role_names), not_before=start, not_after=end,
                issued_at=_utc(self._clock()), p12_path=p12_path, cert_pem_path=pem_path,
                key_pem_path=key_path, algorithm=algorithm)
        if self._shared is not None:  # after the index: a failure here is mended by the next attach
            self._shared.add(authority.generation, [record])
        return IssuedCert(serial, cert, key, p12_path, pem_path, key_path)

    # --- revocation ------------------------------------------------------------------------

    def certificates(self) -> list[IssuedRecord]:
        return sorted(self._records()[1].values(), key=lambda r: (r.issued_at, r.serial))

    def record(self, serial: int) -> IssuedRecord:
        found = self._records()[1].get(serial)
        if found is None:
            raise InputError(f"no certificate with serial {serial:X} was issued by this PKI",
                             code="UNKNOWN_SERIAL")
        return found

    def revoke(self, serial: int, reason: str = "keyCompromise", at: dt.datetime | None = None) -> None:
        """Revoke a certificate of this PKI; with a shared register attached, also one issued on
        another host (the register is written first: of two hosts revoking at once, one wins)."""
        reason = parse_reason(reason)
        now = _utc(self._clock())

        def revoked(record: IssuedRecord | None) -> IssuedRecord:
            if record is None:
                raise InputError(f"no certificate with serial {serial:X} was issued by this PKI",
                                 code="UNKNOWN_SERIAL")
            if record.status == "revoked":
                raise already_revoked(serial, record.revoked_at, record.reason)
            return dataclasses.replace(record, status="revoked", recorded_at=now, reason=reason,
                                       revoked_at=(_utc(at) or now).replace(microsecond=0))

        if self._shared is not None:
            data, records = self._records(fresh=True)
            entered = revoked(records.get(serial))
            self._shared.revoke(data.generation, entered)
            if serial not in data.records:
                return  # issued on another host: the register is its only record here
        with self._index.update() as data:
            local = data.records.get(serial)
            if self._shared is not None and local is not None and local.status == "revoked":
                return  # entered in the register above; this index had it already
            data.records[serial] = revoked(local)

    def status(self, serial: int) -> CertStatus:
        authority = self._current()[1]
        if serial == authority.responder.serial_number:
            return CertStatus("good")
        return CertStatus.of(self._records()[1].get(serial))

    def _issuing(self, ca: str):
        """(certificate, key, records, delta URL) of the ҰКО named ``rsa``, ``gost2004`` or ``gost2015``."""
        authority = self._current()[1]
        records = self._records()[1]
        if ca == "rsa":
            return authority.ca, authority.ca_key, [r for r in records.values() if r.algorithm == "rsa"], \
                self.delta_crl_url
        if ca not in pki_gost.CAS:
            raise InputError(f"unknown CA {ca!r}; use rsa, {', '.join(pki_gost.CAS)}", code="BAD_CA")
        gost = self.gost_authority(create=True)
        records = [r for r in records.values() if pki_gost.ISSUER_OF.get(r.algorithm) == ca]
        return gost.ca(ca), gost.ca_key(ca), records, self.gost_urls(ca).delta_crl

    def full_crl(self, at: dt.datetime | None = None, *, ca: str = "rsa") -> bytes:
        """DER CRL of the issuing CA (``ca``: rsa, gost2004, gost2015) for ``at`` (default: now)."""
        cert, key, records, delta_url = self._issuing(ca)
        return pki_crl.full_crl(issuer=cert, key=key, records=records,
                                at=_utc(at) or _utc(self._clock()), delta_url=delta_url)

    def delta_crl(self, at: dt.datetime | None = None, *, ca: str = "rsa") -> bytes:
        cert, key, records, _ = self._issuing(ca)
        return pki_crl.delta_crl(issuer=cert, key=key, records=records, at=_utc(at) or _utc(self._clock()))

    def root_crl(self, at: dt.datetime | None = None) -> bytes:
        """The root's CRL (ARL); no intermediate is ever revoked, so it is always empty."""
        authority = self._current()[1]
        return pki_crl.full_crl(issuer=authority.root, key=authority.root_key, records=(),
                                at=_utc(at) or _utc(self._clock()))

    def ocsp_response(self, request_der: bytes, at: dt.datetime | None = None) -> bytes:
        authority = self._current()[1]
        gost = self.gost_authority()
        return ocsp_responder.answer(request_der, issuer=authority.ca, responder=authority.responder,
                                     responder_key=authority.responder_key, lookup=self.status,
                                     at=_utc(at) or _utc(self._clock()),
                                     gost_issuers=[gost.cas[f] for f in pki_gost.CAS] if gost else ())
