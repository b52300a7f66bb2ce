"""XML-DSig building blocks shared by the signers and the verifier.

Kept apart from the layouts so that signing and verification canonicalize with the very same
code: a c14n difference between them would show up as a digest mismatch only in interop.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from .algorithms import DS_NS, Canonicalization

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_NAMESPACES = (SOAP11_NS, SOAP12_NS)
XML_NS = "http://www.w3.org/XML/1998/namespace"

X509V3_TOKEN = ("http://docs.oasis-open.org/wss/2004/01/"
                "oasis-200401-wss-x509-token-profile-1.0#X509v3")
BASE64_BINARY = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-soap-message-security-1.0#Base64Binary")


def ds(local: str) -> str:
    return f"{{{DS_NS}}}{local}"


def wsse(local: str) -> str:
    return f"{{{WSSE_NS}}}{local}"


WSU_ID = f"{{{WSU_NS}}}Id"
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]+")
_XML_ATTR_PREFIX = f"{{{XML_NS}}}"


def _inherited_xml_attributes(element: etree._Element) -> dict[str, str]:
    """xml:* attributes the apex of a document subset inherits under inclusive c14n 1.0.

    lxml canonicalizes a sub-element as if it were a whole document; libxmlsec and Santuario
    follow the c14n 1.0 subset rule and copy ``xml:lang`` etc. from ancestors onto the apex.
    """
    inherited: dict[str, str] = {}
    for ancestor in element.iterancestors():
        for name, value in ancestor.attrib.items():
            if name.startswith(_XML_ATTR_PREFIX) and name not in inherited:
                inherited[name] = value
    for name in list(inherited):
        if name in element.attrib:
            del inherited[name]
    return inherited


def canonicalize(node: etree._Element | etree._ElementTree, method: Canonicalization, *,
                 with_comments: bool | None = None,
                 inclusive_prefixes: list[str] | None = None) -> bytes:
    """C14N of a whole document (an ElementTree) or of the subtree at an element, in context."""
    comments = method.with_comments if with_comments is None else with_comments
    if isinstance(node, etree._ElementTree) or method.exclusive:
        return etree.tostring(node, method="c14n", exclusive=method.exclusive,
                              with_comments=comments, inclusive_ns_prefixes=inclusive_prefixes)
    inherited = _inherited_xml_attributes(node) if node.getparent() is not None else {}
    if not inherited:
        return etree.tostring(node, method="c14n", exclusive=False, with_comments=comments)
    for name, value in inherited.items():
        node.set(name, value)
    try:
        return etree.tostring(node, method="c14n", exclusive=False, with_comments=comments)
    finally:
        for name in inherited:
            del node.attrib[name]


def wrap_base64(data: bytes) -> str:
    """Base64 as Santuario writes it into SignatureValue/X509Certificate.

    76-column MIME lines joined by CRLF, the whole framed by LF when longer than one line
    (spec signatures.md §3). lxml serializes the CRs as ``&#13;``.
    """
    text = base64.b64encode(data).decode("ascii")
    if len(text) <= 76:
        return text
    # slices, not textwrap.wrap: the same lines (base64 has no spaces to break at) in a
    # hundredth of the time; textwrap was a third of an RSA signature's cost
    return "\n" + "\r\n".join([text[i:i + 76] for i in range(0, len(text), 76)]) + "\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_base64(text: str | None) -> bytes:
    """Decode base64 element text, tolerating the whitespace and CRs of wrapped output."""
    if not text or not _BASE64_TEXT.fullmatch(text):
        raise ValueError("not base64 text")
    return binascii.a2b_base64(text)


def santuario_whitespace(element: etree._Element) -> None:
    """Lay out a freshly built signature like Santuario: a LF after every start tag of an
    element with children and after every child. Leaf text is left as it is."""
    if len(element) == 0:
        return
    element.text = "\n"
    for child in element:
        santuario_whitespace(child)
        child.tail = "\n"


def has_comments(tree: etree._ElementTree) -> bool:
    root = tree.getroot()
    return (next(root.iter(etree.Comment), None) is not None
            or next(root.itersiblings(etree.Comment), None) is not None
            or next(root.itersiblings(etree.Comment, preceding=True), None) is not None)


def remove_comments(tree: etree._ElementTree) -> None:
    """Remove every comment (also before and after the root), keeping the text around it."""
    etree.strip_tags(tree, etree.Comment)


def detach_keeping_tail(node: etree._Element) -> Detached:
    """Unlink ``node`` but leave its tail text in place, as the enveloped-signature transform
    does; the returned handle puts the node back exactly as it was."""
    parent = node.getparent()
    index = parent.index(node)
    tail = node.tail
    previous = node.getprevious()
    holder_text = previous.tail if previous is not None else parent.text
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    node.tail = None
    parent.remove(node)
    return Detached(node, parent, index, tail, previous, holder_text)


class Detached:
    __slots__ = ("node", "parent", "index", "tail", "previous", "holder_text")

    def __init__(self, node, parent, index, tail, previous, holder_text):
        self.node, self.parent, self.index = node, parent, index
        self.tail, self.previous, self.holder_text = tail, previous, holder_text

    def restore(self) -> None:
        if self.previous is not None:
            self.previous.tail = self.holder_text
        else:
            self.parent.text = self.holder_text
        self.parent.insert(self.index, self.node)
        self.node.tail = self.tail
