"""``egov-sim sign`` / ``egov-sim verify``: exit codes 0/1/2 and one-line errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from egov_sim.app.cli import main
from egov_sim.signing.pki import TestPKI
from tests.signing.dsig.test_dsig_verify import BILLION_LAUGHS
from tests.support.dsig_docs import OTHER_IIN, SIGNER_IIN, person_request, soap_request

PASSWORD = "Qwerty12"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def cli_pki(home) -> TestPKI:
    return TestPKI.init(home / "pki", base_url="http://127.0.0.1:8080")


@pytest.fixture(scope="module")
def p12(cli_pki) -> Path:
    return cli_pki.issue(iin=SIGNER_IIN, surname="ҮЛГІ", given_name="ҚОЛДАНУШЫ", name="cli-sign",
                         pem=True).p12_path


@pytest.fixture
def run(home, cli_pki, capsys):
    """The CLI on the module's home, which always has its test PKI (its trust store): a test
    that xdist runs alone on a worker must not depend on an earlier one having made it."""
    def invoke(*args: str) -> tuple[int, str, str]:
        try:
            main(["--home", str(home), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return invoke


@pytest.fixture
def document(tmp_path) -> Path:
    path = tmp_path / "request.xml"
    path.write_bytes(person_request())
    return path


@pytest.fixture
def signed(run, p12, document, tmp_path) -> Path:
    out = tmp_path / "signed.xml"
    code, _, err = run("sign", str(document), "--p12", str(p12), "--password", PASSWORD, "--out", str(out))
    assert code == 0, err
    return out


def _one_line_error(err: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("egov-sim: error: ") and fragment in lines[0], err
    assert "Traceback" not in err


def test_sign_then_verify(run, signed):
    code, out, _ = run("verify", str(signed))
    assert code == 0
    assert out.startswith("VALID (enveloped") and f"IIN {SIGNER_IIN}" in out and "key: SIGN" in out


def test_verify_json(run, signed):
    code, out, _ = run("verify", str(signed), "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True
    signature = data["signatures"][0]
    assert signature["signer"]["subject"]["iin"] == SIGNER_IIN
    assert signature["revocations"][0]["by"] == "CRL"


def test_tampered_is_invalid_with_the_failed_check(run, signed):
    signed.write_bytes(signed.read_bytes().replace(SIGNER_IIN.encode(), OTHER_IIN.encode(), 1))
    code, out, _ = run("verify", str(signed))
    assert code == 1 and out.startswith("INVALID") and "DIGEST_MISMATCH" in out


@pytest.mark.parametrize("args, code_expected", [
    (["--at", "2100-01-01T00:00:00+05:00"], "CERT_EXPIRED"),
    (["--at", "2000-01-01"], "CERT_NOT_YET_VALID"),
    (["--expect-iin", OTHER_IIN], "IIN_MISMATCH"),
    (["--purpose", "auth"], "KEY_USAGE"),
])
def test_failed_checks_exit_1(run, signed, args, code_expected):
    code, out, _ = run("verify", str(signed), "--revocation", "none", *args)
    assert code == 1 and code_expected in out


def test_checks_that_pass(run, signed):
    code, out, _ = run("verify", str(signed), "--expect-iin", SIGNER_IIN, "--purpose", "sign",
                       "--revocation", "both", "--layout", "enveloped", "--engine", "signxml")
    assert code == 0, out


def test_revoked(run, cli_pki, document, tmp_path):
    issued = cli_pki.issue(iin=SIGNER_IIN, surname="ҮЛГІ", given_name="ҚОЛДАНУШЫ", name="cli-revoked",
                           not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    cli_pki.revoke(issued.serial)
    out_path = tmp_path / "revoked.xml"
    assert run("sign", str(document), "--p12", str(issued.p12_path), "--password", PASSWORD,
               "--out", str(out_path))[0] == 0
    code, out, _ = run("verify", str(out_path), "--revocation", "ocsp")
    assert code == 1 and "CERT_REVOKED" in out
    assert run("verify", str(out_path), "--revocation", "none")[0] == 0


def test_wsse_with_pem_key(run, cli_pki, p12, tmp_path):
    record = next(r for r in cli_pki.certificates() if r.name == "cli-sign")
    envelope, out_path = tmp_path / "envelope.xml", tmp_path / "signed-envelope.xml"
    envelope.write_bytes(soap_request())
    code, _, err = run("sign", str(envelope), "--layout", "wsse", "--key", str(record.key_pem_path),
                       "--cert", str(record.cert_pem_path), "--out", str(out_path))
    assert code == 0, err
    code, out, _ = run("verify", str(out_path), "--trust", str(cli_pki.directory / "trust.pem"))
    assert code == 0 and out.startswith("VALID (wsse")


def test_sha1_needs_the_flag(run, p12, document, tmp_path):
    out_path = tmp_path / "sha1.xml"
    assert run("sign", str(document), "--p12", str(p12), "--password", PASSWORD, "--sha1",
               "--out", str(out_path))[0] == 0
    code, out, _ = run("verify", str(out_path))
    assert code == 1 and "ALGORITHM_FORBIDDEN" in out
    assert run("verify", str(out_path), "--sha1")[0] == 0


def test_wrong_password(run, p12, document):
    code, _, err = run("sign", str(document), "--p12", str(p12), "--password", "wrong")
    assert code == 2
    _one_line_error(err, "wrong PKCS#12 password")


def test_not_a_certificate(run, cli_pki, document, tmp_path):
    record = next(r for r in cli_pki.certificates() if r.name == "cli-sign")
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"hello")
    code, _, err = run("sign", str(document), "--key", str(record.key_pem_path), "--cert", str(junk))
    assert code == 2
    _one_line_error(err, "not a certificate")
    code, _, err = run("verify", str(document), "--trust", str(junk))
    assert code == 2
    _one_line_error(err, "no PEM certificate")


@pytest.mark.parametrize("data, fragment", [
    (b"<request><iin>1</request>", "malformed XML"),
    (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "DOCTYPE"),
    (BILLION_LAUGHS, "DOCTYPE"),
])
@pytest.mark.parametrize("command", ["sign", "verify"])
def test_unsafe_xml_is_a_one_line_error(run, p12, tmp_path, data, fragment, command):
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    extra = ["--p12", str(p12), "--password", PASSWORD] if command == "sign" else []
    code, _, err = run(command, str(path), *extra)
    assert code == 2
    _one_line_error(err, fragment)


def test_oversize_is_a_one_line_error(run, tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<r>" + b"x" * (10 * 1024 * 1024) + b"</r>")
    code, _, err = run("verify", str(path))
    assert code == 2
    _one_line_error(err, "over the limit")


@pytest.mark.parametrize("args, fragment", [
    (["--at", "yesterday"], "ISO 8601"),
    (["--expect-iin", "12345"], "12-digit IIN"),
])
def test_bad_options(run, signed, args, fragment):
    code, _, err = run("verify", str(signed), *args)
    assert code == 2
    _one_line_error(err, fragment)


def test_missing_file(run):
    code, _, err = run("verify", "no-such-file.xml")
    assert code == 2
    _one_line_error(err, "no such file")


def test_sign_needs_a_key(run, document):
    code, _, err = run("sign", str(document))
    assert code == 2
    _one_line_error(err, "--p12")


def test_no_trust_store(tmp_path, signed, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(tmp_path / "empty"), "verify", str(signed)])
    assert exit_.value.code == 2
    _one_line_error(capsys.readouterr().err, "no trust store")


def test_console_script_pipes_stdin_to_stdout(home, p12):
    script = Path(sys.executable).with_name("egov-sim")
    if not script.exists():
        pytest.skip("the egov-sim console script is not installed in this environment")
    signed = subprocess.run([str(script), "--home", str(home), "sign", "-", "--p12", str(p12),
                             "--password", PASSWORD], input=person_request(), capture_output=True,
                            timeout=60)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>')
    verified = subprocess.run([str(script), "--home", str(home), "verify", "-", "--json"],
                              input=signed.stdout, capture_output=True, timeout=60)
    assert verified.returncode == 0 and json.loads(verified.stdout)["valid"] is True
    broken = subprocess.run([str(script), "--home", str(home), "verify", "-"], input=b"<a>",
                            capture_output=True, timeout=60)
    assert broken.returncode == 2 and len(broken.stderr.decode().strip().splitlines()) == 1
