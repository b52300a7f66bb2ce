"""Builds the emulator from its settings: which keys it holds and how it chooses among them."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from egov_sim.core.clock import Clock, system_clock

from ..persona_keys import persona_key
from ..pki import TestPKI
from ..revocation import RevocationChecker
from .keystore import Choice, KeyEntry, KeyStore, from_file
from .protocol import NCALayer

DEFAULT_PERSONAS = ("guardian",)
"""The portal's example applicant (docs/portal.md) when no key is named."""


def persona_entries(pki: TestPKI, persona: str, *, algorithm: str | None = None) -> list[KeyEntry]:
    """The persona's SIGN key, then its AUTH key (commonUtils keyType picks between them)."""
    out = []
    for purpose in ("SIGN", "AUTH"):
        k = persona_key(pki, persona, purpose=purpose, algorithm=algorithm)
        out.append(KeyEntry(k.p12_path.stem, k.key, k.certificate, f"persona:{persona}"
                            + (":auth" if purpose == "AUTH" else "")))
    return out


def revocation_screen(checker: RevocationChecker):
    """Refuse a key whose certificate the simulator's PKI has revoked (``egov-sim pki revoke``).

    Only the simulator's own certificates are checked (their CRL is at hand); a source that
    cannot answer does not stop the signature: the verifier on the other side decides."""
    from egov_sim.core.errors import InputError

    def screen(entry: KeyEntry) -> str | None:
        issuer = checker.local_issuer(entry.certificate)
        if issuer is None:
            return None
        try:
            answers = checker.check(entry.certificate, issuer)
        except InputError:
            return None
        revoked = next((a for a in answers if a.revoked), None)
        if revoked is None:
            return None
        when = f" since {revoked.revocation_time:%Y-%m-%d %H:%M:%S}Z" if revoked.revocation_time else ""
        return f"the certificate is revoked ({revoked.reason or 'no reason given'}{when}, by {revoked.by})"

    return screen


def build_ncalayer(pki: TestPKI | None, *, personas: Sequence[str] = (), p12_files: Sequence[Path] = (),
                   password: str | None = None, algorithm: str | None = None,
                   choice: Choice = Choice.FIRST, clock: Clock = system_clock,
                   check_revocation: bool = True) -> NCALayer:
    """Keys in the order given: PKCS#12 files first, then personas (blocking: may issue keys).
    ``check_revocation``: keys whose certificates the PKI revoked do not sign."""
    entries: list[KeyEntry] = []
    for path in p12_files:
        if password is None:
            from egov_sim.core.errors import InputError

            raise InputError("--p12 needs --password (or EGOV_SIM_P12_PASSWORD)", code="BAD_USAGE")
        entries.append(from_file(Path(path), password))
    if pki is not None:
        for persona in personas:
            entries += persona_entries(pki, persona, algorithm=algorithm)

    def load_persona(key: str) -> KeyEntry:
        if pki is None:
            raise ValueError("no test PKI")
        return persona_entries(pki, key, algorithm=algorithm)[0]

    screen = revocation_screen(RevocationChecker(local_pki=pki, clock=clock)) \
        if pki is not None and check_revocation else None
    return NCALayer(KeyStore(entries, screen), clock=clock, choice=choice,
                    personas=load_persona if pki is not None else None)
