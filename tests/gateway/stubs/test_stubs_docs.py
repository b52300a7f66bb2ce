"""docs/stubs.md runs as written: the walkthrough's files load, ``stubs check``/``stubs test``
print what the page shows, the served answer is the documented one, the near-miss report and
the error lines are the code's, and the scenario and admin examples behave as described."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import httpx
from lxml import etree

from egov_sim.core.clock import fixed_clock
from tests.support import DOCS
from tests.support.rshep import TEST_MONDAY
from tests.support.shep import request_info

from .conftest import live_gateway

TEXT = (DOCS / "stubs.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- stubs-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", re.S)
BLOCKS = {m["name"]: m["body"] for m in _BLOCK.finditer(TEXT)}
DOC_URL = "http://127.0.0.1:8080"


def test_every_named_example_is_found():
    assert set(BLOCKS) == {"gateway.toml", "debts.yaml", "debt.xml", "check", "check-output",
                           "request.xml", "test", "test-output", "curl", "response-data", "errors",
                           "near-miss", "scenario.yaml", "admin-curl", "inline.toml", "cert-issue",
                           "record.toml", "from-journal", "pytest"}


def _walkthrough(folder: Path) -> Path:
    (folder / "stubs" / "tax").mkdir(parents=True, exist_ok=True)
    (folder / "gateway.toml").write_text(BLOCKS["gateway.toml"], encoding="utf-8")
    (folder / "request.xml").write_text(BLOCKS["request.xml"], encoding="utf-8")
    (folder / "stubs" / "tax" / "debts.yaml").write_text(BLOCKS["debts.yaml"], encoding="utf-8")
    (folder / "stubs" / "tax" / "debt.xml").write_text(BLOCKS["debt.xml"], encoding="utf-8")
    return folder


def _commands(name: str) -> list[list[str]]:
    return [shlex.split(line) for line in BLOCKS[name].splitlines() if line.startswith("egov-sim ")]


def test_check_and_test_print_what_the_page_shows(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(_walkthrough(tmp_path))
    [check] = _commands("check")
    code, out, err = run_cli(*check[1:])
    assert code == 0, err
    assert out == BLOCKS["check-output"]
    [test] = _commands("test")
    code, out, err = run_cli(*test[1:])
    assert code == 0, err
    assert out.startswith(BLOCKS["test-output"])
    assert "<tax:receipt>R-1</tax:receipt>" in out


def _canonical(xml: str | bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    el = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, parser)
    return etree.tostring(el, method="c14n", exclusive=True)


def test_the_served_answer_the_near_miss_and_the_fault(tmp_path, stubs_pki):
    home = _walkthrough(tmp_path / "home")
    config = BLOCKS["gateway.toml"]
    with live_gateway(home, stubs_pki, config=config, clock=fixed_clock(TEST_MONDAY)) as gw:
        [curl] = [c for c in (shlex.split(line) for line in BLOCKS["curl"].splitlines()) if c[0] == "curl"]
        assert curl[-1] == f"{DOC_URL}/bip-sync-wss-gost/" and "@request.xml" in curl
        reply = gw.post((home / "request.xml").read_bytes(), style="php")
        assert reply.response_info["status"]["code"] == "SCSS001"
        assert _canonical(etree.tostring(reply.data)) == _canonical(BLOCKS["response-data"])
        assert gw.post((home / "request.xml").read_bytes(), style="php").data.findtext(
            "{http://tax.example.kz/debt/v1}debtResponse/{http://tax.example.kz/debt/v1}receipt") == "R-2"

        blocked = gw.post((home / "request.xml").read_bytes().replace(b"880314312347", b"000000000000"),
                          style="php")
        assert blocked.error["errorCode"] == "SCE012"
        assert blocked.error["subError"]["errorCode"] == "TAX-403"
        assert blocked.error["subError"]["errorData"] == "IIN 000000000000 is blocked"

        misspelt = (home / "request.xml").read_bytes().replace(b"t:iin>", b"t:iim>")
        miss = gw.post(misspelt, style="php").error["subError"]
        assert miss["errorCode"] == "STUB_NO_MATCH"
        assert miss["errorData"] == BLOCKS["near-miss"].strip()
        [entry] = [e for e in gw.journal.list() if e.error_code is None][:1]
        assert entry.provider == "stubs:stubs/tax"


def test_the_documented_error_lines(tmp_path, monkeypatch, run_cli):
    folder = _walkthrough(tmp_path)
    monkeypatch.chdir(folder)
    good = BLOCKS["debts.yaml"]
    broken = [good.replace("string(//tax:iin)", "string(//tx:iin)", 1),
              good.replace("<tax:iin>{{ xpath('//tax:iin') }}</tax:iin>", "<tax:iin>{{ xpath('//tax:iin') }</tax:iin>"),
              good.replace("priority: 2", "priority: two")]
    lines = []
    for text in broken:
        (folder / "stubs" / "tax" / "debts.yaml").write_text(text, encoding="utf-8")
        code, out, err = run_cli("stubs", "check", "--config", "gateway.toml")
        assert code == 2
        lines.append(err.strip())
    assert "\n".join(lines) == BLOCKS["errors"].strip()


def test_the_scenario_and_admin_examples(tmp_path, stubs_pki):
    stubs = tmp_path / "home" / "registry"
    stubs.mkdir(parents=True)
    (stubs / "scenario.yaml").write_text(BLOCKS["scenario.yaml"], encoding="utf-8")
    config = '[[services]]\nservice_id = "SIM_REGISTRY"\nprovider = "stubs:registry"\n'
    with live_gateway(tmp_path / "home", stubs_pki, config=config) as gw:
        def ask() -> str:
            return gw.send("jaxws", info=request_info(service_id="SIM_REGISTRY"),
                           data="<data><register/></data>").data.findtext("result")

        assert [ask(), ask(), ask()] == ["NOT_FOUND", "FOUND", "FOUND"]
        curls = [shlex.split(line) for line in BLOCKS["admin-curl"].splitlines()]
        for argv in curls:
            method, data, url = "GET", None, None
            args = iter(argv[1:])
            for arg in args:
                if arg == "-X":
                    method = next(args)
                elif arg == "-d":
                    data = next(args)
                elif arg == "-H":
                    next(args)
                elif arg.startswith("http"):
                    url = arg.replace(DOC_URL, gw.url)
            r = httpx.request(method, url, content=data, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, (argv, r.text)
            if method == "PUT":
                assert ask() == "FOUND"
        assert ask() == "NOT_FOUND"  # the last example reset every scenario


def test_inline_record_and_journal_examples(tmp_path, stubs_pki, run_cli):
    from egov_sim.gateway.config import parse_config

    record = parse_config(BLOCKS["record.toml"], source="gateway.toml", root=tmp_path)
    assert record.services["LAND_REGISTRY_SIM"].record == tmp_path / "stubs" / "land"
    with live_gateway(tmp_path / "home", stubs_pki, config=BLOCKS["inline.toml"],
                      clock=fixed_clock(TEST_MONDAY)) as gw:
        pong = gw.send("cxf", info=request_info(service_id="PING_SIM")).data
        assert pong.findtext("pong") == "2026-02-02T09:00:00.000+05:00"
        [command] = _commands("from-journal")
        code, out, err = run_cli("--home", gw.home, *command[1:4], tmp_path / "land", *command[5:])
        assert code == 0 and "wrote 0 stubs" in out, err  # nothing of that service journaled yet
        code, out, err = run_cli("--home", gw.home, "stubs", "from-journal", "--out", tmp_path / "ping",
                                 "--service-id", "PING_SIM")
        assert code == 0 and "wrote 1 stubs" in out, err


def test_a_certificate_issued_as_documented_signs_answers(tmp_path, stubs_pki, run_cli):
    home = tmp_path / "home"
    from tests.support.shep import seed_home

    seed_home(home, stubs_pki)
    [command] = _commands("cert-issue")
    assert "--name" in command and command[command.index("--name") + 1] == "doc-tax-service"
    code, out, err = run_cli("--home", home, *command[1:])
    assert code == 0, err
    (home / "signed").mkdir()
    (home / "signed" / "s.yaml").write_text("answer:\n  data: <ok/>\n  sign: doc-tax-service\n", encoding="utf-8")
    config = '[[services]]\nservice_id = "SIGNED_SIM"\nprovider = "stubs:signed"\n'
    with live_gateway(home, stubs_pki, config=config) as gw:
        data = gw.send("jaxws", info=request_info(service_id="SIGNED_SIM")).data
        assert data.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None


pytest_plugins = ["pytester"]


def test_the_pytest_example_runs_in_an_integrators_suite(pytester):
    pytester.makepyfile(test_integrator=BLOCKS["pytest"])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)
