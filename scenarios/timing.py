"""When each step of a scenario starts, ends and is due, and whether the regulation's terms are met.

Every step is added on its lane's working time (scenarios/working_time.py): a provider's 1 wd
from a Friday afternoon before a holiday ends days later, the ЦОН's 15 min at 19:50 end at 20:05
only if it were open. ``timing: max`` takes each stated maximum; ``sampled`` draws a "within"
step below its maximum from the run's seed (the same seed and scenario give the same draws, in
any worker). ``setup.late`` makes a step take its maximum plus the extra.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from egov_sim.core.clock import ALMATY

from .model import Duration, Flow, Node, Scenario, Term
from .results import DeadlineVerdict
from egov_sim.core.working_time import parse_duration, working_time


def scenario_start(scenario: Scenario, default: dt.datetime) -> dt.datetime:
    """The scenario's ``start`` (Kazakhstan time when it has no offset), else ``default``."""
    if not scenario.start:
        return default.astimezone(ALMATY)
    moment = dt.datetime.fromisoformat(scenario.start)
    return moment.replace(tzinfo=ALMATY) if moment.tzinfo is None else moment.astimezone(ALMATY)


class StepTimes:
    """The virtual clock of one scenario: each step's end from its start, on its lane's hours."""

    def __init__(self, flow: Flow, scenario: Scenario, *, seed: int):
        self.flow = flow
        self.rng = random.Random(f"{seed}:{scenario.id}") if scenario.timing == "sampled" else None
        self.late = {node: parse_duration(extra) for node, extra in (scenario.setup.get("late") or {}).items()}

    def step(self, node: Node, start: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
        """(end, due): when the step ends as played, and when it is due at its stated maximum
        (None for a step the regulation gives no duration)."""
        wt = working_time(self.flow.hours_for(node))
        end = wt.add(start, node.duration, rng=self.rng, sampled=self.rng is not None)
        if node.id in self.late:
            end = wt.add(end, self.late[node.id])
        due = wt.add(start, node.duration) if node.duration is not None else None
        return end, due


@dataclass(frozen=True)
class TermVerdict:
    term: Term
    begin: dt.datetime
    due: dt.datetime
    finished: dt.datetime

    @property
    def met(self) -> bool:
        return self.finished <= self.due


def term_verdicts(flow: Flow, path: tuple[str, ...],
                  times: dict[str, tuple[dt.datetime, dt.datetime]]) -> list[TermVerdict]:
    """Each term that applies to the path: from the start of its first node to the end of the
    first of its end nodes the path reaches, counted on the first node's working time."""
    nodes = [entry.partition(":")[0] for entry in path]
    out = []
    for term in flow.terms_for(path):
        begin = times[term.start][0]
        due = working_time(flow.hours_for(flow.node(term.start))).add(begin, term.duration)
        finished = times[next(n for n in nodes if n in term.end)][1]
        out.append(TermVerdict(term, begin, due, finished))
    return out


def deadline_verdict(verdicts: list[TermVerdict]) -> DeadlineVerdict | None:
    """One verdict for the reports: the first term missed, else the regulation's overall term
    (the first that applies)."""
    if not verdicts:
        return None
    chosen = next((v for v in verdicts if not v.met), verdicts[0])
    return DeadlineVerdict(allowed=_text(chosen.term.duration), due=chosen.due, finished=chosen.finished,
                           met=all(v.met for v in verdicts))


def _text(duration: Duration) -> str:
    return duration.text or f"{duration.amount:g} {duration.unit}"
