"""Secrets are never stored or returned in clear (issue 16, defect 2).

The sender's password (and any token or key a body carries) is blanked in the journal before
the row is written, and is absent from everything that reads it back — the admin API, ``journal
show --bodies``, ``journal export``, the overview page; rows stored by an older version are
redacted by the journal's migration; an external provider gets the password only when its
service says ``forward_password = true``; a page never echoes a password it was sent.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.testing import serve_in_thread
from egov_sim.gateway.journal import JOURNAL_SCHEMA, Journal, JournalFilter
from egov_sim.gateway.redaction import has_secret, redact
from tests.support.security import egov_sim_cli, issue, signed_envelope, whole_simulator
from tests.support.shep import CS, XSI, envelope, request_info
from tests.support.web import Browserless

PASSWORD = "test-secret"
TOKEN = "kdp-7f3a9c0e5b1d"


def _token_request(message_id: str) -> bytes:
    """A SendMessage whose data carries a consent token, typed and escaped."""
    typed = (f'<data xmlns:cs="{CS}" xmlns:xsi="{XSI}" xsi:type="cs:Request"><iin>880314312347</iin>'
             f'<kdpToken>{TOKEN}</kdpToken><publicKey>MIIB</publicKey>'
             f'<note>&lt;req&gt;&lt;accessToken&gt;{TOKEN}&lt;/accessToken&gt;&lt;/req&gt;</note></data>')
    return envelope("jaxws", info=request_info(message_id=message_id), data=typed)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("secrets")) as sim:
        yield sim


def test_no_reader_of_the_journal_sees_a_password_or_a_token(sim):
    message_id = str(uuid.uuid4())
    body = _token_request(message_id)
    reply = sim.shep(body)
    assert reply.status_code == 200 and TOKEN in reply.text  # the echo answers the token, live
    (entry,) = sim.journal.list(JournalFilter(message_id=message_id))
    stored = sim.journal.get(entry.id)
    assert PASSWORD.encode() not in stored.request_body and TOKEN.encode() not in stored.request_body
    assert TOKEN.encode() not in stored.response_body
    assert stored.request_body.count(b"***") == 3 and stored.request_size == len(body)
    # everything else byte for byte
    assert stored.request_body == body.replace(PASSWORD.encode(), b"***").replace(TOKEN.encode(), b"***")

    raw = sim.app.state.database.query_one("SELECT request_body, response_body FROM shep_journal WHERE id = ?",
                                           (entry.id,))
    assert not has_secret(bytes(raw["request_body"])) and not has_secret(bytes(raw["response_body"]))
    readers = {
        "admin": sim.http.get(f"/admin/journal/{entry.id}").text,
        "export": sim.http.get("/admin/journal/export", params={"messageId": message_id}).text,
        "page": sim.http.get(f"/overview/journal/{entry.id}").text,
        "show": egov_sim_cli(sim.home, "journal", "show", str(entry.id), "--bodies").stdout,
        "cli-export": egov_sim_cli(sim.home, "journal", "export", "--message-id", message_id).stdout,
    }
    for name, text in readers.items():
        assert message_id in text or name == "page", name
        assert PASSWORD not in text and TOKEN not in text, name


def test_the_journal_keeps_the_signers_certificate(sim):
    """A BinarySecurityToken is named like a secret but is the signer's public certificate."""
    cert = issue(sim.pki, name="journal-signer")
    message_id = str(uuid.uuid4())
    assert sim.shep(signed_envelope(cert, message_id=message_id)).status_code == 200
    (entry,) = sim.journal.list(JournalFilter(message_id=message_id))
    stored = b"".join(sim.journal.get(entry.id).request_body.split())
    assert base64.b64encode(cert.certificate.public_bytes(Encoding.DER)) in stored
    assert PASSWORD.encode() not in stored


def test_the_migration_redacts_rows_stored_before(tmp_path):
    """A journal written by a version without redaction (schema v2) is cleaned on first open."""
    url = sqlite_url(tmp_path / "old.db")
    with Database.open(url) as db:
        old = type(JOURNAL_SCHEMA)(JOURNAL_SCHEMA.component, JOURNAL_SCHEMA.steps[:2])
        db.migrate(old)
        for i in range(3):
            db.execute("INSERT INTO shep_journal (channel, received_at, request_signature, response_signed,"
                       " request_size, request_body, response_body) VALUES ('sync', ?, 'absent', 0, 1, ?, ?)",
                       (f"2026-02-02T04:00:0{i}.000000Z", _token_request(str(i)), b"<ok/>"))
    with Database.open(url) as db:
        journal = Journal(db)
        assert db.schema_version("shep_journal") == len(JOURNAL_SCHEMA.steps)
        rows = db.query("SELECT request_body FROM shep_journal")
        assert len(rows) == 3 and not any(has_secret(bytes(r["request_body"])) for r in rows)
        assert all(TOKEN.encode() not in bytes(r["request_body"]) for r in rows)
        assert journal.count() == 3


@pytest.mark.parametrize("forward", [False, True], ids=["default", "forward_password"])
def test_an_external_provider_gets_the_password_only_when_its_service_says_so(tmp_path, forward):
    seen: list[bytes] = []

    async def provider(request: Request) -> Response:
        seen.append(await request.body())
        ok = ("<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
              "<ns2:SendMessageResponse xmlns:ns2='http://bip.bee.kz/SyncChannel/v10/Types'><response>"
              "<responseInfo><messageId>m</messageId><status><code>SCSS001</code><message>ok</message>"
              "</status></responseInfo><responseData><data>x</data></responseData></response>"
              "</ns2:SendMessageResponse></soap:Body></soap:Envelope>")
        return Response(ok, media_type="text/xml")

    with serve_in_thread(Starlette(routes=[Route("/p", provider, methods=["POST"])])) as provider_url:
        config = (f'[[services]]\nservice_id = "EXT"\nprovider = "{provider_url}/p"\n'
                  f"forward_password = {'true' if forward else 'false'}\n")
        with whole_simulator(tmp_path / "home", config=config) as sim:
            reply = sim.shep(envelope("jaxws", info=request_info(service_id="EXT")))
            assert reply.status_code == 200, reply.text
    assert len(seen) == 1
    assert (PASSWORD.encode() in seen[0]) is forward
    assert b"<senderId>EGOV_SIM_TEST_CLIENT</senderId>" in seen[0]


def test_a_refused_registration_page_does_not_echo_the_password(sim):
    browser = Browserless(sim.url)
    try:
        secret = "Unique-Pass-8731"
        page = browser.post("/web/portal/register", {"iin": "880314312347", "password": secret,
                                                     "password2": secret + "x"})
        assert page.status_code == 422 and secret not in page.text
    finally:
        browser.close()


@pytest.mark.parametrize("body, expected", [
    (b"<sender><password>p@ss</password></sender>", b"<sender><password>***</password></sender>"),
    (b"<a:Password xmlns:a='u'>x</a:Password >", b"<a:Password xmlns:a='u'>***</a:Password >"),
    (b"<x clientSecret='s' id='1'/>", b"<x clientSecret='***' id='1'/>"),
    (b"<pin><![CDATA[1234</pin>]]></pin>", b"<pin>***</pin>"),
    (b"<d>&lt;apiKey&gt;k&lt;/apiKey&gt;</d>", b"<d>&lt;apiKey&gt;***&lt;/apiKey&gt;</d>"),
    (b"<passport>N123</passport><pinfl>1</pinfl><tokens><t>1</t></tokens>",
     b"<passport>N123</passport><pinfl>1</pinfl><tokens><t>1</t></tokens>"),
    (b"<password/><password></password>", b"<password/><password></password>"),
    (b"\xff\xfe<password>\xc3\x28</password>", b"\xff\xfe<password>***</password>"),
    (b"<wsse:BinarySecurityToken ValueType='x509'>MIIC</wsse:BinarySecurityToken><kdpToken>k</kdpToken>",
     b"<wsse:BinarySecurityToken ValueType='x509'>MIIC</wsse:BinarySecurityToken><kdpToken>***</kdpToken>"),
    (b"<binarysecuritytoken><!-- c -->MIIC</binarysecuritytoken><accessToken>t</accessToken>",
     b"<binarysecuritytoken><!-- c -->MIIC</binarysecuritytoken><accessToken>***</accessToken>"),
], ids=["plain", "prefixed-spaced", "attribute", "cdata", "escaped", "look-alikes", "empty", "not-utf8",
        "certificate-kept", "certificate-kept-by-expressions"])
def test_what_redaction_changes_and_what_it_leaves(body, expected):
    assert redact(body) == expected
    assert redact(redact(body)) == redact(body)


def test_the_journal_admin_api_json_has_no_secret(sim):
    message_id = str(uuid.uuid4())
    sim.shep(_token_request(message_id))
    listed = sim.http.get("/admin/journal", params={"messageId": message_id}).json()
    (item,) = listed["items"]
    full = sim.http.get(f"/admin/journal/{item['id']}").json()
    assert "***" in full["requestBody"] and PASSWORD not in json.dumps(full)
