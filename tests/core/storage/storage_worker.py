"""A separate process for the storage tests (not collected by pytest).

Each mode opens the database, prints ``ready``, waits for a line on stdin (so several workers
start their work at the same moment), then acts:

* ``migrate URL``: open with a test schema and the journal schema;
* ``write URL NAME N``: record N journal exchanges with senderId NAME;
* ``crash URL HOW``: record one exchange, print its id, then die (HOW = ``exit`` for
  ``os._exit(0)``, ``kill`` for SIGKILL) without closing anything.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys

from egov_sim.core.database import Database, Schema
from egov_sim.gateway.journal import Exchange, Journal

TEST_SCHEMA = Schema(
    component="worker_test",
    steps=(
        "CREATE TABLE worker_test (id {id}, note TEXT NOT NULL)",  # fails if applied twice
        "INSERT INTO worker_test (note) VALUES ('applied once')",
        lambda tx: tx.execute("INSERT INTO worker_test (note) VALUES (?)", ("from a function",)),
    ),
)


def _exchange(sender: str, i: int) -> Exchange:
    now = dt.datetime.now(dt.UTC)
    return Exchange(received_at=now, request_body=f"<r><n>{i}</n></r>".encode(),
                    response_body=b"<ok/>", service_id="SVC", sender_id=sender,
                    message_id=f"{sender}-{i}", status_code="SCSS001", http_status=200)


def main(mode: str, url: str, *args: str) -> None:
    if mode == "migrate":
        print("ready", flush=True)
        sys.stdin.readline()
        with Database.open(url, schemas=[TEST_SCHEMA]) as db:
            Journal(db)
        return
    with Database.open(url) as db:
        journal = Journal(db)
        print("ready", flush=True)
        sys.stdin.readline()
        if mode == "write":
            name, n = args[0], int(args[1])
            for i in range(n):
                journal.record(_exchange(name, i))
        elif mode == "crash":
            journal_id = journal.record(Exchange(
                received_at=dt.datetime.now(dt.UTC),
                request_body=b"\x00crash\xff<iin>123456789012</iin>",
                response_body=b"<ok/>", service_id="CRASH", message_id="crash-1"))
            print(journal_id, flush=True)
            if args[0] == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(0)
        else:
            raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(*sys.argv[1:])
