"""The pages in a real browser (Debian's Chromium, headless, through Playwright): a persona
registers, files a guardian-allowance request, signs it through the NCALayer emulator with the
page's own script and later sees the signed decision; the clerk, head and executor work it in
the АРМ; an operator serves an applicant with a representative at the ЦОН desk; an integrator's
page signs with NCALayer's npm client unchanged. Each main page is screenshotted
(artifacts/screenshots/) and checked with axe-core: no serious accessibility violation."""

from __future__ import annotations

import base64
import re
import subprocess

import pytest

from egov_sim.signing.cms import verify_cms
from tests.support.browser import accessibility_problems, chromium, require_npm, screenshots_dir
from tests.support.web import (
    GUARDIAN,
    GUARDIAN_FORM,
    PDF,
    POA_AGENT,
    POA_PRINCIPAL,
    PORTAL_DOCUMENTS,
    PORTAL_PASSWORD,
    let_shep_retry,
    live_simulator,
)

SERVICE = "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"
CON_DOCUMENTS = ("APPLICATION", "GUARDIAN_ID", "GUARDIANSHIP_DECISION", "CHILD_BIRTH_CERTIFICATE",
                 "PARENTS_STATUS", "BANK_ACCOUNT")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with live_simulator(tmp_path_factory.mktemp("browser") / "home") as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Shots:
    """Screenshots and accessibility checks of the main pages, collected for one assertion."""

    def __init__(self):
        self.folder = screenshots_dir()
        self.problems: dict[str, list[str]] = {}

    def __call__(self, page, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        found = accessibility_problems(page)
        if found:
            self.problems[name] = found


@pytest.fixture(scope="module")
def shots():
    collected = Shots()
    yield collected
    assert not collected.problems, collected.problems


def new_page(browser, live, lang: str = "ru"):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    if lang != "ru":
        page.goto(f"{live.url}/web/portal/?lang={lang}")
    return page


def arm_session(browser, live, login: str):
    page = new_page(browser, live)
    page.goto(f"{live.url}/web/arm/login")
    page.fill("#f-login", login)
    page.fill("#f-password", "arm-secret")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/web/arm/")
    return page


def arm_do(page, live, arm_id: int, action: str, fill: dict | None = None, select: dict | None = None) -> None:
    page.goto(f"{live.url}/web/arm/requests/{arm_id}")
    form = page.locator(f"#act-{action}")
    for selector, value in (fill or {}).items():
        form.locator(selector).fill(value)
    for selector, value in (select or {}).items():
        form.locator(selector).select_option(value)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/web/arm/requests/{arm_id}$"))
    assert page.locator(".problem").count() == 0, page.locator(".problem").inner_text()


def test_guardian_files_signs_and_receives_the_decision(browser, live, shots):
    page = new_page(browser, live)
    page.goto(f"{live.url}/web/portal/")
    shots(page, "portal-catalogue")
    page.goto(f"{live.url}/web/portal/register")
    page.fill("#f-iin", GUARDIAN)
    page.fill("#f-password", PORTAL_PASSWORD)
    page.fill("#f-password2", PORTAL_PASSWORD)
    shots(page, "portal-register")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/portal/login.*"))
    page.fill("#f-password", PORTAL_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live.url}/web/portal/cabinet")
    assert "ЖУМАБАЕВА АЙГЕРИМ" in page.locator("header").inner_text()

    page.goto(f"{live.url}/web/portal/services/{SERVICE}")
    page.select_option("#f-provider", "PVL_PAVLODAR_CITY")
    for name, value in GUARDIAN_FORM.items():
        field = page.locator(f"#f-form-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for code in PORTAL_DOCUMENTS:
        page.set_input_files(f"#f-doc-{code}", files=[{"name": f"{code.lower()}.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF}])
    shots(page, "portal-request-form")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/portal/drafts/PRT-\d{4}-\d{7}$"))
    request_id = page.url.rsplit("/", 1)[1]
    shots(page, "portal-sign")

    page.click("#ncalayer-sign")  # the page's script: NCALayer getActiveTokens + signXml
    page.wait_for_url(f"{live.url}/web/portal/requests/{request_id}")
    assert page.locator("#status").inner_text() == "Запрос принят"
    assert live.ncalayer.signed[-1]["method"] == "signXml"

    clerk = arm_session(browser, live, "pvl_pavlodar_city.clerk")
    shots(clerk, "arm-inbox")
    clerk.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    arm_id = int(clerk.url.rsplit("/", 1)[1])
    assert request_id in clerk.content()
    shots(clerk, "arm-request")
    arm_do(clerk, live, arm_id, "register")
    head = arm_session(browser, live, "pvl_pavlodar_city.head")
    arm_do(head, live, arm_id, "assign", select={"#f-executor": "pvl_pavlodar_city.executor"})
    executor = arm_session(browser, live, "pvl_pavlodar_city.executor")
    arm_do(executor, live, arm_id, "review")
    arm_do(executor, live, arm_id, "draft", fill={"#f-decision_text": "Назначить пособие опекуну",
                                                  "#f-amount": "45000"})
    head.goto(f"{live.url}/web/arm/requests/{arm_id}")
    shots(head, "arm-sign")
    arm_do(head, live, arm_id, "sign")
    arm_do(executor, live, arm_id, "issue")
    executor.goto(f"{live.url}/web/arm/journal")
    shots(executor, "arm-journal")
    let_shep_retry(live)

    page.goto(f"{live.url}/web/portal/requests/{request_id}")
    assert page.locator("#status").inner_text() == "Результат готов"
    assert "подпись действительна" in page.locator("#verdict").inner_text()
    assert page.locator("#decision-number").inner_text().startswith("D-PVL-PAVLODAR-CITY-")
    shots(page, "portal-result")
    with page.expect_download() as download:
        page.click(f"a[href$='/requests/{request_id}/result.xml']")
    assert download.value.suggested_filename == f"result-{request_id}.xml"
    page.goto(f"{live.url}/web/portal/cabinet?lang=kk")
    assert "Нәтиже дайын" in page.content()
    shots(page, "portal-cabinet-kk")


def test_operator_serves_an_applicant_with_a_representative(browser, live, shots):
    page = new_page(browser, live)
    page.goto(f"{live.url}/web/con/login")
    shots(page, "con-login")
    page.fill("#f-login", "pvl1.operator")
    page.fill("#f-password", "operator-secret")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live.url}/web/con/")
    page.goto(f"{live.url}/web/con/new")
    page.select_option("#f-service", SERVICE)
    page.click("main form[method=get] button")
    page.wait_for_url(re.compile(r".*/web/con/new\?service=.*"))
    page.select_option("#f-provider", "PVL_PAVLODAR_CITY")
    page.fill("#f-applicant_iin", POA_PRINCIPAL)
    page.check("#f-with_representative")
    page.fill("#f-rep_iin", POA_AGENT)
    page.fill("#f-rep_poa", "SIM-POA-000001")
    values = {**GUARDIAN_FORM, "guardianIin": POA_PRINCIPAL}
    for name, value in values.items():
        field = page.locator(f"#f-form-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for code in CON_DOCUMENTS:
        page.check(f"#f-present-{code}")
    shots(page, "con-intake-form")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/con/applications/CON-\d{4}-\d{7}$"))
    assert page.locator("#status").inner_text() == "Отправлено услугодателю"
    lookups = page.locator("#lookups").inner_text()
    assert "ЖАКУПОВ ТАЛГАТ" in lookups and "SIM-POA-000001" in lookups
    assert POA_AGENT in page.locator("#representative").inner_text()
    shots(page, "con-application")
    page.click("a[href*='/notices/acceptance-receipt']")
    page.wait_for_url(re.compile(r".*/notices/acceptance-receipt$"))
    assert page.locator("section.paper").count() == 2
    shots(page, "con-receipt")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()  # the paper prints alone
    page.pdf(path=str(screenshots_dir() / "con-receipt.pdf"))


def test_axe_finds_what_it_should(browser, live):
    """The accessibility check is not blind: an unlabelled field and poor contrast are caught."""
    page = new_page(browser, live)
    page.set_content('<html lang="ru"><head><title>x</title></head><body><main><h1>x</h1>'
                     '<input type="text"><p style="color:#bbb;background:#fff">серый текст</p></main></body></html>')
    problems = " ".join(accessibility_problems(page))
    assert "label" in problems and "color-contrast" in problems


ECHO = ("<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
        "<t:SendMessage xmlns:t='http://bip.bee.kz/SyncChannel/v10/Types'><request xmlns=''>"
        "<requestInfo><messageId>6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f61</messageId><serviceId>SIM_ECHO</serviceId>"
        "<messageDate>2026-02-02T09:00:00.000+05:00</messageDate><sender><senderId>EGOV_SIM_TEST_CLIENT</senderId>"
        "<password>test-secret</password></sender></requestInfo><requestData><data><hello>сәлем</hello></data>"
        "</requestData></request></t:SendMessage></soap:Body></soap:Envelope>")


def test_overview_in_the_browser(browser, live, shots):
    import httpx

    sent = httpx.post(f"{live.url}/bip-sync-wss-gost/", content=ECHO.encode(), headers={"Content-Type": "text/xml"})
    assert sent.status_code == 200
    page = new_page(browser, live)
    page.goto(f"{live.url}/")
    shots(page, "overview")
    page.goto(f"{live.url}/overview/journal")
    shots(page, "overview-journal")
    page.locator("a[href^='/overview/journal/']").first.click()
    page.wait_for_url(re.compile(r".*/overview/journal/\d+$"))
    assert "soap:Envelope" in page.locator("pre.xml").first.inner_text()
    shots(page, "overview-exchange")


@pytest.fixture(scope="module")
def integrator_site(tmp_path_factory):
    """An integrator's own page on its own origin, with NCALayer's JS client from npm."""
    require_npm()
    folder = tmp_path_factory.mktemp("integrator")
    run = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder),
                          "ncalayer-js-client@1.5.6"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Integrator</title>'
        '<script src="node_modules/ncalayer-js-client/ncalayer-client.js"></script></head>'
        '<body><main><h1>Sign</h1></main></body></html>', encoding="utf-8")
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_an_integrators_page_signs_with_the_npm_client(browser, live, integrator_site):
    """A page of the integrator's own, loading NCALayer's JS client from npm, unchanged."""
    page = new_page(browser, live)
    page.goto(integrator_site)
    result = page.evaluate("""async (url) => {
        const client = new NCALayerClient(url, false);
        await client.connect();
        const xml = await client.basicsSignXML(NCALayerClient.basicsStorageAll, '<doc>сәлем</doc>',
            NCALayerClient.basicsXMLParams, NCALayerClient.basicsSignerSignAny, 'kk');
        const cms = await client.basicsSignCMS(NCALayerClient.basicsStorageAll, 'MTEK',
            NCALayerClient.basicsCMSParamsAttached, NCALayerClient.basicsSignerAny);
        return {xml: xml[0], cms: cms};
    }""", live.ncalayer_url)
    assert result["xml"].startswith('<?xml version="1.0" encoding="UTF-8" standalone="no"?><doc>сәлем<ds:Signature')
    checked = verify_cms(base64.b64decode(result["cms"]))
    assert checked.valid and checked.content == b"11\n" and checked.signers[0].signer.iin == GUARDIAN
