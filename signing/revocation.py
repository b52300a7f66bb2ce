"""Client side of revocation checking (check K09): CRL and OCSP, the way NCANode does them.

CRL: the full CRL from the certificate's CDP plus the delta CRL from its FreshestCRL, both
signature-checked against the issuer and cached until their nextUpdate. OCSP: a POST with a
SHA-256 CertID and a 16-byte nonce to the AIA OCSP address; the answer must echo the nonce
and be signed by the issuer or by a responder certificate the issuer gave OCSPSigning.
When the issuer is a CA of a local :class:`TestPKI` (or an address belongs to it), that PKI is
asked directly instead of over HTTP, and its CRLs are dropped from the cache the moment the PKI
changes, so ``egov-sim pki revoke`` shows at once.

When a source cannot answer (a CRL past its nextUpdate, an OCSP responder that is down, a
signature that does not check), :class:`RevocationPolicy` decides: ``unavailable="fail"``
(the default) reports ``REVOCATION_UNAVAILABLE`` and the signature does not verify (fail
closed); ``"accept"`` lets it pass and records why in the revocation item (``unavailable``).
A certificate that a stale CRL lists as revoked stays revoked under either policy.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from typing import Sequence

import httpx
from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError

from .gost import x509 as gost_x509
from .pki import DELTA_CRL_PATH, FULL_CRL_PATH, MOUNT, OCSP_PATH, TestPKI
from .pki_gost import CAS as GOST_CAS

METHODS = ("CRL", "OCSP")
_LOCAL_CRLS = {FULL_CRL_PATH: ("full_crl", "rsa"), DELTA_CRL_PATH: ("delta_crl", "rsa"),
               **{ca.crl_path: ("full_crl", family) for family, ca in GOST_CAS.items()},
               **{ca.delta_crl_path: ("delta_crl", family) for family, ca in GOST_CAS.items()}}
"""CRL paths of a local test PKI: (TestPKI method, which ҰКО)."""
CLOCK_SKEW = dt.timedelta(minutes=5)
_MEMO_SIZE = 256
"""Entries of the checker's small memos (issuer names, local CAs) before they start over."""
HTTP_TIMEOUT = 10.0
UNAVAILABLE_POLICIES = ("fail", "accept")
FAILED_FETCH_MEMORY = 30.0
"""Seconds a failed fetch of a CRL address is remembered, so that a request per second to an
unreachable distribution point does not wait for the network each time (wall-clock time)."""


@dataclass(frozen=True)
class Revocation:
    revoked: bool
    by: str
    """"CRL" or "OCSP"."""
    revocation_time: dt.datetime | None = None
    reason: str | None = None
    """RFC 5280 reason name (``keyCompromise``), or None when the source gives none."""
    unavailable: str | None = None
    """Why the source could not answer, when the policy let the signature pass anyway
    (:attr:`RevocationPolicy.unavailable` = ``accept``); None for a real answer."""

    def to_json(self) -> dict:
        """NCANode's ``revocations[]`` item (``unavailable`` only when the source did not answer)."""
        out = {"revoked": self.revoked, "by": self.by,
               "revocationTime": self.revocation_time.isoformat(timespec="milliseconds")
               if self.revocation_time else None,
               "reason": self.reason}
        if self.unavailable is not None:
            out["unavailable"] = self.unavailable
        return out


@dataclass(frozen=True)
class RevocationPolicy:
    """How every verifier of the simulator checks revocation (``egov-sim serve --revocation``,
    ``--revocation-unavailable``; ``[gateway] revocation``, ``revocation_unavailable``)."""

    methods: tuple[str, ...] = ("CRL",)
    """("CRL",), ("OCSP",) or both (each must say "not revoked")."""
    unavailable: str = "fail"
    """A source that cannot answer: ``fail`` (closed: the signature is not accepted) or
    ``accept`` (open: accepted, the reason recorded)."""

    def __post_init__(self) -> None:
        methods = tuple(m.upper() for m in self.methods)
        unknown = [m for m in methods if m not in METHODS]
        if unknown or not methods:
            raise InputError(f"revocation methods must be a subset of {list(METHODS)}, got {list(self.methods)}",
                             code="BAD_REVOCATION_METHOD")
        if self.unavailable not in UNAVAILABLE_POLICIES:
            raise InputError(f"revocation_unavailable must be one of {', '.join(UNAVAILABLE_POLICIES)}, "
                             f"got {self.unavailable!r}", code="BAD_REVOCATION_POLICY")
        object.__setattr__(self, "methods", methods)

    def checker(self, pki: TestPKI | None, *, clock: Clock = system_clock,
                crls: Sequence[x509.CertificateRevocationList] = (),
                http: httpx.Client | None = None) -> RevocationChecker:
        """A checker over the simulator's own PKI (asked directly), ``crls`` for their issuers,
        and the certificates' own CRL/OCSP addresses for anyone else."""
        return RevocationChecker(methods=self.methods, local_pki=pki, clock=clock, crls=crls,
                                 http=http, unavailable=self.unavailable)


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


def _signed_by(cert: x509.Certificate, signature: bytes, data: bytes, oid, hash_algorithm) -> bool:
    """Whether ``cert``'s key made ``signature`` over ``data`` (RSA, ECDSA or GOST).

    ``hash_algorithm`` is a callable: cryptography raises when asked for a GOST OID's hash."""
    try:
        gost_x509.verify_signature(gost_x509.public_key(cert), signature, data, oid, hash_algorithm)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    return crl.issuer == issuer.subject and _signed_by(
        issuer, crl.signature, crl.tbs_certlist_bytes, crl.signature_algorithm_oid,
        lambda: crl.signature_hash_algorithm)


class RevocationChecker:
    """Answers "is this certificate revoked?" by each configured method, one answer per method."""

    def __init__(self, *, methods: Sequence[str] = ("CRL",), http: httpx.Client | None = None,
                 local_pki: TestPKI | None = None, clock: Clock = system_clock,
                 crls: Sequence[x509.CertificateRevocationList] = (), unavailable: str = "fail"):
        unknown = [m for m in methods if m not in METHODS]
        if unknown or not methods:
            raise InputError(f"revocation methods must be a subset of {list(METHODS)}, got {list(methods)}",
                             code="BAD_REVOCATION_METHOD")
        if unavailable not in UNAVAILABLE_POLICIES:
            raise InputError(f"unavailable must be one of {', '.join(UNAVAILABLE_POLICIES)}",
                             code="BAD_REVOCATION_POLICY")
        self.methods = tuple(methods)
        self.unavailable = unavailable
        self._failed_fetches: dict[str, tuple[float, str]] = {}
        self._http = http
        self._owns_http = http is None
        self._local = local_pki
        self._clock = clock
        self._crls: dict[str, tuple[x509.CertificateRevocationList, object, dt.datetime | None]] = {}
        self._lock = threading.Lock()
        self._families: dict[x509.Certificate, tuple[object, str | None]] = {}
        """Issuer → (the local PKI's version, which of its CAs it is): one comparison per PKI change."""
        self._issued: dict[tuple[x509.Certificate, x509.Certificate], bool] = {}
        """(certificate, issuer) → whether the issuer's name is the certificate's issuer name
        (reading a Name out of a certificate costs more than the rest of a cached CRL check)."""
        self._static: dict[x509.Name, list[x509.CertificateRevocationList]] = {}
        """CRLs given in the configuration (e.g. NCA's test CRL), by issuer: used instead of the
        certificate's CDP, whose addresses the simulator cannot reach."""
        for crl in crls:
            self._static.setdefault(crl.issuer, []).append(crl)

    def check(self, cert: x509.Certificate, issuer: x509.Certificate) -> list[Revocation]:
        """One answer per method; a source that cannot answer raises ``REVOCATION_UNAVAILABLE``
        (policy ``fail``) or answers "not revoked" with the reason in ``unavailable`` (``accept``)."""
        if not self._issuer_named(cert, issuer):
            raise InputError(f"{issuer.subject.rfc4514_string()} did not issue this certificate",
                             code="WRONG_ISSUER")
        answers = []
        for method in self.methods:
            try:
                answers.append(self._check_crl(cert, issuer) if method == "CRL"
                               else self._check_ocsp(cert, issuer))
            except InputError as exc:
                if self.unavailable != "accept" or exc.code != "REVOCATION_UNAVAILABLE":
                    raise
                answers.append(Revocation(False, method, unavailable=str(exc)))
        return answers

    def _issuer_named(self, cert: x509.Certificate, issuer: x509.Certificate) -> bool:
        key = (cert, issuer)
        named = self._issued.get(key)
        if named is None:
            named = cert.issuer == issuer.subject
            with self._lock:
                if len(self._issued) >= _MEMO_SIZE:
                    self._issued.clear()
                self._issued[key] = named
        return named

    def local_issuer(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The local PKI's CA that bears the name of ``cert``'s issuer (RSA or GOST ҰКО), or None."""
        for ca in self._local_cas():
            if ca.subject == cert.issuer:
                return ca
        return None

    def _local_cas(self) -> list[x509.Certificate]:
        if self._local is None:
            return []
        gost = self._local.gost_authority()
        return [self._local.ca, *(gost.ca(family) for family in GOST_CAS)] if gost else [self._local.ca]

    def _local_family(self, issuer: x509.Certificate, version: object = None) -> str | None:
        """Which CA of the local PKI ``issuer`` is: ``rsa``, ``gost2004``, ``gost2015``; None.
        The certificate itself is compared: another PKI may use the same names. ``version``:
        the local PKI's, read by the caller (the answer is remembered for that version)."""
        if self._local is None:
            return None
        known = self._families.get(issuer)
        if known is not None and version is not None and known[0] == version:
            return known[1]
        family = self._find_local_family(issuer)
        if version is not None:
            with self._lock:
                if len(self._families) >= _MEMO_SIZE:
                    self._families.clear()
                self._families[issuer] = (version, family)
        return family

    def _find_local_family(self, issuer: x509.Certificate) -> str | None:
        if issuer == self._local.ca:
            return "rsa"
        gost = self._local.gost_authority()
        if gost is not None:
            for family in GOST_CAS:
                if gost.ca(family) == issuer:
                    return family
        return None

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
        failed = self._failed_fetches.get(url)
        if failed is not None and time.monotonic() - failed[0] < FAILED_FETCH_MEMORY:
            raise _unavailable(failed[1])
        try:
            response = self._client().get(url)
        except httpx.HTTPError as exc:
            raise self._fetch_failed(url, f"cannot fetch {url}: {exc}") from None
        if response.status_code != 200 or not response.content:
            raise self._fetch_failed(url, f"cannot fetch {url}: HTTP {response.status_code}, "
                                          f"{len(response.content)} bytes")
        self._failed_fetches.pop(url, None)
        return response.content

    def _fetch_failed(self, url: str, message: str) -> InputError:
        self._failed_fetches[url] = (time.monotonic(), message)
        return _unavailable(message)

    # --- CRL -------------------------------------------------------------------------------

    def _crl(self, url: str, issuer: x509.Certificate, now: dt.datetime, *, refresh: bool = False,
             local: tuple[str, str] | None = None, version: object = None) -> x509.CertificateRevocationList:
        """The CRL at ``url``, from the cache while it is current. A local PKI's CRLs (``local``:
        which method of it, which CA) are also dropped from the cache as soon as the PKI changes
        (``version``: the PKI's, when the caller has just read it), so its revocations show at once."""
        local = local or _LOCAL_CRLS.get(self._local_path(url) or "")
        if local and version is None:
            version = self._local.version
        elif not local:
            version = None
        with self._lock:
            cached = self._crls.get(url)
        if (cached is not None and not refresh and cached[1] == version
                and cached[2] is not None and now <= cached[2]):
            return cached[0]
        der = getattr(self._local, local[0])(at=now, ca=local[1]) if local else self._fetch(url)
        try:
            crl = x509.load_der_x509_crl(der)
        except ValueError:
            try:
                crl = x509.load_pem_x509_crl(der)
            except ValueError:
                raise _unavailable(f"{url} did not return a CRL") from None
        if not _crl_signed_by(crl, issuer):
            raise _unavailable(f"the CRL from {url} is not signed by {issuer.subject.rfc4514_string()}")
        if crl.next_update_utc is None or crl.next_update_utc < now - CLOCK_SKEW:
            raise _unavailable(f"the CRL from {url} is out of date (nextUpdate {crl.next_update_utc})")
        with self._lock:
            self._crls[url] = (crl, version, crl.next_update_utc)
        return crl

    def _check_crl(self, cert: x509.Certificate, issuer: x509.Certificate) -> Revocation:
        now = self._clock()
        version = self._local.version if self._local is not None else None  # one stat per check
        family = self._local_family(issuer, version)
        if family is None and issuer.subject in self._static:
            return self._check_static_crl(cert, issuer, now)
        if family is not None:  # the simulator's own CA: its CRLs straight from the PKI
            full_url, delta_url = f"local:{family}:full", f"local:{family}:delta"
            full = self._crl(full_url, issuer, now, local=("full_crl", family), version=version)
            delta = self._crl(delta_url, issuer, now, local=("delta_crl", family), version=version)
            return crl_status(full, cert, delta)
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
        return crl_status(full, cert, delta)

    def _check_static_crl(self, cert: x509.Certificate, issuer: x509.Certificate,
                          now: dt.datetime) -> Revocation:
        crls = [c for c in self._static[issuer.subject] if _crl_signed_by(c, issuer)]
        if not crls:
            raise _unavailable(f"no configured CRL of {issuer.subject.rfc4514_string()} is signed by it")
        current = [c for c in crls if c.last_update_utc <= now + CLOCK_SKEW
                   and (c.next_update_utc is None or now - CLOCK_SKEW <= c.next_update_utc)]
        if not current:
            newest = crl_status(max(crls, key=lambda c: c.last_update_utc), cert)
            if newest.revoked:  # a revocation is final: a stale CRL that lists it is still right
                return newest
            raise _unavailable(f"the configured CRL of {issuer.subject.rfc4514_string()} is not current "
                               f"at {now.isoformat()} (thisUpdate {crls[0].last_update_utc}, "
                               f"nextUpdate {crls[0].next_update_utc})")
        return crl_status(max(current, key=lambda c: c.last_update_utc), cert)

    # --- OCSP ------------------------------------------------------------------------------

    def _check_ocsp(self, cert: x509.Certificate, issuer: x509.Certificate) -> Revocation:
        aia = _extension(cert, x509.AuthorityInformationAccess)
        url = next((d.access_location.value for d in aia or ()
                    if d.access_method == AuthorityInformationAccessOID.OCSP), None)
        if not url:
            raise _unavailable("the certificate names no OCSP responder")
        nonce = os.urandom(16)
        from .ocsp_responder import issuer_hashes  # by hash: also for GOST issuers

        name_hash, key_hash = issuer_hashes(issuer, hashes.SHA256())
        request = (ocsp.OCSPRequestBuilder()
                   .add_certificate_by_hash(name_hash, key_hash, cert.serial_number, hashes.SHA256())
                   .add_extension(x509.OCSPNonce(nonce), critical=False)
                   .build().public_bytes(serialization.Encoding.DER))
        now = self._clock()
        local = self._local_path(url)
        if self._local_family(issuer) is not None or (
                local is not None and local.rstrip("/") == OCSP_PATH):
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
        return read_ocsp_response(der, cert, issuer, at=now, nonce=nonce, source=url)


def crl_status(crl: x509.CertificateRevocationList, cert: x509.Certificate,
               delta: x509.CertificateRevocationList | None = None) -> Revocation:
    """What a (signature-checked) CRL, and its delta, say about ``cert``."""
    for current in (delta, crl):
        entry = current.get_revoked_certificate_by_serial_number(cert.serial_number) if current else None
        if entry is None:
            continue
        reason = _entry_reason(entry)
        if reason == "removeFromCRL":
            return Revocation(False, "CRL")
        return Revocation(True, "CRL", entry.revocation_date_utc, reason)
    return Revocation(False, "CRL")


_NOT_ISSUED_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EXTENDED_REVOKE = x509.ObjectIdentifier("1.3.6.1.5.5.7.48.1.9")


def read_ocsp_response(der: bytes, cert: x509.Certificate, issuer: x509.Certificate, *,
                       at: dt.datetime, nonce: bytes | None = None, source: str = "the responder"
                       ) -> Revocation:
    """Check an OCSP response (signature, responder, freshness at ``at``, our ``nonce`` when we
    sent one) and return what it says about ``cert``. Also reads NCA's stored answers.

    RFC 6960 §2.2: "revoked" with reason certificateHold, revocationTime 1970-01-01 and the
    extended-revoke extension means *never issued by this CA*; NCA's test responder answers
    so for certificates it does not know. That is reported as REVOCATION_UNKNOWN, not revoked.
    """
    url, now = source, at
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
    if nonce is not None and echoed != nonce:
        raise _unavailable(f"OCSP responder {url} did not echo our nonce")
    signer = _ocsp_signer(resp, issuer, now)
    if signer is None:
        raise _unavailable(f"OCSP response from {url} is not signed by the issuer or its delegated responder")
    if not _signed_by(signer, resp.signature, resp.tbs_response_bytes, resp.signature_algorithm_oid,
                      lambda: resp.signature_hash_algorithm):
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
        if (single.revocation_time_utc == _NOT_ISSUED_TIME and reason == "certificateHold"
                and any(e.oid == _EXTENDED_REVOKE for e in resp.extensions)):
            raise InputError(f"OCSP responder {url} says certificate {cert.serial_number:X} was never "
                             "issued by this CA (RFC 6960 extended revoked)", code="REVOCATION_UNKNOWN")
        return Revocation(True, "OCSP", single.revocation_time_utc, reason)
    return Revocation(False, "OCSP")


def _ocsp_signer(resp: ocsp.OCSPResponse, issuer: x509.Certificate,
                 now: dt.datetime) -> x509.Certificate | None:
    """The issuer itself, or a certificate in the response that the issuer made an OCSP responder."""
    def matches(cert: x509.Certificate) -> bool:
        if resp.responder_name is not None:
            return cert.subject == resp.responder_name
        return _key_hash(cert) == resp.responder_key_hash

    if matches(issuer):
        return issuer
    for cert in resp.certificates:
        if not matches(cert) or cert.issuer != issuer.subject:
            continue
        if cert.issuer != issuer.subject or not _signed_by(
                issuer, cert.signature, cert.tbs_certificate_bytes, cert.signature_algorithm_oid,
                lambda cert=cert: cert.signature_hash_algorithm):
            continue
        if ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string not in _eku_oids(cert):
            continue
        if not cert.not_valid_before_utc - CLOCK_SKEW <= now <= cert.not_valid_after_utc + CLOCK_SKEW:
            continue
        return cert
    return None


class _RawExtension(core.Sequence):
    _fields = [("extn_id", core.ObjectIdentifier), ("critical", core.Boolean, {"default": False}),
               ("extn_value", core.OctetString)]


class _RawExtensions(core.SequenceOf):
    _child_spec = _RawExtension


def _eku_oids(cert: x509.Certificate) -> set[str]:
    """The ExtendedKeyUsage OIDs, also when cryptography refuses the extension list: NCA's GOST
    2004 OCSP responder encodes id-pkix-ocsp-nocheck as an empty OCTET STRING (not NULL)."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        return {oid.dotted_string for oid in eku}
    except x509.ExtensionNotFound:
        return set()
    except ValueError:
        extensions = asn1_x509.TbsCertificate.load(cert.tbs_certificate_bytes)["extensions"]
        body = extensions.contents  # the Extension elements, inside [3] and the SEQUENCE
        length = len(body).to_bytes((len(body).bit_length() + 7) // 8 or 1, "big")
        header = b"\x30" + (bytes([len(body)]) if len(body) < 0x80 else bytes([0x80 | len(length)]) + length)
        for extension in _RawExtensions.load(header + body):
            if extension["extn_id"].dotted == "2.5.29.37":
                usage = asn1_x509.ExtKeyUsageSyntax.load(extension["extn_value"].native)
                return {oid.dotted for oid in usage}
        return set()


def _key_hash(cert: x509.Certificate) -> bytes:
    """SHA-1 of the subjectPublicKey bits (RFC 6960 ResponderID byKey)."""
    key = gost_x509.gost_public_key(cert)
    if key is None:
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
    digest = hashes.Hash(hashes.SHA1())
    digest.update(key.key_bits())
    return digest.finalize()


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
