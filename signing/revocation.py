"""Client side of revocation checking (check K09): CRL and OCSP, the way NCANode does them.

CRL: the full CRL from the certificate's CDP plus the delta CRL from its FreshestCRL, both
signature-checked against the issuer and cached until their nextUpdate. OCSP: a POST with a
SHA-256 CertID and a 16-byte nonce to the AIA OCSP address; the answer must echo the nonce
and be signed by the issuer or by a responder certificate the issuer gave OCSPSigning.
When an address belongs to a local :class:`TestPKI`, it is asked directly instead of over HTTP.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from typing import Sequence

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError

from .pki import DELTA_CRL_PATH, FULL_CRL_PATH, MOUNT, OCSP_PATH, TestPKI

METHODS = ("CRL", "OCSP")
CLOCK_SKEW = dt.timedelta(minutes=5)
HTTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Revocation:
    revoked: bool
    by: str
    """"CRL" or "OCSP"."""
    revocation_time: dt.datetime | None = None
    reason: str | None = None
    """RFC 5280 reason name (``keyCompromise``), or None when the source gives none."""

    def to_json(self) -> dict:
        """NCANode's ``revocations[]`` item."""
        return {"revoked": self.revoked, "by": self.by,
                "revocationTime": self.revocation_time.isoformat(timespec="milliseconds")
                if self.revocation_time else None,
                "reason": self.reason}


def _unavailable(message: str) -> InputError:
    return InputError(message, code="REVOCATION_UNAVAILABLE")


def _first_uri(points) -> str | None:
    for point in points or ():
        for name in point.full_name or ():
            if isinstance(name, x509.UniformResourceIdentifier):
                return name.value
    return None


def _extension(cert: x509.Certificate, kind):
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _verify_signature(public_key, signature: bytes, data: bytes, algorithm) -> bool:
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            return False
    except InvalidSignature:
        return False
    return True


class RevocationChecker:
    """Answers "is this certificate revoked?" by each configured method, one answer per method."""

    def __init__(self, *, methods: Sequence[str] = ("CRL",), http: httpx.Client | None = None,
                 local_pki: TestPKI | None = None, clock: Clock = system_clock):
        unknown = [m for m in methods if m not in METHODS]
        if unknown or not methods:
            raise InputError(f"revocation methods must be a subset of {list(METHODS)}, got {list(methods)}",
                             code="BAD_REVOCATION_METHOD")
        self.methods = tuple(methods)
        self._http = http
        self._owns_http = http is None
        self._local = local_pki
        self._clock = clock
        self._crls: dict[str, tuple[x509.CertificateRevocationList, object]] = {}
        self._lock = threading.Lock()

    def check(self, cert: x509.Certificate, issuer: x509.Certificate) -> list[Revocation]:
        if cert.issuer != issuer.subject:
            raise InputError(f"{issuer.subject.rfc4514_string()} did not issue this certificate",
                             code="WRONG_ISSUER")
        return [self._check_crl(cert, issuer) if m == "CRL" else self._check_ocsp(cert, issuer)
                for m in self.methods]

    def close(self) -> None:
        """Close the HTTP client the checker made for itself (a client passed in stays open)."""
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> RevocationChecker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=HTTP_TIMEOUT)
        return self._http

    def _local_path(self, url: str) -> str | None:
        """The path under /pki when ``url`` is served by the local PKI, else None."""
        if self._local is None:
            return None
        prefix = self._local.base_url + MOUNT
        return url[len(prefix):] if url.startswith(prefix + "/") else None

    def _fetch(self, url: str) -> bytes:
        try:
            response = self._client().get(url)
        except httpx.HTTPError as exc:
            raise _unavailable(f"cannot fetch {url}: {exc}") from None
        if response.status_code != 200 or not response.content:
            raise _unavailable(f"cannot fetch {url}: HTTP {response.status_code}, {len(response.content)} bytes")
        return response.content

    # --- CRL -------------------------------------------------------------------------------

    def _crl(self, url: str, issuer: x509.Certificate, now: dt.datetime, *, refresh: bool = False,
             ) -> x509.CertificateRevocationList:
        """The CRL at ``url``, from the cache while it is current. A local PKI's CRLs are also
        dropped from the cache as soon as the PKI changes, so its revocations show at once."""
        local = {FULL_CRL_PATH: "full_crl", DELTA_CRL_PATH: "delta_crl"}.get(self._local_path(url) or "")
        version = self._local.version if local else None
        with self._lock:
            cached = self._crls.get(url)
        if (cached is not None and not refresh and cached[1] == version
                and now <= cached[0].next_update_utc):
            return cached[0]
        der = getattr(self._local, local)(at=now) if local else self._fetch(url)
        try:
            crl = x509.load_der_x509_crl(der)
        except ValueError:
            try:
                crl = x509.load_pem_x509_crl(der)
            except ValueError:
                raise _unavailable(f"{url} did not return a CRL") from None
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):
            raise _unavailable(f"the CRL from {url} is not signed by {issuer.subject.rfc4514_string()}")
        if crl.next_update_utc is None or crl.next_update_utc < now - CLOCK_SKEW:
            raise _unavailable(f"the CRL from {url} is out of date (nextUpdate {crl.next_update_utc})")
        with self._lock:
            self._crls[url] = (crl, version)
        return crl

    def _check_crl(self, cert: x509.Certificate, issuer: x509.Certificate) -> Revocation:
        now = self._clock()
        full_url = _first_uri(_extension(cert, x509.CRLDistributionPoints))
        if not full_url:
            raise _unavailable("the certificate names no CRL distribution point")
        full = self._crl(full_url, issuer, now)
        delta_url = _first_uri(_extension(cert, x509.FreshestCRL))
        delta = None
        if delta_url:
            delta = self._crl(delta_url, issuer, now)
            base = _crl_extension(delta, x509.DeltaCRLIndicator)
            if base is None:
                raise _unavailable(f"{delta_url} is not a delta CRL (no DeltaCRLIndicator)")
            if _crl_number(full) < base.crl_number:
                full = self._crl(full_url, issuer, now, refresh=True)
                if _crl_number(full) < base.crl_number:
                    raise _unavailable(f"the full CRL {full_url} is older than the base of {delta_url}")
        for crl in (delta, full):
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number) if crl else None
            if entry is None:
                continue
            reason = _entry_reason(entry)
            if reason == "removeFromCRL":
                return Revocation(False, "CRL")
            return Revocation(True, "CRL", entry.revocation_date_utc, reason)
        return Revocation(False, "CRL")

    # --- OCSP ------------------------------------------------------------------------------

    def _check_ocsp(self, cert: x509.Certificate, issuer: x509.Certificate) -> Revocation:
        aia = _extension(cert, x509.AuthorityInformationAccess)
        url = next((d.access_location.value for d in aia or ()
                    if d.access_method == AuthorityInformationAccessOID.OCSP), None)
        if not url:
            raise _unavailable("the certificate names no OCSP responder")
        nonce = os.urandom(16)
        request = (ocsp.OCSPRequestBuilder()
                   .add_certificate(cert, issuer, hashes.SHA256())
                   .add_extension(x509.OCSPNonce(nonce), critical=False)
                   .build().public_bytes(serialization.Encoding.DER))
        now = self._clock()
        local = self._local_path(url)
        if local is not None and local.rstrip("/") == OCSP_PATH:
            der = self._local.ocsp_response(request, at=now)
        else:
            try:
                response = self._client().post(url, content=request,
                                               headers={"Content-Type": "application/ocsp-request"})
            except httpx.HTTPError as exc:
                raise _unavailable(f"cannot reach OCSP responder {url}: {exc}") from None
            if response.status_code != 200:
                raise _unavailable(f"OCSP responder {url} answered HTTP {response.status_code}")
            der = response.content
        return self._read_ocsp(der, cert, issuer, nonce, now, url)

    def _read_ocsp(self, der: bytes, cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes,
                   now: dt.datetime, url: str) -> Revocation:
        try:
            resp = ocsp.load_der_ocsp_response(der)
        except ValueError:
            raise _unavailable(f"OCSP responder {url} sent something that is not an OCSP response") from None
        if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise _unavailable(f"OCSP responder {url} answered {resp.response_status.name}")
        try:
            echoed = resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            echoed = None
        if echoed != nonce:
            raise _unavailable(f"OCSP responder {url} did not echo our nonce")
        signer = _ocsp_signer(resp, issuer, now)
        if signer is None:
            raise _unavailable(f"OCSP response from {url} is not signed by the issuer or its delegated responder")
        if not _verify_signature(signer.public_key(), resp.signature, resp.tbs_response_bytes,
                                 resp.signature_hash_algorithm):
            raise _unavailable(f"OCSP response from {url} has a bad signature")
        single = next((s for s in resp.responses if s.serial_number == cert.serial_number), None)
        if single is None:
            raise _unavailable(f"OCSP response from {url} says nothing about serial {cert.serial_number:X}")
        if single.this_update_utc > now + CLOCK_SKEW or (
                single.next_update_utc is not None and single.next_update_utc < now - CLOCK_SKEW):
            raise _unavailable(f"OCSP response from {url} is not current")
        if single.certificate_status == ocsp.OCSPCertStatus.UNKNOWN:
            raise InputError(f"OCSP responder {url} does not know certificate {cert.serial_number:X}",
                             code="REVOCATION_UNKNOWN")
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            reason = single.revocation_reason.value if single.revocation_reason else None
            return Revocation(True, "OCSP", single.revocation_time_utc, reason)
        return Revocation(False, "OCSP")


def _ocsp_signer(resp: ocsp.OCSPResponse, issuer: x509.Certificate, now: dt.datetime) -> x509.Certificate | None:
    """The issuer itself, or a certificate in the response that the issuer made an OCSP responder."""
    def matches(cert: x509.Certificate) -> bool:
        if resp.responder_name is not None:
            return cert.subject == resp.responder_name
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest == resp.responder_key_hash

    if matches(issuer):
        return issuer
    for cert in resp.certificates:
        if not matches(cert) or cert.issuer != issuer.subject:
            continue
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            continue
        eku = _extension(cert, x509.ExtendedKeyUsage)
        if eku is None or ExtendedKeyUsageOID.OCSP_SIGNING not in eku:
            continue
        if not cert.not_valid_before_utc - CLOCK_SKEW <= now <= cert.not_valid_after_utc + CLOCK_SKEW:
            continue
        return cert
    return None


def _crl_extension(crl: x509.CertificateRevocationList, kind):
    try:
        return crl.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _crl_number(crl: x509.CertificateRevocationList) -> int:
    number = _crl_extension(crl, x509.CRLNumber)
    return number.crl_number if number else -1


def _entry_reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
    except x509.ExtensionNotFound:
        return None
