"""The NCALayer/Kalkan enveloped signature (spec signatures.md §3), byte for byte.

Why our own signer and not signxml: signxml has no GOST and cannot write this layout (``URI=""`` becomes
``"#"``, the reference inherits the SignedInfo c14n, no Santuario whitespace) and it keeps
comments in a ``URI=""`` reference, contrary to XMLDSig §4.4.3.3 (spec §5.1, §5.10). PKCS#1
v1.5 is deterministic, so for the same key and input this signer reproduces Kalkan's bytes.

Layout: ``ds:Signature`` (declaring ``ds``) appended as the last child of the root element;
inclusive c14n 1.0 for SignedInfo; one ``Reference URI=""`` with the transforms
[enveloped-signature, c14n 1.0 #WithComments]; the leaf certificate only in X509Data.
A second call on a signed document adds a sequential signature that covers the first.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.core import safe_xml
from egov_sim.core.errors import InputError

from . import algorithms as alg
from .dsig import (
    _inherited_xml_attributes,
    b64,
    canonicalize,
    ds,
    has_comments,
    remove_comments,
    santuario_whitespace,
    wrap_base64,
)
from .gost.keys import GostPrivateKey

Flavor = Literal["ncalayer", "ncanode"]
CommentPolicy = Literal["strip", "refuse", "keep"]

XML_DECLARATION = {
    "ncalayer": b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    "ncanode": b'<?xml version="1.0" encoding="utf-8" standalone="no"?>',
}
_DOCUMENT_C14N = alg.CANONICALIZATIONS[alg.C14N]
_SIGNATURE_START = b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'


def as_tree(document: bytes | etree._ElementTree | etree._Element) -> etree._ElementTree:
    """Bytes go through the hardened parser; a tree the caller parsed is used (and changed) as
    is (an element stands for the document it belongs to)."""
    if isinstance(document, etree._Element):
        document = document.getroottree()
    if isinstance(document, etree._ElementTree):
        if document.docinfo.doctype:
            raise safe_xml.UnsafeXmlError("XML with a DOCTYPE is refused", code="XML_DOCTYPE")
        return document
    if isinstance(document, (bytes, bytearray)):
        return safe_xml.parse(bytes(document))
    raise TypeError("document must be bytes or an lxml ElementTree")


def require_signing_key(key) -> rsa.RSAPrivateKey | GostPrivateKey:
    if not isinstance(key, (rsa.RSAPrivateKey, GostPrivateKey)):
        raise InputError(f"{type(key).__name__} keys cannot sign here (RSA or GOST keys only)",
                         code="ALGORITHM_NOT_SUPPORTED")
    return key


def sign_bytes(key, data: bytes, method: alg.SignatureMethod) -> bytes:
    """The SignatureValue bytes: PKCS#1 v1.5 for RSA, GOST R 34.10 in Kalkan's byte order."""
    if isinstance(key, GostPrivateKey):
        return key.sign(data)
    return key.sign(data, padding.PKCS1v15(), method.hash())


def wrap_digest(value: bytes) -> str:
    """DigestValue as Santuario writes it: 76-column lines joined by CRLF, no framing newlines
    (only Streebog-512 digests are long enough to wrap; see the NCANode two-signer vector)."""
    text = b64(value)
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def apply_comment_policy(tree: etree._ElementTree, comments: CommentPolicy) -> None:
    """Spec §5.1: a ``URI=""`` reference never covers comments, and signxml-based receivers
    wrongly hash them; so by default they are stripped before signing."""
    if comments == "keep" or not has_comments(tree):
        return
    if comments == "refuse":
        raise InputError("document contains XML comments; they are not covered by a URI=\"\" "
                         "signature (strip them or sign with comments=keep)", code="XML_COMMENTS")
    remove_comments(tree)


@functools.lru_cache(maxsize=64)
def certificate_text(certificate: x509.Certificate) -> str:
    """X509Certificate's text for ``certificate``: a registry signs every answer with one."""
    return wrap_base64(certificate.public_bytes(Encoding.DER))


def build_enveloped_signature(digest_value: bytes, *, signature_uri: str, digest_uri: str,
                              certificate: x509.Certificate) -> etree._Element:
    signature = copy.deepcopy(_signature_template(signature_uri, digest_uri, certificate))
    signature[0][2][2].text = wrap_digest(digest_value)  # SignedInfo/Reference/DigestValue
    return signature


_templates = threading.local()


def _signature_template(signature_uri: str, digest_uri: str,
                        certificate: x509.Certificate) -> etree._Element:
    """The signature with all but its DigestValue and SignatureValue, built once per signer
    and copied for every signature (a copy costs a fifth of building it). Kept per thread:
    the registries sign in worker threads, and lxml trees are not shared between them."""
    cache = getattr(_templates, "cache", None)
    if cache is None:
        cache = _templates.cache = {}
    key = (signature_uri, digest_uri, certificate)
    template = cache.get(key)
    if template is None:
        if len(cache) >= 16:
            cache.clear()
        signature = etree.Element(ds("Signature"), nsmap={"ds": alg.DS_NS})
        signed_info = etree.SubElement(signature, ds("SignedInfo"))
        etree.SubElement(signed_info, ds("CanonicalizationMethod"), Algorithm=alg.C14N)
        etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=signature_uri)
        reference = etree.SubElement(signed_info, ds("Reference"), URI="")
        transforms = etree.SubElement(reference, ds("Transforms"))
        etree.SubElement(transforms, ds("Transform"), Algorithm=alg.ENVELOPED_SIGNATURE)
        etree.SubElement(transforms, ds("Transform"), Algorithm=alg.C14N_WITH_COMMENTS)
        etree.SubElement(reference, ds("DigestMethod"), Algorithm=digest_uri)
        etree.SubElement(reference, ds("DigestValue"))
        etree.SubElement(signature, ds("SignatureValue"))
        key_info = etree.SubElement(signature, ds("KeyInfo"))
        x509_data = etree.SubElement(key_info, ds("X509Data"))
        etree.SubElement(x509_data, ds("X509Certificate")).text = certificate_text(certificate)
        santuario_whitespace(signature)
        template = cache[key] = signature
    return template


def sign_signed_info(signature: etree._Element, key, method: alg.SignatureMethod,
                     c14n: alg.Canonicalization) -> None:
    """Canonicalize SignedInfo where it stands (inclusive c14n depends on the context) and sign."""
    signed_info = signature.find(ds("SignedInfo"))
    data = canonicalize(signed_info, c14n)
    signature.find(ds("SignatureValue")).text = wrap_base64(sign_bytes(key, data, method))


def sign_enveloped(document: bytes | etree._ElementTree, key, cert: x509.Certificate, *,
                   sha1: bool = False, flavor: Flavor = "ncalayer",
                   comments: CommentPolicy = "strip") -> bytes:
    """Sign ``document`` as NCALayer does and return the signed bytes.

    ``flavor`` picks the serialization: ``ncalayer`` (``encoding="UTF-8"``, CRLF between the
    signature's elements) or ``ncanode`` (Kalkan server side: ``encoding="utf-8"``, LF).
    ``comments``: ``strip`` (default), ``refuse``, or ``keep`` (Kalkan's own behaviour: kept in
    the document, not covered by the digest). An ElementTree argument is signed in place.
    A GOST key signs with its family's URIs (spec gost.md); ``sha1`` is for RSA only.
    """
    if flavor not in XML_DECLARATION:
        raise InputError(f"unknown flavor {flavor!r} (ncalayer or ncanode)")
    tree = as_tree(document)
    _sign_tree(tree, key, cert, sha1=sha1, comments=comments)
    return serialize(tree, flavor)


def _sign_tree(tree: etree._ElementTree, key, cert: x509.Certificate, *, sha1: bool = False,
               comments: CommentPolicy = "strip") -> None:
    """Append the enveloped signature to the root of ``tree`` (the signing, without the bytes)."""
    key = require_signing_key(key)
    apply_comment_policy(tree, comments)
    signature_uri, digest_uri = alg.signing_methods(sha1=sha1, key=key)
    method = alg.signature_method(signature_uri, allow_sha1=True)
    digest = alg.digest_method(digest_uri, allow_sha1=True)

    digest_value = digest.compute(canonicalize(tree, _DOCUMENT_C14N, with_comments=False))
    signature = build_enveloped_signature(digest_value, signature_uri=signature_uri,
                                          digest_uri=digest_uri, certificate=cert)
    root = tree.getroot()
    root.append(signature)
    data = signed_info_c14n(signature, signature_uri, digest_uri)
    signature[1].text = wrap_base64(sign_bytes(key, data, method))  # SignatureValue


def signed_info_c14n(signature: etree._Element, signature_uri: str, digest_uri: str) -> bytes:
    """Inclusive c14n of the SignedInfo of ``signature`` (built by :func:`build_enveloped_signature`
    and appended to the root), from a template.

    Canonical SignedInfos of such signatures differ only in the DigestValue once the context is
    fixed: the namespaces in scope at the root and the ``xml:*`` attributes it has or inherits
    (c14n 1.0 writes both on the apex). So each context is canonicalized once, with a marker for
    the digest, and every signature fills its digest in (escaped as c14n escapes text: base64
    needs only its CRs written ``&#xD;``) instead of running a c14n pass of its own.
    """
    root = signature.getparent()
    context = (signature_uri, digest_uri, tuple(sorted(root.nsmap.items(), key=_ns_order)),
               tuple(sorted(_inherited_xml_attributes(root).items())),
               tuple(sorted((k, v) for k, v in root.attrib.items() if k.startswith(_XML_ATTR))))
    cache = getattr(_templates, "signed_info", None)
    if cache is None:
        cache = _templates.signed_info = {}
    digest_value = signature[0][2][2]  # SignedInfo/Reference/DigestValue
    parts = cache.get(context)
    if parts is None:
        if len(cache) >= 64:
            cache.clear()
        text = digest_value.text
        digest_value.text = _DIGEST_MARKER
        try:
            canonical = canonicalize(signature[0], alg.CANONICALIZATIONS[alg.C14N])
        finally:
            digest_value.text = text
        head, marker, tail = canonical.partition(_DIGEST_MARKER.encode("ascii"))
        if not marker:
            raise AssertionError("the digest marker is missing from the canonical SignedInfo")
        parts = cache[context] = (head, tail)
    head, tail = parts
    return head + digest_value.text.replace("\r", "&#xD;").encode("ascii") + tail


_DIGEST_MARKER = "egov-sim-digest-marker"
_XML_ATTR = "{http://www.w3.org/XML/1998/namespace}"


def _ns_order(item: tuple[str | None, str]) -> tuple[str, str]:
    return (item[0] or "", item[1])


def serialize(tree: etree._ElementTree, flavor: Flavor) -> bytes:
    body = etree.tostring(tree, encoding="UTF-8", xml_declaration=False)
    if flavor == "ncalayer":
        start = _last_signature_start(body)
        end = body.find(b"</ds:Signature>", start) + len(b"</ds:Signature>")
        body = body[:start] + body[start:end].replace(b">\n<", b">\r\n<") + body[end:]
    return XML_DECLARATION[flavor] + body


def _last_signature_start(body: bytes) -> int:
    """Where the last ``ds:Signature`` starts: with its ``xmlns:ds``, or without it when the
    document's root already declares ``ds`` (lxml then drops the redundant declaration)."""
    start = body.rfind(_SIGNATURE_START)
    if start != -1:
        return start
    start = body.rfind(b"<ds:Signature")
    while start != -1 and body[start + 13:start + 14] not in (b">", b" "):
        start = body.rfind(b"<ds:Signature", 0, start)  # a SignatureValue or SignatureMethod
    return start


def sign_payload(data: etree._Element, key, cert: x509.Certificate) -> etree._Element:
    """Sign a payload element (ШЭП ``data``) as a standalone document and return it.

    ``URI=""`` then covers exactly this element; once it is embedded in the ШЭП envelope, a
    client verifies ``signing.verify.reroot(data)``. The registries answer this way.
    """
    tree = etree.ElementTree(data)
    _sign_tree(tree, key, cert)  # no serialization: the caller embeds the element
    return tree.getroot()
