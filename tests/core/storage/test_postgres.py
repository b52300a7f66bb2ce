"""PostgreSQL through psycopg 3: runs only when EGOV_SIM_TEST_POSTGRES_URL is set.

With it set, every test that takes ``db_url`` also runs on PostgreSQL (see conftest.py);
this file checks what only PostgreSQL has.
"""

from __future__ import annotations

import datetime as dt

from egov_sim.core.database import Database
from egov_sim.gateway.journal import Exchange, Journal, JournalFilter


def test_postgres_journal_round_trip(postgres_url):
    with Database.open(postgres_url) as db:
        assert db.dialect.name == "postgresql"
        journal = Journal(db)
        at = dt.datetime(2024, 2, 5, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=5)))
        jid = journal.record(Exchange(received_at=at, request_body=b"\x00<iin>000000000000</iin>%",
                                      response_body=b"\xff", service_id="S", response_signed=True))
        entry = journal.get(jid)
        assert entry.request_body == b"\x00<iin>000000000000</iin>%"
        assert entry.response_body == b"\xff" and entry.response_signed is True
        assert entry.received_at == at
        assert journal.count_calls("S", iin="000000000000") == 1
        assert [e.id for e in journal.list(JournalFilter(text="%"))] == [jid]
        column_types = {r["column_name"]: r["data_type"] for r in db.query(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'shep_journal' AND table_schema = current_schema()")}
        assert column_types["id"] == "bigint"
        assert column_types["request_body"] == "bytea"
        assert db.scalar("SHOW synchronous_commit") == "on"
