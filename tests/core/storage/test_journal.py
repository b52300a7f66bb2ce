"""The ШЭП exchange journal: recording, filters, export, call counts, durability."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
import sys
import threading

import pytest

from egov_sim.core.database import Database, Schema, sqlite_url
from egov_sim.core.errors import InputError
from egov_sim.gateway.journal import (
    JOURNAL_SCHEMA,
    Journal,
    JournalFilter,
    JournalUnavailable,
    encode_body,
    parse_time,
)

T0 = dt.datetime(2024, 2, 5, 5, 15, tzinfo=dt.UTC)
ALMATY = dt.timezone(dt.timedelta(hours=5))


def ids(entries):
    return [e.id for e in entries]


# -- recording -----------------------------------------------------------------------------------


def test_record_and_get_keep_every_field_and_the_exact_bytes(journal, exchange):
    request = b"\xef\xbb\xbf<?xml version='1.0'?>\r\n<SendMessage>\xd0\x98\xd0\x98\xd0\x9d</SendMessage>"
    response = b"\x00\x01not utf-8\xff"
    ex = exchange(
        request_body=request, response_body=response, correlation_id="corr-1",
        session_id="{f0774397-0000-4000-8000-000000000001}", route_id="R_Pavlodar",
        client="127.0.0.1", channel="sync",
        received_at=T0.astimezone(ALMATY),
        provider_started_at=T0 + dt.timedelta(milliseconds=2),
        provider_finished_at=T0 + dt.timedelta(milliseconds=9, microseconds=500),
        responded_at=T0 + dt.timedelta(milliseconds=12),
        request_signature="unverified-gost", signature_details={"algorithm": "gost34311", "n": 1})
    journal_id = journal.record(ex)
    entry = journal.get(journal_id)
    assert entry.id == journal_id
    assert entry.request_body == request and entry.response_body == response
    assert (entry.message_id, entry.correlation_id, entry.session_id) == \
        (ex.message_id, "corr-1", "{f0774397-0000-4000-8000-000000000001}")
    assert (entry.service_id, entry.sender_id, entry.route_id, entry.provider) == \
        ("GBDFL_UniversalServiceSync", "EGOV_SIM_IIS_CON", "R_Pavlodar", "gbd_fl")
    assert entry.received_at == T0 and entry.received_at.tzinfo is not None
    assert entry.provider_ms == 7.5 and entry.total_ms == 12.0
    assert entry.request_signature == "unverified-gost" and entry.response_signed is True
    assert entry.signature_details == {"algorithm": "gost34311", "n": 1}
    assert (entry.status_code, entry.error_code, entry.http_status) == ("SCSS001", None, 200)
    assert (entry.request_size, entry.response_size) == (len(request), len(response))
    assert journal.get(journal_id + 1000) is None


def test_measured_durations_win_over_clock_differences(journal, exchange):
    # With a fixed clock the timestamps are equal; the gateway passes monotonic measurements.
    jid = journal.record(exchange(responded_at=T0, provider_ms=3.25, total_ms=4.5))
    entry = journal.get(jid)
    assert (entry.provider_ms, entry.total_ms) == (3.25, 4.5)


def test_a_fault_is_recorded_with_its_error_code(journal, exchange):
    jid = journal.record(exchange(status_code=None, status_message=None, error_code="SCE006",
                                  error_message="Не верная транспортная подпись", http_status=500,
                                  response_signed=False, request_signature="invalid"))
    entry = journal.get(jid)
    assert entry.is_fault and entry.outcome == "SCE006"
    assert entry.error_message == "Не верная транспортная подпись"


def test_ids_grow_and_are_not_reused_after_clear(journal, exchange):
    first = journal.record(exchange())
    second = journal.record(exchange())
    assert second > first
    assert journal.clear() == 2
    assert journal.list() == []
    assert journal.record(exchange()) > second


def test_bad_exchanges_are_programming_errors(journal, exchange):
    with pytest.raises(TypeError):
        journal.record(exchange(request_body="text, not bytes"))
    with pytest.raises(ValueError):
        journal.record(exchange(request_signature="Valid!"))
    with pytest.raises(ValueError):
        journal.record(exchange(received_at=dt.datetime(2024, 1, 1)))  # naive


def test_record_raises_journal_unavailable_when_the_database_is_locked(tmp_path, exchange):
    path = tmp_path / "locked.db"
    with Database.open(sqlite_url(path), busy_timeout=0.2) as db:
        journal = Journal(db)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            with pytest.raises(JournalUnavailable, match="locked") as err:
                journal.record(exchange())
            assert err.value.code == "JOURNAL_UNAVAILABLE"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert journal.record(exchange()) >= 1  # and it recovers once the lock is released


def test_record_raises_journal_unavailable_when_closed(db_url, exchange):
    db = Database.open(db_url)
    journal = Journal(db)
    db.close()
    with pytest.raises(JournalUnavailable):
        journal.record(exchange())


def test_a_writer_waits_for_the_lock_instead_of_failing(tmp_path, exchange):
    path = tmp_path / "wait.db"
    with Database.open(sqlite_url(path), busy_timeout=5) as db:
        journal = Journal(db)
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
        assert journal.record(exchange()) == 1  # waited about 0.3 s for the other writer
        holder.close()


# -- queries -------------------------------------------------------------------------------------


@pytest.fixture
def sample(journal, exchange):
    """Five exchanges a minute apart, oldest first; returns their ids."""
    rows = [
        exchange(service_id="GBDFL", sender_id="IIS_CON", received_at=T0,
                 request_body=b"<iin>000000000000</iin>", message_id="m1"),
        exchange(service_id="GBDFL", sender_id="PORTAL", received_at=T0 + dt.timedelta(minutes=1),
                 request_body=b"<iin>111111111111</iin>", message_id="m2"),
        exchange(service_id="ENIS", sender_id="IIS_CON", route_id="R_Pavlodar",
                 received_at=T0 + dt.timedelta(minutes=2), request_body=b"<notary>x</notary>",
                 message_id="m3", status_code=None, error_code="SCE004", http_status=500),
        exchange(service_id="GBDFL", sender_id="IIS_CON", route_id="R_Pavlodar",
                 received_at=T0 + dt.timedelta(minutes=3), status_code="SCSS001",
                 request_body="<name>Әсел</name><iin>000000000000</iin>".encode(), message_id="m4"),
        exchange(service_id="ASP", sender_id="ARM", received_at=T0 + dt.timedelta(minutes=4),
                 request_body=b"<x/>", message_id="m5", status_code="Success"),
    ]
    return [journal.record(r) for r in rows]


def test_list_is_newest_first_with_limit_and_offset(journal, sample):
    assert ids(journal.list()) == sample[::-1]
    assert ids(journal.list(limit=2)) == sample[::-1][:2]
    assert ids(journal.list(limit=2, offset=2)) == sample[::-1][2:4]
    assert all(e.request_body is None and e.response_body is None for e in journal.list())


@pytest.mark.parametrize("where, expected", [
    (JournalFilter(service_id="GBDFL"), [3, 1, 0]),
    (JournalFilter(sender_id="IIS_CON"), [3, 2, 0]),
    (JournalFilter(route_id="R_Pavlodar"), [3, 2]),
    (JournalFilter(status="SCE004"), [2]),
    (JournalFilter(status="SCSS001"), [3, 1, 0]),
    (JournalFilter(since=T0 + dt.timedelta(minutes=3)), [4, 3]),
    (JournalFilter(until=T0 + dt.timedelta(minutes=1)), [0]),
    (JournalFilter(since=(T0 + dt.timedelta(minutes=1)).astimezone(ALMATY),
                   until=T0 + dt.timedelta(minutes=3)), [2, 1]),
    (JournalFilter(message_id="m5"), [4]),
    (JournalFilter(text="<notary>"), [2]),
    (JournalFilter(text="Әсел"), [3]),
    (JournalFilter(text="NOTARY"), []),  # case-sensitive on every engine
    (JournalFilter(service_id="GBDFL", sender_id="IIS_CON", text="000000000000"), [3, 0]),
    (JournalFilter(service_id="nothing"), []),
])
def test_list_filters(journal, sample, where, expected):
    assert ids(journal.list(where)) == [sample[i] for i in expected]
    assert journal.count(where) == len(expected)


def test_an_outcome_filter_pages_across_status_and_fault_codes(journal, exchange):
    """list() by outcome merges two index walks (status code, fault code): order and pages hold."""
    made = [journal.record(exchange(status_code="X1") if i % 2 else
                           exchange(status_code=None, error_code="X1", http_status=500))
            for i in range(7)]
    journal.record(exchange(status_code="OTHER"))
    newest = made[::-1]
    assert ids(journal.list(JournalFilter(status="X1"))) == newest
    assert ids(journal.list(JournalFilter(status="X1"), limit=3, offset=2)) == newest[2:5]
    assert ids(journal.list(JournalFilter(status="X1"), limit=3, offset=6)) == newest[6:]


def test_list_rejects_bad_pages(journal):
    with pytest.raises(InputError):
        journal.list(limit=0)
    with pytest.raises(InputError):
        journal.list(limit=1001)
    with pytest.raises(InputError):
        journal.list(offset=-1)


def test_export_is_oldest_first_with_bodies(journal, sample, exchange):
    odd = journal.record(exchange(request_body=b"\xff\xfe<x/>", response_body=None,
                                  received_at=T0 + dt.timedelta(minutes=5)))
    items = list(journal.export())
    assert [i["id"] for i in items] == sample + [odd]
    first = items[0]
    assert first["requestBody"] == "<iin>000000000000</iin>"
    assert first["requestBodyEncoding"] == "utf-8"
    assert first["serviceId"] == "GBDFL" and first["messageId"] == "m1"
    assert first["receivedAt"] == "2024-02-05T05:15:00.000000Z"
    assert first["responseSigned"] is True
    last = items[-1]
    assert last["requestBodyEncoding"] == "base64"
    assert base64.b64decode(last["requestBody"]) == b"\xff\xfe<x/>"
    assert last["responseBody"] is None and last["responseBodyEncoding"] is None
    json.dumps(items, ensure_ascii=False)  # every value is JSON
    assert [i["id"] for i in journal.export(JournalFilter(service_id="ASP"))] == [sample[4]]


def test_export_pages_through_large_journals(journal, exchange):
    for n in range(450):
        journal.record(exchange(message_id=f"m{n}"))
    assert [i["messageId"] for i in journal.export()] == [f"m{n}" for n in range(450)]


def test_encode_body():
    assert encode_body("ИИН".encode()) == ("ИИН", "utf-8")
    assert encode_body(b"\xff") == ("/w==", "base64")
    assert encode_body(None) == (None, None)


# -- call counts ---------------------------------------------------------------------------------


def test_count_calls_by_service_sender_and_since(journal, sample):
    assert journal.count_calls("GBDFL") == 3
    assert journal.count_calls("GBDFL", sender_id="IIS_CON") == 2
    assert journal.count_calls("GBDFL", since=T0 + dt.timedelta(minutes=1)) == 2
    assert journal.count_calls("ENIS") == 1  # faults are calls too
    assert journal.count_calls("nothing") == 0


@pytest.mark.parametrize("body, counted", [
    (b"<iin>850101300123</iin>", True),
    (b"iin=850101300123&x=1", True),
    (b'{"iin":"850101300123"}', True),
    (b"&lt;iin&gt;850101300123&lt;/iin&gt;", True),  # escaped-XML payload style
    (b"<iin>8501013001234</iin>", False),  # a longer number
    (b"<iin>9850101300123</iin>", False),
    (b"<bin>18501013001230</bin>", False),
    (b"SERIALNUMBER=IIN850101300123", False),  # the signer's certificate, not the subject
    (b"<iin>850101300124</iin>", False),
    (b"<iin>85010130012</iin>", False),
])
def test_count_calls_matches_the_iin_as_a_whole_token(journal, exchange, body, counted):
    journal.record(exchange(service_id="GBDFL", request_body=body))
    assert journal.count_calls("GBDFL", iin="850101300123") == int(counted)


def test_count_calls_counts_each_exchange_once(journal, exchange):
    body = b"<iin>850101300123</iin><again>850101300123</again>"
    for _ in range(3):
        journal.record(exchange(service_id="GBDFL", request_body=body))
    journal.record(exchange(service_id="OTHER", request_body=body))
    assert journal.count_calls("GBDFL", iin="850101300123") == 3


@pytest.mark.parametrize("iin", ["85010130012", "8501013001234", "85010130012x", ""])
def test_count_calls_rejects_a_malformed_iin(journal, iin):
    with pytest.raises(InputError) as err:
        journal.count_calls("GBDFL", iin=iin)
    assert err.value.code == "BAD_IIN"


# -- durability ----------------------------------------------------------------------------------


def test_entries_survive_close_and_reopen(db_url, exchange):
    with Database.open(db_url) as db:
        jid = Journal(db).record(exchange(request_body=b"<kept/>"))
    with Database.open(db_url) as db:
        entry = Journal(db).get(jid)
    assert entry.request_body == b"<kept/>"


def _journal_indexes(db) -> set[str]:
    if db.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'shep_journal'"
    else:
        sql = ("SELECT indexname AS name FROM pg_indexes"
               " WHERE tablename = 'shep_journal' AND schemaname = current_schema()")
    return {r["name"] for r in db.query(sql)}


def test_a_journal_of_schema_version_2_keeps_its_rows_when_migrated(db_url, exchange):
    """An old home opened by this egov-sim: the later steps add a column (duplicate_of), redact
    old bodies and drop indexes; the rows stay readable."""
    old = Schema(JOURNAL_SCHEMA.component, JOURNAL_SCHEMA.steps[:2])
    row = Journal._row(exchange(request_body=b"<old/>", service_id="OLD_SERVICE"))
    del row["duplicate_of"]  # a column of version 3
    with Database.open(db_url, schemas=[old]) as db:
        assert {"shep_journal_service", "shep_journal_status"} <= _journal_indexes(db)
        with db.transaction() as tx:  # as version 2 wrote a row
            jid = tx.insert(f"INSERT INTO shep_journal ({', '.join(row)})"
                            f" VALUES ({', '.join(':' + c for c in row)})", row)
    with Database.open(db_url) as db:
        journal = Journal(db)
        assert db.scalar("SELECT MAX(version) AS v FROM schema_migrations"
                         " WHERE component = 'shep_journal'") == len(JOURNAL_SCHEMA.steps)
        indexes = _journal_indexes(db)
        assert not indexes & {"shep_journal_status", "shep_journal_error", "shep_journal_sender",
                              "shep_journal_route"}
        assert {"shep_journal_service", "shep_journal_service_id", "shep_journal_status_id"} <= indexes
        (entry,) = journal.list(JournalFilter(service_id="OLD_SERVICE"))
        assert entry.id == jid and journal.get(jid).request_body == b"<old/>"
        assert journal.record(exchange(service_id="OLD_SERVICE")) > jid
        assert journal.count(JournalFilter(service_id="OLD_SERVICE")) == 2


@pytest.mark.parametrize("how", [
    "exit",
    pytest.param("kill", marks=pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")),
])
def test_an_entry_survives_a_crash_of_the_writer(db_url, run_worker, how):
    worker = run_worker("crash", db_url, how)
    assert worker.stdout.readline().strip() == "ready"
    worker.stdin.write("go\n")
    worker.stdin.flush()
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == (-9 if how == "kill" else 0), err
    jid = int(out.strip())
    with Database.open(db_url) as db:
        entry = Journal(db).get(jid)
        assert entry is not None and entry.service_id == "CRASH"
        assert entry.request_body == b"\x00crash\xff<iin>123456789012</iin>"
        assert Journal(db).count_calls("CRASH", iin="123456789012") == 1


def test_two_processes_writing_at_once_lose_nothing(db_url, run_worker):
    n = 200
    workers = [run_worker("write", db_url, name, str(n)) for name in ("w1", "w2")]
    for w in workers:
        assert w.stdout.readline().strip() == "ready"
    for w in workers:
        w.stdin.write("go\n")
        w.stdin.flush()
    results = [w.communicate(timeout=60) for w in workers]
    for w, (_, err) in zip(workers, results):
        assert w.returncode == 0, err
        assert "locked" not in err
    with Database.open(db_url) as db:
        journal = Journal(db)
        assert journal.count_calls("SVC", sender_id="w1") == n
        assert journal.count_calls("SVC", sender_id="w2") == n
        all_ids = [i["id"] for i in journal.export()]
        assert len(all_ids) == len(set(all_ids)) == 2 * n
        ids_w1 = {e["messageId"] for e in journal.export(JournalFilter(sender_id="w1"))}
        assert ids_w1 == {f"w1-{i}" for i in range(n)}


# -- time parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2024-02-05T10:15:00+05:00", T0),
    ("2024-02-05T05:15:00Z", T0),
    ("2024-02-05T05:15:00", T0),  # no offset: UTC
    ("2024-02-05", dt.datetime(2024, 2, 5, tzinfo=dt.UTC)),
    ("15m", T0 - dt.timedelta(minutes=15)),
    ("2h", T0 - dt.timedelta(hours=2)),
    ("1d", T0 - dt.timedelta(days=1)),
    ("30s", T0 - dt.timedelta(seconds=30)),
])
def test_parse_time(text, expected):
    assert parse_time(text, now=T0) == expected


def test_parse_time_rejects_garbage():
    with pytest.raises(InputError) as err:
        parse_time("yesterday", now=T0)
    assert err.value.code == "BAD_TIME"


def test_signature_verdicts_are_an_enum_stored_as_their_tokens(journal, exchange):
    from egov_sim.gateway.journal import SignatureVerdict

    for verdict in SignatureVerdict:
        entry = journal.get(journal.record(exchange(request_signature=verdict)))
        assert entry.request_signature == verdict.value and type(entry.request_signature) is str
        assert SignatureVerdict(entry.request_signature) is verdict
    assert json.dumps({"v": SignatureVerdict.NOT_CURRENT}) == '{"v": "not-current"}'


def test_a_messageid_repeated_many_times_is_marked_by_one_index_probe(db_url, exchange):
    """Load tools send one body over and over: every repeat points at the first answer, and the
    lookup is one probe of (message_id, sender_id, id), not a grouping of every earlier repeat
    (which made SendMessage 3x slower as the journal grew)."""
    with Database.open(db_url) as db:
        journal = Journal(db)
        first = journal.record(exchange(message_id="one-body", status_code="SCSS001"))
        for _ in range(3):
            journal.record_many([exchange(message_id="one-body", status_code="SCSS001") for _ in range(50)])
        marks = [e.duplicate_of for e in journal.list(JournalFilter(message_id="one-body"), limit=500)]
        assert len(marks) == 151 and marks.count(None) == 1 and set(marks) == {None, first}
        if db.dialect.name == "sqlite":
            (plan,) = db.query("EXPLAIN QUERY PLAN SELECT id FROM shep_journal WHERE message_id = ?"
                               " AND sender_id = ? AND status_code IS NOT NULL ORDER BY id LIMIT 1",
                               ("one-body", "EGOV_SIM_IIS_CON"))
            assert "shep_journal_message_sender" in plan["detail"]
