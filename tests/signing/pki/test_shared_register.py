"""Several hosts, one PKI: issues and revocations go through the shared database (issue 16).

Each "host" here is a copy of one PKI directory with its own connection to one database, as in
a deployment (docs/deployment.md): the copies share the CAs, not their ``index.json``. A
certificate issued on one host is known to the other's OCSP responder, a revocation entered on
either host is in both hosts' CRLs and OCSP answers, and one certificate is revoked once.
Runs on SQLite and, with ``EGOV_SIM_TEST_POSTGRES_URL``, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import threading

import pytest
from cryptography import x509

from egov_sim.core.database import DATABASE_URL_ENV, Database, sqlite_url
from egov_sim.core.errors import InputError
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.pki_shared import SharedRegister
from egov_sim.signing.revocation import RevocationChecker
from tests.support import DOCS
from tests.support.hosts import POSTGRES_ENV, postgres_schema

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
IIN = "880101300040"


def clock() -> dt.datetime:
    return T0


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "egov-sim.db")
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}=postgresql://…")
    pytest.importorskip("psycopg")
    with postgres_schema(os.environ[POSTGRES_ENV]) as url:
        yield url


class Hosts:
    """Two homes with one PKI (the second a copy of the first) and one database."""

    def __init__(self, tmp_path, url: str):
        self.url = url
        self.dirs = [tmp_path / "a" / "pki", tmp_path / "b" / "pki"]
        TestPKI.init(self.dirs[0], base_url="http://a.test:8080", clock=clock)
        shutil.copytree(self.dirs[0], self.dirs[1])
        self.databases: list[Database] = []

    def host(self, index: int, *, refresh: float = 0.0, attached: bool = True) -> TestPKI:
        pki = TestPKI.open(self.dirs[index], clock=clock)
        if attached:
            db = Database.open(self.url)
            self.databases.append(db)
            pki.attach(SharedRegister(db, refresh=refresh))
        return pki

    def close(self) -> None:
        for db in self.databases:
            db.close()


@pytest.fixture
def hosts(tmp_path, db_url):
    made = Hosts(tmp_path, db_url)
    yield made
    made.close()


def issue(pki: TestPKI, name: str):
    return pki.issue(iin=IIN, surname="ТЕСТОВ", given_name="ТЕСТ", name=name,
                     not_before=T0 - dt.timedelta(days=1), valid_days=365)


def crl_lists(pki: TestPKI, serial: int) -> bool:
    crl = x509.load_der_x509_crl(pki.full_crl())
    return crl.get_revoked_certificate_by_serial_number(serial) is not None


def ocsp(pki: TestPKI, cert: x509.Certificate):
    """What the host's OCSP responder says, read as the verifiers read it."""
    checker = RevocationChecker(methods=("OCSP",), local_pki=pki, clock=clock)
    return checker.check(cert, pki.ca)[0]


def test_a_certificate_issued_on_one_host_is_known_to_the_others_responder(hosts):
    a, b = hosts.host(0), hosts.host(1)
    issued = issue(a, "on-a")
    assert b.status(issued.serial).state == "good"
    assert not ocsp(b, issued.certificate).revoked
    assert b.record(issued.serial).p12_path is None  # the key file stays on host a
    assert [r.name for r in b.certificates() if r.serial == issued.serial] == ["on-a"]
    # without the register (what each host had before) host b's responder does not know it
    alone = hosts.host(1, attached=False)
    with pytest.raises(InputError) as unknown:
        ocsp(alone, issued.certificate)
    assert unknown.value.code == "REVOCATION_UNKNOWN"


def test_a_revocation_on_one_host_reaches_every_host(hosts):
    a, b = hosts.host(0), hosts.host(1)
    issued = issue(a, "revoked-on-b")
    assert not crl_lists(a, issued.serial)
    b.revoke(issued.serial, "affiliationChanged", at=T0 - dt.timedelta(hours=1))  # b never issued it
    for pki in (a, b):
        assert crl_lists(pki, issued.serial)
        answer = ocsp(pki, issued.certificate)
        assert answer.revoked and answer.reason == "affiliationChanged"
        assert pki.record(issued.serial).status == "revoked"
    checker = RevocationChecker(methods=("CRL",), local_pki=a, clock=clock)
    assert checker.check(issued.certificate, a.ca)[0].revoked
    # the delta CRL of the issuing host lists it too (entered after today's base)
    delta = x509.load_der_x509_crl(a.delta_crl())
    assert delta.get_revoked_certificate_by_serial_number(issued.serial) is not None


def test_a_revocation_shows_on_its_own_host_at_once_and_on_the_others_after_the_refresh(hosts):
    a, b = hosts.host(0, refresh=3600.0), hosts.host(1, refresh=3600.0)
    issued = issue(a, "fresh")
    b.status(issued.serial)  # b has read the register once: the next reading is an hour away
    a.revoke(issued.serial)
    assert crl_lists(a, issued.serial)       # its own index changed: the next request sees it
    assert not crl_lists(b, issued.serial)   # documented: within ``refresh`` seconds
    assert crl_lists(hosts.host(1), issued.serial)


def test_one_certificate_is_revoked_once_across_hosts(hosts):
    issued = issue(hosts.host(0), "raced")
    pkis = [hosts.host(i % 2) for i in range(6)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(pkis))

    def revoke(pki: TestPKI) -> None:
        barrier.wait()
        try:
            pki.revoke(issued.serial, "keyCompromise")
            outcomes.append("revoked")
        except InputError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=revoke, args=(pki,)) for pki in pkis]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ALREADY_REVOKED"] * 5 + ["revoked"], outcomes
    entries = [e for e in x509.load_der_x509_crl(hosts.host(1).full_crl()) if e.serial_number == issued.serial]
    assert len(entries) == 1


def test_attaching_enters_what_the_host_issued_and_revoked_before(hosts):
    a = hosts.host(0, attached=False)
    kept, revoked = issue(a, "kept"), issue(a, "revoked-before")
    a.revoke(revoked.serial, "superseded")
    b = hosts.host(1)
    assert b.status(kept.serial).state == "unknown"  # not entered yet: host a has not attached
    hosts.host(0)                                     # host a starts with the database
    assert b.status(kept.serial).state == "good"
    assert b.status(revoked.serial).state == "revoked" and crl_lists(b, revoked.serial)


def test_another_pki_never_sees_the_register(hosts, tmp_path):
    issued = issue(hosts.host(0), "of-pki-one")
    other = TestPKI.init(tmp_path / "other" / "pki", base_url="http://c.test:8080", clock=clock)
    other.attach(SharedRegister(hosts.databases[0], refresh=0.0))
    assert other.status(issued.serial).state == "unknown"
    with pytest.raises(InputError, match="no certificate with serial"):
        other.revoke(issued.serial)


def test_every_copy_of_a_pki_derives_the_same_secrets(tmp_path, db_url):
    made = Hosts(tmp_path, db_url)
    a, b = made.host(0, attached=False), made.host(1, attached=False)
    secret = a.derive_secret("web pages")
    assert len(secret) == 32 and b.derive_secret("web pages") == secret
    assert a.derive_secret("something else") != secret
    other = TestPKI.init(tmp_path / "other" / "pki", base_url="http://a.test:8080", clock=clock)
    assert other.derive_secret("web pages") != secret
    TestPKI.init(made.dirs[1], base_url="http://a.test:8080", clock=clock, force=True)
    assert b.derive_secret("web pages") != secret  # a new CA generation: new secrets


def test_the_command_line_revokes_a_certificate_issued_on_another_host(hosts, cli, monkeypatch):
    a = hosts.host(0)
    issued = issue(a, "cli-target")
    home_b = hosts.dirs[1].parent
    monkeypatch.setenv(DATABASE_URL_ENV, hosts.url)
    listed = cli("--home", home_b, "pki", "list")
    assert listed.code == 0 and format(issued.serial, "X") in listed.stdout.replace("\n", ""), listed.stdout
    assert "cli-target (another host)" in listed.stdout
    assert "(another host)" not in cli("--home", hosts.dirs[0].parent, "pki", "list").stdout
    revoked = cli("--home", home_b, "pki", "revoke", "cli-target", "--reason", "cessationOfOperation")
    assert revoked.code == 0, revoked.stderr
    assert "cessationOfOperation" in revoked.stdout
    assert crl_lists(a, issued.serial)
    again = cli("--home", hosts.dirs[0].parent, "pki", "revoke", format(issued.serial, "X"))
    assert again.code == 2 and "already revoked" in again.stderr


def test_a_name_two_hosts_gave_needs_the_serial(hosts, cli, monkeypatch):
    first, second = issue(hosts.host(0), "same-name"), issue(hosts.host(1), "same-name")
    monkeypatch.setenv(DATABASE_URL_ENV, hosts.url)
    ambiguous = cli("--home", hosts.dirs[0].parent, "pki", "revoke", "same-name")
    assert ambiguous.code == 2 and "2 certificates are named 'same-name'" in ambiguous.stderr
    assert format(first.serial, "X") in ambiguous.stderr and format(second.serial, "X") in ambiguous.stderr
    assert hosts.host(0).status(first.serial).state == "good"  # nothing revoked
    assert cli("--home", hosts.dirs[0].parent, "pki", "revoke", format(second.serial, "X")).code == 0
    assert hosts.host(1).status(second.serial).state == "revoked"
    assert hosts.host(1).status(first.serial).state == "good"


def test_the_command_line_names_a_database_it_cannot_open(hosts, cli, monkeypatch, tmp_path):
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    result = cli("--home", hosts.dirs[1].parent, "pki", "list")
    lines = result.stderr.strip().splitlines()
    assert result.code == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("egov-sim: error: the database postgresql://nobody@127.0.0.1:9/none")


def test_the_documented_example_runs_as_written(tmp_path, openssl_bin):
    text = (DOCS / "pki.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- pki-example: shared-register -->\s*```sh\n(.*?)```", text, re.S).group(1)
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    env.pop(DATABASE_URL_ENV, None)
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    serial = TestPKI.open(tmp_path / "host-a" / "pki").certificates()[0].serial_hex
    assert serial in run.stdout.replace(":", "").upper() and "Affiliation Changed" in run.stdout, run.stdout
    assert TestPKI.open(tmp_path / "host-b" / "pki").certificates() == []  # host b's own index: nothing
