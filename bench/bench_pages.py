"""The overview's ШЭП journal page over a million exchanges, against the database's own floor.

    python bench/bench_pages.py [--rows 1000000] [--repeat 30] [--tmpdir DIR]

Builds a simulator (a temporary home, no population), fills its journal with ``--rows``
exchanges (raw SQLite ``executemany``, bodies of a few hundred bytes, ten services, one in
twenty a fault), then serves pages in process (httpx over the ASGI app, no sockets) and times,
as the median of ``--repeat`` runs:

  floor  the page's rows fetched by one indexed SQL query (``id < ? ORDER BY id DESC LIMIT 50``,
         the summary columns), straight on sqlite3: what the database must do at least;
  (a)    GET /overview/journal, the newest page, rendered to HTML;
  (b)    the oldest page (``?before=`` the 51st oldest id), the deepest a person can page to;
  (c)    (b) filtered by serviceId; (d) (b) filtered by an outcome (status or fault code);
  (e)    for contrast, the oldest page by OFFSET (Journal.list), what keyset paging avoids.

The variants run in alternating rounds (each once per round), so load from other processes on a
shared machine falls on all of them alike. Prints each in milliseconds and as a ratio to the
floor, and b/a. Targets: b/a <= 1.5 (a deep
page costs what the first one does) and (a) <= 25 ms. Absolute numbers move between machines;
compare the ratios measured in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE = 50
TARGET_DEPTH_RATIO = 1.5
TARGET_FIRST_PAGE_MS = 25.0
SERVICES = [f"SIM_SERVICE_{i:02d}" for i in range(10)]


def fill(db_path: Path, rows: int) -> None:
    """``rows`` exchanges in the journal table, in batches of one transaction each."""
    from egov_sim.gateway.journal import _INSERT_COLUMNS

    start = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
    body = ("<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
            "<request><iin>{}</iin></request></soap:Body></soap:Envelope>")
    marks = ", ".join("?" for _ in _INSERT_COLUMNS)
    sql = f"INSERT INTO shep_journal ({', '.join(_INSERT_COLUMNS)}) VALUES ({marks})"
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=OFF")
    batch = 50_000
    for first in range(0, rows, batch):
        values = []
        for i in range(first, min(rows, first + batch)):
            at = (start + dt.timedelta(milliseconds=i * 10)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            fault = i % 20 == 0
            row = {"channel": "sync", "message_id": f"m-{i}", "correlation_id": None, "session_id": None,
                   "service_id": SERVICES[i % 10], "sender_id": "EGOV_SIM_TEST_CLIENT", "route_id": None,
                   "provider": "echo", "client": "127.0.0.1", "received_at": at, "provider_started_at": at,
                   "provider_finished_at": at, "responded_at": at, "provider_ms": 0.4, "total_ms": 1.2,
                   "request_signature": "valid" if i % 3 else "absent", "response_signed": 0,
                   "signature_details": None, "status_code": None if fault else "SCSS001",
                   "status_message": None if fault else "OK", "error_code": "SCE006" if fault else None,
                   "error_message": "fault" if fault else None, "http_status": 500 if fault else 200,
                   "request_size": 140, "response_size": 140,
                   "request_body": body.format(f"{i:012d}").encode(), "response_body": b"<ok/>"}
            values.append(tuple(row[c] for c in _INSERT_COLUMNS))
        with conn:
            conn.executemany(sql, values)
        print(f"\r  filled {min(rows, first + batch):,} / {rows:,}", end="", flush=True)
    print()
    conn.execute("ANALYZE")
    conn.close()


def alternating_medians(variants: dict, repeat: int) -> dict[str, float]:
    """Each variant once per round, ``repeat`` rounds (after one warm-up round): a load spike on
    the shared machine hits every variant alike; the median of each, in ms."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(repeat + 1):
        for name, fn in variants.items():
            t = time.perf_counter()
            fn()
            if round_:
                times[name].append((time.perf_counter() - t) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--tmpdir", type=Path, default=None)
    args = parser.parse_args()

    import httpx

    from egov_sim.app.server import build_app
    from egov_sim.core.asgi_transport import SyncASGITransport
    from egov_sim.core.settings import Settings
    from egov_sim.gateway.journal import _SUMMARY_COLUMNS, JournalFilter

    with tempfile.TemporaryDirectory(dir=args.tmpdir) as folder:
        home = Path(folder) / "home"
        app = build_app(Settings(home=home, population=0, fast_password_hashing=True))
        journal = app.state.gateway.journal
        db_path = journal.db.sqlite_path
        print(f"journal: {db_path}")
        t = time.perf_counter()
        fill(db_path, args.rows)
        print(f"  {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
        ids = [r["id"] for r in journal.db.query("SELECT id FROM shep_journal ORDER BY id LIMIT ?", [1300])]
        deep = ids[PAGE]  # the page before this id is the oldest page
        deep_service, deep_outcome = ids[10 * PAGE + 50], ids[20 * PAGE + 100]  # a full page, near the oldest
        client = httpx.Client(transport=SyncASGITransport(app, client=("127.0.0.1", 40000)),
                              base_url="http://bench.test")

        raw = sqlite3.connect(db_path)

        def floor_query():
            raw.execute(f"SELECT {_SUMMARY_COLUMNS} FROM shep_journal WHERE id < ? ORDER BY id DESC LIMIT ?",
                        (deep, PAGE)).fetchall()

        def page(url: str):
            def get():
                answer = client.get(url)
                assert answer.status_code == 200 and "/overview/journal/" in answer.text, answer.status_code
            return get

        ms = alternating_medians({
            "floor": floor_query,
            "first": page("/overview/journal"),
            "oldest": page(f"/overview/journal?before={deep}"),
            "by_service": page(f"/overview/journal?serviceId={SERVICES[3]}&before={deep_service}"),
            "by_outcome": page(f"/overview/journal?status=SCE006&before={deep_outcome}"),
        }, args.repeat)
        floor, first, oldest = ms["floor"], ms["first"], ms["oldest"]
        by_service, by_outcome = ms["by_service"], ms["by_outcome"]
        offset = alternating_medians({"offset": lambda: journal.list(JournalFilter(), limit=PAGE,
                                                                      offset=args.rows - PAGE)},
                                     max(3, args.repeat // 10))["offset"]
        raw.close()
        client.close()

    print(f"\n{'':<44}{'ms':>9}{'× floor':>10}")
    for name, value in (("floor: one indexed SQL query (sqlite3)", floor), ("(a) newest page, HTML", first),
                        ("(b) oldest page, HTML", oldest), ("(c) oldest page of one serviceId", by_service),
                        ("(d) oldest page of one outcome (SCE006)", by_outcome),
                        ("(e) oldest page by OFFSET, rows only", offset)):
        print(f"{name:<44}{value:>9.2f}{value / floor:>10.1f}")
    depth = oldest / first
    print(f"\nb/a = {depth:.2f} (target <= {TARGET_DEPTH_RATIO}); (a) = {first:.1f} ms "
          f"(target <= {TARGET_FIRST_PAGE_MS:.0f} ms); OFFSET/keyset = {offset / oldest:.0f}x")
    ok = depth <= TARGET_DEPTH_RATIO and first <= TARGET_FIRST_PAGE_MS
    print("PASS" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
