"""``egov-sim serve`` on storage that refuses writes, at first start (issue 16, defect 6): a
read-only file system, a full disk, a read-only database file. Each is one line that names the
path and the cause, exit code 3, never a traceback.

The tests run as root, so file modes stop nothing: they mount what refuses for real — a small
tmpfs mounted read-only or of a tiny size, a database file bind-mounted read-only. Where the
machine does not let the test mount (no root, no CAP_SYS_ADMIN, no ``mount``), they skip and say
why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from egov_sim.core.database import open_failure
from egov_sim.core.errors import STARTUP_EXIT_CODE
from egov_sim.core.testing import free_port


def _mount(*argv: str) -> None:
    if shutil.which("mount") is None:
        pytest.skip("no mount command on this machine")
    result = subprocess.run(["mount", *argv], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.skip(f"mounting is not permitted here: {(result.stderr.strip() or str(result.returncode)).splitlines()[0]}")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30)


@contextlib.contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    """A tmpfs at ``where`` with mount ``options`` (``ro``, ``size=64k``), unmounted after."""
    where.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where))
    try:
        yield where
    finally:
        _umount(where)


@contextlib.contextmanager
def read_only_file(path: Path) -> Iterator[Path]:
    """``path`` itself bind-mounted read-only: its folder stays writable."""
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield path
    finally:
        _umount(path)


def serve(home: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "EGOV_SIM_DATABASE_URL"} | (env or {})
    return subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(home), "serve", "--port", str(free_port()),
                           "--population", "0", *extra], capture_output=True, text=True, timeout=180,
                          env={**environ, "COLUMNS": "80"})


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == STARTUP_EXIT_CODE, result.stderr[-3000:]
    err = result.stderr
    assert err.startswith("egov-sim: error:") and err.count("\n") == 1, err[-3000:]
    assert "Traceback" not in err
    return err


def test_a_home_on_a_read_only_file_system(tmp_path):
    with tmpfs(tmp_path / "ro", "size=64k", "ro") as home:
        err = one_line(serve(home))
    assert str(home) in err and "Read-only file system" in err


@pytest.mark.parametrize("size", ["16k", "128k", "512k"])
def test_a_home_on_a_full_disk(tmp_path, size):
    """Sizes that run out at different steps: the lock file, the schema, the PKI and seed data."""
    with tmpfs(tmp_path / "full", f"size={size}") as home:
        err = one_line(serve(home))
    assert str(home) in err
    assert "No space left on device" in err or f"no space left on the device of {home}" in err, err


def test_a_full_disk_with_two_workers(tmp_path):
    with tmpfs(tmp_path / "full", "size=128k") as home:
        err = one_line(serve(home, "--workers", "2"))
    assert f"the database {home / 'egov-sim.db'}" in err and "no space left" in err


def test_a_database_url_on_a_read_only_file_system(tmp_path):
    with tmpfs(tmp_path / "ro", "size=64k", "ro") as folder:
        database = folder / "sim.db"
        err = one_line(serve(tmp_path / "home", env={"EGOV_SIM_DATABASE_URL": f"sqlite:///{database}"}))
    assert f"the database {database} cannot be opened or written" in err
    assert f"the file system of {folder} is read-only" in err


def test_a_read_only_database_file_in_a_writable_home(tmp_path):
    home = tmp_path / "home"
    created = subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(home), "persons", "list"],
                             capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    database = home / "egov-sim.db"
    with read_only_file(database):
        err = one_line(serve(home))
    assert f"the database {database}" in err and "Read-only file system" in err


def test_a_postgresql_url_is_named_without_its_password():
    line = open_failure("postgresql://sim:s3cret@db.example/egov", ConnectionError("connection refused"))
    assert line == "the database postgresql://sim:***@db.example/egov cannot be opened or written: connection refused"
