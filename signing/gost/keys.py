"""Kazakh GOST keys: the three algorithm families, their OIDs and URIs, and the byte orders.

Byte orders (spec gost.md, "Byte order", established on real Kalkan signatures):
public key = OCTET STRING of X‖Y, each little-endian; digest → integer little-endian;
signature (XML SignatureValue and X.509 signature BIT STRING alike) = r‖s, each little-endian
(the full byte reversal of RFC 4491's s‖r). Key objects raise
``cryptography.exceptions.InvalidSignature`` like cryptography's keys, so callers treat RSA
and GOST the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core
from cryptography.exceptions import InvalidSignature

from .. import algorithms as alg
from . import ec
from .curves import CRYPTOPRO_A, TC26_512_A, Curve
from .digest import HASHES


@dataclass(frozen=True)
class GostAlgorithm:
    name: str
    """What ``--algorithm`` calls it: gost2004, gost2015-256, gost2015-512."""
    title: str
    key_oid: str
    curve_oid: str
    hash_oid: str
    signature_oid: str
    curve: Curve
    hash_name: str
    signature_uri: str
    digest_uri: str

    @property
    def size(self) -> int:
        return self.curve.size

    def hash(self, data: bytes) -> bytes:
        return HASHES[self.hash_name](data)


GOST2004 = GostAlgorithm(
    "gost2004", "GOST 34.310-2004", "1.2.398.3.10.1.1.1.1", "1.2.398.3.10.1.1.1.1.1",
    "1.2.398.3.10.1.3.1.1.0", "1.2.398.3.10.1.1.1.2", CRYPTOPRO_A, "gost34311",
    alg.GOST_34310, alg.GOST_DIGEST_34311)
GOST2015_512 = GostAlgorithm(
    "gost2015-512", "GOST 34.10-2015 512-bit", "1.2.398.3.10.1.1.2.2", "1.2.398.3.10.1.1.2.2.1",
    "1.2.398.3.10.1.3.3", "1.2.398.3.10.1.1.2.3.2", TC26_512_A, "streebog512",
    alg.GOST_2015_512, alg.GOST_DIGEST_2015_512)
GOST2015_256 = GostAlgorithm(
    # [inferred] Key and signature OIDs are NCANode's; the curve parameter OID, the hash OID and
    # the curve itself (CryptoPro-A, as for the 2004 keys) are not recorded anywhere public.
    "gost2015-256", "GOST 34.10-2015 256-bit", "1.2.398.3.10.1.1.2.1", "1.2.398.3.10.1.1.2.1.1",
    "1.2.398.3.10.1.3.2", "1.2.398.3.10.1.1.2.3.1", CRYPTOPRO_A, "streebog256",
    alg.GOST_2015_256, alg.GOST_DIGEST_2015_256)

ALGORITHMS = {a.name: a for a in (GOST2004, GOST2015_256, GOST2015_512)}
BY_KEY_OID = {a.key_oid: a for a in ALGORITHMS.values()}
BY_SIGNATURE_OID = {a.signature_oid: a for a in ALGORITHMS.values()}
BY_SIGNATURE_URI = {a.signature_uri: a for a in ALGORITHMS.values()}


class _KeyParameters(core.Sequence):
    _fields = [("curve", core.ObjectIdentifier), ("digest", core.ObjectIdentifier, {"optional": True})]


class _AlgorithmIdentifier(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Any, {"optional": True})]


class _SubjectPublicKeyInfo(core.Sequence):
    _fields = [("algorithm", _AlgorithmIdentifier), ("public_key", core.OctetBitString)]


class _PrivateKeyInfo(core.Sequence):
    _fields = [("version", core.Integer), ("private_key_algorithm", _AlgorithmIdentifier),
               ("private_key", core.OctetString),
               ("attributes", core.Any, {"implicit": 0, "optional": True})]


def _le(value: int, size: int) -> bytes:
    return int(value).to_bytes(size, "little")


class GostPublicKey:
    """A GOST public key; cheap to keep, it caches its precomputation (see :class:`ec.PublicPoint`)."""

    def __init__(self, algorithm: GostAlgorithm, x: int, y: int):
        self.algorithm = algorithm
        self.x, self.y = x, y
        self._point = ec.PublicPoint(algorithm.curve, x, y)

    @classmethod
    def from_spki(cls, der: bytes) -> GostPublicKey:
        """From a DER SubjectPublicKeyInfo; ValueError when it is not a Kazakh GOST key."""
        try:
            spki = _SubjectPublicKeyInfo.load(der)
            oid = spki["algorithm"]["algorithm"].dotted
            algorithm = BY_KEY_OID.get(oid)
            if algorithm is None:
                raise ValueError(f"not a Kazakh GOST key algorithm: {oid}")
            parameters = spki["algorithm"]["parameters"]
            if parameters.contents is not None and parameters.dump():
                curve_oid = _KeyParameters.load(parameters.dump())["curve"].dotted
                if curve_oid != algorithm.curve_oid:
                    raise ValueError(f"unknown curve {curve_oid} for {algorithm.title}")
            octets = core.OctetString.load(spki["public_key"].native).native
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"unreadable GOST public key: {exc}") from None
        size = algorithm.size
        if not isinstance(octets, bytes) or len(octets) != 2 * size:
            raise ValueError(f"a {algorithm.title} public key has {2 * size} bytes")
        return cls(algorithm, int.from_bytes(octets[:size], "little"), int.from_bytes(octets[size:], "little"))

    def spki(self) -> bytes:
        a = self.algorithm
        parameters = _KeyParameters({"curve": a.curve_oid, "digest": a.hash_oid})
        return _SubjectPublicKeyInfo({
            "algorithm": {"algorithm": a.key_oid, "parameters": core.Any.load(parameters.dump())},
            "public_key": self.key_bits(),
        }).dump()

    def key_bits(self) -> bytes:
        """The content of the SPKI BIT STRING (what SubjectKeyIdentifier and OCSP key hashes use)."""
        return core.OctetString(_le(self.x, self.algorithm.size) + _le(self.y, self.algorithm.size)).dump()

    def verify_digest(self, signature: bytes, digest: bytes) -> None:
        size = self.algorithm.size
        if len(signature) != 2 * size:
            raise InvalidSignature(f"a {self.algorithm.title} signature has {2 * size} bytes, "
                                   f"not {len(signature)}")
        r = int.from_bytes(signature[:size], "little")
        s = int.from_bytes(signature[size:], "little")
        if not self._point.verify(int.from_bytes(digest, "little"), r, s):
            raise InvalidSignature("GOST signature does not verify")

    def verify(self, signature: bytes, data: bytes, algorithm: GostAlgorithm | None = None) -> None:
        """Hash ``data`` with the key's hash (or ``algorithm``'s: must be the same curve) and check."""
        algorithm = algorithm or self.algorithm
        if algorithm.curve is not self.algorithm.curve:
            raise InvalidSignature(f"{algorithm.title} signature, {self.algorithm.title} key")
        self.verify_digest(signature, algorithm.hash(data))

    def __eq__(self, other) -> bool:
        return (isinstance(other, GostPublicKey) and other.algorithm == self.algorithm
                and (other.x, other.y) == (self.x, self.y))

    def __hash__(self) -> int:
        return hash((self.algorithm.name, self.x, self.y))


class GostPrivateKey:
    """A GOST private key (the scalar d)."""

    def __init__(self, algorithm: GostAlgorithm, d: int):
        if not 0 < d < algorithm.curve.q:
            raise ValueError("the private key is out of range")
        self.algorithm = algorithm
        self._d = d
        self._public: GostPublicKey | None = None

    @classmethod
    def generate(cls, algorithm: GostAlgorithm) -> GostPrivateKey:
        return cls(algorithm, ec.new_private_scalar(algorithm.curve))

    def public_key(self) -> GostPublicKey:
        if self._public is None:
            self._public = GostPublicKey(self.algorithm, *ec.public_point(self.algorithm.curve, self._d))
        return self._public

    def sign_digest(self, digest: bytes) -> bytes:
        r, s = ec.sign(self.algorithm.curve, self._d, int.from_bytes(digest, "little"))
        return _le(r, self.algorithm.size) + _le(s, self.algorithm.size)

    def sign(self, data: bytes) -> bytes:
        return self.sign_digest(self.algorithm.hash(data))

    def pkcs8(self) -> bytes:
        """PrivateKeyInfo as Kalkan writes it: the key OID with curve and hash parameters, and in
        the OCTET STRING the scalar (2004: a DER INTEGER; 2015: little-endian bytes)."""
        a = self.algorithm
        parameters = _KeyParameters({"curve": a.curve_oid, "digest": a.hash_oid})
        return _PrivateKeyInfo({
            "version": 0,
            "private_key_algorithm": {"algorithm": a.key_oid, "parameters": core.Any.load(parameters.dump())},
            # Kalkan writes 2004 keys as a DER INTEGER, 2015 keys as little-endian octets
            "private_key": core.Integer(self._d).dump() if a is GOST2004 else _le(self._d, a.size),
        }).dump()

    @classmethod
    def from_pkcs8(cls, der: bytes) -> GostPrivateKey:
        try:
            info = _PrivateKeyInfo.load(der)
            oid = info["private_key_algorithm"]["algorithm"].dotted
            raw = info["private_key"].native
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"unreadable GOST private key: {exc}") from None
        algorithm = BY_KEY_OID.get(oid)
        if algorithm is None:
            raise ValueError(f"not a Kazakh GOST key algorithm: {oid}")
        is_integer = len(raw) > 2 and raw[0] == 0x02 and raw[1] == len(raw) - 2
        if algorithm is GOST2004 and is_integer:  # Kalkan's 2004 keys: a DER INTEGER
            return cls(algorithm, core.Integer.load(raw).native)
        if len(raw) == algorithm.size:  # Kalkan's 2015 keys: the scalar, little-endian
            return cls(algorithm, int.from_bytes(raw, "little"))
        try:
            inner = core.Asn1Value.load(raw)
        except ValueError as exc:
            raise ValueError(f"unreadable GOST private key: {exc}") from None
        if isinstance(inner, core.Integer) or inner.tag == 2:  # Kalkan's 2004 keys: a DER INTEGER
            return cls(algorithm, core.Integer.load(raw).native)
        if inner.tag == 4:  # a nested OCTET STRING
            raw = core.OctetString.load(raw).native
        if len(raw) != algorithm.size:
            raise ValueError(f"a {algorithm.title} private key has {algorithm.size} bytes, not {len(raw)}")
        return cls(algorithm, int.from_bytes(raw, "little"))

    def __repr__(self) -> str:
        return f"<GostPrivateKey {self.algorithm.name}>"
