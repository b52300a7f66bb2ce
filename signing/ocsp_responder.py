"""The test PKI's OCSP responder (RFC 6960), answering the way NCA's responder does (spec §8).

Answers are signed by a delegated responder certificate (EKU OCSPSigning, id-pkix-ocsp-nocheck)
issued by the intermediate CA. CertIDs hashed with SHA-256 (NCA's choice) and SHA-1 (OpenSSL's
default) are both matched; the answer repeats the request's CertID and echoes its nonce.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Sequence

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

from .gost.x509 import gost_public_key
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

    gost_key = gost_public_key(issuer)
    key_bits = gost_key.key_bits() if gost_key is not None else issuer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return digest(issuer.subject.public_bytes()), digest(key_bits)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


def answer(request_der: bytes, *, issuer: x509.Certificate, responder: x509.Certificate,
           responder_key: rsa.RSAPrivateKey, lookup: Callable[[int], CertStatus],
           at: dt.datetime, gost_issuers: Sequence[tuple[x509.Certificate, Any]] = ()) -> bytes:
    """DER OCSPResponse for a DER OCSPRequest.

    Garbage → malformedRequest; a CertID for another issuer (or an unsupported hash) →
    unauthorized, since this responder only speaks for ``issuer`` and the GOST ҰКО in
    ``gost_issuers`` ((certificate, GOST key) pairs; they sign their own answers) (RFC 5019 §2.2.3).
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
        for gost_ca, gost_key in gost_issuers:
            if (request.issuer_name_hash, request.issuer_key_hash) == issuer_hashes(gost_ca, algorithm):
                return _answer_gost(request_der, request, gost_ca, gost_key, lookup, at)
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


def _answer_gost(request_der: bytes, request, ca: x509.Certificate, key, lookup, at: dt.datetime) -> bytes:
    """The GOST ҰКО answers for its own certificates, signed with its GOST key."""
    from asn1crypto import ocsp as asn1_ocsp

    from .gost import resign

    try:
        cert_id = asn1_ocsp.OCSPRequest.load(request_der)["tbs_request"]["request_list"][0]["req_cert"]
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        nonce = None
    except (ValueError, KeyError, IndexError):
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    status = lookup(request.serial_number)
    at = at.replace(microsecond=0)
    reason = reason_flag(status.reason) if status.state == "revoked" else None
    return resign.ocsp_response(
        signer=key, responder_key=key.public_key(), certificates=[], cert_id=cert_id,
        status=status.state, this_update=at, next_update=at + RESPONSE_VALIDITY,
        revoked_at=status.revoked_at if status.state == "revoked" else None,
        reason=_ASN1_REASONS.get(reason.value) if reason else None, nonce=nonce)


_ASN1_REASONS = {
    "keyCompromise": "key_compromise", "cACompromise": "ca_compromise", "affiliationChanged": "affiliation_changed",
    "superseded": "superseded", "cessationOfOperation": "cessation_of_operation",
    "certificateHold": "certificate_hold", "privilegeWithdrawn": "privilege_withdrawn",
    "aACompromise": "aa_compromise",
}
