"""``journal list`` (and the admin API's filtered total) over a million exchanges, by filter.

    python bench/bench_journal.py [--rows 1000000] [--repeat 15] [--tmpdir DIR]

Fills a journal of the schema a home gets with ``--rows`` exchanges (bench_pages.fill: ten
services, one in twenty a fault; its ANALYZE statistics are dropped again, as a home has none,
so the planner chooses as it does there), then times, as the median of
``--repeat`` alternating rounds, what ``egov-sim journal list`` runs for each filter (newest
50, ``Journal.list``) and the COUNT the admin API adds (``Journal.count``), against a floor:
the newest 50 rows by primary key, straight on sqlite3. Target (issue 16): any filter under
300 ms at 1M rows. Absolute numbers move with the machine's load; compare ratios of one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pages import SERVICES, alternating_medians, fill  # noqa: E402

TARGET_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--tmpdir", type=Path, default=None)
    args = parser.parse_args()

    from egov_sim.core.database import Database, sqlite_url
    from egov_sim.gateway.journal import _SUMMARY_COLUMNS, Journal, JournalFilter

    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        path = Path(tmp) / "journal.db"
        with Database.open(sqlite_url(path)) as db:
            Journal(db)  # the schema a home gets, every migration applied
        fill(path, args.rows)
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TABLE IF EXISTS sqlite_stat1")
        start = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
        middle = start + dt.timedelta(milliseconds=args.rows * 5)
        filters = {
            "service": JournalFilter(service_id=SERVICES[3]),
            "sender": JournalFilter(sender_id="EGOV_SIM_TEST_CLIENT"),
            "status (fault)": JournalFilter(status="SCE006"),
            "message id": JournalFilter(message_id=f"m-{args.rows // 2}"),
            "since (half)": JournalFilter(since=middle),
            "until (old half)": JournalFilter(until=middle),
            "service + since": JournalFilter(service_id=SERVICES[3], since=middle),
        }
        raw = sqlite3.connect(path)
        with Database.open(sqlite_url(path)) as db:
            journal = Journal(db)
            variants = {"floor": lambda: raw.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM shep_journal ORDER BY id DESC LIMIT 50").fetchall()}
            for name, where in filters.items():
                variants[f"list  {name}"] = lambda w=where: journal.list(w, limit=50)
                variants[f"count {name}"] = lambda w=where: journal.count(w)
            medians = alternating_medians(variants, args.repeat)
        raw.close()
    floor = medians.pop("floor")
    print(f"journal of {args.rows:,} exchanges; median of {args.repeat} rounds; floor {floor:.2f} ms")
    worst = 0.0
    for name, ms in medians.items():
        print(f"  {name:<26} {ms:9.2f} ms  {ms / floor:9.1f}× floor")
        if name.startswith("list"):
            worst = max(worst, ms)
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"slowest list: {worst:.1f} ms (target < {TARGET_MS:.0f} ms at 1M rows: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
