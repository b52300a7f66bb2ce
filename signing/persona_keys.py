"""Test keys of the personas (egov_sim/reference/personas.py): one PKCS#12 per persona, purpose
and algorithm, issued from the simulator's test PKI the first time it is asked for and reused
afterwards, as a person keeps their key file.

The overview page offers them for download, the NCALayer emulator signs with them, and a test
can ask for one by the persona's key (``guardian``): the certificate carries the persona's IIN
and names, so the portal's check K10 (IIN of the request = IIN of the certificate) passes.
Every container's password is :data:`PERSONA_PASSWORD`, like NCA's test keys (``Qwerty12``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from egov_sim.core.errors import InputError
from egov_sim.reference.personas import PERSONAS

from .keyfiles import load_pkcs12
from .pki import TestPKI

PERSONA_PASSWORD = "Qwerty12"
PURPOSES = ("SIGN", "AUTH")


@dataclass(frozen=True)
class PersonaKey:
    persona: str
    purpose: str
    algorithm: str
    p12_path: Path
    key: object
    certificate: x509.Certificate

    @property
    def password(self) -> str:
        return PERSONA_PASSWORD

    @property
    def file_name(self) -> str:
        return self.p12_path.name


def file_stem(persona: str, *, purpose: str = "SIGN", algorithm: str = "rsa") -> str:
    return "persona-" + persona + ("-auth" if purpose == "AUTH" else "") + (
        "" if algorithm == "rsa" else f".{algorithm}")


def persona_key(pki: TestPKI, persona: str, *, purpose: str = "SIGN",
                algorithm: str | None = None) -> PersonaKey:
    """The persona's key and certificate (blocking: issues into the PKI on first use)."""
    who = PERSONAS.get(persona)
    if who is None or who.person is None:
        known = ", ".join(k for k, p in PERSONAS.items() if p.person is not None)
        raise InputError(f"no persona {persona!r} with a registry record; one of: {known}",
                         code="UNKNOWN_PERSONA")
    purpose = purpose.upper()
    if purpose not in PURPOSES:
        raise InputError(f"purpose must be SIGN or AUTH, not {purpose!r}", code="BAD_PURPOSE")
    algorithm = algorithm or pki.algorithm
    stem = file_stem(persona, purpose=purpose, algorithm=algorithm)
    path = pki.directory / "issued" / f"{stem}.p12"
    if not path.exists():
        person = who.person
        try:
            pki.issue(iin=who.iin, surname=person.surname, given_name=person.name,
                      patronymic=person.patronymic, purpose=purpose, name=stem, algorithm=algorithm,
                      password=PERSONA_PASSWORD,
                      # the CA's whole lifetime: a simulator may run on a clock set in the past
                      not_before=pki.ca.not_valid_before_utc, not_after=pki.ca.not_valid_after_utc)
        except InputError as exc:
            if exc.code != "NAME_TAKEN":  # another process issued it a moment ago
                raise
    key, cert, _ = load_pkcs12(path, PERSONA_PASSWORD)
    return PersonaKey(persona, purpose, algorithm, path, key, cert)
