"""A run by seed and service: which scenarios belong to which service, how much of each flow they
took (nodes and branches), and the regulation defects of each service, merged.

Seed 001 is one regulation of fifteen services with a flow per channel each; a flat list of two
hundred scenarios tells a QA person nothing about service 6 at the akim. The HTML report shows
the run in these groups; every figure here is derived from the :class:`RunResult` alone (the
scenarios' taken paths and the flows they carry), so a run saved as JSON groups the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Flow
from ..results import RegulationDefect, RunResult
from .derive import split_entry


@dataclass(frozen=True)
class FlowCoverage:
    """How much of one flow the run's scenarios took."""

    flow: Flow
    scenarios: int
    nodes: tuple[str, ...]
    """The flow's process nodes (start and end symbols are reached with their neighbours)."""
    nodes_taken: tuple[str, ...]
    branches: tuple[str, ...]
    """Every answer of every condition, ``C1:yes`` and ``C1:no``."""
    branches_taken: tuple[str, ...]

    @property
    def nodes_missed(self) -> tuple[str, ...]:
        return tuple(n for n in self.nodes if n not in self.nodes_taken)

    @property
    def branches_missed(self) -> tuple[str, ...]:
        return tuple(b for b in self.branches if b not in self.branches_taken)

    @property
    def complete(self) -> bool:
        return not self.nodes_missed and not self.branches_missed


@dataclass(frozen=True)
class MergedDefect:
    """One regulation defect as a reader wants it: the same finding (flow, term, kind, cells or
    steps, readings) once, with every path it lies on and every scenario that took one."""

    defect: RegulationDefect
    paths: tuple[tuple[str, ...], ...]
    scenarios: tuple[str, ...]


@dataclass(frozen=True)
class ServiceGroup:
    regulation: str
    service: str
    """The flows' service (``BLH-S06``); empty for a regulation of one service (000, 002)."""
    title: str
    indexes: tuple[int, ...]
    """The group's scenarios, as indexes into ``run.scenarios`` (run order)."""
    flows: tuple[FlowCoverage, ...]
    defects: tuple[MergedDefect, ...]

    @property
    def anchor(self) -> str:
        return f"svc-{self.regulation}-{self.service or 'all'}"

    @property
    def label(self) -> str:
        return f"{self.regulation} · {self.service}" if self.service else self.regulation

    def count(self, what: str) -> tuple[int, int]:
        """(taken, all) over the group's flows, ``nodes`` or ``branches``."""
        taken = sum(len(getattr(f, f"{what}_taken")) for f in self.flows)
        return taken, sum(len(getattr(f, what)) for f in self.flows)


def flow_coverage(flow: Flow, paths: list[tuple[str, ...]]) -> FlowCoverage:
    seen_nodes: set[str] = set()
    seen_branches: set[str] = set()
    for path in paths:
        for entry in path:
            node, answer = split_entry(entry)
            seen_nodes.add(node)
            if answer is not None:
                seen_branches.add(f"{node}:{'yes' if answer else 'no'}")
    nodes = tuple(n.id for n in flow.nodes if n.kind == "process")
    branches = tuple(f"{n.id}:{a}" for n in flow.nodes if n.kind == "condition" for a in ("yes", "no"))
    return FlowCoverage(flow, len(paths), nodes, tuple(n for n in nodes if n in seen_nodes),
                        branches, tuple(b for b in branches if b in seen_branches))


def _defect_key(d: RegulationDefect) -> tuple:
    cells = tuple((c.node, c.duration) for c in d.cells if c.duration != "—")  # the path apart, the finding
    # A calendar defect is about a run's dates: each one stays its own row.
    dates = (d.total, d.over) if d.kind == "calendar" else ()
    return (d.flow, d.term, d.kind, d.citation, d.nodes, cells, tuple(sorted(d.options.items())), dates)


def merge_defects(defects: tuple[RegulationDefect, ...] | list[RegulationDefect]) -> tuple[MergedDefect, ...]:
    """The defects with the same finding merged: their paths and scenarios collected, in order."""
    merged: dict[tuple, tuple[RegulationDefect, list[tuple[str, ...]], list[str]]] = {}
    for d in defects:
        first, paths, scenarios = merged.setdefault(_defect_key(d), (d, [], []))
        if d.path not in paths:
            paths.append(d.path)
        scenarios.extend(s for s in d.scenarios if s not in scenarios)
    return tuple(MergedDefect(d, tuple(paths), tuple(scenarios)) for d, paths, scenarios in merged.values())


def _title(flows: list[Flow]) -> str:
    """The service's name (seed 001's procedure titles), else what the flows' titles share
    before their colon (``Social assistance``)."""
    for f in flows:
        if f.service_title:
            return f.service_title
    heads = {f.title.partition(":")[0].strip() for f in flows if ":" in f.title}
    return heads.pop() if len(heads) == 1 else ""


def service_groups(run: RunResult) -> tuple[ServiceGroup, ...]:
    """The run by regulation and service, sorted so; scenarios in run order within a group,
    flows by id."""
    members: dict[tuple[str, str], list[int]] = {}
    flows: dict[str, Flow] = {}
    paths: dict[str, list[tuple[str, ...]]] = {}
    for i, r in enumerate(run.scenarios):
        members.setdefault((r.flow.regulation, r.flow.service), []).append(i)
        flows.setdefault(r.flow.id, r.flow)
        paths.setdefault(r.flow.id, []).append(r.path)
    defects: dict[tuple[str, str], list[RegulationDefect]] = {}
    for d in run.defects:
        f = flows.get(d.flow)
        key = (f.regulation, f.service) if f is not None else (d.flow.split("-")[0], "")
        defects.setdefault(key, []).append(d)
    groups = []
    for key in sorted(set(members) | set(defects)):
        own = sorted((f for f in flows.values() if (f.regulation, f.service) == key), key=lambda f: f.id)
        groups.append(ServiceGroup(
            regulation=key[0], service=key[1], title=_title(own), indexes=tuple(members.get(key, ())),
            flows=tuple(flow_coverage(f, paths[f.id]) for f in own),
            defects=merge_defects(defects.get(key, []))))
    return tuple(groups)


def report_order(run: RunResult) -> tuple[int, ...]:
    """The scenarios' indexes in the order the HTML report shows them: group by group."""
    return tuple(i for g in service_groups(run) for i in g.indexes)
