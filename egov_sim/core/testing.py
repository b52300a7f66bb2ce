"""Helpers for running a real simulator inside a test process (real HTTP on loopback)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Iterator

import uvicorn

from .http_limits import HeaderLimits, configure


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def refused_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port bound but not listening, for "nobody answers there": connections are refused, and
    no other server (a parallel test worker's) can take the port while it is held, as it could
    a port that is merely free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        yield sock.getsockname()[1]


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # signals belong to the main thread's owner
        pass


@contextlib.contextmanager
def serve_in_thread(app, *, host: str = "127.0.0.1", port: int | None = None,
                    startup_timeout: float = 10.0, header_limits: HeaderLimits = HeaderLimits()) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on loopback in a background thread; yield its base URL.
    The request heads are limited as ``egov-sim serve`` limits them (core/http_limits.py)."""
    port = port or free_port(host)
    config = configure(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                      lifespan="on"), header_limits)
    server = _ThreadServer(config)
    thread = threading.Thread(target=server.run, name=f"egov-sim:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"test server on {host}:{port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
