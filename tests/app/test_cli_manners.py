"""The manners of the ``egov-sim`` command: --version, shell completion, readable listings at 80
columns and in pipes, and a ``serve`` that refuses what it cannot do in one line (exit 2 for a bad
option, 3 when the machine refuses: a busy port, a data directory in use, a database that
cannot be written)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import types

import pytest
from rich.console import Console

from egov_sim.app.cli import main
from egov_sim.app.server import print_banner
from egov_sim.core.errors import STARTUP_EXIT_CODE
from egov_sim.core.home_lock import HomeLock
from egov_sim.core.settings import Settings

CLI = [sys.executable, "-c", "import sys; from egov_sim.app.cli import main; main(sys.argv[1:])"]


def egov_sim(*argv: str, columns: int = 80, env: dict | None = None, timeout: float = 120):
    """The real command in a child process, its output a pipe (not a terminal)."""
    environ = {**os.environ, "COLUMNS": str(columns), **(env or {})}
    environ.pop("FORCE_COLOR", None)
    return subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=timeout, env=environ)


def one_line_error(result) -> str:
    err = result.stderr
    assert err.startswith("egov-sim: error:") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert re.fullmatch(r"egov-sim \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_shell_completion():
    script = egov_sim("--show-completion", "bash")
    assert script.returncode == 0 and "_EGOV_SIM_COMPLETE" in script.stdout
    completed = egov_sim(env={"_EGOV_SIM_COMPLETE": "complete_bash", "COMP_WORDS": "egov-sim jou",
                              "COMP_CWORD": "1"})
    assert completed.returncode == 0 and completed.stdout.split() == ["journal"]
    assert "--install-completion" in egov_sim("--help").stdout


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_a_port_out_of_range_is_refused(tmp_path, port):
    result = egov_sim("--home", str(tmp_path / "home"), "serve", "--port", port)
    assert result.returncode == 2 and "--port" in one_line_error(result)
    assert not (tmp_path / "home").exists()  # refused before anything was started


def _holder() -> socket.socket:
    """A loopback port this test holds (so nobody else can take it meanwhile)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_busy_port_is_one_line_naming_port(tmp_path):
    with _holder() as busy:
        port = busy.getsockname()[1]
        result = egov_sim("--home", str(tmp_path / "home"), "serve", "--port", str(port))
    assert result.returncode == STARTUP_EXIT_CODE
    err = one_line_error(result)
    assert f"port {port}" in err and "already in use" in err and "--port" in err


def test_a_second_serve_on_the_same_home_is_refused(tmp_path):
    home = tmp_path / "home"
    with HomeLock(home).acquire(holder="pid 4242, http://127.0.0.1:8080"), _holder() as free:
        port = free.getsockname()[1]
        free.close()
        result = egov_sim("--home", str(home), "serve", "--port", str(port))
    assert result.returncode == STARTUP_EXIT_CODE
    err = one_line_error(result)
    assert "in use by another 'egov-sim serve' (pid 4242" in err and "--home" in err


def test_the_lock_is_released_with_its_holder(tmp_path):
    lock = HomeLock(tmp_path).acquire(holder="first")
    lock.release()
    with HomeLock(tmp_path).acquire(holder="second"):
        assert (tmp_path / "serve.lock").read_text() == "second"


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path):
    home = tmp_path / "home"
    (home / "egov-sim.db").mkdir(parents=True)  # the database file is a directory
    with _holder() as free:
        port = free.getsockname()[1]
        free.close()
        result = egov_sim("--home", str(home), "serve", "--port", str(port), "--population", "0",
                          env={"EGOV_SIM_DATABASE_URL": ""})
    assert result.returncode == STARTUP_EXIT_CODE
    assert f"the database {home / 'egov-sim.db'} cannot be opened" in one_line_error(result)


# --- readable at 80 columns and in pipes ------------------------------------------------------


def test_scenarios_list_keeps_identifiers_whole_at_80_columns():
    narrow = egov_sim("scenarios", "list", columns=80)
    assert narrow.returncode == 0, narrow.stderr
    wide = egov_sim("scenarios", "list", columns=250)
    ids = re.findall(r"^│ ([a-z0-9][a-z0-9-]+) +│", wide.stdout, re.M)
    assert len(ids) > 20  # the wide output is the table
    lines = narrow.stdout.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    for scenario in ids:
        assert scenario in lines, scenario  # each id whole, on a line of its own
    assert "path" in narrow.stdout and re.search(r"\b000-akim\.yaml:\d+", narrow.stdout)


def test_the_run_summary_keeps_result_and_wall_at_80_columns(tmp_path):
    result = egov_sim("run", "-k", "akim-extended-sampled", columns=80,
                      env={"EGOV_SIM_HOME": str(tmp_path / "home")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^PASS  akim-extended-sampled  000/akim  \d+\.\d\ds$", result.stdout, re.M)
    assert all(len(line.rstrip()) <= 80 for line in result.stdout.splitlines())
    assert "1 scenarios: 1 passed" in result.stdout


def test_the_banner_never_breaks_a_url():
    endpoints = [types.SimpleNamespace(name="SyncChannel WSDL", path="/wsdl/shep/SyncChannel/v10/"
                                       "Interfaces/SyncChannelHttp_Service.wsdl"),
                 types.SimpleNamespace(name="Admin API (journal)", path="/admin/journal")]
    settings = Settings(port=8080)
    app = types.SimpleNamespace(state=types.SimpleNamespace(
        endpoints=endpoints, pki=types.SimpleNamespace(base_url=settings.base_url)))
    for width in (60, 80, 200):
        out = io.StringIO()
        print_banner(Console(file=out, width=width, color_system=None), settings, app)
        lines = out.getvalue().splitlines()
        for ep in endpoints:
            assert any(line.strip().endswith(settings.base_url + ep.path) for line in lines), width
    assert "  Admin API (journal) http://127.0.0.1:8080/admin/journal" in lines  # wide: one line
