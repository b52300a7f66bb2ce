"""``Idempotency-Key``: a POST sent twice (a retry after a timeout, a double click, eight at once)
is done once, and every copy gets the first one's answer.

Each JSON API of the simulator (portal, ЦОН, АРМ, the Balkhash department and ЦОН, admin) is
wrapped in :class:`IdempotencyMiddleware`. A ``POST``, ``PUT``, ``PATCH`` or ``DELETE`` that
carries an ``Idempotency-Key`` header (1–200 printable ASCII characters, e.g. a UUID) is run
under a claim on ``(API, caller, key)`` (egov_sim/core/claims.py):

- the first request runs; its answer (status, body, ``Content-Type``, ``Location`` and the
  other headers an error carries) is kept for 24 hours unless it is a 5xx (then a retry runs again);
- a repeat with the same key and the same request (method, path, query, body) gets that answer
  back, with ``Idempotent-Replayed: true``; a repeat that arrives while the first is still
  running waits for it (up to 90 s, then 409 ``REQUEST_IN_PROGRESS``);
- the same key with another request is 422 ``IDEMPOTENCY_KEY_REUSED``.

The caller is who the request authenticates as (its ``Authorization`` header, else its cookies,
else its address), so one caller's key never replays another caller's answer. A request
without the header is served as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .claims import Claims, IdempotencyConflict, StillRunning, fingerprint

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_KEPT_HEADERS = (b"content-type", b"location", b"www-authenticate", b"allow", b"retry-after")


class _NotKept(Exception):
    """A 5xx answer: sent to this caller, not kept for repeats."""

    def __init__(self, answer: dict):
        super().__init__(answer["status"])
        self.answer = answer


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, claims: Claims, *, name: str, max_body: int):
        self.app, self.claims, self.name, self.max_body = app, claims, name, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        key = headers.get(HEADER.lower().encode())
        if key is None:
            await self.app(scope, receive, send)
            return
        text = key.decode("latin-1").strip()
        if not _KEY.fullmatch(text):
            await _send(send, _error(400, "BAD_IDEMPOTENCY_KEY",
                                     f"{HEADER} must be 1-200 printable ASCII characters (a UUID, say)"))
            return
        body = await _read(receive, self.max_body)
        if body is None:
            await _send(send, _error(413, "BODY_TOO_LARGE", f"the body is over {self.max_body} bytes",
                                     limit=self.max_body))
            return
        caller = hashlib.sha256(headers.get(b"authorization") or headers.get(b"cookie")
                                or (scope.get("client") or ("?",))[0].encode()).hexdigest()[:32]
        request_print = fingerprint(scope["method"], scope.get("root_path", "") + scope["path"],
                                    scope.get("query_string", b""), headers.get(b"content-type", b""), body)

        async def work() -> str:
            answer = await self._run(scope, receive, body)
            if answer["status"] >= 500:
                raise _NotKept(answer)
            return json.dumps(answer)

        try:
            stored, replayed = await self.claims.once(self.name, f"{caller}:{text}", work,
                                                      fingerprint=request_print)
        except _NotKept as not_kept:
            await _send(send, not_kept.answer)
            return
        except IdempotencyConflict as exc:
            await _send(send, _error(422, exc.code, str(exc)))
            return
        except StillRunning as exc:
            await _send(send, _error(409, exc.code, str(exc)))
            return
        answer = json.loads(stored)
        if replayed:
            answer["headers"].append(["idempotent-replayed", "true"])
        await _send(send, answer)

    async def _run(self, scope: Scope, receive: Receive, body: bytes) -> dict[str, Any]:
        """The wrapped app's answer to the buffered request, captured."""
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        answer: dict[str, Any] = {"status": 500, "headers": [], "body": ""}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = [[k.decode("latin-1"), v.decode("latin-1")]
                                     for k, v in message.get("headers", []) if k.lower() in _KEPT_HEADERS]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        answer["body"] = base64.b64encode(b"".join(chunks)).decode("ascii")
        return answer


async def _read(receive: Receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _error(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    body = json.dumps({"error": {"code": code, "message": message, **extra}}).encode()
    return {"status": status, "headers": [["content-type", "application/json"]],
            "body": base64.b64encode(body).decode("ascii")}


async def _send(send: Send, answer: dict[str, Any]) -> None:
    body = base64.b64decode(answer["body"])
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer["headers"]]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": answer["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


def idempotent(app: ASGIApp, claims: Claims, *, name: str, max_body: int) -> ASGIApp:
    """``app`` (a JSON API's router) with ``Idempotency-Key`` honoured under ``name``."""
    return IdempotencyMiddleware(app, claims, name=name, max_body=max_body)
