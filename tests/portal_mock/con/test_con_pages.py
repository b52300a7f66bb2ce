"""The ЦОН desk's pages over HTTP: the operator serves an applicant who comes with a representative
(ГБД ФЛ and ЕНИС looked up through ШЭП), the package goes to the АРМ, the result comes back and is
handed to the representative; the papers print as forms; refusals, escaping and isolation."""

from __future__ import annotations

import re

import pytest

from tests.support.web import (
    POA_AGENT,
    POA_PRINCIPAL,
    Browserless,
    arm_login,
    arm_requests_of,
    arm_work,
    delivery_story,
    let_shep_retry,
    live_simulator,
    text_of,
)

SERVICE = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"
DOCUMENTS = ("APPLICATION", "GUARDIAN_ID", "GUARDIANSHIP_DECISION", "CHILD_BIRTH_CERTIFICATE",
             "PARENTS_STATUS", "BANK_ACCOUNT")
FORM = {"guardianIin": POA_PRINCIPAL, "childIin": "180722501110", "childFullName": "СЕРИКОВ АЛИХАН ДАНИЯРОВИЧ",
        "guardianRole": "guardian", "guardianshipDecisionNumber": "SIM-123",
        "guardianshipDecisionDate": "2023-01-15", "accountIban": "KZ000000000000000000"}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with live_simulator(tmp_path_factory.mktemp("con-pages") / "home") as running:
        yield running


def operator(live, login: str = "pvl1.operator") -> Browserless:
    client = Browserless(live.url)
    page = client.post("/web/con/login", {"login": login, "password": "operator-secret"})
    assert page.url.path == "/web/con/", text_of(page.text)[:300]
    return client


def application(applicant: str = POA_PRINCIPAL, *, representative: bool = True, present=DOCUMENTS, **extra) -> dict:
    data = {"service": SERVICE, "provider": "PVL_PAVLODAR_CITY", "applicant_iin": applicant,
            "applicant_phone": "+77001234567", **{f"form-{k}": v for k, v in FORM.items()},
            **{f"present-{code}": "1" for code in present}, **extra}
    if representative:
        data.update(with_representative="1", rep_iin=POA_AGENT, rep_poa="SIM-POA-000001")
    return data


def submit(client: Browserless, data: dict, files=None):
    return client.post("/web/con/new", data, files=files, form_page=f"/web/con/new?service={SERVICE}")


def test_operator_serves_an_applicant_with_a_representative(live):
    desk = operator(live)
    form = desk.get(f"/web/con/new?service={SERVICE}")
    for code in DOCUMENTS:  # the completeness checklist, one labelled box and file per document
        assert f'for="f-present-{code}"' in form.text and f'for="f-doc-{code}"' in form.text
    answer = submit(desk, application(), files=[("doc-BANK_ACCOUNT", ("bank.pdf", b"%PDF-1.4 bank", "application/pdf"))])
    assert answer.url.path.startswith("/web/con/applications/CON-"), text_of(answer.text)[:800]
    number = answer.url.path.rsplit("/", 1)[1]
    text = text_of(answer.text)
    assert "Отправлено услугодателю" in text and "пакет полный" in text
    lookups = answer.text.split('id="lookups"', 1)[1].split("</table>", 1)[0]
    assert "ГБД ФЛ" in lookups and "ЕНИС" in lookups and "ЖАКУПОВ ТАЛГАТ" in lookups
    assert "SIM-POA-000001" in lookups and lookups.count("сведения получены") == 2
    assert "bank.pdf" in answer.text  # the uploaded scan, the others are the desk's stand-ins

    receipt = desk.get(f"/web/con/applications/{number}/notices/acceptance-receipt")
    assert receipt.status_code == 200
    papers = re.findall(r'<section class="paper" lang="(\w+)"', receipt.text)
    assert papers == ["kk", "ru"]  # Kazakh first, then Russian, each a printable page
    text = text_of(receipt.text)
    assert "Құжаттарды қабылдау туралы қолхат" in text and "Расписка о приеме документов" in text
    assert f"№ {number}/ACC" in text and "SYNTHETIC" in text
    package = desk.get(f"/web/con/applications/{number}/files/package.xml")
    assert package.status_code == 200 and b"<ds:Signature" in package.content

    clerk = arm_login(live.url, "pvl_pavlodar_city.clerk")
    arm_id = next(i for i in arm_requests_of(clerk) if number in clerk.get(f"/web/arm/requests/{i}").text)
    arm_work(live.url, arm_id)
    let_shep_retry(live)
    ready = desk.get(f"/web/con/applications/{number}")
    assert "Результат готов к выдаче" in text_of(ready.text), \
        f"{text_of(ready.text.split('<main', 1)[-1])}\n{delivery_story(live.app)}"
    issued = desk.post(f"/web/con/applications/{number}/issue", {"received_by": "representative", "note": "ok"},
                       form_page=f"/web/con/applications/{number}")
    text = text_of(issued.text)
    assert "Результат выдан" in text and "P8" in text
    result = desk.get(f"/web/con/applications/{number}/files/result.xml")
    assert b"<ds:Signature" in result.content


def test_an_incomplete_package_gets_the_refusal_receipt(live):
    desk = operator(live)
    answer = submit(desk, application(representative=False, present=("APPLICATION",),
                                      applicant_surname="<img src=x onerror=alert(1)>"))
    number = answer.url.path.rsplit("/", 1)[1]
    assert "Отказано в приёме документов" in text_of(answer.text)
    receipt = desk.get(f"/web/con/applications/{number}/notices/intake-refusal-receipt")
    text = text_of(receipt.text)
    assert "Құжаттарды қабылдаудан бас тарту туралы қолхат" in text and "Standard App.3" in text
    assert "Документ, удостоверяющий личность" in text or "GUARDIAN_ID" in text or "опекуна" in text
    assert "<img src=x" not in receipt.text and "&lt;img src=x onerror=alert(1)&gt;" in receipt.text


def test_a_wrong_form_stays_on_the_form_with_the_problems(live):
    desk = operator(live)
    answer = submit(desk, {**application(), "form-guardianshipDecisionDate": "15.01.2023"})
    assert answer.status_code == 422
    assert "FORM_INVALID" in answer.text and "guardianshipDecisionDate" in answer.text
    assert 'value="15.01.2023"' in answer.text


def test_another_office_does_not_see_the_application(live):
    desk = operator(live)  # its own application: xdist may run this test alone on a worker
    answer = submit(desk, application(representative=False, present=("APPLICATION",)))
    number = answer.url.path.rsplit("/", 1)[1]
    assert number in desk.get("/web/con/").text
    other = operator(live, "pvl2.operator")
    assert other.get(f"/web/con/applications/{number}").status_code == 404
    assert other.get(f"/web/con/applications/{number}/notices/intake-refusal-receipt").status_code == 404
    assert number not in other.get("/web/con/").text


def test_sign_in_is_required_and_wrong_passwords_refused(live):
    client = Browserless(live.url)
    assert client.get("/web/con/").url.path == "/web/con/login"
    refused = client.post("/web/con/login", {"login": "pvl1.operator", "password": "nope"})
    assert refused.status_code == 401
    no_token = Browserless(live.url).post("/web/con/login", {"login": "pvl1.operator",
                                                            "password": "operator-secret"}, token=False)
    assert no_token.status_code == 403
