"""PKCS#12 key containers holding GOST keys, as NCA issues them (RFC 7292).

``cryptography`` opens NCA's PFX files only up to the key: it rejects the Kazakh key OID. The
containers themselves are ordinary: a 3DES-shrouded PKCS#8 key bag, certificates in an
RC2-40- (NCA) or 3DES-encrypted (egov-sim) bag, a SHA-1 MAC. This module reads both and writes
the 3DES form, with the private key as Kalkan stores it (key OID with curve and hash
parameters, the scalar little-endian in an OCTET STRING).
"""

from __future__ import annotations

import hashlib
import os
from typing import Sequence

from asn1crypto import algos, cms, core, pkcs12
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.serialization import Encoding

from . import libgcrypt
from .keys import GostPrivateKey
from .x509 import gost_public_key

ITERATIONS = 2048
_3DES = "pkcs12_sha1_tripledes_3key"
_RC2_40 = "pkcs12_sha1_rc2_40"


class Pkcs12Error(ValueError):
    """The container cannot be read (the password was already checked by the caller)."""


def _kdf(password: str, salt: bytes, purpose: int, iterations: int, size: int) -> bytes:
    from ..keyfiles import _pkcs12_kdf

    return _pkcs12_kdf("sha1", password.encode("utf-16-be") + b"\x00\x00", salt, purpose, iterations, size)


def _unpad(data: bytes) -> bytes:
    pad = data[-1] if data else 0
    if not 1 <= pad <= 8 or data[-pad:] != bytes([pad]) * pad:
        raise Pkcs12Error("bad padding after decryption (wrong password?)")
    return data[:-pad]


def _decrypt(algorithm: algos.EncryptionAlgorithm, data: bytes, password: str) -> bytes:
    name = algorithm["algorithm"].native
    params = algorithm["parameters"].native
    salt, iterations = params["salt"], params["iterations"]
    if name == _3DES:
        key, iv = _kdf(password, salt, 1, iterations, 24), _kdf(password, salt, 2, iterations, 8)
        decryptor = Cipher(TripleDES(key), modes.CBC(iv)).decryptor()
        return _unpad(decryptor.update(data) + decryptor.finalize())
    if name == _RC2_40:
        if not libgcrypt.AVAILABLE:
            raise Pkcs12Error("the certificates are RC2-40 encrypted; reading them needs libgcrypt")
        key, iv = _kdf(password, salt, 1, iterations, 5), _kdf(password, salt, 2, iterations, 8)
        return _unpad(libgcrypt.rc2_40_cbc_decrypt(key, iv, data))
    raise Pkcs12Error(f"unsupported PKCS#12 encryption {name}")


def _encrypt(data: bytes, password: str) -> tuple[dict, bytes]:
    salt = os.urandom(20)
    key, iv = _kdf(password, salt, 1, ITERATIONS, 24), _kdf(password, salt, 2, ITERATIONS, 8)
    pad = 8 - len(data) % 8
    encryptor = Cipher(TripleDES(key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()
    return {"algorithm": _3DES, "parameters": {"salt": salt, "iterations": ITERATIONS}}, encrypted


def _bags(pfx: pkcs12.Pfx, password: str):
    safe = pkcs12.AuthenticatedSafe.load(pfx["auth_safe"]["content"].native)
    for info in safe:
        kind = info["content_type"].native
        if kind == "data":
            yield from pkcs12.SafeContents.load(info["content"].native)
        elif kind == "encrypted_data":
            encrypted = info["content"]["encrypted_content_info"]
            plain = _decrypt(encrypted["content_encryption_algorithm"], encrypted["encrypted_content"].native,
                             password)
            yield from pkcs12.SafeContents.load(plain)


def load(data: bytes, password: str) -> tuple[GostPrivateKey, x509.Certificate, list[x509.Certificate]]:
    """(key, its certificate, the other certificates); Pkcs12Error when there is no GOST key."""
    try:
        pfx = pkcs12.Pfx.load(data)
        key: GostPrivateKey | None = None
        certificates: list[x509.Certificate] = []
        for bag in _bags(pfx, password):
            kind = bag["bag_id"].native
            if kind == "pkcs8_shrouded_key_bag":
                value = bag["bag_value"]
                plain = _decrypt(value["encryption_algorithm"], value["encrypted_data"].native, password)
                key = GostPrivateKey.from_pkcs8(plain)
            elif kind == "cert_bag" and bag["bag_value"]["cert_id"].native == "x509":
                certificates.append(x509.load_der_x509_certificate(bag["bag_value"]["cert_value"].contents))
    except Pkcs12Error:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise Pkcs12Error(f"unreadable PKCS#12 content: {exc}") from None
    if key is None:
        raise Pkcs12Error("the PKCS#12 file holds no GOST private key")
    public = key.public_key()
    own = [c for c in certificates if gost_public_key(c) == public]
    if not own:
        raise Pkcs12Error("the PKCS#12 file holds no certificate for its GOST key")
    return key, own[0], [c for c in certificates if c is not own[0]]


def dump(key: GostPrivateKey, cert: x509.Certificate, chain: Sequence[x509.Certificate], *,
         password: str, friendly_name: str) -> bytes:
    """A PFX with the key (3DES-shrouded), the certificate and the chain (3DES), SHA-1 MAC."""
    cert_der = cert.public_bytes(Encoding.DER)
    local_id = hashlib.sha1(cert_der).digest()
    attributes = [{"type": "local_key_id", "values": [local_id]},
                  {"type": "friendly_name", "values": [friendly_name]}]
    algorithm, encrypted_key = _encrypt(key.pkcs8(), password)
    key_bag = pkcs12.SafeBag({
        "bag_id": "pkcs8_shrouded_key_bag",
        "bag_value": asn1_keys.EncryptedPrivateKeyInfo({"encryption_algorithm": algorithm,
                                                        "encrypted_data": encrypted_key}),
        "bag_attributes": attributes})
    cert_bags = []
    for index, certificate in enumerate([cert, *chain]):
        bag = {"bag_id": "cert_bag", "bag_value": pkcs12.CertBag({
            "cert_id": "x509", "cert_value": core.ParsableOctetString(certificate.public_bytes(Encoding.DER))})}
        if index == 0:
            bag["bag_attributes"] = attributes
        cert_bags.append(pkcs12.SafeBag(bag))
    algorithm, encrypted_certs = _encrypt(pkcs12.SafeContents(cert_bags).dump(), password)
    safe = pkcs12.AuthenticatedSafe([
        cms.ContentInfo({"content_type": "data", "content": pkcs12.SafeContents([key_bag]).dump()}),
        cms.ContentInfo({"content_type": "encrypted_data", "content": cms.EncryptedData({
            "version": "v0", "encrypted_content_info": {
                "content_type": "data", "content_encryption_algorithm": algorithm,
                "encrypted_content": encrypted_certs}})}),
    ]).dump()
    import hmac

    salt = os.urandom(20)
    mac = hmac.new(_kdf(password, salt, 3, ITERATIONS, 20), safe, "sha1").digest()
    return pkcs12.Pfx({
        "version": "v3",
        "auth_safe": {"content_type": "data", "content": safe},
        "mac_data": {"mac": {"digest_algorithm": {"algorithm": "sha1"}, "digest": mac},
                     "mac_salt": salt, "iterations": ITERATIONS},
    }).dump()
