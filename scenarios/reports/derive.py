"""What every report derives from a result, derived once so the reports never disagree.

The terminal, JUnit and HTML reports all show the taken route, the divergence node, times in
Kazakhstan time and the timeline; if each worked these out for itself, a reader comparing the
CI log with the HTML page would find two different stories.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from egov_sim.core.clock import ALMATY

from ..model import Duration, Flow, Node
from ..results import ScenarioResult

YES, NO = "yes", "no"


def split_entry(entry: str) -> tuple[str, bool | None]:
    """``C1:yes`` → (``C1``, True); ``P3`` → (``P3``, None). Path entries name conditions so."""
    node_id, sep, answer = entry.partition(":")
    if not sep:
        return entry, None
    answer = answer.strip().lower()
    if answer in (YES, "true", "y"):
        return node_id, True
    if answer in (NO, "false", "n"):
        return node_id, False
    return node_id, None


def successors(node: Node) -> list[tuple[str, bool | None]]:
    """Outgoing edges of a node as (target, branch): branch is None for ``next``."""
    out: list[tuple[str, bool | None]] = []
    if node.on_true:
        out.append((node.on_true, True))
    if node.on_false:
        out.append((node.on_false, False))
    if node.next:
        out.append((node.next, None))
    if node.next_off:  # the other way a reading's option leads
        out.append((node.next_off, None))
    return out


@dataclass(frozen=True)
class Route:
    """A path through a flow as nodes and edges, with the start and end symbols filled in."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]


def route(flow: Flow, path: tuple[str, ...], *, reached_end: bool = True) -> Route:
    """The nodes and edges a path visits.

    Scenario paths usually name only the numbered nodes (``P1, C1:yes, …``); the start symbol
    before the first and the end symbol after the last belong to the route too, the end only
    when it was reached (``reached_end``). Steps that are not adjacent in the flow get no edge:
    the diagram cannot draw an edge the regulation does not have.
    """
    known = {n.id: n for n in flow.nodes}
    entries = [split_entry(e) for e in path]
    ids = [node_id for node_id, _ in entries if node_id in known]
    if not ids:
        return Route((), ())
    first = known[ids[0]]
    if first.kind != "start":
        for n in flow.nodes:
            if n.kind == "start" and any(t == first.id for t, _ in successors(n)):
                ids.insert(0, n.id)
                entries.insert(0, (n.id, None))
                break
    last_id, last_branch = next(e for e in reversed(entries) if e[0] in known)
    last = known[last_id]
    if reached_end and last.kind != "end":
        targets = [t for t, b in successors(last) if last.kind != "condition" or b == last_branch]
        if len(targets) == 1 and targets[0] in known and known[targets[0]].kind == "end":
            ids.append(targets[0])
    edges: list[tuple[str, str]] = []
    for a, b in zip(ids, ids[1:]):
        if any(t == b for t, _ in successors(known[a])) and (a, b) not in edges:
            edges.append((a, b))
    seen: list[str] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return Route(tuple(seen), tuple(edges))


def taken_route(result: ScenarioResult) -> Route:
    """The route the scenario actually took (its end counts as reached once an outcome is)."""
    return route(result.flow, result.path, reached_end=result.outcome is not None)


def expected_route(result: ScenarioResult) -> Route:
    return route(result.flow, result.expected_path, reached_end=True)


def divergence_node(result: ScenarioResult) -> str | None:
    """Where a failed scenario left the expected path: the first step the engine marked
    diverged or errored, else the first node where taken and expected paths differ, else None
    (the path was right; the outcome, signature or deadline was not)."""
    if result.passed:
        return None
    for step in result.steps:
        if step.status in ("diverged", "error"):
            return step.node_id
    taken, expected = list(result.path), list(result.expected_path)
    for a, b in zip(taken, expected):
        if a != b:
            return split_entry(a)[0]
    if len(taken) < len(expected) and taken:
        return split_entry(taken[-1])[0]
    if len(taken) > len(expected):
        return split_entry(taken[len(expected)])[0]
    return None


def failure_kind(result: ScenarioResult) -> str | None:
    """``error`` when the engine or a system broke (a step errored), ``failure`` when the
    systems answered but not as the regulation says; None when passed. JUnit tells them apart."""
    if result.passed:
        return None
    return "error" if any(s.status == "error" for s in result.steps) else "failure"


def kz_time(moment: dt.datetime | None, *, seconds: bool = False, weekday: bool = True) -> str:
    """A moment in Kazakhstan time, e.g. ``2024-02-05 Mon 10:15``; naive values are taken to
    be Kazakhstan time already. Weekdays are shown because working time skips weekends."""
    if moment is None:
        return "—"
    local = moment.replace(tzinfo=ALMATY) if moment.tzinfo is None else moment.astimezone(ALMATY)
    fmt = "%Y-%m-%d " + ("%a " if weekday else "") + ("%H:%M:%S" if seconds else "%H:%M")
    return local.strftime(fmt)


def iso(moment: dt.datetime) -> str:
    """ISO 8601 with offset, in Kazakhstan time (naive values are taken to be Kazakhstan time)."""
    local = moment.replace(tzinfo=ALMATY) if moment.tzinfo is None else moment.astimezone(ALMATY)
    return local.isoformat()


def duration_text(duration: Duration | None) -> str:
    """A stated duration as the regulation reads: its own text when the loader kept it."""
    if duration is None:
        return ""
    if duration.text:
        return duration.text
    amount = f"{duration.amount:g}"
    return f"{'≤ ' if duration.within else ''}{amount} {duration.unit}"


def late(finished: dt.datetime, due: dt.datetime | None) -> bool:
    return due is not None and finished > due


def deadline_text(result: ScenarioResult) -> str:
    """One line for the deadline verdict: allowed term, due and finished, met or missed."""
    d = result.deadline
    if d is None:
        return "no deadline verdict"
    verdict = "met" if d.met else "MISSED"
    sign = "≤" if d.finished <= d.due else ">"
    term = f"{d.term}: " if d.term else ""
    return f"{verdict}: finished {kz_time(d.finished)} {sign} due {kz_time(d.due)} ({term}{d.allowed})"


def timeline_lines(result: ScenarioResult) -> list[str]:
    """The scenario as plain text (JUnit system-out, terminal): header, deadline, steps, messages."""
    flow = result.flow
    known = {n.id: n for n in flow.nodes}
    lines = [
        f"Scenario {result.scenario_id}: {result.title}" + (f"  ({result.file})" if result.file else ""),
        f"Flow {flow.id}: {flow.title} [{flow.regulation}/{flow.channel}]",
        f"Path:     {' > '.join(result.path) or '—'}",
        f"Expected: {' > '.join(result.expected_path) or '—'}",
        f"Outcome:  {result.outcome or '—'}"
        + (f"; signed by {result.signed_by}" if result.signed_by else ""),
        f"Deadline: {deadline_text(result)}",
    ]
    for t in result.terms:
        lines.append(f"  term {t.term} ({t.basis}, {t.allowed}): {t.verdict}, {t.start} → {t.end}, "
                     f"finished {kz_time(t.finished)}, due {kz_time(t.due)}"
                     + (f", receipt {kz_time(t.promised)}" if t.promised else "")
                     + (f"; {t.problem}" if t.problem else ""))
    for d in result.defects:
        lines.append(f"  regulation defect: {d.text()}")
    lines.append("Steps (Kazakhstan time, UTC+05:00):")
    width = max([len(s.node_id) for s in result.steps] + [4])
    for s in result.steps:
        node = known.get(s.node_id)
        branch = ""
        if s.branch is not None:
            branch = f" answer {YES if s.branch else NO}"
            if s.expected_branch is not None and s.expected_branch != s.branch:
                branch += f" (expected {YES if s.expected_branch else NO})"
        flag = " LATE" if late(s.finished, s.due) else ""
        msgs = f" msgs {','.join(f'#{m}' for m in s.message_ids)}" if s.message_ids else ""
        lines.append(
            f"  {s.node_id:<{width}} {s.status:<8} {kz_time(s.started)} → {kz_time(s.finished)}"
            f"  due {kz_time(s.due)}{flag}{branch}{msgs}"
            + (f"  · {node.title}" if node is not None and node.title else "")
        )
        if s.detail:
            lines.append(f"  {'':<{width}} {s.detail}")
    if result.messages:
        lines.append("ШЭП messages:")
        for m in result.messages:
            lines.append(
                f"  #{m.journal_id} {kz_time(m.at, seconds=True)} node={m.node_id or '—'} "
                f"serviceId={m.service_id or '—'} sender={m.sender_id or '—'} "
                f"route={m.route_id or '—'} "
                f"outcome={m.outcome or '—'} signature={m.signature}"
                + (f" ({m.signature_algorithm})" if m.signature_algorithm else "")
            )
    return lines


def anchor(result: ScenarioResult, index: int) -> str:
    """An HTML id for a scenario: readable, and unique even when two scenarios share an id."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in result.scenario_id)
    return f"sc-{index + 1}-{safe.strip('-') or 'scenario'}"
