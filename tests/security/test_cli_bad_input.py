"""Bad input to every command that reads a file: one line on stderr, a non-zero exit, never a
traceback (the sweep of issue 16 item 6).

Each command that takes a file is run with each kind of bad file — bytes that are not UTF-8,
binary garbage, an empty file, a directory, a file that does not exist — in process through the
real entry point (``egov_sim.app.cli.main``), which re-raises anything unexpected: a traceback
fails the test. Two of them also run as a child process, the way a user meets them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from egov_sim.app.cli import main
from egov_sim.core.testing import free_port

NOT_UTF8 = b"\xff\xfe\x00\x81 caf\xe9 \xc3\x28 {\"iin\": \"\x9f\"}\n"
BINARY = bytes(range(256)) * 8
KINDS = ("not-utf8", "binary", "empty", "directory", "missing")


def bad_file(folder: Path, kind: str, suffix: str) -> Path:
    path = folder / f"bad-{kind}{suffix}"
    if kind == "not-utf8":
        path.write_bytes(NOT_UTF8)
    elif kind == "binary":
        path.write_bytes(BINARY)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    return path


def good_xml(folder: Path) -> Path:
    path = folder / "doc.xml"
    path.write_text("<doc><iin>880314312347</iin></doc>", encoding="utf-8")
    return path


# (name, suffix, argv with {bad}, {xml}, {dir}, {port} placeholders, and what is fine: True an empty
# file, "folder" an empty file or a folder (the command reads folders), None neither (serve would start))
COMMANDS = [
    ("serve --config", ".toml", ["serve", "--port", "{port}", "--population", "0", "--config", "{bad}"], None),
    ("persons import", ".jsonl", ["persons", "import", "{bad}"], True),
    ("persons add --from-json", ".json", ["persons", "add", "--from-json", "{bad}"], False),
    ("cert info", ".cer", ["cert", "info", "{bad}"], False),
    ("sign --p12", ".p12", ["sign", "{xml}", "--p12", "{bad}", "--password", "Qwerty12"], False),
    ("sign FILE", ".xml", ["sign", "{bad}", "--p12", "{bad}", "--password", "Qwerty12"], False),
    ("verify FILE", ".xml", ["verify", "{bad}"], False),
    ("verify --trust", ".pem", ["verify", "{xml}", "--trust", "{bad}"], False),
    ("verify --crl", ".crl", ["verify", "{xml}", "--crl", "{bad}"], False),
    ("stubs check", ".yaml", ["stubs", "check", "{bad}"], "folder"),
    ("stubs test", ".xml", ["stubs", "test", "{bad}", "--stubs", "{dir}"], False),
    ("stubs from-xsd", ".xsd", ["stubs", "from-xsd", "{bad}", "--out", "{dir}"], False),
    ("scenarios check", ".yaml", ["scenarios", "check", "{bad}"], "folder"),
    ("scenarios list", ".yaml", ["scenarios", "list", "{bad}"], "folder"),
    ("ncalayer --p12", ".p12", ["ncalayer", "--no-tls", "--port", "{port}", "--p12", "{bad}", "--password", "x"], False),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


def run_main(argv: list[str], home: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(home), *argv])
    return int(exit_.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, suffix, argv, empty_ok", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_answers_a_bad_file_in_one_line(tmp_path, home, capsys, kind, name, suffix, argv,
                                                      empty_ok):
    if kind == "empty" and empty_ok is None:
        pytest.skip("an empty config is a valid one: the server would start")
    bad = bad_file(tmp_path, kind, suffix)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    values = {"bad": str(bad), "xml": str(good_xml(tmp_path)), "dir": str(out_dir), "port": str(free_port())}
    code, err = run_main([part.format(**values) for part in argv], home, capsys)
    if code == 0 and ((kind == "empty" and empty_ok) or (kind == "directory" and empty_ok == "folder")):
        return  # an empty list of persons, stubs or scenarios is not an error
    assert code != 0, (name, kind, err)
    assert err.startswith("egov-sim: error:") and err.count("\n") == 1, (name, kind, err)
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["balkhash thresholds", "serve"])
def test_a_non_utf8_thresholds_file_in_the_home_is_one_line(tmp_path, capsys, name):
    home = tmp_path / "home"
    home.mkdir()
    (home / "balkhash-thresholds.toml").write_bytes(NOT_UTF8)
    argv = ["balkhash", "thresholds"] if name == "balkhash thresholds" else \
        ["serve", "--port", str(free_port()), "--population", "0"]
    code, err = run_main(argv, home, capsys)
    assert code != 0 and err.startswith("egov-sim: error:") and err.count("\n") == 1, err


def test_a_damaged_pki_index_is_one_line(tmp_path, capsys):
    home = tmp_path / "home"
    (home / "pki").mkdir(parents=True)
    (home / "pki" / "index.json").write_bytes(NOT_UTF8)
    code, err = run_main(["pki", "list"], home, capsys)
    assert code != 0 and err.startswith("egov-sim: error:") and err.count("\n") == 1, err


@pytest.mark.parametrize("argv, suffix", [(["persons", "import"], ".jsonl"), (["serve", "--config"], ".toml")],
                         ids=["persons-import", "serve-config"])
def test_the_real_command_says_one_line(tmp_path, argv, suffix):
    """As a user meets it: a child process, exit code 2, one line, no traceback."""
    bad = bad_file(tmp_path, "not-utf8", suffix)
    extra = ["--port", str(free_port()), "--population", "0"] if argv[0] == "serve" else []
    result = subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(tmp_path / "home"), *argv[:1],
                             *extra, *argv[1:], str(bad)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "80"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("egov-sim: error:") and result.stderr.count("\n") == 1, result.stderr
    assert "UTF-8" in result.stderr
