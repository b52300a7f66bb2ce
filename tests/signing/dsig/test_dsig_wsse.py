"""The ШЭП WS-Security transport layout (spec signatures.md §4; wire-formats.md §2.10)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.core.errors import InputError
from egov_sim.signing import algorithms as alg
from egov_sim.signing.dsig import BASE64_BINARY, SOAP11_NS, WSSE_NS, WSU_NS, X509V3_TOKEN
from egov_sim.signing.wsse import sign_wsse
from tests.support.dsig_docs import soap_request

NS = {"ds": alg.DS_NS, "wsse": WSSE_NS, "wsu": WSU_NS, "soap": SOAP11_NS}


@pytest.mark.parametrize("engine", ["signxml", "strict"])
def test_layout_matches_kalkan(signer, engine):
    signed = sign_wsse(soap_request(), signer.key, signer.cert, engine=engine)
    envelope = etree.fromstring(signed)
    body = envelope.find("soap:Body", NS)
    body_id = body.get(f"{{{WSU_NS}}}Id")
    assert body_id.startswith("id-") and len(body_id) == 39
    assert b'<soap:Body xmlns:wsu="%s" wsu:Id="%s">' % (WSU_NS.encode(), body_id.encode()) in signed
    security = envelope.find("soap:Header/wsse:Security", NS)
    assert security.get(f"{{{SOAP11_NS}}}mustUnderstand") == "1"
    signature = security.find("ds:Signature", NS)
    assert signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", namespaces=NS) == [alg.EXC_C14N]
    assert signature.xpath("ds:SignedInfo/ds:Reference/@URI", namespaces=NS) == [f"#{body_id}"]
    assert signature.xpath("ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform/@Algorithm",
                           namespaces=NS) == [alg.EXC_C14N]
    assert len(signature.findall("ds:SignedInfo/ds:Reference", NS)) == 1
    identifier = signature.find("ds:KeyInfo/wsse:SecurityTokenReference/wsse:KeyIdentifier", NS)
    assert identifier.get("EncodingType") == BASE64_BINARY and identifier.get("ValueType") == X509V3_TOKEN
    assert base64.b64decode(identifier.text) == signer.cert.public_bytes(Encoding.DER)
    assert b"&#13;\n" in signed.split(b"<ds:SignatureValue>")[1].split(b"</ds:SignatureValue>")[0]


@pytest.mark.parametrize("key_info", ["KeyIdentifier", "IssuerSerial"])
def test_signxml_and_builtin_signer_write_the_same_bytes(signer, key_info):
    ids = {"SIG": "SIG-1", "KI": "KI-2", "STR": "STR-3"}
    by_signxml = sign_wsse(soap_request(), signer.key, signer.cert, engine="signxml",
                           body_id="id-fixed", key_info=key_info, token_ids=ids)
    by_strict = sign_wsse(soap_request(), signer.key, signer.cert, engine="strict",
                          body_id="id-fixed", key_info=key_info, token_ids=ids)
    assert by_signxml == by_strict


def test_gateway_response_style_issuer_serial(signer):
    signed = sign_wsse(soap_request(), signer.key, signer.cert, key_info="IssuerSerial")
    signature = etree.fromstring(signed).find("soap:Header/wsse:Security/ds:Signature", NS)
    assert signature.get("Id").startswith("SIG-")
    key_info = signature.find("ds:KeyInfo", NS)
    assert key_info.get("Id").startswith("KI-")
    token = key_info.find("wsse:SecurityTokenReference", NS)
    assert token.get(f"{{{WSU_NS}}}Id").startswith("STR-")
    assert b'<wsse:SecurityTokenReference xmlns:wsu="%s" wsu:Id="STR-' % WSU_NS.encode() in signed
    assert token.find("wsse:KeyIdentifier", NS) is None
    serial = token.find("ds:X509Data/ds:X509IssuerSerial", NS)
    assert serial.findtext("ds:X509IssuerName", namespaces=NS) == "CN=ҰКО 3.0 (RSA SIM TEST),C=KZ"
    assert serial.findtext("ds:X509SerialNumber", namespaces=NS) == str(signer.cert.serial_number)


def test_existing_body_id_and_security_header_are_reused(signer):
    envelope = soap_request().replace(
        b"<soap:Body>", b'<soap:Body xmlns:wsu="%s" wsu:Id="id-given">' % WSU_NS.encode()).replace(
        b"<soap:Header/>", b'<soap:Header><wsse:Security xmlns:wsse="%s"/></soap:Header>' % WSSE_NS.encode())
    signed = etree.fromstring(sign_wsse(envelope, signer.key, signer.cert))
    assert len(signed.findall("soap:Header/wsse:Security", NS)) == 1
    assert signed.xpath("//ds:Reference/@URI", namespaces=NS) == ["#id-given"]


def test_header_is_created_when_missing(signer, verifier):
    envelope = soap_request().replace(b"<soap:Header/>", b"")
    signed = sign_wsse(envelope, signer.key, signer.cert)
    children = [etree.QName(c).localname for c in etree.fromstring(signed)]
    assert children == ["Header", "Body"]
    assert verifier.verify(signed).valid


def test_signing_twice_is_refused(signer):
    once = sign_wsse(soap_request(), signer.key, signer.cert)
    with pytest.raises(InputError) as err:
        sign_wsse(once, signer.key, signer.cert)
    assert err.value.code == "ALREADY_SIGNED"


def test_not_an_envelope_is_refused(signer):
    with pytest.raises(InputError) as err:
        sign_wsse(b"<request/>", signer.key, signer.cert)
    assert err.value.code == "NOT_SOAP"


def test_sha1_falls_back_to_the_builtin_signer(signer, trust):
    from egov_sim.signing.verify import Verifier

    signed = sign_wsse(soap_request(), signer.key, signer.cert, sha1=True)
    assert alg.RSA_SHA1_KALKAN.encode() in signed
    assert Verifier(trust, allow_sha1=True).verify(signed).valid
