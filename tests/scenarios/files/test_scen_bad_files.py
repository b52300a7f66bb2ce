"""A corpus of broken flow and scenario files: each is refused with its file, the right line
and a message that says what is wrong.

Every file in bad/ starts with ``# expect: <message part>`` and marks the line the error must
name with ``# <--``. Scenario files are checked against the shipped flows plus the example flow
of docs/scenarios.md (tests/scenarios/files/examples/002-example.yaml).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_sim.core.errors import InputError
from egov_sim.scenarios.loader import ScenarioFileError, load_all
from tests.support.engine import hide_the_term_file_of_001

HERE = Path(__file__).parent
EXAMPLE_FLOW = HERE / "examples" / "002-example.yaml"
BAD = sorted((HERE / "bad").rglob("*.yaml"))


def expectation(path: Path) -> tuple[str, int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    marked = [i + 1 for i, line in enumerate(lines) if line.rstrip().endswith("# <--")]
    assert len(marked) == 1, f"{path.name}: mark exactly one line with '# <--'"
    return lines[0][len("# expect: "):], marked[0]


@pytest.mark.parametrize("path", BAD, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_bad_file_is_reported_with_its_line_and_what_is_wrong(path, monkeypatch):
    what, line = expectation(path)
    given = [path] if path.parent.name == "flows" else [EXAMPLE_FLOW, path]
    if path.parent.name == "flows":
        hide_the_term_file_of_001(monkeypatch)
    with pytest.raises(ScenarioFileError) as caught:
        load_all(given)
    err = caught.value
    assert isinstance(err, InputError) and err.code == "SCENARIO_FILE"
    assert err.file == str(path)
    assert what in err.what, str(err)
    assert err.line == line, str(err)
    assert str(err) == f"{path}:{line}: {err.what}" and "\n" not in str(err)


def test_the_corpus_is_large():
    assert len([p for p in BAD if p.parent.name == "flows"]) >= 25
    assert len([p for p in BAD if p.parent.name == "scenario_files"]) >= 25


def test_a_missing_file_is_reported():
    with pytest.raises(ScenarioFileError, match="no such file"):
        load_all([HERE / "bad" / "nothing-here.yaml"])
