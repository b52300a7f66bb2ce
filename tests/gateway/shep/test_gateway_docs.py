"""docs/gateway.md runs as written: the config example loads, the request, curl, zeep and CLI
examples give what the page says, and its tables match the code.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import shutil
import subprocess

import pytest
from lxml import etree

from egov_sim.app.cli import main
from egov_sim.app.server import builtin_config
from egov_sim.core.testing import free_port
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.errors import KINDS
from tests.support import ROOT
from tests.support.shep import SYNC, Reply, live_gateway, request_info, validate

DOC = ROOT / "docs" / "gateway.md"
TEXT = DOC.read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- gateway-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", re.S)
_TABLE = re.compile(r"<!-- gateway-example: (?P<name>\S+) -->\s*\n(?P<table>(?:\|.*\n)+)")
BLOCKS = {m["name"]: m["body"] for m in _BLOCK.finditer(TEXT)}
TABLES = {m["name"]: m["table"] for m in _TABLE.finditer(TEXT)}
DOC_URL = "http://127.0.0.1:8080"


def _rows(table: str) -> list[list[str]]:
    lines = table.strip().splitlines()[2:]  # header and separator
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]


def test_every_named_example_is_found():
    assert set(BLOCKS) == {"request.xml", "curl", "response", "zeep", "gateway.toml", "config-errors",
                           "journal-cli", "admin-curl"}
    assert set(TABLES) == {"participants", "error-codes"}


def test_error_code_table_is_the_code():
    expected = [[f"`{k.code}`", k.message, k.trigger, f"`{k.faultcode}`",
                 "SYNTHETIC" if k.synthetic else "real"] for k in KINDS.values()]
    rendered = "\n".join("| " + " | ".join(r) + " |" for r in expected)
    assert _rows(TABLES["error-codes"]) == expected, f"docs/gateway.md error table should be:\n{rendered}"


def test_participant_table_is_the_code():
    expected = [[f"`{p.sender_id}`", f"`{p.password}`", f"`{p.wsse}`", p.description]
                for p in builtin_config().participants.values()]
    assert sorted(_rows(TABLES["participants"])) == sorted(expected)


def test_config_example_parses_and_serves(tmp_path_factory, gw_pki):
    config = parse_config(BLOCKS["gateway.toml"], source="docs/gateway.md", base=builtin_config())
    assert config.participants["MY_IS"].wsse == "required"
    assert config.participants["MY_LEGACY_IS"].wsse == "off"
    assert config.services["MY_PROVIDER_SERVICE"].allowed_senders == {"MY_IS", "EGOV_SIM_TEST_CLIENT"}
    assert config.services["MY_REGIONAL_SERVICE"].route_required
    assert "R_Pavlodar" in config.routes and config.limits.max_depth == 64
    assert "EGOV_SIM_TEST_CLIENT" in config.participants  # the built-ins stay
    with live_gateway(tmp_path_factory.mktemp("doc-config"), gw_pki, config=BLOCKS["gateway.toml"]) as live:
        assert live.send(info=request_info(service_id="MY_REGIONAL_SERVICE", route_id="R_Pavlodar")).status == 200
        renamed = live.send(info=request_info(sender=("MY_LEGACY_IS", "wrong")))
        assert renamed.error["errorCode"] == "SCE001"  # [error_codes] SCE008 = "SCE001"


def test_config_error_lines(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = {
        "participants[0]": '[[participants]]\nsender_id = "MY_IS"\nwsse = "yes"\n',
        "services[1]": ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\n\n'
                        '[[services]]\nservice_id = "B"\nprovider = "builtin:echo"\ntimout = 5\n'),
        "Expected '='": '[[services]]\nservice_id = "A"\ntimeout 5\n',
    }
    lines = BLOCKS["config-errors"].strip().splitlines()
    for key, config in bad.items():
        (tmp_path / "gateway.toml").write_text(config, encoding="utf-8")
        with pytest.raises(SystemExit) as done:
            # a free port: the default 8080 may be taken on the machine, which is exit 3
            main(["--home", str(tmp_path / "home"), "serve", "--port", str(free_port()), "--config", "gateway.toml"])
        err = capsys.readouterr().err
        assert done.value.code == 2
        assert err.strip() in lines and key in err, err


@pytest.fixture(scope="module")
def doc_server(tmp_path_factory, gw_pki):
    home = tmp_path_factory.mktemp("doc-home")
    with live_gateway(home, gw_pki) as live:
        yield live


def _port(text: str, live) -> str:
    return text.replace(DOC_URL, live.url)


def test_request_xml_with_curl_as_written(doc_server, tmp_path, monkeypatch):
    (tmp_path / "request.xml").write_text(BLOCKS["request.xml"], encoding="utf-8")
    curl = shutil.which("curl")
    if curl:
        run = subprocess.run(shlex.split(_port(BLOCKS["curl"], doc_server)), cwd=tmp_path,
                             capture_output=True, timeout=30)
        assert run.returncode == 0, run.stderr
        content = run.stdout
    else:  # the same request without curl
        content = doc_server.http.post(doc_server.endpoint, content=(tmp_path / "request.xml").read_bytes(),
                                       headers={"Content-Type": "text/xml"}).content
    reply = Reply(200, content, {})
    validate(reply.body_child)
    assert reply.response_info["correlationId"] == "5b0e5c0e-8f34-4b5e-9f0a-2f6f3a1d7c11"

    documented = etree.fromstring(BLOCKS["response"].encode())
    validate(documented.find(f".//{{{SYNC}}}SendMessageResponse"))

    def shape(root):
        tree = root.getroottree()
        return [tree.getpath(el) for el in root.iter() if isinstance(el.tag, str)]

    assert shape(reply.root) == shape(documented)
    c14n = lambda el: etree.tostring(el, method="c14n", exclusive=True)  # noqa: E731
    assert c14n(reply.data) == c14n(documented.find(".//responseData/data"))


@pytest.fixture(scope="module")
def after_one_request(tmp_path_factory, gw_pki):
    """A fresh simulator that has served request.xml once, as after the curl example."""
    with live_gateway(tmp_path_factory.mktemp("doc-cli-home"), gw_pki) as live:
        assert live.post(BLOCKS["request.xml"].encode()).status == 200
        yield live


def test_journal_cli_and_admin_curl_as_written(after_one_request, tmp_path, monkeypatch, capsys):
    doc_server = after_one_request
    monkeypatch.setenv("EGOV_SIM_HOME", str(doc_server.home))
    monkeypatch.chdir(tmp_path)
    lines = BLOCKS["journal-cli"].strip().splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("$ egov-sim "):
            continue
        with pytest.raises(SystemExit) as done:
            main(shlex.split(line)[2:])
        out = capsys.readouterr().out
        assert done.value.code == 0, (line, out)
        expected = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith("$") else None
        if expected is not None:
            assert out.strip() == expected
    assert (tmp_path / "journal.jsonl").read_text(encoding="utf-8").count("\n") == 1

    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    run = subprocess.run(shlex.split(_port(BLOCKS["admin-curl"], doc_server)), capture_output=True, timeout=30)
    assert json.loads(run.stdout) == {"serviceId": "SIM_ECHO", "found": 1, "expected": 1, "ok": True}


def test_zeep_example_prints_what_the_page_says(doc_server):
    end = TEXT.index(BLOCKS["zeep"]) + len(BLOCKS["zeep"])
    printed = re.search(r"```text\n(.*?)```", TEXT[end:], re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_port(BLOCKS["zeep"], doc_server), "docs/gateway.md#zeep", "exec"), {})
    assert out.getvalue() == printed
