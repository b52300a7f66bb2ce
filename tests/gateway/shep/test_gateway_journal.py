"""The ШЭП journal seen from outside: every exchange recorded before its answer leaves, kept across
restarts, readable through the admin API and the CLI; no journal, no answer (SCE014).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from egov_sim.app.cli import main
from egov_sim.gateway.journal import Journal, JournalFilter, JournalUnavailable
from tests.support.shep import (
    GUID,
    IIN,
    SIGNED_CLIENT,
    TEST_CLIENT,
    assert_fault,
    envelope,
    journaled,
    live_gateway,
    new_id,
    plain_data,
    request_info,
    utc,
)

OTHER_IIN = "900701443217"


def test_success_and_fault_are_journaled_with_everything(gw):
    ok_id, fault_id = new_id(), new_id()
    ok_body = envelope("go", info=request_info(message_id=ok_id), data=plain_data(IIN))
    ok = gw.post(ok_body, style="go")
    fault = gw.send(info=request_info(message_id=fault_id, service_id="NO_SUCH"))
    assert ok.status == 200 and fault.status == 500

    (entry,) = gw.journal.list(JournalFilter(message_id=ok_id))
    full = gw.journal.get(entry.id)
    assert (full.service_id, full.sender_id, full.channel) == ("SIM_ECHO", TEST_CLIENT[0], "sync")
    assert (full.status_code, full.error_code, full.http_status) == ("SCSS001", None, 200)
    assert full.session_id == ok.response_info["sessionId"] and re.fullmatch(GUID, full.session_id)
    assert full.provider == "builtin:echo" and full.client == "127.0.0.1"
    assert full.request_signature == "absent" and full.response_signed is False
    assert full.received_at <= full.provider_started_at <= full.provider_finished_at <= full.responded_at
    assert 0 <= full.provider_ms <= full.total_ms < 5000
    assert full.request_body == journaled(ok_body) and full.response_body == ok.content
    assert b"test-secret" not in full.request_body  # the sender's password is never stored

    (entry,) = gw.journal.list(JournalFilter(message_id=fault_id))
    full = gw.journal.get(entry.id)
    assert (full.error_code, full.http_status, full.status_code) == ("SCE004", 500, None)
    assert "NO_SUCH" in full.error_message
    assert full.session_id == fault.error["sessionId"]
    assert full.response_body == fault.content and full.provider is None


def test_admin_api_lists_shows_exports_and_checks(gw):
    iin = "850505450011"
    ids = [new_id() for _ in range(3)]
    for message_id in ids[:2]:
        assert gw.send(info=request_info(message_id=message_id), data=plain_data(iin)).status == 200
    gw.send(info=request_info(message_id=ids[2], sender=SIGNED_CLIENT), data=plain_data(iin))  # SCE007

    listing = gw.http.get(f"{gw.url}/admin/journal", params={"messageId": ids[0]}).json()
    assert listing["total"] == 1
    item = listing["items"][0]
    assert (item["serviceId"], item["senderId"], item["statusCode"]) == ("SIM_ECHO", TEST_CLIENT[0], "SCSS001")
    one = gw.http.get(f"{gw.url}/admin/journal/{item['id']}").json()
    assert iin in one["requestBody"] and one["responseBodyEncoding"] == "utf-8"

    faults = gw.http.get(f"{gw.url}/admin/journal", params={"status": "SCE007", "text": iin}).json()
    assert [i["messageId"] for i in faults["items"]] == [ids[2]]

    check = gw.http.get(f"{gw.url}/admin/journal/check", params={"serviceId": "SIM_ECHO", "iin": iin})
    assert check.json() == {"serviceId": "SIM_ECHO", "found": 3}  # faults count as calls
    mismatch = gw.http.get(f"{gw.url}/admin/journal/check",
                           params={"serviceId": "SIM_ECHO", "iin": iin, "senderId": TEST_CLIENT[0], "count": 1})
    assert mismatch.status_code == 409 and mismatch.json()["found"] == 2

    lines = gw.http.get(f"{gw.url}/admin/journal/export", params={"text": iin}).text.splitlines()
    assert [json.loads(line)["messageId"] for line in lines] == ids


def test_no_journal_no_answer(gw, monkeypatch):
    """If the exchange cannot be journaled the client gets SCE014, never the normal response."""
    def unavailable(self, rows, **_):
        raise JournalUnavailable("the ШЭП journal is unavailable: disk I/O error")

    monkeypatch.setattr(Journal, "write_rows", unavailable)
    reply = gw.send()
    error = assert_fault(reply, "SCE014", data_contains="disk I/O error", faultcode="soap:Server")
    assert reply.data is None and b"SCSS001" not in reply.content
    assert re.fullmatch(GUID, error["sessionId"])
    # a request that was a fault anyway is answered with SCE014 too: the journal comes first
    assert_fault(gw.send(info=request_info(service_id="NO_SUCH")), "SCE014")
    monkeypatch.undo()
    gw.assert_serving()


# --- restart and CLI on one home ------------------------------------------------------------------


@pytest.fixture(scope="module")
def traffic(tmp_path_factory, gw_pki):
    """A home with known traffic, written by a server that has since stopped."""
    home = tmp_path_factory.mktemp("journal-home")
    ids = {}
    with live_gateway(home, gw_pki) as live:
        for n in range(2):
            ids[f"ok{n}"] = new_id()
            assert live.send(info=request_info(message_id=ids[f"ok{n}"]), data=plain_data(IIN)).status == 200
        ids["fault"] = new_id()
        live.send(info=request_info(message_id=ids["fault"], sender=(TEST_CLIENT[0], "bad")),
                  data=plain_data(IIN))
        ids["other"] = new_id()
        assert live.send(info=request_info(message_id=ids["other"]), data=plain_data(OTHER_IIN)).status == 200
    return home, ids


def test_journal_survives_restart(traffic, gw_pki, tmp_path):
    home, ids = traffic
    home = Path(shutil.copytree(home, tmp_path / "home"))  # the other tests keep their counts
    with live_gateway(home, gw_pki) as again:
        listing = again.http.get(f"{again.url}/admin/journal").json()
        assert listing["total"] == 4
        assert [i["messageId"] for i in listing["items"]] == [ids["other"], ids["fault"], ids["ok1"], ids["ok0"]]
        check = again.http.get(f"{again.url}/admin/journal/check",
                               params={"serviceId": "SIM_ECHO", "iin": IIN, "count": 3})
        assert check.status_code == 200 and check.json()["ok"] is True
        assert again.send().status == 200  # and it goes on appending
        assert again.journal.count() == 5


def test_cli_journal_list_and_check(traffic, capsys):
    home, ids = traffic
    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "journal", "list", "--json", "--service-id", "SIM_ECHO"])
    assert done.value.code == 0
    items = json.loads(capsys.readouterr().out)
    assert {i["messageId"] for i in items} >= {ids["ok0"], ids["ok1"], ids["fault"], ids["other"]}
    assert {i["errorCode"] for i in items if i["messageId"] == ids["fault"]} == {"SCE008"}

    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "journal", "check", "--service-id", "SIM_ECHO", "--iin", IIN, "--count", "3"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == "ok: 3 calls"

    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "journal", "check", "--service-id", "SIM_ECHO", "--iin", OTHER_IIN,
              "--count", "2"])
    assert done.value.code == 1 and "expected 2 calls, found 1" in capsys.readouterr().err

    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "journal", "check", "--service-id", "SIM_ECHO", "--iin", "123", "--count", "1"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.startswith("egov-sim: error:") and err.count("\n") == 1


def test_cli_journal_show_and_export(traffic, capsys, tmp_path):
    home, ids = traffic
    with pytest.raises(SystemExit):
        main(["--home", str(home), "journal", "list", "--json", "--message-id", ids["fault"]])
    (entry,) = json.loads(capsys.readouterr().out)
    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "journal", "show", str(entry["id"]), "--bodies"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "SCE008" in out and "--- request body (utf-8) ---" in out

    out_file = tmp_path / "journal.jsonl"
    with pytest.raises(SystemExit) as done:
        main(["--home", str(home), "journal", "export", "--out", str(out_file), "--status", "SCSS001"])
    assert done.value.code == 0
    lines = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [line["messageId"] for line in lines] == [ids["ok0"], ids["ok1"], ids["other"]]
    assert all(line["requestBodyEncoding"] == "utf-8" for line in lines)


def test_journal_times_are_the_gateway_clock(traffic):
    home, _ = traffic
    from egov_sim.core.database import Database, sqlite_url

    with Database.open(sqlite_url(home / "egov-sim.db")) as db:
        entries = Journal(db).list()
    assert all(e.received_at > utc(2024, 1, 1) for e in entries)
