"""Certificate information the way NCANode extracts it (spec §2.5), so integrators see the fields
they already parse: ``iin`` from SERIALNUMBER, ``bin`` from OU, the patronymic in ``lastName``,
SIGN/AUTH from KeyUsage and role names from the EKU.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from .gost import x509 as gost_x509
from .pki_profile import ROLE_NAMES, dn_string

_SIGN_ALG_NAMES = {
    "1.2.840.113549.1.1.11": "SHA256withRSA",
    "1.2.840.113549.1.1.5": "SHA1withRSA",
    "1.2.840.113549.1.1.12": "SHA384withRSA",
    "1.2.840.113549.1.1.13": "SHA512withRSA",
}


@dataclass(frozen=True)
class Subject:
    """One side (subject or issuer) of a certificate in NCANode's CertificateSubject terms."""

    common_name: str | None = None
    surname: str | None = None
    patronymic: str | None = None
    """NCANode's ``lastName`` (the GN / givenName attribute holds the patronymic)."""
    given_name: str | None = None
    """The first name: what is left of CN after the surname."""
    iin: str | None = None
    bin: str | None = None
    organization: str | None = None
    country: str | None = None
    locality: str | None = None
    state: str | None = None
    email: str | None = None
    dn: str = ""

    def to_json(self) -> dict:
        fields = {
            "commonName": self.common_name, "lastName": self.patronymic, "surName": self.surname,
            "email": self.email, "organization": self.organization, "iin": self.iin,
            "bin": self.bin, "country": self.country, "locality": self.locality,
            "state": self.state, "dn": self.dn,
        }
        return {k: v for k, v in fields.items() if v is not None}


def _strip(value: str, prefix: str) -> str:
    return value[len(prefix):] if value.startswith(prefix) else value


def subject_of(name: x509.Name) -> Subject:
    """NCANode's createCertificateSubjectFromDn rules, applied to a parsed name."""
    values: dict[str, str] = {}
    for attr in name:
        value = attr.value if isinstance(attr.value, str) else attr.value.decode("latin-1")
        oid = attr.oid
        if oid == NameOID.SERIAL_NUMBER:
            if value.startswith("BIN"):
                values["bin"] = value[3:]
            else:
                values["iin"] = _strip(value, "IIN")
        elif oid == NameOID.ORGANIZATIONAL_UNIT_NAME:
            values["bin"] = _strip(value, "BIN")
        else:
            key = {
                NameOID.COMMON_NAME: "common_name", NameOID.SURNAME: "surname",
                NameOID.GIVEN_NAME: "patronymic", NameOID.ORGANIZATION_NAME: "organization",
                NameOID.COUNTRY_NAME: "country", NameOID.LOCALITY_NAME: "locality",
                NameOID.STATE_OR_PROVINCE_NAME: "state", NameOID.EMAIL_ADDRESS: "email",
            }.get(oid)
            if key:
                values[key] = value
    cn, surname = values.get("common_name"), values.get("surname")
    given = None
    if cn and surname and cn.startswith(surname + " "):
        given = cn[len(surname) + 1:].strip() or None
    return Subject(given_name=given, dn=dn_string(name), **values)


@dataclass(frozen=True)
class CertInfo:
    subject: Subject
    issuer: Subject
    serial_hex: str
    not_before: dt.datetime
    not_after: dt.datetime
    key_usage: str
    """"SIGN", "AUTH" or "UNKNOWN", by NCANode's KeyUsage rule."""
    roles: list[str] = field(default_factory=list)
    """NCANode ``keyUser``: role names for the EKU OIDs of spec §2.4."""
    extended_key_usage: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    sign_alg: str = ""
    public_key_b64: str = ""
    signature_b64: str = ""

    iin = property(lambda self: self.subject.iin)
    bin = property(lambda self: self.subject.bin)
    common_name = property(lambda self: self.subject.common_name)
    surname = property(lambda self: self.subject.surname)
    patronymic = property(lambda self: self.subject.patronymic)
    given_name = property(lambda self: self.subject.given_name)
    organization = property(lambda self: self.subject.organization)
    country = property(lambda self: self.subject.country)
    email = property(lambda self: self.subject.email)
    dn = property(lambda self: self.subject.dn)
    issuer_dn = property(lambda self: self.issuer.dn)

    def valid_at(self, at: dt.datetime) -> bool:
        return self.not_before <= at <= self.not_after

    def to_json(self, *, valid: bool | None = None, revocations: Sequence = ()) -> dict:
        """NCANode's CertificateInfo. ``valid`` and ``revocations`` come from a verification
        (items are :class:`signing.revocation.Revocation` or ready dicts); absent ones are omitted."""
        out: dict = {}
        if valid is not None:
            out["valid"] = valid
        if revocations:
            out["revocations"] = [r if isinstance(r, dict) else r.to_json() for r in revocations]
        out.update({
            "notBefore": _iso(self.not_before), "notAfter": _iso(self.not_after),
            "keyUsage": self.key_usage, "serialNumber": self.serial_hex, "signAlg": self.sign_alg,
            "keyUser": list(self.roles), "publicKey": self.public_key_b64,
            "signature": self.signature_b64, "subject": self.subject.to_json(),
            "issuer": self.issuer.to_json(),
        })
        return out


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def key_usage_kind(cert: x509.Certificate) -> str:
    """NCANode: digitalSignature + nonRepudiation → SIGN; digitalSignature + keyEncipherment → AUTH."""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "UNKNOWN"
    if ku.digital_signature and ku.content_commitment:
        return "SIGN"
    if ku.digital_signature and ku.key_encipherment:
        return "AUTH"
    return "UNKNOWN"


def _extension(cert: x509.Certificate, kind):
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _spki(cert: x509.Certificate) -> bytes:
    try:
        return cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except UnsupportedAlgorithm:  # GOST: the key as encoded in the certificate
        return gost_x509.spki_der(cert)


def describe(cert: x509.Certificate) -> CertInfo:
    eku = _extension(cert, x509.ExtendedKeyUsage)
    eku_oids = [oid.dotted_string for oid in eku] if eku else []
    policies = _extension(cert, x509.CertificatePolicies)
    sig_oid = cert.signature_algorithm_oid.dotted_string
    return CertInfo(
        subject=subject_of(cert.subject),
        issuer=subject_of(cert.issuer),
        serial_hex=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_usage=key_usage_kind(cert),
        roles=[ROLE_NAMES[o] for o in eku_oids if o in ROLE_NAMES],
        extended_key_usage=eku_oids,
        policies=[p.policy_identifier.dotted_string for p in policies] if policies else [],
        sign_alg=_SIGN_ALG_NAMES.get(sig_oid) or gost_x509.algorithm_name(sig_oid) or sig_oid,
        public_key_b64=base64.b64encode(_spki(cert)).decode(),
        signature_b64=base64.b64encode(cert.signature).decode(),
    )
