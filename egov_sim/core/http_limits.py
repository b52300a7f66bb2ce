"""Limits on a request's head: its size and the time a client has to send it.

uvicorn (with httptools) reads headers without a total size cap and waits for them without a
deadline, so a 200 KB header was accepted and a client that sends one byte a second (slowloris)
held a connection for as long as it liked. :class:`LimitedHttpToolsProtocol` is uvicorn's own
httptools protocol with two checks added:

- the request line and headers together may hold :attr:`HeaderLimits.max_bytes` (64 KiB by
  default; ``serve --max-header-bytes``); past it the answer is ``431 Request Header Fields Too
  Large`` and the connection is closed;
- once a request has started (its first byte, or a new connection), its head must be complete
  within :attr:`HeaderLimits.timeout` seconds (10 by default; ``serve --header-timeout``); after
  it the answer is ``408 Request Timeout`` and the connection is closed. Bodies have their own
  caps (the JSON APIs' ``--max-body``, the gateway's ``max_bytes``).

The limits travel on the uvicorn ``Config`` (:func:`configure`) or, for worker processes that
uvicorn spawns from an import string, in ``EGOV_SIM_HEADER_LIMITS`` (``BYTES,SECONDS``).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, NamedTuple

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ENV = "EGOV_SIM_HEADER_LIMITS"


class HeaderLimits(NamedTuple):
    max_bytes: int = 64 * 1024
    timeout: float = 10.0

    def to_env(self) -> str:
        return f"{self.max_bytes},{self.timeout}"

    @classmethod
    def from_env(cls, value: str | None) -> HeaderLimits | None:
        try:
            size, seconds = (value or "").split(",")
            return cls(int(size), float(seconds))
        except ValueError:
            return None


def configure(config: Any, limits: HeaderLimits) -> Any:
    """Give a uvicorn ``Config`` these limits and the protocol that applies them."""
    config.http = LimitedHttpToolsProtocol
    config.egov_header_limits = limits
    return config


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = getattr(config, "egov_header_limits", None) or HeaderLimits.from_env(
            os.environ.get(ENV)) or HeaderLimits()
        self._head_limit, self._head_timeout = limits.max_bytes, limits.timeout
        self._head_bytes = 0
        self._head_raw = 0
        """Bytes received while a head was incomplete (a single huge header is seen before
        httptools has buffered all of it)."""
        self._head_done = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_too_large = False

    # --- the deadline ---------------------------------------------------------------------

    def _start_head_timer(self) -> None:
        if self._head_timer is None and self._head_timeout > 0:
            self._head_timer = self.loop.call_later(self._head_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport is not None and not self.transport.is_closing():
            self._refuse(408, "Request Timeout", "the request's headers did not arrive in time")

    def _refuse(self, status: int, reason: str, message: str) -> None:
        body = message.encode("ascii")
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode("ascii") + body)
        self.transport.close()

    # --- the protocol ---------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_too_large:
            return
        if not self._head_done:
            self._head_raw += len(data)
        super().data_received(data)
        if not self._head_done and self._head_raw > self._head_limit:
            self._head_too_large = True
        if self._head_too_large and not self.transport.is_closing():
            self._refuse(431, "Request Header Fields Too Large",
                         f"the request line and headers are over {self._head_limit} bytes")

    def send_400_response(self, msg: str) -> None:
        if self._head_too_large:
            return  # data_received answers 431 instead
        super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes, self._head_done = 0, False
        self._start_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        self._head_done, self._head_raw = True, 0
        super().on_headers_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self._head_limit:
            self._head_too_large = True
            raise httptools.HttpParserError("request head too large")
