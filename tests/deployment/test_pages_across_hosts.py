"""A web form shown by one host is accepted by another (several hosts, one database; issue 16).

Behind a round-robin balancer the page with a form and the POST of that form reach different
hosts. The form's CSRF token (and the admin cookie) are keyed with a secret every host of one
PKI derives alike, so the second host accepts what the first one showed. Two simulators on
loopback share one SQLite database and a copy of one PKI, as in docs/deployment.md; the
browser's cookies are kept for 127.0.0.1 whatever the port, as behind one balancer's address.
"""

from __future__ import annotations

import contextlib
import shutil

from egov_sim.core.database import DATABASE_URL_ENV, sqlite_url
from egov_sim.reference import personas
from egov_sim.signing.pki import TestPKI
from tests.support.security import whole_simulator
from tests.support.web import Browserless, text_of

PASSWORD = "Qwerty-123"


def test_a_form_from_one_host_is_accepted_by_the_other(tmp_path, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, sqlite_url(tmp_path / "shared.db"))
    TestPKI.init(tmp_path / "a" / "pki", base_url="http://127.0.0.1:9")
    shutil.copytree(tmp_path / "a" / "pki", tmp_path / "b" / "pki")
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(whole_simulator(tmp_path / "a"))
        b = stack.enter_context(whole_simulator(tmp_path / "b"))
        browser = Browserless(a.url)
        stack.callback(browser.close)
        token = browser.token("/web/portal/register")          # the form, shown by host a
        page = browser.http.post(f"{b.url}/web/portal/register",  # posted to host b
                                 data={"csrf_token": token, "iin": personas.GUARDIAN, "password": PASSWORD,
                                       "password2": PASSWORD})
        assert page.status_code == 200 and page.url.path == "/web/portal/login", text_of(page.text)[:500]
        signed_in = a.http.post("/portal/login", json={"iin": personas.GUARDIAN, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text  # the account is in the shared database
