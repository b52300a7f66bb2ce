"""Interop with libxmlsec's ``xmlsec1``, both directions (spec signatures.md §5.4, §5.9).

Our signatures must verify in xmlsec1 (with the chain for enveloped documents), and
signatures xmlsec1 makes from an NCALayer-layout template must verify in our verifier.
Documents with comments are included both ways (spec §5.1).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from egov_sim.signing import algorithms as alg
from egov_sim.signing.dsig import BASE64_BINARY, WSSE_NS, WSU_NS, X509V3_TOKEN, b64
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.verify import Verifier
from egov_sim.signing.wsse import sign_wsse
from tests.support.dsig_docs import SIGNER_IIN, person_request, soap_request

SOAP_BODY = "http://schemas.xmlsoap.org/soap/envelope/:Body"


@pytest.fixture(scope="module")
def chain_files(pki, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("chain")
    root, ca = folder / "root.pem", folder / "ca.pem"
    root.write_bytes(pki.root.public_bytes(Encoding.PEM))
    ca.write_bytes(pki.ca.public_bytes(Encoding.PEM))
    return root, ca


def _xmlsec1(binary: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, timeout=60)


def _verify_enveloped(binary, chain_files, path: Path, *extra) -> subprocess.CompletedProcess:
    root, ca = chain_files
    return _xmlsec1(binary, "--verify", "--trusted-pem", root, "--untrusted-pem", ca, *extra, path)


# ---- we sign, xmlsec1 verifies -------------------------------------------------------------------

@pytest.mark.parametrize("flavor", ["ncalayer", "ncanode"])
@pytest.mark.parametrize("document", [
    person_request(),
    person_request(comment=True),
    b'<?xml version="1.0"?><?app x?><r:request xmlns:r="urn:r" xmlns="urn:d" xml:lang="kk">'
    b"<iin>1</iin>\n<name>\xd2\xae\xd0\x9b\xd0\x93\xd0\x86</name>\n</r:request>",
], ids=["plain", "comment", "namespaces-lang-pi"])
def test_our_enveloped_verifies_in_xmlsec1(xmlsec1_bin, chain_files, tmp_path, signer, flavor, document):
    path = tmp_path / "signed.xml"
    path.write_bytes(sign_enveloped(document, signer.key, signer.cert, flavor=flavor, comments="keep"))
    run = _verify_enveloped(xmlsec1_bin, chain_files, path)
    assert run.returncode == 0, run.stderr


def test_tampered_enveloped_fails_in_xmlsec1(xmlsec1_bin, chain_files, tmp_path, signer):
    path = tmp_path / "signed.xml"
    path.write_bytes(sign_enveloped(person_request(), signer.key, signer.cert).replace(
        SIGNER_IIN.encode(), b"000000000000"))
    assert _verify_enveloped(xmlsec1_bin, chain_files, path).returncode != 0


def test_our_sequential_signatures_verify_in_xmlsec1(xmlsec1_bin, chain_files, tmp_path, signer, org_signer):
    once = sign_enveloped(person_request(), signer.key, signer.cert)
    (tmp_path / "twice.xml").write_bytes(sign_enveloped(once, org_signer.key, org_signer.cert))
    (tmp_path / "once.xml").write_bytes(once)
    last = _verify_enveloped(xmlsec1_bin, chain_files, tmp_path / "twice.xml", "--node-xpath", "/*/*[last()]")
    assert last.returncode == 0, last.stderr
    first = _verify_enveloped(xmlsec1_bin, chain_files, tmp_path / "once.xml")
    assert first.returncode == 0, first.stderr


@pytest.mark.parametrize("engine", ["signxml", "strict"])
@pytest.mark.parametrize("key_info", ["KeyIdentifier", "IssuerSerial"])
@pytest.mark.parametrize("comment", [False, True])
def test_our_wsse_verifies_in_xmlsec1(xmlsec1_bin, tmp_path, signer, engine, key_info, comment):
    path = tmp_path / "signed.xml"
    path.write_bytes(sign_wsse(soap_request(comment=comment), signer.key, signer.cert,
                               engine=engine, key_info=key_info))
    run = _xmlsec1(xmlsec1_bin, "--verify", "--pubkey-cert-pem", signer.issued.cert_pem_path,
                   "--id-attr:Id", SOAP_BODY, path)
    assert run.returncode == 0, run.stderr


# ---- xmlsec1 signs, we verify --------------------------------------------------------------------

def _enveloped_template(document: bytes, signature_uri: str, digest_uri: str) -> bytes:
    template = (
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\n<ds:SignedInfo>\n'
        f'<ds:CanonicalizationMethod Algorithm="{alg.C14N}"/>\n'
        f'<ds:SignatureMethod Algorithm="{signature_uri}"/>\n'
        '<ds:Reference URI="">\n<ds:Transforms>\n'
        f'<ds:Transform Algorithm="{alg.ENVELOPED_SIGNATURE}"/>\n'
        f'<ds:Transform Algorithm="{alg.C14N_WITH_COMMENTS}"/>\n</ds:Transforms>\n'
        f'<ds:DigestMethod Algorithm="{digest_uri}"/>\n<ds:DigestValue></ds:DigestValue>\n'
        '</ds:Reference>\n</ds:SignedInfo>\n<ds:SignatureValue/>\n'
        '<ds:KeyInfo>\n<ds:X509Data/>\n</ds:KeyInfo>\n</ds:Signature>').encode()
    head, _, tail = document.rpartition(b"</request>")
    return head + template + b"</request>" + tail


def _xmlsec1_sign(binary, signer, template: bytes, tmp_path: Path, *extra) -> bytes:
    source, out = tmp_path / "template.xml", tmp_path / "signed.xml"
    source.write_bytes(template)
    run = _xmlsec1(binary, "--sign", "--privkey-pem",
                   f"{signer.issued.key_pem_path},{signer.issued.cert_pem_path}",
                   *extra, "--output", out, source)
    assert run.returncode == 0, run.stderr
    return out.read_bytes()


@pytest.mark.parametrize("comment", [False, True])
def test_xmlsec1_enveloped_verifies_here(xmlsec1_bin, tmp_path, signer, any_verifier, comment):
    signed = _xmlsec1_sign(xmlsec1_bin, signer,
                           _enveloped_template(person_request(comment=comment), alg.RSA_SHA256, alg.SHA256),
                           tmp_path)
    assert (b"<!--" in signed) == comment
    result = any_verifier.verify(signed, expect_iin=SIGNER_IIN, purpose="SIGN")
    assert result.valid, result.all_failures
    tampered = any_verifier.verify(signed.replace(SIGNER_IIN.encode(), b"000000000000"))
    assert "DIGEST_MISMATCH" in tampered.codes


def test_xmlsec1_sha1_with_w3c_uris(xmlsec1_bin, tmp_path, signer, trust):
    signed = _xmlsec1_sign(xmlsec1_bin, signer,
                           _enveloped_template(person_request(), alg.RSA_SHA1_W3C, alg.SHA1_W3C), tmp_path)
    assert Verifier(trust).verify(signed).codes == ("ALGORITHM_FORBIDDEN",)
    for engine in ("strict", "signxml"):
        assert Verifier(trust, allow_sha1=True, engine=engine).verify(signed).valid


@pytest.mark.parametrize("comment", [False, True])
def test_xmlsec1_wsse_verifies_here(xmlsec1_bin, tmp_path, signer, any_verifier, comment):
    envelope = soap_request(comment=comment).decode()
    security = (
        f'<soap:Header><wsse:Security xmlns:wsse="{WSSE_NS}" soap:mustUnderstand="1">'
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
        f'<ds:CanonicalizationMethod Algorithm="{alg.EXC_C14N}"/>'
        f'<ds:SignatureMethod Algorithm="{alg.RSA_SHA256}"/>'
        '<ds:Reference URI="#id-xmlsec1"><ds:Transforms>'
        f'<ds:Transform Algorithm="{alg.EXC_C14N}"/></ds:Transforms>'
        f'<ds:DigestMethod Algorithm="{alg.SHA256}"/><ds:DigestValue></ds:DigestValue>'
        '</ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
        '<ds:KeyInfo><wsse:SecurityTokenReference>'
        f'<wsse:KeyIdentifier EncodingType="{BASE64_BINARY}" ValueType="{X509V3_TOKEN}">'
        f'{b64(signer.cert.public_bytes(Encoding.DER))}</wsse:KeyIdentifier>'
        '</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security></soap:Header>')
    template = envelope.replace("<soap:Header/>", security).replace(
        "<soap:Body>", f'<soap:Body xmlns:wsu="{WSU_NS}" wsu:Id="id-xmlsec1">').encode()
    signed = _xmlsec1_sign(xmlsec1_bin, signer, template, tmp_path, "--id-attr:Id", SOAP_BODY)
    result = any_verifier.verify(signed)
    assert result.valid, result.all_failures
    assert etree.QName(result.signed_element).localname == "Body"
