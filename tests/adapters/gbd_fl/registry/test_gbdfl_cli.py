"""``egov-sim persons …`` on a small Typer app that mounts ``persons_app`` as the root CLI will."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest
import typer
from typer.testing import CliRunner

from egov_sim.adapters.gbd_fl.person_json import person_to_json
from egov_sim.adapters.gbd_fl.persons_cli import persons_app
from egov_sim.adapters.gbd_fl.registry import PersonRegistry
from egov_sim.core.database import DATABASE_URL_ENV, Database, database_url
from egov_sim.core.errors import InputError
from egov_sim.core.settings import Settings
from egov_sim.reference.personas import PERSONAS


def make_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def root(ctx: typer.Context, home: Optional[Path] = typer.Option(None, "--home")) -> None:
        ctx.obj = Settings(home=home) if home else ctx.obj

    app.add_typer(persons_app, name="persons")
    return app


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    home = tmp_path / "home"
    app, runner = make_app(), CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, ["--home", str(home), "persons", *args], input=input,
                             catch_exceptions=True)

    run.settings = Settings(home=home)
    return run


def registry_of(cli) -> PersonRegistry:
    return PersonRegistry(Database.open(database_url(cli.settings)))


def test_generate_then_refuse_then_replace(cli):
    result = cli("generate", "--count", "600", "--seed", "3", "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert "generated 600 persons (seed 3, as of 2026-01-01)" in result.output
    assert registry_of(cli).count() == 600 + len(PERSONAS) - 1
    again = cli("generate", "--count", "600")
    assert again.exit_code == 1 and isinstance(again.exception, InputError)
    assert again.exception.code == "REGISTRY_NOT_EMPTY"
    replaced = cli("generate", "--count", "300", "--replace", "--as-of", "2026-01-01")
    assert replaced.exit_code == 0, replaced.output
    assert registry_of(cli).count() == 300 + len(PERSONAS) - 1


def test_personas_table_and_json(cli):
    table = cli("personas")
    assert table.exit_code == 0 and "poa_agent_revoked" in table.output
    items = json.loads(cli("personas", "--json").output)
    assert {i["key"]: i["iin"] for i in items}["guardian"] == PERSONAS["guardian"].iin


def test_show_list_and_search(cli):
    cli("generate", "--count", "200", "--as-of", "2026-01-01")
    guardian = PERSONAS["guardian"]
    shown = cli("show", guardian.iin)
    assert shown.exit_code == 0 and "ЖУМАБАЕВА АЙГЕРИМ НУРЛАНОВНА" in shown.output
    assert "УДОСТОВЕРЕНИЕ" in shown.output or "002" in shown.output
    as_json = json.loads(cli("show", guardian.iin, "--json").output)
    assert as_json == person_to_json(guardian.person)
    missing = cli("show", PERSONAS["not_registered"].iin)
    assert missing.exit_code == 1 and missing.exception.code == "PERSON_NOT_FOUND"
    invalid = cli("show", "123")
    assert invalid.exception.code == "INVALID_IIN"
    found = json.loads(cli("list", "--surname", "Жумабаева", "--born", "1978-03-14", "--json").output)
    assert [p["iin"] for p in found] == [guardian.iin]
    by_document = json.loads(cli("list", "--document", guardian.person.documents[0].number, "--json").output)
    assert [p["iin"] for p in by_document] == [guardian.iin]
    browse = cli("list", "--limit", "5")
    assert browse.exit_code == 0 and "5 shown" in browse.output
    bad_date = cli("list", "--born", "1978-14-03")
    assert bad_date.exception.code == "BAD_PARAMETER"


def test_list_too_many_results(cli):
    registry = registry_of(cli)
    registry.put_many([PERSONAS[k].person for k in ("ward", "ward_teen", "deceased")])
    result = cli("list", "--surname", "СЕРИКОВА", "--limit", "1")
    assert result.exception.code == "TOO_MANY_RESULTS"


def test_add_with_options_and_refuse_duplicates(cli):
    iin = PERSONAS["not_registered"].iin
    result = cli("add", "--iin", iin, "--surname", "Новиков", "--name", "Павел", "--patronymic",
                 "Игоревич", "--district", "1909", "--street", "УЛ. АБАЯ", "--building", "3",
                 "--id-card", "055555555", "--id-issued", "2025-05-05")
    assert result.exit_code == 0, result.output
    person = registry_of(cli).get(iin)
    assert (person.surname, person.reg_address.region, person.reg_address.city) == ("НОВИКОВ", "19", "ТАЛГАР")
    assert person.documents[0].end_date.isoformat() == "2035-05-04"
    again = cli("add", "--iin", iin, "--surname", "X", "--name", "Y")
    assert again.exception.code == "PERSON_EXISTS"
    inconsistent = cli("add", "--iin", PERSONAS["guardian"].iin, "--surname", "X", "--name", "Y",
                       "--district", "9999")
    assert inconsistent.exception.code == "INVALID_PERSON"


def test_add_from_json_and_delete(cli, tmp_path):
    file = tmp_path / "p.json"
    file.write_text(json.dumps(person_to_json(PERSONAS["poa_agent"].person), ensure_ascii=False), "utf-8")
    assert cli("add", "--json", str(file)).exit_code == 0
    assert registry_of(cli).get(PERSONAS["poa_agent"].iin) == PERSONAS["poa_agent"].person
    assert cli("delete", PERSONAS["poa_agent"].iin).exit_code == 0
    assert cli("delete", PERSONAS["poa_agent"].iin).exception.code == "PERSON_NOT_FOUND"


def test_import_reports_bad_lines_and_imports_nothing(cli, tmp_path):
    good = [person_to_json(PERSONAS[k].person) for k in ("guardian", "ward", "ward_teen")]
    broken = dict(good[1], birthDate="2016-07-23")
    lines = [json.dumps(good[0], ensure_ascii=False), "", "{not json",
             json.dumps(broken, ensure_ascii=False), json.dumps(good[2], ensure_ascii=False)]
    file = tmp_path / "persons.jsonl"
    file.write_text("\n".join(lines) + "\n", "utf-8")
    result = cli("import", str(file))
    assert result.exit_code == 1 and result.exception.code == "BAD_IMPORT"
    assert "line 3: not JSON" in result.output
    assert "line 4: birthDate" in result.output
    assert registry_of(cli).count() == 0
    file.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in good) + "\n", "utf-8")
    ok = cli("import", str(file))
    assert ok.exit_code == 0 and "imported 3 persons" in ok.output
    registry = registry_of(cli)
    assert registry.get(PERSONAS["guardian"].iin).wards == (PERSONAS["ward"].iin, PERSONAS["ward_teen"].iin)
    stdin = cli("import", "-", input=json.dumps(good[0], ensure_ascii=False) + "\n")
    assert stdin.exit_code == 0 and "imported 1 persons" in stdin.output


def test_import_refuses_duplicate_iins(cli, tmp_path):
    line = json.dumps(person_to_json(PERSONAS["guardian"].person), ensure_ascii=False)
    file = tmp_path / "dup.jsonl"
    file.write_text(f"{line}\n{line}\n", "utf-8")
    result = cli("import", str(file))
    assert result.exception.code == "BAD_IMPORT" and "appears twice" in result.output
