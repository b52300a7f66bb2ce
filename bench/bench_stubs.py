"""Throughput of a stub-backed service against SIM_ECHO, measured in the same run on one server.

    python bench/bench_stubs.py [--seconds 10] [--workers 2] [--connections 32] [--load-procs 2]
                                [--stubs 100] [--tmpdir DIR]

Starts ``egov-sim serve --workers N --config bench.toml`` (bench_gateway.py's server and load
generator), where ``STUB_BENCH`` is answered by a folder of ``--stubs`` stubs, each matching one
IIN by ``string(//iin)``; every request asks for a random one of them. Scenarios:

  (a) SendMessage to SIM_ECHO (the built-in echo provider): the floor;
  (b) SendMessage to STUB_BENCH, static answers;
  (c) SendMessage to STUB_BENCH_T, the same stubs with templated answers (the IIN, a GUID and
      now() rendered per call).

The scenarios alternate for ``--rounds`` rounds (a b c a b c …). Two ratios are printed for
each pair: of throughput (req/s, what a client sees, but moved by whatever else runs on a
shared machine) and of server CPU time per request (the server's processes' user+system time
from /proc over the requests served, which other processes' load hardly moves: the throughput
the server would reach with the cores to itself). The median over the rounds is the figure.
Target: b/a >= 0.8 with 100 stubs loaded.
The whole SendMessage path is in both sides of the ratio (auth, XSD validation, journal with
its fsync), so the ratio shows what stubs add to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from bench_gateway import ROOT, Server, drive, http_request  # noqa: E402 (same folder)

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SYNC = "http://bip.bee.kz/SyncChannel/v10/Types"
TARGET = 0.8


def iins(count: int) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from egov_sim.reference.iin import random_iin

    rng = random.Random(17)
    out: list[str] = []
    while len(out) < count:
        iin = random_iin(rng, birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=len(out)))
        if iin not in out:
            out.append(iin)
    return out


def stub_files(folder: Path, people: list[str], *, templated: bool) -> None:
    """``len(people)`` stubs in ten files, each answering one IIN."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(10):
        lines = ["stubs:"]
        for n, iin in enumerate(people[f::10]):
            if templated:
                answer = ("        <person><iin>{{ xpath('//iin') }}</iin><status>ACTIVE</status>"
                          "<id>{{ guid() }}</id><at>{{ now() }}</at></person>")
            else:
                answer = f"        <person><iin>{iin}</iin><status>ACTIVE</status><n>{n}</n></person>"
            lines += [f"  - name: person-{iin}",
                      "    match:",
                      "      xpath:",
                      '        - path: "string(//iin)"',
                      f'          equals: "{iin}"',
                      "    answer:",
                      "      data: |",
                      answer]
        (folder / f"people-{f}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def send_message(service_id: str, iin: str) -> bytes:
    sender = ("EGOV_SIM_TEST_CLIENT", "test-secret")
    return (
        f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header/><soap:Body>'
        f'<ns2:SendMessage xmlns:ns2="{SYNC}"><request><requestInfo>'
        f"<messageId>{uuid.uuid4()}</messageId><serviceId>{service_id}</serviceId>"
        "<messageDate>2024-02-05T10:15:00.000+05:00</messageDate>"
        f"<sender><senderId>{sender[0]}</senderId><password>{sender[1]}</password></sender>"
        "</requestInfo><requestData>"
        '<data xmlns:cs="http://message.persistence.interactive.nat" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="cs:Request">'
        f"<messageId>{uuid.uuid4()}</messageId><messageDate>2024-02-05T10:15:00.000+05:00</messageDate>"
        f"<senderCode>{sender[0]}</senderCode><iin>{iin}</iin><surname>ТЕСТОВ</surname><name>ТЕСТ</name>"
        "</data></requestData></request></ns2:SendMessage></soap:Body></soap:Envelope>").encode()


def tree_cpu(pid: int) -> float:
    """User+system CPU seconds of a process and all its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers of the server")
    ap.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections")
    ap.add_argument("--load-procs", type=int, default=2, help="load generator processes")
    ap.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each scenario")
    ap.add_argument("--stubs", type=int, default=100, help="stubs loaded in each stub set")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; the best of each counts")
    ap.add_argument("--tmpdir", default=None, help="where the server's temporary home goes")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from egov_sim.signing.pki import TestPKI

    print(f"egov-sim stub provider benchmark: {args.stubs} stubs, {args.workers} workers, "
          f"{args.connections} connections from {args.load_procs} load processes, "
          f"{args.seconds:g} s per scenario, {os.cpu_count()} CPUs")
    people = iins(args.stubs)
    rounds: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="egov-sim-bench-stubs-", dir=args.tmpdir) as tmp:
        home = Path(tmp) / "home"
        TestPKI.init(home / "pki", base_url="http://127.0.0.1:8080")
        stub_files(Path(tmp) / "static", people, templated=False)
        stub_files(Path(tmp) / "templated", people, templated=True)
        config = Path(tmp) / "bench.toml"
        config.write_text('[[services]]\nservice_id = "STUB_BENCH"\nprovider = "stubs:static"\n\n'
                          '[[services]]\nservice_id = "STUB_BENCH_T"\nprovider = "stubs:templated"\n',
                          encoding="utf-8")
        rng = random.Random(5)
        bodies = {service: [send_message(service, rng.choice(people)) for _ in range(64)]
                  for service in ("SIM_ECHO", "STUB_BENCH", "STUB_BENCH_T")}

        server = Server(home, args.workers, config)
        try:
            for service, sample in bodies.items():
                reply = server.post("/bip-sync-wss-gost/", sample[0])
                if reply.status_code != 200 or b"SCSS001" not in reply.content:
                    raise SystemExit(f"sanity check failed for {service}: HTTP {reply.status_code}: "
                                     f"{reply.content[:400]!r}")
                if service != "SIM_ECHO" and b"<status>ACTIVE</status>" not in reply.content:
                    raise SystemExit(f"sanity check failed: {service} did not answer from a stub")

            def run(name: str, service: str, rnd: int) -> None:
                wire = [http_request("/bip-sync-wss-gost/", b, server.port) for b in bodies[service]]
                if args.warmup > 0:
                    drive(server.port, wire, seconds=args.warmup, connections=args.connections,
                          procs=args.load_procs)
                cpu = tree_cpu(server.proc.pid)
                r = drive(server.port, wire, seconds=args.seconds, connections=args.connections,
                          procs=args.load_procs)
                r["cpu_ms"] = (tree_cpu(server.proc.pid) - cpu) * 1000 / max(1, r["requests"])
                rounds.setdefault(name, []).append(r)
                print(f"  round {rnd} {name:<44} {r['rps']:>8.0f} req/s   p50 {r['p50']:6.1f} ms   "
                      f"p99 {r['p99']:6.1f} ms   {r['cpu_ms']:.3f} ms CPU/request", flush=True)

            for rnd in range(1, args.rounds + 1):
                run("(a) SendMessage SIM_ECHO (floor)", "SIM_ECHO", rnd)
                run(f"(b) SendMessage, {args.stubs} stubs, static", "STUB_BENCH", rnd)
                run(f"(c) SendMessage, {args.stubs} stubs, templated", "STUB_BENCH_T", rnd)
        finally:
            server.stop()

    a, b, c = rounds.values()
    for label, other in (("b/a", b), ("c/a", c)):
        by_rps = statistics.median(o["rps"] / f["rps"] for o, f in zip(other, a))
        by_cpu = statistics.median(f["cpu_ms"] / o["cpu_ms"] for o, f in zip(other, a))
        ok = by_cpu >= TARGET
        print(f"  {label} = {by_cpu:.2f} by server CPU per request, {by_rps:.2f} by throughput "
              f"(medians of {len(a)} rounds; target >= {TARGET}: {'met' if ok else 'MISSED'})")
    errors = sum(r["errors"] for runs in rounds.values() for r in runs)
    if errors:
        print(f"  {errors} requests were not answered with HTTP 200")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
