"""docs/balkhash.md: the curl walk-through runs as written against a live stack, and its tables
say what the code does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from egov_sim.adapters.social.cli import balkhash_app
from egov_sim.adapters.social.thresholds import DEFAULTS
from egov_sim.core.clock import ALMATY
from egov_sim.portal_mock.balkhash.con.staff import STAFF as CON_STAFF
from egov_sim.portal_mock.balkhash.department import chains
from egov_sim.portal_mock.balkhash.department.staff import STAFF as UO_STAFF
from egov_sim.reference.balkhash_services import SERVICES, Readings
from egov_sim.reference.personas import PERSONAS
from tests.support import ROOT
from tests.support.balkhash import Clock, live_balkhash

DOC = ROOT / "docs" / "balkhash.md"
TEXT = DOC.read_text(encoding="utf-8")


def _examples() -> list[tuple[str, str]]:
    return re.findall(r"<!-- balkhash-example: (\S+) -->\n```(?:sh)?\n(.*?)```", TEXT, re.S)


def _table(name: str) -> list[list[str]]:
    block = TEXT.split(f"<!-- balkhash-table: {name} -->\n", 1)[1].split("\n\n", 1)[0]
    rows = [r for r in block.splitlines() if r.startswith("|")][2:]
    return [[c.strip() for c in r.strip("|").split("|")] for r in rows]


def _code(cell: str) -> str:
    return re.search(r"`([^`]+)`", cell).group(1)


def test_the_curl_walk_through_runs_as_written(tmp_path, balkhash_pki):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    examples = dict(_examples())
    assert list(examples) == ["login", "certificate-refused", "registration", "con-intake", "uo-chain",
                              "uo-history", "con-issue", "registers"]
    clock = Clock(dt.datetime(2026, 2, 2, 10, 0, tzinfo=ALMATY))  # a Monday, during the office's hours
    with live_balkhash(tmp_path / "home", balkhash_pki, clock) as live:
        script = "set -euo pipefail\n" + "\n".join(body for name, body in _examples() if name != "uo-history")
        script = script.replace("http://127.0.0.1:8080", live.url)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        run = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                             env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        lines = run.stdout.splitlines()
    assert lines[0] == "INELIGIBLE ['NOT_REGISTERED_UNEMPLOYED']"
    assert re.fullmatch(r"COMPLETED \['BLH-OTK-2026-\d{6}'\]", lines[1])
    assert re.fullmatch(r"COMPLETED BLH-KPU-2026-\d{6}", lines[2])
    assert re.fullmatch(r"A-001 30", lines[3])
    assert lines[4] == "IN_ACCUMULATION"
    assert lines[5:13] == ["None None", "IN_PROGRESS survey", "IN_PROGRESS accept_conclusion",
                           "IN_PROGRESS draft", "IN_PROGRESS visa", "IN_PROGRESS decide", "IN_PROGRESS dispatch", "SENT"]
    history = examples["uo-history"].strip().splitlines()
    assert lines[13:13 + len(history)] == history
    rest = lines[13 + len(history):]
    assert rest[:2] == ["AT_ISSUING grant", "ISSUED"]
    assert rest[2] == "[(6, 'ACTIVE', '8650.00')]"  # 2 children × 1 МРП (4325) in 2026
    assert rest[3] == "4 25000.00"
    certificate = (tmp_path / "certificate.html").read_text(encoding="utf-8")
    assert "Справка о регистрации в качестве безработного" in certificate
    receipt = (tmp_path / "receipt.html").read_text(encoding="utf-8")
    assert "Расписка о приеме соответствующих документов" in receipt and "2026-02-17" in receipt


def test_the_staff_tables_are_the_code():
    rows = _table("uo-staff")
    assert [_code(r[0]) for r in rows] == list(UO_STAFF)
    for row in rows:
        m = UO_STAFF[_code(row[0])]
        assert (row[1], _code(row[2]), row[3], row[4], _code(row[5])) == (m.role, m.office, m.unit, m.full_name, m.iin)
    rows = _table("con-staff")
    assert [_code(r[0]) for r in rows] == list(CON_STAFF)
    for row in rows:
        e = CON_STAFF[_code(row[0])]
        assert (row[1], row[2], row[3], _code(row[4])) == (e.role, str(e.window or "—"), e.full_name, e.iin)


def test_the_chains_table_is_the_code():
    expected = []
    for s in SERVICES.values():
        for c in s.channels:
            steps = " → ".join(f"`{st.verb}` {st.role}" + (f" ({st.term})" if st.term else "")
                               for st in chains.chain(s.number, c))
            expected.append([str(s.number), f"`{c}`", steps])
    assert _table("chains") == expected


def test_the_thresholds_readings_personas_and_cli_tables():
    assert [[str(t.year), str(t.mrp), str(t.subsistence_minimum), str(t.food_basket), str(t.poverty_line),
             str(t.housing_share), str(t.child_benefit_mrp), str(t.home_education_mrp),
             f"{t.pension_age_men}/{t.pension_age_women}"] for t in DEFAULTS.values()] == _table("thresholds")
    readings = {f.name: f.default for f in dataclasses.fields(Readings)}
    rows = _table("readings")
    assert [_code(r[0]) for r in rows] == list(readings)
    for row in rows[:-1]:
        default = readings[_code(row[0])]
        assert _code(row[1]) == (str(default).lower() if isinstance(default, bool) else default)
    assert [_code(r[0]) for r in _table("personas")] == [k for k in PERSONAS if k.startswith("blh_")]
    documented = [_code(r[0]).split()[2] for r in _table("cli")]
    assert documented == [c.name for c in balkhash_app.registered_commands]
