"""XML-DSig algorithm URIs: what Kalkan/NCALayer write, and what egov-sim will compute.

One registry for signer and verifier, so that an algorithm is either implemented in both or
reported the same way by both. GOST URIs (Kalkan's, spec gost.md) are implemented by
:mod:`egov_sim.signing.gost`: GOST 34.310-2004 with GOST 34.311-95, GOST 34.10-2015 with
Streebog-256/512. SHA-1 exists in two spellings
(NCANode/Kalkan ``xmldsig-more#`` and W3C ``xmldsig#``); both are accepted only when SHA-1 is
explicitly enabled (spec signatures.md §5.3, §6).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes

from egov_sim.core.errors import InputError

DS_NS = "http://www.w3.org/2000/09/xmldsig#"

# Signature methods
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1_KALKAN = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha1"
RSA_SHA1_W3C = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
GOST_2015_512 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512"
GOST_2015_256 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-256"
GOST_34310 = "http://www.w3.org/2001/04/xmldsig-more#gost34310-gost34311"

# Digest methods
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1_KALKAN = "http://www.w3.org/2001/04/xmldsig-more#sha1"
SHA1_W3C = "http://www.w3.org/2000/09/xmldsig#sha1"
GOST_DIGEST_2015_512 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-512"
GOST_DIGEST_2015_256 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-256"
GOST_DIGEST_34311 = "http://www.w3.org/2001/04/xmldsig-more#gost34311"

# Canonicalization and transforms
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


class AlgorithmError(InputError):
    """An algorithm URI that cannot be used; ``code`` is the verifier's failure code."""

    code = "ALGORITHM_NOT_SUPPORTED"


@dataclass(frozen=True)
class SignatureMethod:
    uri: str
    family: str
    """``RSA`` or ``GOST``."""
    hash_name: str
    legacy_sha1: bool = False

    @property
    def supported(self) -> bool:
        return self.family in ("RSA", "GOST")

    def hash(self) -> hashes.HashAlgorithm:
        return _HASHES[self.hash_name]()


@dataclass(frozen=True)
class DigestMethod:
    uri: str
    hash_name: str
    legacy_sha1: bool = False

    @property
    def supported(self) -> bool:
        return self.hash_name in _HASHES or self.hash_name in _GOST_HASHES

    def hash(self) -> hashes.HashAlgorithm:
        return _HASHES[self.hash_name]()

    def compute(self, data: bytes) -> bytes:
        """The digest of ``data`` (what DigestValue carries)."""
        if self.hash_name in _GOST_HASHES:
            from .gost.digest import HASHES

            return HASHES[self.hash_name](data)
        hasher = hashes.Hash(_HASHES[self.hash_name]())
        hasher.update(data)
        return hasher.finalize()


@dataclass(frozen=True)
class Canonicalization:
    uri: str
    exclusive: bool
    with_comments: bool


_HASHES = {"sha256": hashes.SHA256, "sha1": hashes.SHA1}
_GOST_HASHES = {"gost34311", "streebog256", "streebog512"}

SIGNATURE_METHODS: dict[str, SignatureMethod] = {m.uri: m for m in (
    SignatureMethod(RSA_SHA256, "RSA", "sha256"),
    SignatureMethod(RSA_SHA1_KALKAN, "RSA", "sha1", legacy_sha1=True),
    SignatureMethod(RSA_SHA1_W3C, "RSA", "sha1", legacy_sha1=True),
    SignatureMethod(GOST_2015_512, "GOST", "streebog512"),
    SignatureMethod(GOST_2015_256, "GOST", "streebog256"),
    SignatureMethod(GOST_34310, "GOST", "gost34311"),
)}

DIGEST_METHODS: dict[str, DigestMethod] = {m.uri: m for m in (
    DigestMethod(SHA256, "sha256"),
    DigestMethod(SHA1_KALKAN, "sha1", legacy_sha1=True),
    DigestMethod(SHA1_W3C, "sha1", legacy_sha1=True),
    DigestMethod(GOST_DIGEST_2015_512, "streebog512"),
    DigestMethod(GOST_DIGEST_2015_256, "streebog256"),
    DigestMethod(GOST_DIGEST_34311, "gost34311"),
)}

CANONICALIZATIONS: dict[str, Canonicalization] = {c.uri: c for c in (
    Canonicalization(C14N, exclusive=False, with_comments=False),
    Canonicalization(C14N_WITH_COMMENTS, exclusive=False, with_comments=True),
    Canonicalization(EXC_C14N, exclusive=True, with_comments=False),
    Canonicalization(EXC_C14N_WITH_COMMENTS, exclusive=True, with_comments=True),
)}

_GOST_NAMES = {
    GOST_2015_512: "GOST R 34.10-2015 512-bit", GOST_2015_256: "GOST R 34.10-2015 256-bit",
    GOST_34310: "GOST 34.310-2004", GOST_DIGEST_2015_512: "GOST R 34.11-2015 512-bit",
    GOST_DIGEST_2015_256: "GOST R 34.11-2015 256-bit", GOST_DIGEST_34311: "GOST 34.311-95",
}


def _describe(uri: str) -> str:
    name = _GOST_NAMES.get(uri)
    return f"{name} ({uri})" if name else repr(uri)


def signature_method(uri: str | None, *, allow_sha1: bool) -> SignatureMethod:
    """The implemented method for ``uri``; raise :class:`AlgorithmError` otherwise."""
    method = SIGNATURE_METHODS.get(uri or "")
    if method is None or not method.supported:
        raise AlgorithmError(f"signature algorithm not supported: {_describe(uri or '')}")
    if method.legacy_sha1 and not allow_sha1:
        raise AlgorithmError(f"signature algorithm {uri} uses SHA-1, which is not enabled",
                             code="ALGORITHM_FORBIDDEN")
    return method


def digest_method(uri: str | None, *, allow_sha1: bool) -> DigestMethod:
    """The implemented digest for ``uri``; raise :class:`AlgorithmError` otherwise."""
    method = DIGEST_METHODS.get(uri or "")
    if method is None or not method.supported:
        raise AlgorithmError(f"digest algorithm not supported: {_describe(uri or '')}")
    if method.legacy_sha1 and not allow_sha1:
        raise AlgorithmError(f"digest algorithm {uri} is SHA-1, which is not enabled",
                             code="ALGORITHM_FORBIDDEN")
    return method


def canonicalization(uri: str | None) -> Canonicalization:
    c14n = CANONICALIZATIONS.get(uri or "")
    if c14n is None:
        raise AlgorithmError(f"canonicalization not supported: {uri!r}")
    return c14n


def signing_methods(*, sha1: bool, key=None) -> tuple[str, str]:
    """(SignatureMethod, DigestMethod) URIs Kalkan writes for ``key``: for RSA SHA-256, or legacy
    SHA-1; for a GOST key its family's URIs (NCANode's KalkanUtil.getSignMethodByOID)."""
    algorithm = getattr(key, "algorithm", None)
    if algorithm is not None and hasattr(algorithm, "signature_uri"):
        if sha1:
            raise InputError("SHA-1 exists only for RSA keys", code="BAD_USAGE")
        return algorithm.signature_uri, algorithm.digest_uri
    return (RSA_SHA1_KALKAN, SHA1_KALKAN) if sha1 else (RSA_SHA256, SHA256)
