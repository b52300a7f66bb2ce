"""Generation rate and in-process lookup latency of ГБД ФЛ's person registry, by population size.

    python bench/bench_gbd_fl.py [--sizes 10000,100000,1000000] [--lookups 2000] [--workers N]

For each size: a fresh SQLite database in a temporary directory, ``populate`` (the bulk load:
generation in worker processes, one writer, indexes built after), the personas, then lookups of
random existing persons through :class:`PersonRegistry` in this process:

  * by IIN (``get``);
  * by name: surname + first name + a birth-date range of two years (``search``, limit 50; a
    "too many results" answer counts as an answer);
  * by document number (``search``).

Prints persons/s, the total time, p50/p99 of each lookup, the database size, and the ratios to
the targets: 1M persons generated in under 60 s, IIN lookup p99 under 2 ms at 1M. Figures move
with the machine and its load; compare runs made on the same machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egov_sim.adapters.gbd_fl.person_rows import PERSONS_TABLE  # noqa: E402
from egov_sim.adapters.gbd_fl.population import populate, population_date  # noqa: E402
from egov_sim.adapters.gbd_fl.registry import (  # noqa: E402
    PersonRegistry,
    TooManyResults,
    install_personas,  # noqa: E402
)
from egov_sim.core.database import Database, sqlite_url  # noqa: E402

TARGET_GENERATION_S = 60.0  # for 1M persons
TARGET_IIN_P99_MS = 2.0  # at 1M persons


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(calls) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def database_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def bench_size(count: int, lookups: int, workers: int | None, keep: bool) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="bench-gbdfl-"))
    path = directory / "egov-sim.db"
    try:
        with Database.open(sqlite_url(path)) as db:
            start = time.perf_counter()
            populate(db, count=count, seed=1, as_of=population_date(date.today()), workers=workers)
            generation = time.perf_counter() - start
            registry = PersonRegistry(db)
            install_personas(registry)
            rng = random.Random(42)
            top = int(db.scalar(f"SELECT MAX(seq) AS m FROM {PERSONS_TABLE}"))
            picks = [rng.randint(1, top) for _ in range(lookups)]
            rows = []
            for seq in picks:
                row = db.query_one(f"SELECT iin, surname, name, birth_date, record FROM {PERSONS_TABLE}"
                                   " WHERE seq >= ? ORDER BY seq LIMIT 1", (seq,))
                rows.append(row)
            people = [registry.get(r["iin"]) for r in rows]
            by_iin = timed([lambda p=p: registry.get(p.iin) for p in people])
            too_many = 0

            def by_name(p):
                nonlocal too_many
                try:
                    registry.search(surname=p.surname, name=p.name,
                                    birth_date_from=p.birth_date - timedelta(days=365),
                                    birth_date_to=p.birth_date + timedelta(days=365))
                except TooManyResults:
                    too_many += 1

            name_ms = timed([lambda p=p: by_name(p) for p in people])
            with_docs = [p for p in people if p.documents]
            doc_ms = timed([lambda p=p: registry.search(document_number=p.documents[0].number)
                            for p in with_docs])
        size = database_bytes(path)
        if keep:
            print(f"  kept {path}")
        return {"count": count, "generation_s": generation, "rate": count / generation,
                "iin": by_iin, "name": name_ms, "doc": doc_ms, "too_many": too_many / len(people),
                "db_mb": size / 1e6}
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="Population sizes, comma-separated.")
    parser.add_argument("--lookups", type=int, default=2000, help="Lookups of each kind per size.")
    parser.add_argument("--workers", type=int, default=None,
                        help="Generator processes (default: 2 from 200k persons).")
    parser.add_argument("--keep", action="store_true", help="Keep the databases.")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"ГБД ФЛ registry bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    header = (f"{'persons':>9} {'gen s':>7} {'persons/s':>10} {'DB MB':>7} "
              f"{'IIN p50':>8} {'IIN p99':>8} {'name p50':>9} {'name p99':>9} "
              f"{'doc p50':>8} {'doc p99':>8}  (ms)")
    results = []
    for count in sizes:
        r = bench_size(count, args.lookups, args.workers, args.keep)
        results.append(r)
        if len(results) == 1:
            print(header)
        print(f"{r['count']:>9,} {r['generation_s']:>7.1f} {r['rate']:>10,.0f} {r['db_mb']:>7.0f} "
              f"{statistics.median(r['iin']):>8.3f} {percentile(r['iin'], 0.99):>8.3f} "
              f"{statistics.median(r['name']):>9.3f} {percentile(r['name'], 0.99):>9.3f} "
              f"{statistics.median(r['doc']):>8.3f} {percentile(r['doc'], 0.99):>8.3f}"
              + (f"  ({r['too_many']:.0%} of name searches: too many results)" if r["too_many"] else ""),
              flush=True)
    biggest = max(results, key=lambda r: r["count"])
    scale = 1_000_000 / biggest["count"]
    projected = biggest["generation_s"] * scale
    note = "" if biggest["count"] == 1_000_000 else f" (projected from {biggest['count']:,})"
    print(f"\ntarget: 1M generated in < {TARGET_GENERATION_S:.0f} s: {projected:.1f} s{note},"
          f" ratio {TARGET_GENERATION_S / projected:.2f}x")
    p99 = percentile(biggest["iin"], 0.99)
    print(f"target: IIN lookup p99 < {TARGET_IIN_P99_MS} ms at 1M: {p99:.3f} ms at {biggest['count']:,},"
          f" ratio {TARGET_IIN_P99_MS / p99:.1f}x")


if __name__ == "__main__":
    main()
