"""The pages' shared foundation: both languages for every word a template uses, the page
secret, CSRF tokens, bounded forms, escaping, times in Kazakhstan time."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest
from starlette.requests import Request

from egov_sim.core.web import Messages, Site, csrf
from egov_sim.core.web.forms import FormTooLarge, read_form
from egov_sim.core.web.i18n import COMMON, choose
from egov_sim.core.web.rendering import Pages, local_time
from tests.support import ROOT

CATALOGUES = {
    "portal_mock/portal/pages": "egov_sim.portal_mock.portal.pages.messages",
    "portal_mock/con/pages": "egov_sim.portal_mock.con.pages.messages",
    "gateway/rshep/pages": "egov_sim.gateway.rshep.pages.messages",
    "egov_sim/app": "egov_sim.app.overview_messages",
}
_T = re.compile(r"""\bt\(\s*'([a-z_]+)'\s*\)""")


@pytest.mark.parametrize("folder, module", CATALOGUES.items())
def test_every_word_of_the_templates_is_in_both_languages(folder, module):
    import importlib

    messages = Messages(COMMON, importlib.import_module(module).MESSAGES)
    templates = list((ROOT / folder).rglob("*.html")) + list((ROOT / "egov_sim/core/web/templates").rglob("*.html"))
    used = {key for path in templates for key in _T.findall(path.read_text(encoding="utf-8"))}
    assert used, folder
    missing = sorted(k for k in used if k not in messages)
    assert not missing, missing
    for key in used:
        ru, kk = messages.text(key, "ru"), messages.text(key, "kk")
        assert ru and kk


def test_messages_need_both_texts_and_known_keys():
    with pytest.raises(ValueError, match="Russian and a Kazakh"):
        Messages({"x": ("только русский",)})
    messages = Messages({"hello": ("Привет", "Сәлем")})
    assert messages.text("hello", "kk") == "Сәлем" and messages.text("hello", "ru") == "Привет"
    with pytest.raises(KeyError, match="no message 'bye'"):
        messages.text("bye", "ru")


def test_language_choice():
    assert choose("kk", None, "ru") == ("kk", True)
    assert choose(None, "kk", "ru") == ("kk", False)
    assert choose("en", "xx", "ru") == ("ru", False)


def _request(method="POST", headers=(), body=b"", cookies=""):
    raw = [(k.lower().encode(), v.encode()) for k, v in headers]
    if cookies:
        raw.append((b"cookie", cookies.encode()))
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": method, "path": "/x", "headers": raw, "query_string": b"",
             "scheme": "http", "server": ("sim.test", 80), "root_path": ""}
    return Request(scope, receive)


def test_csrf_tokens_match_their_cookie_only():
    secret = b"k" * 32
    cookie = "c" * 43
    good = csrf.token_for(secret, cookie)
    csrf.check(_request(cookies=f"egov_csrf={cookie}"), secret, good)
    with pytest.raises(csrf.CsrfError, match="does not match"):
        csrf.check(_request(cookies=f"egov_csrf={'d' * 43}"), secret, good)
    with pytest.raises(csrf.CsrfError, match="no CSRF"):
        csrf.check(_request(), secret, good)
    with pytest.raises(csrf.CsrfError, match="evil.test"):
        csrf.check(_request(headers=[("origin", "http://evil.test")], cookies=f"egov_csrf={cookie}"), secret, good)
    csrf.check(_request(headers=[("origin", "http://sim.test")], cookies=f"egov_csrf={cookie}"), secret, good)


def test_a_form_over_the_limit_is_refused():
    body = b"a=" + b"x" * 5000
    request = _request(headers=[("content-type", "application/x-www-form-urlencoded")], body=body)
    with pytest.raises(FormTooLarge):
        asyncio.run(read_form(request, max_bytes=1000))
    ok = _request(headers=[("content-type", "application/x-www-form-urlencoded")], body=b"a=1&b=%D1%81")
    form, uploads = asyncio.run(read_form(ok, max_bytes=1000))
    assert form["a"] == "1" and form["b"] == "с" and uploads == []


def test_templates_escape_everything(tmp_path):
    pages = Pages(Site(secret=b"s" * 32), package="egov_sim.core.web", messages=Messages(COMMON),
                  base_path="/x", brand_key="site_name")
    response = pages.render(_request("GET"), "web/error.html", error_key="error_internal",
                            detail="<script>alert(1)</script>", user_label="<b>Name</b>")
    body = response.body.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    assert "&lt;b&gt;Name&lt;/b&gt;" in body


def test_times_are_shown_in_kazakhstan_time():
    moment = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
    assert local_time(moment) == "02.02.2026 09:00"
    assert local_time("2026-02-02T04:00:00Z") == "02.02.2026 09:00"
    assert local_time(None) == "—"


def test_no_third_party_script_is_shipped():
    """Only the simulator's own scripts: the pages load nothing from elsewhere."""
    for path in Path(ROOT).glob("**/pages/static/*.js"):
        assert "Copyright" not in path.read_text(encoding="utf-8")
    for path in Path(ROOT).rglob("templates/**/*.html"):
        assert not re.search(r'src="https?://', path.read_text(encoding="utf-8")), path
