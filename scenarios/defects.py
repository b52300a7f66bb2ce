"""Regulation defects: stated terms a flow's own steps cannot meet at their stated maxima.

A QA person must see both "this run was late" and "this regulation cannot be met as written".
Where the cells on a path between a stated term's first and last node, each at its stated
maximum, add up to more than the term allows, the term still binds (the engine judges against
it) and this module names the inconsistency: which cells, their sum, the stated term. A
milestone of the term (000's S3) takes whatever the cells before it leave, so it fits unless
they alone overrun. Sums are compared per unit (egov_sim.core.working_time.Span), without a date.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from egov_sim.core.working_time import Span, working_time
from egov_sim.reference.terms import overrun

from .arguments import options_of
from .model import Flow, Node, Term
from .results import DefectCell, RegulationDefect
from .timing import is_milestone

YES, NO = "yes", "no"


def paths(flow: Flow, options: Mapping[str, Any]) -> Iterator[tuple[str, ...]]:
    """Every path from the start to an end under the options (entries as scenarios write them,
    start and end symbols left out)."""
    by_id = {n.id: n for n in flow.nodes}
    start = next(n for n in flow.nodes if n.kind == "start")

    def walk(node: Node, trail: tuple[str, ...], seen: frozenset[str]) -> Iterator[tuple[str, ...]]:
        if node.kind == "end":
            yield trail
            return
        if node.id in seen:
            return
        seen = seen | {node.id}
        if node.kind == "condition":
            for branch, target in ((YES, node.on_true), (NO, node.on_false)):
                yield from walk(by_id[target], trail + (f"{node.id}:{branch}",), seen)
        else:
            here = trail if node.kind == "start" else trail + (node.id,)
            yield from walk(by_id[node.next_for(options)], here, seen)

    yield from walk(start, (), frozenset())


def _effective(flow: Flow, node: Node, options: Mapping[str, Any]) -> Span:
    if node.duration_option and not options.get(node.duration_option, True):
        return Span()
    return Span.of(node.duration)


def allowance(term: Term, options: Mapping[str, Any]) -> Span:
    """What a stated term allows: its duration, one more day of its unit when the day of issue
    is excluded (as egov_sim.reference.terms.allowance)."""
    stated = Span.of(term.duration)
    if term.excludes_end_day(options):
        stated = stated + (Span(cd=1) if stated.cd and not stated.wd else Span(wd=1))
    return stated


def path_defects(flow: Flow, path: tuple[str, ...], options: Mapping[str, Any]) -> list[RegulationDefect]:
    """The stated terms that apply to ``path`` and that its cells, at their maxima, overrun; and
    the steps under them the action table gives no deadline. The arithmetic is the term model's
    (egov_sim/reference/terms.py, ``Procedure.fit``): a milestone of the term, or of another term
    counted from the same start, takes what the steps before it leave; a term counted from the
    next day leaves up to a working day of minutes to the day of submission."""
    options = options_of(flow, options)
    nodes = [entry.partition(":")[0] for entry in path]
    out = []
    for term in flow.terms_for(path):
        if term.duration is None or term.basis != "stated":
            continue
        first = nodes.index(term.start)
        last = max(i for i, n in enumerate(nodes) if n in term.end)
        stated = allowance(term, options)
        per_day = working_time(flow.hours_for(flow.node(term.start))).hours.minutes_per_day
        total = Span()
        cells = []
        run = [flow.node(n) for n in nodes[first:last + 1]]
        for node in run:
            if is_milestone(node, options):
                milestone = flow.term(node.milestone)
                if milestone.id == term.id or milestone.start == term.start:
                    reach = stated if milestone.id == term.id else allowance(milestone, options)
                    cells.append(DefectCell(node.id, node.cell, f"by {milestone.id}", node.source))
                    if not total.exceeds(reach, per_day):
                        total = reach
                    continue
            span = _effective(flow, node, options)
            cells.append(DefectCell(node.id, node.cell, span.text() if not span.zero else "—", node.source))
            total = total + span
        if term.counting == "next_day" and total.minutes <= per_day:
            total = Span(total.cd, total.wd, 0.0)
        used = {o for n in run for o in (n.milestone_option, n.duration_option) if o}
        if term.end_day_option:
            used.add(term.end_day_option)
        in_force = {k: v for k, v in options.items() if k in used}
        if total.exceeds(stated, per_day):
            out.append(RegulationDefect(flow.id, term.id, term.allowed, term.source, tuple(cells), total.text(),
                                        overrun(total, stated, per_day).text(), tuple(path[first:last + 1]),
                                        in_force, citation=term.defect or ""))
        missing = [n for n in run if n.deadline_defect or (n.cell and not n.has_deadline)]
        if missing:
            out.append(RegulationDefect(flow.id, term.id, term.allowed, term.source, tuple(cells), total.text(), "",
                                        tuple(path[first:last + 1]), in_force, kind="no_deadline",
                                        citation=next((n.deadline_defect for n in missing if n.deadline_defect), ""),
                                        nodes=tuple(n.id for n in missing)))
    return out


def flow_defects(flow: Flow, options: Mapping[str, Any] | None = None) -> list[RegulationDefect]:
    """Every regulation defect of a flow under the options, one per term and run of cells."""
    options = options_of(flow, options)
    out: list[RegulationDefect] = []
    seen: set[tuple[str, tuple[str, ...], str]] = set()
    for path in paths(flow, options):
        for defect in path_defects(flow, path, options):
            key = (defect.term, defect.path, defect.kind)
            if key not in seen:
                seen.add(key)
                out.append(defect)
    return out


def calendar_defects(flow: Flow, path: tuple[str, ...], verdicts, found: list[RegulationDefect],
                     options: Mapping[str, Any], *, at_maxima: bool) -> list[RegulationDefect]:
    """Stated terms the path's steps, each at its stated maximum, miss on this run's calendar
    though their sum fits (seed 001 service 6 via the akim: the 20th calendar day a Sunday, the
    7 wd after it over 8 March): the regulation cannot be met as written on these dates. Only a
    run at the maxima says so (sampled or late steps prove nothing about the regulation)."""
    if not at_maxima:
        return []
    options = options_of(flow, options)
    overrun = {d.term for d in found if d.kind == "overrun"}
    nodes = [entry.partition(":")[0] for entry in path]
    out = []
    for v in verdicts:
        if v.met or v.basis != "stated" or v.term in overrun:
            continue
        term = flow.term(v.term)
        first = nodes.index(term.start)
        last = max(i for i, n in enumerate(nodes) if n in term.end)
        judged = v.promised or v.due
        out.append(RegulationDefect(
            flow.id, term.id, term.allowed, term.source, (), f"{v.finished:%Y-%m-%d %a %H:%M}",
            f"{judged:%Y-%m-%d %a %H:%M}", tuple(path[first:last + 1]),
            {k: val for k, val in options.items() if k == term.end_day_option}, kind="calendar",
            citation=term.defect or ""))
    return out
