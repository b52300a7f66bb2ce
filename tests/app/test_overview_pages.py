"""The overview at ``/``: what is running, the personas' keys, the ШЭП journal paged by keyset
with each exchange's bodies, scenario reports — behind the admin rule (loopback, or the token)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from egov_sim.app.server import build_app
from egov_sim.core.asgi_transport import SyncASGITransport
from egov_sim.core.clock import fixed_clock
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.settings import Settings
from egov_sim.gateway.journal import Exchange, Journal, JournalFilter
from egov_sim.signing.keyfiles import load_pkcs12
from tests.support.rshep import TEST_MONDAY
from tests.support.web import Browserless, live_simulator, text_of


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    home = tmp_path_factory.mktemp("overview") / "home"
    return build_app(Settings(home=home, population=50, fast_password_hashing=True), clock=fixed_clock(TEST_MONDAY))


def client_of(app, host: str = "127.0.0.1") -> httpx.Client:
    return httpx.Client(transport=SyncASGITransport(app, client=(host, 40000)), base_url="http://sim.test")


def _exchange(i: int, **kw) -> Exchange:
    at = TEST_MONDAY + dt.timedelta(seconds=i)
    body = f"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body><n>{i}</n>" \
           f"<note>&lt;script&gt;alert({i})&lt;/script&gt;</note></soap:Body></soap:Envelope>".encode()
    return Exchange(received_at=at, request_body=body, response_body=b"not xml <b>", responded_at=at,
                    service_id=kw.get("service_id", "SIM_ECHO"), sender_id="EGOV_SIM_TEST_CLIENT",
                    status_code=kw.get("status_code", "SCSS001"), error_code=kw.get("error_code"),
                    request_signature="valid" if i % 2 else "absent", http_status=200)


def test_loopback_sees_what_is_running(app):
    page = client_of(app).get("/")
    assert page.status_code == 200
    text = text_of(page.text)
    for expected in ("/bip-sync-wss-gost/", "SyncChannelHttp_Service.wsdl", "EGOV_SIM_PORTAL", "SIM_PORTAL_INBOX",
                     "R_Pavlodar", "guardian", "780314401012", "wss://127.0.0.1:13579"):
        assert expected in text, expected
    assert "portal-secret" not in page.text  # passwords are never shown


def test_other_hosts_are_refused_without_a_token(app):
    for path in ("/", "/overview/journal", "/overview/keys/guardian.p12", "/overview/journal/1"):
        answer = client_of(app, "10.1.2.3").get(path)
        assert answer.status_code == 403 and "loopback" in answer.text, path


def test_persona_keys_download(app):
    answer = client_of(app).get("/overview/keys/guardian.p12")
    assert answer.headers["content-type"] == "application/x-pkcs12"
    path = app.state.pki.directory / "downloaded.p12"
    path.write_bytes(answer.content)
    _, cert, _ = load_pkcs12(path, "Qwerty12")
    assert "IIN780314401012" in cert.subject.rfc4514_string()
    assert client_of(app).get("/overview/keys/nobody.p12").status_code == 404


def test_journal_pages_by_keyset_and_shows_bodies(app):
    journal = app.state.gateway.journal
    journal.clear()
    ids = journal.record_many([_exchange(i, **({"service_id": "SIM_OTHER", "status_code": None,
                                                  "error_code": "SCE006"} if i % 10 == 0 else {}))
                               for i in range(1, 131)])
    client = client_of(app)
    seen, url = [], "/overview/journal"
    while url:
        page = client.get(url)
        seen += [int(n) for n in re.findall(r'<td><a href="/overview/journal/(\d+)">', page.text)]
        older = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == sorted(ids, reverse=True)
    newer = re.search(r'<a href="([^"]+)" rel="prev">', page.text)
    back = client.get(newer.group(1).replace("&amp;", "&"))
    assert [int(n) for n in re.findall(r'<td><a href="/overview/journal/(\d+)">', back.text)] == \
        sorted(ids, reverse=True)[50:100]
    faults = client.get("/overview/journal?status=SCE006")
    assert re.findall(r'<td><a href="/overview/journal/(\d+)">', faults.text) == \
        [str(i) for i in sorted(ids, reverse=True) if (i - ids[0] + 1) % 10 == 0]
    detail = client.get(f"/overview/journal/{ids[4]}")
    assert "&lt;n&gt;5&lt;/n&gt;" in detail.text  # the body, pretty-printed and escaped
    assert "&amp;lt;script&amp;gt;alert(5)" in detail.text and "<script>alert" not in detail.text
    assert "not xml &lt;b&gt;" in detail.text


def test_keyset_page_is_the_same_as_offset_paging(tmp_path):
    db = Database.open(sqlite_url(tmp_path / "j.db"))
    journal = Journal(db)
    journal.record_many([_exchange(i, **({"status_code": None, "error_code": "SCSS001"} if i == 7 else {}))
                         for i in range(1, 40)])
    for where in (JournalFilter(), JournalFilter(status="SCSS001"), JournalFilter(service_id="SIM_ECHO")):
        expected = [e.id for e in journal.list(where, limit=1000)]
        got, before = [], None
        while True:
            page = journal.page(where, before=before, limit=7)
            if not page:
                break
            got += [e.id for e in page]
            before = page[-1].id
        assert got == expected
        assert [e.id for e in journal.page(where, after=expected[10], limit=3)] == expected[7:10]
    db.close()


def test_reports_are_listed_and_served_sandboxed(app):
    reports = app.state.settings.home / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "run.html").write_text("<html><body><script>alert(1)</script>report</body></html>")
    client = client_of(app)
    assert 'href="/overview/reports/run.html"' in client.get("/").text
    served = client.get("/overview/reports/run.html")
    assert served.status_code == 200 and served.headers["content-security-policy"].startswith("sandbox")
    assert client.get("/overview/reports/..%2Fweb-secret").status_code == 404
    assert client.get("/overview/reports/missing.html").status_code == 404


def test_with_a_token_the_token_is_asked_once(tmp_path):
    with live_simulator(tmp_path / "home", admin_token="s3cret-token") as live:
        browser = Browserless(live.url)
        first = browser.get("/")
        assert first.url.path == "/overview/login"
        wrong = browser.post("/overview/login", {"token": "nope"})
        assert wrong.status_code == 401
        right = browser.post("/overview/login", {"token": "s3cret-token"})
        assert right.url.path == "/" and "EGOV_SIM_PORTAL" in right.text
        cookie = [c for c in right.history[0].headers.get_list("set-cookie") if c.startswith("egov_admin=")][0]
        assert "s3cret-token" not in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        bearer = httpx.get(f"{live.url}/overview/journal", headers={"Authorization": "Bearer s3cret-token"})
        assert bearer.status_code == 200
        assert httpx.get(f"{live.url}/overview/journal", follow_redirects=False).status_code == 303
