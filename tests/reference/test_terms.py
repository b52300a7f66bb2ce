"""The term model: one definition of each regulation's terms, the arithmetic over it, the
readings that switch it, and the defects it finds in the regulations' own tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from egov_sim.core.clock import ALMATY
from egov_sim.core.working_time import PROVIDER_HOURS, WorkingTime, parse_duration
from egov_sim.reference import terms
from egov_sim.reference.terms import TermBasis, TermFileError, load_regulation, procedure_for

GUARDIAN, SOCIAL = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR", "SIM_SOCIAL_ASSISTANCE_ALMATY_OBL"
office = WorkingTime(PROVIDER_HOURS)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def test_every_shipped_term_file_loads_and_covers_its_services():
    regs = terms.regulations()
    assert set(regs) == {"000", "001", "002"}
    assert [p.id for p in regs["001"].procedures] == [f"s{n:02d}" for n in range(1, 16)]
    assert procedure_for("BLH-S06", "rural_akim").id == "s06"
    assert procedure_for(GUARDIAN).id == "guardian_allowance"
    assert procedure_for(SOCIAL, "akimat").id == "provider"
    assert procedure_for(SOCIAL, "rural_akim").id == "rural_akim"


def test_the_milestone_counts_from_hand_in_and_binds_s3():
    """000 §5.3: 4 wd from the moment the package is handed to the akim. Friday 29 August 2025
    17:30, Constitution Day observed on Monday 1 September: S3 ends by Friday 5 September 17:30,
    the stated term; S4 (1 wd), S5 (2 wd), S6 (30 min) follow."""
    akim = procedure_for(SOCIAL, "rural_akim")
    dues = {d.term.id: d.due for d in akim.dues("akim", at(2025, 8, 29, 17, 30))}
    assert dues["drawn_up"] == at(2025, 9, 5, 17, 30)
    plan = {s.cell.id: s for s in akim.schedule(akim.chain("akim"), at(2025, 8, 29, 17, 30))}
    assert plan["S3"].end == dues["drawn_up"]  # S3 takes what S1 and S2 leave
    assert plan["S6"].end == dues["issued"] == office.add(at(2025, 9, 5, 17, 30), parse_duration("3 wd 30 min"))
    assert akim.result_due("akim", at(2025, 8, 29, 17, 30)).term.id == "issued"


def test_the_step_reading_overruns_the_stated_term():
    akim = procedure_for(SOCIAL, "rural_akim")
    start = at(2025, 8, 29, 17, 30)
    as_step = {"hand_in_milestone": False}
    plan = {s.cell.id: s for s in akim.schedule(akim.chain("akim"), start, options=as_step)}
    drawn_up = next(d for d in akim.dues("akim", start, options=as_step) if d.term.id == "drawn_up")
    assert drawn_up.due == at(2025, 9, 5, 17, 30)  # the stated term does not move
    assert plan["S3"].end == office.add(start, parse_duration("4 wd 1 h")) > drawn_up.due
    (defect,) = [d for d in akim.defects(as_step) if d.term.id == "drawn_up"]
    assert [c.id for c in defect.cells] == ["S1", "S2", "S3"]
    assert (defect.total, defect.over) == ("4 wd 1 h", "1 h")
    assert akim.defects() == []  # the regulation's own words: the steps fit by construction


def test_the_extended_term_replaces_s3_and_counts_from_hand_in_too():
    provider = procedure_for(SOCIAL, "akimat")
    start = at(2025, 12, 15, 16, 0)
    dues = {d.term.id: d.due for d in provider.dues("office", start, extended=True)}
    assert "drawn_up" not in dues
    assert dues["drawn_up_extended"] == office.add(start, parse_duration("19 wd"))
    assert dues["issued"] == office.add(dues["drawn_up_extended"], parse_duration("5 h"))
    assert [c.id for c in provider.chain("office", extended=True)] == ["S1", "S2", "S3X", "S4", "S5", "S6"]


def test_002_sums_app1_and_the_receipt_adds_the_transfers_and_the_issue():
    p = procedure_for(GUARDIAN)
    start = at(2026, 2, 2, 10, 0)
    assert p.result_due("office", start).due == office.add(start, parse_duration("9 wd 30 min"))
    assert p.span(p.term("provider_chain"), "office").text() == "9 wd 30 min"
    receipt = p.receipt_due("con", start)
    # 1 wd + 9 wd 30 min at the provider, 1 wd of the ЦОН (11 h), 15 min at the ЦОН
    after_provider = office.add(start, parse_duration("10 wd 30 min"))
    assert receipt.due == WorkingTime("09:00-20:00").add(after_provider, parse_duration("1 wd 15 min"))
    without = p.receipt_due("con", start, options={"app4_hand_offs": False})
    assert without.due == WorkingTime("09:00-20:00").add(office.add(start, parse_duration("9 wd 30 min")),
                                                         parse_duration("15 min"))


def test_sum_terms_have_no_stated_duration_and_stated_ones_do():
    p = procedure_for(GUARDIAN)
    assert p.term("provider_chain").basis == TermBasis.SUM and p.term("provider_chain").duration is None
    assert p.term("con_intake").basis == TermBasis.STATED and str(p.term("con_intake").duration) == "15 min"


def test_a_service_without_a_term_file_keeps_the_catalogues_term():
    p = procedure_for("SIM_PROSTHETIC_AID_BALKHASH")
    assert p.fallback
    due = p.result_due("con", at(2026, 2, 2, 10, 0))
    assert due.due == at(2026, 2, 16, 18, 0)  # 10 wd from the day after, at the closing


def test_unknown_options_are_ignored_known_ones_switch():
    p = procedure_for(SOCIAL, "akimat")
    assert p.options({"refusal_via_head": False}) == {"hand_in_milestone": True}
    assert p.options({"hand_in_milestone": False}) == {"hand_in_milestone": False}


BAD = [
    ("regulation: '002'\ntitle: x\ncalendars: {provider: '09:00-18:00'}\nprocedures: []\n",
     "009.yaml:1: regulation '002' must be the file's name ('009')"),
    ("regulation: '009'\ntitle: x\ncalendars: {provider: '09:00-25:00'}\nprocedures: []\n",
     "009.yaml:3: calendar provider:"),
    ("regulation: '009'\ntitle: x\ncalendars: {provider: '09:00-18:00'}\nprocedures:\n"
     "  - {id: p, title: t, services: [SIM_GUARDIAN_ALLOWANCE_PAVLODAR], offices: [akimat],\n"
     "     cells: [{id: A1, duration: '30 mins'}], terms: []}\n",
     "009.yaml:6: procedure p: cell A1: '30 mins': cannot read"),
    ("regulation: '009'\ntitle: x\ncalendars: {provider: '09:00-18:00'}\nprocedures:\n"
     "  - id: p\n    title: t\n    services: [SIM_GUARDIAN_ALLOWANCE_PAVLODAR]\n    offices: [akimat]\n"
     "    cells: [{id: A1, duration: '30 min'}]\n    terms:\n      - {id: total, basis: sum, start: A1}\n",
     "009.yaml:11: procedure p: term total: a sum runs from a start cell to an end cell"),
    ("regulation: '009'\ntitle: x\ncalendars: {provider: '09:00-18:00'}\nprocedures:\n"
     "  - id: p\n    title: t\n    services: [SIM_GUARDIAN_ALLOWANCE_PAVLODAR]\n    offices: [akimat]\n"
     "    cells: [{id: A1, duration: '1 wd', milestone: total}]\n    terms:\n"
     "      - {id: other, basis: stated, duration: '1 wd'}\n",
     "009.yaml:9: procedure p: cell A1 is a milestone of 'total', which is not a term"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_a_bad_term_file_is_refused_at_its_line(tmp_path: Path, text: str, message: str):
    path = tmp_path / "009.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TermFileError) as err:
        load_regulation(path)
    assert str(err.value).startswith(f"{tmp_path}/{message}"), str(err.value)
