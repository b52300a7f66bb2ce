"""CMS signatures (signing/cms.py): Kalkan's layout, read off NCANode's real vectors, and ours
checked by our verifier and, for RSA, by OpenSSL."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess

import pytest
from asn1crypto import cms

from egov_sim.core.clock import fixed_clock
from egov_sim.core.errors import InputError
from egov_sim.signing.cms import CmsError, sign_cms, verify_cms
from egov_sim.signing.pki import TestPKI
from tests.support import ncanode
from tests.support.rshep import TEST_MONDAY

SIGNED_AT = TEST_MONDAY + dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> TestPKI:
    return TestPKI.init(tmp_path_factory.mktemp("pki"), base_url="http://sim.test",
                        clock=fixed_clock(TEST_MONDAY))


@pytest.fixture(scope="module", params=["rsa", "gost2004", "gost2015-256", "gost2015-512"])
def issued(request, pki):
    return pki.issue(iin="780314401012", surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ",
                     name=f"cms-{request.param}", algorithm=request.param)


@pytest.mark.parametrize("name", ["SIGNED_CMS", "SIGNED_CMS_ONE_SIGNER"])
def test_kalkan_vectors_verify(name):
    result = verify_cms(base64.b64decode(ncanode.read(f"{name}.b64")))
    assert result.valid, [s.failures for s in result.signers]
    assert result.content == b"test123"
    assert {s.signature_algorithm for s in result.signers} <= {"1.2.840.113549.1.1.11", "1.2.398.3.10.1.1.2.3.2"}


def test_kalkan_detached_vector_needs_its_content():
    der = base64.b64decode(ncanode.read("SIGNED_DETACHED_CMS.b64"))
    assert not verify_cms(der).valid
    assert verify_cms(der, content=b"test123").valid
    assert not verify_cms(der, content=b"test124").valid


def _layout(der: bytes) -> list:
    """What Kalkan fixes in its layout (versions, algorithm parameters, attribute order)."""
    signed = cms.ContentInfo.load(der)["content"]
    out = [signed["version"].native, [a["parameters"].dump() for a in signed["digest_algorithms"]],
           len(signed["certificates"])]
    for si in signed["signer_infos"]:
        out.append((si["version"].native, si["sid"].name, si["digest_algorithm"]["parameters"].dump(),
                    si["signature_algorithm"]["parameters"].dump(),
                    [a["type"].dotted for a in si["signed_attrs"]], si["unsigned_attrs"].native))
    return out


def test_our_layout_is_kalkans(pki):
    rsa = pki.issue(iin="780314401012", surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ", name="cms-layout")
    ours = _layout(sign_cms(b"test123", rsa.private_key, rsa.certificate, signing_time=SIGNED_AT))
    kalkan = _layout(base64.b64decode(ncanode.read("SIGNED_CMS_ONE_SIGNER.b64")))
    assert ours == kalkan


def test_sign_and_verify_every_algorithm(issued):
    for detached in (False, True):
        der = sign_cms(b"<doc/>", issued.private_key, issued.certificate, signing_time=SIGNED_AT,
                       detached=detached)
        result = verify_cms(der, content=b"<doc/>" if detached else None)
        assert result.valid and result.detached is detached, result.signers[0].failures
        [signer] = result.signers
        assert signer.signer.subject.iin == "780314401012"
        assert signer.signing_time == SIGNED_AT.astimezone(dt.UTC)
        assert not verify_cms(der, content=b"<dog/>").valid if detached else True


def test_tampered_content_and_signature_fail(issued):
    der = bytearray(sign_cms(b"payload-123", issued.private_key, issued.certificate, signing_time=SIGNED_AT))
    at = der.find(b"payload-123")
    der[at] ^= 1
    result = verify_cms(bytes(der))
    assert not result.valid and "messageDigest does not match the content" in result.signers[0].failures


def test_precomputed_digest_is_detached(issued):
    from egov_sim.signing.cms import _digest

    _, digest = _digest(issued.private_key, b"the content")
    der = sign_cms(digest, issued.private_key, issued.certificate, signing_time=SIGNED_AT, digested=True)
    assert verify_cms(der, content=b"the content").valid
    with pytest.raises(InputError, match="precomputed digest"):
        sign_cms(b"short", issued.private_key, issued.certificate, signing_time=SIGNED_AT, digested=True)


def test_rsa_is_deterministic_for_the_same_signing_time(pki):
    rsa = pki.issue(iin="780314401012", surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ", name="cms-det")
    one = sign_cms(b"x", rsa.private_key, rsa.certificate, signing_time=SIGNED_AT)
    assert one == sign_cms(b"x", rsa.private_key, rsa.certificate, signing_time=SIGNED_AT)


def test_not_a_cms_is_a_clear_error():
    with pytest.raises(CmsError, match="not a readable CMS"):
        verify_cms(b"\x30\x03\x02\x01\x01")


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed")
def test_openssl_verifies_our_rsa_cms(pki, tmp_path):
    rsa = pki.issue(iin="780314401012", surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ", name="cms-openssl")
    (tmp_path / "sig.der").write_bytes(sign_cms(b"hello", rsa.private_key, rsa.certificate,
                                               signing_time=SIGNED_AT, detached=True))
    (tmp_path / "data").write_bytes(b"hello")
    (tmp_path / "ca.pem").write_bytes(pki.trust_pem())
    run = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
                          "-content", "data", "-CAfile", "ca.pem", "-purpose", "any",
                          "-attime", str(int(SIGNED_AT.timestamp())), "-out", "/dev/null"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0 and "Verification successful" in run.stderr, run.stderr


def test_the_docs_cms_example_runs(tmp_path):
    """docs/signing.md's CMS command-line example, as written."""
    import os
    import re
    import sys

    from tests.support import ROOT

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    text = (ROOT / "docs" / "signing.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- signing-example: cms-cli -->\s*```sh\n(.*?)```", text, re.S).group(1)
    env = {**os.environ, "EGOV_SIM_HOME": str(tmp_path / "home"),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Verification successful" in run.stderr
    detached = verify_cms(base64.b64decode((tmp_path / "data.p7s.b64").read_bytes()), content=b"hello")
    assert detached.valid and detached.detached and detached.signers[0].signer.iin == "880314312347"
    assert detached.signers[0].signing_time == dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
