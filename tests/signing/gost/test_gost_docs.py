"""docs/signing.md's GOST examples run as written (from the repository root, as the page says)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support import ROOT

TEXT = (ROOT / "docs" / "signing.md").read_text(encoding="utf-8")
BLOCKS = {m["name"]: m["body"] for m in re.finditer(
    r"<!-- signing-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", TEXT, re.S)}


def test_the_gost_verify_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(BLOCKS["gost-verify"], "docs/signing.md:gost-verify", "exec"), {})


def test_the_gost_command_line_example_runs(tmp_path):
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the page's relative paths, outputs kept in tmp
    env = {**os.environ, "EGOV_SIM_HOME": str(tmp_path / "home"),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", BLOCKS["gost-cli"]], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("VALID (wsse") == 2 and "GOST 34.310-2004" in run.stdout
    assert "GOST 34.10-2015 512-bit" in run.stdout
