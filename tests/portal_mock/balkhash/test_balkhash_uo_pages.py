"""The Balkhash department's workstation pages over HTTP (a live simulator on loopback, on the
fixed clock of Monday 4 February 2013): a case of service 4 accepted at the УО and worked by the
specialist, the head of sector and the head through the pages to the result; markup in a name
shown as text; another office or unit cannot see or act on the case; forms without the CSRF
token refused."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from egov_sim.reference import personas as p
from tests.support import ROOT
from tests.support.balkhash import MONDAY_2013
from tests.support.browser import accessibility_problems, chromium, screenshots_dir
from tests.support.rshep import Clock
from tests.support.web import Browserless, live_simulator, text_of

BASE = "/web/balkhash/uo"
PASSWORD = "uo-secret"
S4_DOCUMENTS = ("APPLICATION", "IDENTITY_DOCUMENT", "IPR_EXTRACT")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with live_simulator(tmp_path_factory.mktemp("blh-pages") / "home", clock=Clock(MONDAY_2013)) as running:
        yield running


def staff(sim, login: str) -> Browserless:
    client = Browserless(sim.url)
    page = client.post(f"{BASE}/login", {"login": login, "password": PASSWORD})
    assert page.url.path == f"{BASE}/" and login in page.text, text_of(page.text)[:400]
    return client


def accept(client: Browserless, iin: str = p.BLH_DISABLED_PROSTHETIC, documents=S4_DOCUMENTS, **extra) -> str:
    answer = client.post(f"{BASE}/intake", {"service": "4", "applicant_iin": iin, "category": "citizen",
                                            **{f"present-{d}": "1" for d in documents}, **extra},
                         form_page=f"{BASE}/intake?service=4")
    assert answer.url.path.startswith(f"{BASE}/cases/BLH-S04-2013-"), text_of(answer.text)[:800]
    return answer.url.path.rsplit("/", 1)[1]


def act(client: Browserless, number: str, verb: str, data: dict | None = None):
    page = f"{BASE}/cases/{number}"
    return client.post(f"{page}/{verb}", data or {}, form_page=page)


def test_a_case_worked_through_the_pages(sim):
    spec, sector, head = (staff(sim, login) for login in
                          ("blh.veterans.specialist", "blh.veterans.head", "blh.head"))
    number = accept(spec)
    page = spec.get(f"{BASE}/cases/{number}")
    text = text_of(page.text)
    assert 'id="state">IN_PROGRESS' in page.text and "ГРИГОРЬЕВ СЕРГЕЙ ИВАНОВИЧ" in text
    assert "Талон о принятии документов" in text and re.search(r"04-\d{5}/2013", text)
    assert 'id="act-draft"' in page.text  # the specialist's next step, as a form
    assert 'id="act-draft"' not in sector.get(f"{BASE}/cases/{number}").text  # not the head of sector's yet
    assert number in spec.get(f"{BASE}/").text.split("<h2>", 2)[1]  # "waiting for me"

    drafted = act(spec, number, "draft", {"outcome": "grant"})
    assert drafted.status_code == 200 and 'id="draft"' in drafted.text, text_of(drafted.text)[:600]
    assert number in sector.get(f"{BASE}/").text.split("<h2>", 2)[1]
    assert act(sector, number, "visa", {"remarks": "замечаний нет"}).status_code == 200
    decided = act(head, number, "decide")
    assert 'id="outcome"' in decided.text and "положительное решение" in text_of(decided.text)
    done = act(spec, number, "notify", {"method": "in_person", "received_by": "applicant"})
    assert 'id="state">COMPLETED' in done.text
    history = done.text.split('id="history"', 1)[1]
    for login in ("blh.veterans.specialist", "blh.veterans.head", "blh.head"):
        assert login in history
    notice = re.search(rf'href="{BASE}/documents/(BLH-UV-2013-\d+)"', done.text)
    assert notice, text_of(done.text)[-800:]
    paper = spec.get(f"{BASE}/documents/{notice.group(1)}")
    assert paper.status_code == 200 and "Уведомление" in paper.text and "АМАНТАЕВ" in paper.text
    journal = text_of(head.get(f"{BASE}/journal").text)
    assert number in journal and "положительное решение" in journal
    kk = spec.get(f"{BASE}/cases/{number}?lang=kk")
    assert "Әрекеттер тарихы" in kk.text and 'lang="kk"' in kk.text


def test_a_wrong_step_is_refused_on_the_page(sim):
    spec, sector = staff(sim, "blh.veterans.specialist"), staff(sim, "blh.veterans.head")
    number = accept(spec, p.BLH_CONTRAINDICATED)
    refused = act(sector, number, "draft", {"outcome": "grant"})  # the specialist's step
    assert refused.status_code == 403 and "Действие невозможно" in refused.text
    assert 'id="state">IN_PROGRESS' in refused.text and 'id="draft"' not in refused.text
    ineligible = act(spec, number, "draft", {"outcome": "grant"})  # the registers bear out a refusal
    assert ineligible.status_code == 422 and "INELIGIBLE" in ineligible.text
    drafted = act(spec, number, "draft", {"outcome": "refusal", "grounds": "MEDICAL_CONTRAINDICATIONS"})
    assert "MEDICAL_CONTRAINDICATIONS" in drafted.text.split('id="draft"', 1)[1].split("</dl>", 1)[0]


def test_markup_in_a_name_renders_as_text(sim):
    spec = staff(sim, "blh.veterans.specialist")
    number = accept(spec, rep_full_name="<img src=x onerror=alert(1)>", rep_poa="SIM-POA-7")
    page = spec.get(f"{BASE}/cases/{number}")
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_another_office_or_unit_neither_sees_nor_acts(sim):
    spec = staff(sim, "blh.veterans.specialist")
    number = accept(spec)
    for login in ("blh.benefits.specialist", "konyrat.akim"):
        other = staff(sim, login)
        assert other.get(f"{BASE}/cases/{number}").status_code == 404
        token = other.token(f"{BASE}/")  # the other's own valid token: still not found
        assert other.post(f"{BASE}/cases/{number}/draft", {"outcome": "grant", "csrf_token": token},
                          token=False).status_code == 404
        assert number not in other.get(f"{BASE}/").text and number not in other.get(f"{BASE}/journal").text
    assert 'id="state">IN_PROGRESS' in spec.get(f"{BASE}/cases/{number}").text
    assert 'id="draft"' not in spec.last.text


def test_sign_in_and_csrf(sim):
    client = Browserless(sim.url)
    assert client.get(f"{BASE}/").url.path == f"{BASE}/login"
    assert client.post(f"{BASE}/login", {"login": "blh.head", "password": "nope"}).status_code == 401
    assert Browserless(sim.url).post(f"{BASE}/login", {"login": "blh.head", "password": PASSWORD},
                                     token=False).status_code == 403
    spec = staff(sim, "blh.veterans.specialist")
    number = accept(spec)
    forged = spec.post(f"{BASE}/cases/{number}/draft", {"outcome": "grant"}, token=False)
    assert forged.status_code == 403 and 'id="draft"' not in spec.get(f"{BASE}/cases/{number}").text
    cookie = next(c for c in spec.http.cookies.jar if c.name == "egov_blh_uo")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == BASE


def test_the_documented_curl_example_runs_as_written(sim, tmp_path):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    text = (ROOT / "docs" / "balkhash.md").read_text(encoding="utf-8")
    script = re.search(r"<!-- balkhash-pages-example: curl -->\n```sh\n(.*?)```", text, re.S).group(1)
    script = "set -euo pipefail\n" + script.replace("http://127.0.0.1:8080", sim.url)
    run = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert re.fullmatch(r"BLH-S04-2013-\d{6}", lines[0]), lines
    assert set(lines[1:]) == {'id="state">IN_PROGRESS', "Талон о принятии документов"}


def test_in_a_browser_the_pages_work_and_are_accessible(sim):
    """Chromium: sign in, accept a case through the intake form, draft it; the inbox, intake and
    case pages have no serious axe-core violation (screenshots in artifacts/screenshots/)."""
    with chromium() as browser:
        page = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{sim.url}{BASE}/login")
        page.fill("#f-login", "blh.veterans.specialist")
        page.fill("#f-password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{sim.url}{BASE}/")
        problems, folder = {}, screenshots_dir()

        def check(name: str) -> None:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            if found := accessibility_problems(page):
                problems[name] = found

        check("balkhash-uo-inbox")
        page.goto(f"{sim.url}{BASE}/intake")
        page.select_option("#f-service", "4")
        page.click("main form[method=get] button")
        page.fill("#f-applicant_iin", p.BLH_DISABLED_PROSTHETIC)
        for code in S4_DOCUMENTS:
            page.check(f"#f-present-{code}")
        check("balkhash-uo-intake")
        page.click("main form[method=post] button[type=submit]")
        page.wait_for_url(re.compile(rf".*{BASE}/cases/BLH-S04-2013-\d+$"))
        page.locator("#act-draft button[type=submit]").click()
        page.wait_for_url(re.compile(rf".*{BASE}/cases/BLH-S04-2013-\d+$"))
        assert page.locator(".problem").count() == 0 and page.locator("#draft").count() == 1
        check("balkhash-uo-case")
    assert not problems, problems
