"""docs/engine.md: its Python example runs as written, and the tables name what exists."""

from __future__ import annotations

import re

import pytest

from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.scenarios.simulator import SWITCHES
from tests.support import ROOT

DOC = (ROOT / "docs" / "engine.md").read_text(encoding="utf-8")


def test_the_python_example_runs(monkeypatch, capsys):
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    code = re.search(r"## From Python\n\n```python\n(.*?)```", DOC, re.S).group(1)
    exec(compile(code, "docs/engine.md", "exec"), {})
    assert "4 scenarios: 4 passed" in capsys.readouterr().out  # the four office- scenarios


@pytest.mark.parametrize("option", sorted(SWITCHES))
def test_every_switch_is_documented(option):
    assert f"`{option}`" in DOC


def test_every_module_is_documented():
    root = ROOT / "scenarios"
    for name in ("engine", "setup", "simulator", "timing", "messages", "cli", "pytest_items"):
        assert (root / f"{name}.py").exists() and f"`scenarios/{name}.py`" in DOC
