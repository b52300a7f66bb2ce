"""docs/portal.md runs as written: its shell examples, in order, against a live simulator with
the real РШЭП (only the address changes); its tables match the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from egov_sim.portal_mock.portal.notices import NOTICES
from egov_sim.portal_mock.portal.requests_store import STATUSES
from tests.support import ROOT
from tests.support.portal import live_portal

DOC = ROOT / "docs" / "portal.md"
BLOCK = re.compile(r"<!-- portal-example: ([\w.-]+) -->\n(```(\w*)\n(.*?)```|(\|.*?)\n\n)", re.S)


def _examples() -> dict[str, str]:
    out = {}
    for m in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        out[m.group(1)] = m.group(4) if m.group(4) is not None else m.group(5)
    return out


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.splitlines()[2:]]


def test_the_notices_table_is_the_code():
    rows = _rows(_examples()["notices-table"])
    assert {r[1].strip("`") for r in rows} == set(NOTICES)
    for checks, code, step, source, basis, ru in rows:
        n = NOTICES[code.strip("`")]
        assert (checks, step, source, basis, ru) == (", ".join(n.checks) or "—", n.step, n.source,
                                                     n.basis, n.text_ru)


def test_the_statuses_table_is_the_code():
    rows = _rows(_examples()["statuses-table"])
    assert [r[0].strip("`") for r in rows] == list(STATUSES)
    assert [r[1] for r in rows] == [f"{ru} / {kk}" for ru, kk in STATUSES.values()]


def test_the_curl_session_runs_as_written(tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    examples = _examples()
    shell = [name for name in examples if not name.endswith("-table")]
    assert shell == ["setup", "register", "refused-login", "catalogue", "draft", "sign", "submit",
                     "arm", "cabinet", "result", "refused-eds"]
    home = tmp_path / "home"
    with live_portal(home, real_rshep=True) as h:
        script = "set -euo pipefail\n" + "\n".join(examples[n] for n in shell)
        script = script.replace("BASE=http://127.0.0.1:8080", f"BASE={h.url}")
        work = tmp_path / "work"
        work.mkdir()
        env = {**os.environ, "EGOV_SIM_HOME": str(home),
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        done = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
    assert '"code":"AUTH_REFUSED"' in out
    assert "accepted ['SUBMITTED', 'EDS_CONFIRMED', 'SENT']" in out
    for action in ("register", "assign", "review", "draft", "sign", "issue"):
        assert f"{action} 200" in out
    assert "result_ready\n" in out and "result_ready P7 " in out
    assert "VALID (enveloped" in out
    assert '"code":"EDS_NOT_CONFIRMED"' in out and '"check":"K10"' in out
