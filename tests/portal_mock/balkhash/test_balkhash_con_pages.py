"""The Balkhash 2012 ЦОН's desk pages with the department's workstation pages, over HTTP (a live
simulator on loopback, on the fixed clock of Monday 4 February 2013): a service-4 package accepted
at the ЦОН with its расписка, sent by реестр through ШЭП, worked at the УО through its pages,
returned by реестр and issued against the расписка; markup rendered as text; forms without the
CSRF token refused; the department's staff and the centre's have separate sign-ins."""

from __future__ import annotations

import re

import pytest

from egov_sim.reference import personas as p
from tests.support.balkhash import MONDAY_2013
from tests.support.rshep import Clock
from tests.support.web import Browserless, live_simulator, text_of

CON = "/web/balkhash/con"
UO = "/web/balkhash/uo"
S4_DOCUMENTS = ("APPLICATION", "IDENTITY_DOCUMENT", "IPR_EXTRACT")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with live_simulator(tmp_path_factory.mktemp("blh-con-pages") / "home", clock=Clock(MONDAY_2013)) as running:
        yield running


def sign_in(sim, base: str, login: str, password: str) -> Browserless:
    client = Browserless(sim.url)
    page = client.post(f"{base}/login", {"login": login, "password": password})
    assert page.url.path == f"{base}/" and login in page.text, text_of(page.text)[:400]
    return client


def centre(sim, login: str) -> Browserless:
    return sign_in(sim, CON, login, "con2012-secret")


def uo(sim, login: str) -> Browserless:
    return sign_in(sim, UO, login, "uo-secret")


def submit(desk: Browserless, **extra) -> str:
    answer = desk.post(f"{CON}/new", {"service": "4", "applicant_iin": p.BLH_DISABLED_PROSTHETIC,
                                      "applicant_surname": "ГРИГОРЬЕВ", "applicant_name": "СЕРГЕЙ",
                                      "category": "citizen", **{f"present-{d}": "1" for d in S4_DOCUMENTS}, **extra},
                       form_page=f"{CON}/new?service=4")
    assert answer.url.path.startswith(f"{CON}/applications/CON-BLH-2013-"), text_of(answer.text)[:800]
    return answer.url.path.rsplit("/", 1)[1]


def test_a_package_goes_from_the_centre_to_the_department_and_back(sim):
    inspector, accumulation, issuing = (centre(sim, login) for login in
                                        ("blh.con.inspector", "blh.con.accumulation", "blh.con.issuing"))
    number = submit(inspector)
    page = inspector.get(f"{CON}/applications/{number}")
    assert 'id="status">ACCEPTED' in page.text, text_of(page.text)[:800]
    receipt = re.search(r'id="receipt">([^<]+)<', page.text).group(1)
    paper = re.search(rf'href="{CON}/papers/([^"]+)"', page.text).group(1)
    assert "Расписка" in inspector.get(f"{CON}/papers/{paper}").text
    assert 'id="status">IN_ACCUMULATION' in inspector.post(
        f"{CON}/applications/{number}/handover", form_page=f"{CON}/applications/{number}").text
    sent = accumulation.post(f"{CON}/transfers", {"applications": number}, form_page=f"{CON}/transfers")
    assert "OUTGOING" in sent.text and ">SENT" in sent.text, text_of(sent.text)[:800]

    sim.clock.advance(hours=2)
    records, head, sector, spec = (uo(sim, login) for login in
                                   ("blh.records", "blh.head", "blh.veterans.head", "blh.veterans.specialist"))
    incoming = re.search(rf'action="{UO}/transfers/([^"/]+)/receive"', records.get(f"{UO}/transfers").text).group(1)
    case_page = records.post(f"{UO}/transfers/{incoming}/receive", form_page=f"{UO}/transfers")
    assert case_page.url.path.startswith(f"{UO}/cases/BLH-S04-2013-"), text_of(case_page.text)[:800]
    case = case_page.url.path.rsplit("/", 1)[1]
    assert number in case_page.text and 'id="state">IN_PROGRESS' in case_page.text

    def step(who: Browserless, verb: str, data: dict | None = None):
        sim.clock.advance(minutes=30)
        answer = who.post(f"{UO}/cases/{case}/{verb}", data or {}, form_page=f"{UO}/cases/{case}")
        assert answer.status_code == 200 and "problem" not in answer.text.split("<main", 1)[1][:600], \
            (verb, text_of(answer.text)[:800])
        return answer

    step(head, "resolve", {"executor": "blh.veterans.specialist"})
    step(sector, "check", {"complete": "yes"})
    step(spec, "draft", {"outcome": "grant"})
    step(sector, "visa")
    step(head, "decide")
    done = step(records, "dispatch")
    assert 'id="state">COMPLETED' in done.text

    back = accumulation.get(f"{CON}/transfers")
    accept = re.search(rf'action="{CON}/transfers/([^"/]+)/accept"', back.text)
    assert accept, text_of(back.text)[:800]
    accumulation.post(f"{CON}/transfers/{accept.group(1)}/accept", form_page=f"{CON}/transfers")
    ready = issuing.get(f"{CON}/applications/{number}")
    assert 'id="status">AT_ISSUING' in ready.text and 'id="outcome">grant' in ready.text
    wrong = issuing.post(f"{CON}/applications/{number}/issue", {"receipt_number": "CON-BLH-2013-999999-R"},
                         form_page=f"{CON}/applications/{number}")
    assert wrong.status_code == 422 and "RECEIPT_MISMATCH" in wrong.text
    issued = issuing.post(f"{CON}/applications/{number}/issue", {"receipt_number": receipt,
                                                                 "received_by": "applicant"},
                          form_page=f"{CON}/applications/{number}")
    assert 'id="status">ISSUED' in issued.text and "blh.con.issuing" in issued.text.split('id="history"', 1)[1]


def test_markup_wrong_roles_csrf_and_separate_sign_ins(sim):
    inspector = centre(sim, "blh.con.inspector")
    number = submit(inspector, rep_full_name="<script>alert(1)</script>")
    page = inspector.get(f"{CON}/applications/{number}")
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    issuing = centre(sim, "blh.con.issuing")  # the inspector's act, refused to the сектор выдачи
    refused = issuing.post(f"{CON}/applications/{number}/handover", form_page=f"{CON}/applications/{number}")
    assert refused.status_code == 403 and "WRONG_ROLE" in refused.text and 'id="status">ACCEPTED' in refused.text
    forged = inspector.post(f"{CON}/applications/{number}/handover", token=False)
    assert forged.status_code == 403 and 'id="status">ACCEPTED' in inspector.get(f"{CON}/applications/{number}").text
    # A department's session is not the centre's, and the reverse.
    staff = uo(sim, "blh.head")
    assert staff.get(f"{CON}/applications/{number}").url.path == f"{CON}/login"
    assert inspector.get(f"{UO}/").url.path == f"{UO}/login"
    assert Browserless(sim.url).post(f"{CON}/login", {"login": "blh.con.inspector", "password": "uo-secret"}
                                     ).status_code == 401
