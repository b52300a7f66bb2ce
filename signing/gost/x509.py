"""GOST in X.509 objects parsed by ``cryptography``: the public key and the signature check.

``cryptography`` parses GOST certificates, CRLs and OCSP responses (names, extensions, dates,
the signature bytes) but refuses their keys and algorithms. This module fills exactly that
gap, so the rest of the signing package keeps using ``cryptography`` objects for both
families: :func:`public_key` returns a cryptography key or a :class:`GostPublicKey`, and
:func:`verify_signature` checks a signature made with either.
"""

from __future__ import annotations

import threading
import warnings
from collections import OrderedDict
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from .keys import BY_KEY_OID, BY_SIGNATURE_OID, GostAlgorithm, GostPublicKey

# NCA's GOST CA names are longer than X.520's 64-character upper bound; cryptography warns
# on every access. The names are what NCA issues, so the warning says nothing actionable.
warnings.filterwarnings("ignore", message="Attribute's length must be", category=UserWarning)

_CACHE: OrderedDict[bytes, GostPublicKey] = OrderedDict()
_CACHE_SIZE = 1024
_LOCK = threading.Lock()


def spki_der(cert: x509.Certificate) -> bytes:
    """The SubjectPublicKeyInfo exactly as encoded in the certificate."""
    return asn1_x509.TbsCertificate.load(cert.tbs_certificate_bytes)["subject_public_key_info"].dump()


def gost_public_key(cert: x509.Certificate) -> GostPublicKey | None:
    """The certificate's GOST key, or None when it holds another kind of key."""
    spki = spki_der(cert)
    with _LOCK:
        hit = _CACHE.get(spki)
        if hit is not None:
            _CACHE.move_to_end(spki)
            return hit
    try:
        key = GostPublicKey.from_spki(spki)
    except ValueError as exc:
        if "not a Kazakh GOST key algorithm" in str(exc):
            return None
        raise
    with _LOCK:
        _CACHE[spki] = key
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return key


def public_key(cert: x509.Certificate) -> Any:
    """cryptography's key object, or a :class:`GostPublicKey`; UnsupportedAlgorithm otherwise."""
    try:
        return cert.public_key()
    except UnsupportedAlgorithm:
        key = gost_public_key(cert)
        if key is None:
            raise
        return key


def signature_algorithm(oid: x509.ObjectIdentifier | str) -> GostAlgorithm | None:
    return BY_SIGNATURE_OID.get(oid if isinstance(oid, str) else oid.dotted_string)


def is_gost_key_oid(oid: str) -> bool:
    return oid in BY_KEY_OID


def verify_signature(key: Any, signature: bytes, data: bytes, signature_oid: x509.ObjectIdentifier,
                     hash_algorithm=None) -> None:
    """Check a signature over ``data`` (a TBS structure) made with ``key``; raise InvalidSignature.

    ``hash_algorithm`` is cryptography's, for RSA/ECDSA (looked up lazily because cryptography
    raises for GOST OIDs); GOST takes its hash from ``signature_oid``.
    """
    if isinstance(key, GostPublicKey):
        algorithm = signature_algorithm(signature_oid)
        if algorithm is None:
            raise InvalidSignature(f"signature algorithm {signature_oid.dotted_string} is not GOST "
                                   f"but the key is {key.algorithm.title}")
        key.verify(signature, data, algorithm)
        return
    if signature_algorithm(signature_oid) is not None:
        raise InvalidSignature(f"a GOST signature cannot be checked with a {type(key).__name__}")
    algorithm = hash_algorithm() if callable(hash_algorithm) else hash_algorithm
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), algorithm or hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(algorithm or hashes.SHA256()))
    else:
        raise UnsupportedAlgorithm(f"{type(key).__name__} keys are not supported")


def algorithm_name(signature_oid: str) -> str | None:
    """NCANode-style ``signAlg`` names for GOST signature OIDs."""
    found = BY_SIGNATURE_OID.get(signature_oid)
    return {"gost2004": "GOST34310-2004", "gost2015-256": "GOST3410-2015-256",
            "gost2015-512": "GOST3410-2015-512"}.get(found.name) if found else None
