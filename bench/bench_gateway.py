"""Throughput and latency of the simulated ШЭП gateway against its own SOAP-layer floor.

    python bench/bench_gateway.py [--seconds 10] [--workers 2] [--connections 32] [--load-procs 2]
                                  [--tmpdir DIR] [--no-wrk]

Starts ``egov-sim serve --workers N`` (a subprocess, a temporary home, a free port) and drives
it from separate load processes on loopback: keep-alive HTTP/1.1 connections written with raw
asyncio streams (a minimal client, so the load generator takes as little of the CPU it shares
with the server as possible), for a bounded time per scenario:

  (0) a bare uvicorn ASGI echo (same workers, uvloop + httptools): the HTTP floor;
  (a) POST /sim/echo: parse + serialise with the same SOAP layer; the floor;
  (b) SendMessage to SIM_ECHO: auth, XSD validation, routing, provider call, response, journal;
  (v) (b) with a WS-Security-signed request (a sender whose policy is ``required``): the
      transport signature verified (chain, CRL, timestamp, digest, RSA) on every request, the
      response unsigned — issue 16's "WSSE-verified request" (a second server, --config);
  (c) (v) and ``sign_responses = true``: verify + sign on every request.
  (d) (c) in GOST, as production: requests signed with a GOST 34.310-2004 key, the gateway
      started with ``--signing-algorithm gost2004`` (GOST-signed responses).
  (e) on (b)'s server: a ГБД ФЛ lookup by IIN (``GBDFL_UniversalServiceSync``, the personas),
      answered with the registry's enveloped signature; target e/b >= 0.5 (issue 16).

Each scenario is also driven by ``wrk`` (Debian's package; the same connections, 2 threads), an
independent load generator, when it is installed. Prints req/s, p50/p99 latency and the ratios;
targets (2 workers, 2 cores): b/a >= 0.5, b/0 >= 0.15, v/b >= 0.8 (issue 16: a WSSE-verified
request; c/b is printed too: (c) also signs its response, an RSA private-key operation that
alone costs more than a SendMessage), (c) >= 600 req/s and (d) >= 300 req/s. Absolute numbers move between runs and machines; compare
figures measured in one run (soap-layer.md, "Throughput reference").
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SYNC = "http://bip.bee.kz/SyncChannel/v10/Types"
SIGNED_SENDER = ("BENCH_SIGNED", "bench-secret")
CONFIG = f"""
[gateway]
sign_responses = true

[[participants]]
sender_id = "{SIGNED_SENDER[0]}"
password = "{SIGNED_SENDER[1]}"
wsse = "required"
"""
VERIFY_ONLY_CONFIG = CONFIG.replace("sign_responses = true", "sign_responses = false")
TARGET_RATIO_B = 0.5
TARGET_RATIO_B_BARE = 0.15
TARGET_RATIO_V_B = 0.8
READ_TIMEOUT = 30.0
TARGET_RPS_C = 600
TARGET_RPS_D = 300


def send_message(sender=("EGOV_SIM_TEST_CLIENT", "test-secret"), iin: str = "880314312347", *,
                 service_id: str = "SIM_ECHO",
                 names: str = "<surname>ТЕСТОВ</surname><name>ТЕСТ</name>") -> bytes:
    """A SendMessage of about 900 bytes, the size the soap-layer reference used."""
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
        f"<senderCode>{sender[0]}</senderCode><iin>{iin}</iin>{names}"
        "</data></requestData></request></ns2:SendMessage></soap:Body></soap:Envelope>").encode()


GBDFL_SERVICE_ID = "GBDFL_UniversalServiceSync"
TARGET_RATIO_GBDFL = 0.5


def gbdfl_lookup(iin: str, sender=("EGOV_SIM_TEST_CLIENT", "test-secret")) -> bytes:
    """A SendMessage to ГБД ФЛ: a ``cs:Request`` by IIN (docs/gbd_fl_provider.md), answered
    with the registry's enveloped signature over the found person."""
    return send_message(sender, iin, service_id=GBDFL_SERVICE_ID, names="")


def gbdfl_lookups(count: int = 16) -> list[bytes]:
    """Lookups of the personas (the same IINs on every simulator), one person found per answer."""
    from egov_sim.reference.personas import persona_persons

    persons = persona_persons()
    return [gbdfl_lookup(persons[n % len(persons)].iin) for n in range(count)]


def check_gbdfl(reply, home: Path) -> None:
    """The answer found the person and carries the registry's signature, which verifies
    against the home's test PKI."""
    from egov_sim.core import safe_xml
    from egov_sim.signing.pki import TestPKI
    from egov_sim.signing.trust import TrustStore
    from egov_sim.signing.verify import Verifier, reroot

    if reply.status_code != 200 or b"<code>00000</code>" not in reply.content:
        raise SystemExit(f"sanity check failed (ГБД ФЛ): HTTP {reply.status_code}: {reply.content[:400]!r}")
    data = safe_xml.parse(reply.content).getroot().find(".//data")
    if data is None or data.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is None:
        raise SystemExit("sanity check failed (ГБД ФЛ): the answer is not signed")
    result = Verifier(TrustStore.from_pem(TestPKI.open(home / "pki").trust_pem())).verify(reroot(data))
    if not result.valid:
        raise SystemExit(f"sanity check failed (ГБД ФЛ): the answer's signature does not verify: {result}")


def http_request(path: str, body: bytes, port: int) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


# --- load generator (runs in child processes) --------------------------------------------------


async def _connection(port: int, requests: list[bytes], deadline: float, offset: int,
                      latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    i = offset
    try:
        while time.perf_counter() < deadline:
            payload = requests[i % len(requests)]
            i += 1
            started = time.perf_counter()
            writer.write(payload)
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                errors.append(0)  # no answer: this connection is done
                return
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def _load_process(port: int, requests: list[bytes], connections: int, start_at: float,
                  seconds: float, out) -> None:
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass

    async def main():
        latencies: list[float] = []
        errors: list[int] = []
        await asyncio.sleep(max(0.0, start_at - time.time()))
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, requests, deadline, n, latencies, errors)
                               for n in range(connections)))
        return latencies, errors

    out.put(asyncio.run(main()))


def drive(port: int, requests: list[bytes], *, seconds: float, connections: int, procs: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 1.0  # every process starts together, after interpreter start-up
    per = [connections // procs + (1 if n < connections % procs else 0) for n in range(procs)]
    workers = [ctx.Process(target=_load_process, args=(port, requests, c, start_at, seconds, queue))
               for c in per if c]
    for w in workers:
        w.start()
    latencies, errors = [], []
    for _ in workers:
        lat, err = queue.get(timeout=seconds + 60)
        latencies += lat
        errors += err
    for w in workers:
        w.join()
    latencies.sort()
    n = len(latencies)
    pct = lambda q: latencies[min(n - 1, int(q * n))] * 1000 if n else float("nan")  # noqa: E731
    return {"requests": n, "errors": len(errors), "rps": n / seconds, "p50": pct(0.50), "p99": pct(0.99)}


# --- the independent load generator: wrk ------------------------------------------------------


def run_wrk(port: int, path: str, bodies: list[bytes], *, seconds: float, connections: int,
            workdir: Path) -> dict | None:
    """The same bodies, in turn, from ``wrk`` (a Lua script sets method, headers and body)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    script = workdir / f"wrk-{port}.lua"
    items = ",\n".join(f"wrk.format('POST', '{path}', headers, [==[{b.decode()}]==])" for b in bodies)
    script.write_text(
        "local headers = {['Content-Type'] = 'text/xml; charset=utf-8', ['SOAPAction'] = '\"\"'}\n"
        "local reqs, i = {}, 0\n"
        f"init = function() reqs = {{{items}}} end\n"
        "request = function() i = i % #reqs + 1; return reqs[i] end\n", encoding="utf-8")
    out = subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--latency",
                          "-s", str(script), f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        return float("nan") if m is None else float(m[1]) * {"us": 1e-3, "ms": 1, "s": 1e3}[m[2]]

    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errs = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return {"rps": float(rps[1]) if rps else float("nan"), "p50": ms("50%"), "p99": ms("99%"),
            "errors": (int(bad[1]) if bad else 0) + (int(errs[1]) if errs else 0)}


# --- where the time goes: the server's CPU -------------------------------------------------------


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its children (uvicorn's
    workers): throughput on two shared cores is CPU per request, so the benchmark prints it
    beside each figure. Linux ``/proc``; NaN elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, found = 0, False
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])
            found = True
    return total / tick if found else float("nan")


# --- the servers under test --------------------------------------------------------------------


async def bare_echo(scope, receive, send) -> None:
    """The HTTP floor: an ASGI app that answers the request body, as uvicorn serves it."""
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/xml; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BareServer:
    """:func:`bare_echo` under ``uvicorn --workers N`` with egov-sim's loop and HTTP parser."""

    def __init__(self, home: Path, workers: int):
        self.port = free_port()
        self.log = open(home / f"bare-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "bench_gateway:bare_echo",
             "--port", str(self.port), "--workers", str(workers), "--loop", "uvloop", "--http", "httptools",
             "--lifespan", "off", "--log-level", "warning", "--no-access-log"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.post("/", b"x").status_code == 200:
                    return
            except Exception:  # noqa: BLE001 — not listening yet
                time.sleep(0.2)
        raise SystemExit(f"bare echo did not start; see {self.log.name}")

    def post(self, path: str, body: bytes):
        import httpx

        return httpx.post(f"http://127.0.0.1:{self.port}{path}", content=body, timeout=2)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Server:
    """``egov-sim serve`` in a subprocess; stopped with SIGINT (uvicorn's graceful shutdown)."""

    def __init__(self, home: Path, workers: int, config: Path | None = None, extra: tuple[str, ...] = ()):
        self.port = free_port()
        args = [sys.executable, "-c", "import sys; from egov_sim.app.cli import main; main(sys.argv[1:])",
                "--home", str(home), "serve", "--port", str(self.port), "--workers", str(workers), *extra]
        if config is not None:
            args += ["--config", str(config)]
        self.log = open(home / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/bip-sync-wss-gost/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"server did not start in {timeout:.0f} s; see {self.log.name}")

    def post(self, path: str, body: bytes):
        import httpx

        return httpx.post(f"http://127.0.0.1:{self.port}{path}", content=body, timeout=10,
                          headers={"Content-Type": "text/xml; charset=utf-8"})

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def signed_requests(home: Path, count: int, algorithm: str = "rsa") -> list[bytes]:
    """Requests signed once, up front, with a certificate of the home's test PKI."""
    from egov_sim.signing.pki import TestPKI
    from egov_sim.signing.wsse import sign_wsse

    pki = TestPKI.open(home / "pki")
    cert = pki.issue(iin="880314312347", surname="БЕНЧ", given_name="КЛИЕНТ", name=f"bench-client-{algorithm}",
                     algorithm=algorithm)
    return [sign_wsse(send_message(SIGNED_SENDER), cert.private_key, cert.certificate) for _ in range(count)]


def check(reply, *, signed: bool = False, gost: bool = False) -> None:
    if reply.status_code != 200 or (b"SCSS001" not in reply.content and b"SendMessage" not in reply.content):
        raise SystemExit(f"sanity check failed: HTTP {reply.status_code}: {reply.content[:400]!r}")
    if signed and b"X509IssuerSerial" not in reply.content:
        raise SystemExit("sanity check failed: the response is not signed")
    if gost and b"gost34310-gost34311" not in reply.content:
        raise SystemExit("sanity check failed: the response is not GOST-signed")


def print_gbdfl_ratios(results: dict, wrk_results: dict) -> None:
    """(e)/(b): the signed ГБД ФЛ lookup against SendMessage SIM_ECHO of the same run (issue 16)."""
    for label, figures in (("Python load processes", results), ("wrk", wrk_results)):
        rps = {name[:3]: r["rps"] for name, r in figures.items()}
        if "(e)" in rps and "(b)" in rps:
            ratio = rps["(e)"] / rps["(b)"]
            print(f"  {label}: e/b = {ratio:.2f} (ГБД ФЛ signed lookup / SIM_ECHO; target >= "
                  f"{TARGET_RATIO_GBDFL}: {'met' if ratio >= TARGET_RATIO_GBDFL else 'MISSED'})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers of the server")
    ap.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections")
    ap.add_argument("--load-procs", type=int, default=2, help="load generator processes")
    ap.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each scenario")
    ap.add_argument("--tmpdir", default=None,
                    help="where the server's temporary home (and its journal) goes; e.g. /dev/shm "
                         "to see the cost without the disk's fsync")
    ap.add_argument("--no-wrk", action="store_true", help="skip the runs with wrk")
    args = ap.parse_args(argv)

    from egov_sim.signing.pki import TestPKI

    print(f"egov-sim gateway benchmark: {args.workers} workers, {args.connections} connections from "
          f"{args.load_procs} load processes, {args.seconds:g} s per scenario, {os.cpu_count()} CPUs"
          + (f", home in {args.tmpdir}" if args.tmpdir else ""))
    results: dict[str, dict] = {}
    wrk_results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="egov-sim-bench-", dir=args.tmpdir) as tmp:
        home = Path(tmp) / "home"
        TestPKI.init(home / "pki", base_url="http://127.0.0.1:8080")
        plain = [send_message() for _ in range(16)]
        gbdfl = gbdfl_lookups()
        signed = signed_requests(home, 8)
        gost_signed = signed_requests(home, 8, "gost2004")
        config = Path(tmp) / "bench.toml"
        config.write_text(CONFIG, encoding="utf-8")
        verify_only = Path(tmp) / "bench-verify.toml"
        verify_only.write_text(VERIFY_ONLY_CONFIG, encoding="utf-8")

        def run(name: str, server: Server, path: str, bodies: list[bytes]) -> None:
            wire = [http_request(path, b, server.port) for b in bodies]
            if args.warmup > 0:
                drive(server.port, wire, seconds=args.warmup, connections=args.connections,
                      procs=args.load_procs)
            before = server_cpu(server.proc.pid)
            results[name] = r = drive(server.port, wire, seconds=args.seconds,
                                      connections=args.connections, procs=args.load_procs)
            r["cpu_us"] = (server_cpu(server.proc.pid) - before) / max(r["requests"], 1) * 1e6
            print(f"  {name:<44} {r['rps']:>8.0f} req/s   p50 {r['p50']:6.1f} ms   "
                  f"p99 {r['p99']:6.1f} ms   ({r['requests']} requests, {r['errors']} errors; "
                  f"server {r['cpu_us']:.0f} us CPU/request)", flush=True)
            before = server_cpu(server.proc.pid)
            w = None if args.no_wrk else run_wrk(server.port, path, bodies, seconds=args.seconds,
                                                  connections=args.connections, workdir=Path(tmp))
            if w is not None:
                w["cpu_us"] = (server_cpu(server.proc.pid) - before) / max(w["rps"] * args.seconds, 1) * 1e6
                wrk_results[name] = w
                print(f"  {'  same, driven by wrk':<44} {w['rps']:>8.0f} req/s   p50 {w['p50']:6.1f} ms   "
                      f"p99 {w['p99']:6.1f} ms   ({w['errors']} errors; "
                      f"server {w['cpu_us']:.0f} us CPU/request)", flush=True)

        bare = BareServer(home, args.workers)
        try:
            run("(0) bare uvicorn ASGI echo (HTTP floor)", bare, "/", plain)
        finally:
            bare.stop()

        server = Server(home, args.workers)
        try:
            check(server.post("/sim/echo", plain[0]))
            check(server.post("/bip-sync-wss-gost/", plain[0]))
            run("(a) /sim/echo (SOAP layer floor)", server, "/sim/echo", plain)
            run("(b) SendMessage SIM_ECHO", server, "/bip-sync-wss-gost/", plain)
            check_gbdfl(server.post("/bip-sync-wss-gost/", gbdfl[0]), home)
            run("(e) ГБД ФЛ lookup by IIN (signed answer)", server, "/bip-sync-wss-gost/", gbdfl)
        finally:
            server.stop()
        server = Server(home, args.workers, verify_only)
        try:
            check(server.post("/bip-sync-wss-gost/", signed[0]))
            run("(v) (b) + WSSE verify", server, "/bip-sync-wss-gost/", signed)
        finally:
            server.stop()
        server = Server(home, args.workers, config)
        try:
            check(server.post("/bip-sync-wss-gost/", signed[0]), signed=True)
            run("(c) (b) + WSSE verify + signed response", server, "/bip-sync-wss-gost/", signed)
        finally:
            server.stop()
        server = Server(home, args.workers, config, ("--signing-algorithm", "gost2004"))
        try:
            check(server.post("/bip-sync-wss-gost/", gost_signed[0]), signed=True, gost=True)
            run("(d) (c) in GOST 34.310-2004", server, "/bip-sync-wss-gost/", gost_signed)
        finally:
            server.stop()

    for label, figures in (("Python load processes", results), ("wrk", wrk_results)):
        if not figures:
            continue
        rps = {name[:3]: r["rps"] for name, r in figures.items()}
        print(f"  {label}: b/a = {rps['(b)'] / rps['(a)']:.2f} (target >= {TARGET_RATIO_B}), "
              f"b/0 = {rps['(b)'] / rps['(0)']:.2f} (target >= {TARGET_RATIO_B_BARE}), "
              f"v/b = {rps['(v)'] / rps['(b)']:.2f} (target >= {TARGET_RATIO_V_B}), "
              f"c/b = {rps['(c)'] / rps['(b)']:.2f}, a/0 = {rps['(a)'] / rps['(0)']:.2f}")
    cpu = {name[:3]: r["cpu_us"] for name, r in (wrk_results or results).items()}
    print("  server CPU per request, us (" + ("wrk" if wrk_results else "Python load") + "): "
          + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
          + f"; a/b = {cpu['(a)'] / cpu['(b)']:.2f}, b/v = {cpu['(b)'] / cpu['(v)']:.2f}, "
          f"b/e = {cpu['(b)'] / cpu['(e)']:.2f} (the CPU-bound ceilings of b/a, v/b, e/b)")
    a, b, c = results["(a) /sim/echo (SOAP layer floor)"], results["(b) SendMessage SIM_ECHO"], \
        results["(c) (b) + WSSE verify + signed response"]
    d = results["(d) (c) in GOST 34.310-2004"]
    ratio_b, ratio_c = b["rps"] / a["rps"], c["rps"] / a["rps"]
    ok_b, ok_c, ok_d = ratio_b >= TARGET_RATIO_B, c["rps"] >= TARGET_RPS_C, d["rps"] >= TARGET_RPS_D
    print(f"  b/a = {ratio_b:.2f} (target >= {TARGET_RATIO_B}: {'met' if ok_b else 'MISSED'})")
    print(f"  c/a = {ratio_c:.2f}; (c) = {c['rps']:.0f} req/s (target >= {TARGET_RPS_C}: "
          f"{'met' if ok_c else 'MISSED'})")
    print(f"  d/a = {d['rps'] / a['rps']:.2f}; d/c = {d['rps'] / c['rps']:.2f}; (d) = {d['rps']:.0f} req/s "
          f"(target >= {TARGET_RPS_D}: {'met' if ok_d else 'MISSED'})")
    print_gbdfl_ratios(results, wrk_results)
    errors = sum(r["errors"] for r in (*results.values(), *wrk_results.values()))
    if errors:
        print(f"  {errors} requests were not answered with HTTP 200")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
