"""The strict engine and the signxml engine agree (valid/invalid and codes) on one corpus.

Also pins down the two places where signxml itself departs from XMLDSig and libxmlsec, so a
change in signxml shows up here: neither affects what the signxml *engine* reports for
documents Kalkan produces, except where marked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidDigest, InvalidSignature

from egov_sim.signing import algorithms as alg
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.verify import Verifier
from egov_sim.signing.wsse import sign_wsse
from tests.support.dsig_docs import OTHER_IIN, SIGNER_IIN, person_request, soap_request

NS = {"ds": alg.DS_NS, "soap": "http://schemas.xmlsoap.org/soap/envelope/"}


def _edit(data: bytes, change) -> bytes:
    root = etree.fromstring(data)
    change(root)
    return etree.tostring(root)


def _corpus(signer, org_signer, auth_signer):
    env = sign_enveloped(person_request(), signer.key, signer.cert)
    env_comment = sign_enveloped(person_request(comment=True), signer.key, signer.cert, comments="keep")
    twice = sign_enveloped(env, org_signer.key, org_signer.cert)
    auth = sign_enveloped(person_request(), auth_signer.key, auth_signer.cert)
    wsse = sign_wsse(soap_request(), signer.key, signer.cert)
    wsse_comment = sign_wsse(soap_request(comment=True), signer.key, signer.cert)
    wsse_strict = sign_wsse(soap_request(), signer.key, signer.cert, engine="strict")
    later = signer.cert.not_valid_after_utc + dt.timedelta(days=1)

    def moved_body(root):
        root.find("soap:Header", NS).append(root.find("soap:Body", NS))
        etree.SubElement(root, f"{{{NS['soap']}}}Body")

    return {
        "enveloped": (env, {}),
        "enveloped with comment": (env_comment, {}),
        "sequential": (twice, {}),
        "wsse": (wsse, {}),
        "wsse with comment": (wsse_comment, {}),
        "wsse, built-in signer": (wsse_strict, {}),
        "changed text": (env.replace(SIGNER_IIN.encode(), OTHER_IIN.encode()), {}),
        "changed body": (wsse.replace(SIGNER_IIN.encode(), OTHER_IIN.encode()), {}),
        "changed digest": (env.replace(b"<ds:DigestValue>", b"<ds:DigestValue>AAAA"), {}),
        "first of two tampered": (twice.replace(b"<ds:DigestValue>", b"<ds:DigestValue>AAAA", 1), {}),
        "moved body": (_edit(wsse, moved_body), {}),
        "not last": (env.replace(b"</ds:Signature></request>", b"</ds:Signature><x/></request>"), {}),
        "expired": (env, {"at": later}),
        "auth for sign": (auth, {"purpose": "SIGN"}),
        "iin mismatch": (env, {"expect_iin": OTHER_IIN}),
        "gost": (env.replace(alg.RSA_SHA256.encode(), alg.GOST_2015_512.encode()), {}),
        "sha1 off": (sign_enveloped(person_request(), signer.key, signer.cert, sha1=True), {}),
        "unsigned": (person_request(), {}),
    }


def test_engines_agree_on_the_corpus(trust, signer, org_signer, auth_signer):
    strict, by_signxml = Verifier(trust, engine="strict"), Verifier(trust, engine="signxml")
    for name, (document, options) in _corpus(signer, org_signer, auth_signer).items():
        a, b = strict.verify(document, **options), by_signxml.verify(document, **options)
        assert (a.valid, a.codes, [s.codes for s in a.signatures]) == \
               (b.valid, b.codes, [s.codes for s in b.signatures]), name


def test_signxml_engine_messages_name_signxml(trust, signer):
    env = sign_enveloped(person_request(), signer.key, signer.cert)
    result = Verifier(trust, engine="signxml").verify(env.replace(SIGNER_IIN.encode(), OTHER_IIN.encode()))
    assert result.all_failures[0].message.startswith("signxml: ")


def test_plain_signxml_keeps_comments_contrary_to_xmldsig(signer):
    """Spec §5.1: signxml hashes comments in a URI="" reference; Kalkan and xmlsec1 do not.
    The signxml engine therefore hands it the document without comments."""
    signed = sign_enveloped(person_request(comment=True), signer.key, signer.cert, comments="keep")
    with pytest.raises(InvalidDigest):
        XMLVerifier().verify(signed, x509_cert=signer.cert,
                             expect_config=SignatureConfiguration(location="./"))


def test_plain_signxml_misses_inherited_xml_lang(trust, signer):
    """Inclusive c14n of SignedInfo inherits xml:* attributes from the root (c14n 1.0 subset
    rule; libxmlsec and Santuario do it, xmlsec1 verifies this document). signxml
    canonicalizes a detached copy and fails; the engines disagree on such documents."""
    signed = sign_enveloped(b'<request xml:lang="kk"><iin>1</iin></request>', signer.key, signer.cert)
    assert Verifier(trust, engine="strict").verify(signed).valid
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(signed, x509_cert=signer.cert)
    assert Verifier(trust, engine="signxml").verify(signed).codes == ("SIGNATURE_MISMATCH",)


def test_kalkan_sha1_spelling_is_unknown_to_signxml(trust, signer):
    signed = sign_enveloped(person_request(), signer.key, signer.cert, sha1=True)
    assert Verifier(trust, allow_sha1=True, engine="strict").verify(signed).valid
    assert Verifier(trust, allow_sha1=True, engine="signxml").verify(signed).codes == \
        ("ALGORITHM_NOT_SUPPORTED",)


def test_plain_signxml_accepts_a_wrapped_body(signer):
    """Spec §7: signxml returns success when the signed Body was moved into the Header; only
    its ``signed_xml`` is trustworthy. The strict checks reject the document."""
    wsse = sign_wsse(soap_request(), signer.key, signer.cert)

    def wrap(root):
        root.find("soap:Header", NS).append(root.find("soap:Body", NS))
        etree.SubElement(root, f"{{{NS['soap']}}}Body").append(etree.Element("evil"))

    XMLVerifier().verify(_edit(wsse, wrap), x509_cert=signer.cert)
