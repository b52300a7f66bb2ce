"""Signature attacks, end to end: what an attacker sends to the gateway (WS-Security, policy
``required``) and to the portal (the applicant's enveloped signature) is refused — SCE006 at
the gateway, condition 2 (K17) at the portal — and the server keeps serving.

Classes: wrapping (the Body moved, nested, duplicated, an Id copied, references added or
pointed elsewhere, transforms and canonicalisations swapped, the Signature moved or doubled),
forged chains (a CA with the simulator's CA's name, a self-signed signer), a certificate
swapped for another trusted one, weak or foreign algorithms (RSA-SHA1, RSA-MD5, HMAC keyed with
the public key, GOST URIs on an RSA key), a signature value from another message.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.reference import personas
from egov_sim.signing import algorithms as alg
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.wsse import sign_wsse
from tests.support.rshep import TEST_MONDAY
from tests.support.security import bearer, error_code, issue, portal_token, signed_guardian_request, whole_simulator
from tests.support.shep import envelope, request_info

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
DS = "http://www.w3.org/2000/09/xmldsig#"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS = {"soap": SOAP, "ds": DS, "wsse": WSSE, "wsu": WSU}
SIGNED_CLIENT = ("EGOV_SIM_SIGNED_CLIENT", "signed-secret")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("signatures")) as sim:
        yield sim


@pytest.fixture(scope="module")
def cert(sim):
    return issue(sim.pki, name="attack-signer")


def signed(cert, iin: str = "880314312347") -> bytes:
    body = envelope("cxf", info=request_info(sender=SIGNED_CLIENT, message_id=str(uuid.uuid4())),
                    data=f"<data><iin>{iin}</iin></data>")
    return sign_wsse(body, cert.private_key, cert.certificate)


def edit(doc: bytes, change) -> bytes:
    root = etree.fromstring(doc)
    change(root)
    return etree.tostring(root)


def _body(root):
    return root.find("soap:Body", NS)


def _move_body_to_header(root):
    root.find("soap:Header", NS).append(_body(root))
    etree.SubElement(root, f"{{{SOAP}}}Body").append(etree.fromstring("<evil>transfer</evil>"))


def _nest_body(root):
    body = _body(root)
    attacker = etree.SubElement(root, f"{{{SOAP}}}Body")
    root.remove(body)
    etree.SubElement(attacker, "wrapper").append(body)


def _duplicate_id(root):
    etree.SubElement(root.find("soap:Header", NS), "decoy").set(f"{{{WSU}}}Id", _body(root).get(f"{{{WSU}}}Id"))


def _second_body(root):
    etree.SubElement(root, f"{{{SOAP}}}Body").append(etree.fromstring("<evil/>"))


def _extra_reference(root):
    info = root.find(".//ds:SignedInfo", NS)
    info.append(copy.deepcopy(info.find("ds:Reference", NS)))


def _xpointer(root):
    root.find(".//ds:Reference", NS).set("URI", "#xpointer(/)")


def _whole_document(root):
    root.find(".//ds:Reference", NS).set("URI", "")


def _inclusive_transform(root):
    root.find(".//ds:Transform", NS).set("Algorithm", alg.C14N)


def _comments_c14n(root):
    root.find(".//ds:CanonicalizationMethod", NS).set("Algorithm", alg.EXC_C14N_WITH_COMMENTS)


def _signature_outside_security(root):
    header = root.find("soap:Header", NS)
    header.append(header.find("wsse:Security/ds:Signature", NS))


def _two_signatures(root):
    security = root.find("soap:Header/wsse:Security", NS)
    security.append(copy.deepcopy(security.find("ds:Signature", NS)))


def _id_moved_to_a_copy(root):
    """The signed Body copied into the Header with its Id; the real Body changed and unmarked."""
    body = _body(root)
    root.find("soap:Header", NS).append(copy.deepcopy(body))
    del body.attrib[f"{{{WSU}}}Id"]
    body.find(".//iin").text = "000000000000"


def _changed_body(root):
    _body(root).find(".//iin").text = "000000000000"


WRAPPING = {
    "body-changed": _changed_body, "body-moved-to-header": _move_body_to_header, "body-nested": _nest_body,
    "duplicate-id": _duplicate_id, "second-body": _second_body, "extra-reference": _extra_reference,
    "xpointer-reference": _xpointer, "whole-document-reference": _whole_document,
    "inclusive-transform": _inclusive_transform, "comments-c14n": _comments_c14n,
    "signature-outside-security": _signature_outside_security, "two-signatures": _two_signatures,
    "id-moved-to-a-copy": _id_moved_to_a_copy,
}


EARLIER_REFUSAL = {"body-moved-to-header": "SCE013", "body-nested": "SCE013", "second-body": "SCE001"}
"""Variants the envelope check refuses before the signature is looked at: the Body's first
element is no longer SendMessage, or the envelope has two Bodies."""


@pytest.mark.parametrize("name", WRAPPING)
def test_wrapping_variants_are_refused(sim, cert, name):
    reply = sim.shep(edit(signed(cert), WRAPPING[name]))
    assert reply.status_code == 500 and error_code(reply) == EARLIER_REFUSAL.get(name, "SCE006"), reply.text[:500]
    assert sim.shep(signed(cert)).status_code == 200  # nothing left broken


def test_a_certificate_swapped_for_another_trusted_one(sim, cert):
    other = issue(sim.pki, iin=personas.WARD, name="attack-other")
    other_b64 = base64.b64encode(other.certificate.public_bytes(Encoding.DER)).decode()

    def swap(root):
        root.find(".//wsse:KeyIdentifier", NS).text = other_b64

    assert error_code(sim.shep(edit(signed(cert), swap))) == "SCE006"


def test_a_signature_value_taken_from_another_message(sim, cert):
    donor = etree.fromstring(signed(cert, iin="111111111111"))
    value = donor.find(".//ds:SignatureValue", NS).text

    def transplant(root):
        root.find(".//ds:SignatureValue", NS).text = value

    assert error_code(sim.shep(edit(signed(cert), transplant))) == "SCE006"


def test_a_forged_chain_with_the_cas_own_name(sim, tmp_path):
    """Another PKI with exactly the simulator's CA names: the chain is built by name but the
    signatures do not check, so it is not trusted."""
    forger = TestPKI.init(tmp_path / "forger", base_url="http://127.0.0.1:9", clock=lambda: TEST_MONDAY)
    assert forger.ca.subject == sim.pki.ca.subject
    forged = forger.issue(iin=personas.GUARDIAN, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ",
                          not_before=TEST_MONDAY - dt.timedelta(days=1), not_after=TEST_MONDAY + dt.timedelta(days=9))
    reply = sim.shep(signed(forged))
    assert error_code(reply) == "SCE006" and "CHAIN_NOT_TRUSTED" in reply.text


def _resign(root, key, method_uri: str, sign) -> None:
    """Point SignatureMethod at ``method_uri`` and recompute SignatureValue with ``sign``."""
    info = root.find(".//ds:SignedInfo", NS)
    info.find("ds:SignatureMethod", NS).set("Algorithm", method_uri)
    c14n = etree.tostring(info, method="c14n", exclusive=True)
    root.find(".//ds:SignatureValue", NS).text = base64.b64encode(sign(c14n)).decode()


@pytest.mark.parametrize("method", ["rsa-sha1", "rsa-md5", "hmac-with-public-key", "gost-uri-on-rsa"])
def test_weak_and_foreign_algorithms_are_refused(sim, cert, method):
    public_der = cert.certificate.public_key().public_bytes(Encoding.DER, __import__(
        "cryptography.hazmat.primitives.serialization", fromlist=["PublicFormat"]).PublicFormat.SubjectPublicKeyInfo)
    plans = {
        "rsa-sha1": (alg.RSA_SHA1_W3C, lambda d: cert.private_key.sign(d, padding.PKCS1v15(), hashes.SHA1())),
        "rsa-md5": ("http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
                    lambda d: cert.private_key.sign(d, padding.PKCS1v15(), hashes.SHA256())),
        "hmac-with-public-key": ("http://www.w3.org/2000/09/xmldsig#hmac-sha1",
                                 lambda d: hmac.new(public_der, d, hashlib.sha1).digest()),
        "gost-uri-on-rsa": (alg.GOST_34310, lambda d: cert.private_key.sign(d, padding.PKCS1v15(), hashes.SHA256())),
    }
    uri, sign = plans[method]
    reply = sim.shep(edit(signed(cert), lambda root: _resign(root, cert.private_key, uri, sign)))
    assert error_code(reply) == "SCE006", reply.text[:400]


def test_an_unsigned_request_from_a_required_sender_is_sce007(sim):
    reply = sim.shep(envelope("cxf", info=request_info(sender=SIGNED_CLIENT)))
    assert error_code(reply) == "SCE007"


# --- the portal: the applicant's enveloped signature -------------------------------------------------

PORTAL_ATTACKS = {
    "form-changed-after-signing": lambda xml: xml.replace(b"SIM-123", b"SIM-999"),
    "signature-stripped": lambda xml: etree.tostring(_strip(etree.fromstring(xml))),
    "signature-duplicated": lambda xml: etree.tostring(_double(etree.fromstring(xml))),
}


def _strip(root):
    root.remove(root.find("ds:Signature", NS))
    return root


def _double(root):
    root.append(copy.deepcopy(root.find("ds:Signature", NS)))
    return root


@pytest.mark.parametrize("name", PORTAL_ATTACKS)
def test_the_portal_refuses_a_tampered_signed_request(sim, name):
    token = portal_token(sim)
    request_id, xml = signed_guardian_request(sim, token, issue(sim.pki, name=f"portal-{name}"))
    reply = sim.http.post("/portal/requests", content=PORTAL_ATTACKS[name](xml),
                          headers={**bearer(token), "Content-Type": "application/xml"})
    assert reply.status_code == 422, reply.text
    # a second signature breaks the ServiceRequest contract itself (K11) before condition 2
    expected = "K11" if name == "signature-duplicated" else "K17"
    assert reply.json()["error"]["check"] == expected and reply.json()["error"]["requestId"] == request_id


def test_the_portal_refuses_another_persons_key(sim):
    token = portal_token(sim)
    _, xml = signed_guardian_request(sim, token, issue(sim.pki, iin=personas.WARD, name="portal-other-iin"))
    reply = sim.http.post("/portal/requests", content=xml, headers={**bearer(token), "Content-Type": "application/xml"})
    assert reply.status_code == 422 and reply.json()["error"]["check"] == "K10"
