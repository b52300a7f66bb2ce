"""A realistic run, built by hand, for the report tests: the flows 002-portal (regulations-kz.md
§4.4) and 000-provider_office (§5.1), and four scenarios: two passing (one with ШЭП messages),
one diverging at the portal's EDS check C2, one on the right path but past its deadline.

Times are the virtual clock in Kazakhstan time; working days skip weekends, as
the term model counts them (egov_sim/reference/terms.py).
"""

from __future__ import annotations

import datetime as dt

from egov_sim.core.clock import ALMATY
from egov_sim.scenarios.model import Duration, Flow, Node, Reading, Term
from egov_sim.scenarios.results import (
    DeadlineVerdict,
    DefectCell,
    MessageRecord,
    RegulationDefect,
    RunResult,
    ScenarioResult,
    StepResult,
    TermResult,
    Verdict,
)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A moment in February 2024, Kazakhstan time (5 Feb 2024 is a Monday)."""
    return dt.datetime(2024, 2, day, hour, minute, second, tzinfo=ALMATY)


def plus_wd(moment: dt.datetime, days: int) -> dt.datetime:
    """``days`` working days later, same time of day (Mon–Fri, holidays not modelled)."""
    while days > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def plus_min(moment: dt.datetime, minutes: int) -> dt.datetime:
    return moment + dt.timedelta(minutes=minutes)


MIN30 = Duration(30, "min", text="30 min")
WD1 = Duration(1, "wd", text="1 wd")
WD6 = Duration(6, "wd", within=True, text="<= 6 wd")

PORTAL = Flow(
    id="002-portal",
    regulation="002",
    channel="portal",
    title="Пособие опекунам (Павлодарская обл.): портал egov.kz",
    lanes=("RECIPIENT", "PORTAL", "EGOV_PORTAL_IS", "SHEP", "RSHEP_ARM"),
    nodes=(
        Node("START", "start", "RECIPIENT", "Recipient opens the portal.", next="X1", line=3),
        Node("X1", "process", "PORTAL", "Register on the portal with IIN and password", actor="RECIPIENT",
             next="P1", op="portal.register", line=5),
        Node("P1", "process", "PORTAL", "Enter IIN and password (authorization)", actor="RECIPIENT",
             next="C1", op="portal.login", line=9),
        Node("C1", "condition", "EGOV_PORTAL_IS", "Are the recipient's IIN and password authentic?",
             on_true="P3", on_false="P2", check="K07", line=13),
        Node("P2", "process", "EGOV_PORTAL_IS", "Notice: authorization refused", next="END_AUTH_REFUSED",
             line=17),
        Node("END_AUTH_REFUSED", "end", "RECIPIENT", "Authorization refused", line=20),
        Node("P3", "process", "PORTAL", "Choose the service, fill the form, attach e-copies, sign with EDS",
             actor="RECIPIENT", next="C2", op="portal.submit", args={"service": "kz.pavlodar.guardian_allowance"},
             check="K11", line=22),
        Node("C2", "condition", "EGOV_PORTAL_IS",
             "EDS certificate valid, not revoked, IIN in request = IIN in certificate?",
             on_true="P5", on_false="P4", check="K08", line=27),
        Node("P4", "process", "EGOV_PORTAL_IS", "Notice: refusal, EDS not confirmed", next="END_EDS_REFUSED",
             line=31),
        Node("END_EDS_REFUSED", "end", "RECIPIENT", "EDS not confirmed", line=34),
        Node("P5", "process", "SHEP", "Send the signed request via ШЭП to АРМ РШЭП", next="A1",
             op="shep.submit", line=36),
        Node("A1", "process", "RSHEP_ARM", "Accept and register the request; forward to the head",
             actor="PROV_OFFICE", next="A2", duration=MIN30, op="arm.register", basis="reconstructed", line=40),
        Node("A2", "process", "RSHEP_ARM", "Resolution; appoint the responsible executor", actor="PROV_HEAD",
             next="C3", duration=WD1, op="arm.resolve", line=45),
        Node("C3", "condition", "RSHEP_ARM", "Do the documents conform and are there grounds?",
             actor="PROV_EXEC", on_true="A3", on_false="P6", check="K06", line=49),
        Node("A3", "process", "RSHEP_ARM", "Draw up the decision on assigning the allowance",
             actor="PROV_EXEC", next="A4", duration=WD6, op="arm.decide", line=54),
        Node("A4", "process", "RSHEP_ARM", "Review and sign the decision", actor="PROV_HEAD", next="A5",
             duration=WD1, op="arm.sign", check="K14", line=58),
        Node("A5", "process", "RSHEP_ARM", "Register the decision in the journal; issue the result",
             actor="PROV_EXEC", next="P7", duration=WD1, op="arm.issue", line=63),
        Node("P6", "process", "RSHEP_ARM", "Notice of refusal (violations in the documents)", actor="PROV_EXEC",
             next="P7", op="arm.refuse", line=68),
        Node("P7", "process", "PORTAL", "Recipient receives the e-notice in the personal cabinet",
             actor="RECIPIENT", next="END_RESULT", op="portal.cabinet", check="K13", line=73),
        Node("END_RESULT", "end", "RECIPIENT", "Decision on the allowance, or refusal notice", line=78,
             outcomes=("decision", "refusal")),
    ),
    total=Duration(9, "wd", text="9 wd 30 min"),
    terms=(Term("provider_chain", Duration(9, "wd", text="9 wd 30 min"), start="A1", end=("A5", "P6"),
                source="App.1", text="30 min + 1 + 6 + 1 + 1 wd"),
           Term("application_via_portal", Duration(15, "min", text="15 min"), start="X1", end=("P5",),
                source="§11 heading")),
    lane_hours={"PORTAL": "24/7"},
    readings=(Reading("R1", "The refusal passes A4/A5", "§11.10 is silent", option="refusal_via_head",
                      default=False),),
    source="scenarios/flows/002-portal.yaml",
)

PROVIDER_000 = Flow(
    id="000-provider_office",
    regulation="000",
    channel="provider_office",
    title="Әлеуметтік көмек (Алматы облысы): көрсетілетін қызметті беруші",
    lanes=("RECIPIENT", "PROVIDER"),
    nodes=(
        Node("START", "start", "RECIPIENT", "Recipient applies with the Standard item-9 documents", next="S1"),
        Node("S1", "process", "PROVIDER", "Accept, register, send to the head", actor="PROV_OFFICE", next="S2",
             duration=MIN30),
        Node("S2", "process", "PROVIDER", "Review documents, determine the executor", actor="PROV_HEAD",
             next="C1", duration=MIN30),
        Node("C1", "condition", "PROVIDER", "Documents sufficient and presentable?", actor="PROV_EXEC",
             on_true="S3", on_false="S3X", check="K15"),
        Node("S3", "process", "PROVIDER", "Review documents, draw up the result", actor="PROV_EXEC", next="S4",
             duration=Duration(7, "wd", text="7 wd")),
        Node("S3X", "process", "PROVIDER", "Draw up the result (documents insufficient)", actor="PROV_EXEC",
             next="S4", duration=Duration(19, "wd", text="19 wd")),
        Node("S4", "process", "PROVIDER", "Send the result to the head for signature", actor="PROV_EXEC",
             next="S5", duration=MIN30),
        Node("S5", "process", "PROVIDER", "Sign the result, send it back", actor="PROV_HEAD", next="S6",
             duration=Duration(4, "h", text="4 h"), check="K19"),
        Node("S6", "process", "PROVIDER", "Issue the notice to the recipient", actor="PROV_EXEC",
             next="END_RESULT", duration=MIN30),
        Node("END_RESULT", "end", "RECIPIENT", "Notice on assignment of social assistance"),
    ),
    total=Duration(7, "wd", text="7 wd 6 h"),
    source="scenarios/flows/000-provider_office.yaml",
)

SUBMIT_REQUEST = """<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"/></soap:Header>
  <soap:Body>
    <SendMessage>
      <requestInfo><messageId>6f1c2b1e-0001</messageId><serviceId>EGOV_SIM_RSHEP</serviceId>
        <sender><senderId>EGOV_SIM_PORTAL</senderId></sender></requestInfo>
      <requestData><data><request iin="870412300415">
        <lastName>Жақсылықова</lastName><firstName>Әсел</firstName>
        <service>Қорғаншыларға жәрдемақы &amp; пособие опекунам</service>
      </request></data></requestData>
    </SendMessage>
  </soap:Body>
</soap:Envelope>"""

SUBMIT_RESPONSE = """<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<SendMessageResponse><responseInfo><status><code>SCSS001</code><message>Сообщение принято</message></status>
</responseInfo></SendMessageResponse></soap:Body></soap:Envelope>"""

RESULT_REQUEST = """<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<SendMessage><requestInfo><serviceId>SIM_PORTAL_INBOX</serviceId></requestInfo>
<requestData><data><result kind="decision" signedBy="PROV_HEAD">Шешім: жәрдемақы тағайындалсын</result></data></requestData>
</SendMessage></soap:Body></soap:Envelope>"""

AUTH_RESPONSE_FAULT = """<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<soap:Fault><faultcode>soap:Server</faultcode><faultstring>ESBI-0005 signature invalid</faultstring></soap:Fault>
</soap:Body></soap:Envelope>"""


def _steps_portal_happy() -> tuple[tuple[StepResult, ...], DeadlineVerdict]:
    t0 = at(5, 10, 0)
    steps = [
        StepResult("START", t0, t0, None),
        StepResult("X1", t0, plus_min(t0, 2), None),
        StepResult("P1", plus_min(t0, 2), plus_min(t0, 3), None),
        StepResult("C1", plus_min(t0, 3), plus_min(t0, 3), None, branch=True, expected_branch=True),
        StepResult("P3", plus_min(t0, 3), plus_min(t0, 12), None),
        StepResult("C2", plus_min(t0, 12), plus_min(t0, 12), None, branch=True, expected_branch=True),
        StepResult("P5", plus_min(t0, 12), plus_min(t0, 13), None, message_ids=(101,)),
    ]
    a1 = plus_min(t0, 13)
    a2 = plus_min(a1, 30)
    c3 = plus_wd(a2, 1)
    a4 = plus_wd(c3, 5)  # A3 took 5 of its "within 6" working days
    a5 = plus_wd(a4, 1)
    done = plus_wd(a5, 1)
    steps += [
        StepResult("A1", a1, a2, plus_min(a1, 30)),
        StepResult("A2", a2, c3, plus_wd(a2, 1)),
        StepResult("C3", c3, c3, None, branch=True, expected_branch=True),
        StepResult("A3", c3, a4, plus_wd(c3, 6), detail="decision drafted (timing: sampled 5 of 6 wd)"),
        StepResult("A4", a4, a5, plus_wd(a4, 1)),
        StepResult("A5", a5, done, plus_wd(a5, 1), message_ids=(102,)),
        StepResult("P7", done, plus_min(done, 1), None, detail="e-notice in the personal cabinet"),
    ]
    verdict = DeadlineVerdict("9 wd 30 min", plus_wd(plus_min(a1, 30), 9), plus_min(done, 1), True)
    return tuple(steps), verdict


def portal_happy() -> ScenarioResult:
    steps, verdict = _steps_portal_happy()
    messages = (
        MessageRecord(101, "EGOV_SIM_RSHEP", "EGOV_SIM_PORTAL", "rshep-pavlodar", "SCSS001", "valid",
                      at(5, 10, 12, 41), SUBMIT_REQUEST, SUBMIT_RESPONSE, node_id="P5"),
        MessageRecord(102, "SIM_PORTAL_INBOX", "EGOV_SIM_RSHEP", "portal-inbox", "SCSS001", "valid",
                      steps[-2].finished, RESULT_REQUEST, SUBMIT_RESPONSE, node_id="A5"),
    )
    path = ("X1", "P1", "C1:yes", "P3", "C2:yes", "P5", "A1", "A2", "C3:yes", "A3", "A4", "A5", "P7")
    return ScenarioResult(
        scenario_id="happy-path", file="scenarios/002/portal.yaml", title="Опекун получает пособие",
        flow=PORTAL, passed=True, path=path, expected_path=path, outcome="decision",
        signed_by="PROV_HEAD", deadline=verdict, steps=steps, messages=messages, wall_seconds=1.84,
    )


DIVERGENCE_DIFF = """C2: the EDS check answered yes, the regulation says no (certificate revoked)
--- expected
+++ actual
@@ path @@
 X1 > P1 > C1:yes > P3
-C2:no > P4
+C2:yes > P5
@@ outcome @@
-notice:eds_not_confirmed
+(none: the request went on to АРМ РШЭП)"""


def portal_revoked() -> ScenarioResult:
    t0 = at(5, 11, 0)
    steps = (
        StepResult("START", t0, t0, None),
        StepResult("X1", t0, plus_min(t0, 2), None),
        StepResult("P1", plus_min(t0, 2), plus_min(t0, 3), None),
        StepResult("C1", plus_min(t0, 3), plus_min(t0, 3), None, branch=True, expected_branch=True),
        StepResult("P3", plus_min(t0, 3), plus_min(t0, 10), None),
        StepResult("C2", plus_min(t0, 10), plus_min(t0, 10), None, status="diverged", branch=True,
                   expected_branch=False, detail="certificate serial 4F:1A revoked 2024-01-20; portal accepted it",
                   message_ids=(103,)),
        StepResult("P5", plus_min(t0, 10), plus_min(t0, 10), None, status="skipped"),
    )
    messages = (
        MessageRecord(103, "EGOV_SIM_RSHEP", "EGOV_SIM_PORTAL", None, "ESBI-0005", "invalid",
                      at(5, 11, 10, 5), SUBMIT_REQUEST.replace("870412300415", "900101400123"),
                      AUTH_RESPONSE_FAULT, node_id="C2"),
    )
    return ScenarioResult(
        scenario_id="eds-revoked", file="scenarios/002/portal.yaml", title="Отозванный сертификат ЭЦП",
        flow=PORTAL, passed=False,
        path=("X1", "P1", "C1:yes", "P3", "C2:yes", "P5"),
        expected_path=("X1", "P1", "C1:yes", "P3", "C2:no", "P4"),
        failure=DIVERGENCE_DIFF, outcome=None, steps=steps, messages=messages, wall_seconds=0.61,
    )


def _steps_000(t0: dt.datetime, s3x_days: int) -> tuple[StepResult, ...]:
    s2 = plus_min(t0, 30)
    c1 = plus_min(s2, 30)
    s4 = plus_wd(c1, s3x_days)
    s5 = plus_min(s4, 30)
    s6 = s5 + dt.timedelta(hours=4)
    end = plus_min(s6, 30)
    return (
        StepResult("START", t0, t0, None),
        StepResult("S1", t0, s2, plus_min(t0, 30)),
        StepResult("S2", s2, c1, plus_min(s2, 30)),
        StepResult("C1", c1, c1, None, branch=False, expected_branch=False),
        StepResult("S3X", c1, s4, plus_wd(c1, 19)),
        StepResult("S4", s4, s5, plus_min(s4, 30)),
        StepResult("S5", s5, s6, s5 + dt.timedelta(hours=4)),
        StepResult("S6", s6, end, plus_min(s6, 30)),
    )


def provider_insufficient() -> ScenarioResult:
    steps = _steps_000(at(6, 9, 30), 19)
    path = ("S1", "S2", "C1:no", "S3X", "S4", "S5", "S6")
    finished = steps[-1].finished
    return ScenarioResult(
        scenario_id="documents-insufficient", file="scenarios/000/provider.yaml",
        title="Құжаттар толық емес: 19 жұмыс күні", flow=PROVIDER_000, passed=True, path=path,
        expected_path=path, outcome="notice_on_assignment_of_social_assistance", signed_by="PROV_HEAD",
        deadline=DeadlineVerdict("19 wd 6 h", plus_wd(at(6, 15, 30), 19), finished, True),
        steps=steps, wall_seconds=0.42,
    )


DEFECT = RegulationDefect(
    flow="000-provider_office", term="extended", allowed="19 wd 6 h", source="§5.3",
    cells=(DefectCell("S1", "S1", "30 min", "§5.1"), DefectCell("S2", "S2", "30 min", "§5.2"),
           DefectCell("S3X", "S3X", "19 wd", "§5.3"), DefectCell("S4", "S4", "30 min", "§5.4"),
           DefectCell("S5", "S5", "4 h", "§5.5"), DefectCell("S6", "S6", "30 min", "§5.6")),
    total="19 wd 6 h 30 min", over="30 min", path=("S1", "S2", "C1:no", "S3X", "S4", "S5", "S6"),
    options={"hand_in_milestone": False}, scenarios=("documents-insufficient-late",))
"""A regulation defect as the engine reports one: the steps' maxima overrun a stated term."""


def provider_late() -> ScenarioResult:
    """Right path, but the executor took 20 working days: the deadline verdict fails it."""
    steps = _steps_000(at(6, 9, 30), 20)
    path = ("S1", "S2", "C1:no", "S3X", "S4", "S5", "S6")
    finished = steps[-1].finished
    due = plus_wd(at(6, 15, 30), 19)
    return ScenarioResult(
        scenario_id="documents-insufficient-late", file="scenarios/000/provider.yaml",
        title="Executor overruns S3X", flow=PROVIDER_000, passed=False, path=path, expected_path=path,
        failure=f"deadline missed: finished {finished.isoformat()} > due {due.isoformat()} (19 wd 6 h)",
        outcome="notice_on_assignment_of_social_assistance", signed_by="PROV_HEAD",
        deadline=DeadlineVerdict("19 wd 6 h", due, finished, False, term="extended"), steps=steps,
        wall_seconds=0.44,
        terms=(TermResult("extended", "stated", "19 wd 6 h", at(6, 9, 30), due, finished, Verdict.MISSED,
                          "S1", "S6", "§5.3", "The same, when the documents are insufficient (K15)."),),
        defects=(DEFECT,), options={"hand_in_milestone": False},
    )


def sample_run(*, errors: tuple[str, ...] = ()) -> RunResult:
    return RunResult(
        scenarios=(portal_happy(), portal_revoked(), provider_insufficient(), provider_late()),
        started=dt.datetime(2024, 5, 20, 7, 15, 3, tzinfo=dt.UTC),
        wall_seconds=3.42, seed=20240205, jobs=2, against=None, errors=errors, defects=(DEFECT,),
    )
