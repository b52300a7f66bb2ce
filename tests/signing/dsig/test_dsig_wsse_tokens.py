"""WS-Security as real client stacks send it: BinarySecurityToken with DirectReference,
embedded X509Data, several References (Body + Timestamp + a header), the ``wsu:Timestamp``
checked against the clock, and every wrapping variant of a multi-reference message refused.

Times come from the signer's certificate (a day into its validity), never from today's date.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.signing import algorithms as alg
from egov_sim.signing.dsig import SOAP11_NS, WSSE_NS, WSU_NS, b64
from egov_sim.signing.verify import Verifier, signed_view
from egov_sim.signing.wsse import sign_wsse
from tests.support.dsig_docs import SIGNER_IIN, soap_request

NS = {"ds": alg.DS_NS, "wsse": WSSE_NS, "wsu": WSU_NS, "soap": SOAP11_NS}
WSU_ID = f"{{{WSU_NS}}}Id"


@pytest.fixture(scope="module")
def moment(signer) -> dt.datetime:
    return signer.cert.not_valid_before_utc + dt.timedelta(days=1)


@pytest.fixture
def at_moment(trust, moment, engine):
    """A verifier (both engines) whose clock stands at ``moment``."""
    return Verifier(trust, engine=engine, clock=lambda: moment)


def wss4j(signer, moment, *, document: bytes | None = None, key_info="BinarySecurityToken",
          minutes: int = 5, created: dt.datetime | None = None) -> bytes:
    """A WSS4J "Timestamp Signature" with a DirectReference to a BinarySecurityToken."""
    start = created or moment
    return sign_wsse(document or soap_request(), signer.key, signer.cert, key_info=key_info,
                     engine="strict", timestamp=(start, start + dt.timedelta(minutes=minutes)))


def _edit(signed: bytes, change) -> bytes:
    root = etree.fromstring(signed)
    change(root)
    return etree.tostring(root)


def _fails(result, code: str, text: str) -> None:
    assert not result.valid
    messages = [f"{f.code}: {f.message}" for f in result.all_failures]
    assert result.codes == (code,), messages
    assert any(text in m for m in messages), messages


# ---- accepted forms ------------------------------------------------------------------------------

def test_wss4j_timestamp_signature_with_direct_reference(at_moment, signer, moment):
    signed = wss4j(signer, moment)
    root = etree.fromstring(signed)
    refs = root.findall(".//ds:SignedInfo/ds:Reference", NS)
    assert [r.get("URI")[:4] for r in refs] == ["#id-", "#TS-"]
    assert root.find(".//wsse:SecurityTokenReference/wsse:Reference", NS).get("URI").startswith("#X509-")
    result = at_moment.verify(signed)
    assert result.valid, result.all_failures
    assert result.signer.subject.iin == SIGNER_IIN
    assert result.signed_element.tag == f"{{{SOAP11_NS}}}Body"


def test_signxml_signer_writes_the_same_multi_reference_layout(at_moment, signer, moment):
    signed = sign_wsse(soap_request(), signer.key, signer.cert, key_info="BinarySecurityToken",
                       timestamp=(moment, moment + dt.timedelta(minutes=5)))
    assert at_moment.verify(signed).valid


def test_embedded_x509_data_in_the_token_reference(at_moment, signer):
    def embed(root):
        str_ = root.find(".//wsse:SecurityTokenReference", NS)
        for child in list(str_):
            str_.remove(child)
        data = etree.SubElement(str_, f"{{{alg.DS_NS}}}X509Data")
        etree.SubElement(data, f"{{{alg.DS_NS}}}X509Certificate").text = b64(
            signer.cert.public_bytes(Encoding.DER))
    # KeyInfo is not signed, so swapping the token reference keeps the signature valid
    signed = _edit(sign_wsse(soap_request(), signer.key, signer.cert, engine="strict"), embed)
    assert at_moment.verify(signed).valid


def test_a_signed_soap_header_entry_is_a_fine_extra_reference(trust, signer, moment):
    document = soap_request().replace(
        b"<soap:Header/>",
        b'<soap:Header><wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing" '
        b'xmlns:wsu="' + WSU_NS.encode() + b'" wsu:Id="to-1">urn:shep</wsa:To></soap:Header>')
    tree = etree.ElementTree(etree.fromstring(document))
    from egov_sim.signing import wsse as wsse_module
    signed = sign_wsse(tree, signer.key, signer.cert, engine="strict",
                       timestamp=(moment, moment + dt.timedelta(minutes=5)))
    # re-sign with the header entry as a third reference, the way WSS4J signs wsa headers
    root = etree.fromstring(signed)
    for sec in root.iter(f"{{{WSSE_NS}}}Security"):
        sec.getparent().remove(sec)
    parts = wsse_module.prepare_envelope(etree.ElementTree(root))
    security = wsse_module._security_header(parts)
    ids = {**wsse_module._gateway_ids()}
    refs = [parts.body_id, wsse_module._add_timestamp(security, ids, (moment, moment + dt.timedelta(minutes=5))), "to-1"]
    signature = wsse_module._build_signature(parts, signer.cert, "KeyIdentifier", ids,
                                             *alg.signing_methods(sha1=False), refs)
    security.append(signature)
    wsse_module._sign(signature, signer.key, alg.signature_method(alg.signing_methods(sha1=False)[0], allow_sha1=False))
    result = Verifier(trust, clock=lambda: moment).verify(etree.tostring(root))
    assert result.valid, result.all_failures


# ---- the timestamp ---------------------------------------------------------------------------------

def test_expired_timestamp_is_not_current(trust, signer, moment):
    signed = wss4j(signer, moment)
    later = moment + dt.timedelta(minutes=5 + 5, seconds=1)  # Expires + default skew (5 min) + 1 s
    _fails(Verifier(trust, clock=lambda: later).verify(signed), "TIMESTAMP_EXPIRED", "Expires")
    assert Verifier(trust, clock=lambda: later - dt.timedelta(seconds=2)).verify(signed).valid


def test_timestamp_from_the_future_is_refused_beyond_the_skew(trust, signer, moment):
    signed = wss4j(signer, moment, created=moment + dt.timedelta(minutes=2))
    assert Verifier(trust, clock=lambda: moment).verify(signed).valid  # within 5 min skew
    strict = Verifier(trust, clock=lambda: moment, timestamp_skew=dt.timedelta(seconds=30))
    _fails(strict.verify(signed), "TIMESTAMP_NOT_YET_VALID", "Created")


def test_unsigned_timestamp_is_refused_when_the_policy_requires_it(trust, signer, moment):
    signed = sign_wsse(soap_request(), signer.key, signer.cert, engine="strict")
    def add_timestamp(root):
        security = root.find(".//wsse:Security", NS)
        ts = etree.SubElement(security, f"{{{WSU_NS}}}Timestamp")
        etree.SubElement(ts, f"{{{WSU_NS}}}Created").text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    document = _edit(signed, add_timestamp)
    assert Verifier(trust, clock=lambda: moment).verify(document).valid
    required = Verifier(trust, clock=lambda: moment, wsse_required=("Body", "Timestamp"))
    _fails(required.verify(document), "SIGNATURE_WRAPPING", "coverage: the wsu:Timestamp is not signed")


# ---- wrapping, multi-reference -------------------------------------------------------------------

def test_duplicate_timestamp_id(at_moment, signer, moment):
    def duplicate(root):
        ts_id = root.find(".//wsu:Timestamp", NS).get(WSU_ID)
        extra = etree.SubElement(root.find("soap:Body", NS)[0], "decoy")
        extra.set(WSU_ID, ts_id)
    _fails(at_moment.verify(_edit(wss4j(signer, moment), duplicate)), "SIGNATURE_WRAPPING", "duplicate-id")


def test_second_body(at_moment, signer, moment):
    def second(root):
        etree.SubElement(root, f"{{{SOAP11_NS}}}Body").append(etree.Element("evil"))
    _fails(at_moment.verify(_edit(wss4j(signer, moment), second)), "SIGNATURE_WRAPPING", "placement")


def test_signed_timestamp_with_an_unsigned_body(at_moment, signer, moment):
    """The attacker keeps the signed Timestamp and drops the Body's Reference: nothing of the
    Body is covered any more, so the message is refused whatever the Body says."""
    def drop_body_reference(root):
        body_ref = root.find(".//ds:SignedInfo/ds:Reference", NS)
        body_ref.getparent().remove(body_ref)
    _fails(at_moment.verify(_edit(wss4j(signer, moment), drop_body_reference)),
           "SIGNATURE_WRAPPING", "coverage: the soap:Body is not signed")


def test_signed_body_moved_to_the_header_next_to_a_signed_timestamp(at_moment, signer, moment):
    def move(root):
        body = root.find("soap:Body", NS)
        root.find("soap:Header", NS).append(body)
        etree.SubElement(root, f"{{{SOAP11_NS}}}Body").append(etree.Element("evil"))
    _fails(at_moment.verify(_edit(wss4j(signer, moment), move)), "SIGNATURE_WRAPPING", "reference")


@pytest.mark.parametrize("uri", ["http://attacker.example/body.xml", "", "#xpointer(/)", "cid:body"])
def test_reference_to_anything_outside_the_envelope(at_moment, signer, moment, uri):
    def point_outside(root):
        root.findall(".//ds:SignedInfo/ds:Reference", NS)[1].set("URI", uri)
    _fails(at_moment.verify(_edit(wss4j(signer, moment), point_outside)), "SIGNATURE_WRAPPING",
           "is not a same-document #id")


@pytest.mark.parametrize("where", ["inside-body", "envelope", "signature", "security"])
def test_reference_to_an_element_that_is_not_a_signable_part(at_moment, signer, moment, where):
    def point(root):
        target = {"inside-body": lambda: root.find("soap:Body", NS)[0],
                  "envelope": lambda: root,
                  "signature": lambda: root.find(".//ds:Signature", NS),
                  "security": lambda: root.find(".//wsse:Security", NS)}[where]()
        target.set(WSU_ID, "target-1")
        root.findall(".//ds:SignedInfo/ds:Reference", NS)[1].set("URI", "#target-1")
    _fails(at_moment.verify(_edit(wss4j(signer, moment), point)), "SIGNATURE_WRAPPING", "reference: #target-1")


def test_token_reference_to_a_token_outside_the_security_header(at_moment, signer, moment):
    def move_token(root):
        token = root.find(".//wsse:BinarySecurityToken", NS)
        root.find("soap:Header", NS).append(token)
    _fails(at_moment.verify(_edit(wss4j(signer, moment), move_token)), "SIGNATURE_WRAPPING", "token reference")


def test_token_reference_to_a_duplicated_token_id(at_moment, signer, moment):
    def duplicate(root):
        token = root.find(".//wsse:BinarySecurityToken", NS)
        root.find("soap:Body", NS)[0].append(etree.fromstring(etree.tostring(token)))
    _fails(at_moment.verify(_edit(wss4j(signer, moment), duplicate)), "SIGNATURE_WRAPPING", "duplicate-id")


def test_swapped_token_certificate_fails_the_signature(at_moment, signer, org_signer, moment):
    def swap(root):
        root.find(".//wsse:BinarySecurityToken", NS).text = b64(org_signer.cert.public_bytes(Encoding.DER))
    result = at_moment.verify(_edit(wss4j(signer, moment), swap))
    assert not result.valid and "SIGNATURE_MISMATCH" in result.codes


def test_changed_timestamp_breaks_its_digest(at_moment, signer, moment):
    def change(root):
        root.find(".//wsu:Expires", NS).text = "2099-01-01T00:00:00Z"
    result = at_moment.verify(_edit(wss4j(signer, moment), change))
    assert result.codes == ("DIGEST_MISMATCH",), result.all_failures


# ---- signed content read safely -----------------------------------------------------------------

COMMENTED = soap_request().replace(f"<iin>{SIGNER_IIN}</iin>".encode(),
                                   f"<iin>{SIGNER_IIN[:8]}<!--x-->{SIGNER_IIN[8:]}</iin>".encode())


def test_comment_inside_signed_text_verifies_and_reads_whole(trust, signer, moment):
    signed = sign_wsse(COMMENTED, signer.key, signer.cert, engine="strict")
    result = Verifier(trust, clock=lambda: moment).verify(signed)
    assert result.valid
    assert result.signed_element.find(".//iin").text == SIGNER_IIN[:8]  # the trap
    assert result.content.find(".//iin").text == SIGNER_IIN
    assert signed_view(result.signed_element).findtext(".//iin") == SIGNER_IIN


def test_comment_inside_signed_content_can_be_refused(trust, signer, moment):
    signed = sign_wsse(COMMENTED, signer.key, signer.cert, engine="strict")
    refusing = Verifier(trust, clock=lambda: moment, signed_comments="refuse")
    _fails(refusing.verify(signed), "COMMENT_IN_SIGNED_CONTENT", "/Envelope/Body")
    plain = sign_wsse(soap_request(), signer.key, signer.cert, engine="strict")
    assert refusing.verify(plain).valid


# ---- interop: xmlsec1 verifies what the WSS4J-like signer writes ---------------------------------

def test_wss4j_layout_verifies_in_xmlsec1(xmlsec1_bin, tmp_path, signer, moment):
    path = tmp_path / "wss4j.xml"
    path.write_bytes(wss4j(signer, moment))
    cert = tmp_path / "cert.pem"
    cert.write_bytes(signer.cert_pem)
    run = subprocess.run([xmlsec1_bin, "--verify", "--pubkey-cert-pem", str(cert),
                          "--id-attr:Id", "http://schemas.xmlsoap.org/soap/envelope/:Body",
                          "--id-attr:Id", f"{WSU_NS}:Timestamp", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_xmlsec1_signs_a_wss4j_template_and_we_verify_it(xmlsec1_bin, tmp_path, trust, signer, moment):
    """xmlsec1 fills a WSS4J-style template (Timestamp + BinarySecurityToken + two References)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    wsu = f'xmlns:wsu="{WSU_NS}"'
    created = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    expires = (moment + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    reference = ('<ds:Reference URI="#{uri}"><ds:Transforms><ds:Transform Algorithm="{exc}"/></ds:Transforms>'
                 '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>')
    token = b64(signer.cert.public_bytes(Encoding.DER))
    template = (
        f'<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Header>'
        f'<wsse:Security xmlns:wsse="{WSSE_NS}" {wsu} soap:mustUnderstand="1">'
        f'<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>{created}</wsu:Created><wsu:Expires>{expires}</wsu:Expires></wsu:Timestamp>'
        '<wsse:BinarySecurityToken EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" '
        'ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" '
        f'wsu:Id="X509-1">{token}</wsse:BinarySecurityToken>'
        f'<ds:Signature xmlns:ds="{alg.DS_NS}"><ds:SignedInfo>'
        f'<ds:CanonicalizationMethod Algorithm="{alg.EXC_C14N}"/>'
        '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
        + reference.format(uri="id-1", exc=alg.EXC_C14N) + reference.format(uri="TS-1", exc=alg.EXC_C14N)
        + '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference>'
        '<wsse:Reference URI="#X509-1" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/>'
        '</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security></soap:Header>'
        f'<soap:Body {wsu} wsu:Id="id-1"><t:SendMessage xmlns:t="http://bip.bee.kz/SyncChannel/v10/Types">'
        f"<request><iin>{SIGNER_IIN}</iin></request></t:SendMessage></soap:Body></soap:Envelope>")
    (tmp_path / "template.xml").write_text(template, encoding="utf-8")
    (tmp_path / "key.pem").write_bytes(signer.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    run = subprocess.run([xmlsec1_bin, "--sign", "--privkey-pem", str(tmp_path / "key.pem"),
                          "--id-attr:Id", "http://schemas.xmlsoap.org/soap/envelope/:Body",
                          "--id-attr:Id", f"{WSU_NS}:Timestamp", "--output", str(tmp_path / "signed.xml"),
                          str(tmp_path / "template.xml")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    signed = (tmp_path / "signed.xml").read_bytes()
    result = Verifier(trust, clock=lambda: moment).verify(signed)
    assert result.valid, result.all_failures
    assert result.signer.subject.iin == SIGNER_IIN
    forged = signed.replace(SIGNER_IIN.encode(), SIGNER_IIN[::-1].encode())
    assert Verifier(trust, clock=lambda: moment).verify(forged).codes == ("DIGEST_MISMATCH",)
