"""Condition 2 of the portal channel (002 §11.6): is the recipient's EDS confirmed?

The strict verifier (egov_sim.signing.verify) does the work; this module only says which of the
regulation's checks a verifier failure belongs to, in the order §11.6 lists them: the
certificate's validity period (K08), its absence from the revoked list (K09, CRL or OCSP as
configured), the IIN in the request equal to the certificate's (K10), and (K17, seed 000 §8.1:
"an electronic document certified by EDS") the signature itself: present, made by a key the
test НУЦ issued for signing, over exactly these bytes.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from egov_sim.signing import verify as v
from egov_sim.signing.verify import Verifier

from . import notices
from .form_checks import CheckFailure

_CHECK_OF = {
    v.CERT_EXPIRED: "K08", v.CERT_NOT_YET_VALID: "K08",
    v.CERT_REVOKED: "K09", v.REVOCATION_UNAVAILABLE: "K09",
    v.IIN_MISMATCH: "K10",
}
_ORDER = ("K08", "K09", "K10", "K17")
_REASON = {
    v.NO_SIGNATURE: "UNSIGNED", v.DIGEST_MISMATCH: "SIGNATURE_INVALID",
    v.SIGNATURE_MISMATCH: "SIGNATURE_INVALID",
}


def _check_of(code: str) -> str:
    return _CHECK_OF.get(code, "K17")


def confirm_eds(verifier: Verifier, tree: etree._ElementTree, *, expect_iin: str,
                at) -> tuple[CheckFailure | None, Any]:
    """Verify the request's enveloped signature; the first failed check (§11.6 order) or None,
    and the signer's certificate information (NCANode-style JSON) when there is a certificate."""
    result = verifier.verify(tree, layout="enveloped", at=at, expect_iin=expect_iin, purpose="SIGN")
    signer = None
    if result.signatures:
        first = result.signatures[0]
        if first.signer is not None:
            signer = first.signer.to_json(valid=first.valid, revocations=first.revocations)
    failures = list(result.all_failures)
    if len(result.signatures) > 1:
        failures.append(v.Failure(v.MALFORMED_SIGNATURE,
                                  f"one signature (the applicant's) expected, found {len(result.signatures)}"))
    if not failures:
        return None, signer
    ranked = sorted(failures, key=lambda f: _ORDER.index(_check_of(f.code)))
    worst = ranked[0]
    check = _check_of(worst.code)
    reason = _REASON.get(worst.code, worst.code)
    return CheckFailure(
        check, "C2", notices.EDS_NOT_CONFIRMED, reason,
        f"{check}: {worst.message}",
        {"failures": [{"check": _check_of(f.code), **f.to_json()} for f in ranked],
         "verifiedAt": at.isoformat()}), signer
