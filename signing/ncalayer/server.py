"""The NCALayer emulator's WebSocket service: Starlette on uvicorn, plain ``ws`` or TLS.

Real NCALayer listens on ``wss://127.0.0.1:13579`` with a self-signed certificate the person
accepts once; the emulator does the same by default (its certificate is made once, for
``127.0.0.1`` and ``localhost``, in the data directory), or ``ws://`` with ``tls=False`` (tests,
pages served over plain HTTP). An HTTP GET on the same address answers a short text page: open
``https://127.0.0.1:13579/`` once in the browser to accept the certificate, as with NCALayer.

It listens on loopback only unless told otherwise, and signs without asking: any page the
browser opens can sign with the test keys it holds, exactly as with NCALayer once its dialog is
answered. ``allowed_origins`` restricts which pages may connect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from egov_sim.core import atomic

from .protocol import MAX_MESSAGE, NCALayer

log = logging.getLogger("egov_sim.ncalayer")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 13579
DEFAULT_URL = f"wss://{DEFAULT_HOST}:{DEFAULT_PORT}"


@dataclass(frozen=True)
class Listen:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    tls: bool = True
    cert_file: Path | None = None
    key_file: Path | None = None
    allowed_origins: tuple[str, ...] | None = None
    """Origins (``http://127.0.0.1:8080``) whose pages may connect; None: any, as NCALayer."""

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'wss' if self.tls else 'ws'}://{host}:{self.port}"


def build_app(ncalayer: NCALayer, *, allowed_origins: Sequence[str] | None = None) -> Starlette:
    allowed = None if allowed_origins is None else {o.rstrip("/") for o in allowed_origins}

    async def socket(websocket: WebSocket) -> None:
        origin = websocket.headers.get("origin")
        if allowed is not None and (origin or "").rstrip("/") not in allowed:
            log.warning("NCALayer emulator: refused a connection from origin %s", origin)
            await websocket.close(code=1008)
            return
        await websocket.accept()
        conn = ncalayer.connection()
        await websocket.send_text(ncalayer.greeting())
        try:
            while True:
                text = await websocket.receive_text()
                await websocket.send_text(await ncalayer.handle(text, conn))
        except WebSocketDisconnect:
            return

    async def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse(
            "egov-sim NCALayer emulator: connect a WebSocket here (NCALayer's protocol).\n"
            f"Keys: {', '.join(e.source for e in ncalayer.keys.entries) or 'none'}\n"
            "See docs/ncalayer.md.\n")

    return Starlette(routes=[WebSocketRoute("/", socket), WebSocketRoute("/{path:path}", socket),
                             Route("/", page), Route("/{path:path}", page)])


def tls_files(folder: Path) -> tuple[Path, Path]:
    """The emulator's self-signed certificate and key for 127.0.0.1, ::1 and localhost, made
    once in ``folder`` (the key file is 0600). Its validity starts at the real time it is made:
    browsers check TLS certificates against their own clock."""
    cert_path, key_path = folder / "ncalayer-tls.pem", folder / "ncalayer-tls.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "egov-sim NCALayer emulator (127.0.0.1)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(key_path, key.private_bytes(serialization.Encoding.PEM,
                                                   serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()), mode=0o600)
    atomic.write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def uvicorn_config(app, listen: Listen, *, tls_folder: Path | None = None):
    import uvicorn

    options: dict = {}
    if listen.tls:
        cert, key = listen.cert_file, listen.key_file
        if cert is None or key is None:
            if tls_folder is None:
                raise ValueError("TLS needs cert_file and key_file, or a folder to make them in")
            cert, key = tls_files(tls_folder)
        options = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    return uvicorn.Config(app, host=listen.host, port=listen.port, log_level="warning",
                          access_log=False, ws_max_size=MAX_MESSAGE, lifespan="off", **options)


class _ThreadServer:
    def __init__(self, config):
        import uvicorn

        class Server(uvicorn.Server):
            def install_signal_handlers(self) -> None:  # the main thread's owner has them
                pass

        self.server = Server(config)
        self.thread = threading.Thread(target=self.server.run, name="egov-sim-ncalayer", daemon=True)


@contextlib.contextmanager
def running(ncalayer: NCALayer, listen: Listen, *, tls_folder: Path | None = None,
            startup_timeout: float = 10.0) -> Iterator[str]:
    """The emulator served in a background thread (``serve --ncalayer``, tests); yields its URL."""
    app = build_app(ncalayer, allowed_origins=listen.allowed_origins)
    runner = _ThreadServer(uvicorn_config(app, listen, tls_folder=tls_folder))
    runner.thread.start()
    deadline = time.monotonic() + startup_timeout
    while not runner.server.started:
        if not runner.thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the NCALayer emulator did not start on {listen.url}")
        time.sleep(0.01)
    try:
        yield listen.url
    finally:
        runner.server.should_exit = True
        runner.thread.join(timeout=10)
