"""The provider's workstation pages: the inbox per role, a request with its documents and the
signature verdict, the actions each role may take (and only those), a reasoned refusal, the
accounting journal; escaping and isolation between offices."""

from __future__ import annotations

import pytest

from tests.support.web import POA_AGENT, POA_PRINCIPAL, Browserless, arm_login, arm_requests_of, live_simulator, text_of

SERVICE = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"
DOCUMENTS = ("APPLICATION", "GUARDIAN_ID", "GUARDIANSHIP_DECISION", "CHILD_BIRTH_CERTIFICATE",
             "PARENTS_STATUS", "BANK_ACCOUNT")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with live_simulator(tmp_path_factory.mktemp("arm-pages") / "home") as running:
        yield running


def new_request(live) -> int:
    """A request filed in the Pavlodar city office's inbox, brought through the ЦОН desk."""
    desk = Browserless(live.url)
    desk.post("/web/con/login", {"login": "pvl1.operator", "password": "operator-secret"})
    before = set(arm_requests_of(arm_login(live.url, "pvl_pavlodar_city.clerk")))
    form = {"service": SERVICE, "provider": "PVL_PAVLODAR_CITY", "applicant_iin": POA_PRINCIPAL,
            "with_representative": "1", "rep_iin": POA_AGENT, "rep_poa": "SIM-POA-000001",
            "form-guardianIin": POA_PRINCIPAL, "form-childIin": "180722501110",
            "form-childFullName": "СЕРИКОВ АЛИХАН", "form-guardianRole": "guardian",
            "form-guardianshipDecisionNumber": "SIM-9", "form-guardianshipDecisionDate": "2023-01-15",
            "form-accountIban": "KZ000000000000000000", **{f"present-{c}": "1" for c in DOCUMENTS}}
    sent = desk.post("/web/con/new", form, form_page=f"/web/con/new?service={SERVICE}")
    assert "Отправлено услугодателю" in text_of(sent.text), text_of(sent.text)[:500]
    [new] = set(arm_requests_of(arm_login(live.url, "pvl_pavlodar_city.clerk"))) - before
    return new


def act(client: Browserless, arm_id: int, action: str, data: dict | None = None):
    page = f"/web/arm/requests/{arm_id}"
    return client.post(f"{page}/{action}", data or {}, form_page=page)


def test_each_role_sees_its_own_actions(live):
    arm_id = new_request(live)
    clerk, head, executor = (arm_login(live.url, f"pvl_pavlodar_city.{r}") for r in ("clerk", "head", "executor"))
    page = clerk.get(f"/web/arm/requests/{arm_id}")
    assert 'id="act-register"' in page.text and 'id="act-assign"' not in page.text
    verdict = page.text.split('id="signature"', 1)[1].split("</dl>", 1)[0]
    assert "действительна" in verdict and "АБДРАХМАНОВА МАДИНА" in verdict  # the operator's EDS (K05)
    assert page.text.count(f'href="/web/arm/requests/{arm_id}/documents/') == len(DOCUMENTS)
    scan = clerk.get(f"/web/arm/requests/{arm_id}/documents/1")
    assert scan.content.startswith(b"%PDF-1.4") and scan.headers["content-disposition"].startswith("attachment")
    assert 'id="act-register"' not in head.get(f"/web/arm/requests/{arm_id}").text
    # the head cannot register: the action is refused and the page says why
    refused = act(head, arm_id, "register")
    assert "Действие невозможно" in text_of(refused.text) and "clerk" in refused.text
    assert 'id="state">RECEIVED' in clerk.get(f"/web/arm/requests/{arm_id}").text
    act(clerk, arm_id, "register")
    assert 'id="act-assign"' in head.get(f"/web/arm/requests/{arm_id}").text
    inbox = head.get("/web/arm/")
    mine = inbox.text.split("</table>", 1)[0]
    assert f'href="/web/arm/requests/{arm_id}"' in mine  # "waiting for my action"
    act(head, arm_id, "assign", {"executor": "pvl_pavlodar_city.executor"})
    executor_page = executor.get(f"/web/arm/requests/{arm_id}")
    assert 'id="act-draft"' in executor_page.text and 'id="act-extend"' not in executor_page.text  # 002: no K15


def test_a_reasoned_refusal_with_markup_is_escaped(live):
    arm_id = new_request(live)
    clerk, head, executor = (arm_login(live.url, f"pvl_pavlodar_city.{r}") for r in ("clerk", "head", "executor"))
    act(clerk, arm_id, "register")
    act(head, arm_id, "assign", {"executor": "pvl_pavlodar_city.executor"})
    drafted = act(executor, arm_id, "draft", {
        "documents_conform": "no", "reason_text": "<script>alert('x')</script> нет решения органа опеки",
        "violation_document": "GUARDIANSHIP_DECISION", "violation_description": "<i>копия не заверена</i>"})
    assert "<script>alert('x')</script>" not in drafted.text and "<i>копия" not in drafted.text
    assert "&lt;script&gt;" in drafted.text and "&lt;i&gt;копия не заверена&lt;/i&gt;" in drafted.text
    act(head, arm_id, "sign")
    done = act(executor, arm_id, "issue")
    assert 'id="state">COMPLETED' in done.text
    journal = executor.get("/web/arm/journal")
    assert f'href="/web/arm/requests/{arm_id}"' in journal.text and "Мотивированный отказ" in text_of(journal.text)
    assert executor.get(f"/web/arm/requests/{arm_id}/result.xml").content.count(b"<ds:SignatureValue>") == 1


def test_another_office_cannot_open_the_request(live):
    arm_id = new_request(live)
    stranger = arm_login(live.url, "pvl_aksu_city.clerk")
    assert stranger.get(f"/web/arm/requests/{arm_id}").status_code == 404
    assert stranger.get(f"/web/arm/requests/{arm_id}/documents/1").status_code == 404
    assert stranger.post(f"/web/arm/requests/{arm_id}/register", {}, form_page="/web/arm/").status_code == 404
    assert f'href="/web/arm/requests/{arm_id}"' not in stranger.get("/web/arm/").text


def test_login_and_csrf(live):
    client = Browserless(live.url)
    assert client.get("/web/arm/").url.path == "/web/arm/login"
    assert client.post("/web/arm/login", {"login": "pvl_pavlodar_city.clerk", "password": "x"}).status_code == 401
    clerk = arm_login(live.url, "pvl_pavlodar_city.clerk")
    assert clerk.post("/web/arm/requests/1/register", {}, token=False).status_code == 403
    kk = clerk.get("/web/arm/?lang=kk")
    assert "Кіріс сұраулар" in kk.text


def test_the_clerk_accepts_a_paper_application_at_the_office(live):
    clerk = arm_login(live.url, "pvl_pavlodar_city.clerk")
    form_page = f"/web/arm/intake?service={SERVICE}"
    assert 'for="f-present-APPLICATION"' in clerk.get(form_page).text
    bad = clerk.post("/web/arm/intake", {"service": SERVICE, "applicant_iin": "123", "applicant_surname": "X",
                                         "applicant_name": "Y"}, form_page=form_page)
    assert bad.status_code == 422 and "not a valid IIN" in bad.text
    done = clerk.post("/web/arm/intake", {
        "service": SERVICE, "applicant_iin": "780314401012", "applicant_surname": "ЖУМАБАЕВА",
        "applicant_name": "<u>АЙГЕРИМ</u>", "present-APPLICATION": "1", "present-GUARDIAN_ID": "1"},
        form_page=form_page)
    assert 'id="state">REGISTERED' in done.text and "&lt;u&gt;АЙГЕРИМ&lt;/u&gt;" in done.text
    assert "OFFICE" in done.text
    head = arm_login(live.url, "pvl_pavlodar_city.head")
    assert head.get("/web/arm/intake").status_code == 403
