"""The PKI directory: initialisation, atomic commits, several readers and writers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from egov_sim.core import atomic
from egov_sim.core.errors import InputError
from egov_sim.signing import pki_index
from egov_sim.signing.pki import TestPKI

BASE = "http://127.0.0.1:9"
IIN = "880101300040"


@pytest.fixture
def small(tmp_path) -> TestPKI:
    """A PKI of its own (for tests that break or replace it); small keys keep it quick."""
    return TestPKI.init(tmp_path / "pki", base_url=BASE, key_size=1024)


def _issue(pki: TestPKI, **kw):
    return pki.issue(iin=IIN, surname="Тестов", given_name="Тест", key_size=1024, **kw)


def test_layout(small):
    d = small.directory
    generation = small.version[0]
    for name in ("index.json", "root.pem", "ca.pem", "ocsp.pem", "trust.pem"):
        assert (d / name).is_file(), name
    for name in ("root.key", "ca.key", "ocsp.key", "root.pem", "ca.pem", "ocsp.pem"):
        assert (d / "ca" / generation / name).is_file(), name
    assert oct((d / "ca" / generation / "ca.key").stat().st_mode & 0o777) == "0o600"
    assert (d / "trust.pem").read_bytes() == small.trust_pem()
    assert small.trust_pem().count(b"BEGIN CERTIFICATE") == 2


def test_open_before_init(tmp_path):
    with pytest.raises(InputError, match="pki init") as err:
        TestPKI.open(tmp_path / "nothing")
    assert err.value.code == "PKI_NOT_INITIALISED"


def test_second_init_needs_force(small):
    with pytest.raises(InputError, match="--force") as err:
        TestPKI.init(small.directory, base_url=BASE)
    assert err.value.code == "PKI_EXISTS"


def test_bad_base_url(tmp_path):
    with pytest.raises(InputError) as err:
        TestPKI.init(tmp_path / "pki", base_url="ftp://x")
    assert err.value.code == "BAD_BASE_URL"


def test_force_replaces_and_open_readers_follow(small):
    reader = TestPKI.open(small.directory)
    issued = _issue(small)
    old_root, old_generation = reader.root, reader.version[0]
    TestPKI.init(small.directory, base_url="http://127.0.0.1:10", force=True, key_size=1024)
    assert reader.root != old_root
    assert reader.certificates() == []
    assert reader.base_url == "http://127.0.0.1:10"
    assert not issued.p12_path.exists()
    assert not (small.directory / "ca" / old_generation).exists()


def test_interrupted_issue_leaves_the_index_unchanged(small, monkeypatch):
    _issue(small)
    index = small.directory / "index.json"
    before = index.read_bytes()
    real_write = atomic.write_bytes

    def failing(path, data, **kw):
        if path.name.endswith(".key.pem"):
            raise OSError(28, "No space left on device")
        return real_write(path, data, **kw)

    monkeypatch.setattr(atomic, "write_bytes", failing)
    with pytest.raises(OSError):
        _issue(small, name="half", pem=True)
    assert index.read_bytes() == before
    assert [r.name for r in TestPKI.open(small.directory).certificates()] == [small.certificates()[0].name]
    assert not list((small.directory / "issued").glob("half*"))


def test_interrupted_revoke_leaves_the_index_unchanged(small, monkeypatch):
    issued = _issue(small)
    index = small.directory / "index.json"
    before = index.read_bytes()

    def no_rename(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OSError):
        small.revoke(issued.serial)
    monkeypatch.undo()
    assert index.read_bytes() == before
    assert TestPKI.open(small.directory).status(issued.serial).state == "good"
    assert not [p for p in small.directory.iterdir() if p.name.endswith(".tmp")]


def test_interrupted_force_init_keeps_the_previous_pki(small, monkeypatch):
    issued = _issue(small)
    root = small.root

    def crash(self, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(pki_index.Index, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        TestPKI.init(small.directory, base_url=BASE, force=True, key_size=1024)
    monkeypatch.undo()
    survivor = TestPKI.open(small.directory)
    assert survivor.root == root
    assert [r.serial for r in survivor.certificates()] == [issued.serial]
    assert issued.p12_path.exists()


def test_another_instance_sees_revocations(small):
    issued = _issue(small)
    reader = TestPKI.open(small.directory)
    assert reader.status(issued.serial).state == "good"
    TestPKI.open(small.directory).revoke(issued.serial, "superseded")
    status = reader.status(issued.serial)
    assert (status.state, status.reason) == ("revoked", "superseded")


def test_concurrent_writers_lose_nothing(small):
    serials = [_issue(small).serial for _ in range(6)]
    errors = []

    def revoke(serial):
        try:
            TestPKI.open(small.directory).revoke(serial)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=revoke, args=(s,)) for s in serials]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {r.serial: r.status for r in TestPKI.open(small.directory).certificates()} == \
        dict.fromkeys(serials, "revoked")


def test_open_or_init_race_makes_one_pki(tmp_path):
    script = ("import sys; from pathlib import Path; from signing.pki import TestPKI; "
              "print(TestPKI.open_or_init(Path(sys.argv[1]), base_url=sys.argv[2]).version[0])")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "pki"), BASE],
                              stdout=subprocess.PIPE, text=True) for _ in range(3)]
    generations = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(generations) == 1
    assert [p.name for p in (tmp_path / "pki" / "ca").iterdir()] == list(generations)


def test_corrupt_index(small):
    (small.directory / "index.json").write_text("{not json")
    with pytest.raises(InputError) as err:
        TestPKI.open(small.directory)
    assert err.value.code == "PKI_CORRUPT"
