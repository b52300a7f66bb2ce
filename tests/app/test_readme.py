"""The README's quick-start example runs as written against a real server."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from egov_sim.app.server import build_app
from egov_sim.core.settings import Settings
from egov_sim.core.testing import serve_in_thread
from tests.support import ROOT

README = ROOT / "README.md"


def test_quick_start_has_exactly_two_setup_commands():
    quick = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert blocks[0].strip() == "pip install . && egov-sim serve"
    assert blocks[1].strip() == "pip install -e '.[test]' && pytest"
    assert "pip install -e '.[test]' && pytest" in (README.parent / ".ci" / "run").read_text()


def test_echo_example_runs_as_written(tmp_path):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    block = re.search(r"```sh\n(curl .*?\nXML)\n```", README.read_text(encoding="utf-8"), re.S).group(1)
    app = build_app(Settings(home=tmp_path / "home", port=8080))
    with serve_in_thread(app) as url:
        out = subprocess.run(["bash", "-c", block.replace("http://127.0.0.1:8080", url)],
                             capture_output=True, text=True, timeout=30).stdout
    assert "<code>SCSS001</code>" in out and "<hello>сәлем</hello>" in out
