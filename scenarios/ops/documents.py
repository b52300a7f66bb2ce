"""The result document: verify its EDS and read what it decides.

The outcome of a scenario is not what a system's status field says but the signed
``rs:ServiceResult`` the recipient gets (K13, K19): its signature is verified with the
simulator's trust store and revocation lists (egov_sim.signing.verifiers) at the virtual moment it is handed over, and the signer's
IIN and BIN are taken from the certificate, so "who signs" is checked on the document itself.
"""

from __future__ import annotations

from lxml import etree

from egov_sim.core.safe_xml import parse
from egov_sim.signing.certinfo import subject_of
from egov_sim.signing.verifiers import local_verifier

from .common import Divergence, Outcome, PlayContext


def verify_result(ctx: PlayContext, xml: bytes, *, where: str) -> Outcome:
    """The outcome a signed ServiceResult carries; a document whose EDS does not verify is a
    divergence (the recipient must not get it, K13)."""
    at = ctx.systems.system_now()  # the systems' own time: the virtual clock in process
    verifier = local_verifier(ctx.systems.pki, clock=ctx.systems.system_now)  # revocation too (K09)
    tree = parse(xml)
    result = verifier.verify(tree, at=at)
    kind = _kind(tree.getroot())
    signer = next((s for s in result.signatures if s.certificate is not None), None)
    subject = subject_of(signer.certificate.subject) if signer is not None else None
    name = subject.common_name if subject else None
    outcome = Outcome(kind, signer_iin=subject.iin if subject else None,
                      signer_bin=subject.bin if subject else None, signer_name=name,
                      signature_valid=result.valid,
                      detail=f"{kind} from {where}, EDS {'valid' if result.valid else 'NOT valid'}"
                             + (f", signed by {name} (IIN {subject.iin}, BIN {subject.bin})" if subject else ""))
    if not result.valid:
        codes = ", ".join(f.code for s in result.signatures for f in s.failures) or \
            ", ".join(f.code for f in result.failures)
        raise Divergence(f"the result from {where} does not verify: {codes or 'no signature'} (K13)")
    return outcome


def _kind(root: etree._Element) -> str:
    outcome = root.find("outcome")
    if outcome is not None and len(outcome):
        tag = etree.QName(outcome[0]).localname
        if tag in ("decision", "refusal"):
            return tag
    raise Divergence("the result document carries neither a decision nor a refusal")
