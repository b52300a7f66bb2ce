"""``egov-sim journal …`` on a small Typer app that mounts ``journal_app`` as the root CLI will."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Optional

import pytest
import typer
from typer.testing import CliRunner

from egov_sim.core.database import DATABASE_URL_ENV, Database, database_url
from egov_sim.core.errors import InputError
from egov_sim.core.settings import Settings
from egov_sim.gateway.journal import Exchange, Journal
from egov_sim.gateway.journal_cli import journal_app

T0 = dt.datetime(2024, 2, 5, 5, 15, tzinfo=dt.UTC)


def make_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def root(ctx: typer.Context,
             home: Optional[Path] = typer.Option(None, "--home")) -> None:
        ctx.obj = Settings(home=home) if home else ctx.obj

    app.add_typer(journal_app, name="journal")
    return app


@pytest.fixture
def cli(tmp_path, db_url, monkeypatch):
    """Run ``journal`` commands against a home directory, on every configured engine."""
    home = tmp_path / "home"
    if db_url.startswith("sqlite:"):
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, db_url)
    app, runner = make_app(), CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, ["--home", str(home), "journal", *args], input=input,
                             catch_exceptions=True)

    run.settings = Settings(home=home)
    return run


@pytest.fixture
def filled(cli):
    with Database.open(database_url(cli.settings)) as db:
        journal = Journal(db)
        for n, (service, sender, iin) in enumerate([
            ("GBDFL", "IIS_CON", "000000000000"),
            ("GBDFL", "PORTAL", "000000000000"),
            ("ENIS", "IIS_CON", "111111111111"),
        ]):
            journal.record(Exchange(
                received_at=T0 + dt.timedelta(minutes=n), service_id=service, sender_id=sender,
                message_id=f"m{n}", request_body=f"<iin>{iin}</iin>".encode(),
                response_body=b"\xffbinary" if service == "ENIS" else b"<ok/>",
                status_code="SCSS001", http_status=200, request_signature="valid",
                total_ms=4.0))
    return cli


def test_default_database_is_in_the_home_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    result = CliRunner().invoke(make_app(), ["--home", str(tmp_path / "h"), "journal", "list"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "h" / "egov-sim.db").exists()


def test_list_as_table_and_json(filled):
    result = filled("list")
    assert result.exit_code == 0, result.output
    assert "GBDFL" in result.output and "ENIS" in result.output
    result = filled("list", "--json", "--service-id", "GBDFL", "--sender", "PORTAL")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [i["messageId"] for i in items] == ["m1"]
    assert "requestBody" not in items[0]


def test_list_newest_first_with_limit_and_since(filled):
    items = json.loads(filled("list", "--json", "--limit", "2").output)
    assert [i["messageId"] for i in items] == ["m2", "m1"]
    items = json.loads(filled("list", "--json", "--since", "2024-02-05T10:16:00+05:00").output)
    assert [i["messageId"] for i in items] == ["m2", "m1"]


def test_list_rejects_a_bad_time(filled):
    result = filled("list", "--since", "last tuesday")
    assert isinstance(result.exception, InputError)
    assert result.exception.code == "BAD_TIME"


def test_show_with_and_without_bodies(filled):
    result = filled("show", "1")
    assert result.exit_code == 0, result.output
    assert "serviceId:" in result.output and "GBDFL" in result.output
    assert "<iin>" not in result.output
    result = filled("show", "3", "--bodies")
    assert "<iin>111111111111</iin>" in result.output
    assert "response body (base64)" in result.output
    assert base64.b64encode(b"\xffbinary").decode() in result.output


def test_show_unknown_id_is_an_input_error(filled):
    result = filled("show", "99")
    assert isinstance(result.exception, InputError)
    assert result.exception.code == "JOURNAL_NOT_FOUND"


def test_export_to_stdout_and_to_a_file(filled, tmp_path):
    result = filled("export", "--service-id", "GBDFL")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["messageId"] for x in lines] == ["m0", "m1"]
    assert lines[0]["requestBody"] == "<iin>000000000000</iin>"

    out = tmp_path / "out" / "journal.jsonl"
    result = filled("export", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [x["messageId"] for x in lines] == ["m0", "m1", "m2"]
    assert lines[2]["responseBodyEncoding"] == "base64"
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind


def test_check_passes_and_fails_with_the_counts(filled):
    result = filled("check", "--service-id", "GBDFL", "--iin", "000000000000", "--count", "2")
    assert result.exit_code == 0, result.output
    assert "ok: 2 calls" in result.output
    result = filled("check", "--service-id", "GBDFL", "--iin", "000000000000",
                    "--sender", "IIS_CON", "--count", "2")
    assert result.exit_code == 1
    assert "expected 2 calls, found 1" in result.output
    assert filled("check", "--service-id", "ENIS", "--count", "1").exit_code == 0


def test_check_rejects_a_malformed_iin(filled):
    result = filled("check", "--service-id", "GBDFL", "--iin", "123", "--count", "1")
    assert isinstance(result.exception, InputError)
    assert result.exception.code == "BAD_IIN"


def test_clear_needs_confirmation(filled):
    result = filled("clear", input="n\n")
    assert result.exit_code == 1
    assert len(json.loads(filled("list", "--json").output)) == 3
    result = filled("clear", "--yes")
    assert result.exit_code == 0
    assert "deleted 3 journal entries" in result.output
    assert json.loads(filled("list", "--json").output) == []


@pytest.mark.parametrize("columns", ["50", "80", "200"])
def test_list_never_splits_identifiers(filled, monkeypatch, columns):
    """Too narrow for the table, each entry is a block; identifiers and outcomes stay whole."""
    monkeypatch.setenv("COLUMNS", columns)
    result = filled("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line.rstrip()) <= int(columns) for line in lines)
    for word in ("GBDFL", "ENIS", "IIS_CON", "PORTAL", "SCSS001", "2024-02-05 05:17:00"):
        assert any(word in line for line in lines), (columns, word)
    table = any(line.startswith("┏") for line in lines)
    assert table == (columns != "50")
