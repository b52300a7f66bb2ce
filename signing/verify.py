"""Strict verification of NCALayer/Kalkan enveloped and ШЭП WS-Security signatures.

The result is structured like NCANode's: valid or not, the signer (``certinfo.describe``),
and every failed check under a stable code. Layout rules are those of spec signatures.md §7:
every reference must resolve to exactly one element through one index of the document's
``Id``/``ID``/``id`` attributes (any namespace), that element must be the document root
(enveloped) or, for WS-Security, the SOAP Body, a ``wsu:Timestamp``/token of the signature's own
``wsse:Security`` header or another SOAP header entry — and the Body must be among them — and
placement, transforms and algorithms are allow-listed. The signer's certificate comes from
``wsse:KeyIdentifier``, a ``wsse:Reference`` to a ``wsse:BinarySecurityToken`` (DirectReference),
``ds:X509IssuerSerial`` resolved in the trust store, or an embedded ``ds:X509Data``; a
``wsu:Timestamp`` is checked against the verifier's clock with a configurable skew.

Callers must use :attr:`VerificationResult.signed_element` and never look the signed part up
again; values are read from :attr:`VerificationResult.content`, the signed element as c14n
sees it (comments removed), because c14n without comments signs ``<iin>8801<!--x-->0040</iin>`` as the text
``88010040`` while ``.text`` of the element stops at the comment.

Two engines compute the digest and the signature value. ``strict`` (default) does it on the
one parsed tree, in place: the signature is detached for the enveloped transform and put back
with its tail text. ``signxml`` hands the same document to signxml's ``XMLVerifier`` (with
the resolved certificate as ``x509_cert``) as a cross-check. Everything else (layout, XSW
rules, algorithms, trust, validity, revocation, key usage, IIN) is common to both.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hmac
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError

from . import algorithms as alg
from .dsig import (
    BASE64_BINARY,
    SOAP_NAMESPACES,
    WSU_NS,
    X509V3_TOKEN,
    canonicalize,
    decode_base64,
    detach_keeping_tail,
    ds,
    wsse,
)
from .enveloped import as_tree
from .gost import x509 as gost_x509
from .gost.keys import BY_SIGNATURE_URI, GostPublicKey
from .trust import ChainResult, TrustStore, key_usage_problem, validity_problems

Layout = Literal["auto", "enveloped", "wsse"]
Engine = Literal["strict", "signxml"]

DIGEST_MISMATCH = "DIGEST_MISMATCH"
SIGNATURE_MISMATCH = "SIGNATURE_MISMATCH"
CHAIN_NOT_TRUSTED = "CHAIN_NOT_TRUSTED"
CERT_EXPIRED = "CERT_EXPIRED"
CERT_NOT_YET_VALID = "CERT_NOT_YET_VALID"
CERT_REVOKED = "CERT_REVOKED"
REVOCATION_UNAVAILABLE = "REVOCATION_UNAVAILABLE"
KEY_USAGE = "KEY_USAGE"
IIN_MISMATCH = "IIN_MISMATCH"
SIGNATURE_WRAPPING = "SIGNATURE_WRAPPING"
ALGORITHM_NOT_SUPPORTED = "ALGORITHM_NOT_SUPPORTED"
ALGORITHM_FORBIDDEN = "ALGORITHM_FORBIDDEN"
NO_SIGNATURE = "NO_SIGNATURE"
MALFORMED_SIGNATURE = "MALFORMED_SIGNATURE"
TIMESTAMP_EXPIRED = "TIMESTAMP_EXPIRED"
TIMESTAMP_NOT_YET_VALID = "TIMESTAMP_NOT_YET_VALID"
COMMENT_IN_SIGNED_CONTENT = "COMMENT_IN_SIGNED_CONTENT"

SignedComments = Literal["strip", "refuse"]
WSSE_PARTS = ("Body", "Timestamp")
MAX_REFERENCES = 16

_ID_ATTRIBUTES = etree.XPath("//@*[local-name()='Id' or local-name()='ID' or local-name()='id']")
_TIMESTAMP = f"{{{WSU_NS}}}Timestamp"
_BINARY_TOKEN = wsse("BinarySecurityToken")
_EXC = alg.CANONICALIZATIONS[alg.EXC_C14N]
_INCLUSIVE_NAMESPACES = "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces"
_DOCUMENT_TRANSFORMS = {alg.C14N, alg.C14N_WITH_COMMENTS}
_ENVELOPED_SIGNED_INFO_C14N = {alg.C14N, alg.EXC_C14N}


@dataclass(frozen=True)
class Failure:
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class SignatureResult:
    index: int
    """Position of the signature in the document (0 = first signer)."""
    valid: bool
    layout: str
    signer: Any | None
    """``certinfo.CertInfo`` of the signer's certificate, when it could be found."""
    failures: tuple[Failure, ...]
    signature_method: str | None = None
    digest_method: str | None = None
    canonicalization_method: str | None = None
    revocations: tuple[Any, ...] = ()
    certificate: x509.Certificate | None = field(default=None, repr=False, compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.failures)

    @property
    def gost(self) -> bool:
        """Signed with a GOST algorithm (GOST 34.310-2004 or GOST 34.10-2015)."""
        method = alg.SIGNATURE_METHODS.get(self.signature_method or "")
        return method is not None and method.family == "GOST"

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "valid": self.valid,
            "layout": self.layout,
            "signatureMethod": self.signature_method,
            "digestMethod": self.digest_method,
            "canonicalizationMethod": self.canonicalization_method,
            "signer": self.signer.to_json() if self.signer is not None else None,
            "revocations": [_revocation_json(r) for r in self.revocations],
            "failures": [f.to_json() for f in self.failures],
        }


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    layout: str | None
    signatures: tuple[SignatureResult, ...]
    """In the order checked: last signature first (LIFO)."""
    failures: tuple[Failure, ...] = ()
    """Failures of the document as a whole (no signature at all)."""
    verified_at: dt.datetime | None = None
    signed_element: etree._Element | None = field(default=None, repr=False, compare=False)
    """The verified node (document root or soap:Body) when valid; use it, not a new lookup."""

    @property
    def content(self) -> etree._Element | None:
        """A copy of :attr:`signed_element` as the signature covers it: comments removed and the
        text around them joined, as c14n without comments does. Read values from here."""
        return signed_view(self.signed_element) if self.signed_element is not None else None

    @property
    def all_failures(self) -> tuple[Failure, ...]:
        return self.failures + tuple(f for s in self.signatures for f in s.failures)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.code for f in self.all_failures))

    @property
    def gost(self) -> bool:
        """Some signature uses GOST."""
        return any(s.gost for s in self.signatures)

    @property
    def signer(self):
        """The signer of the last (outermost) signature."""
        return self.signatures[0].signer if self.signatures else None

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "layout": self.layout,
            "verifiedAt": self.verified_at.isoformat() if self.verified_at else None,
            "signatures": [s.to_json() for s in self.signatures],
            "failures": [f.to_json() for f in self.failures],
        }


def _revocation_json(rev) -> dict[str, Any]:
    if hasattr(rev, "to_json"):
        return rev.to_json()
    when = getattr(rev, "revocation_time", None)
    return {"revoked": getattr(rev, "revoked", None), "by": getattr(rev, "by", None),
            "revocationTime": when.isoformat() if isinstance(when, dt.datetime) else when,
            "reason": getattr(rev, "reason", None)}


class _Broken(Exception):
    """A check that makes the rest of this signature's checks meaningless."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.failure = Failure(code, message)


@dataclass
class _CertEntry:
    certificate: x509.Certificate
    der: bytes
    public_key: Any | None
    key_problem: str | None
    signer: Any | None
    window: tuple[dt.datetime, dt.datetime] | None = None
    """Validity period common to the whole chain, once the chain is known."""
    usage: dict[str | None, str | None] = field(default_factory=dict)


@dataclass
class _Reference:
    """One ds:Reference: what it points at and how that is hashed."""
    element: etree._Element
    uri: str
    transforms: list[tuple[str | None, list[str] | None]]
    digest_uri: str | None
    digest_value: bytes


@dataclass
class _Parsed:
    """The parts of one ds:Signature, checked for shape but not yet for meaning."""
    element: etree._Element
    signed_info: etree._Element
    c14n_uri: str | None
    c14n_prefixes: list[str] | None
    signature_uri: str | None
    references: list[_Reference]
    signature_value: bytes
    key_info: etree._Element | None

    # The first reference (the only one an enveloped signature may have).
    @property
    def reference(self) -> etree._Element:
        return self.references[0].element

    @property
    def reference_uri(self) -> str:
        return self.references[0].uri

    @property
    def transforms(self) -> list[tuple[str | None, list[str] | None]]:
        return self.references[0].transforms

    @property
    def digest_uri(self) -> str | None:
        return self.references[0].digest_uri

    @property
    def digest_value(self) -> bytes:
        return self.references[0].digest_value


@dataclass
class _Target:
    """What one reference covers and how to hash it."""
    node: etree._Element | etree._ElementTree
    c14n: alg.Canonicalization
    with_comments: bool
    prefixes: list[str] | None
    enveloped: bool
    reference: _Reference | None = None


class _IdIndex:
    """Every ``Id``/``ID``/``id`` attribute of a document (any namespace), found in one pass.

    Spec signatures.md §7 rule 3: a reference ``#x`` is good only when exactly one such
    attribute has the value ``x``; the index answers every reference and token lookup of a
    document from one scan of the attribute axis (cheaper than an element predicate).
    """

    def __init__(self, root: etree._Element):
        self._by_value: dict[str, list[etree._Element]] = {}
        for attribute in _ID_ATTRIBUTES(root):
            self._by_value.setdefault(str(attribute), []).append(attribute.getparent())

    def resolve(self, uri: str, what: str = "reference") -> etree._Element:
        if not uri.startswith("#") or len(uri) < 2 or uri.startswith("#xpointer("):
            raise _Broken(SIGNATURE_WRAPPING, f"{what}: URI {uri!r} is not a same-document #id")
        hits = self._by_value.get(uri[1:], [])
        if not hits:
            raise _Broken(SIGNATURE_WRAPPING, f"{what}: {uri} matches no element")
        if len(hits) > 1:
            raise _Broken(SIGNATURE_WRAPPING,
                          f"duplicate-id: {uri} matches {len(hits)} Id attributes "
                          f"({', '.join(_path(h) for h in hits)})")
        return hits[0]


def _elements(node: etree._Element) -> list[etree._Element]:
    return [child for child in node if isinstance(child.tag, str)]


def _path(node: etree._Element) -> str:
    parts = []
    while node is not None:
        parts.append(etree.QName(node).localname)
        node = node.getparent()
    return "/" + "/".join(reversed(parts))


def _prefixes(method: etree._Element) -> list[str] | None:
    inclusive = method.find(_INCLUSIVE_NAMESPACES)
    if inclusive is None:
        return None
    return (inclusive.get("PrefixList") or "").split() or None


_SIGNED_INFO, _SIGNATURE_VALUE, _KEY_INFO = ds("SignedInfo"), ds("SignatureValue"), ds("KeyInfo")
_C14N_METHOD, _SIGNATURE_METHOD, _REFERENCE = ds("CanonicalizationMethod"), ds("SignatureMethod"), ds("Reference")
_TRANSFORMS, _TRANSFORM = ds("Transforms"), ds("Transform")
_DIGEST_PARTS = [ds("DigestMethod"), ds("DigestValue")]


def _parse_signature(signature: etree._Element, *, max_references: int = 1) -> _Parsed:
    children = _elements(signature)
    tags = [c.tag for c in children]
    if tags[:2] != [_SIGNED_INFO, _SIGNATURE_VALUE] or len(tags) > 3 \
            or (len(tags) == 3 and tags[2] != _KEY_INFO):
        names = [etree.QName(t).localname for t in tags]
        raise _Broken(MALFORMED_SIGNATURE,
                      f"ds:Signature must hold SignedInfo, SignatureValue, KeyInfo; found {names}")
    signed_info, signature_value = children[0], children[1]
    key_info = children[2] if len(children) == 3 else None
    parts = _elements(signed_info)
    if len(parts) < 3 or parts[0].tag != _C14N_METHOD or parts[1].tag != _SIGNATURE_METHOD:
        raise _Broken(MALFORMED_SIGNATURE,
                      "SignedInfo must start with CanonicalizationMethod, SignatureMethod")
    references = parts[2:]
    if any(r.tag != _REFERENCE for r in references):
        raise _Broken(MALFORMED_SIGNATURE, "SignedInfo holds an element other than Reference")
    if not 1 <= len(references) <= max_references:
        allowed = "exactly one ds:Reference allowed" if max_references == 1 else \
            f"1 to {max_references} ds:Reference elements allowed"
        raise _Broken(SIGNATURE_WRAPPING, f"references: {allowed}, found {len(references)}")
    parsed_refs = [_parse_reference(r) for r in references]
    try:
        value = decode_base64(signature_value.text)
    except ValueError:
        raise _Broken(MALFORMED_SIGNATURE, "DigestValue or SignatureValue is not base64") from None
    return _Parsed(signature, signed_info, parts[0].get("Algorithm"), _prefixes(parts[0]),
                   parts[1].get("Algorithm"), parsed_refs, value, key_info)


def _parse_reference(reference: etree._Element) -> _Reference:
    uri = reference.get("URI")
    if uri is None:
        raise _Broken(MALFORMED_SIGNATURE, "ds:Reference without URI")
    ref_parts = _elements(reference)
    transforms_el = ref_parts[0] if ref_parts and ref_parts[0].tag == _TRANSFORMS else None
    rest = ref_parts[1:] if transforms_el is not None else ref_parts
    if [c.tag for c in rest] != _DIGEST_PARTS:
        raise _Broken(MALFORMED_SIGNATURE, "ds:Reference must hold Transforms, DigestMethod, DigestValue")
    transforms = []
    if transforms_el is not None:
        for transform in _elements(transforms_el):
            if transform.tag != _TRANSFORM:
                raise _Broken(MALFORMED_SIGNATURE, "ds:Transforms holds an element other than Transform")
            transforms.append((transform.get("Algorithm"), _prefixes(transform)))
    try:
        digest_value = decode_base64(rest[1].text)
    except ValueError:
        raise _Broken(MALFORMED_SIGNATURE, "DigestValue or SignatureValue is not base64") from None
    return _Reference(reference, uri, transforms, rest[0].get("Algorithm"), digest_value)


def _algorithms(parsed: _Parsed, allow_sha1: bool, allowed_c14n: set[str]) -> tuple[
        alg.SignatureMethod, alg.DigestMethod, alg.Canonicalization, list[Failure]]:
    failures = []
    method = digest = c14n = None
    checks = [lambda: alg.signature_method(parsed.signature_uri, allow_sha1=allow_sha1)]
    checks += [lambda ref=ref: alg.digest_method(ref.digest_uri, allow_sha1=allow_sha1)
               for ref in parsed.references]
    for check in checks:
        try:
            value = check()
        except alg.AlgorithmError as exc:
            if Failure(exc.code, str(exc)) not in failures:
                failures.append(Failure(exc.code, str(exc)))
            continue
        if isinstance(value, alg.SignatureMethod):
            method = value
        elif digest is None:
            digest = value
    try:
        c14n = alg.canonicalization(parsed.c14n_uri)
        if parsed.c14n_uri not in allowed_c14n:
            failures.append(Failure(SIGNATURE_WRAPPING,
                                    f"transforms: SignedInfo canonicalization {parsed.c14n_uri} "
                                    f"is not allowed in this layout"))
    except alg.AlgorithmError as exc:
        failures.append(Failure(exc.code, str(exc)))
    return method, digest, c14n, failures


class Verifier:
    """Holds the trust store and the caches; create one per process and reuse it."""

    def __init__(self, trust: TrustStore, *, revocation=None, allow_sha1: bool = False,
                 engine: Engine = "strict", clock: Clock = system_clock, cache_size: int = 1024,
                 timestamp_skew: dt.timedelta = dt.timedelta(minutes=5),
                 wsse_required: tuple[str, ...] = ("Body",),
                 signed_comments: SignedComments = "strip"):
        """``timestamp_skew``: how far a ``wsu:Timestamp``'s Created may lie ahead of the clock
        and its Expires behind it. ``wsse_required``: the parts a WS-Security signature must
        cover (``Body``, and ``Timestamp``: a Timestamp, when present, must be signed).
        ``signed_comments``: ``strip`` reads signed content as c14n does (comments removed);
        ``refuse`` fails a signature whose signed content holds a comment."""
        if engine not in ("strict", "signxml"):
            raise InputError(f"unknown verification engine {engine!r} (strict or signxml)")
        if "Body" not in wsse_required or set(wsse_required) - set(WSSE_PARTS):
            raise InputError(f"wsse_required must hold Body and may hold Timestamp, not {wsse_required!r}")
        if signed_comments not in ("strip", "refuse"):
            raise InputError(f"signed_comments must be strip or refuse, not {signed_comments!r}")
        self.timestamp_skew = timestamp_skew
        self.wsse_required = tuple(wsse_required)
        self.signed_comments = signed_comments
        self.trust = trust
        self.revocation = revocation
        self.allow_sha1 = allow_sha1
        self.engine = engine
        self.clock = clock
        self._certs: OrderedDict[bytes, _CertEntry] = OrderedDict()
        self._by_text: OrderedDict[str, _CertEntry] = OrderedDict()
        """Shortcut from the exact base64 text in a document to the entry, skipping decoding."""
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # ---- entry point -------------------------------------------------------------------

    def verify(self, document: bytes | etree._ElementTree, *, layout: Layout = "auto",
               at: dt.datetime | None = None, expect_iin: str | None = None,
               purpose: str | None = None) -> VerificationResult:
        """Verify every signature of ``document``. Unreadable input (malformed XML, DOCTYPE,
        oversize) raises :class:`InputError`; everything else is reported in the result."""
        tree = as_tree(document)
        at = _aware(at) if at is not None else self.clock()
        purpose = _purpose(purpose)
        expect_iin = expect_iin.strip() if expect_iin else None
        chosen = _detect_layout(tree) if layout == "auto" else layout
        if chosen == "wsse":
            return self._verify_wsse(tree, at, expect_iin, purpose)
        if chosen == "enveloped":
            return self._verify_enveloped(tree, at, expect_iin, purpose)
        raise InputError(f"unknown layout {layout!r} (auto, enveloped or wsse)")

    # ---- layouts -----------------------------------------------------------------------

    def _verify_enveloped(self, tree, at, expect_iin, purpose) -> VerificationResult:
        root = tree.getroot()
        signatures = [c for c in root if c.tag == ds("Signature")]
        if not signatures:
            return _unsigned("enveloped", at, "no ds:Signature among the children of the root element")
        results: list[SignatureResult] = []
        detached = []
        try:
            for index in range(len(signatures) - 1, -1, -1):
                signature = signatures[index]
                results.append(self._check(
                    index, "enveloped", signature,
                    lambda parsed, sig=signature: self._enveloped_target(tree, root, sig, parsed),
                    tree, at, expect_iin, purpose))
                detached.append(detach_keeping_tail(signature))
        finally:
            for handle in reversed(detached):
                handle.restore()
        valid = all(r.valid for r in results)
        return VerificationResult(valid, "enveloped", tuple(results), (), at,
                                  root if valid else None)

    def _enveloped_target(self, tree, root, signature, parsed: _Parsed) -> list[_Target]:
        last = next((c for c in reversed(root) if isinstance(c.tag, str)), None)
        if last is not signature:
            raise _Broken(SIGNATURE_WRAPPING,
                          "placement: ds:Signature is not the last element child of the root "
                          "(after removing the signatures that follow it)")
        algorithms = [a for a, _ in parsed.transforms]
        if len(algorithms) != 2 or algorithms[0] != alg.ENVELOPED_SIGNATURE \
                or algorithms[1] not in _DOCUMENT_TRANSFORMS:
            raise _Broken(SIGNATURE_WRAPPING,
                          f"transforms: expected [enveloped-signature, c14n 1.0], found {algorithms}")
        c14n = alg.CANONICALIZATIONS[algorithms[1]]
        if self.signed_comments == "refuse":
            handle = detach_keeping_tail(signature)
            try:
                comment = next(root.iter(etree.Comment), None)
            finally:
                handle.restore()
            if comment is not None:
                raise _Broken(COMMENT_IN_SIGNED_CONTENT,
                              f"a comment inside the signed document (line {comment.sourceline}); "
                              "comments are refused in signed content")
        if parsed.reference_uri == "":
            return [_Target(tree, c14n, False, None, True, parsed.references[0])]
        if _IdIndex(root).resolve(parsed.reference_uri) is not root:
            raise _Broken(SIGNATURE_WRAPPING,
                          f"reference: {parsed.reference_uri} does not resolve to the root element")
        return [_Target(root, c14n, c14n.with_comments, None, True, parsed.references[0])]

    def _verify_wsse(self, tree, at, expect_iin, purpose) -> VerificationResult:
        envelope = tree.getroot()
        qname = etree.QName(envelope)
        if qname.namespace not in SOAP_NAMESPACES or qname.localname != "Envelope":
            return _unsigned("wsse", at, "not a SOAP envelope")
        soap = qname.namespace
        headers = [c for c in envelope if c.tag == f"{{{soap}}}Header"]
        bodies = [c for c in envelope if c.tag == f"{{{soap}}}Body"]
        securities = [s for h in headers for s in h if s.tag == wsse("Security")]
        signatures = [s for sec in securities for s in sec if s.tag == ds("Signature")]
        if not signatures:
            return _unsigned("wsse", at, "no ds:Signature in soap:Header/wsse:Security")
        placement = None
        if len(headers) != 1:
            placement = f"placement: {len(headers)} soap:Header elements"
        elif len(securities) != 1:
            placement = f"placement: {len(securities)} wsse:Security headers"
        elif len(signatures) != 1:
            placement = f"placement: {len(signatures)} ds:Signature elements in wsse:Security"
        elif len(bodies) != 1:
            placement = f"placement: {len(bodies)} soap:Body children of soap:Envelope"
        elif len([t for t in securities[0] if t.tag == _TIMESTAMP]) > 1:
            placement = "placement: more than one wsu:Timestamp in wsse:Security"
        body = bodies[0] if len(bodies) == 1 else None
        security = securities[0]
        signature = signatures[-1]
        timestamp = next((t for t in security if t.tag == _TIMESTAMP), None)
        index = _IdIndex(envelope)

        def allowed(node: etree._Element) -> bool:
            """The Body, a child of this signature's wsse:Security other than the signature
            (Timestamp, token), or another SOAP header entry; nothing inside them."""
            parent = node.getparent()
            if node is body or (parent is security and node is not signature):
                return True
            return parent is not None and parent.getparent() is envelope \
                and parent.tag == f"{{{soap}}}Header" and node is not security \
                and etree.QName(node).namespace != soap

        def target(parsed: _Parsed) -> list[_Target]:
            if placement:
                raise _Broken(SIGNATURE_WRAPPING, placement)
            targets, seen = [], set()
            for ref in parsed.references:
                algorithms = [a for a, _ in ref.transforms]
                if algorithms not in ([alg.EXC_C14N], [alg.ENVELOPED_SIGNATURE, alg.EXC_C14N]):
                    raise _Broken(SIGNATURE_WRAPPING,
                                  "transforms: expected [exc-c14n] (or [enveloped-signature, "
                                  f"exc-c14n]), found {algorithms}")
                node = index.resolve(ref.uri)
                if not allowed(node):
                    raise _Broken(SIGNATURE_WRAPPING,
                                  f"reference: {ref.uri} resolves to {_path(node)}, not to the "
                                  "soap:Body child of soap:Envelope, a wsse:Security token or "
                                  "wsu:Timestamp, or a soap:Header entry")
                if node in seen:
                    raise _Broken(SIGNATURE_WRAPPING, f"reference: {_path(node)} is referenced twice")
                seen.add(node)
                targets.append(_Target(node, _EXC, False, ref.transforms[-1][1], False, ref))
            if body not in seen:
                raise _Broken(SIGNATURE_WRAPPING,
                              "coverage: the soap:Body is not signed (references: "
                              f"{', '.join(_path(t.node) for t in targets)})")
            if "Timestamp" in self.wsse_required and timestamp is not None and timestamp not in seen:
                raise _Broken(SIGNATURE_WRAPPING, "coverage: the wsu:Timestamp is not signed")
            if self.signed_comments == "refuse":
                for t in targets:
                    comment = next(t.node.iter(etree.Comment), None)
                    if comment is not None:
                        raise _Broken(COMMENT_IN_SIGNED_CONTENT,
                                      f"a comment inside signed {_path(t.node)} (line "
                                      f"{comment.sourceline}); comments are refused in signed content")
            return targets

        def tokens(uri: str) -> etree._Element:
            node = index.resolve(uri, "token reference")
            if node.tag != _BINARY_TOKEN or node.getparent() is not security:
                raise _Broken(SIGNATURE_WRAPPING,
                              f"token reference: {uri} resolves to {_path(node)}, not to a "
                              "wsse:BinarySecurityToken of this wsse:Security header")
            return node

        result = self._check(0, "wsse", signature, target, tree, at, expect_iin, purpose,
                             tokens=tokens, max_references=MAX_REFERENCES)
        if timestamp is not None and placement is None:
            problems = self._timestamp_problems(timestamp, at)
            if problems:
                result = dataclasses.replace(result, valid=False,
                                             failures=result.failures + tuple(problems))
        return VerificationResult(result.valid, "wsse", (result,), (), at,
                                  body if result.valid else None)

    def _timestamp_problems(self, timestamp: etree._Element, at: dt.datetime) -> list[Failure]:
        """``wsu:Created`` not later than now + skew, ``wsu:Expires`` not earlier than now - skew."""
        created = _timestamp_value(timestamp, "Created")
        expires = _timestamp_value(timestamp, "Expires")
        if isinstance(created, Failure):
            return [created]
        if isinstance(expires, Failure):
            return [expires]
        if created is not None and created - self.timestamp_skew > at:
            return [Failure(TIMESTAMP_NOT_YET_VALID,
                            f"wsu:Timestamp Created {created.isoformat()} is later than "
                            f"{at.isoformat()} (allowed skew {self.timestamp_skew})")]
        if expires is not None and expires + self.timestamp_skew < at:
            return [Failure(TIMESTAMP_EXPIRED,
                            f"wsu:Timestamp Expires {expires.isoformat()} is before "
                            f"{at.isoformat()} (allowed skew {self.timestamp_skew})")]
        if created is not None and expires is not None and expires < created:
            return [Failure(MALFORMED_SIGNATURE, "wsu:Timestamp Expires is before Created")]
        return []

    # ---- one signature -----------------------------------------------------------------

    def _check(self, index: int, layout: str, signature: etree._Element,
               resolve: Callable[[_Parsed], list[_Target]], tree, at: dt.datetime,
               expect_iin: str | None, purpose: str | None, *,
               tokens: Callable[[str], etree._Element] | None = None,
               max_references: int = 1) -> SignatureResult:
        failures: list[Failure] = []
        parsed = target = method = digest = c14n = None
        try:
            parsed = _parse_signature(signature, max_references=max_references)
        except _Broken as broken:
            failures.append(broken.failure)
        if parsed is not None:
            allowed = {alg.EXC_C14N} if layout == "wsse" else _ENVELOPED_SIGNED_INFO_C14N
            method, digest, c14n, problems = _algorithms(parsed, self.allow_sha1, allowed)
            failures.extend(problems)
            try:
                target = resolve(parsed)
            except _Broken as broken:
                failures.append(broken.failure)

        entry = None
        if parsed is not None:
            try:
                entry = self._certificate(parsed.key_info, tokens)
            except _Broken as broken:
                failures.append(broken.failure)
        revocations: tuple = ()
        if entry is not None:
            cert_failures, revocations = self._check_certificate(entry, at, expect_iin, purpose)
            failures.extend(cert_failures)
            if entry.key_problem and not any(f.code.startswith("ALGORITHM") for f in failures):
                failures.append(Failure(ALGORITHM_NOT_SUPPORTED, entry.key_problem))

        structural = any(f.code in (SIGNATURE_WRAPPING, MALFORMED_SIGNATURE,
                                    COMMENT_IN_SIGNED_CONTENT) or
                         f.code.startswith("ALGORITHM") for f in failures)
        if not structural and target is not None and entry is not None and entry.public_key is not None:
            if self.engine == "signxml" and method.family == "RSA":  # signxml has no GOST
                failures.extend(self._crypto_signxml(tree, layout, parsed, entry))
            else:
                failures.extend(_crypto_strict(parsed, target, entry, method, c14n,
                                               allow_sha1=self.allow_sha1))

        return SignatureResult(
            index=index, valid=not failures, layout=layout,
            signer=entry.signer if entry else None, failures=tuple(failures),
            signature_method=parsed.signature_uri if parsed else None,
            digest_method=parsed.digest_uri if parsed else None,
            canonicalization_method=parsed.c14n_uri if parsed else None,
            revocations=revocations, certificate=entry.certificate if entry else None)

    # ---- certificates ------------------------------------------------------------------

    def _certificate(self, key_info: etree._Element | None,
                     tokens: Callable[[str], etree._Element] | None = None) -> _CertEntry:
        """The signer's certificate from KeyInfo: a ``wsse:SecurityTokenReference`` (a
        ``wsse:Reference`` to a BinarySecurityToken, a ``KeyIdentifier``, ``X509IssuerSerial`` or
        an embedded ``X509Certificate``), or ``ds:X509Data`` directly."""
        if key_info is None:
            raise _Broken(MALFORMED_SIGNATURE, "ds:KeyInfo is missing")
        token = key_info.find(wsse("SecurityTokenReference"))
        if token is not None:
            direct = token.find(wsse("Reference"))
            if direct is not None:
                return self._entry_from_token(direct, tokens)
            identifier = token.find(wsse("KeyIdentifier"))
            if identifier is not None:
                if identifier.get("ValueType") != X509V3_TOKEN:
                    raise _Broken(MALFORMED_SIGNATURE,
                                  f"unsupported KeyIdentifier ValueType {identifier.get('ValueType')!r}"
                                  " (X509v3 only)")
                _check_encoding(identifier, "KeyIdentifier")
                return self._entry_from_base64(identifier.text)
            serial = token.find(f"{ds('X509Data')}/{ds('X509IssuerSerial')}")
            if serial is not None:
                return self._entry_from_issuer_serial(serial)
            embedded = token.findall(f"{ds('X509Data')}/{ds('X509Certificate')}")
            if len(embedded) == 1:
                return self._entry_from_base64(embedded[0].text)
            raise _Broken(MALFORMED_SIGNATURE,
                          "wsse:SecurityTokenReference holds none of Reference, KeyIdentifier, "
                          "X509IssuerSerial or one X509Certificate")
        certificates = key_info.findall(f"{ds('X509Data')}/{ds('X509Certificate')}")
        if len(certificates) != 1:
            raise _Broken(MALFORMED_SIGNATURE,
                          f"exactly one X509Certificate (the signer's) expected, found {len(certificates)}")
        return self._entry_from_base64(certificates[0].text)

    def _entry_from_token(self, reference: etree._Element,
                          tokens: Callable[[str], etree._Element] | None) -> _CertEntry:
        """DirectReference: ``wsse:Reference URI="#x"`` to a BinarySecurityToken (X509v3)."""
        uri = reference.get("URI") or ""
        value_type = reference.get("ValueType")
        if value_type not in (None, X509V3_TOKEN):
            raise _Broken(MALFORMED_SIGNATURE, f"unsupported wsse:Reference ValueType {value_type!r}"
                                               " (X509v3 only)")
        if tokens is None:
            raise _Broken(MALFORMED_SIGNATURE, "a wsse:Reference needs a WS-Security header to resolve in")
        token = tokens(uri)
        if token.get("ValueType") != X509V3_TOKEN:
            raise _Broken(MALFORMED_SIGNATURE, f"unsupported BinarySecurityToken ValueType "
                                               f"{token.get('ValueType')!r} (X509v3 only)")
        _check_encoding(token, "BinarySecurityToken")
        return self._entry_from_base64(token.text)

    def _entry_from_issuer_serial(self, issuer_serial: etree._Element) -> _CertEntry:
        name = issuer_serial.findtext(ds("X509IssuerName")) or ""
        number = (issuer_serial.findtext(ds("X509SerialNumber")) or "").strip()
        if not number.isdigit():
            raise _Broken(MALFORMED_SIGNATURE, f"X509SerialNumber {number!r} is not a decimal number")
        cert = self.trust.find_by_issuer_serial(name, int(number))
        if cert is None:
            raise _Broken(CHAIN_NOT_TRUSTED,
                          f"the certificate referenced by X509IssuerSerial ({name}, {number}) "
                          "is not in the trust store")
        return self._entry(cert.public_bytes(Encoding.DER), cert)

    def _entry_from_base64(self, text: str | None) -> _CertEntry:
        entry = self._by_text.get(text) if text else None
        if entry is not None:
            return entry
        try:
            der = decode_base64(text)
        except ValueError:
            raise _Broken(MALFORMED_SIGNATURE, "the signer's certificate is not base64") from None
        entry = self._entry(der)
        with self._lock:
            self._by_text[text] = entry
            if len(self._by_text) > self._cache_size:
                self._by_text.popitem(last=False)
        return entry

    def _entry(self, der: bytes, cert: x509.Certificate | None = None) -> _CertEntry:
        with self._lock:
            entry = self._certs.get(der)
            if entry is not None:
                self._certs.move_to_end(der)
                return entry
        if cert is None:
            try:
                cert = x509.load_der_x509_certificate(der)
            except ValueError:
                raise _Broken(MALFORMED_SIGNATURE, "the signer's certificate is not an X.509 certificate") from None
        public_key, key_problem = None, None
        try:
            public_key = gost_x509.public_key(cert)
            if not isinstance(public_key, (rsa.RSAPublicKey, GostPublicKey)):
                public_key, key_problem = None, f"{type(public_key).__name__} keys are not supported"
        except (UnsupportedAlgorithm, ValueError) as exc:
            key_problem = f"the certificate's key algorithm is not supported ({exc})"
        entry = _CertEntry(cert, der, public_key, key_problem, _describe(cert))
        with self._lock:
            self._certs[der] = entry
            if len(self._certs) > self._cache_size:
                self._certs.popitem(last=False)
        return entry

    def _check_certificate(self, entry: _CertEntry, at, expect_iin, purpose):
        failures: list[Failure] = []
        revocations: tuple = ()
        chain: ChainResult | None = None
        if entry.public_key is not None:
            chain = self.trust.chain(entry.certificate, der=entry.der, allow_sha1=self.allow_sha1)
            if entry.window is None:
                entry.window = (chain.valid_from, chain.valid_until)
        if entry.window is None or not entry.window[0] <= at <= entry.window[1]:
            checked = chain.chain if chain is not None else (entry.certificate,)
            failures += [Failure(p.code, p.message) for p in validity_problems(checked, at)]
        if chain is not None and not chain.trusted:
            failures.append(Failure(CHAIN_NOT_TRUSTED, chain.problem or "chain not trusted"))
        if purpose not in entry.usage:
            entry.usage[purpose] = key_usage_problem(entry.certificate, purpose)
        if entry.usage[purpose]:
            failures.append(Failure(KEY_USAGE, entry.usage[purpose]))
        if chain is not None and chain.trusted and self.revocation is not None and chain.issuer is not None:
            try:
                revocations = tuple(self.revocation.check(entry.certificate, chain.issuer))
            except InputError as exc:
                failures.append(Failure(REVOCATION_UNAVAILABLE, str(exc)))
            for rev in revocations:
                when = getattr(rev, "revocation_time", None)
                if rev.revoked and (when is None or _aware(when) <= at):
                    failures.append(Failure(CERT_REVOKED, _revocation_message(rev)))
                    break
        if expect_iin is not None:
            actual = getattr(entry.signer, "iin", None)
            if actual != expect_iin:
                failures.append(Failure(
                    IIN_MISMATCH, f"the certificate's IIN is {actual or 'absent'}, "
                                  f"the document's is {expect_iin}"))
        return failures, revocations

    # ---- crypto ------------------------------------------------------------------------

    def _crypto_signxml(self, tree, layout, parsed: _Parsed, entry: _CertEntry) -> list[Failure]:
        from . import signxml_engine

        return signxml_engine.check(tree, layout, parsed.element, parsed.reference_uri,
                                     entry.certificate, allow_sha1=self.allow_sha1,
                                     references=len(parsed.references))


def _crypto_strict(parsed: _Parsed, targets: list[_Target], entry: _CertEntry,
                   method: alg.SignatureMethod, c14n: alg.Canonicalization, *,
                   allow_sha1: bool) -> list[Failure]:
    signed_info = canonicalize(parsed.signed_info, c14n, inclusive_prefixes=parsed.c14n_prefixes)
    key = entry.public_key
    if (method.family == "GOST") != isinstance(key, GostPublicKey) or (
            isinstance(key, GostPublicKey) and BY_SIGNATURE_URI[method.uri].curve is not key.algorithm.curve):
        key_name = key.algorithm.title if isinstance(key, GostPublicKey) else "RSA"
        return [Failure(SIGNATURE_MISMATCH, f"SignatureMethod {method.uri} does not fit the signer's "
                                            f"{key_name} key")]
    try:
        if isinstance(key, GostPublicKey):
            key.verify(parsed.signature_value, signed_info, BY_SIGNATURE_URI[method.uri])
        else:
            key.verify(parsed.signature_value, signed_info, padding.PKCS1v15(), method.hash())
    except InvalidSignature:
        return [Failure(SIGNATURE_MISMATCH, "SignatureValue does not verify with the signer's key")]
    for target in targets:
        ref = target.reference
        if target.enveloped:
            handle = detach_keeping_tail(parsed.element)
            try:
                data = canonicalize(target.node, target.c14n, with_comments=target.with_comments)
            finally:
                handle.restore()
        else:
            data = canonicalize(target.node, target.c14n, with_comments=target.with_comments,
                                inclusive_prefixes=target.prefixes)
        digest = alg.digest_method(ref.digest_uri, allow_sha1=allow_sha1)
        if not hmac.compare_digest(digest.compute(data), ref.digest_value):
            return [Failure(DIGEST_MISMATCH, f"digest of the data referenced by "
                                             f"URI={ref.uri!r} does not match DigestValue")]
    return []


def _check_encoding(token: etree._Element, what: str) -> None:
    encoding = token.get("EncodingType")
    if encoding not in (None, BASE64_BINARY):
        raise _Broken(MALFORMED_SIGNATURE, f"unsupported {what} EncodingType {encoding!r} (Base64Binary only)")


def _timestamp_value(timestamp: etree._Element, name: str) -> dt.datetime | Failure | None:
    element = timestamp.find(f"{{{WSU_NS}}}{name}")
    if element is None:
        return None
    text = (element.text or "").strip()
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return Failure(MALFORMED_SIGNATURE, f"wsu:Timestamp {name} {text!r} is not an xsd:dateTime")
    return _aware(value)


def signed_view(element: etree._Element) -> etree._Element:
    """A copy of ``element`` without comments, the text around each comment joined: what a
    signature made with c14n without comments covers, and so what a consumer may trust."""
    dup = copy.deepcopy(element)
    etree.strip_tags(dup, etree.Comment)
    return dup


def _describe(cert: x509.Certificate):
    from .certinfo import describe

    try:
        return describe(cert)
    except Exception:  # a certificate we cannot describe is still reported, without a signer
        return None


def _revocation_message(rev) -> str:
    when = getattr(rev, "revocation_time", None)
    parts = ["certificate is revoked"]
    if getattr(rev, "reason", None):
        parts.append(f"reason {rev.reason}")
    if when is not None:
        parts.append(f"since {when.isoformat() if isinstance(when, dt.datetime) else when}")
    if getattr(rev, "by", None):
        parts.append(f"(by {rev.by})")
    return " ".join(parts)


def reroot(element: etree._Element) -> etree._ElementTree:
    """A business payload embedded in ШЭП ``data`` as the document it was signed as.

    ``URI=""`` covers the whole document the signature was made in (spec signatures.md §3), so
    an enveloped signature inside ``data`` is verified on a copy of the payload element that
    keeps the namespace declarations it carries or uses, and none of the envelope's.
    """
    return etree.ElementTree(copy.deepcopy(element))


def _unsigned(layout: str, at: dt.datetime, message: str) -> VerificationResult:
    return VerificationResult(False, layout, (), (Failure(NO_SIGNATURE, message),), at, None)


def _detect_layout(tree: etree._ElementTree) -> str:
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.namespace in SOAP_NAMESPACES and qname.localname == "Envelope":
        return "wsse"
    return "enveloped"


def _aware(moment: dt.datetime) -> dt.datetime:
    """Naive times are taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _purpose(purpose: str | None) -> str | None:
    if purpose is None:
        return None
    value = purpose.upper()
    if value not in ("SIGN", "AUTH"):
        raise InputError(f"purpose must be SIGN or AUTH, not {purpose!r}")
    return value
