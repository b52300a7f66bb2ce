"""httpx transports that carry requests to an in-process simulator, without sockets.

``httpx.ASGITransport`` serves ``httpx.AsyncClient``; an integrator's code often uses the
synchronous ``httpx.Client``, so :class:`SyncASGITransport` runs the same ASGI app on an event
loop of its own in a background thread. Both are ordinary transports, so respx can sit in front
of them (mock some hosts, pass the simulator's through).
"""

from __future__ import annotations

import asyncio
import threading

import httpx


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app, *, client: tuple[str, int] = ("127.0.0.1", 123)):
        self._async = httpx.ASGITransport(app=app, client=client)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="egov-sim-asgi",
                                        daemon=True)
        self._thread.start()
        self._lifespan = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            response = await self._async.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body,
                                  request=request)

        if isinstance(request.stream, httpx.SyncByteStream) and not isinstance(
                request.stream, httpx.AsyncByteStream):
            request.stream = httpx.ByteStream(request.read())
        return asyncio.run_coroutine_threadsafe(call(), self._loop).result()

    def close(self) -> None:
        """Stop the loop and its default executor's threads (a leftover thread would make a
        later process pool spawn instead of fork)."""
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._loop.shutdown_default_executor(),
                                             self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
