"""The verifier every system of the simulator builds: the test PKI's trust store, and revocation
checked by one policy, so that no place that verifies a signature forgets revocation.

The gateway, the АРМ (requests and the staff's signatures it records), the ЦОН (ГБД ФЛ/ЕНИС
answers and the АРМ's results), the portal and the scenario engine's document checks all take
their :class:`~egov_sim.signing.verify.Verifier` from :func:`local_verifier`. The trust store's
chains are cached by the verifier; the CRLs by their nextUpdate (and dropped the moment the
PKI changes, so ``egov-sim pki revoke`` takes effect at once).
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from cryptography import x509

from egov_sim.core.clock import Clock, system_clock

from .pki import TestPKI
from .revocation import RevocationPolicy
from .trust import TrustStore
from .verify import SignedComments, Verifier

DEFAULT_POLICY = RevocationPolicy()
"""CRL, fail closed."""


def local_verifier(pki: TestPKI, *, clock: Clock = system_clock,
                   policy: RevocationPolicy = DEFAULT_POLICY, extra_trust: bytes = b"",
                   crls: Sequence[x509.CertificateRevocationList] = (),
                   partial_chain: bool = False, timestamp_skew: dt.timedelta = dt.timedelta(minutes=5),
                   signed_comments: SignedComments = "strip") -> Verifier:
    """A verifier over ``pki``'s trust store (plus ``extra_trust`` PEM), with revocation by
    ``policy``: the PKI asked directly, ``crls`` for their issuers, the certificates' own
    addresses for any other trusted issuer. ``timestamp_skew`` and ``signed_comments`` as
    :class:`~egov_sim.signing.verify.Verifier` takes them (the gateway's config)."""
    trust = TrustStore.from_pem(pki.trust_pem() + extra_trust, partial_chain=partial_chain)
    return Verifier(trust, clock=clock, revocation=policy.checker(pki, clock=clock, crls=crls),
                    timestamp_skew=timestamp_skew, signed_comments=signed_comments)
