"""The test PKI's OCSP responder (RFC 6960), answering the way NCA's responder does (spec §8).

Answers are signed by a delegated responder certificate (EKU OCSPSigning, id-pkix-ocsp-nocheck)
issued by the intermediate CA. CertIDs hashed with SHA-256 (NCA's choice) and SHA-1 (OpenSSL's
default) are both matched; the answer repeats the request's CertID and echoes its nonce.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

from .pki_crl import reason_flag
from .pki_index import CertStatus

RESPONSE_VALIDITY = dt.timedelta(minutes=10)
MAX_REQUEST_BYTES = 64 * 1024
_CERT_ID_HASHES = (hashes.SHA1, hashes.SHA256, hashes.SHA384, hashes.SHA512)

_STATES = {"good": ocsp.OCSPCertStatus.GOOD, "revoked": ocsp.OCSPCertStatus.REVOKED,
           "unknown": ocsp.OCSPCertStatus.UNKNOWN}


def issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of a CertID: hashes of the DER name and of the key bits."""
    def digest(data: bytes) -> bytes:
        h = hashes.Hash(algorithm)
        h.update(data)
        return h.finalize()

    key_bits = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.PKCS1)
    return digest(issuer.subject.public_bytes()), digest(key_bits)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


def answer(request_der: bytes, *, issuer: x509.Certificate, responder: x509.Certificate,
           responder_key: rsa.RSAPrivateKey, lookup: Callable[[int], CertStatus],
           at: dt.datetime) -> bytes:
    """DER OCSPResponse for a DER OCSPRequest.

    Garbage → malformedRequest; a CertID for another issuer (or an unsupported hash) →
    unauthorized, since this responder only speaks for ``issuer`` (RFC 5019 §2.2.3).
    """
    if len(request_der) > MAX_REQUEST_BYTES:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = request.hash_algorithm
        extensions = request.extensions
    except (ValueError, TypeError):
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    except UnsupportedAlgorithm:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    if not isinstance(algorithm, _CERT_ID_HASHES):
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    name_hash, key_hash = issuer_hashes(issuer, algorithm)
    if (request.issuer_name_hash, request.issuer_key_hash) != (name_hash, key_hash):
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)

    status = lookup(request.serial_number)
    at = at.replace(microsecond=0)
    builder = (ocsp.OCSPResponseBuilder()
               .add_response_by_hash(
                   issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash,
                   serial_number=request.serial_number, algorithm=algorithm,
                   cert_status=_STATES[status.state], this_update=at,
                   next_update=at + RESPONSE_VALIDITY,
                   revocation_time=status.revoked_at if status.state == "revoked" else None,
                   revocation_reason=reason_flag(status.reason) if status.state == "revoked" else None)
               .responder_id(ocsp.OCSPResponderEncoding.HASH, responder)
               .certificates([responder]))
    try:
        nonce = extensions.get_extension_for_class(x509.OCSPNonce).value
    except x509.ExtensionNotFound:
        nonce = None
    if nonce is not None:
        builder = builder.add_extension(nonce, critical=False)
    return builder.sign(responder_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
