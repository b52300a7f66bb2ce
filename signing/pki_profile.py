"""The НУЦ РК certificate profile (spec signatures.md §2, §10): names, OIDs and extensions.

Pure functions that build :class:`x509.Name` objects and extension sets, so the profile lives
in one place and the test PKI, the certificate-info extractor and the tests share it.
All CA names are SYNTHETIC (``… SIM TEST``) so a simulator certificate can never be mistaken
for one of NCA's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

Purpose = Literal["SIGN", "AUTH"]

ROOT_CN = "НЕГІЗГІ КО ROOT (SIM TEST)"
CA_CN = "ҰКО 3.0 (RSA SIM TEST)"
OCSP_CN = "OCSP ҰКО 3.0 (RSA SIM TEST)"

ROLE_OIDS: dict[str, str] = {
    "INDIVIDUAL": "1.2.398.3.3.4.1.1",
    "ORGANIZATION": "1.2.398.3.3.4.1.2",
    "CEO": "1.2.398.3.3.4.1.2.1",
    "CAN_SIGN": "1.2.398.3.3.4.1.2.2",
    "CAN_SIGN_FINANCIAL": "1.2.398.3.3.4.1.2.3",
    "HR": "1.2.398.3.3.4.1.2.4",
    "EMPLOYEE": "1.2.398.3.3.4.1.2.5",
    "NCA_PRIVILEGES": "1.2.398.3.3.4.2",
    "NCA_ADMIN": "1.2.398.3.3.4.2.1",
    "NCA_MANAGER": "1.2.398.3.3.4.2.2",
    "NCA_OPERATOR": "1.2.398.3.3.4.2.3",
    "IDENTIFICATION": "1.2.398.3.3.4.3",
    "IDENTIFICATION_CON": "1.2.398.3.3.4.3.1",
    "IDENTIFICATION_REMOTE": "1.2.398.3.3.4.3.2",
    "IDENTIFICATION_REMOTE_DIGITAL_ID": "1.2.398.3.3.4.3.2.1",
}
ROLE_NAMES: dict[str, str] = {oid: name for name, oid in ROLE_OIDS.items()}
ORGANIZATION_ROLES = frozenset(
    name for name, oid in ROLE_OIDS.items() if oid.startswith(ROLE_OIDS["ORGANIZATION"] + "."))
"""Roles an individual cannot hold: they only exist inside a legal entity."""

CA_POLICY = "1.2.398.3.3.1.1"
LEAF_POLICIES: dict[str, str] = {"SIGN": "1.2.398.3.3.2.3", "AUTH": "1.2.398.3.3.2.4"}
"""Observed on NCA's RSA individual certificates; reused for legal entities (an assumption)."""
CPS_URI = "http://pki.gov.kz/cps"

PURPOSE_EKU: dict[str, ObjectIdentifier] = {
    "SIGN": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "AUTH": ExtendedKeyUsageOID.CLIENT_AUTH,
}


@dataclass(frozen=True)
class Urls:
    """Where relying parties fetch CRLs, CA certificates and OCSP answers (all on the simulator)."""

    crl: str
    delta_crl: str
    ca_issuers: str
    ocsp: str
    root_crl: str
    root_cert: str


_DN_SHORT_NAMES = {
    NameOID.COMMON_NAME: "CN", NameOID.SURNAME: "SURNAME", NameOID.SERIAL_NUMBER: "SERIALNUMBER",
    NameOID.COUNTRY_NAME: "C", NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU", NameOID.GIVEN_NAME: "G",
    NameOID.EMAIL_ADDRESS: "E", NameOID.LOCALITY_NAME: "L", NameOID.STATE_OR_PROVINCE_NAME: "S",
}


def dn_string(name: x509.Name) -> str:
    """The DN as NCANode prints and parses it: encoding order, Kalkan's attribute names."""
    return ",".join(x509.Name([rdn]).rfc4514_string(_DN_SHORT_NAMES) for rdn in name.rdns)


def ca_name(common_name: str) -> x509.Name:
    """NCA CA names are encoded ``C=KZ`` first, then ``CN`` as UTF8String."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def subject_name(*, iin: str, surname: str, given_name: str, patronymic: str | None,
                 organization: str | None, bin: str | None, email: str | None) -> x509.Name:
    """Subject in NCA's encoding order (spec §2.2): CN, SURNAME, SERIALNUMBER, C, O, OU, GN, E.

    The attribute types are cryptography's defaults, which are the ones NCA uses: UTF8String,
    PrintableString for SERIALNUMBER and C, IA5String for E.
    """
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, f"{surname} {given_name}"),
        x509.NameAttribute(NameOID.SURNAME, surname),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ]
    if bin is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin}"))
    if patronymic:
        attrs.append(x509.NameAttribute(NameOID.GIVEN_NAME, patronymic))
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def _policies(oid: str) -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(
        ObjectIdentifier(oid), [CPS_URI, x509.UserNotice(None, CPS_URI)])])


def key_identifier(key) -> bytes:
    """RFC 5280 method 1 for RSA and GOST keys alike (SHA-1 of the subjectPublicKey bits)."""
    from .gost.keys import GostPublicKey
    from .gost.resign import key_identifier as gost_key_identifier

    if isinstance(key, GostPublicKey):
        return gost_key_identifier(key)
    return x509.SubjectKeyIdentifier.from_public_key(key).digest


def authority_key_identifier(issuer_key) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier(key_identifier(issuer_key), None, None)


def _key_ids(subject_key, issuer_key) -> list[tuple[x509.ExtensionType, bool]]:
    """SKI/AKI; keys are RSA public keys or :class:`GostPublicKey` objects."""
    return [
        (x509.SubjectKeyIdentifier(key_identifier(subject_key)), False),
        (authority_key_identifier(issuer_key), False),
    ]


def _uri(url: str) -> x509.UniformResourceIdentifier:
    return x509.UniformResourceIdentifier(url)


def _distribution_point(url: str) -> list[x509.DistributionPoint]:
    return [x509.DistributionPoint([_uri(url)], None, None, None)]


def ca_extensions(*, key: rsa.RSAPublicKey, issuer_key: rsa.RSAPublicKey, path_length: int | None,
                  crl_url: str, ca_issuers_url: str | None) -> list[tuple[x509.ExtensionType, bool]]:
    """Root and intermediate: BasicConstraints + KeyUsage critical, AKI/SKI, CA policy, CDP."""
    exts: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                       crl_sign=True, encipher_only=False, decipher_only=False), True),
        *_key_ids(key, issuer_key),
        (_policies(CA_POLICY), False),
        (x509.CRLDistributionPoints(_distribution_point(crl_url)), False),
    ]
    if ca_issuers_url:
        exts.append((x509.AuthorityInformationAccess([x509.AccessDescription(
            x509.AuthorityInformationAccessOID.CA_ISSUERS, _uri(ca_issuers_url))]), False))
    return exts


def ocsp_responder_extensions(*, key: rsa.RSAPublicKey, issuer_key: rsa.RSAPublicKey) -> list[tuple[x509.ExtensionType, bool]]:
    """Delegated responder (RFC 6960 §4.2.2.2): EKU OCSPSigning, and id-pkix-ocsp-nocheck so
    clients do not ask the responder about itself."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=False,
                       crl_sign=False, encipher_only=False, decipher_only=False), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
        (x509.OCSPNoCheck(), False),
        *_key_ids(key, issuer_key),
    ]


def leaf_extensions(*, purpose: Purpose, roles: list[str], key: rsa.RSAPublicKey,
                    issuer_key: rsa.RSAPublicKey, urls: Urls) -> list[tuple[x509.ExtensionType, bool]]:
    """End entity per spec §2.3: KeyUsage by purpose (critical), EKU purpose + role OIDs,
    the purpose's policy, AKI/SKI, CDP, FreshestCRL and AIA on the simulator."""
    sign = purpose == "SIGN"
    return [
        (x509.KeyUsage(digital_signature=True, content_commitment=sign, key_encipherment=not sign,
                       data_encipherment=False, key_agreement=False, key_cert_sign=False,
                       crl_sign=False, encipher_only=False, decipher_only=False), True),
        (x509.ExtendedKeyUsage([PURPOSE_EKU[purpose]]
                               + [ObjectIdentifier(ROLE_OIDS[r]) for r in roles]), False),
        (_policies(LEAF_POLICIES[purpose]), False),
        *_key_ids(key, issuer_key),
        (x509.CRLDistributionPoints(_distribution_point(urls.crl)), False),
        (x509.FreshestCRL(_distribution_point(urls.delta_crl)), False),
        (x509.AuthorityInformationAccess([
            x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS, _uri(urls.ca_issuers)),
            x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP, _uri(urls.ocsp)),
        ]), False),
    ]
