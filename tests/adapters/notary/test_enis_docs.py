"""docs/enis.md runs as written: request.xml with curl, zeep, `egov-sim verify`, the CLI lines; the
documented response has the live one's shape; the persona, service and code tables are the code."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import typer
from lxml import etree
from typer.testing import CliRunner

from egov_sim.adapters.gbd_fl.registry import ensure_population
from egov_sim.adapters.notary import check
from egov_sim.adapters.notary.cli import enis_app
from egov_sim.adapters.notary.personas import POA_PERSONAS
from egov_sim.adapters.notary.provider import RESULTS
from egov_sim.adapters.notary.scope import SERVICES
from egov_sim.adapters.notary.seeding import ensure_powers_of_attorney
from egov_sim.app.cli import main
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.settings import Settings
from egov_sim.reference.personas import PERSONAS
from egov_sim.signing.verify import reroot
from egov_sim.wsdl.schemas import payload_validator
from tests.support import ROOT
from tests.support.registries import DS_NS, Reply

TEXT = (ROOT / "docs" / "enis.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- enis-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", re.S)
_TABLE = re.compile(r"<!-- enis-example: (?P<name>\S+) -->\s*\n(?P<table>(?:\|.*\n)+)")
BLOCKS = {m["name"]: m["body"] for m in _BLOCK.finditer(TEXT)}
TABLES = {m["name"]: m["table"] for m in _TABLE.finditer(TEXT)}
DOC_URL = "http://127.0.0.1:8080"


def _rows(name: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in TABLES[name].strip().splitlines()[2:]]


def _extract_script() -> str:
    """extract_data.py is shown once, on the ГБД ФЛ page."""
    page = (ROOT / "docs" / "gbd_fl_provider.md").read_text(encoding="utf-8")
    return re.search(r"<!-- gbdfl-example: extract -->\s*```python\n(.*?)```", page, re.S).group(1)


def test_every_named_example_is_found():
    assert set(BLOCKS) == {"request.xml", "curl", "zeep", "response", "verify", "cli"}
    assert set(TABLES) == {"personas", "services", "result-codes"}


def test_persona_table_is_the_code():
    rows = _rows("personas")
    assert len(rows) == len(POA_PERSONAS)
    for row, persona in zip(rows, POA_PERSONAS.values()):
        number, key, attorney, dates, services, expected = row
        assert (number, key, expected) == (f"`{persona.poa_number}`", f"`{persona.key}`",
                                           f"`{persona.expected_code}`")
        assert attorney == f"`{persona.attorney}`, `{PERSONAS[persona.attorney].iin}`"
        assert f"certified {persona.registered_days_ago} days before the anchor" in dates
        assert f"{persona.term_days // 365} year" in dates
        if persona.revoked_days_ago is not None:
            assert f"revoked {persona.revoked_days_ago} days before" in dates
        assert services == ", ".join(s.code for s in persona.services)
        assert persona.principal == "poa_principal"
    assert PERSONAS["poa_principal"].iin in TEXT and PERSONAS["poa_principal"].name in TEXT


def test_service_and_code_tables_are_the_code():
    assert [(r[0], r[1]) for r in _rows("services")] == [(f"`{s.code}`", s.name) for s in SERVICES]
    codes = [check.FOUND, check.NOT_FOUND, check.REVOKED, check.EXPIRED, check.PARTY_MISMATCH,
             check.SCOPE_MISMATCH, "ENIS090", "ENIS091"]
    assert [(r[0], r[1]) for r in _rows("result-codes")] == [(f"`{c}`", RESULTS[c][0]) for c in codes]


@pytest.fixture
def home(registries, tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(registries.pki.directory, home / "pki")
    monkeypatch.setenv("EGOV_SIM_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


def test_curl_and_verify_as_written(registries, home, tmp_path, capsys):
    (tmp_path / "request.xml").write_text(BLOCKS["request.xml"], encoding="utf-8")
    (tmp_path / "extract_data.py").write_text(_extract_script(), encoding="utf-8")
    if shutil.which("curl"):
        run = subprocess.run(["bash", "-c", BLOCKS["curl"].replace(DOC_URL, registries.url)],
                             cwd=tmp_path, capture_output=True, timeout=30)
        assert run.returncode == 0, run.stderr
    else:
        (tmp_path / "response.xml").write_bytes(
            registries.post((tmp_path / "request.xml").read_bytes()).content)
    assert Reply(200, (tmp_path / "response.xml").read_bytes()).result_code == "00000"
    for line in BLOCKS["verify"].strip().splitlines():
        if line.startswith("python "):
            run = subprocess.run([sys.executable, *line.split()[1:]], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
        else:
            with pytest.raises(SystemExit) as done:
                main(line.split()[1:])
            out = capsys.readouterr().out
            assert done.value.code == 0 and out.startswith("VALID (enveloped"), out
            assert "IIN 790903330023" in out and "BIN 110740031017" in out


def test_zeep_snippet_prints_what_the_page_says(registries):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS["zeep"].replace(DOC_URL, registries.url), "docs#zeep", "exec"), {})
    printed = [line.split("#")[1].strip() for line in BLOCKS["zeep"].splitlines()
               if line.startswith("print(")]
    assert out.getvalue().split() == printed


def test_documented_response_has_the_live_shape(registries):
    documented = etree.fromstring(BLOCKS["response"].encode("utf-8"))
    assert payload_validator("enis-response").validate(documented)
    live = reroot(registries.post(BLOCKS["request.xml"].encode("utf-8")).data).getroot()

    def shape(root: etree._Element) -> list[str]:
        tree = etree.ElementTree(root)
        return [tree.getpath(el) for el in root.iter()
                if isinstance(el.tag, str) and DS_NS not in el.tag]

    assert shape(documented) == shape(live)
    for path in ("requestId", "messageResult/code", "messageResult/nameRu",
                 "powerOfAttorney/poaNumber", "powerOfAttorney/notary/notarialDistrict",
                 "powerOfAttorney/principal/iin", "powerOfAttorney/principal/surname",
                 "powerOfAttorney/attorney/iin", "powerOfAttorney/attorney/birthDate",
                 "powerOfAttorney/status", "powerOfAttorney/scope/services/service/code"):
        assert documented.findtext(path) == live.findtext(path), path
    registered = dt.date.fromisoformat(live.findtext("powerOfAttorney/registrationDate"))
    valid_to = dt.date.fromisoformat(live.findtext("powerOfAttorney/validTo"))
    documented_term = (dt.date.fromisoformat(documented.findtext("powerOfAttorney/validTo"))
                       - dt.date.fromisoformat(documented.findtext("powerOfAttorney/registrationDate")))
    assert valid_to - registered == documented_term


def test_cli_lines_as_written(tmp_path, monkeypatch):
    """On a home of its own: the lines add and revoke records."""
    monkeypatch.delenv("EGOV_SIM_DATABASE_URL", raising=False)
    home = tmp_path / "home"
    with Database.open(sqlite_url(home / "egov-sim.db")) as db:
        ensure_powers_of_attorney(db, ensure_population(db, count=150, seed=1), count=20, seed=1)
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:  # what `egov-sim` does before mounting `enis`
        ctx.obj = Settings(home=home)

    app.add_typer(enis_app, name="enis")
    runner = CliRunner()
    outputs = []
    for line in BLOCKS["cli"].strip().splitlines():
        result = runner.invoke(app, shlex.split(line)[1:])
        assert result.exit_code == 0, (line, result.output, result.exception)
        outputs.append(result.output)
    assert "SIM-POA-000004" in outputs[0] and "anchor" in outputs[0]
    assert "REVOKED" in outputs[1]
    listed = json.loads(outputs[-1])
    mine = next(p for p in listed if p["number"] == "MY-POA-0001")
    assert (mine["revocationDate"], mine["status"]) == ("2025-12-31", "REVOKED")
    assert mine["principal"]["iin"] == PERSONAS["guardian"].iin
