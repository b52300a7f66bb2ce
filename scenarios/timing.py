"""When each step of a scenario starts, ends and is due, and whether the regulation's terms are met.

Every step is counted on its lane's working time (egov_sim/core/working_time.py) with the
durations of the regulation's term model (egov_sim/reference/terms.py), the same the АРМ and the
ЦОН count their dates with. ``timing: max`` takes each stated maximum; ``sampled`` draws a
"within" step below its maximum from the run's seed (the same seed and scenario give the same
draws, in any worker). A **milestone** step (000's S3) ends by its term's due, counted from the
start of the term (the hand-in), whatever the steps before it took. ``setup.late`` makes a step
take its maximum plus the extra.

Term verdicts: a stated term is due its duration after the start of its first node; a sum is
due when the path's steps, each at its stated maximum, would have ended; the receipt term is
judged against the date the ЦОН's acceptance receipt actually promised.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Mapping, Sequence

from egov_sim.core.clock import ALMATY
from egov_sim.core.working_time import Counting, Span, parse_duration, working_time
from egov_sim.reference.terms import sample_end

from .arguments import options_of
from .model import Flow, Node, Scenario, Term
from .results import DeadlineVerdict, TermResult, Verdict


def scenario_start(scenario: Scenario, default: dt.datetime | None = None) -> dt.datetime:
    """The scenario's ``start`` in Kazakhstan time (``default`` for a scenario built by hand
    without one)."""
    if not scenario.start:
        if default is None:
            raise ValueError(f"scenario {scenario.id} has no start")
        return default.astimezone(ALMATY)
    moment = dt.datetime.fromisoformat(scenario.start)
    return moment.replace(tzinfo=ALMATY) if moment.tzinfo is None else moment.astimezone(ALMATY)


def latest_end(flow: Flow, node: Node, start: dt.datetime, starts: Mapping[str, dt.datetime],
               options: Mapping[str, Any]) -> dt.datetime | None:
    """When a step that starts at ``start`` is due to end at the latest: its stated duration on
    its lane's hours, or, for a milestone, its term's due counted from the term's first node
    (``starts``: when each earlier node started). None for a step the regulation gives no time."""
    wt = working_time(flow.hours_for(node))
    if is_milestone(node, options):
        term = flow.term(node.milestone)
        anchor = starts.get(term.start, start)
        return max(start.astimezone(ALMATY), term_due(flow, term, anchor, options))
    if node.duration_option and not options.get(node.duration_option, True):
        return start.astimezone(ALMATY)
    if node.duration is None:
        return None
    return wt.add(start, node.duration)


def is_milestone(node: Node, options: Mapping[str, Any]) -> bool:
    """The step runs to its term's due (000's S3 under the reading hand_in_milestone)."""
    if node.milestone is None:
        return False
    return bool(options.get(node.milestone_option, True)) if node.milestone_option else True


def term_due(flow: Flow, term: Term, begin: dt.datetime, options: Mapping[str, Any] | None = None) -> dt.datetime:
    """A stated term's due, counted from ``begin`` on the hours of its first node's lane (the day
    of issue excluded as the term, or the reading that switches it, says)."""
    wt = working_time(term.hours or flow.hours_for(flow.node(term.start)))
    return wt.due(begin, term.duration, counting=Counting(term.counting),
                  end_day_excluded=term.excludes_end_day(options_of(flow, options)))


class StepTimes:
    """The virtual clock of one scenario: each step's end from its start, on its lane's hours."""

    def __init__(self, flow: Flow, scenario: Scenario, *, seed: int):
        self.flow = flow
        self.options = options_of(flow, scenario.options)
        self.rng = random.Random(f"{seed}:{scenario.id}") if scenario.timing == "sampled" else None
        self.late = {node: parse_duration(extra) for node, extra in (scenario.setup.get("late") or {}).items()}

    def step(self, node: Node, start: dt.datetime, starts: Mapping[str, dt.datetime]
             ) -> tuple[dt.datetime, dt.datetime | None]:
        """(end, due): when the step ends as played, and when it is due at the latest."""
        wt = working_time(self.flow.hours_for(node))
        due = latest_end(self.flow, node, start, starts, self.options)
        if due is None:
            end = start.astimezone(ALMATY)
        elif self.rng is not None and (is_milestone(node, self.options)
                                       or (node.duration is not None and node.duration.within)):
            end = sample_end(wt, start, due, self.rng)
        else:
            end = due
        if node.id in self.late:
            end = wt.add(end, self.late[node.id])
        return end, due


def planned_end(flow: Flow, nodes: Sequence[str], begin: dt.datetime, options: Mapping[str, Any]) -> dt.datetime:
    """When the run of ``nodes`` that starts at ``begin`` ends if each step takes its stated
    maximum (a sum term's due)."""
    t = begin
    starts: dict[str, dt.datetime] = {}
    for node_id in nodes:
        starts[node_id] = t
        end = latest_end(flow, flow.node(node_id), t, starts, options)
        t = end if end is not None else t
    return t


def planned_span(flow: Flow, nodes: Sequence[str], options: Mapping[str, Any]) -> Span:
    """How long the run of ``nodes`` may take at the stated maxima, written as the regulation
    would (a milestone counts as its term from the term's first node)."""
    total, since = Span(), {}
    for node_id in nodes:
        node = flow.node(node_id)
        since[node_id] = total
        if is_milestone(node, options):
            term = flow.term(node.milestone)
            total = since.get(term.start, Span()) + Span.of(term.duration)
        elif not (node.duration_option and not options.get(node.duration_option, True)):
            total = total + Span.of(node.duration)
    return total


def term_verdicts(flow: Flow, path: tuple[str, ...], times: Mapping[str, tuple[dt.datetime, dt.datetime]],
                  options: Mapping[str, Any], *, promised: dt.date | None = None,
                  receipt_due=None) -> list[TermResult]:
    """Each term that applies to the path: from the start of its first node to the end of the
    last of its end nodes the path passes. ``promised``: the date on the ЦОН's acceptance
    receipt, against which the receipt term is judged; ``receipt_due(begin)``: the receipt
    term's due by the term model's chain (what the receipt should promise, whatever the outcome
    turns out to be)."""
    options = options_of(flow, options)
    nodes = [entry.partition(":")[0] for entry in path]
    out = []
    for term in flow.terms_for(path):
        # A term counts from the acceptance: an applicant who comes while the office is closed
        # (a Saturday at the УО, its lunch) is accepted at its next working moment.
        begin = working_time(flow.hours_for(flow.node(term.start))).next_working_moment(times[term.start][0])
        last = max(i for i, n in enumerate(nodes) if n in term.end)
        finished = times[nodes[last]][1]
        allowed = term.allowed
        if term.duration is not None:
            due = term_due(flow, term, begin, options)
        elif term.receipt and receipt_due is not None:
            due = receipt_due(begin)
        else:
            run = nodes[nodes.index(term.start):last + 1]
            due = planned_end(flow, run, begin, options)
            allowed = planned_span(flow, run, options).text()
        promised_end, problem, judged = None, None, due
        if term.receipt and promised is not None:
            wt = working_time(flow.hours_for(flow.node(nodes[last])))
            promised_end = wt.closing(wt.next_working_day(promised))
            judged = promised_end
            if promised != due.astimezone(ALMATY).date():
                problem = (f"the acceptance receipt promises {promised.isoformat()}, the regulation's terms give "
                           f"{due.astimezone(ALMATY):%Y-%m-%d} ({term.allowed} from {term.start})")
        out.append(TermResult(term.id, term.basis, allowed, begin, due, finished,
                              Verdict.MET if finished <= judged else Verdict.MISSED, term.start, nodes[last],
                              term.source, term.text, promised_end, problem))
    return out


def deadline_verdict(verdicts: list[TermResult]) -> DeadlineVerdict | None:
    """One verdict for the reports: the first term missed, else the first that applies."""
    if not verdicts:
        return None
    chosen = next((v for v in verdicts if not v.met), verdicts[0])
    return DeadlineVerdict(allowed=chosen.allowed, due=chosen.promised or chosen.due, finished=chosen.finished,
                           met=all(v.met for v in verdicts), term=chosen.term)
