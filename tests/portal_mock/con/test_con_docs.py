"""docs/con.md: the curl walk-through runs as written against a live stack (with the real
РШЭП), and its tables say what the code does."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from egov_sim.portal_mock.con import inbox_provider, notices
from egov_sim.portal_mock.con.lookups import LookupRules
from egov_sim.portal_mock.con.operators import OFFICES, SEED_OPERATORS, SEED_PASSWORD
from tests.support import ROOT
from tests.support.con import Clock, Desk, live_con, next_monday_morning

DOC = ROOT / "docs" / "con.md"
TEXT = DOC.read_text(encoding="utf-8")


def _examples() -> list[tuple[str, str]]:
    return re.findall(r"<!-- con-example: (\S+) -->\n```sh\n(.*?)```", TEXT, re.S)


def _table(name: str) -> list[list[str]]:
    block = TEXT.split(f"<!-- con-table: {name} -->\n", 1)[1].split("\n\n", 1)[0]
    rows = [r for r in block.splitlines() if r.startswith("|")][2:]
    return [[c.strip() for c in r.strip("|").split("|")] for r in rows]


def _code(cell: str) -> str:
    return re.search(r"`([^`]+)`", cell).group(1)


def test_the_curl_walk_through_runs_as_written(tmp_path, con_pki):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    names = [n for n, _ in _examples()]
    assert names == ["login", "services", "application.json", "submit", "receipt", "refused",
                     "no-data", "provider", "issue"]
    with live_con(tmp_path / "home", con_pki, Clock(next_monday_morning()), real_rshep=True) as live:
        script = "set -euo pipefail\n" + "\n".join(body for _, body in _examples())
        script = script.replace("http://127.0.0.1:8080", live.url)
        script = script.replace("curl -s ", "curl -sS --fail-with-body ")
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        run = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                             timeout=60, env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        out = run.stdout
        assert "SIM_GUARDIAN_ALLOWANCE_PAVLODAR" in out
        assert "Құжаттарды қабылдау туралы қолхат" in out and "Расписка о приеме документов" in out
        assert "Расписка об отказе в приеме документов" in out
        assert "Свидетельство о рождении ребенка" in out  # a missing document, listed
        assert "Деректерді алу мүмкін еместігі туралы хабарлама" in out and "SIM001" in out
        assert '"status":"ISSUED"' in out.replace(" ", "")
        assert (tmp_path / "package.xml").read_bytes().startswith(b"<?xml")
        assert live.verifier().verify((tmp_path / "result.xml").read_bytes()).valid
        statuses = sorted(a["status"] for a in Desk(live).call("GET", "/applications").json()["items"])
        assert statuses == ["DATA_UNAVAILABLE", "ISSUED", "REFUSED_AT_INTAKE"]


def test_the_operator_table_is_the_seed():
    rows = _table("operators")
    assert [_code(r[0]) for r in rows] == [s.operator.login for s in SEED_OPERATORS]
    for row, seed in zip(rows, SEED_OPERATORS):
        op = seed.operator
        assert _code(row[1]) == op.office and OFFICES[op.office].name_ru.startswith(row[1].split("` ")[1])
        assert row[2].startswith(op.full_name) and f"`{op.iin}`" in row[2]
        assert seed.password == SEED_PASSWORD and f"`{SEED_PASSWORD}`" in TEXT


def test_the_notice_inbox_and_option_tables_match_the_code():
    assert tuple(_code(r[0]) for r in _table("notices")) == notices.KINDS
    codes = {_code(r[0]) for r in _table("inbox")}
    assert codes == {inbox_provider.BAD_PAYLOAD, inbox_provider.UNKNOWN_REQUEST,
                     inbox_provider.BAD_SIGNATURE, inbox_provider.WRONG_STATE, inbox_provider.FORBIDDEN}
    defaults = {f.name: f.default for f in dataclasses.fields(LookupRules)}
    assert {_code(r[0]): _code(r[1]) for r in _table("options")} == {
        k: str(v).lower() for k, v in defaults.items()}
