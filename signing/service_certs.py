"""Certificates of the simulator's own information systems (ШЭП, ГБД ФЛ, ЕНИС, ...).

Each system signs with a legal-entity employee certificate from the test PKI, issued once
under a fixed name and reused on every start, as a real system keeps its key file. The key
algorithm is the PKI's (``Settings.signing_algorithm``: RSA by default, GOST as production
signs); a GOST key lives in its own file (``<name>.<algorithm>.p12``), so switching keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from egov_sim.core.errors import InputError

from .keyfiles import load_pkcs12
from .pki import TestPKI

SERVICE_PASSWORD = "Qwerty12"


@dataclass(frozen=True)
class ServiceIdentity:
    name: str
    """File stem under the PKI's ``issued/`` folder."""
    organization: str
    bin: str
    employee_iin: str
    surname: str
    given_name: str
    roles: tuple[str, ...] = ("EMPLOYEE", "CAN_SIGN")


@dataclass(frozen=True)
class ServiceSigner:
    key: object
    certificate: x509.Certificate


def service_signer(pki: TestPKI, who: ServiceIdentity) -> ServiceSigner:
    """The system's SIGN key and certificate, issued into ``pki`` the first time it is asked for.

    Idempotent across processes: when two workers issue the same certificate at once (the
    АРМ head's first signature under ``serve --workers 2``), the PKI's writers' lock lets one
    through; the other finds the name taken and uses the winner's certificate."""
    name = who.name if pki.algorithm == "rsa" else f"{who.name}.{pki.algorithm}"
    p12 = pki.directory / "issued" / f"{name}.p12"
    if not p12.exists():
        try:
            pki.issue(iin=who.employee_iin, surname=who.surname, given_name=who.given_name,
                      purpose="SIGN", bin=who.bin, organization=who.organization, roles=who.roles,
                      # the CA's whole lifetime: a simulator may run on a clock set in the past
                      not_before=pki.ca.not_valid_before_utc, not_after=pki.ca.not_valid_after_utc,
                      password=SERVICE_PASSWORD, name=name, algorithm=pki.algorithm)
        except InputError as exc:
            if exc.code != "NAME_TAKEN":
                raise
    key, cert, _ = load_pkcs12(p12, SERVICE_PASSWORD)
    return ServiceSigner(key, cert)
