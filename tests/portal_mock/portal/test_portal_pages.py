"""The portal's pages over HTTP (what the browser sends, without a browser): registration and
sign-in, the form with its e-copies, signing through the NCALayer emulator exactly as the page's
script does, the cabinet and the signed result; CSRF, cookies, escaping, isolation, refusals."""

from __future__ import annotations

import json
import re

import pytest
from websockets.sync.client import connect

from tests.support.web import (
    GUARDIAN,
    GUARDIAN_FORM,
    GUARDIAN_SERVICE,
    PDF,
    PORTAL_DOCUMENTS,
    PORTAL_PASSWORD,
    Browserless,
    arm_login,
    arm_requests_of,
    arm_work,
    delivery_story,
    let_shep_retry,
    live_simulator,
    text_of,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with live_simulator(tmp_path_factory.mktemp("portal-pages") / "home") as running:
        yield running


@pytest.fixture()
def guardian(live):
    """A signed-in browser of the guardian persona (registered once per module)."""
    client = Browserless(live.url)
    page = client.get("/web/portal/login")
    if "guardian-registered" not in live.__dict__:
        answer = client.post("/web/portal/register", {"iin": GUARDIAN, "password": PORTAL_PASSWORD,
                                                      "password2": PORTAL_PASSWORD})
        assert answer.status_code == 200 and answer.url.path == "/web/portal/login", text_of(answer.text)[:500]
        live.__dict__["guardian-registered"] = True
    del page
    answer = client.post("/web/portal/login", {"iin": GUARDIAN, "password": PORTAL_PASSWORD, "next": ""})
    assert answer.url.path == "/web/portal/cabinet", text_of(answer.text)[:500]
    yield client
    client.close()


def _draft(client: Browserless) -> str:
    form_page = f"/web/portal/services/{GUARDIAN_SERVICE}"
    data = {"provider": "PVL_PAVLODAR_CITY", **{f"form-{k}": v for k, v in GUARDIAN_FORM.items()}}
    files = [(f"doc-{code}", (f"{code.lower()}.pdf", PDF, "application/pdf")) for code in PORTAL_DOCUMENTS]
    answer = client.post(form_page, data, files=files)
    assert answer.status_code == 200 and "/web/portal/drafts/" in str(answer.url), text_of(answer.text)[:800]
    return str(answer.url).rsplit("/", 1)[1]


def _sign_as_the_page_does(live, client: Browserless, request_id: str) -> str:
    """What ncalayer-sign.js does: the document, getActiveTokens, signXml on PKCS12."""
    xml = client.get(f"/web/portal/drafts/{request_id}/document.xml").text
    with connect(live.ncalayer_url, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["result"]["version"]
        ws.send(json.dumps({"module": "kz.gov.pki.knca.commonUtils", "method": "getActiveTokens"}))
        tokens = json.loads(ws.recv(timeout=10))["responseObject"]
        ws.send(json.dumps({"module": "kz.gov.pki.knca.commonUtils", "method": "signXml",
                            "args": [tokens[0] if tokens else "PKCS12", "SIGNATURE", xml, "", ""]}))
        answer = json.loads(ws.recv(timeout=30))
    assert answer["code"] == "200"
    return answer["responseObject"]


def test_catalogue_and_form_pages(live):
    client = Browserless(live.url)
    home = client.get("/web/portal/")
    assert home.status_code == 200 and GUARDIAN_SERVICE in home.text
    form = client.get(f"/web/portal/services/{GUARDIAN_SERVICE}")
    for doc in PORTAL_DOCUMENTS:
        assert f'id="f-doc-{doc}"' in form.text and f'for="f-doc-{doc}"' in form.text
    assert client.get("/web/portal/services/NO_SUCH").status_code == 404
    kk = client.get("/web/portal/?lang=kk")
    assert 'lang="kk"' in kk.text and "Мемлекеттік көрсетілетін қызметтер" in kk.text
    assert "egov_lang=kk" in kk.headers["set-cookie"]
    assert "Мемлекеттік" in client.get("/web/portal/").text  # remembered


def test_security_headers_and_cookies(live, guardian):
    page = guardian.get("/web/portal/cabinet")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["cache-control"] == "no-store" and page.headers["x-content-type-options"] == "nosniff"
    fresh = Browserless(live.url)
    login = fresh.post("/web/portal/login", {"iin": GUARDIAN, "password": PORTAL_PASSWORD, "next": ""},
                       follow_redirects=False)
    cookies = [c for c in login.headers.get_list("set-cookie") if c.startswith("egov_portal=")]
    assert cookies and "HttpOnly" in cookies[0] and "SameSite=lax" in cookies[0]
    assert "Path=/web/portal" in cookies[0] and "Secure" not in cookies[0]  # plain http here
    csrf_cookie = [c for c in fresh.http.cookies.jar if c.name == "egov_csrf"][0]
    assert csrf_cookie.has_nonstandard_attr("HttpOnly")


def test_every_form_needs_its_csrf_token(live, guardian):
    for path, data in (("/web/portal/login", {"iin": GUARDIAN, "password": PORTAL_PASSWORD}),
                       ("/web/portal/register", {"iin": GUARDIAN, "password": "x", "password2": "x"}),
                       ("/web/portal/logout", {})):
        refused = guardian.post(path, data, token=False)
        assert refused.status_code == 403 and "CSRF" in refused.text
        forged = guardian.post(path, {**data, "csrf_token": "0" * 64}, token=False)
        assert forged.status_code == 403
    other_site = guardian.post("/web/portal/logout", {}, form_page="/web/portal/cabinet",
                               headers={"Origin": "http://evil.test"})
    assert other_site.status_code == 403
    assert guardian.get("/web/portal/cabinet").url.path == "/web/portal/cabinet"  # still signed in


def test_refused_login_shows_the_notice_of_process_2(live):
    client = Browserless(live.url)
    answer = client.post("/web/portal/login", {"iin": GUARDIAN, "password": "wrong-password", "next": ""})
    assert answer.status_code == 401
    assert "Уведомление об отказе в авторизации на портале" in text_of(answer.text)


def test_pages_need_a_session(live):
    client = Browserless(live.url)
    answer = client.get("/web/portal/cabinet")
    assert answer.url.path == "/web/portal/login" and "next=%2Fweb%2Fportal%2Fcabinet" in str(answer.url)
    open_redirect = client.get("/web/portal/login?next=https://evil.test/x")
    assert 'name="next" value=""' in open_redirect.text


def test_a_whole_request_signed_through_ncalayer(live, guardian):
    request_id = _draft(guardian)
    sign_page = guardian.get(f"/web/portal/drafts/{request_id}")
    assert f'data-ncalayer="{live.ncalayer_url}"' in sign_page.text
    assert live.ncalayer_url in sign_page.headers["content-security-policy"]
    signed = _sign_as_the_page_does(live, guardian, request_id)
    answer = guardian.post(f"/web/portal/drafts/{request_id}/sign", {"signed_xml": signed},
                           form_page=f"/web/portal/drafts/{request_id}")
    assert answer.url.path == f"/web/portal/requests/{request_id}"
    assert "accepted" in answer.text and "Запрос принят" in text_of(answer.text)
    [arm_id] = [i for i in arm_requests_of(arm_login(live.url, "pvl_pavlodar_city.clerk"))
                if request_id in arm_login(live.url, "pvl_pavlodar_city.clerk").get(f"/web/arm/requests/{i}").text]
    arm_work(live.url, arm_id)
    let_shep_retry(live)
    done = guardian.get(f"/web/portal/requests/{request_id}")
    text = text_of(done.text)
    assert "result_ready" in done.text and "Результат готов" in text, \
        f"{text_of(done.text.split('<main', 1)[-1])}\n{delivery_story(live.app)}"
    assert "подпись действительна" in text and "САДЫКОВ КАЙРАТ" in text
    result = guardian.get(f"/web/portal/requests/{request_id}/result.xml")
    assert result.headers["content-disposition"].startswith("attachment") and b"<ds:Signature" in result.content
    assert request_id in guardian.get("/web/portal/cabinet").text


def test_signing_without_javascript_by_upload(live, guardian, tmp_path):
    request_id = _draft(guardian)
    signed = _sign_as_the_page_does(live, guardian, request_id).encode("utf-8")
    answer = guardian.post(f"/web/portal/drafts/{request_id}/sign", {},
                           files=[("signed_file", ("signed.xml", signed, "application/xml"))],
                           form_page=f"/web/portal/drafts/{request_id}")
    assert answer.url.path == f"/web/portal/requests/{request_id}" and "accepted" in answer.text


def test_a_foreign_key_is_refused_with_the_notice_of_process_4(live, guardian):
    request_id = _draft(guardian)
    xml = guardian.get(f"/web/portal/drafts/{request_id}/document.xml").text
    with connect(live.ncalayer_url) as ws:
        ws.recv(timeout=10)
        ws.send(json.dumps({"module": "kz.egovsim.ncalayer", "method": "useKey", "args": {"persona": "ward_teen"}}))
        assert json.loads(ws.recv(timeout=30))["code"] == "200"
        ws.send(json.dumps({"module": "kz.gov.pki.knca.commonUtils", "method": "signXml",
                            "args": ["PKCS12", "SIGNATURE", xml, "", ""]}))
        signed = json.loads(ws.recv(timeout=30))["responseObject"]
    answer = guardian.post(f"/web/portal/drafts/{request_id}/sign", {"signed_xml": signed},
                           form_page=f"/web/portal/drafts/{request_id}")
    assert answer.url.path == f"/web/portal/requests/{request_id}"
    text = text_of(answer.text)
    assert "Отказано" in text and "неподтверждением ЭЦП" in text and "K10" in text


def test_incomplete_form_is_refused_on_the_form(live, guardian):
    answer = guardian.post(f"/web/portal/services/{GUARDIAN_SERVICE}",
                           {"provider": "PVL_PAVLODAR_CITY", "form-childIin": "123"})
    assert answer.status_code == 422
    text = text_of(answer.text)
    assert "FORM_INCOMPLETE" in text and "childIin" in text
    assert 'value="123"' in answer.text  # what was typed stays


def test_a_person_sees_only_their_own_requests(live, guardian):
    request_id = _draft(guardian)
    stranger = Browserless(live.url)
    stranger.post("/web/portal/register", {"iin": "830418402117", "password": PORTAL_PASSWORD,
                                           "password2": PORTAL_PASSWORD})
    stranger.post("/web/portal/login", {"iin": "830418402117", "password": PORTAL_PASSWORD, "next": ""})
    assert stranger.last.url.path == "/web/portal/cabinet"
    for path in (f"/web/portal/drafts/{request_id}", f"/web/portal/drafts/{request_id}/document.xml"):
        assert stranger.get(path).status_code == 404
    # a submitted request of the guardian's own (xdist may run this test alone on a worker)
    signed = _sign_as_the_page_does(live, guardian, request_id)
    submitted = guardian.post(f"/web/portal/drafts/{request_id}/sign", {"signed_xml": signed},
                              form_page=f"/web/portal/drafts/{request_id}")
    assert submitted.url.path == f"/web/portal/requests/{request_id}", text_of(submitted.text)[:500]
    mine = [r for r in re.findall(r"PRT-\d{4}-\d{7}", guardian.get("/web/portal/cabinet").text)]
    assert request_id in mine
    assert all(stranger.get(f"/web/portal/requests/{r}").status_code == 404 for r in mine)
    assert stranger.get(f"/web/portal/requests/{request_id}/result.xml").status_code == 404
    assert request_id not in stranger.get("/web/portal/cabinet").text


def test_a_name_with_markup_is_shown_as_text(live):
    """A person whose registry record holds markup: registered, signed in, the name is escaped."""
    iin = "990101301232"
    person = {"iin": iin, "surname": "<script>alert(1)</script>", "name": "<b>Ерлан</b>",
              "regAddress": {"region": "55", "district": "5501", "city": "ПАВЛОДАР", "street": "УЛ. ЛОМОВА",
                             "building": "5", "flat": "3", "beginDate": "2020-01-01", "status": "1"}}
    import httpx
    added = httpx.put(f"{live.url}/admin/persons/{iin}", json=person)
    assert added.status_code in (200, 201), added.text
    client = Browserless(live.url)
    client.post("/web/portal/register", {"iin": iin, "password": PORTAL_PASSWORD, "password2": PORTAL_PASSWORD})
    page = client.post("/web/portal/login", {"iin": iin, "password": PORTAL_PASSWORD, "next": ""})
    assert page.url.path == "/web/portal/cabinet", text_of(page.text)[:400]
    assert "<SCRIPT>" not in page.text and "<B>ЕРЛАН</B>" not in page.text
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt; &lt;B&gt;ЕРЛАН&lt;/B&gt;" in page.text
