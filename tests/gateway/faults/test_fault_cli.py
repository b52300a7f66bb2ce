"""``egov-sim faults …`` on a small Typer app that mounts ``faults_app`` as the root CLI will."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from egov_sim.core.database import DATABASE_URL_ENV, Database, database_url
from egov_sim.core.errors import InputError
from egov_sim.core.settings import Settings
from egov_sim.gateway.fault_injection import FaultInjector
from tests.support.faults import make_app


@pytest.fixture
def cli(tmp_path, db_url, monkeypatch):
    """Run ``faults`` commands against a home directory, on every configured engine."""
    home = tmp_path / "home"
    if db_url.startswith("sqlite:"):
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, db_url)
    app, runner = make_app(), CliRunner()

    def run(*args: str):
        return runner.invoke(app, ["--home", str(home), "faults", *args], catch_exceptions=True)

    run.settings = Settings(home=home)
    return run


def test_add_list_remove_reset(cli):
    result = cli("add", "--service-id", "SIM_ECHO", "--latency-ms", "200")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "added fault rule 1: serviceId SIM_ECHO, sender any: latency 200 ms"
    result = cli("add", "--sender", "EGOV_SIM_TEST_CLIENT", "--fault-code", "SCE909",
                 "--fault-message", "Внутренняя ошибка", "--probability", "0.5", "--times", "3")
    assert result.exit_code == 0, result.output
    assert "sender EGOV_SIM_TEST_CLIENT, probability 0.5, 3/3 left" in result.output

    rules = json.loads(cli("list", "--json").output)
    assert [(r["id"], r["serviceId"], r["senderId"], r["source"]) for r in rules] == [
        (1, "SIM_ECHO", None, "cli"), (2, None, "EGOV_SIM_TEST_CLIENT", "cli")]
    assert rules[1]["faultMessage"] == "Внутренняя ошибка" and rules[1]["remaining"] == 3

    table = cli("list")
    assert table.exit_code == 0 and "SIM_ECHO" in table.output and "SCE909" in table.output

    assert cli("remove", "1").output.strip() == "removed fault rule 1"
    result = cli("remove", "1")
    assert isinstance(result.exception, InputError) and result.exception.code == "FAULT_RULE_NOT_FOUND"

    assert cli("reset").output.strip() == "removed 1 fault rules"
    empty = cli("list")
    assert empty.exit_code == 0 and "no fault rules" in empty.output


def test_add_every_kind_of_effect(cli):
    for args in (["--latency-ms-min", "50", "--latency-ms-max", "150"],
                 ["--timeout"],
                 ["--malformed", "truncated", "--latency-ms", "10"],
                 ["--fault-code", "PROV-500", "--fault-data", "upstream"]):
        result = cli("add", "--service-id", "SIM_ECHO", *args, "--json")
        assert result.exit_code == 0, result.output
    rules = json.loads(cli("list", "--json").output)
    assert [r["latencyMsMin"] for r in rules] == [50, None, None, None]
    assert [r["timeout"] for r in rules] == [False, True, False, False]
    assert [r["malformed"] for r in rules] == [None, None, "truncated", None]
    assert rules[3]["faultData"] == "upstream"


@pytest.mark.parametrize("args, words", [
    ([], "needs an effect"),
    (["--service-id", "SIM_ECHO"], "needs an effect"),
    (["--latency-ms", "5", "--latency-ms-min", "1", "--latency-ms-max", "9"], "'--latency-ms' excludes"),
    (["--latency-ms-min", "1"], "'--latency-ms-max' is required with '--latency-ms-min'"),
    (["--timeout", "--fault-code", "E"], "'--timeout' excludes '--fault-code'"),
    (["--malformed", "garbled"], "'--malformed' must be one of"),
    (["--fault-message", "m", "--latency-ms", "1"], "'--fault-message' needs '--fault-code'"),
    (["--timeout", "--times", "0"], "'--times' must be"),
    (["--timeout", "--probability", "2"], "'--probability' must be"),
])
def test_add_errors_name_the_option(cli, args, words):
    result = cli("add", *args)
    assert isinstance(result.exception, InputError), result.output
    assert words in str(result.exception)
    assert "\n" not in str(result.exception)


def test_a_rule_added_by_the_cli_reaches_a_running_injector(cli):
    with Database.open(database_url(cli.settings)) as db:
        injector = FaultInjector(db)
        assert injector.match("SIM_ECHO", "S") is None
        assert cli("add", "--service-id", "SIM_ECHO", "--fault-code", "SCE909").exit_code == 0
        assert injector.match("SIM_ECHO", "S").rule.fault_code == "SCE909"
        assert cli("reset").exit_code == 0
        assert injector.match("SIM_ECHO", "S") is None
