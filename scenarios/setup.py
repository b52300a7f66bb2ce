"""A scenario's set-up conditions, put in place in the systems before and while it plays.

Each condition is made real in the systems, never faked in the engine: a revoked certificate is
revoked in the simulator's PKI (so the portal's CRL check finds it), an expired one is a
certificate whose validity ended, a recipient missing from ГБД ФЛ is deleted from it, a power
of attorney is the ЕНИС record in that state. Reading options that the systems implement
(``refusal_via_head``) become the simulator's settings; the rest are readings the operations
apply to what the systems answered (scenarios/ops).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egov_sim.adapters.notary.personas import POA_PERSONAS
from egov_sim.reference.personas import PERSONAS
from egov_sim.signing.keyfiles import load_pkcs12

from .model import Scenario
from .simulator import CERT_PASSWORD, Systems, settings_for

FOREIGN_PERSONA = "ward_teen"
"""Whose certificate signs for ``certificate: foreign_iin`` (another person's IIN, K10); for
that persona as applicant, the guardian's."""
UNKNOWN_POA = "SIM-1999-999999"
"""A power-of-attorney number ЕНИС has never registered (``poa: absent``)."""
NEVER_REGISTERED = "not_registered"
"""The persona whose IIN signs in for ``credentials: unknown_iin``: valid, never on the portal."""


@dataclass
class Certificate:
    private_key: Any
    certificate: Any
    label: str


def system_settings(scenario: Scenario) -> dict[str, Any]:
    """The simulator settings a scenario's options switch (only those this egov-sim has)."""
    return settings_for(dict(scenario.options))


@dataclass
class Prepared:
    """The set-up in force for one play; the operations ask it for credentials and keys."""

    scenario: Scenario
    systems: Systems
    notes: list[str] = field(default_factory=list)
    _certs: dict[str, Certificate] = field(default_factory=dict)

    @property
    def certificate(self) -> str | None:
        return self.scenario.setup.get("certificate")

    # --- the portal ------------------------------------------------------------------------------

    def portal_credentials(self, ctx) -> tuple[str, str]:
        from .ops.common import PORTAL_PASSWORD

        iin = ctx.iin("applicant")
        password = ctx.state.get("portal_password", PORTAL_PASSWORD)
        spoiled = self.scenario.setup.get("credentials")
        if spoiled == "wrong_password":
            return iin, password + "-wrong"
        if spoiled == "unknown_iin":
            return PERSONAS[NEVER_REGISTERED].iin, password
        return iin, password

    def signing_certificate(self, ctx) -> Certificate:
        applicant = self.scenario.personas["applicant"]
        how = self.certificate
        if how == "foreign_iin":
            other = FOREIGN_PERSONA if applicant != FOREIGN_PERSONA else "guardian"
            return self._persona_cert(other, f"{other}'s certificate (IIN {PERSONAS[other].iin})")
        if how == "expired":
            return self._expired(applicant)
        if how == "revoked":
            return self._certs["revoked"]
        return self._persona_cert(applicant, "the applicant's certificate")

    def certificate_label(self, ctx) -> str:
        return self.signing_certificate(ctx).label

    # --- the ЦОН ------------------------------------------------------------------------------

    def representative(self, ctx) -> dict | None:
        key = self.scenario.personas.get("representative")
        if not key:
            return None
        poa = self.scenario.setup.get("poa")
        if poa == "absent":
            number = UNKNOWN_POA
        elif poa:
            number = POA_PERSONAS[f"poa_{poa}"].poa_number
        else:
            number = next((p.poa_number for p in POA_PERSONAS.values() if p.attorney == key), UNKNOWN_POA)
        return {"iin": PERSONAS[key].iin, "poaNumber": number}

    # --- certificates ----------------------------------------------------------------------------

    def _persona_cert(self, persona: str, label: str) -> Certificate:
        if persona not in self._certs:
            self._certs[persona] = self._load_or_issue(persona, label)
        return self._certs[persona]

    def _load_or_issue(self, persona: str, label: str, *, expired: bool = False) -> Certificate:
        template = self.systems.template
        key = f"{persona}:expired" if expired else persona
        if template is not None and key in template.certificates:
            path = Path(self.systems.home) / "pki" / "issued" / f"{template.certificates[key]}.p12"
            private_key, cert, _ = load_pkcs12(path, CERT_PASSWORD)
            return Certificate(private_key, cert, label)
        issued = self._issue(persona, expired=expired)
        return Certificate(issued.private_key, issued.certificate, label)

    def _issue(self, persona: str, *, expired: bool = False):
        """A fresh SIGN certificate from the systems' PKI (an RSA key: only when none was
        prepared, e.g. against a running server)."""
        person = PERSONAS[persona].person
        pki = self.systems.pki
        now = self.systems.system_now()
        window = {}
        if expired:
            window = {"not_before": pki.ca.not_valid_before_utc, "not_after": now - dt.timedelta(days=1)}
        return pki.issue(iin=person.iin, surname=person.surname, given_name=person.name,
                         patronymic=person.patronymic, password=CERT_PASSWORD, **window)

    def _expired(self, persona: str) -> Certificate:
        label = "the applicant's expired certificate"
        if "expired" not in self._certs:
            cert = self._load_or_issue(persona, label, expired=True)
            if cert.certificate.not_valid_after_utc >= self.systems.system_now():
                issued = self._issue(persona, expired=True)
                cert = Certificate(issued.private_key, issued.certificate, label)
            self._certs["expired"] = cert
        return self._certs["expired"]


def prepare(scenario: Scenario, systems: Systems) -> Prepared:
    """Put the scenario's set-up into the systems (before the first step)."""
    prepared = Prepared(scenario, systems)
    setup = scenario.setup
    if setup.get("person_missing"):
        iin = PERSONAS[scenario.personas["applicant"]].iin
        r = systems.client.delete(f"/admin/persons/{iin}")
        prepared.notes.append(f"ГБД ФЛ: {iin} deleted (DELETE /admin/persons → {r.status_code})")
    if setup.get("certificate") == "revoked":
        applicant = scenario.personas["applicant"]
        if systems.local:
            cert = prepared._persona_cert(applicant, "the applicant's revoked certificate")
        else:  # a shared server: revoke a certificate of this scenario's own
            issued = prepared._issue(applicant)
            cert = Certificate(issued.private_key, issued.certificate, "the applicant's revoked certificate")
        systems.pki.revoke(cert.certificate.serial_number, "keyCompromise")
        prepared._certs["revoked"] = Certificate(cert.private_key, cert.certificate,
                                                 "the applicant's revoked certificate")
        prepared._certs.pop(applicant, None)
        prepared.notes.append(f"PKI: certificate {cert.certificate.serial_number:X} revoked (keyCompromise)")
    return prepared
