"""``egov-sim pki …`` and ``egov-sim cert info``: the happy path and one-line errors (exit 2)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography import x509

IIN = "880101300040"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-home")


@pytest.fixture(scope="module")
def initialised(home):
    """A home with an initialised PKI (module-wide: the CLI tests share it)."""
    from egov_sim.app.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "pki", "init"])
    assert done.value.code in (0, None)
    return home


def _one_line_error(result, code: int = 2) -> str:
    assert result.code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("egov-sim: error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def test_commands_before_init(cli, tmp_path):
    for args in (["pki", "list"], ["pki", "issue", "--iin", IIN, "--surname", "A", "--given-name", "B"],
                 ["pki", "revoke", "AB"], ["pki", "crl"]):
        assert "pki init" in _one_line_error(cli("--home", tmp_path, *args))


def test_init_writes_the_pki(initialised, cli):
    pki_dir = initialised / "pki"
    assert (pki_dir / "trust.pem").is_file()
    assert "--force" in _one_line_error(cli("--home", initialised, "pki", "init"))


def test_issue_list_revoke_crl(initialised, cli, tmp_path):
    out = tmp_path / "copies"
    issued = cli("--home", initialised, "pki", "issue", "--iin", IIN, "--surname", "Тестов",
                 "--given-name", "Тест", "--patronymic", "Тестович", "--bin", "040540001230",
                 "--org", 'ТОО "ҮЛГІ"', "--role", "CEO", "--role", "can_sign", "--purpose", "AUTH",
                 "--email", "ceo@example.kz", "--pem", "--name", "ceo", "--out", out, "--json")
    assert issued.code == 0, issued.stderr
    record = json.loads(issued.stdout)
    assert record["iin"] == IIN and record["bin"] == "040540001230"
    assert record["purpose"] == "AUTH" and record["roles"] == ["ORGANIZATION", "CEO", "CAN_SIGN"]
    assert sorted(p.name for p in out.iterdir()) == ["ceo.key.pem", "ceo.p12", "ceo.pem"]

    listed = cli("--home", initialised, "pki", "list", "--json")
    assert [r["name"] for r in json.loads(listed.stdout)].count("ceo") == 1  # others' too, in any order
    table = cli("--home", initialised, "pki", "list")
    assert record["serial"] in table.stdout and "good" in table.stdout

    revoked = cli("--home", initialised, "pki", "revoke", "ceo", "--reason", "affiliationChanged")
    assert revoked.code == 0, revoked.stderr
    assert "affiliationChanged" in revoked.stdout
    again = _one_line_error(cli("--home", initialised, "pki", "revoke", record["serial"]))
    assert "already revoked" in again

    crl_file = tmp_path / "full.crl"
    assert cli("--home", initialised, "pki", "crl", "--out", crl_file).code == 0
    crl = x509.load_der_x509_crl(crl_file.read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(int(record["serial"], 16)) is not None
    delta = cli("--home", initialised, "pki", "crl", "--delta")
    assert x509.load_pem_x509_crl(delta.stdout.encode()).extensions.get_extension_for_class(
        x509.DeltaCRLIndicator).critical


def test_issue_with_dates(initialised, cli):
    start = dt.date.today() - dt.timedelta(days=60)
    end = start + dt.timedelta(days=30)
    result = cli("--home", initialised, "pki", "issue", "--iin", IIN, "--surname", "Ескі", "--given-name", "Тест",
                 "--not-before", start.isoformat(), "--not-after", f"{end.isoformat()}T12:00:00+05:00", "--json")
    assert result.code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["notBefore"] == f"{start.isoformat()}T00:00:00+00:00"
    assert record["notAfter"] == f"{end.isoformat()}T07:00:00+00:00"
    table = cli("--home", initialised, "pki", "list")
    assert "expired" in table.stdout


@pytest.mark.parametrize("args, message", [
    (["pki", "issue", "--iin", "880101300048", "--surname", "A", "--given-name", "B"], "check digit"),
    (["pki", "issue", "--iin", IIN, "--bin", "123", "--surname", "A", "--given-name", "B"], "BIN must be 12 digits"),
    (["pki", "issue", "--iin", IIN, "--surname", "A", "--given-name", "B", "--role", "KING"], "unknown role"),
    (["pki", "issue", "--iin", IIN, "--surname", "A", "--given-name", "B", "--not-before", "yesterday"],
     "not an ISO date"),
    (["pki", "revoke", "FFFF"], "no certificate with serial FFFF"),
    (["pki", "revoke", "nonsense!"], "neither a serial number"),
])
def test_bad_input_is_one_line(initialised, cli, args, message):
    assert message in _one_line_error(cli("--home", initialised, *args))


def test_bad_reason(initialised, cli):
    issued = json.loads(cli("--home", initialised, "pki", "issue", "--iin", IIN, "--surname", "A",
                            "--given-name", "B", "--json").stdout)
    line = _one_line_error(cli("--home", initialised, "pki", "revoke", issued["serial"], "--reason", "lost"))
    assert "unknown revocation reason 'lost'" in line


def test_cert_info(person_sign, ceo_auth, cli):
    table = cli("cert", "info", person_sign.cert_pem_path)
    assert table.code == 0, table.stderr
    assert "880101300040" in table.stdout and "SIGN" in table.stdout and "ТЕСТОВИЧ" in table.stdout
    doc = json.loads(cli("cert", "info", ceo_auth.p12_path, "--password", "Qwerty12", "--json").stdout)
    assert doc["keyUsage"] == "AUTH" and doc["subject"]["bin"] == "040540001230"
    assert doc["keyUser"] == ["ORGANIZATION", "CEO", "CAN_SIGN"]


def test_cert_info_errors(person_sign, cli, tmp_path):
    assert "wrong PKCS#12 password" in _one_line_error(
        cli("cert", "info", person_sign.p12_path, "--password", "nope"))
    assert "--password" in _one_line_error(cli("cert", "info", person_sign.p12_path))
    text = tmp_path / "readme.txt"
    text.write_text("hello")
    assert "not a certificate" in _one_line_error(cli("cert", "info", text))
    fake = tmp_path / "fake.p12"
    fake.write_text("hello")
    assert "not a PKCS#12" in _one_line_error(cli("cert", "info", fake, "--password", "x"))
    assert "no such file" in _one_line_error(cli("cert", "info", tmp_path / "absent.pem"))


def test_errors_from_a_real_process(cli_process, tmp_path, person_sign):
    result = cli_process("--home", tmp_path, "cert", "info", person_sign.p12_path, "--password", "bad")
    assert _one_line_error(result).endswith("wrong PKCS#12 password")
    result = cli_process("--home", tmp_path, "pki", "issue", "--iin", IIN, "--surname", "A", "--given-name", "B")
    assert "pki init" in _one_line_error(result)
