"""Which branches of which diagrams the scenarios take: the catalogue's completeness, measured.

QA plays each regulation's conditions both ways; a condition whose "no" no scenario takes is a
refusal path nobody has seen work. This module computes, from the loaded files alone (nothing
runs), every condition's yes and no branch with the scenarios that take it, and the nodes no
scenario visits. ``python -m egov_sim.scenarios.coverage`` prints the table docs/scenarios.md shows.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Iterable, Mapping

from .model import Flow, Scenario


@dataclass(frozen=True)
class Branch:
    flow: str
    condition: str
    answer: str
    """``yes`` or ``no``."""
    check: str | None
    scenarios: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.flow} {self.condition}:{self.answer}"


@dataclass(frozen=True)
class Coverage:
    branches: tuple[Branch, ...]
    unvisited: tuple[str, ...]
    """``flow node`` for every node of a flow no scenario's path passes (start and end symbols
    excepted: the start begins every path, an end is reached when its predecessor is)."""
    flows_without_scenarios: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Branches no scenario takes."""
        return tuple(b.label for b in self.branches if not b.scenarios)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unvisited and not self.flows_without_scenarios


def coverage(flows: Mapping[str, Flow], scenarios: Iterable[Scenario]) -> Coverage:
    taken: dict[tuple[str, str], list[str]] = {}
    for sc in scenarios:
        for entry in sc.expect.path:
            taken.setdefault((sc.flow, entry), []).append(sc.id)
    branches, unvisited, empty = [], [], []
    for flow in sorted(flows.values(), key=lambda f: f.id):
        if not any(flow_id == flow.id for flow_id, _ in taken):
            empty.append(flow.id)
        for node in flow.nodes:
            if node.kind == "condition":
                for answer in ("yes", "no"):
                    ids = taken.get((flow.id, f"{node.id}:{answer}"), [])
                    branches.append(Branch(flow.id, node.id, answer, node.check, tuple(ids)))
            elif node.kind == "process" and (flow.id, node.id) not in taken:
                unvisited.append(f"{flow.id} {node.id}")
    return Coverage(tuple(branches), tuple(unvisited), tuple(empty))


def markdown_table(cov: Coverage) -> str:
    """The branch table of docs/scenarios.md: one row per condition, the scenarios per answer."""
    rows = ["| Flow | Condition | Check | yes | no |", "|---|---|---|---|---|"]
    by_condition: dict[tuple[str, str], dict[str, Branch]] = {}
    for b in cov.branches:
        by_condition.setdefault((b.flow, b.condition), {})[b.answer] = b
    for (flow, condition), answers in by_condition.items():
        check = (answers["yes"].check or "").replace(",", ", ")
        cells = [", ".join(f"`{s}`" for s in answers[a].scenarios) or "**none**" for a in ("yes", "no")]
        rows.append(f"| {flow} | {condition} | {check} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    from .loader import load_all

    flows, scenarios = load_all(argv or None)
    cov = coverage(flows, scenarios)
    sys.stdout.write(markdown_table(cov))
    for label in cov.missing:
        print(f"not covered: {label}", file=sys.stderr)
    for node in cov.unvisited:
        print(f"not visited: {node}", file=sys.stderr)
    for flow in cov.flows_without_scenarios:
        print(f"no scenario: {flow}", file=sys.stderr)
    return 0 if cov.complete else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
