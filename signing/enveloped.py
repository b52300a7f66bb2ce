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
from dataclasses import dataclass
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
        _signed_info_template(signature_uri, digest_uri, parent=signature)
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
    in_place = not isinstance(document, (bytes, bytearray))
    tree = as_tree(document)
    signed = _SignedValues.compute(tree, key, cert, sha1=sha1, comments=comments)
    if not in_place:
        # Bytes in, bytes out: the signature's text goes in before the root's end tag, from a
        # serialized template, without building its elements (the same bytes, tested).
        spliced = _spliced(tree, signed, cert, flavor)
        if spliced is not None:
            return spliced
    tree.getroot().append(signed.element(cert))
    return serialize(tree, flavor)


def _sign_tree(tree: etree._ElementTree, key, cert: x509.Certificate, *, sha1: bool = False,
               comments: CommentPolicy = "strip") -> None:
    """Append the enveloped signature to the root of ``tree`` (the signing, without the bytes)."""
    signed = _SignedValues.compute(tree, key, cert, sha1=sha1, comments=comments)
    tree.getroot().append(signed.element(cert))


@dataclass(frozen=True)
class _SignedValues:
    """What one enveloped signature adds to its template: the algorithms and the two texts."""

    signature_uri: str
    digest_uri: str
    digest_text: str
    value_text: str

    @classmethod
    def compute(cls, tree: etree._ElementTree, key, cert: x509.Certificate, *, sha1: bool,
                comments: CommentPolicy) -> _SignedValues:
        key = require_signing_key(key)
        apply_comment_policy(tree, comments)
        signature_uri, digest_uri = alg.signing_methods(sha1=sha1, key=key)
        method = alg.signature_method(signature_uri, allow_sha1=True)
        digest = alg.digest_method(digest_uri, allow_sha1=True)
        digest_text = wrap_digest(digest.compute(canonicalize(tree, _DOCUMENT_C14N, with_comments=False)))
        data = _signed_info_data(tree.getroot(), signature_uri, digest_uri, digest_text, cert)
        return cls(signature_uri, digest_uri, digest_text, wrap_base64(sign_bytes(key, data, method)))

    def element(self, cert: x509.Certificate) -> etree._Element:
        signature = copy.deepcopy(_signature_template(self.signature_uri, self.digest_uri, cert))
        signature[0][2][2].text = self.digest_text  # SignedInfo/Reference/DigestValue
        signature[1].text = self.value_text  # SignatureValue
        return signature


def signed_info_c14n(signature: etree._Element, signature_uri: str, digest_uri: str) -> bytes:
    """Inclusive c14n of the SignedInfo of ``signature`` (made by this module, appended to the
    root) as the signer computes it: from its context's template (:func:`_signed_info_data`)."""
    return _signed_info_data(signature.getparent(), signature_uri, digest_uri,
                             signature[0][2][2].text, None)


def _signed_info_data(root: etree._Element, signature_uri: str, digest_uri: str, digest_text: str,
                      cert: x509.Certificate | None) -> bytes:
    """The canonical SignedInfo of a signature appended to ``root``, from a template.

    Canonical SignedInfos of our signatures differ only in the DigestValue once the context is
    fixed: the namespaces in scope at the root and the ``xml:*`` attributes it has or inherits
    (c14n 1.0 writes both on the apex). So each context is canonicalized once, with a marker for
    the digest, and every signature fills its digest in (escaped as c14n escapes text: base64
    needs only its CRs written ``&#xD;``) instead of running a c14n pass of its own.
    """
    # (the order of a key's parts only decides whether two contexts share a template)
    context = (signature_uri, digest_uri, tuple(root.nsmap.items()),
               tuple(_inherited_xml_attributes(root).items()) if root.getparent() is not None else (),
               tuple((k, v) for k, v in root.attrib.items() if k.startswith(_XML_ATTR)) if root.attrib else ())
    cache = getattr(_templates, "signed_info", None)
    if cache is None:
        cache = _templates.signed_info = {}
    parts = cache.get(context)
    if parts is None:
        if len(cache) >= 64:
            cache.clear()
        probe = etree.Element(ds("Signature"), nsmap={"ds": alg.DS_NS})
        probe.append(copy.deepcopy(_signed_info_template(signature_uri, digest_uri)))
        probe[0][2][2].text = _DIGEST_MARKER
        root.append(probe)
        try:
            canonical = canonicalize(probe[0], alg.CANONICALIZATIONS[alg.C14N])
        finally:
            root.remove(probe)
        head, marker, tail = canonical.partition(_DIGEST_MARKER.encode("ascii"))
        if not marker:
            raise AssertionError("the digest marker is missing from the canonical SignedInfo")
        parts = cache[context] = (head, tail)
    head, tail = parts
    return head + digest_text.replace("\r", "&#xD;").encode("ascii") + tail


def _signed_info_template(signature_uri: str, digest_uri: str, *,
                          parent: etree._Element | None = None) -> etree._Element:
    """SignedInfo with an empty DigestValue, alone or as the first child of ``parent``."""
    signed_info = (etree.Element(ds("SignedInfo"), nsmap={"ds": alg.DS_NS}) if parent is None
                   else etree.SubElement(parent, ds("SignedInfo")))
    etree.SubElement(signed_info, ds("CanonicalizationMethod"), Algorithm=alg.C14N)
    etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=signature_uri)
    reference = etree.SubElement(signed_info, ds("Reference"), URI="")
    transforms = etree.SubElement(reference, ds("Transforms"))
    etree.SubElement(transforms, ds("Transform"), Algorithm=alg.ENVELOPED_SIGNATURE)
    etree.SubElement(transforms, ds("Transform"), Algorithm=alg.C14N_WITH_COMMENTS)
    etree.SubElement(reference, ds("DigestMethod"), Algorithm=digest_uri)
    etree.SubElement(reference, ds("DigestValue"))
    santuario_whitespace(signed_info)
    return signed_info


def _spliced(tree: etree._ElementTree, signed: _SignedValues, cert: x509.Certificate,
             flavor: Flavor) -> bytes | None:
    """The signed document's bytes with the signature's text put in before the root's end tag,
    or None where lxml would write the appended element differently (``ds`` or the XML-DSig
    namespace already declared; an empty root) or the document has more than its root."""
    root = tree.getroot()
    if (root.getprevious() is not None or root.getnext() is not None or "ds" in root.nsmap
            or alg.DS_NS in root.nsmap.values()):
        return None
    body = etree.tostring(tree, encoding="UTF-8", xml_declaration=False)
    qname = etree.QName(root)
    end = f"</{root.prefix}:{qname.localname}>" if root.prefix else f"</{qname.localname}>"
    end_tag = end.encode("utf-8")
    if not body.endswith(end_tag):
        return None
    head, middle, tail = _signature_text(signed.signature_uri, signed.digest_uri, cert, flavor)
    return b"".join((XML_DECLARATION[flavor], body[:-len(end_tag)], head,
                     signed.digest_text.replace("\r", "&#13;").encode("ascii"), middle,
                     signed.value_text.replace("\r", "&#13;").encode("ascii"), tail, end_tag))


def _signature_text(signature_uri: str, digest_uri: str, cert: x509.Certificate,
                    flavor: Flavor) -> tuple[bytes, bytes, bytes]:
    """The serialized signature (as :func:`serialize` writes it) split where its DigestValue
    and SignatureValue texts go; per thread, like the element template."""
    cache = getattr(_templates, "text", None)
    if cache is None:
        cache = _templates.text = {}
    key = (signature_uri, digest_uri, cert, flavor)
    parts = cache.get(key)
    if parts is None:
        if len(cache) >= 16:
            cache.clear()
        signature = copy.deepcopy(_signature_template(signature_uri, digest_uri, cert))
        signature[0][2][2].text = _DIGEST_MARKER
        signature[1].text = _VALUE_MARKER
        text = etree.tostring(signature, encoding="UTF-8", xml_declaration=False)
        if flavor == "ncalayer":
            text = text.replace(b">\n<", b">\r\n<")
        head, _, rest = text.partition(_DIGEST_MARKER.encode("ascii"))
        middle, _, tail = rest.partition(_VALUE_MARKER.encode("ascii"))
        parts = cache[key] = (head, middle, tail)
    return parts


_DIGEST_MARKER = "egov-sim-digest-marker"
_VALUE_MARKER = "egov-sim-value-marker"
_XML_ATTR = "{http://www.w3.org/XML/1998/namespace}"


def serialize(tree: etree._ElementTree, flavor: Flavor) -> bytes:
    body = etree.tostring(tree, encoding="UTF-8", xml_declaration=False)
    if flavor == "ncalayer":
        start = _last_signature_start(body, tree)
        signature = tree.getroot()[-1]
        end_tag = (f"</{signature.prefix}:Signature>" if signature.prefix else "</Signature>").encode("ascii")
        end = body.find(end_tag, start) + len(end_tag)
        body = body[:start] + body[start:end].replace(b">\n<", b">\r\n<") + body[end:]
    return XML_DECLARATION[flavor] + body


def _last_signature_start(body: bytes, tree: etree._ElementTree) -> int:
    """Where the signature appended last (the root's last child) starts in ``body``: lxml
    writes it with its own ``xmlns:ds``, or without it, or with the document's prefix for the
    XML-DSig namespace, when the root already declares one."""
    start = body.rfind(_SIGNATURE_START)
    if start != -1:
        return start
    signature = tree.getroot()[-1]
    tag = (f"<{signature.prefix}:Signature" if signature.prefix else "<Signature").encode("ascii")
    start = body.rfind(tag)
    while start != -1 and body[start + len(tag):start + len(tag) + 1] not in (b">", b" "):
        start = body.rfind(tag, 0, start)  # a SignatureValue or SignatureMethod
    return start


def sign_payload(data: etree._Element, key, cert: x509.Certificate) -> etree._Element:
    """Sign a payload element (ШЭП ``data``) as a standalone document and return it.

    ``URI=""`` then covers exactly this element; once it is embedded in the ШЭП envelope, a
    client verifies ``signing.verify.reroot(data)``. The registries answer this way.
    """
    tree = etree.ElementTree(data)
    _sign_tree(tree, key, cert)  # no serialization: the caller embeds the element
    return tree.getroot()
