"""The flow validator: condition branches no set-up can make fail, terms with nothing under them,
and regulation defects, on the shipped flows and on a flow written to have them."""

from __future__ import annotations

import textwrap

from egov_sim.scenarios.loader import load_all, load_flow
from egov_sim.scenarios.validator import check_flow, check_flows, unfailable_branches
from tests.support.engine import hide_the_term_file_of_001

FLOWS, _ = load_all()

UNTESTABLE = textwrap.dedent("""\
    id: 001-untestable
    regulation: "001"
    channel: office
    title: "A flow with a condition no scenario can make fail"
    working_hours: "09:00-18:00/13:00-14:00"
    lanes: {RECIPIENT: recipient, PROVIDER: provider}
    terms:
      - {id: total, duration: "1 wd", start: A1, end: [A2, X1]}
    nodes:
      - {id: START, kind: start, lane: RECIPIENT, next: A1}
      - {id: A1, kind: process, lane: PROVIDER, title: "Accepts.", op: office.accept,
         args: {service: SIM_PROSTHETIC_AID_BALKHASH, provider: BLH_EMPLOYMENT_SOCIAL}, next: C1}
      - {id: C1, kind: condition, lane: PROVIDER, title: "Is the operator signed in?", check: K02,
         op: arm.review, args: {check: conformity}, on_true: C2, on_false: X1}
      - {id: C2, kind: condition, lane: PROVIDER, title: "Anything else?", op: arm.review,
         args: {check: conformity}, on_true: A2, on_false: X1}
      - {id: A2, kind: process, lane: PROVIDER, title: "Decides.", op: arm.draft, duration: "2 wd", next: END}
      - {id: X1, kind: process, lane: PROVIDER, title: "Refuses.", op: person.act, next: END}
      - {id: END, kind: end, lane: RECIPIENT, outcomes: [decision, refusal]}
    """)


def test_conditions_no_set_up_can_make_fail_are_reported(tmp_path, monkeypatch):
    hide_the_term_file_of_001(monkeypatch)
    path = tmp_path / "001-untestable.yaml"
    path.write_text(UNTESTABLE, encoding="utf-8")
    flow = load_flow(path)
    found = {(f.kind, f.node) for f in check_flow(flow)}
    assert ("unfailable-branch", "C1") in found and ("unfailable-branch", "C2") in found
    c1 = next(f for f in unfailable_branches(flow) if f.node == "C1")
    assert "K02" in c1.text and "→ X1" in c1.text and c1.line == 13
    # the 1 wd term: A2's 2 wd overrun it (a defect); the refusal path has no duration under it
    assert ("regulation-defect", "A1") in found and ("term-without-durations", "A1") in found


def test_the_shipped_flows_have_no_unfailable_branch_and_their_defects_cite_the_register():
    findings = check_flows(FLOWS.values())
    assert not [f for f in findings if f.kind == "unfailable-branch"]
    assert {(f.flow, f.kind) for f in findings} == {("002-con", "regulation-defect"),
                                                     ("002-portal", "term-without-durations"),
                                                     ("001-s02-office", "regulation-defect"),
                                                     ("001-s02-con", "regulation-defect"),
                                                     ("001-s03-office", "regulation-defect"),
                                                     ("001-s05-con", "regulation-defect"),
                                                     ("001-s11-con", "regulation-defect"),
                                                     ("001-s12-office", "regulation-defect")}
    assert "C0 15 min + X2 20 min = 35 min" in next(str(f) for f in findings if f.flow == "002-con")
    # seed 001's: each cites its entry of the defect register (regulations-balkhash §19)
    cited = {(f.flow, f.text.rsplit("[", 1)[-1].rstrip("]")) for f in findings if f.flow.startswith("001")}
    assert cited == {("001-s02-office", "D01"), ("001-s02-con", "D02"), ("001-s03-office", "D06"),
                     ("001-s05-con", "D13"), ("001-s11-con", "D30"), ("001-s12-office", "D34")}
