"""GOST-signed certificates, CRLs and OCSP responses: cryptography builds, GOST signs.

``cryptography`` cannot sign with a GOST key nor carry a GOST public key, but its builders
already produce the NCA profile (names, extensions, CRL entries). So the structure is built
and signed with a throwaway ECDSA key, then the TBS part is re-encoded with asn1crypto: the
signature AlgorithmIdentifier becomes the GOST one, the SubjectPublicKeyInfo the GOST key, and
the issuer's GOST key signs it (Kalkan's byte order, :mod:`.keys`). OCSP responses are built
with asn1crypto directly, since cryptography's builder needs the responder's key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

from asn1crypto import algos, core
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from .keys import GostPrivateKey, GostPublicKey


@functools.lru_cache(maxsize=1)
def _placeholder() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def placeholder_public_key() -> ec.EllipticCurvePublicKey:
    """What a builder gets as the subject key until the GOST key is put in its place."""
    return _placeholder().public_key()


def _algorithm(signer: GostPrivateKey) -> algos.SignedDigestAlgorithm:
    return algos.SignedDigestAlgorithm({"algorithm": signer.algorithm.signature_oid, "parameters": core.Null()})


def key_identifier(key: GostPublicKey) -> bytes:
    """RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value."""
    return hashlib.sha1(key.key_bits()).digest()


def sign_certificate(builder: x509.CertificateBuilder, signer: GostPrivateKey,
                     subject_key: GostPublicKey | None) -> x509.Certificate:
    """Sign ``builder`` with the GOST ``signer``; ``subject_key`` replaces the placeholder key
    (None when the builder already holds a cryptography key, e.g. an RSA OCSP responder)."""
    if subject_key is not None:
        builder = builder.public_key(placeholder_public_key())
    draft = builder.sign(_placeholder(), hashes.SHA256())
    tbs = asn1_x509.TbsCertificate.load(draft.tbs_certificate_bytes)
    tbs["signature"] = _algorithm(signer)
    if subject_key is not None:
        tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(subject_key.spki())
    data = tbs.dump()
    certificate = asn1_x509.Certificate({
        "tbs_certificate": asn1_x509.TbsCertificate.load(data),
        "signature_algorithm": _algorithm(signer),
        "signature_value": signer.sign(data),
    })
    return x509.load_der_x509_certificate(certificate.dump())


def sign_crl(builder: x509.CertificateRevocationListBuilder, signer: GostPrivateKey) -> bytes:
    """DER CRL signed by the GOST ``signer``."""
    draft = builder.sign(_placeholder(), hashes.SHA256())
    tbs = asn1_crl.TbsCertList.load(draft.tbs_certlist_bytes)
    tbs["signature"] = _algorithm(signer)
    data = tbs.dump()
    return asn1_crl.CertificateList({
        "tbs_cert_list": asn1_crl.TbsCertList.load(data),
        "signature_algorithm": _algorithm(signer),
        "signature": signer.sign(data),
    }).dump()


def ocsp_response(*, signer: GostPrivateKey, responder_key: GostPublicKey, certificates: list[bytes],
                  cert_id: Any, status: str, this_update: dt.datetime, next_update: dt.datetime,
                  revoked_at: dt.datetime | None = None, reason: str | None = None,
                  nonce: bytes | None = None) -> bytes:
    """A successful BasicOCSPResponse for one CertID (the request's, as asn1crypto CertId),
    responder by key hash, signed by the GOST ``signer`` (the issuing CA itself)."""
    if status == "revoked":
        revoked = {"revocation_time": revoked_at}
        if reason and reason != "unspecified":
            revoked["revocation_reason"] = reason
        cert_status = asn1_ocsp.CertStatus(name="revoked", value=revoked)
    else:
        cert_status = asn1_ocsp.CertStatus(name=status, value=core.Null())
    single = {"cert_id": cert_id, "cert_status": cert_status, "this_update": this_update,
              "next_update": next_update}
    data = {
        "version": "v1",
        "responder_id": asn1_ocsp.ResponderId(name="by_key", value=hashlib.sha1(responder_key.key_bits()).digest()),
        "produced_at": this_update,
        "responses": [single],
    }
    if nonce is not None:
        data["response_extensions"] = [{"extn_id": "nonce", "critical": False, "extn_value": nonce}]
    tbs = asn1_ocsp.ResponseData(data)
    encoded = tbs.dump()
    basic = asn1_ocsp.BasicOCSPResponse({
        "tbs_response_data": asn1_ocsp.ResponseData.load(encoded),
        "signature_algorithm": _algorithm(signer),
        "signature": signer.sign(encoded),
        "certs": [asn1_x509.Certificate.load(c) for c in certificates] or None,
    })
    if not certificates:
        del basic["certs"]
    return asn1_ocsp.OCSPResponse({
        "response_status": "successful",
        "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
    }).dump()
