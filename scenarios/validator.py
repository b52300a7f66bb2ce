"""The flow validator: what a flow file that loads may still get wrong for a QA person.

The loader refuses what cannot be played (scenarios/flow_files.py). This module reports what can
be played but cannot be trusted to test anything:

- a condition branch **no set-up can make fail**: no set-up key or persona falsifies any of its
  checks (or it names none), so its "no" branch can never be played and no scenario can prove
  the systems take it;
- a stated term with **nothing under it**: on some path, no step between its first and last node
  has a stated duration, so at the steps' maxima it is always met (only a late step can miss it);
- the **regulation defects**: stated terms the steps' maxima overrun (scenarios/defects.py).

``egov-sim scenarios check [PATHS]`` prints them; tests/scenarios/files/test_scen_validator.py
pins the shipped flows' findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from egov_sim.core.working_time import Span

from .arguments import options_of
from .defects import flow_defects, paths
from .model import Flow
from .vocabulary import falsifiable_checks


@dataclass(frozen=True)
class Finding:
    flow: str
    kind: str
    """``unfailable-branch``, ``term-without-durations`` or ``regulation-defect``."""
    node: str | None
    text: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.flow}" + (f" {self.node}" if self.node else "") + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.kind}: {self.text}"


OPTION_CHOSEN = frozenset({"balkhash.reading"})
"""Condition operations whose branch is a reading's value: a scenario's ``options`` choose it
(seed 001 service 15's refusal or suspension, D41), no set-up is needed."""


def unfailable_branches(flow: Flow) -> list[Finding]:
    """Conditions whose "no" no set-up or persona can bring about."""
    can_fail = falsifiable_checks()
    out = []
    for n in flow.nodes:
        if n.kind != "condition" or n.op in OPTION_CHOSEN:
            continue
        checks = n.check.split(",") if n.check else []
        if not any(c in can_fail for c in checks):
            named = "/".join(checks) if checks else "no check"
            out.append(Finding(flow.id, "unfailable-branch", n.id,
                               f"no set-up or persona makes {named} fail, so its 'no' branch (→ {n.on_false}) "
                               "cannot be played by any scenario", n.line))
    return out


def terms_without_durations(flow: Flow, options: Mapping | None = None) -> list[Finding]:
    """Stated terms with a path under them on which no step states a duration."""
    options = options_of(flow, options)
    out, seen = [], set()
    for path in paths(flow, options):
        nodes = [e.partition(":")[0] for e in path]
        for term in flow.terms_for(path):
            if term.duration is None or term.id in seen:
                continue
            first = nodes.index(term.start)
            last = max(i for i, n in enumerate(nodes) if n in term.end)
            under = [flow.node(n) for n in nodes[first:last + 1]]
            if all(Span.of(n.duration).zero and not n.milestone for n in under):
                seen.add(term.id)
                out.append(Finding(flow.id, "term-without-durations", term.start,
                                   f"term {term.id} ({term.allowed}, {term.source}): no step of "
                                   f"{' > '.join(path[first:last + 1])} states a duration, so at their maxima "
                                   "it is always met; only a late step (setup late) can miss it"))
    return out


def check_flow(flow: Flow) -> list[Finding]:
    """Everything the validator reports about one flow (defects under the readings' defaults)."""
    findings = unfailable_branches(flow) + terms_without_durations(flow)
    findings += [Finding(flow.id, "regulation-defect", d.cells[0].node if d.cells else None, d.text())
                 for d in flow_defects(flow)]
    return findings


def check_flows(flows: Iterable[Flow]) -> list[Finding]:
    return [f for flow in sorted(flows, key=lambda x: x.id) for f in check_flow(flow)]
