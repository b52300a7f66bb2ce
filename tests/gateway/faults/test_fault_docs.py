"""Every example in docs/faults.md runs as written, so the documentation cannot drift."""

from __future__ import annotations

import re
import shlex
import warnings

from starlette.applications import Starlette
from starlette.routing import Mount
from typer.testing import CliRunner

from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.fault_api import routes
from egov_sim.gateway.fault_injection import MALFORMED_KINDS
from tests.support import ROOT
from tests.support.faults import make_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

DOC = ROOT / "docs" / "faults.md"
TEXT = DOC.read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", TEXT, re.S)


def _commands(prefix: str) -> list[list[str]]:
    return [shlex.split(line) for block in _blocks("sh") for line in block.splitlines()
            if line.startswith(prefix)]


def test_every_malformed_kind_is_documented():
    for kind in MALFORMED_KINDS:
        assert f"| `{kind}` |" in TEXT


def test_the_toml_examples_load(injector):
    config = parse_config("\n".join(_blocks("toml")), source="docs/faults.md")
    assert config.services["SIM_SLOW"].timeout == 0.5
    rules = injector.load_config(config.fault_rules)
    assert len(rules) == 4 and all(r.source == "config" for r in rules)
    assert injector.match("SIM_SLOW", "X").rule.timeout is True


def test_the_cli_examples_run_as_written(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    commands = _commands("egov-sim ")
    assert len(commands) >= 8
    app, runner = make_app(), CliRunner()
    for argv in commands:
        assert argv[:3] == ["egov-sim", "--home", "/tmp/demo"], argv
        result = runner.invoke(app, ["--home", str(tmp_path / "demo"), *argv[3:]])
        assert result.exit_code == 0, (argv, result.output, result.exception)


def test_the_curl_examples_run_as_written(injector):
    client = TestClient(Starlette(routes=[Mount("/admin", routes=routes(injector))]))
    commands = _commands("curl ")
    assert len(commands) >= 6
    for argv in commands:
        method, url, data, headers = "GET", None, None, {}
        args = iter(argv[1:])
        for arg in args:
            if arg == "-X":
                method = next(args)
            elif arg == "-d":
                data = next(args)
            elif arg == "-H":
                name, _, value = next(args).partition(": ")
                headers[name] = value
            elif arg.startswith("http"):
                url = arg
            else:
                assert arg == "-s", argv
        assert url.startswith("http://127.0.0.1:8080/admin/faults"), argv
        r = client.request(method, url.removeprefix("http://127.0.0.1:8080"), content=data,
                           headers=headers)
        assert r.status_code in (200, 201), (argv, r.text)
    assert injector.list() == []  # the examples end with a reset
