"""Admin JSON API of the ШЭП journal, and the guard every admin endpoint sits behind.

Routes are relative (``/journal…``); the server mounts them under ``/admin``:
:func:`admin_mount` builds that Mount with the guard. Handlers are plain functions, so
Starlette runs them (and the export iterator) in its thread pool: the database is blocking.

Access rule (from the gateway issue): "Admin endpoints listen on loopback unless a token is
configured". :class:`AdminGuard` serves only loopback clients when no token is set, and with a
token requires ``Authorization: Bearer <token>`` from anywhere. Behind a reverse proxy on the
same host every client looks local: configure a token there.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from typing import Any, Callable

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError
from egov_sim.core.json_api import ApiError, bad_parameter, check_params, endpoint, int_param, not_found, with_fallback

from .journal import MAX_PAGE, Journal, JournalFilter, parse_time

log = logging.getLogger("egov_sim.admin")

_FILTER_PARAMS = {
    "serviceId": "service_id",
    "senderId": "sender_id",
    "routeId": "route_id",
    "status": "status",
    "messageId": "message_id",
    "text": "text",
}
_TIME_PARAMS = {"since", "until"}


def _time(request: Request, name: str, now: Any):
    """A time query parameter; a malformed one is a 400 naming it (``BAD_TIME``)."""
    try:
        return parse_time(request.query_params[name], now=now)
    except InputError as exc:
        raise ApiError(400, exc.code, str(exc), field=name) from None


def _filter(request: Request, now: Callable[[], Any]) -> JournalFilter:
    q = request.query_params
    values: dict[str, Any] = {attr: q[name] for name, attr in _FILTER_PARAMS.items()
                              if q.get(name)}
    for name in _TIME_PARAMS:
        if q.get(name):
            values[name] = _time(request, name, now())
    return JournalFilter(**values)


def admin_endpoint(handler: Callable[[Request], Any]):
    """``handler`` under the JSON error contract of every admin API (json_api.endpoint)."""
    return endpoint(handler, system="admin API", log=log)


def routes(journal: Journal, *, clock: Clock = system_clock) -> list[BaseRoute]:
    """The journal's admin routes, relative to the mount point (``/admin``)."""
    filter_names = set(_FILTER_PARAMS) | _TIME_PARAMS

    def list_entries(request: Request) -> Response:
        check_params(request, filter_names | {"limit", "offset"})
        where = _filter(request, clock)
        limit = int_param(request, "limit", 50, low=1, high=MAX_PAGE)
        offset = int_param(request, "offset", 0, low=0, high=2**62)
        items = journal.list(where, limit=limit, offset=offset)
        return JSONResponse({"items": [e.to_dict() for e in items], "limit": limit,
                             "offset": offset, "total": journal.count(where)})

    def get_entry(request: Request) -> Response:
        check_params(request, {"bodies"})
        journal_id = request.path_params["journal_id"]
        entry = journal.get(journal_id)
        if entry is None:
            raise not_found("JOURNAL_NOT_FOUND", f"no journal entry {journal_id}")
        bodies = request.query_params.get("bodies", "true").lower() not in ("0", "false", "no")
        return JSONResponse(entry.to_dict(bodies=bodies))

    def export(request: Request) -> Response:
        check_params(request, filter_names)
        items = journal.export(_filter(request, clock))
        lines = (json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        return StreamingResponse(lines, media_type="application/x-ndjson")

    def check(request: Request) -> Response:
        check_params(request, {"serviceId", "iin", "senderId", "since", "count"})
        service_id = request.query_params.get("serviceId")
        if not service_id:
            raise bad_parameter("serviceId is required", field="serviceId")
        since = _time(request, "since", clock()) if request.query_params.get("since") else None
        try:
            found = journal.count_calls(
                service_id, iin=request.query_params.get("iin") or None,
                sender_id=request.query_params.get("senderId") or None, since=since)
        except InputError as exc:  # every input here is a query parameter
            raise ApiError(400, exc.code, str(exc)) from None
        expected = int_param(request, "count", None, low=0, high=2**62)
        body: dict[str, Any] = {"serviceId": service_id, "found": found}
        if expected is None:
            return JSONResponse(body)
        body.update(expected=expected, ok=found == expected)
        if found == expected:
            return JSONResponse(body)
        body["message"] = f"expected {expected} calls, found {found}"
        return JSONResponse(body, status_code=409)

    def clear(request: Request) -> Response:
        check_params(request, set())
        return JSONResponse({"deleted": journal.clear()})

    e = admin_endpoint
    return [
        Route("/journal", e(list_entries), methods=["GET"]),
        Route("/journal", e(clear), methods=["DELETE"]),
        Route("/journal/export", e(export), methods=["GET"]),
        Route("/journal/check", e(check), methods=["GET"]),
        Route("/journal/{journal_id:int}", e(get_entry), methods=["GET"]),
    ]


# ---------------------------------------------------------------------------------------------


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and IPv4-mapped loopback; anything unparsable is not loopback."""
    if not host:
        return False
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


class AdminGuard:
    """ASGI middleware: loopback clients only without a token; ``Bearer <token>`` with one.

    A request without a client address (e.g. a Unix socket) is refused when there is no token:
    it cannot be shown to be local.
    """

    def __init__(self, app: ASGIApp, *, token: str | None = None):
        self.app = app
        self._token = token.encode("utf-8") if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        denial = self._deny(scope)
        if denial is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await denial(scope, receive, send)

    def _deny(self, scope: Scope) -> Response | None:
        if self._token is not None:
            if self._token_matches(scope):
                return None
            return JSONResponse(
                {"error": {"code": "UNAUTHENTICATED",
                           "message": "admin API: send Authorization: Bearer <token>"}},
                status_code=401, headers={"WWW-Authenticate": 'Bearer realm="egov-sim admin"'})
        client = scope.get("client")
        if client and is_loopback(client[0]):
            return None
        return JSONResponse(
            {"error": {"code": "FORBIDDEN",
                       "message": "admin API serves loopback clients only (no admin token is configured)"}},
            status_code=403)

    def _token_matches(self, scope: Scope) -> bool:
        assert self._token is not None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, credentials = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    return hmac.compare_digest(credentials.strip(), self._token)
        return False


def admin_mount(journal: Journal, *, token: str | None = None, clock: Clock = system_clock,
                path: str = "/admin", extra_routes: list[BaseRoute] | tuple[BaseRoute, ...] = (),
                extra_openapi: dict | None = None) -> Mount:
    """The journal's admin routes (and ``extra_routes``) under ``path``, behind
    :class:`AdminGuard`; an unknown path is a JSON 404, a wrong method a JSON 405.
    ``GET openapi.json`` describes them (gateway/admin_openapi.py, plus ``extra_openapi``)."""
    from .admin_openapi import document

    def openapi(request: Request) -> Response:
        return JSONResponse(document(extra_openapi))

    own = [Route("/openapi.json", admin_endpoint(openapi), methods=["GET"]), *routes(journal, clock=clock)]
    return Mount(path, routes=with_fallback([*own, *extra_routes], hint="see /admin/openapi.json"),
                 middleware=[Middleware(AdminGuard, token=token)])
