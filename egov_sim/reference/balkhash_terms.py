"""Seed 001's fifteen services on the one term model: the dates the Balkhash systems promise.

The department's талон (the date the service will be received), the 2012 ЦОН's расписка (the
date of issue), the return of a package to the ЦОН, the survey order's term, the akim's
forwarding milestone and the ЦОН's informing term are all counted here from the regulation's
term file (egov_sim/reference/regulations/001.yaml) with the readings the systems run under
(``Readings.term_options``), so they are the very dates the scenario engine judges against.

Channels are the systems' (``uo``, ``con``, ``akim``); the term file names the УО's channel
``office``, as for every provider's office.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from .balkhash_services import AKIM, CON, UO, BalkhashService, Readings
from .terms import Cell, Due, Procedure, Term, procedure_for

TERM_CHANNEL = {UO: "office", CON: "con", AKIM: "akim"}
"""The systems' channel → the term file's."""


def procedure(service: BalkhashService) -> Procedure:
    """The service's procedure in the term file (one per service)."""
    return procedure_for(service.code, "akimat")


def options(readings: Readings | None) -> Mapping[str, Any]:
    return (readings or Readings()).term_options()


def result_term(service: BalkhashService, channel: str) -> Term:
    """The stated term of the service on a channel (the date on the талон or the расписка)."""
    return procedure(service).result_term(TERM_CHANNEL[channel])


def result_due(service: BalkhashService, channel: str, registered: dt.datetime,
               readings: Readings | None = None) -> Due:
    """When the result of an application registered at ``registered`` is due on ``channel``:
    at the УО or the akim, the date on the талон; through the ЦОН, the date on the расписка."""
    return procedure(service).result_due(TERM_CHANNEL[channel], registered, options=options(readings))


def term_due(service: BalkhashService, term_id: str, start: dt.datetime, readings: Readings | None = None,
             *, calendar: str = "uo") -> Due:
    """A stated term of the service counted from ``start`` (``return``: the УО's return of a
    package to the ЦОН from its receipt; ``inform``: the ЦОН's informing; ``forwarded``: the
    akim's milestone). A term without cells is counted on ``calendar``."""
    proc = procedure(service)
    term = proc.term(term_id)
    due = proc.term_due(term, start, options=options(readings),
                        calendar=None if term.start and proc.has_cell(term.start) else calendar)
    return Due(term, due, str(term.duration))


def has_term(service: BalkhashService, term_id: str) -> bool:
    return any(t.id == term_id for t in procedure(service).terms)


def cell(service: BalkhashService, cell_id: str) -> Cell:
    return procedure(service).cell(cell_id)


def step_due(service: BalkhashService, cell_id: str, start: dt.datetime, readings: Readings | None = None,
             *, registered: dt.datetime | None = None) -> dt.datetime:
    """When a step of ``cell_id`` begun at ``start`` is due to end (a milestone: counted from the
    registration)."""
    proc = procedure(service)
    return proc.step_end(proc.cell(cell_id), start, options=options(readings), milestone_start=registered)


def norm(service: BalkhashService, cell_id: str | None, readings: Readings | None = None) -> str | None:
    """A step's term as the table states it: ``15 min``, ``<= 10 wd``, ``20 cd from registration``
    (a milestone), or None when the table gives none."""
    if cell_id is None:
        return None
    proc = procedure(service)
    c = proc.cell(cell_id)
    if c.duration is None:
        return None
    text = str(c.duration)
    if proc.is_milestone(c, options(readings)):
        text += " from registration"
    return text


def term_text(service: BalkhashService, channel: str, readings: Readings | None = None) -> str:
    """The stated term of a channel in words for a receipt: ``20 cd (the day of acceptance and the
    day of issue not counted)``."""
    t = result_term(service, channel)
    text = str(t.duration)
    if t.excludes_end_day(options(readings)):
        text += " (день приема и выдачи не входит в срок)"
    return text


def term_json(service: BalkhashService, channel: str, readings: Readings | None = None) -> dict:
    t = result_term(service, channel)
    return {"term": t.id, "duration": str(t.duration), "counting": t.counting.value,
            "issueDayExcluded": t.excludes_end_day(options(readings)), "source": t.source,
            "text": term_text(service, channel, readings)}
