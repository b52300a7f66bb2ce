"""signxml as the digest/signature engine behind the strict checks (``engine="signxml"``).

The strict verifier has already checked the layout, the algorithms and the certificate; this
module only asks signxml's ``XMLVerifier`` whether the reference digest and the SignatureValue
are right, and maps its exceptions onto the verifier's failure codes. Adaptations, each
faithful to XMLDSig rather than to signxml's quirks:

* the signature to check is picked by position (the last ``ds:Signature`` child of the root, or
  the one in ``wsse:Security``), because signxml's ``location`` search takes the first one and
  sequential signatures are checked last-first;
* for a ``URI=""`` reference the document is handed over without comments: XMLDSig drops
  them when dereferencing ``URI=""`` and signxml does not (spec signatures.md §5.1);
* the certificate is passed as ``x509_cert`` (signxml cannot read ``wsse:SecurityTokenReference``,
  spec §5.5), and signxml's own validity check is given a time inside the certificate's
  validity: validity at the verification time is the strict verifier's check.
"""

from __future__ import annotations

from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature, SignXMLException

from .dsig import ds, wsse


class _PositionedVerifier(XMLVerifier):
    def __init__(self, layout: str):
        super().__init__()
        self._layout = layout

    def _get_signature(self, root):
        if self._layout == "wsse":
            ns = etree.QName(root).namespace
            found = root.find(f"{{{ns}}}Header/{wsse('Security')}/{ds('Signature')}")
        else:
            found = next((c for c in reversed(root) if c.tag == ds("Signature")), None)
        if found is None:
            raise InvalidInput("signature not found where the strict verifier found it")
        return found


def _config(cert: x509.Certificate, *, allow_sha1: bool, references: int = 1) -> SignatureConfiguration:
    methods = {SignatureMethod.RSA_SHA256} | ({SignatureMethod.RSA_SHA1} if allow_sha1 else set())
    digests = {DigestAlgorithm.SHA256} | ({DigestAlgorithm.SHA1} if allow_sha1 else set())
    return SignatureConfiguration(
        signature_methods=frozenset(methods), digest_algorithms=frozenset(digests),
        verification_time=cert.not_valid_before_utc, expect_references=references)


def check(tree: etree._ElementTree, layout: str, signature: etree._Element, reference_uri: str,
          cert: x509.Certificate, *, allow_sha1: bool, references: int = 1) -> list:
    from .verify import (
        ALGORITHM_FORBIDDEN,
        ALGORITHM_NOT_SUPPORTED,
        DIGEST_MISMATCH,
        MALFORMED_SIGNATURE,
        SIGNATURE_MISMATCH,
        Failure,
    )

    if reference_uri == "":
        data = etree.tostring(tree, method="c14n", with_comments=False)
    else:
        data = etree.tostring(tree)
    try:
        _PositionedVerifier(layout).verify(data, x509_cert=cert,
                                           expect_config=_config(cert, allow_sha1=allow_sha1,
                                                                 references=references))
    except InvalidDigest as exc:
        return [Failure(DIGEST_MISMATCH, f"signxml: {exc}")]
    except InvalidSignature as exc:
        message = str(exc)
        if "forbidden by configuration" in message:
            return [Failure(ALGORITHM_FORBIDDEN, f"signxml: {message}")]
        return [Failure(SIGNATURE_MISMATCH, f"signxml: {message}")]
    except InvalidInput as exc:
        message = str(exc)
        if message.startswith("Unrecognized"):
            return [Failure(ALGORITHM_NOT_SUPPORTED, f"signxml: {message}")]
        return [Failure(MALFORMED_SIGNATURE, f"signxml: {message}")]
    except (SignXMLException, etree.LxmlError, ValueError) as exc:
        return [Failure(MALFORMED_SIGNATURE, f"signxml: {exc}")]
    return []
