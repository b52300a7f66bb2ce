"""docs/scenarios.md stays true: its example files load, and its generated tables (operations,
set-up, readings, coverage) are what the code and the shipped files say.

The tables sit between ``<!-- generated: NAME -->`` and ``<!-- end -->``; after a change, run
``python -m tests.scenarios.files.test_scen_docs`` to rewrite them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from egov_sim.scenarios.coverage import coverage, markdown_table
from egov_sim.scenarios.loader import load_all
from egov_sim.scenarios.operations import OPERATIONS
from egov_sim.scenarios.vocabulary import SETUP
from tests.support import ROOT

DOC = ROOT / "docs" / "scenarios.md"
EXAMPLES = Path(__file__).parent / "examples"
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end -->)", re.S)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def operations_table() -> str:
    rows = ["| Operation | System | Plays | What it does | Arguments |", "|---|---|---|---|---|"]
    for op in OPERATIONS.values():
        props = op.args.get("properties", {})
        required = set(op.args.get("required", ()))
        args = ", ".join(f"`{k}`" + ("" if k in required else "?") for k in props) or "—"
        rows.append(f"| `{op.name}` | {op.system} | {' or '.join(op.plays)} | {_cell(op.summary)} | {args} |")
    return "\n".join(rows) + "\n"


def setup_table() -> str:
    rows = ["| Set-up | Values | Makes fail | What it sets up |", "|---|---|---|---|"]
    for key, s in SETUP.items():
        schema = s.schema
        values = (", ".join(f"`{v}`" for v in schema["enum"]) if "enum" in schema else
                  "`true`" if schema.get("const") is True else
                  "text" if schema.get("type") == "string" else
                  "node → duration" if schema.get("type") == "object" else "code or list of codes"
                  if key == "missing_document" else "`true` or list of codes")
        rows.append(f"| `{key}` | {values} | {', '.join(s.falsifies) or '—'} | {_cell(s.doc)} |")
    return "\n".join(rows) + "\n"


def readings_table() -> str:
    flows, _ = load_all()
    rows = ["| Flow | Reading | How it is read | Why | Option | Default |", "|---|---|---|---|---|---|"]
    for flow in sorted(flows.values(), key=lambda f: f.id):
        for r in flow.readings:
            default = "—" if r.option is None else f"`{str(r.default).lower()}`"
            option = f"`{r.option}`" if r.option else "—"
            rows.append(f"| {flow.id} | {r.id} | {_cell(r.text)} | {_cell(r.reason)} | {option} | {default} |")
    return "\n".join(rows) + "\n"


def coverage_table() -> str:
    return markdown_table(coverage(*load_all()))


def example(name: str) -> str:
    return "```yaml\n" + (EXAMPLES / name).read_text(encoding="utf-8") + "```\n"


GENERATED = {
    "operations": operations_table,
    "setup": setup_table,
    "readings": readings_table,
    "coverage": coverage_table,
    "example-flow": lambda: example("002-example.yaml"),
    "example-scenarios": lambda: example("example-scenarios.yaml"),
}


def blocks(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_block_is_current(name):
    found = blocks(DOC.read_text(encoding="utf-8"))
    assert name in found, f"docs/scenarios.md has no '<!-- generated: {name} -->' block"
    assert found[name] == GENERATED[name](), (
        f"docs/scenarios.md block {name!r} is stale: run python -m tests.scenarios.files.test_scen_docs")


def test_the_documented_example_loads(tmp_path):
    found = blocks(DOC.read_text(encoding="utf-8"))
    flow_file = tmp_path / "002-example.yaml"
    scenario_file = tmp_path / "example-scenarios.yaml"
    for path, name in ((flow_file, "example-flow"), (scenario_file, "example-scenarios")):
        path.write_text(found[name].removeprefix("```yaml\n").removesuffix("```\n"), encoding="utf-8")
    flows, scenarios = load_all([flow_file, scenario_file])
    assert "002-example" in flows and [s.id for s in scenarios] == ["example-decision", "example-refusal"]


def test_the_example_timing_told_in_the_docs():
    import datetime as dt

    from egov_sim.core.clock import ALMATY
    from egov_sim.scenarios.timing import StepTimes, term_verdicts

    flows, scenarios = load_all([EXAMPLES])
    flow, sc = flows["002-example"], scenarios[0]
    clock = StepTimes(flow, sc, seed=0)
    t = dt.datetime.fromisoformat(sc.start)
    times, starts = {}, {}
    for entry in sc.expect.path:
        node = flow.node(entry.partition(":")[0])
        starts[node.id] = t
        end, _ = clock.step(node, t, starts)
        times[node.id], t = (starts[node.id], end), end
    assert times["A1"][1] == dt.datetime(2025, 6, 5, 17, 0, tzinfo=ALMATY)
    assert times["A3"][1] == dt.datetime(2025, 6, 16, 17, 0, tzinfo=ALMATY)
    (verdict,) = term_verdicts(flow, sc.expect.path, times, {})
    assert times["A4"][1] == verdict.due == dt.datetime(2025, 6, 17, 17, 0, tzinfo=ALMATY) and verdict.met
    assert verdict.allowed == "7 wd 30 min"
    assert "(cell A4, 1 wd) ends on\nTuesday 17 June at 17:00" in DOC.read_text(encoding="utf-8")


def rewrite() -> None:
    text = DOC.read_text(encoding="utf-8")
    text = _BLOCK.sub(lambda m: m.group(1) + GENERATED[m["name"]]() + m.group(4), text)
    DOC.write_text(text, encoding="utf-8")


def test_the_seed_001_scenarios_the_docs_name_exist():
    """The table of regulations-balkhash §20's ideas names shipped scenarios (and flows)."""
    flows, scenarios = load_all()
    ids = {s.id for s in scenarios}
    section = DOC.read_text(encoding="utf-8").split("## Seed 001: fifteen services", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(s\d\d-[a-z0-9-]+)`", section))
    assert len(named) > 100 and named <= ids, sorted(named - ids)
    assert set(re.findall(r"`(001-s\d\d-[a-z]+)`", section)) <= set(flows)


if __name__ == "__main__":
    rewrite()
