"""The ШЭП transport signature: WS-Security over soap:Body (spec signatures.md §4).

signxml is the engine of record here: its detached method with exclusive c14n and a custom
KeyInfo (the ``wsse:SecurityTokenReference``) produces a correct WSSE signature unmodified
(spec §5.10). Kalkan's Santuario whitespace goes in through signxml's public
``signature_annotators`` hook, before SignedInfo is canonicalized, so the signed bytes are the
layout Kalkan writes. signxml refuses to sign with SHA-1; legacy SHA-1 signatures, and callers
who ask for it, use the built-in signer (``engine="strict"``), which writes the same bytes.

Three token references: ``KeyIdentifier`` (Kalkan/NCANode clients: the X509v3 certificate
inline), ``IssuerSerial`` (the gateway's own responses, WSS4J style with ``SIG-``/``KI-``/``STR-``
ids, wire-formats.md §2.10) and ``BinarySecurityToken`` (the certificate in a
``wsse:BinarySecurityToken`` that ``wsse:Reference`` points at: WSS4J's DirectReference, .NET,
node-soap). ``timestamp=(created, expires)`` adds a ``wsu:Timestamp`` and signs it with the Body
(WSS4J's "Timestamp Signature").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.core import ids
from egov_sim.core.errors import InputError

from . import algorithms as alg
from .dsig import (
    BASE64_BINARY,
    SOAP_NAMESPACES,
    WSSE_NS,
    WSU_ID,
    WSU_NS,
    X509V3_TOKEN,
    b64,
    canonicalize,
    decode_base64,
    ds,
    santuario_whitespace,
    wrap_base64,
    wsse,
)
from .enveloped import as_tree, require_signing_key, sign_bytes, wrap_digest

KeyInfoStyle = Literal["KeyIdentifier", "IssuerSerial", "BinarySecurityToken"]
SignEngine = Literal["signxml", "strict"]
_EXC = alg.CANONICALIZATIONS[alg.EXC_C14N]


@dataclass(frozen=True)
class SoapParts:
    envelope: etree._Element
    header: etree._Element
    body: etree._Element
    body_id: str

    @property
    def soap_ns(self) -> str:
        return etree.QName(self.envelope).namespace


def _soap_child(envelope: etree._Element, local: str) -> list[etree._Element]:
    ns = etree.QName(envelope).namespace
    return [child for child in envelope if child.tag == f"{{{ns}}}{local}"]


def prepare_envelope(tree: etree._ElementTree, *, body_id: str | None = None) -> SoapParts:
    """Give the Body its ``wsu:Id`` (declared on the Body itself, as Kalkan does) and make
    sure there is a Header. An existing ``wsu:Id`` is kept."""
    envelope = tree.getroot()
    qname = etree.QName(envelope)
    if qname.namespace not in SOAP_NAMESPACES or qname.localname != "Envelope":
        raise InputError("not a SOAP envelope: the root element must be soap:Envelope",
                         code="NOT_SOAP")
    bodies = _soap_child(envelope, "Body")
    if len(bodies) != 1:
        raise InputError(f"a SOAP envelope needs exactly one soap:Body, found {len(bodies)}",
                         code="NOT_SOAP")
    headers = _soap_child(envelope, "Header")
    if len(headers) > 1:
        raise InputError("more than one soap:Header", code="NOT_SOAP")
    if headers:
        header = headers[0]
    else:
        header = etree.SubElement(envelope, f"{{{qname.namespace}}}Header")
        bodies[0].addprevious(header)
    body = bodies[0]
    existing = body.get(WSU_ID)
    if existing:
        return SoapParts(envelope, header, body, existing)
    body = _redeclare_with_wsu(body)
    body_id = body_id or f"id-{ids.new_uuid()}"
    body.set(WSU_ID, body_id)
    return SoapParts(envelope, header, body, body_id)


def _redeclare_with_wsu(body: etree._Element) -> etree._Element:
    """lxml cannot add a namespace declaration to an existing element; without this the
    ``wsu`` attribute would get an invented ``ns0`` prefix (spec §5.11)."""
    parent = body.getparent()
    if body.nsmap.get("wsu") == WSU_NS:
        return body
    own = {p: u for p, u in body.nsmap.items() if parent.nsmap.get(p) != u}
    own["wsu"] = WSU_NS
    fresh = etree.SubElement(parent, body.tag, attrib=dict(body.attrib), nsmap=own)
    fresh.text, fresh.tail = body.text, body.tail
    for child in list(body):
        fresh.append(child)
    parent.replace(body, fresh)
    return fresh


def _security_header(parts: SoapParts) -> etree._Element:
    existing = parts.header.findall(wsse("Security"))
    if len(existing) > 1:
        raise InputError("more than one wsse:Security header", code="BAD_ENVELOPE")
    if existing:
        if existing[0].find(ds("Signature")) is not None:
            raise InputError("the envelope already carries a transport signature",
                             code="ALREADY_SIGNED")
        return existing[0]
    security = etree.SubElement(parts.header, wsse("Security"), nsmap={"wsse": WSSE_NS})
    security.set(f"{{{parts.soap_ns}}}mustUnderstand", "1")
    return security


def build_key_info(cert: x509.Certificate, style: KeyInfoStyle, ids: dict[str, str]) -> etree._Element:
    """``ds:KeyInfo/wsse:SecurityTokenReference`` in the client or the gateway (WSS4J) style."""
    key_info = etree.Element(ds("KeyInfo"), nsmap={"ds": alg.DS_NS, "wsse": WSSE_NS})
    if style == "KeyIdentifier":
        token = etree.SubElement(key_info, wsse("SecurityTokenReference"))
        identifier = etree.SubElement(token, wsse("KeyIdentifier"), EncodingType=BASE64_BINARY,
                                      ValueType=X509V3_TOKEN)
        identifier.text = b64(cert.public_bytes(Encoding.DER))
    elif style == "BinarySecurityToken":
        key_info.set("Id", ids["KI"])
        token = etree.SubElement(key_info, wsse("SecurityTokenReference"), nsmap={"wsu": WSU_NS})
        token.set(WSU_ID, ids["STR"])
        etree.SubElement(token, wsse("Reference"), URI=f"#{ids['X509']}", ValueType=X509V3_TOKEN)
    elif style == "IssuerSerial":
        key_info.set("Id", ids["KI"])
        token = etree.SubElement(key_info, wsse("SecurityTokenReference"), nsmap={"wsu": WSU_NS})
        token.set(WSU_ID, ids["STR"])
        issuer_serial = etree.SubElement(etree.SubElement(token, ds("X509Data")), ds("X509IssuerSerial"))
        etree.SubElement(issuer_serial, ds("X509IssuerName")).text = cert.issuer.rfc4514_string()
        etree.SubElement(issuer_serial, ds("X509SerialNumber")).text = str(cert.serial_number)
    else:
        raise InputError(f"unknown key_info style {style!r} (KeyIdentifier, IssuerSerial or "
                         "BinarySecurityToken)")
    return key_info


def _gateway_ids() -> dict[str, str]:
    return {kind: f"{kind}-{ids.new_uuid()}" for kind in ("SIG", "KI", "STR", "X509", "TS")}


def _wsu_time(moment) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _add_timestamp(security: etree._Element, ids: dict[str, str], timestamp) -> str:
    """``wsu:Timestamp`` (Created, Expires) as the first child of ``wsse:Security``, as WSS4J."""
    created, expires = timestamp
    element = etree.Element(f"{{{WSU_NS}}}Timestamp", nsmap={"wsu": WSU_NS})
    element.set(WSU_ID, ids["TS"])
    etree.SubElement(element, f"{{{WSU_NS}}}Created").text = _wsu_time(created)
    etree.SubElement(element, f"{{{WSU_NS}}}Expires").text = _wsu_time(expires)
    security.insert(0, element)
    return ids["TS"]


def _add_binary_token(security: etree._Element, ids: dict[str, str], cert) -> None:
    token = etree.SubElement(security, wsse("BinarySecurityToken"), nsmap={"wsu": WSU_NS},
                             EncodingType=BASE64_BINARY, ValueType=X509V3_TOKEN)
    token.set(WSU_ID, ids["X509"])
    token.text = b64(cert.public_bytes(Encoding.DER))


def sign_wsse(envelope: bytes | etree._ElementTree, key, cert: x509.Certificate, *,
              key_info: KeyInfoStyle = "KeyIdentifier", sha1: bool = False,
              engine: SignEngine = "signxml", body_id: str | None = None,
              token_ids: dict[str, str] | None = None, timestamp=None) -> bytes:
    """Sign the SOAP Body of ``envelope`` in the ШЭП transport layout; return the bytes.

    ``engine="signxml"`` (default) signs with signxml's XMLSigner; ``"strict"`` with the
    built-in code path (same bytes, faster; the only choice for SHA-1). ``body_id`` and
    ``token_ids`` (``SIG``/``KI``/``STR``/``X509``/``TS``) fix the generated ids for
    reproducible output. ``timestamp``: ``(created, expires)`` aware datetimes; the
    ``wsu:Timestamp`` is signed after the Body. An ElementTree argument is signed in place.
    """
    key = require_signing_key(key)
    if engine not in ("signxml", "strict"):
        raise InputError(f"unknown signing engine {engine!r} (signxml or strict)")
    tree = as_tree(envelope)
    parts = prepare_envelope(tree, body_id=body_id)
    security = _security_header(parts)
    wss4j = key_info != "KeyIdentifier" or timestamp is not None
    ids = ({**_gateway_ids(), **(token_ids or {})}) if wss4j else {}
    references = [parts.body_id]
    if timestamp is not None:
        references.append(_add_timestamp(security, ids, timestamp))
    if key_info == "BinarySecurityToken":
        _add_binary_token(security, ids, cert)
    signature_uri, digest_uri = alg.signing_methods(sha1=sha1, key=key)
    if engine == "signxml" and not sha1 and signature_uri == alg.RSA_SHA256:  # signxml has no GOST
        signature = _sign_with_signxml(parts, key, cert, key_info, ids, signature_uri, digest_uri,
                                       references)
        security.append(signature)
    else:
        signature = _build_signature(parts, cert, key_info, ids, signature_uri, digest_uri,
                                     references)
        security.append(signature)
        _sign(signature, key, alg.signature_method(signature_uri, allow_sha1=True))
    etree.cleanup_namespaces(signature)
    return etree.tostring(tree, encoding="UTF-8", xml_declaration=False)


def _build_signature(parts: SoapParts, cert, style, ids, signature_uri, digest_uri,
                     references=None) -> etree._Element:
    digest = alg.digest_method(digest_uri, allow_sha1=True)
    signature = etree.Element(ds("Signature"), nsmap={"ds": alg.DS_NS})
    signed_info = etree.SubElement(signature, ds("SignedInfo"))
    etree.SubElement(signed_info, ds("CanonicalizationMethod"), Algorithm=alg.EXC_C14N)
    etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=signature_uri)
    targets = {parts.body_id: parts.body}
    for element in parts.header.iter():
        if isinstance(element.tag, str) and element.get(WSU_ID) in (references or ()):
            targets[element.get(WSU_ID)] = element
    for ref_id in references or [parts.body_id]:
        digest_value = digest.compute(canonicalize(targets[ref_id], _EXC))
        reference = etree.SubElement(signed_info, ds("Reference"), URI=f"#{ref_id}")
        transforms = etree.SubElement(reference, ds("Transforms"))
        etree.SubElement(transforms, ds("Transform"), Algorithm=alg.EXC_C14N)
        etree.SubElement(reference, ds("DigestMethod"), Algorithm=digest_uri)
        etree.SubElement(reference, ds("DigestValue")).text = wrap_digest(digest_value)
    etree.SubElement(signature, ds("SignatureValue"))
    signature.append(build_key_info(cert, style, ids))
    _kalkan_layout(signature, ids)
    return signature


def _kalkan_layout(signature: etree._Element, ids: dict[str, str]) -> None:
    if "SIG" in ids:
        signature.set("Id", ids["SIG"])
    santuario_whitespace(signature)


def _sign(signature: etree._Element, key, method: alg.SignatureMethod) -> None:
    data = canonicalize(signature.find(ds("SignedInfo")), _EXC)
    signature.find(ds("SignatureValue")).text = wrap_base64(sign_bytes(key, data, method))


def _sign_with_signxml(parts: SoapParts, key, cert, style, ids, signature_uri, digest_uri,
                       references=None):
    from signxml import XMLSigner
    from signxml.algorithms import SignatureConstructionMethod

    signer = XMLSigner(method=SignatureConstructionMethod.detached,
                       signature_algorithm=signature_uri, digest_algorithm=digest_uri,
                       c14n_algorithm=alg.EXC_C14N)
    signer.signature_annotators.append(lambda sig_root, signing_settings: _kalkan_layout(sig_root, ids))
    uris = [f"#{r}" for r in references or [parts.body_id]]
    signature = signer.sign(parts.envelope, key=key, reference_uri=uris if len(uris) > 1 else uris[0],
                            key_info=build_key_info(cert, style, ids))
    value = signature.find(ds("SignatureValue"))
    value.text = wrap_base64(decode_base64(value.text))
    return signature
