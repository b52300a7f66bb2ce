"""CMS (PKCS#7 SignedData) signatures laid out as Kalkan makes them, RSA and GOST.

NCALayer answers ``createCAdESFromBase64`` and ``kz.gov.pki.knca.basics`` ``sign`` with
``format: cms`` with such a structure. The layout below is read off Kalkan's own signatures
(NCANode's test vectors, ``tests/support/ncanode/SIGNED_CMS*.b64``; a test compares our
structure with theirs):

- ``SignedData`` version 1; ``digestAlgorithms`` and each signer's algorithms carry a NULL
  parameter (also for GOST);
- ``encapContentInfo`` of type ``data``, with the content (attached) or without it (detached);
- ``certificates``: the signer's certificate only (the chain comes from the verifier's store, as
  for XML);
- one ``SignerInfo`` version 1 per signer, identified by issuer and serial number, with the
  signed attributes contentType, signingTime (UTCTime), messageDigest — in that (DER) order;
- the signature over the DER ``SET OF`` the attributes: RSA PKCS#1 v1.5 SHA-256
  (``sha256WithRSAEncryption``), GOST with the key's own hash and signature OIDs, the signature
  value r‖s little-endian as in XML (checked against Kalkan's GOST 2015-512 vector; the GOST
  2004 and 2015-256 OIDs are the keys' own, [inferred] for CMS).

No time-stamp token is added (NCALayer adds one when ``tsaProfile`` asks; the simulator has no
TSA): the signature is otherwise complete. RSA signing is deterministic, so the same data, key
and signing time give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from egov_sim.core.errors import InputError

from .certinfo import CertInfo, describe
from .gost import x509 as gost_x509
from .gost.keys import ALGORITHMS as GOST_ALGORITHMS
from .gost.keys import BY_SIGNATURE_OID, GostPrivateKey, GostPublicKey

SHA256_OID = "2.16.840.1.101.3.4.2.1"
SHA256_WITH_RSA_OID = "1.2.840.113549.1.1.11"
RSA_ENCRYPTION_OID = "1.2.840.113549.1.1.1"
_RSA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {SHA256_OID: hashes.SHA256, "1.3.14.3.2.26": hashes.SHA1,
               "2.16.840.1.101.3.4.2.2": hashes.SHA384, "2.16.840.1.101.3.4.2.3": hashes.SHA512}
_GOST_BY_HASH = {a.hash_oid: a for a in GOST_ALGORITHMS.values()}
_NULL = core.Null()


class CmsError(InputError):
    code = "BAD_CMS"


def _algorithm(oid: str) -> dict:
    return {"algorithm": oid, "parameters": _NULL}


def _digest(key, data: bytes) -> tuple[str, bytes]:
    """(digest OID, digest of ``data``) for the key's algorithm family."""
    if isinstance(key, GostPrivateKey):
        return key.algorithm.hash_oid, key.algorithm.hash(data)
    return SHA256_OID, hashlib.sha256(data).digest()


def _signature_oid(key) -> str:
    return key.algorithm.signature_oid if isinstance(key, GostPrivateKey) else SHA256_WITH_RSA_OID


def _raw_sign(key, signed_attributes: bytes) -> bytes:
    if isinstance(key, GostPrivateKey):
        return key.sign(signed_attributes)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(signed_attributes, padding.PKCS1v15(), hashes.SHA256())
    raise InputError(f"{type(key).__name__} keys cannot sign here (RSA or GOST keys only)",
                     code="ALGORITHM_NOT_SUPPORTED")


def _asn1_certificate(cert: x509.Certificate) -> asn1_x509.Certificate:
    # loaded lazily and dumped as loaded: asn1crypto never needs to understand a GOST key
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def sign_cms(data: bytes, key, cert: x509.Certificate, *, signing_time: dt.datetime,
             detached: bool = False, digested: bool = False) -> bytes:
    """A DER ``ContentInfo`` holding a Kalkan-style ``SignedData`` over ``data``.

    ``detached``: leave the content out (NCALayer's ``encapsulate: false``). ``digested``:
    ``data`` is already the digest of the content (NCALayer's ``digested: true``,
    ``createCAdESFromBase64Hash``); the signature is then always detached.
    """
    if signing_time.tzinfo is None:
        raise ValueError("signing_time must be an aware datetime")
    digest_oid, digest = _digest(key, b"")
    if digested:
        expected = len(digest)
        if len(data) != expected:
            raise InputError(f"a precomputed digest for this key has {expected} bytes, not {len(data)}",
                             code="BAD_DIGEST")
        digest, detached = bytes(data), True
    else:
        digest_oid, digest = _digest(key, data)
    attributes = cms.CMSAttributes([
        {"type": "content_type", "values": ["data"]},
        {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time.astimezone(dt.UTC)
                                                      .replace(microsecond=0)})]},
        {"type": "message_digest", "values": [digest]},
    ])
    signature = _raw_sign(key, attributes.dump())
    certificate = _asn1_certificate(cert)
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": certificate["tbs_certificate"]["issuer"],
            "serial_number": cert.serial_number}}),
        "digest_algorithm": _algorithm(digest_oid),
        "signed_attrs": attributes,
        "signature_algorithm": _algorithm(_signature_oid(key)),
        "signature": signature,
    })
    signed_data = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [_algorithm(digest_oid)],
        "encap_content_info": {"content_type": "data", "content": None if detached else bytes(data)},
        "certificates": [cms.CertificateChoices({"certificate": certificate})],
        "signer_infos": [signer],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CmsSigner:
    valid: bool
    certificate: x509.Certificate | None
    signer: CertInfo | None
    signing_time: dt.datetime | None
    digest_algorithm: str
    signature_algorithm: str
    failures: tuple[str, ...] = ()


@dataclass(frozen=True)
class CmsResult:
    detached: bool
    content: bytes | None
    signers: tuple[CmsSigner, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return bool(self.signers) and all(s.valid for s in self.signers)


def _load(der: bytes) -> cms.SignedData:
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise CmsError(f"not a SignedData but {info['content_type'].native}")
        signed = info["content"]
        signed["signer_infos"].native  # noqa: B018 — parse now, so bad input fails here
        return signed
    except CmsError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise CmsError(f"not a readable CMS SignedData: {exc}") from None


def _message_digest(attributes: cms.CMSAttributes) -> bytes | None:
    for attribute in attributes:
        if attribute["type"].dotted == "1.2.840.113549.1.9.4":
            return attribute["values"][0].native
    return None


def _signing_time(attributes: cms.CMSAttributes) -> dt.datetime | None:
    for attribute in attributes:
        if attribute["type"].dotted == "1.2.840.113549.1.9.5":
            return attribute["values"][0].native
    return None


def _certificates(signed: cms.SignedData) -> list[x509.Certificate]:
    out = []
    for choice in signed["certificates"] or []:
        if choice.name == "certificate":
            out.append(x509.load_der_x509_certificate(choice.chosen.dump()))
    return out


def _find(certs: list[x509.Certificate], sid: cms.SignerIdentifier) -> x509.Certificate | None:
    if sid.name != "issuer_and_serial_number":
        return None
    serial = sid.chosen["serial_number"].native
    issuer = sid.chosen["issuer"].dump()
    for cert in certs:
        if cert.serial_number == serial and cert.issuer.public_bytes() == issuer:
            return cert
    return None


def _content_digest(oid: str, content: bytes) -> bytes | None:
    if oid in _RSA_HASHES:
        h = hashes.Hash(_RSA_HASHES[oid]())
        h.update(content)
        return h.finalize()
    if oid in _GOST_BY_HASH:
        return _GOST_BY_HASH[oid].hash(content)
    return None


def verify_cms(der: bytes, *, content: bytes | None = None) -> CmsResult:
    """Check every signer's messageDigest and signature with the certificate the CMS carries.

    ``content`` is the signed data of a detached signature. Chain, validity and revocation are
    the caller's (the certificate is in :attr:`CmsSigner.certificate`), as NCANode's
    ``/cms/verify`` reports them separately.
    """
    signed = _load(der)
    attached = signed["encap_content_info"]["content"].native
    data = attached if attached is not None else content
    certs = _certificates(signed)
    results = []
    for si in signed["signer_infos"]:
        digest_oid = si["digest_algorithm"]["algorithm"].dotted
        signature_oid = si["signature_algorithm"]["algorithm"].dotted
        failures = []
        cert = _find(certs, si["sid"])
        attributes = si["signed_attrs"]
        when = _signing_time(attributes) if attributes else None
        if cert is None:
            failures.append("the signer's certificate is not in the CMS")
        if not attributes:
            failures.append("no signed attributes")
        if data is None:
            failures.append("detached signature: the signed content was not given")
        elif attributes:
            expected = _content_digest(digest_oid, data)
            if expected is None:
                failures.append(f"digest algorithm {digest_oid} is not supported")
            elif expected != _message_digest(attributes):
                failures.append("messageDigest does not match the content")
        if cert is not None and attributes:
            signed_bytes = b"\x31" + attributes.dump()[1:]  # [0] IMPLICIT → SET OF, as signed
            try:
                key = gost_x509.public_key(cert)
                if isinstance(key, GostPublicKey):
                    algorithm = BY_SIGNATURE_OID.get(signature_oid) or _GOST_BY_HASH.get(digest_oid)
                    if algorithm is None:
                        raise InvalidSignature(f"signature algorithm {signature_oid} is not GOST")
                    key.verify(si["signature"].native, signed_bytes, algorithm)
                elif isinstance(key, rsa.RSAPublicKey):
                    if signature_oid not in (SHA256_WITH_RSA_OID, RSA_ENCRYPTION_OID) and \
                            signature_oid not in _rsa_signature_oids():
                        raise InvalidSignature(f"signature algorithm {signature_oid} is not RSA")
                    hash_class = _RSA_HASHES.get(digest_oid)
                    if hash_class is None:
                        raise InvalidSignature(f"digest algorithm {digest_oid} is not supported")
                    key.verify(si["signature"].native, signed_bytes, padding.PKCS1v15(), hash_class())
                else:
                    raise UnsupportedAlgorithm(f"{type(key).__name__} keys are not supported")
            except InvalidSignature as exc:
                failures.append(f"the signature does not verify{': ' + str(exc) if str(exc) else ''}")
            except (UnsupportedAlgorithm, ValueError) as exc:
                failures.append(f"the signer's key cannot be used: {exc}")
        results.append(CmsSigner(not failures, cert, describe(cert) if cert is not None else None,
                                 when, digest_oid, signature_oid, tuple(failures)))
    return CmsResult(attached is None, data, tuple(results))


def _rsa_signature_oids() -> set[str]:
    return {oid for oid, name in algos.SignedDigestAlgorithmId._map.items() if name.endswith("_rsa")}
