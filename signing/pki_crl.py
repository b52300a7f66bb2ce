"""Full and delta CRLs of the test PKI, built on demand for the requested moment.

CRLs are not stored: each request signs a fresh one, so a revocation shows up at once.
Numbering comes from time, which keeps it monotonic across processes without shared state:
the CRL number is the ``thisUpdate`` instant in Unix milliseconds. Base CRLs are
(virtually) issued at the start of each UTC day; a delta CRL names that day's base in its
critical DeltaCRLIndicator and lists every revocation entered since. RFC 5280 §5.2.4 lets a
delta be applied to any complete CRL numbered at least the base, which every full CRL
fetched since midnight is.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding

from .gost import resign
from .gost import x509 as gost_x509
from .gost.keys import GostPrivateKey
from .pki_index import IssuedRecord
from .pki_profile import authority_key_identifier

FULL_CRL_VALIDITY = dt.timedelta(days=1)
DELTA_CRL_VALIDITY = dt.timedelta(hours=1)
BASE_CRL_PERIOD = dt.timedelta(days=1)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def crl_number(at: dt.datetime) -> int:
    return int((at - _EPOCH) / dt.timedelta(milliseconds=1))


def base_crl_time(at: dt.datetime) -> dt.datetime:
    """When the complete CRL that today's delta CRLs refer to was issued."""
    return _EPOCH + ((at - _EPOCH) // BASE_CRL_PERIOD) * BASE_CRL_PERIOD


def reason_flag(reason: str | None) -> x509.ReasonFlags | None:
    """The reasonCode to publish; ``unspecified`` is left out, as RFC 5280 §5.3.1 asks."""
    if reason is None:
        return None
    flag = x509.ReasonFlags(reason)
    return None if flag is x509.ReasonFlags.unspecified else flag


def _entry(record: IssuedRecord) -> x509.RevokedCertificate:
    builder = (x509.RevokedCertificateBuilder()
               .serial_number(record.serial)
               .revocation_date(record.revoked_at))
    flag = reason_flag(record.reason)
    if flag is not None:
        builder = builder.add_extension(x509.CRLReason(flag), critical=False)
    return builder.build()


def _sign(*, issuer: x509.Certificate, key: rsa.RSAPrivateKey, entries: Iterable[IssuedRecord],
          at: dt.datetime, validity: dt.timedelta, extensions: list[tuple[x509.ExtensionType, bool]]) -> bytes:
    number = crl_number(at)
    at = at.replace(microsecond=0)
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer.subject)
               .last_update(at)
               .next_update(at + validity)
               .add_extension(x509.CRLNumber(number), critical=False)
               .add_extension(authority_key_identifier(gost_x509.public_key(issuer)), critical=False))
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    for record in sorted(entries, key=lambda r: r.serial):
        builder = builder.add_revoked_certificate(_entry(record))
    if isinstance(key, GostPrivateKey):  # a GOST ҰКО's CRL, signed in GOST like NCA's
        return resign.sign_crl(builder, key)
    return builder.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)


def full_crl(*, issuer: x509.Certificate, key: rsa.RSAPrivateKey, records: Iterable[IssuedRecord],
             at: dt.datetime, delta_url: str | None = None) -> bytes:
    """Every revoked certificate; points at the delta CRL (FreshestCRL) when one is served."""
    extensions: list[tuple[x509.ExtensionType, bool]] = []
    if delta_url:
        extensions.append((x509.FreshestCRL([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(delta_url)], None, None, None)]), False))
    revoked = [r for r in records if r.status == "revoked"]
    return _sign(issuer=issuer, key=key, entries=revoked, at=at, validity=FULL_CRL_VALIDITY,
                 extensions=extensions)


def delta_crl(*, issuer: x509.Certificate, key: rsa.RSAPrivateKey, records: Iterable[IssuedRecord],
              at: dt.datetime) -> bytes:
    """Revocations entered since today's base CRL; DeltaCRLIndicator is critical (RFC 5280 §5.2.4)."""
    base = base_crl_time(at)
    revoked = [r for r in records if r.status == "revoked" and r.recorded_at >= base]
    return _sign(issuer=issuer, key=key, entries=revoked, at=at, validity=DELTA_CRL_VALIDITY,
                 extensions=[(x509.DeltaCRLIndicator(crl_number(base)), True)])
