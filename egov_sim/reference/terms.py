"""The regulations' terms: one definition of every stated duration, milestone and total, and
the arithmetic every part of egov-sim counts them with.

The АРМ's due dates, the ЦОН's acceptance receipt, the portal's cabinet (which shows the АРМ's
dates) and the scenario engine's verdicts all read the same definitions here, so they cannot
disagree. A regulation's term file (``egov_sim/reference/regulations/<seed>.yaml``, docs/terms.md)
declares, per **procedure** (the provider's chain for a kind of office: 000's district akimat and
rural akim, 002's provider):

- **cells**: the durations the regulation states for its steps, in its own numbering (``A3``:
  "within 6 working days", App.1 #3), each on a named calendar (the provider's hours, the ЦОН's,
  the portal's). A cell may be a **milestone**: "7 working days from the moment the package is
  handed over" ends by a term counted from the hand-in, not after the previous steps;
- **chains**: the cells a request passes on each channel, in order, as a system walks them;
- **terms**: what must be done by when. A *stated* term is the regulation's words ("15 minutes",
  "7 wd from hand-in"); a *sum* term is the sum of cells where the regulation states no total
  (002's App.1 adds up to 9 wd 30 min). One term per channel is the **result** term (the date
  the АРМ shows and sends as ``resultDueDate``), one may be the **receipt** term (the date the
  ЦОН prints on the acceptance receipt);
- **readings** that change the arithmetic, with the option that switches them (default: the
  regulation's own words). The АРМ, the ЦОН and the engine take the same options.

Where a chain's cells, each at its stated maximum, do not fit in a stated term, the term still
binds and :meth:`Procedure.defects` names the inconsistency (a **regulation defect**).

A service no term file covers (the catalogue's electronic versions of two seed-001 services)
gets a procedure with one stated term from the catalogue's ``deadline_wd``: N working days
counted from the day after registration, as the АРМ always counted them.

A term file may name its services by the catalogue's codes (seeds 000 and 002) or by the codes of
seed 001's fifteen Balkhash services (``BLH-S01`` … ``BLH-S15``, egov_sim/reference/balkhash_services.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import math
import random
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from egov_sim.core.clock import ALMATY
from egov_sim.core.working_time import Counting, Duration, Span, WorkingTime, parse_duration, working_time
from egov_sim.core.yaml_lines import Checker, SourceError, YamlMap, read_yaml

from . import balkhash_services
from .catalogue import SERVICES, StateService

REGULATIONS_DIR = "regulations"
EXTENDED, REFUSAL = "extended", "refusal"
"""The branches a cell may replace another on (000's longer term, 002's reasoned refusal)."""


class TermFileError(SourceError):
    """A regulation's term file that cannot be used: ``file:line: what``."""

    code = "TERM_FILE"


class TermBasis(StrEnum):
    STATED = "stated"
    """The regulation states this term in its own words."""
    SUM = "sum"
    """The regulation states no total: the sum of its cells, each at its stated maximum."""


@dataclass(frozen=True)
class Reading:
    """How an open passage of the regulation's terms is read, and the option that switches it."""

    id: str
    text: str
    reason: str
    option: str | None = None
    default: Any = None
    otherwise: str = ""
    """What the other value of the option does."""


@dataclass(frozen=True)
class Cell:
    """A duration the regulation states for one of its steps."""

    id: str
    duration: Duration | None
    calendar: str
    source: str = ""
    text: str = ""
    milestone: str | None = None
    """A term id: the step ends by that term's due (counted from its start, e.g. the hand-in),
    when the option of :attr:`milestone_reading` is on; otherwise it lasts :attr:`duration`."""
    milestone_reading: str | None = None
    replaces: str | None = None
    """The cell this one stands in for on a branch (``S3X`` for ``S3``; ``R`` for ``A3``)."""
    when: str | None = None
    """The branch: ``extended`` or ``refusal``."""
    reading: str | None = None
    """An option that gives the cell its duration at all (false: the step takes no time)."""
    defect: str | None = None
    """The entry of the regulation's defect register that says the table lost this step's
    deadline (seed 001's §19: ``D13``, ``D34``): the step is reported under every stated term
    over it, whatever time a reading gives it."""

    @property
    def has_deadline(self) -> bool:
        """Whether the regulation states a time for this step at all (a step without one takes
        no time of its own: the stated term binds)."""
        return self.duration is not None or self.milestone is not None

    def text_of_duration(self) -> str:
        if self.duration is None:
            return "—"
        return str(self.duration)


@dataclass(frozen=True)
class Term:
    """What must be done by when: from the start of cell ``start`` to the end of cell ``end``."""

    id: str
    basis: TermBasis
    duration: Duration | None
    """The stated duration; None for a sum (computed from the cells)."""
    start: str | None = None
    end: str | None = None
    source: str = ""
    text: str = ""
    counting: Counting = Counting.MOMENT
    end_day_excluded: bool = False
    result: tuple[str, ...] = ()
    """Channels on which this is the result's term (the АРМ's due date)."""
    receipt: tuple[str, ...] = ()
    """Channels whose acceptance receipt prints this term's date."""
    end_day_reading: str | None = None
    """An option that switches :attr:`end_day_excluded` (seed 001's "день приема и выдачи … не
    входит в срок": the day of issue after the counted days, or the last of them)."""
    defect: str | None = None
    """The defect register's entry that names this term's conflict with its cells (``D01``)."""
    calendar: str | None = None
    """The calendar the term is counted on when not its first cell's (seed 001's milestone 'the УО
    sends the result within 17 wd' counted on the УО's days from the ЦОН's acceptance)."""

    def excludes_end_day(self, options: Mapping[str, Any] | None = None) -> bool:
        if self.end_day_reading is not None and options is not None and self.end_day_reading in options:
            return bool(options[self.end_day_reading])
        return self.end_day_excluded

    @property
    def stated(self) -> bool:
        return self.basis == TermBasis.STATED

    def duration_text(self) -> str:
        return str(self.duration) if self.duration is not None else "sum of the steps"


@dataclass(frozen=True)
class Due:
    """A term's due moment for one request."""

    term: Term
    due: dt.datetime
    allowed: str = ""
    """How long the term allows on this chain (a sum's cells added up)."""

    @property
    def date(self) -> dt.date:
        return self.due.astimezone(ALMATY).date()

    def to_json(self) -> dict:
        return {"term": self.term.id, "basis": self.term.basis.value,
                "allowed": self.allowed or self.term.duration_text(),
                "source": self.term.source, "text": self.term.text,
                "dueAt": self.due.astimezone(ALMATY).isoformat(timespec="seconds"), "dueDate": self.date.isoformat()}


@dataclass(frozen=True)
class Scheduled:
    cell: Cell
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Fit:
    """How a run of cells, each at its stated maximum, compares with a stated term."""

    term: Term
    cells: tuple[Cell, ...]
    total: Span
    stated: Span
    exceeds: bool
    minutes_per_day: float = 480.0
    """The length of a working day on the term's calendar (what a working day is worth)."""

    @property
    def over(self) -> Span:
        return overrun(self.total, self.stated, self.minutes_per_day)


class DefectKind(StrEnum):
    OVERRUN = "overrun"
    """The cells, each at its stated maximum, overrun the stated term."""
    NO_DEADLINE = "no_deadline"
    """A step under the stated term has no time in the table: only the stated term binds it."""


@dataclass(frozen=True)
class Defect:
    """A stated term the regulation's own cells cannot meet when each takes its stated maximum,
    or a step under it that the table gives no time."""

    regulation: str
    procedure: str
    term: Term
    cells: tuple[Cell, ...]
    total: str
    over: str
    channel: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    kind: DefectKind = DefectKind.OVERRUN
    citation: str = ""
    """The defect register's entry (seed 001 §19: ``D01``), when the regulation's analysis has one."""

    def text(self) -> str:
        cite = f" [{self.citation}]" if self.citation else ""
        if self.kind == DefectKind.NO_DEADLINE:
            missing = ", ".join(c.id for c in self.cells if c.defect or not c.has_deadline)
            return (f"{self.regulation} {self.procedure}: {missing} has no deadline in the table; the term "
                    f"{self.term.id} ({self.term.duration}, {self.term.source}) binds it{cite}")
        cells = " + ".join(f"{c.id} {c.text_of_duration()}" for c in self.cells if c.duration is not None)
        return (f"{self.regulation} {self.procedure}: term {self.term.id} ({self.term.duration}, "
                f"{self.term.source}) cannot be met as written: {cells} = {self.total}, "
                f"{self.over} over{cite}")


@dataclass(frozen=True)
class Procedure:
    """One provider's chain of a regulation, with its cells, chains and terms."""

    regulation: str
    id: str
    title: str
    services: tuple[str, ...]
    offices: tuple[str, ...]
    calendars: Mapping[str, str]
    calendar: str
    cells: tuple[Cell, ...]
    chains: Mapping[str, tuple[str, ...]]
    terms: tuple[Term, ...]
    readings: tuple[Reading, ...] = ()
    file: str = ""
    fallback: bool = False
    """Built from the catalogue's ``deadline_wd``: the regulation has no term file yet."""

    # --- look-ups --------------------------------------------------------------------------------

    def cell(self, cell_id: str) -> Cell:
        for c in self.cells:
            if c.id == cell_id:
                return c
        raise KeyError(f"{self.regulation}/{self.id} has no cell {cell_id!r}")

    def has_cell(self, cell_id: str) -> bool:
        return any(c.id == cell_id for c in self.cells)

    def term(self, term_id: str) -> Term:
        for t in self.terms:
            if t.id == term_id:
                return t
        raise KeyError(f"{self.regulation}/{self.id} has no term {term_id!r}")

    def options(self, chosen: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every reading's option, its default overridden by ``chosen`` (unknown names ignored:
        a system passes all its switches)."""
        values = {r.option: r.default for r in self.readings if r.option}
        for name, value in (chosen or {}).items():
            if name in values:
                values[name] = value
        return values

    def clock(self, calendar: str | None = None) -> WorkingTime:
        return working_time(self.calendars[calendar or self.calendar])

    def hours(self, calendar: str | None = None) -> str:
        return self.calendars[calendar or self.calendar]

    def result_term(self, channel: str) -> Term:
        for t in self.terms:
            if channel in t.result:
                return t
        raise KeyError(f"{self.regulation}/{self.id} names no result term for the {channel} channel")

    def receipt_term(self, channel: str) -> Term | None:
        return next((t for t in self.terms if channel in t.receipt), None)

    def chain(self, channel: str, *, extended: bool = False, refusal: bool = False) -> list[Cell]:
        """The cells a request on ``channel`` passes, the branch's cells in place of the ones they
        replace."""
        ids = self.chains.get(channel)
        if ids is None:
            raise KeyError(f"{self.regulation}/{self.id} has no chain for the {channel} channel")
        branches = {EXTENDED} if extended else set()
        if refusal:
            branches.add(REFUSAL)
        swap = {c.replaces: c for c in self.cells if c.replaces and c.when in branches}
        return [swap.get(i, self.cell(i)) for i in ids]

    # --- arithmetic ------------------------------------------------------------------------------

    def step_end(self, cell: Cell, start: dt.datetime, *, options: Mapping[str, Any],
                 milestone_start: dt.datetime | None = None) -> dt.datetime:
        """When a step of ``cell`` that starts at ``start`` is due to end: its duration on its
        calendar, or, as a milestone, the due of its term counted from ``milestone_start``
        (never before ``start``)."""
        options = self.options(options)
        if self.is_milestone(cell, options):
            if milestone_start is None:
                raise ValueError(f"cell {cell.id} is a milestone of term {cell.milestone}: "
                                 "its start moment is needed")
            assert cell.milestone is not None  # is_milestone says so
            return max(_local(start), self.term_due(self.term(cell.milestone), milestone_start, options=options))
        if cell.reading and not options.get(cell.reading, True):
            return _local(start)
        return self.clock(cell.calendar).add(start, cell.duration)

    def is_milestone(self, cell: Cell, options: Mapping[str, Any]) -> bool:
        if cell.milestone is None:
            return False
        return bool(self.options(options).get(cell.milestone_reading, True)) if cell.milestone_reading else True

    def effective_duration(self, cell: Cell, options: Mapping[str, Any]) -> Duration | None:
        """The cell's own length under the options (None when it takes no time or runs to a
        milestone)."""
        options = self.options(options)
        if self.is_milestone(cell, options):
            return None
        if cell.reading and not options.get(cell.reading, True):
            return None
        return cell.duration

    def term_due(self, term: Term, start: dt.datetime, *, options: Mapping[str, Any] | None = None,
                 calendar: str | None = None) -> dt.datetime:
        """A stated term's due, counted from ``start`` on the calendar of its first cell (or
        ``calendar``: a term without cells, e.g. seed 001's return to the ЦОН)."""
        if term.duration is None:
            raise ValueError(f"term {term.id} is a sum of cells: schedule its chain")
        if calendar is None:
            calendar = term.calendar or (self.cell(term.start).calendar if term.start and self.has_cell(term.start)
                                         else None)
        return self.clock(calendar).due(start, term.duration, counting=term.counting,
                                        end_day_excluded=term.excludes_end_day(self.options(options)))

    def schedule(self, cells: Sequence[Cell], start: dt.datetime, *,
                 options: Mapping[str, Any] | None = None) -> list[Scheduled]:
        """Each cell's start and latest end when every step takes its stated maximum, from
        ``start`` (milestones counted from the start of their term's first cell)."""
        options = self.options(options)
        out: list[Scheduled] = []
        starts: dict[str, dt.datetime] = {}
        t = _local(start)
        for cell in cells:
            starts[cell.id] = t
            anchor = None
            if cell.milestone:
                first = self.term(cell.milestone).start
                anchor = starts.get(first, t) if first else t
            end = self.step_end(cell, t, options=options, milestone_start=anchor)
            out.append(Scheduled(cell, t, end))
            t = end
        return out

    def dues(self, channel: str, start: dt.datetime, *, extended: bool = False, refusal: bool = False,
             options: Mapping[str, Any] | None = None) -> list[Due]:
        """The due of every term over this channel's chain for a request whose chain starts at
        ``start`` (a term without cells counts from ``start`` itself)."""
        chain = self.chain(channel, extended=extended, refusal=refusal) if channel in self.chains else []
        plan = {s.cell.id: s for s in self.schedule(chain, start, options=options)}
        out = []
        for term in self.terms:
            if term.start is None and term.end is None:
                if term.duration is not None and (channel in term.result or channel in term.receipt):
                    out.append(Due(term, self.term_due(term, start, options=options), str(term.duration)))
                continue
            if term.start not in plan or term.end not in plan:
                continue
            allowed = self.span(term, channel, extended=extended, options=options).text()
            if term.duration is not None:
                out.append(Due(term, self.term_due(term, plan[term.start].start, options=options), allowed))
            else:
                out.append(Due(term, plan[term.end].end, allowed))
        return out

    def result_due(self, channel: str, start: dt.datetime, *, extended: bool = False,
                   options: Mapping[str, Any] | None = None) -> Due:
        """The result's due for a request on ``channel`` whose chain starts at ``start``."""
        want = self.result_term(channel)
        for d in self.dues(channel, start, extended=extended, options=options):
            if d.term.id == want.id:
                return d
        raise KeyError(f"term {want.id} does not lie on the {channel} chain of {self.id}")

    def receipt_due(self, channel: str, start: dt.datetime, *,
                    options: Mapping[str, Any] | None = None) -> Due | None:
        """The date the acceptance receipt promises, for a package accepted at ``start``."""
        want = self.receipt_term(channel)
        if want is None:
            return None
        return next(d for d in self.dues(channel, start, options=options) if d.term.id == want.id)

    def span(self, term: Term, channel: str, *, extended: bool = False,
             options: Mapping[str, Any] | None = None) -> Span:
        """How long a term allows, written as the regulation would: a stated term's duration, a
        sum's cells from start to end at their maxima (a milestone counts as its term)."""
        if term.duration is not None:
            return Span.of(term.duration)
        options = self.options(options)
        chain = self.chain(channel, extended=extended)
        ids = [c.id for c in chain]
        total, since = Span(), {}
        assert term.start is not None and term.end is not None, f"sum term {term.id} without its cells"
        for cell in chain[ids.index(term.start):ids.index(term.end) + 1]:
            since[cell.id] = total
            if self.is_milestone(cell, options):
                assert cell.milestone is not None  # is_milestone says so
                milestone = self.term(cell.milestone)
                total = since.get(milestone.start or "", Span()) + Span.of(milestone.duration)
            else:
                total = total + Span.of(self.effective_duration(cell, options))
        return total

    def summary(self, channel: str, options: Mapping[str, Any] | None = None) -> dict:
        """The result's term on a channel as text, normal and (000) extended: for catalogues."""
        term = self.result_term(channel)
        out = {"channel": channel, "term": term.id, "basis": term.basis.value,
               "allowed": self.span(term, channel, options=options).text(), "source": term.source}
        if any(c.when == EXTENDED for c in self.cells):
            out["extended"] = self.span(term, channel, extended=True, options=options).text()
        return out

    # --- consistency -----------------------------------------------------------------------------

    def fit(self, term: Term, cells: Sequence[Cell], options: Mapping[str, Any] | None = None) -> Fit:
        """The cells from the term's start to its end, each at its stated maximum, against the
        term: a milestone of this term takes whatever the cells before it leave, and so does a
        milestone of another term counted from the same start (seed 001's "N дней с момента
        регистрации" inside the overall term).

        A term counted from the next day (seed 001: "не позднее десяти рабочих дней с момента
        сдачи") leaves the day of submission out of its count: the steps of minutes and hours, up
        to one working day of them, fit in what is left of that day (the comparison errs towards
        "fits", as calendar days do against working days). A term whose day of issue is excluded
        allows one more day of its unit."""
        if term.duration is None:
            raise ValueError(f"term {term.id} is a sum: it fits its cells by definition")
        options = self.options(options)
        stated = allowance(term, options)
        per_day = self.clock(cells[0].calendar if cells else None).hours.minutes_per_day
        total = Span()
        for cell in cells:
            if self.is_milestone(cell, options):
                assert cell.milestone is not None  # is_milestone says so
                milestone = self.term(cell.milestone)
                if milestone.id == term.id or (milestone.start is not None and milestone.start == term.start):
                    reach = stated if milestone.id == term.id else allowance(milestone, options)
                    if not total.exceeds(reach, per_day):
                        total = reach
                    continue
            total = total + Span.of(self.effective_duration(cell, options))
        if term.counting == Counting.NEXT_DAY and total.minutes <= per_day:
            total = Span(total.cd, total.wd, 0.0)
        return Fit(term, tuple(cells), total, stated, total.exceeds(stated, per_day), per_day)

    def defects(self, options: Mapping[str, Any] | None = None) -> list[Defect]:
        """Stated terms over a chain that the chain's own cells, at their maxima, overrun."""
        options = self.options(options)
        out: list[Defect] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        seen_missing: set[tuple[str, str]] = set()
        for channel in self.chains:
            for extended, refusal in ((False, False), (True, False), (False, True)):
                chain = self.chain(channel, extended=extended, refusal=refusal)
                ids = [c.id for c in chain]
                for term in self.terms:
                    if term.duration is None or term.start not in ids or term.end not in ids:
                        continue
                    part = chain[ids.index(term.start):ids.index(term.end) + 1]
                    key = (term.id, tuple(c.id for c in part))
                    if key in seen:
                        continue
                    seen.add(key)
                    fit = self.fit(term, part, options)
                    if fit.exceeds:
                        out.append(Defect(self.regulation, self.id, term, tuple(part), fit.total.text(),
                                          fit.over.text(), channel, MappingProxyType(dict(options)),
                                          citation=term.defect or ""))
                    for cell in part:
                        if (cell.defect or not cell.has_deadline) and (term.id, cell.id) not in seen_missing:
                            seen_missing.add((term.id, cell.id))
                            out.append(Defect(self.regulation, self.id, term, tuple(part), fit.total.text(), "",
                                              channel, MappingProxyType(dict(options)), DefectKind.NO_DEADLINE,
                                              cell.defect or ""))
        return out


def overrun(total: Span, stated: Span, minutes_per_day: float) -> Span:
    """How much ``total`` exceeds ``stated``, in their own unit when they share one, else in
    working days of ``minutes_per_day`` (calendar days taken at 5 wd = 7 cd), to a tenth."""
    units = {u for span in (total, stated) for u, v in (("cd", span.cd), ("wd", span.wd)) if v}
    if len(units) <= 1:
        return total - stated
    gap = total.minutes_at(minutes_per_day) - stated.minutes_at(minutes_per_day)
    return Span(wd=round(gap / minutes_per_day, 1))


def allowance(term: Term, options: Mapping[str, Any] | None = None) -> Span:
    """What a stated term allows, as a span: its duration, and one more day of its unit when the
    day of issue is excluded from it."""
    stated = Span.of(term.duration)
    if term.excludes_end_day(options):
        stated = stated + (Span(cd=1) if stated.cd and not stated.wd else Span(wd=1))
    return stated


def sample_end(clock: WorkingTime, start: dt.datetime, latest: dt.datetime, rng: random.Random) -> dt.datetime:
    """A step that may take up to ``latest``: a draw in (0, latest - start] working minutes
    (whole minutes, at least one)."""
    whole = clock.working_minutes_between(start, latest)
    if whole <= 0:
        return _local(start)
    return clock.advance(start, max(1, math.ceil(rng.uniform(0, whole))))


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("terms need aware datetimes (Kazakhstan time: egov_sim.core.clock.ALMATY)")
    return moment.astimezone(ALMATY)


# --- the term files ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Regulation:
    """A regulation's term file: its readings and procedures."""

    regulation: str
    title: str
    source: str
    procedures: tuple[Procedure, ...]
    readings: tuple[Reading, ...]
    file: str

    def procedure(self, procedure_id: str | None = None) -> Procedure:
        if procedure_id is None:
            if len(self.procedures) != 1:
                raise KeyError(f"regulation {self.regulation} has procedures "
                               f"{', '.join(p.id for p in self.procedures)}: name one")
            return self.procedures[0]
        for p in self.procedures:
            if p.id == procedure_id:
                return p
        raise KeyError(f"regulation {self.regulation} has no procedure {procedure_id!r} "
                       f"(procedures: {', '.join(p.id for p in self.procedures)})")

    def options(self) -> dict[str, Any]:
        return {r.option: r.default for r in self.readings if r.option}


_FILE_KEYS = ("regulation", "title", "source", "note", "counting", "calendars", "readings", "procedures")
_READING_KEYS = ("id", "text", "reason", "option", "default", "otherwise")
_PROCEDURE_KEYS = ("id", "title", "services", "offices", "calendar", "cells", "chains", "terms", "note")
_CELL_KEYS = ("id", "duration", "calendar", "source", "text", "milestone", "replaces", "when", "reading", "note",
              "defect")
_TERM_KEYS = ("id", "basis", "duration", "start", "end", "source", "text", "counting", "end_day_excluded",
              "result", "receipt", "note", "defect", "calendar")
_DEFECT = re.compile(r"^D\d{2}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.]*$")
_WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_CHANNELS = ("con", "portal", "office", "akim")
_OFFICES = ("akimat", "rural_akim")


def load_regulation(path: str | Path) -> Regulation:
    """Read and check one term file (docs/terms.md, "Term files")."""
    path = Path(path)
    f = Checker(str(path), error=TermFileError)
    data = f.keys(read_yaml(path, f.name, error=TermFileError), "the term file", _FILE_KEYS,
                  ("regulation", "title", "calendars", "procedures"))
    seed = f.text(data, "regulation", "the term file", required=True, pattern=re.compile(r"^\d{3}$"))
    if seed != path.stem:
        raise f.fail(data.value_line("regulation"), f"regulation {seed!r} must be the file's name ({path.stem!r})")
    counting = _counting(f, data, "the term file", Counting.MOMENT)
    calendars = f.mapping(data, "calendars", "the term file", required=True)
    hours = {name: f.hours(value, calendars.value_line(name), f"calendar {name}") for name, value in calendars.items()}
    if not hours:
        raise f.fail(calendars.line, "calendars: name at least one (the provider's hours)")
    readings = _readings(f, data)
    options = {r.option: r for r in readings if r.option}
    procedures = []
    for _, p, label in f.each(f.seq(data, "procedures", "the term file", required=True), "procedure",
                              _PROCEDURE_KEYS, ("id", "title", "services", "offices", "cells", "terms")):
        procedures.append(_procedure(f, p, label, seed, hours, readings, options, counting))
    if not procedures:
        raise f.fail(data.line, "procedures: list at least one")
    ids = [p.id for p in procedures]
    if len(set(ids)) != len(ids):
        raise f.fail(data.value_line("procedures"), "procedure ids must be unique")
    return Regulation(seed, f.text(data, "title", "the term file", required=True),
                      f.text(data, "source", "the term file") or "", tuple(procedures), tuple(readings), f.name)


def _counting(f: Checker, m: YamlMap, where: str, default: Counting) -> Counting:
    text = f.text(m, "counting", where, choices=[c.value for c in Counting])
    return Counting(text) if text else default


def _readings(f: Checker, data: YamlMap) -> list[Reading]:
    out = []
    for _, r, label in f.each(f.seq(data, "readings", "the term file"), "reading", _READING_KEYS,
                              ("id", "text", "reason")):
        option = f.text(r, "option", label, pattern=_WORD)
        default = r.get("default")
        if option is not None and not isinstance(default, bool):
            raise f.fail(r.value_line("default") if "default" in r else r.line,
                         f"{label}: option {option!r} needs a default, true or false")
        if option is None and default is not None:
            raise f.fail(r.key_line("default"), f"{label}: a default needs an option to switch")
        out.append(Reading(f.text(r, "id", label, required=True), f.text(r, "text", label, required=True),
                           f.text(r, "reason", label, required=True), option, default,
                           f.text(r, "otherwise", label) or ""))
    return out


def _procedure(f: Checker, p: YamlMap, label: str, seed: str, hours: Mapping[str, str],
               readings: list[Reading], options: Mapping[str, Reading], counting: Counting) -> Procedure:
    pid = f.text(p, "id", label, required=True, pattern=_WORD)
    where = f"procedure {pid}"
    services = f.texts(p, "services", where)
    for code, line in services:
        if code not in SERVICES and _balkhash(code) is None:
            raise f.fail(line, f"{where}: service {code!r} is neither in egov_sim/reference/catalogue.py nor one "
                               "of seed 001's BLH-S01..BLH-S15 (egov_sim/reference/balkhash_services.py)")
        if (_balkhash(code) is not None) != (seed == balkhash_services.SEED):
            raise f.fail(line, f"{where}: service {code!r} is not a service of seed {seed}")
    offices = f.texts(p, "offices", where)
    for kind, line in offices:
        if kind not in _OFFICES:
            raise f.fail(line, f"{where}: office kind {kind!r} is not one of {', '.join(_OFFICES)}")
    default_calendar = f.text(p, "calendar", where) or next(iter(hours))
    if default_calendar not in hours:
        raise f.fail(p.value_line("calendar"), f"{where}: calendar {default_calendar!r} is not declared")

    cells: list[Cell] = []
    pending_milestones: list[tuple[Cell, int]] = []
    for _, c, clabel in f.each(f.seq(p, "cells", where, required=True), "cell", _CELL_KEYS, ("id",)):
        cid = f.text(c, "id", clabel, required=True, pattern=_ID)
        cwhere = f"{where}: cell {cid}"
        if any(x.id == cid for x in cells):
            raise f.fail(c.value_line("id"), f"{cwhere}: duplicate cell id")
        calendar = f.text(c, "calendar", cwhere) or default_calendar
        if calendar not in hours:
            raise f.fail(c.value_line("calendar"), f"{cwhere}: calendar {calendar!r} is not declared")
        reading = f.text(c, "reading", cwhere)
        if reading is not None and reading not in options:
            raise f.fail(c.value_line("reading"), f"{cwhere}: no reading declares option {reading!r}")
        milestone = c.get("milestone")
        milestone_term = milestone_reading = None
        if milestone is not None:
            if isinstance(milestone, str):
                milestone_term = milestone
            elif isinstance(milestone, YamlMap):
                f.keys(milestone, f"{cwhere}: milestone", ("term", "reading"), ("term",))
                milestone_term = f.text(milestone, "term", f"{cwhere}: milestone", required=True)
                milestone_reading = f.text(milestone, "reading", f"{cwhere}: milestone")
                if milestone_reading is not None and milestone_reading not in options:
                    raise f.fail(milestone.value_line("reading"),
                                 f"{cwhere}: no reading declares option {milestone_reading!r}")
            else:
                raise f.fail(c.value_line("milestone"), f"{cwhere}: milestone is a term id or {{term, reading}}")
        when = f.text(c, "when", cwhere, choices=(EXTENDED, REFUSAL))
        replaces = f.text(c, "replaces", cwhere)
        if (when is None) != (replaces is None):
            raise f.fail(c.line, f"{cwhere}: 'replaces' and 'when' go together")
        cell = Cell(cid, f.duration(c, "duration", cwhere), calendar, f.text(c, "source", cwhere) or "",
                    f.text(c, "text", cwhere) or "", milestone_term, milestone_reading, replaces, when, reading,
                    f.text(c, "defect", cwhere, pattern=_DEFECT))
        if milestone_term is not None:
            pending_milestones.append((cell, c.value_line("milestone")))
        cells.append(cell)
    known = {c.id for c in cells}
    for made in cells:
        if made.replaces is not None and made.replaces not in known:
            raise f.fail(0, f"{where}: cell {made.id} replaces {made.replaces!r}, which is not a cell")

    chains: dict[str, tuple[str, ...]] = {}
    raw_chains = f.mapping(p, "chains", where)
    for channel, _ids in raw_chains.items():
        if channel not in _CHANNELS:
            raise f.fail(raw_chains.key_line(channel), f"{where}: chain {channel!r} is not a channel "
                                                        f"({', '.join(_CHANNELS)})")
        items = f.texts(raw_chains, channel, f"{where}: chain {channel}")
        for cid, line in items:
            if cid not in known:
                raise f.fail(line, f"{where}: chain {channel}: no cell {cid!r}")
        chains[channel] = tuple(i for i, _ in items)

    terms: list[Term] = []
    for _, t, tlabel in f.each(f.seq(p, "terms", where, required=True), "term", _TERM_KEYS, ("id", "basis")):
        tid = f.text(t, "id", tlabel, required=True, pattern=_WORD)
        twhere = f"{where}: term {tid}"
        if any(x.id == tid for x in terms):
            raise f.fail(t.value_line("id"), f"{twhere}: duplicate term id")
        basis = TermBasis(f.text(t, "basis", twhere, required=True, choices=[b.value for b in TermBasis]))
        duration = f.duration(t, "duration", twhere)
        if basis == TermBasis.STATED and duration is None:
            raise f.fail(t.line, f"{twhere}: a stated term has a duration")
        if basis == TermBasis.SUM and duration is not None:
            raise f.fail(t.key_line("duration"), f"{twhere}: a sum has no duration of its own (it is its cells')")
        start, end = f.text(t, "start", twhere), f.text(t, "end", twhere)
        for key, value in (("start", start), ("end", end)):
            if value is not None and value not in known:
                raise f.fail(t.value_line(key), f"{twhere}: {key} {value!r} is not a cell")
        if basis == TermBasis.SUM and (start is None or end is None):
            raise f.fail(t.line, f"{twhere}: a sum runs from a start cell to an end cell")
        result = f.texts(t, "result", twhere)
        receipt = f.texts(t, "receipt", twhere)
        for channel, line in (*result, *receipt):
            if channel not in _CHANNELS:
                raise f.fail(line, f"{twhere}: {channel!r} is not a channel ({', '.join(_CHANNELS)})")
        excluded, end_day_reading = _end_day(f, t, twhere, options)
        term_calendar = f.text(t, "calendar", twhere)
        if term_calendar is not None and term_calendar not in hours:
            raise f.fail(t.value_line("calendar"), f"{twhere}: calendar {term_calendar!r} is not declared")
        terms.append(Term(tid, basis, duration, start, end, f.text(t, "source", twhere) or "",
                          f.text(t, "text", twhere) or "", _counting(f, t, twhere, counting),
                          excluded, tuple(c for c, _ in result), tuple(c for c, _ in receipt),
                          end_day_reading, f.text(t, "defect", twhere, pattern=_DEFECT), term_calendar))
    term_ids = {t.id for t in terms}
    for cell, line in pending_milestones:
        if cell.milestone not in term_ids:
            raise f.fail(line, f"{where}: cell {cell.id} is a milestone of {cell.milestone!r}, which is not a term")
        if next(t for t in terms if t.id == cell.milestone).duration is None:
            raise f.fail(line, f"{where}: cell {cell.id}: a milestone's term is a stated one")
    for channel in chains:
        if sum(channel in t.result for t in terms) > 1:
            raise f.fail(p.line, f"{where}: more than one result term for the {channel} channel")
    return Procedure(seed, pid, f.text(p, "title", where, required=True), tuple(c for c, _ in services),
                     tuple(o for o, _ in offices), MappingProxyType(dict(hours)), default_calendar, tuple(cells),
                     MappingProxyType(chains), tuple(terms), tuple(readings), f.name)


def _end_day(f: Checker, t: YamlMap, where: str, options: Mapping[str, Reading]) -> tuple[bool, str | None]:
    """``end_day_excluded``: true, false, or ``{reading: option}`` (the option's value, its
    reading's default unless a system or scenario switches it)."""
    value = t.get("end_day_excluded")
    if isinstance(value, YamlMap):
        f.keys(value, f"{where}: end_day_excluded", ("reading",), ("reading",))
        option = f.text(value, "reading", f"{where}: end_day_excluded", required=True)
        if option not in options:
            raise f.fail(value.value_line("reading"), f"{where}: no reading declares option {option!r}")
        return bool(options[option].default), option
    return f.flag(t, "end_day_excluded", where), None


def _balkhash(code: str) -> balkhash_services.BalkhashService | None:
    try:
        return balkhash_services.service(code) if code.startswith("BLH-") else None
    except balkhash_services.UnknownService:
        return None


def _package_dir() -> Path:
    return Path(str(importlib.resources.files("egov_sim.reference") / REGULATIONS_DIR))


def term_file_paths() -> list[Path]:
    """The shipped term files (egov_sim/reference/regulations/*.yaml)."""
    return sorted(_package_dir().glob("*.yaml"))


@functools.cache
def regulations() -> Mapping[str, Regulation]:
    """Every shipped term file, by regulation (seed) number."""
    return MappingProxyType({r.regulation: r for r in map(load_regulation, term_file_paths())})


def regulation(seed: str) -> Regulation | None:
    """The term file of a regulation, or None when it has none."""
    return regulations().get(seed)


@functools.cache
def procedure_for(service_code: str, office_kind: str = "akimat") -> Procedure:
    """The procedure that governs ``service_code`` at a kind of office (``akimat``,
    ``rural_akim``); a service no term file covers gets one stated term from the catalogue."""
    blh = _balkhash(service_code)
    reg = regulation(balkhash_services.SEED if blh is not None else SERVICES[service_code].seed)
    if reg is not None:
        for p in reg.procedures:
            if service_code in p.services and office_kind in p.offices:
                return p
    if blh is not None:
        raise KeyError(f"{service_code}: no procedure of regulation {balkhash_services.SEED} serves it at "
                       f"a {office_kind} office")
    return _from_catalogue(SERVICES[service_code], office_kind)


def _from_catalogue(service: StateService, office_kind: str) -> Procedure:
    days = service.deadline_wd
    if days is None:
        raise KeyError(f"{service.code}: no term file of regulation {service.seed} covers it and the "
                       "catalogue states no deadline_wd")
    term = Term("result", TermBasis.STATED, parse_duration(f"{days} wd"), source=f"catalogue ({service.code})",
                text=f"{days} working days from registration, the day of registration not counted",
                counting=Counting.NEXT_DAY, result=_CHANNELS)
    provider_hours = "09:00-18:00/13:00-14:00"
    return Procedure(service.seed, "catalogue", service.name_ru, (service.code,), (office_kind,),
                     MappingProxyType({"provider": provider_hours}), "provider", (), MappingProxyType({}),
                     (term,), (), "egov_sim/reference/catalogue.py", fallback=True)


def service_terms(service: StateService, options: Mapping[str, Any] | None = None) -> list[dict]:
    """Each kind of office's result term for ``service``, per channel (what a catalogue shows)."""
    reg = regulation(service.seed)
    procedures = [p for p in reg.procedures if service.code in p.services] if reg else []
    if not procedures:
        procedures = [_from_catalogue(service, "akimat")]
    out = []
    for procedure in procedures:
        channels = procedure.chains or {c: () for c in service.channels}
        for channel in channels:
            if channel in service.channels:
                out.append({"office": procedure.offices[0], **procedure.summary(channel, options)})
    return out


def all_options() -> dict[str, Any]:
    """Every term reading's option with its default, over all shipped term files."""
    out: dict[str, Any] = {}
    for reg in regulations().values():
        out.update(reg.options())
    return out
