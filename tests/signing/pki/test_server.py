"""The PKI over HTTP from a real uvicorn server, checked with the real ``openssl`` binary."""

from __future__ import annotations

import base64
import urllib.parse

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url + "/pki", timeout=10) as client:
        yield client


def _ocsp_cli(openssl_bin, pki, leaf_pem, server, *extra):
    """``openssl ocsp`` as an integrator would run it (-sha256 must come before -cert)."""
    return [openssl_bin, "ocsp", "-issuer", pki.directory / "ca.pem", *extra, "-cert", leaf_pem,
            "-url", f"{server.url}/pki/ocsp", "-CAfile", pki.directory / "trust.pem"]


def test_banner_endpoints_are_served(server, http, pki):
    paths = [e.path for e in server.server.config.app.state.endpoints if e.path.startswith("/pki/")]
    assert "/pki/crl/nca_rsa_sim.crl" in paths and "/pki/ocsp" in paths
    for path in paths:
        if path == "/pki/ocsp":
            continue
        response = http.get(path.removeprefix("/pki"))
        assert response.status_code == 200, path


def test_certificates_for_aia(http, pki):
    for path, cert in (("/cert/nca_rsa_sim.cer", pki.ca), ("/cert/root_rsa_sim.cer", pki.root)):
        response = http.get(path)
        assert response.headers["content-type"] == "application/pkix-cert"
        assert response.content == cert.public_bytes(Encoding.DER)
    assert pki.ca_issuers_url.endswith("/pki/cert/nca_rsa_sim.cer")


@pytest.mark.parametrize("url_attr", ["crl_url", "delta_crl_url"])
def test_crls_over_http_verify_with_openssl(pki, server, url_attr, tmp_path, openssl_bin, sh):
    response = httpx.get(getattr(pki, url_attr), timeout=10)
    assert response.headers["content-type"] == "application/pkix-crl"
    path = tmp_path / "x.crl"
    path.write_bytes(response.content)
    out = sh([openssl_bin, "crl", "-inform", "DER", "-in", path, "-CAfile", pki.directory / "trust.pem", "-noout"])
    assert "verify OK" in out.stderr


def test_openssl_ocsp_good_then_revoked_by_the_cli_in_another_process(
        pki, server, pki_settings, fresh_cert, openssl_bin, sh, cli_process):
    command = _ocsp_cli(openssl_bin, pki, fresh_cert.cert_pem_path, server, "-sha256")
    good = sh(command)
    assert "Response verify OK" in good.stderr
    assert f"{fresh_cert.cert_pem_path}: good" in good.stdout

    revoke = cli_process("--home", pki_settings.home, "pki", "revoke", format(fresh_cert.serial, "X"),
                         "--reason", "keyCompromise")
    assert revoke.code == 0, revoke.stderr

    revoked = sh(command)
    assert "Response verify OK" in revoked.stderr
    assert f"{fresh_cert.cert_pem_path}: revoked" in revoked.stdout
    assert "Reason: keyCompromise" in revoked.stdout


def test_openssl_ocsp_with_its_default_sha1_cert_id(pki, server, person_sign, openssl_bin, sh):
    out = sh(_ocsp_cli(openssl_bin, pki, person_sign.cert_pem_path, server))
    assert "Response verify OK" in out.stderr
    assert ": good" in out.stdout


def test_openssl_ocsp_unknown_serial(pki, server, openssl_bin, sh):
    out = sh([openssl_bin, "ocsp", "-issuer", pki.directory / "ca.pem", "-sha256", "-serial", "0x1234",
              "-url", f"{server.url}/pki/ocsp", "-CAfile", pki.directory / "trust.pem"])
    assert "Response verify OK" in out.stderr
    assert "0x1234: unknown" in out.stdout


def test_openssl_ocsp_wrong_issuer_is_unauthorized(pki, server, person_sign, openssl_bin, sh):
    out = sh([openssl_bin, "ocsp", "-issuer", pki.directory / "root.pem", "-sha256", "-cert",
              person_sign.cert_pem_path, "-url", f"{server.url}/pki/ocsp"], check=False)
    assert "unauthorized" in out.stdout + out.stderr


def _request(cert, issuer) -> bytes:
    return (ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256())
            .add_extension(x509.OCSPNonce(b"n" * 16), critical=False).build().public_bytes(Encoding.DER))


def test_ocsp_post_and_get(http, pki, person_sign):
    der = _request(person_sign.certificate, pki.ca)
    posted = http.post("/ocsp", content=der, headers={"Content-Type": "application/ocsp-request"})
    assert posted.headers["content-type"] == "application/ocsp-response"
    encoded = urllib.parse.quote(base64.b64encode(der).decode(), safe="")
    fetched = http.get(f"/ocsp/{encoded}")
    for response in (posted, fetched):
        answer = ocsp.load_der_ocsp_response(response.content)
        assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
        assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"n" * 16


@pytest.mark.parametrize("body", [b"", b"garbage", b"x" * 100_000])
def test_ocsp_garbage_over_http(http, body):
    response = http.post("/ocsp", content=body)
    assert response.status_code == 200
    assert ocsp.load_der_ocsp_response(response.content).response_status == \
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert ocsp.load_der_ocsp_response(http.get("/ocsp/%%%notbase64").content).response_status == \
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
