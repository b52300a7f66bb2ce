"""Key and certificate files as users hand them to egov-sim: PKCS#12 containers, PEM, DER.

НУЦ РК issues keys as password-protected PKCS#12 files (3DES-shrouded key bag, SHA-1 MAC,
the issuing CA in the chain); egov-sim writes the same kind. Reading tells a wrong password
apart from a file that is not PKCS#12 at all by checking the PFX MAC itself, because
``cryptography`` reports both as the same ValueError.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from egov_sim.core.errors import InputError

from .gost import pkcs12 as gost_pkcs12
from .gost.keys import GostPrivateKey

PrivateKey = PrivateKeyTypes


def pkcs12_bytes(key: PrivateKey, cert: x509.Certificate, chain: Sequence[x509.Certificate], *,
                 password: str, friendly_name: str) -> bytes:
    """A PFX readable by Kalkan-era tools, OpenSSL 3 (no legacy provider) and cryptography
    (GOST keys: by Kalkan and egov-sim, see :mod:`egov_sim.signing.gost.pkcs12`)."""
    if not password:
        raise InputError("a PKCS#12 password must not be empty", code="EMPTY_PASSWORD")
    if isinstance(key, GostPrivateKey):
        return gost_pkcs12.dump(key, cert, chain, password=password, friendly_name=friendly_name)
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(2048)
                  .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                  .hmac_hash(hashes.SHA1())
                  .build(password.encode("utf-8")))
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, cert, list(chain), encryption)


def key_pem(key: PrivateKey) -> bytes:
    if isinstance(key, GostPrivateKey):
        return _pem("PRIVATE KEY", key.pkcs8())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", code="FILE_NOT_FOUND") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory", code="FILE_NOT_FOUND") from None


_DECODED: OrderedDict[tuple, object] = OrderedDict()
_DECODED_MAX = 256
_DECODED_LOCK = threading.Lock()


def _remembered(kind: str, data: bytes, password: str | bytes | None, decode):
    """Decoded key material by (kind, content, password): decrypting and validating an RSA key
    costs ~35 ms, and the simulator's systems read the same key files on every start (a scenario
    run builds one simulator per scenario). Keyed by the file's bytes, so a changed file is read
    again; the key objects are immutable and safe to share."""
    key = (kind, hashlib.sha256(data).digest(), password)
    with _DECODED_LOCK:
        if key in _DECODED:
            _DECODED.move_to_end(key)
            return _DECODED[key]
    value = decode()
    with _DECODED_LOCK:
        _DECODED[key] = value
        while len(_DECODED) > _DECODED_MAX:
            _DECODED.popitem(last=False)
    return value


def load_private_key_pem(data: bytes, password: bytes | None = None) -> PrivateKey:
    """A PEM private key, RSA/EC or unencrypted GOST PKCS#8 (remembered by content, see
    :func:`_remembered`)."""
    def decode():
        try:
            return serialization.load_pem_private_key(data, password)
        except (ValueError, UnsupportedAlgorithm):
            der = _pem_body(data, "PRIVATE KEY")
            if der is None or password:
                raise
            try:
                return GostPrivateKey.from_pkcs8(der)
            except ValueError:
                raise ValueError("not a readable PEM private key (RSA, EC or GOST PKCS#8)") from None
    return _remembered("pem-key", data, password, decode)


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return (f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n").encode("ascii")


def _pem_body(data: bytes, label: str) -> bytes | None:
    begin, end = f"-----BEGIN {label}-----".encode(), f"-----END {label}-----".encode()
    if begin not in data or end not in data:
        return None
    body = data[data.index(begin) + len(begin):data.index(end)]
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def load_pkcs12(path: Path, password: str) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
    """(private key, its certificate, the other certificates in the container)."""
    data = _read(path)
    key, cert, others = _remembered("pkcs12", data, password, lambda: _decode_pkcs12(path, data, password))
    return key, cert, list(others)


def _decode_pkcs12(path: Path, data: bytes, password: str):
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password.encode("utf-8"))
    except (ValueError, UnsupportedAlgorithm):
        mac_ok = _pfx_mac_matches(data, password)
        if mac_ok is None and not looks_like_pkcs12(data):
            raise InputError(f"{path}: not a PKCS#12 (.p12/.pfx) file", code="NOT_PKCS12") from None
        if mac_ok:
            try:  # NCA's GOST keys: cryptography stops at the Kazakh key OID
                key, cert, others = gost_pkcs12.load(data, password)
                return key, cert, tuple(others)
            except gost_pkcs12.Pkcs12Error as exc:
                raise InputError(f"{path}: the password is right but the key cannot be read ({exc})",
                                 code="UNSUPPORTED_PKCS12") from None
        raise InputError(f"{path}: wrong PKCS#12 password", code="BAD_PKCS12_PASSWORD") from None
    if key is None or cert is None:
        raise InputError(f"{path}: the PKCS#12 file holds no private key with its certificate",
                         code="NOT_PKCS12")
    return key, cert, tuple(others)


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM, DER, or bare base64 DER (as in ``ds:X509Certificate``)."""
    if b"-----BEGIN" in data:
        try:
            return x509.load_pem_x509_certificates(data)[0]
        except ValueError:
            raise InputError("not a certificate: the PEM holds no CERTIFICATE block",
                             code="NOT_A_CERTIFICATE") from None
    for candidate in (data, _b64(data)):
        if candidate:
            try:
                return x509.load_der_x509_certificate(candidate)
            except ValueError:
                pass
    raise InputError("not a certificate (expected PEM, DER or base64 DER)", code="NOT_A_CERTIFICATE")


def load_certificate_file(path: Path) -> x509.Certificate:
    try:
        return load_certificate(_read(path))
    except InputError as exc:
        if exc.code == "NOT_A_CERTIFICATE":
            raise InputError(f"{path}: {exc}", code=exc.code) from None
        raise


def _b64(data: bytes) -> bytes | None:
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


# --- PFX structure (RFC 7292), just enough to check the MAC -------------------------------

_OID_DATA = bytes.fromhex("2a864886f70d010701")
_MAC_HASHES = {
    bytes.fromhex("2b0e03021a"): "sha1",
    bytes.fromhex("608648016503040201"): "sha256",
    bytes.fromhex("608648016503040202"): "sha384",
    bytes.fromhex("608648016503040203"): "sha512",
    bytes.fromhex("608648016503040204"): "sha224",
}


def _tlv(data: bytes, pos: int, tag: int) -> tuple[int, int]:
    """(start, end) of the value of the DER element at ``pos``, which must carry ``tag``."""
    if data[pos] != tag:
        raise ValueError("unexpected tag")
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if not 1 <= n <= 4:
            raise ValueError("unsupported length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    if pos + length > len(data):
        raise ValueError("truncated")
    return pos, pos + length


def looks_like_pkcs12(data: bytes) -> bool:
    try:
        start, end = _tlv(data, 0, 0x30)
        vs, ve = _tlv(data, start, 0x02)
        return data[vs:ve] == b"\x03"
    except (ValueError, IndexError):
        return False


def _pfx_mac_matches(data: bytes, password: str) -> bool | None:
    """Whether the PFX MAC verifies with ``password``; None when it cannot be checked."""
    try:
        start, end = _tlv(data, 0, 0x30)
        _, pos = _tlv(data, start, 0x02)
        auth_start, auth_end = _tlv(data, pos, 0x30)
        oid_start, oid_end = _tlv(data, auth_start, 0x06)
        if data[oid_start:oid_end] != _OID_DATA:
            return None
        explicit_start, _ = _tlv(data, oid_end, 0xA0)
        content_start, content_end = _tlv(data, explicit_start, 0x04)
        if auth_end >= end:
            return None
        mac_start, mac_end = _tlv(data, auth_end, 0x30)
        digest_info_start, digest_info_end = _tlv(data, mac_start, 0x30)
        alg_start, alg_end = _tlv(data, digest_info_start, 0x30)
        hash_oid_start, hash_oid_end = _tlv(data, alg_start, 0x06)
        digest_start, digest_end = _tlv(data, alg_end, 0x04)
        salt_start, salt_end = _tlv(data, digest_info_end, 0x04)
        iterations = 1
        if salt_end < mac_end:
            it_start, it_end = _tlv(data, salt_end, 0x02)
            iterations = int.from_bytes(data[it_start:it_end], "big")
    except (ValueError, IndexError):
        return None
    hash_name = _MAC_HASHES.get(data[hash_oid_start:hash_oid_end])
    if hash_name is None or not 1 <= iterations <= 10_000_000:
        return None
    salt, content = data[salt_start:salt_end], data[content_start:content_end]
    expected = data[digest_start:digest_end]
    secrets = [password.encode("utf-16-be") + b"\x00\x00"] + ([b""] if not password else [])
    for secret in secrets:
        key = _pkcs12_kdf(hash_name, secret, salt, 3, iterations, hashlib.new(hash_name).digest_size)
        if hmac.compare_digest(hmac.new(key, content, hash_name).digest(), expected):
            return True
    return False


def _pkcs12_kdf(hash_name: str, password: bytes, salt: bytes, purpose: int, iterations: int,
                size: int) -> bytes:
    """RFC 7292 appendix B.2 key derivation (purpose 3 = MAC key)."""
    h = hashlib.new(hash_name)
    u, v = h.digest_size, h.block_size

    def fill(block: bytes) -> bytes:
        if not block:
            return b""
        n = v * ((len(block) + v - 1) // v)
        return (block * (n // len(block) + 1))[:n]

    buffer = bytearray(fill(salt) + fill(password))
    diversifier = bytes([purpose]) * v
    out = b""
    while len(out) < size:
        a = hashlib.new(hash_name, diversifier + bytes(buffer)).digest()
        for _ in range(iterations - 1):
            a = hashlib.new(hash_name, a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(buffer), v):
            chunk = (int.from_bytes(buffer[j:j + v], "big") + b + 1) % (1 << (8 * v))
            buffer[j:j + v] = chunk.to_bytes(v, "big")
    return out[:size]
