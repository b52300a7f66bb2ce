"""The NCALayer/Kalkan enveloped layout, checked on the bytes (spec signatures.md §3)."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.core.errors import InputError
from egov_sim.signing import algorithms as alg
from egov_sim.signing.enveloped import sign_enveloped
from tests.support.dsig_docs import person_request

DS = {"ds": alg.DS_NS}


def _signature(signed: bytes) -> etree._Element:
    root = etree.fromstring(signed)
    return root[-1]


def test_layout_matches_ncalayer(signer):
    signed = sign_enveloped(person_request(), signer.key, signer.cert)
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><request ')
    root = etree.fromstring(signed)
    signature = root[-1]
    assert signature.tag == f"{{{alg.DS_NS}}}Signature" and signature.prefix == "ds"
    assert b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">' in signed
    assert signature.tail is None
    assert signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", namespaces=DS) == [alg.C14N]
    assert signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces=DS) == [alg.RSA_SHA256]
    assert signature.xpath("ds:SignedInfo/ds:Reference/@URI", namespaces=DS) == [""]
    assert signature.xpath("ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform/@Algorithm",
                           namespaces=DS) == [alg.ENVELOPED_SIGNATURE, alg.C14N_WITH_COMMENTS]
    assert signature.xpath("ds:SignedInfo/ds:Reference/ds:DigestMethod/@Algorithm",
                           namespaces=DS) == [alg.SHA256]
    certs = signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=DS)
    assert len(certs) == 1
    assert base64.b64decode("".join(certs[0].text.split())) == signer.cert.public_bytes(Encoding.DER)


def test_base64_wrapped_at_76_columns_with_cr_as_kalkan_server_writes_it(signer):
    signed = sign_enveloped(person_request(), signer.key, signer.cert, flavor="ncanode")
    for tag in (b"SignatureValue", b"X509Certificate"):
        text = re.search(rb"<ds:%s>(.*?)</ds:%s>" % (tag, tag), signed, re.S).group(1)
        assert text.startswith(b"\n") and text.endswith(b"\n")
        lines = text[1:-1].split(b"&#13;\n")
        assert all(len(line) == 76 for line in lines[:-1]) and 0 < len(lines[-1]) <= 76


def test_flavors_differ_only_in_declaration_and_line_ends(signer):
    ncalayer = sign_enveloped(person_request(), signer.key, signer.cert, flavor="ncalayer")
    ncanode = sign_enveloped(person_request(), signer.key, signer.cert, flavor="ncanode")
    assert ncanode.startswith(b'<?xml version="1.0" encoding="utf-8" standalone="no"?>')
    assert b">\r\n<ds:SignedInfo>" in ncalayer and b">\n<ds:SignedInfo>" in ncanode
    assert b"\r\n" not in ncanode
    normalized = ncalayer.replace(b">\r\n<", b">\n<").replace(b'encoding="UTF-8"', b'encoding="utf-8"')
    assert normalized == ncanode


def test_santuario_whitespace_inside_signature(signer):
    signed = sign_enveloped(person_request(), signer.key, signer.cert, flavor="ncanode")
    expected = (b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\n<ds:SignedInfo>\n'
                b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>\n'
                b'<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>\n'
                b'<ds:Reference URI="">\n<ds:Transforms>\n')
    assert expected in signed
    assert b"</ds:X509Certificate>\n</ds:X509Data>\n</ds:KeyInfo>\n</ds:Signature></request>" in signed


def test_deterministic_for_same_key_and_input(signer):
    assert sign_enveloped(person_request(), signer.key, signer.cert) == \
        sign_enveloped(person_request(), signer.key, signer.cert)


def test_sha1_uses_kalkan_uris(signer):
    signature = _signature(sign_enveloped(person_request(), signer.key, signer.cert, sha1=True))
    assert signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces=DS) == [alg.RSA_SHA1_KALKAN]
    assert signature.xpath("ds:SignedInfo/ds:Reference/ds:DigestMethod/@Algorithm",
                           namespaces=DS) == [alg.SHA1_KALKAN]


def test_comments_are_stripped_by_default(signer):
    signed = sign_enveloped(person_request(comment=True), signer.key, signer.cert)
    assert b"<!--" not in signed


def test_comments_refused_on_request(signer):
    with pytest.raises(InputError) as err:
        sign_enveloped(person_request(comment=True), signer.key, signer.cert, comments="refuse")
    assert err.value.code == "XML_COMMENTS"


def test_comments_kept_like_kalkan(signer, verifier):
    signed = sign_enveloped(person_request(comment=True), signer.key, signer.cert, comments="keep")
    assert b"<!-- \xd0\xb7\xd0\xb0\xd1\x8f\xd0\xb2\xd0\xba\xd0\xb0" in signed
    assert verifier.verify(signed).valid


def test_second_signature_is_appended_after_the_first(signer, org_signer):
    once = sign_enveloped(person_request(), signer.key, signer.cert)
    twice = sign_enveloped(once, org_signer.key, org_signer.cert)
    root = etree.fromstring(twice)
    signatures = root.findall(f"{{{alg.DS_NS}}}Signature")
    assert len(signatures) == 2 and root[-1] is signatures[1] and root[-2] is signatures[0]
    assert twice.startswith(once[: once.index(b"<ds:Signature")])


def test_signs_a_parsed_tree_in_place(signer):
    from egov_sim.core import safe_xml

    tree = safe_xml.parse(person_request())
    signed = sign_enveloped(tree, signer.key, signer.cert)
    assert tree.getroot()[-1].tag == f"{{{alg.DS_NS}}}Signature"
    assert signed == sign_enveloped(person_request(), signer.key, signer.cert)


@pytest.mark.parametrize("bad, code", [
    (b"<a><b></a>", "XML_MALFORMED"),
    (b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "XML_DOCTYPE"),
])
def test_unsafe_or_broken_input_is_refused(signer, bad, code):
    with pytest.raises(InputError) as err:
        sign_enveloped(bad, signer.key, signer.cert)
    assert err.value.code == code


@pytest.mark.parametrize("document", [
    b"<a><b>x</b></a>",
    b'<a xmlns="urn:d" xml:lang="kk"><b>x</b></a>',
    b'<p:a xmlns:p="urn:p" xmlns:q="urn:q" xml:space="preserve"><p:b q:at="1">x</p:b></p:a>',
    b'<ds:a xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><b/></ds:a>',
    b'<dsig:a xmlns:dsig="http://www.w3.org/2000/09/xmldsig#"><b/></dsig:a>',
    b"<a/>",
    b"<?pi x?><a><b>x</b></a><!-- after -->",
], ids=["plain", "default-ns-and-lang", "prefixes", "ds-root", "dsig-root", "empty", "siblings"])
@pytest.mark.parametrize("flavor", ["ncalayer", "ncanode"])
def test_signed_info_from_its_template_is_its_c14n_in_every_context(signer, org_signer, verifier,
                                                                      document, flavor):
    """The SignedInfo is canonicalized once per context and filled with each digest: what was
    signed must be exactly the SignedInfo's own c14n, also for a second signature whose context
    already holds the first, and the output must parse and verify."""
    from egov_sim.signing.dsig import canonicalize
    from egov_sim.signing.enveloped import signed_info_c14n

    once = sign_enveloped(document, signer.key, signer.cert, flavor=flavor)
    twice = sign_enveloped(once, org_signer.key, org_signer.cert, flavor=flavor)
    for signed in (once, twice):
        root = etree.fromstring(signed)
        signatures = root.findall(f"{{{alg.DS_NS}}}Signature")
        assert signatures
        for signature in signatures:
            method, digest = signature[0][1].get("Algorithm"), signature[0][2][1].get("Algorithm")
            assert signed_info_c14n(signature, method, digest) == canonicalize(
                signature[0], alg.CANONICALIZATIONS[alg.C14N])
        assert verifier.verify(signed).valid


@pytest.mark.parametrize("document", [
    b"<a><b>x</b></a>",
    b'<p:a xmlns:p="urn:p" xml:lang="kk"><p:b>x</p:b><!-- c --></p:a>',
    b'<a xmlns="urn:d"><b>x</b></a>',
    b"<a/>",
    b'<ds:a xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><b/></ds:a>',
], ids=["plain", "prefix-lang-comment", "default-ns", "empty", "ds-root"])
@pytest.mark.parametrize("flavor", ["ncalayer", "ncanode"])
@pytest.mark.parametrize("comments", ["strip", "keep"])
def test_bytes_in_bytes_out_is_the_same_as_signing_the_tree(signer, document, flavor, comments):
    """Bytes are signed by putting the signature's text in before the root's end tag; it must
    be byte for byte what appending the element and serializing the tree writes (RSA PKCS#1
    v1.5 is deterministic)."""
    from egov_sim.core import safe_xml

    spliced = sign_enveloped(document, signer.key, signer.cert, flavor=flavor, comments=comments)
    built = sign_enveloped(safe_xml.parse(document), signer.key, signer.cert, flavor=flavor,
                           comments=comments)
    assert spliced == built
