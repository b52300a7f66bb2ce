"""docs/gbd_fl_provider.md runs as written: request.xml with curl, zeep, the extraction and
`egov-sim verify`; the documented response has the live one's shape; the code table is the code."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys

import pytest
from lxml import etree

from egov_sim.adapters.gbd_fl.provider import NAMES, ResultCodes
from egov_sim.app.cli import main
from egov_sim.signing.verify import reroot
from egov_sim.wsdl.schemas import payload_validator
from tests.support import ROOT
from tests.support.registries import DS_NS, Reply

DOC = ROOT / "docs" / "gbd_fl_provider.md"
TEXT = DOC.read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- gbdfl-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", re.S)
_TABLE = re.compile(r"<!-- gbdfl-example: (?P<name>\S+) -->\s*\n(?P<table>(?:\|.*\n)+)")
BLOCKS = {m["name"]: m["body"] for m in _BLOCK.finditer(TEXT)}
TABLES = {m["name"]: m["table"] for m in _TABLE.finditer(TEXT)}
DOC_URL = "http://127.0.0.1:8080"


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in table.strip().splitlines()[2:]]


def test_every_named_example_is_found():
    assert set(BLOCKS) == {"request.xml", "curl", "zeep", "response", "extract", "verify"}
    assert set(TABLES) == {"result-codes"}


def test_result_code_table_is_the_code():
    codes = ResultCodes()
    rows = _rows(TABLES["result-codes"])
    kinds = ["ok", "not_found", "invalid_iin", "empty_search", "too_many", "bad_request",
             "token_required"]
    assert [r[0] for r in rows] == [f"`{getattr(codes, k)}`" for k in kinds]
    assert [r[1] for r in rows] == [NAMES[k][0] for k in kinds]
    assert [r[3] for r in rows] == ["real"] + ["SYNTHETIC"] * (len(kinds) - 1)


@pytest.fixture
def home(registries, tmp_path, monkeypatch):
    """A simulator home holding the live gateway's PKI (the trust store `egov-sim verify` uses)."""
    home = tmp_path / "home"
    shutil.copytree(registries.pki.directory, home / "pki")
    monkeypatch.setenv("EGOV_SIM_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


def _egov_sim(line: str, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(line.split()[1:])
    captured = capsys.readouterr()
    return done.value.code, captured.out + captured.err


def test_curl_extract_and_verify_as_written(registries, home, tmp_path, capsys):
    (tmp_path / "request.xml").write_text(BLOCKS["request.xml"], encoding="utf-8")
    (tmp_path / "extract_data.py").write_text(BLOCKS["extract"], encoding="utf-8")
    if shutil.which("curl"):
        run = subprocess.run(["bash", "-c", BLOCKS["curl"].replace(DOC_URL, registries.url)],
                             cwd=tmp_path, capture_output=True, timeout=30)
        assert run.returncode == 0, run.stderr
    else:  # the same request without curl
        (tmp_path / "response.xml").write_bytes(
            registries.post((tmp_path / "request.xml").read_bytes()).content)
    reply = Reply(200, (tmp_path / "response.xml").read_bytes())
    assert reply.result_code == "00000"
    assert reply.data.findtext("persons/person/iin") == "560630302314"

    for line in BLOCKS["verify"].strip().splitlines():
        if line.startswith("python "):
            run = subprocess.run([sys.executable, *line.split()[1:]], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
        else:
            code, out = _egov_sim(line, capsys)
            assert code == 0 and out.startswith("VALID (enveloped"), out
            assert "IIN 760412420018" in out and "BIN 030440024016" in out

    data = (tmp_path / "data.xml").read_text(encoding="utf-8")
    (tmp_path / "data.xml").write_text(data.replace("<name>ТАЛГАТ</name>", "<name>ТАЛГАН</name>", 1),
                                       encoding="utf-8")
    code, out = _egov_sim("egov-sim verify data.xml", capsys)
    assert code == 1 and "INVALID" in out and "DIGEST_MISMATCH" in out


def test_zeep_snippet_prints_what_the_page_says(registries):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS["zeep"].replace(DOC_URL, registries.url), "docs#zeep", "exec"), {})
    printed = [line.split("#")[1].strip() for line in BLOCKS["zeep"].splitlines()
               if line.startswith("print(")]
    assert out.getvalue().split() == printed


def test_documented_response_has_the_live_shape(registries):
    documented = etree.fromstring(BLOCKS["response"].encode("utf-8"))
    schema = payload_validator("gbdfl-response")
    assert schema.validate(documented), schema.error_log
    live = reroot(registries.post(BLOCKS["request.xml"].encode("utf-8")).data).getroot()

    def shape(root: etree._Element) -> list[str]:
        tree = etree.ElementTree(root)
        return [tree.getpath(el) for el in root.iter()
                if isinstance(el.tag, str) and DS_NS not in el.tag]

    assert shape(documented) == shape(live)
    # the answer's identity and the persona's identity; other record values may be edited
    for path in ("requestId", "sender/code", "receiver/code", "messageResult/code",
                 "messageResult/nameRu", "persons/person/iin", "persons/person/surname",
                 "persons/person/name", "persons/person/patronymic", "persons/person/birthDate",
                 "persons/person/gender/code", "persons/person/lifeStatus/code"):
        assert documented.findtext(path) == live.findtext(path), path
