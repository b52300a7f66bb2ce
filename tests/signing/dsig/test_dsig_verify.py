"""The strict verifier: valid documents, the tampering corpus, certificate checks, bad input.

Tests taking ``any_verifier`` run on both engines (strict and signxml); their codes must agree.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from egov_sim.core import safe_xml
from egov_sim.core.errors import InputError
from egov_sim.signing import algorithms as alg
from egov_sim.signing.dsig import SOAP11_NS, WSSE_NS, WSU_NS
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from egov_sim.signing.wsse import sign_wsse
from tests.support.dsig_docs import OTHER_IIN, SIGNER_IIN, UTC, person_request, soap_request

NS = {"ds": alg.DS_NS, "wsse": WSSE_NS, "wsu": WSU_NS, "soap": SOAP11_NS}


def _edit(signed: bytes, change) -> bytes:
    root = etree.fromstring(signed)
    change(root)
    return etree.tostring(root)


def _only(result, code: str, startswith: str = "") -> None:
    assert not result.valid
    assert result.codes == (code,), [f"{f.code}: {f.message}" for f in result.all_failures]
    if startswith:
        assert any(f.message.startswith(startswith) for f in result.all_failures), result.all_failures


@pytest.fixture(scope="module")
def enveloped(signer) -> bytes:
    return sign_enveloped(person_request(), signer.key, signer.cert)


@pytest.fixture(scope="module")
def wsse_doc(signer) -> bytes:
    return sign_wsse(soap_request(), signer.key, signer.cert)


# ---- valid documents -----------------------------------------------------------------------

def test_enveloped_valid_with_signer_details(any_verifier, enveloped, signer):
    result = any_verifier.verify(enveloped)
    assert result.valid and result.layout == "enveloped" and result.codes == () and not result.gost
    info = result.signer
    assert info.iin == SIGNER_IIN and info.key_usage == "SIGN"
    assert info.serial_hex == format(signer.issued.serial, "x")
    assert result.signed_element is not None and etree.QName(result.signed_element).localname == "request"
    data = result.to_json()
    assert data["valid"] is True and data["signatures"][0]["signer"]["subject"]["iin"] == SIGNER_IIN


def test_wsse_valid_and_signed_element_is_the_body(any_verifier, wsse_doc):
    tree = safe_xml.parse(wsse_doc)
    result = any_verifier.verify(tree)
    assert result.valid and result.layout == "wsse"
    assert result.signed_element is tree.getroot().find("soap:Body", NS)


def test_gateway_style_issuer_serial_resolved_from_the_store(pki, signer):
    signed = sign_wsse(soap_request(), signer.key, signer.cert, key_info="IssuerSerial")
    store = TrustStore.from_pem(pki.trust_pem() + signer.cert_pem)
    assert Verifier(store).verify(signed).valid
    result = Verifier(TrustStore.from_pem(pki.trust_pem())).verify(signed)
    _only(result, "CHAIN_NOT_TRUSTED")


def test_legal_entity_signer_details(verifier, org_signer):
    result = verifier.verify(sign_enveloped(person_request(), org_signer.key, org_signer.cert))
    assert result.valid
    assert result.signer.bin is not None and "CEO" in result.signer.roles


def test_document_with_comment_verifies(any_verifier, signer):
    signed = sign_enveloped(person_request(comment=True), signer.key, signer.cert, comments="keep")
    assert b"<!--" in signed
    assert any_verifier.verify(signed).valid


def test_verifying_a_tree_leaves_it_unchanged(verifier, signer, org_signer):
    twice = sign_enveloped(sign_enveloped(person_request(), signer.key, signer.cert),
                           org_signer.key, org_signer.cert)
    tree = safe_xml.parse(twice)
    before = etree.tostring(tree)
    assert verifier.verify(tree).valid
    assert etree.tostring(tree) == before


# ---- sequential signatures -------------------------------------------------------------------

def test_sequential_signatures_checked_last_first(any_verifier, signer, org_signer):
    twice = sign_enveloped(sign_enveloped(person_request(), signer.key, signer.cert),
                           org_signer.key, org_signer.cert)
    result = any_verifier.verify(twice)
    assert result.valid
    assert [s.index for s in result.signatures] == [1, 0]
    assert result.signatures[0].signer.iin == OTHER_IIN and result.signatures[1].signer.iin == SIGNER_IIN


def test_tampered_first_signature_breaks_the_second(any_verifier, signer, org_signer):
    once = sign_enveloped(person_request(), signer.key, signer.cert)
    twice = sign_enveloped(once, org_signer.key, org_signer.cert)
    forged = twice.replace(b"<ds:DigestValue>", b"<ds:DigestValue>AAAA", 1)
    result = any_verifier.verify(forged)
    assert not result.valid
    assert result.signatures[0].codes == ("DIGEST_MISMATCH",)
    assert result.signatures[1].codes == ("SIGNATURE_MISMATCH",)


def test_second_signature_not_last(any_verifier, signer, org_signer):
    once = sign_enveloped(person_request(), signer.key, signer.cert)
    with_extra = _edit(once, lambda r: r.append(etree.Element("{http://egov.sim/request}note")))
    twice = sign_enveloped(with_extra, org_signer.key, org_signer.cert)
    result = any_verifier.verify(twice)
    assert result.signatures[0].valid
    assert result.signatures[1].codes == ("SIGNATURE_WRAPPING",)
    assert result.signatures[1].failures[0].message.startswith("placement")


# ---- the tampering corpus: enveloped ------------------------------------------------------------

def test_changed_text(any_verifier, enveloped):
    _only(any_verifier.verify(enveloped.replace(b"\xd0\xa1\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xba\xd0\xb0",
                                                b"Forged")), "DIGEST_MISMATCH")


def test_changed_signature_value(any_verifier, enveloped):
    start = enveloped.index(b"<ds:SignatureValue>\n") + len(b"<ds:SignatureValue>\n")
    forged = enveloped[:start] + (b"B" if enveloped[start:start + 1] != b"B" else b"C") + enveloped[start + 1:]
    _only(any_verifier.verify(forged), "SIGNATURE_MISMATCH")


def test_signature_not_last_child(any_verifier, enveloped):
    forged = enveloped.replace(b"</ds:Signature></request>", b"</ds:Signature><extra/></request>")
    _only(any_verifier.verify(forged), "SIGNATURE_WRAPPING", "placement")


def test_wrong_transforms(any_verifier, enveloped):
    forged = enveloped.replace(
        b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>', b"")
    _only(any_verifier.verify(forged), "SIGNATURE_WRAPPING", "transforms")
    forged = enveloped.replace(b"REC-xml-c14n-20010315#WithComments", b"REC-xml-c14n-20010315#Bogus")
    _only(any_verifier.verify(forged), "SIGNATURE_WRAPPING", "transforms")


def test_extra_reference(any_verifier, enveloped):
    def add(root):
        signed_info = root.find("ds:Signature/ds:SignedInfo", NS)
        signed_info.append(etree.fromstring(etree.tostring(signed_info.find("ds:Reference", NS))))
    _only(any_verifier.verify(_edit(enveloped, add)), "SIGNATURE_WRAPPING", "references")


def test_reference_to_an_inner_element(any_verifier, enveloped):
    def point_inside(root):
        root[0].set("Id", "inner")
        root.find("ds:Signature/ds:SignedInfo/ds:Reference", NS).set("URI", "#inner")
    _only(any_verifier.verify(_edit(enveloped, point_inside)), "SIGNATURE_WRAPPING", "reference")


def test_reference_id_ambiguous(any_verifier, enveloped):
    def duplicate(root):
        root.set("Id", "doc")
        root[0].set("{http://www.w3.org/XML/1998/namespace}id", "doc")
        root.find("ds:Signature/ds:SignedInfo/ds:Reference", NS).set("URI", "#doc")
    _only(any_verifier.verify(_edit(enveloped, duplicate)), "SIGNATURE_WRAPPING", "duplicate-id")


def test_certificate_swapped_for_another_trusted_one(any_verifier, enveloped, org_signer):
    from cryptography.hazmat.primitives.serialization import Encoding

    from egov_sim.signing.dsig import wrap_base64

    def swap(root):
        root.find("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text = wrap_base64(
            org_signer.cert.public_bytes(Encoding.DER))
    _only(any_verifier.verify(_edit(enveloped, swap)), "SIGNATURE_MISMATCH")


def test_two_certificates_in_x509data(verifier, enveloped):
    def extra(root):
        data = root.find("ds:Signature/ds:KeyInfo/ds:X509Data", NS)
        data.append(etree.fromstring(etree.tostring(data[0])))
    _only(verifier.verify(_edit(enveloped, extra)), "MALFORMED_SIGNATURE")


def test_no_signature(verifier):
    result = verifier.verify(person_request())
    _only(result, "NO_SIGNATURE")
    assert result.signatures == () and result.signed_element is None


def test_signature_only_deep_inside_is_not_enveloped(verifier, enveloped):
    nested = b"<outer>" + enveloped.split(b"?>", 1)[1] + b"</outer>"
    _only(verifier.verify(nested), "NO_SIGNATURE")


# ---- the tampering corpus: WS-Security ------------------------------------------------------------

def test_wsse_changed_body(any_verifier, wsse_doc):
    _only(any_verifier.verify(wsse_doc.replace(SIGNER_IIN.encode(), OTHER_IIN.encode())), "DIGEST_MISMATCH")


def test_wsse_body_moved_into_header(any_verifier, wsse_doc):
    def move(root):
        body = root.find("soap:Body", NS)
        root.find("soap:Header", NS).append(body)
        etree.SubElement(root, f"{{{SOAP11_NS}}}Body").append(etree.Element("evil"))
    _only(any_verifier.verify(_edit(wsse_doc, move)), "SIGNATURE_WRAPPING", "reference")


def test_wsse_body_nested_in_attacker_body(any_verifier, wsse_doc):
    def nest(root):
        body = root.find("soap:Body", NS)
        attacker = etree.SubElement(root, f"{{{SOAP11_NS}}}Body")
        wrapper = etree.SubElement(attacker, "wrapper")
        root.remove(body)
        wrapper.append(body)
        attacker.insert(0, etree.Element("evil"))
    _only(any_verifier.verify(_edit(wsse_doc, nest)), "SIGNATURE_WRAPPING", "reference")


def test_wsse_duplicate_id(any_verifier, wsse_doc):
    def duplicate(root):
        body_id = root.find("soap:Body", NS).get(f"{{{WSU_NS}}}Id")
        etree.SubElement(root.find("soap:Header", NS), "decoy").set("Id", body_id)
    _only(any_verifier.verify(_edit(wsse_doc, duplicate)), "SIGNATURE_WRAPPING", "duplicate-id")


def test_wsse_two_bodies(verifier, wsse_doc):
    def second(root):
        etree.SubElement(root, f"{{{SOAP11_NS}}}Body").append(etree.Element("evil"))
    _only(verifier.verify(_edit(wsse_doc, second)), "SIGNATURE_WRAPPING", "placement")


def test_wsse_second_reference_to_the_same_body(any_verifier, wsse_doc):
    """Several References are allowed (Body, Timestamp, headers), but each part once."""
    def add(root):
        signed_info = root.find(".//ds:SignedInfo", NS)
        signed_info.append(etree.fromstring(etree.tostring(signed_info.find("ds:Reference", NS))))
    _only(any_verifier.verify(_edit(wsse_doc, add)), "SIGNATURE_WRAPPING", "reference: /Envelope/Body is referenced twice")


@pytest.mark.parametrize("replacement", [alg.C14N, alg.EXC_C14N_WITH_COMMENTS])
def test_wsse_wrong_transform(any_verifier, wsse_doc, replacement):
    def change(root):
        root.find(".//ds:Transform", NS).set("Algorithm", replacement)
    _only(any_verifier.verify(_edit(wsse_doc, change)), "SIGNATURE_WRAPPING", "transforms")


def test_wsse_wrong_signed_info_c14n(verifier, wsse_doc):
    def change(root):
        root.find(".//ds:CanonicalizationMethod", NS).set("Algorithm", alg.C14N)
    _only(verifier.verify(_edit(wsse_doc, change)), "SIGNATURE_WRAPPING", "transforms")


def test_wsse_second_signature_in_security(verifier, wsse_doc):
    def add(root):
        security = root.find("soap:Header/wsse:Security", NS)
        security.append(etree.fromstring(etree.tostring(security[0])))
    _only(verifier.verify(_edit(wsse_doc, add)), "SIGNATURE_WRAPPING", "placement")


def test_wsse_signature_outside_security(verifier, wsse_doc):
    def move(root):
        header = root.find("soap:Header", NS)
        header.append(header.find("wsse:Security/ds:Signature", NS))
    _only(verifier.verify(_edit(wsse_doc, move)), "NO_SIGNATURE")


def test_wsse_xpointer_reference(verifier, wsse_doc):
    def change(root):
        root.find(".//ds:Reference", NS).set("URI", "#xpointer(/)")
    _only(verifier.verify(_edit(wsse_doc, change)), "SIGNATURE_WRAPPING", "reference")


def test_wsse_unknown_token_reference(verifier, wsse_doc):
    def change(root):
        root.find(".//wsse:KeyIdentifier", NS).set("ValueType", "urn:x:thumbprint")
    _only(verifier.verify(_edit(wsse_doc, change)), "MALFORMED_SIGNATURE")


def test_explicit_layout_mismatch(verifier, wsse_doc, enveloped):
    _only(verifier.verify(wsse_doc, layout="enveloped"), "NO_SIGNATURE")
    _only(verifier.verify(enveloped, layout="wsse"), "NO_SIGNATURE")


# ---- certificates ---------------------------------------------------------------------------------

def test_expired_at_given_time_reports_expiry_only(any_verifier, enveloped, signer):
    later = signer.cert.not_valid_after_utc + dt.timedelta(days=1)
    _only(any_verifier.verify(enveloped, at=later), "CERT_EXPIRED")


def test_not_yet_valid_at_given_time(any_verifier, enveloped, signer):
    earlier = signer.cert.not_valid_before_utc - dt.timedelta(days=1)
    _only(any_verifier.verify(enveloped, at=earlier), "CERT_NOT_YET_VALID")


def test_expired_certificate_verifies_at_a_time_it_was_valid(verifier, expired_signer):
    signed = sign_enveloped(person_request(), expired_signer.key, expired_signer.cert)
    _only(verifier.verify(signed), "CERT_EXPIRED")
    assert verifier.verify(signed, at=expired_signer.cert.not_valid_before_utc + dt.timedelta(days=1)).valid


def test_not_yet_valid_certificate(verifier, future_signer):
    signed = sign_enveloped(person_request(), future_signer.key, future_signer.cert)
    _only(verifier.verify(signed), "CERT_NOT_YET_VALID")


def test_naive_time_is_utc(verifier, enveloped, signer):
    later = (signer.cert.not_valid_after_utc + dt.timedelta(hours=1)).replace(tzinfo=None)
    _only(verifier.verify(enveloped, at=later), "CERT_EXPIRED")


def test_store_without_intermediate_does_not_trust_the_leaf(pki, enveloped):
    from cryptography.hazmat.primitives.serialization import Encoding

    root_only = TrustStore.from_pem(pki.root.public_bytes(Encoding.PEM))
    _only(Verifier(root_only).verify(enveloped), "CHAIN_NOT_TRUSTED")


def test_other_pki_is_not_trusted(tmp_path, enveloped):
    from egov_sim.signing.pki import TestPKI

    other = TestPKI.init(tmp_path / "other", base_url="http://other.test")
    result = Verifier(TrustStore.from_pem(other.trust_pem())).verify(enveloped)
    _only(result, "CHAIN_NOT_TRUSTED")
    assert result.signer.iin == SIGNER_IIN


@pytest.mark.parametrize("checker", ["crl_checker", "ocsp_checker"])
def test_revoked(request, trust, revoked_signer, checker):
    verifier = Verifier(trust, revocation=request.getfixturevalue(checker))
    signed = sign_enveloped(person_request(), revoked_signer.key, revoked_signer.cert)
    result = verifier.verify(signed)
    _only(result, "CERT_REVOKED")
    assert result.signatures[0].revocations[0].reason == "keyCompromise"
    assert result.to_json()["signatures"][0]["revocations"][0]["revoked"] is True
    before = dt.datetime.now(UTC) - dt.timedelta(days=2)
    assert verifier.verify(signed, at=before).valid


def test_not_revoked(trust, crl_checker, enveloped):
    result = Verifier(trust, revocation=crl_checker).verify(enveloped)
    assert result.valid and result.signatures[0].revocations[0].revoked is False


def test_revocation_unavailable(trust, enveloped):
    import httpx

    from egov_sim.signing.revocation import RevocationChecker

    offline = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(503)))
    verifier = Verifier(trust, revocation=RevocationChecker(methods=("CRL",), http=offline))
    _only(verifier.verify(enveloped), "REVOCATION_UNAVAILABLE")


def test_auth_key_used_for_signing(any_verifier, auth_signer):
    signed = sign_enveloped(person_request(), auth_signer.key, auth_signer.cert)
    _only(any_verifier.verify(signed, purpose="SIGN"), "KEY_USAGE")
    assert any_verifier.verify(signed, purpose="AUTH").valid
    assert any_verifier.verify(signed).valid


def test_sign_key_used_for_auth(verifier, enveloped):
    _only(verifier.verify(enveloped, purpose="auth"), "KEY_USAGE")
    assert verifier.verify(enveloped, purpose="sign").valid


def test_iin_mismatch(any_verifier, enveloped):
    _only(any_verifier.verify(enveloped, expect_iin=OTHER_IIN), "IIN_MISMATCH")
    assert any_verifier.verify(enveloped, expect_iin=SIGNER_IIN).valid


def test_every_failed_check_is_listed(trust, crl_checker, revoked_signer):
    signed = sign_enveloped(person_request(), revoked_signer.key, revoked_signer.cert)
    later = revoked_signer.cert.not_valid_after_utc + dt.timedelta(days=1)
    result = Verifier(trust, revocation=crl_checker).verify(
        signed.replace(b"\xd0\xa1\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xba\xd0\xb0", b"X"),
        at=later, purpose="AUTH", expect_iin=OTHER_IIN)
    assert set(result.codes) == {"CERT_EXPIRED", "KEY_USAGE", "CERT_REVOKED", "IIN_MISMATCH",
                                 "DIGEST_MISMATCH"}


# ---- algorithms ----------------------------------------------------------------------------------

@pytest.mark.parametrize("signature_uri, digest_uri", [
    (alg.GOST_34310, alg.GOST_DIGEST_34311),
    (alg.GOST_2015_512, alg.GOST_DIGEST_2015_512),
    (alg.GOST_2015_256, alg.GOST_DIGEST_2015_256),
])
@pytest.mark.parametrize("layout", ["enveloped", "wsse"])
def test_gost_uris_on_an_rsa_signature_do_not_verify(verifier, enveloped, wsse_doc, layout,
                                                     signature_uri, digest_uri):
    """An RSA signature relabelled with GOST URIs: refused because the URI does not fit the key."""
    signed = enveloped if layout == "enveloped" else wsse_doc
    forged = signed.replace(alg.RSA_SHA256.encode(), signature_uri.encode()).replace(
        alg.SHA256.encode(), digest_uri.encode())
    result = verifier.verify(forged)
    assert not result.valid and set(result.codes) == {"SIGNATURE_MISMATCH"}
    assert any("RSA key" in f.message for f in result.all_failures)
    assert result.gost and result.signatures[0].signature_method == signature_uri


def test_unknown_algorithm_is_not_supported(verifier, enveloped):
    forged = enveloped.replace(alg.RSA_SHA256.encode(), b"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512")
    _only(verifier.verify(forged), "ALGORITHM_NOT_SUPPORTED")


@pytest.mark.parametrize("layout", ["enveloped", "wsse"])
def test_sha1_forbidden_unless_enabled(trust, signer, layout):
    if layout == "enveloped":
        signed = sign_enveloped(person_request(), signer.key, signer.cert, sha1=True)
    else:
        signed = sign_wsse(soap_request(), signer.key, signer.cert, sha1=True)
    result = Verifier(trust).verify(signed)
    assert not result.valid and set(result.codes) == {"ALGORITHM_FORBIDDEN"}
    assert Verifier(trust, allow_sha1=True).verify(signed).valid


def test_sha1_signed_certificate_needs_sha1_enabled(trust, sha1_signer):
    signed = sign_enveloped(person_request(), sha1_signer.key, sha1_signer.cert)
    _only(Verifier(trust).verify(signed), "CHAIN_NOT_TRUSTED")
    assert Verifier(trust, allow_sha1=True).verify(signed).valid


# ---- unreadable input is an error, not a verdict -------------------------------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  b"<lolz>&lol3;</lolz>")


@pytest.mark.parametrize("data, codes", [
    (b"<request><iin>1</request>", {"XML_MALFORMED"}),
    (b'<!DOCTYPE r SYSTEM "http://evil.test/x.dtd"><r/>', {"XML_DOCTYPE", "XML_MALFORMED"}),
    (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', {"XML_DOCTYPE"}),
    (BILLION_LAUGHS, {"XML_DOCTYPE", "XML_ENTITY"}),
    (b"", {"XML_MALFORMED"}),
])
def test_unsafe_input_raises(verifier, data, codes):
    with pytest.raises(InputError) as err:
        verifier.verify(data)
    assert err.value.code in codes


def test_oversize_input_raises(verifier):
    with pytest.raises(InputError) as err:
        verifier.verify(b"<r>" + b"x" * (safe_xml.DEFAULT_MAX_BYTES + 1) + b"</r>")
    assert err.value.code == "XML_TOO_LARGE"


def test_bad_arguments(verifier, enveloped):
    with pytest.raises(InputError):
        verifier.verify(enveloped, purpose="ENCRYPT")
    with pytest.raises(InputError):
        verifier.verify(enveloped, layout="cms")
    with pytest.raises(InputError):
        Verifier(verifier.trust, engine="xmlsec")


def test_business_signature_inside_shep_data_verifies_after_rerooting(verifier, signer, org_signer):
    from egov_sim.signing.verify import reroot

    payload = sign_enveloped(b'<cs:Response xmlns:cs="http://message.persistence.interactive.nat">'
                             b"<messageResult><code>00000</code></messageResult></cs:Response>",
                             org_signer.key, org_signer.cert)
    embedded = b"<requestData><data>" + payload.split(b"?>", 1)[1] + b"</data>"
    envelope = soap_request().replace(b"<requestData>", embedded)
    transport = sign_wsse(envelope, signer.key, signer.cert)
    tree = safe_xml.parse(transport)
    outer = verifier.verify(tree)
    assert outer.valid
    data = outer.signed_element.find(".//data")
    inner = verifier.verify(reroot(data[0]))
    assert inner.valid and inner.signer.iin == OTHER_IIN
