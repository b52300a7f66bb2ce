"""Which certificates egov-sim trusts, and whether a signer's certificate may sign.

NCALayer puts only the leaf into X509Data, so the store holds the intermediates as well as
the roots (spec signatures.md §5.4). Chain building is the expensive, time-independent part
(signature checks up to an anchor); it is cached by the leaf's DER. Validity at the
verification time and key usage are separate cheap checks, so an expired certificate is
reported as expired rather than as an untrusted chain (spec §5.7).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from egov_sim.core.errors import InputError

from .certinfo import key_usage_kind
from .gost import x509 as gost_x509

MAX_CHAIN_LENGTH = 6
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


@dataclass(frozen=True)
class ChainResult:
    trusted: bool
    chain: tuple[x509.Certificate, ...]
    """Leaf first, anchor last when trusted; as far as it could be built otherwise."""
    problem: str | None = None

    @property
    def valid_from(self) -> datetime:
        return max(c.not_valid_before_utc for c in self.chain)

    @property
    def valid_until(self) -> datetime:
        return min(c.not_valid_after_utc for c in self.chain)

    @property
    def issuer(self) -> x509.Certificate | None:
        return self.chain[1] if len(self.chain) > 1 else None


@dataclass(frozen=True)
class ValidityProblem:
    code: str  # CERT_EXPIRED or CERT_NOT_YET_VALID
    message: str


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _self_issued(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject


def _describe(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string()
    except ValueError:
        return f"serial {cert.serial_number:x}"


def _normalize_dn(text: str) -> tuple[str, ...]:
    """Order- and case-insensitive form of an RFC 2253/4514 string, for X509IssuerName."""
    parts = re.split(r"(?<!\\)[,;]", text)
    out = []
    for part in parts:
        key, _, value = part.partition("=")
        out.append(f"{key.strip().upper()}={value.strip().casefold()}")
    return tuple(sorted(out))


class TrustStore:
    """Roots (trust anchors), intermediates, and other known certificates (for references
    by X509IssuerSerial, such as the gateway's own certificate).

    ``partial_chain`` (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN): an intermediate in the store whose
    own issuer is not there is a trust anchor too. That is how NCA's test ҰКО certificates are
    trusted, since the test roots above them are not public (vectors' README)."""

    def __init__(self, certificates: Iterable[x509.Certificate], *, cache_size: int = 4096,
                 partial_chain: bool = False):
        self.partial_chain = partial_chain
        self.anchors: list[x509.Certificate] = []
        self.intermediates: list[x509.Certificate] = []
        self.others: list[x509.Certificate] = []
        self._by_subject: dict[x509.Name, list[x509.Certificate]] = {}
        self._anchor_der: set[bytes] = set()
        self._by_serial: dict[int, list[x509.Certificate]] = {}
        self._cache: OrderedDict[tuple[bytes, bool], ChainResult] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        for cert in certificates:
            self.add(cert)

    @classmethod
    def from_pem(cls, data: bytes, *, partial_chain: bool = False) -> TrustStore:
        blocks = _PEM_BLOCK.findall(data)
        if not blocks:
            raise InputError("no PEM certificate found in the trust bundle", code="NOT_A_CERTIFICATE")
        try:
            return cls((x509.load_pem_x509_certificate(block) for block in blocks),
                       partial_chain=partial_chain)
        except ValueError as exc:
            raise InputError(f"trust bundle holds a broken certificate: {exc}",
                             code="NOT_A_CERTIFICATE") from None

    @classmethod
    def from_file(cls, path: Path, *, partial_chain: bool = False) -> TrustStore:
        return cls.from_pem(Path(path).read_bytes(), partial_chain=partial_chain)

    def add(self, cert: x509.Certificate) -> None:
        if _is_ca(cert) and _self_issued(cert):
            self.anchors.append(cert)
            self._anchor_der.add(cert.public_bytes(Encoding.DER))
            self._by_subject.setdefault(cert.subject, []).append(cert)
        elif _is_ca(cert):
            self.intermediates.append(cert)
            self._by_subject.setdefault(cert.subject, []).append(cert)
        else:
            self.others.append(cert)
        self._by_serial.setdefault(cert.serial_number, []).append(cert)
        with self._lock:
            self._cache.clear()

    def find_by_issuer_serial(self, issuer_name: str, serial: int) -> x509.Certificate | None:
        wanted = _normalize_dn(issuer_name)
        for cert in self._by_serial.get(serial, ()):
            if _normalize_dn(cert.issuer.rfc4514_string()) == wanted:
                return cert
        return None

    def chain(self, leaf: x509.Certificate, *, der: bytes | None = None,
              allow_sha1: bool = False) -> ChainResult:
        """Build and check the path from ``leaf`` to an anchor (cached by DER)."""
        key = (der or leaf.public_bytes(Encoding.DER), allow_sha1)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        result = self._build(leaf, key[0], allow_sha1)
        with self._lock:
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def _build(self, leaf: x509.Certificate, leaf_der: bytes, allow_sha1: bool) -> ChainResult:
        path = [leaf]
        if leaf_der in self._anchor_der:
            return ChainResult(True, tuple(path))
        current = leaf
        while len(path) <= MAX_CHAIN_LENGTH:
            candidates = self._by_subject.get(current.issuer, [])
            if not candidates and self.partial_chain and len(path) > 1 and current in self.intermediates:
                return ChainResult(True, tuple(path))
            if not candidates:
                return ChainResult(False, tuple(path),
                                   f"issuer {current.issuer.rfc4514_string()!r} of "
                                   f"{_describe(current)!r} is not in the trust store")
            problems = []
            for issuer in candidates:
                problem = self._issued_by(current, issuer, ca_depth=len(path) - 1, allow_sha1=allow_sha1)
                if problem is None:
                    break
                problems.append(problem)
            else:
                return ChainResult(False, tuple(path), "; ".join(problems))
            path.append(issuer)
            if issuer in self.anchors:
                return ChainResult(True, tuple(path))
            current = issuer
        return ChainResult(False, tuple(path), "certificate chain too long")

    @staticmethod
    def _issued_by(cert: x509.Certificate, issuer: x509.Certificate, *, ca_depth: int,
                   allow_sha1: bool) -> str | None:
        name = _describe(issuer)
        if cert.issuer != issuer.subject:
            return f"{name!r} is not the issuer of {_describe(cert)!r}"
        try:
            if (gost_x509.signature_algorithm(cert.signature_algorithm_oid) is None
                    and isinstance(cert.signature_hash_algorithm, hashes.SHA1) and not allow_sha1):
                return f"{_describe(cert)!r} is signed with SHA-1, which is not enabled"
            _check_signature(cert, issuer)
        except InvalidSignature:
            return f"signature of {_describe(cert)!r} does not verify with {name!r}"
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            return f"cannot check {_describe(cert)!r} against {name!r}: {exc}"
        try:
            constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            return f"{name!r} is not a CA (no BasicConstraints)"
        if not constraints.ca:
            return f"{name!r} is not a CA"
        if constraints.path_length is not None and ca_depth > constraints.path_length:
            return f"path length constraint of {name!r} exceeded"
        try:
            usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
            if not usage.key_cert_sign:
                return f"{name!r} may not sign certificates (KeyUsage)"
        except x509.ExtensionNotFound:
            pass
        return None


def _check_signature(cert: x509.Certificate, issuer: x509.Certificate) -> None:
    """Like ``verify_directly_issued_by`` but also for legacy sha1WithRSA certificates, which
    cryptography refuses there (whether SHA-1 is acceptable is decided by the caller), and for
    GOST issuers and signatures, which cryptography does not know."""
    key = gost_x509.public_key(issuer)
    if isinstance(key, rsa.RSAPublicKey) and gost_x509.signature_algorithm(cert.signature_algorithm_oid) is None:
        key.verify(cert.signature, cert.tbs_certificate_bytes, cert.signature_algorithm_parameters,
                   cert.signature_hash_algorithm)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(cert.signature, cert.tbs_certificate_bytes, cert.signature_algorithm_parameters)
    else:
        gost_x509.verify_signature(key, cert.signature, cert.tbs_certificate_bytes,
                                   cert.signature_algorithm_oid)


def validity_problems(chain: Iterable[x509.Certificate], at: datetime) -> list[ValidityProblem]:
    """Each certificate of the chain must be valid at ``at`` (the signer's first)."""
    problems = []
    for position, cert in enumerate(chain):
        if cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            continue
        who = "signer certificate" if position == 0 else f"CA certificate {_describe(cert)!r}"
        if at < cert.not_valid_before_utc:
            problems.append(ValidityProblem(
                "CERT_NOT_YET_VALID",
                f"{who} is not valid before {cert.not_valid_before_utc.isoformat()} "
                f"(verification time {at.isoformat()})"))
        elif at > cert.not_valid_after_utc:
            problems.append(ValidityProblem(
                "CERT_EXPIRED",
                f"{who} expired at {cert.not_valid_after_utc.isoformat()} "
                f"(verification time {at.isoformat()})"))
    return problems


def key_usage_problem(cert: x509.Certificate, purpose: str | None) -> str | None:
    """digitalSignature is always required (as signxml ≥ 5 does); with a purpose the key must
    also be a SIGN (nonRepudiation) or AUTH (keyEncipherment) key."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None if purpose is None else f"certificate has no KeyUsage, {purpose} key required"
    if not usage.digital_signature:
        return "KeyUsage does not allow digitalSignature"
    if purpose is not None:
        actual = key_usage_kind(cert)
        if actual != purpose:
            return f"the key is for {actual}, the purpose requires {purpose}"
    return None
