"""Several egov-sim hosts on one machine: each in a network namespace of its own, one PostgreSQL
reached over the namespaces' links, nginx in front (docs/deployment.md).

What a deployment has, built from the machine's own tools as root: ``ip netns`` and veth pairs
(one /30 of a private /24 per host, names unique per test run so parallel runs never collide),
a TCP forwarder in the root namespace that plays the database host's address on each link (the
PostgreSQL server itself listens on loopback), and ``nginx`` run as a child process with a
generated configuration. Everything is removed in ``finally`` blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from egov_sim.core.database import DATABASE_URL_ENV

POSTGRES_ENV = "EGOV_SIM_TEST_POSTGRES_URL"


def missing_tools() -> str | None:
    """Why the several-hosts set-up cannot be built here, or None when it can."""
    if not os.environ.get(POSTGRES_ENV):
        return f"needs PostgreSQL: set {POSTGRES_ENV}=postgresql://… (.ci/run does)"
    if os.geteuid() != 0:
        return "needs root for ip netns and veth pairs"
    for tool, package in (("ip", "iproute2"), ("nginx", "nginx")):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed (apt-get install {package})"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    probe = f"egovsim-probe-{secrets.token_hex(3)}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _tool(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([_tool("ip"), *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done


# --- PostgreSQL: a fresh schema ------------------------------------------------------------------

@contextlib.contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema on ``base`` (dropped afterwards); yields the URL that selects it."""
    import psycopg

    schema = f"egov_hosts_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"] + [("options", f"-c search_path={schema}")]
    try:
        yield urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def with_address(url: str, host: str, port: int) -> str:
    """``url`` pointing at ``host:port`` instead (user, password, database and query kept)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"))


# --- network namespaces --------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """One host's namespace and its point-to-point link to the root namespace."""

    netns: str
    address: str
    """The host's address, inside its namespace."""
    peer: str
    """The root namespace's end of the link: where the host finds the database."""


def _free_subnet() -> str:
    """A private /24 (10.x.y.0) no interface or route of this machine uses."""
    used = _ip("-4", "route", "show", "table", "all").stdout + _ip("-4", "addr").stdout
    for _ in range(200):
        prefix = f"10.{random.randint(64, 250)}.{random.randint(0, 255)}"
        if f"{prefix}." not in used:
            return prefix
    raise RuntimeError("no free private /24 found")


@contextlib.contextmanager
def namespaces(count: int) -> Iterator[list[Link]]:
    """``count`` network namespaces, each joined to the root namespace by a veth pair with a /30
    of one private /24: root end ``.4i+1``, host end ``.4i+2``."""
    tag = secrets.token_hex(3)
    prefix = _free_subnet()
    made: list[tuple[str, str]] = []
    try:
        links = []
        for i in range(count):
            netns, outer, inner = f"egovsim-{tag}-{i}", f"eg{tag}r{i}", f"eg{tag}n{i}"
            _ip("netns", "add", netns)
            made.append((netns, outer))
            _ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", netns)
            peer, address = f"{prefix}.{4 * i + 1}", f"{prefix}.{4 * i + 2}"
            _ip("addr", "add", f"{peer}/30", "dev", outer)
            _ip("link", "set", outer, "up")
            _ip("-n", netns, "addr", "add", f"{address}/30", "dev", inner)
            _ip("-n", netns, "link", "set", inner, "up")
            _ip("-n", netns, "link", "set", "lo", "up")
            links.append(Link(netns, address, peer))
        yield links
    finally:
        for netns, outer in made:
            _ip("netns", "del", netns, check=False)  # takes its end of the pair, and so the pair
            _ip("link", "del", outer, check=False)


# --- a TCP forwarder: the database host's address on each link ----------------------------------

class TcpForwarder:
    """Listens on ``addresses`` × ``port`` in the root namespace and relays each connection to
    ``target``: the hosts reach the one database at their link's peer address."""

    def __init__(self, addresses: list[str], port: int, target: tuple[str, int]):
        self.addresses, self.port, self.target = addresses, port, target
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._writers.difference_update((writer, up_writer))

    def __enter__(self) -> TcpForwarder:
        self._thread.start()
        start = asyncio.start_server(self._handle, host=self.addresses, port=self.port)
        self._server = asyncio.run_coroutine_threadsafe(start, self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# --- egov-sim hosts ------------------------------------------------------------------------------

@dataclass
class Host:
    name: str
    link: Link
    port: int
    home: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.link.address}:{self.port}"

    def launch(self, *, env: dict[str, str], workers: int = 2, population: int = 0,
               config: Path | None = None) -> None:
        """``egov-sim serve`` inside the host's namespace, in a process group of its own (so a
        SIGKILL takes its workers too); :meth:`wait` for it to answer."""
        command = [_tool("ip"), "netns", "exec", self.link.netns, sys.executable, "-m", "egov_sim",
                   "--home", str(self.home), "serve", "--host", self.link.address, "--port", str(self.port),
                   "--workers", str(workers), "--population", str(population)]
        if config is not None:
            command += ["--config", str(config)]
        log = (self.home.parent / f"{self.name}.log").open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        log.close()

    def wait(self, timeout: float = 90) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/portal/services", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"{self.name} did not start: {self.log_tail()}")

    def log_tail(self) -> str:
        path = self.home.parent / f"{self.name}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the server and its workers."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def host_environment(database_url: str, staff_password: str) -> dict[str, str]:
    """The environment of one host's ``serve``: the shared database, the staff's password."""
    env = {k: v for k, v in os.environ.items() if k not in ("EGOV_SIM_HOME", DATABASE_URL_ENV, POSTGRES_ENV)}
    env[DATABASE_URL_ENV] = database_url
    env["EGOV_SIM_STAFF_PASSWORD"] = staff_password
    return env


# --- nginx in front ------------------------------------------------------------------------------

NGINX_CONF = """\
user root;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
{site}
}}
"""
"""What nginx needs around a site to run as a child process in a folder of its own."""

DEPLOYMENT_DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def documented_nginx_site(port: int, upstreams: list[str]) -> str:
    """The nginx example of docs/deployment.md as written, with this test's hosts and port.

    The example's two ``server`` lines become one per upstream (same parameters), ``listen 80``
    becomes the test's loopback port, and one line is added: an ``X-Upstream`` header that says
    which host answered. A change of the example's shape fails here, not silently."""
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "docs/deployment.md should hold one nginx example"
    lines = blocks[0].splitlines()
    hosts = [i for i, line in enumerate(lines) if re.match(r"\s*server \d+\.\d+\.\d+\.\d+:\d+ ", line)]
    listen = [i for i, line in enumerate(lines) if line.strip() == "listen 80;"]
    next_upstream = [i for i, line in enumerate(lines) if line.strip().startswith("proxy_next_upstream ")]
    assert hosts and listen and next_upstream, "the nginx example lost its upstream, listen or next-upstream lines"
    indent, params = re.match(r"(\s*)server \S+ (.*)$", lines[hosts[0]]).groups()
    out: list[str] = []
    for i, line in enumerate(lines):
        if i == hosts[0]:
            out += [f"{indent}server {u} {params}" for u in upstreams]
        elif i in hosts:
            continue
        elif i in listen:
            out.append(line.replace("listen 80;", f"listen 127.0.0.1:{port};"))
        else:
            out.append(line)
            if i in next_upstream:
                out.append(line[:len(line) - len(line.lstrip())] + "add_header X-Upstream $upstream_addr always;")
    return "\n".join(out)


@contextlib.contextmanager
def nginx(run: Path, port: int, upstreams: list[str]) -> Iterator[str]:
    """nginx as a child process (``daemon off``) running the documented site in front of
    ``upstreams`` (``host:port``, round-robin; a host that refuses connections is skipped at once
    for the next one)."""
    run.mkdir(parents=True, exist_ok=True)
    conf = run / "nginx.conf"
    conf.write_text(NGINX_CONF.format(run=run, site=documented_nginx_site(port, upstreams)), encoding="utf-8")
    proc = subprocess.Popen([_tool("nginx"), "-p", str(run), "-e", str(run / "error.log"), "-c", str(conf),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {proc.stderr.read().decode(errors='replace')[-1500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
