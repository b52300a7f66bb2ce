"""Builds the emulator from its settings: which keys it holds and how it chooses among them."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from egov_sim.core.clock import Clock, system_clock

from ..persona_keys import persona_key
from ..pki import TestPKI
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


def build_ncalayer(pki: TestPKI | None, *, personas: Sequence[str] = (), p12_files: Sequence[Path] = (),
                   password: str | None = None, algorithm: str | None = None,
                   choice: Choice = Choice.FIRST, clock: Clock = system_clock) -> NCALayer:
    """Keys in the order given: PKCS#12 files first, then personas (blocking: may issue keys)."""
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

    return NCALayer(KeyStore(entries), clock=clock, choice=choice,
                    personas=load_persona if pki is not None else None)
