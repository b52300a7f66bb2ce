"""What every JSON API of the simulator shares: one error body, one status per kind of error, a
body size cap, strict query parameters and JSON 404/405s.

The portal (``/portal``), the ЦОН (``/con``), the АРМ (``/arm``) and the admin APIs
(``/admin``) are written with these helpers, so a client handles one behaviour everywhere.
Every error is ``{"error": {"code": ..., "message": ..., ...}}``: ``code`` is stable and
machine-readable, ``message`` is one line for a person, and the other members name what was
wrong (``field``, ``details``, ``notice``…). The status says which kind of error it is:

====  ===============================  ==================================================
400   ``BAD_JSON``, ``BAD_PARAMETER``  the body is not JSON; a query or path parameter is
                                       unknown or malformed (the request cannot be read)
401   ``UNAUTHENTICATED``, …           no valid session or token; wrong credentials
403   ``FORBIDDEN``, ``WRONG_ROLE``…   signed in, but not allowed to do this
404   ``NOT_FOUND``, ``*_NOT_FOUND``   no such endpoint or object (also: someone else's)
405   ``METHOD_NOT_ALLOWED``           the path exists; ``Allow`` lists its methods
409   ``WRONG_STATE``, …               conflicts with the object's current state
413   ``BODY_TOO_LARGE``               the body is over the cap (:data:`DEFAULT_MAX_BODY`)
415   ``UNSUPPORTED_MEDIA_TYPE``       a body that is not ``application/json``
422   ``INVALID_BODY``, domain codes   JSON that breaks the published schema (``field`` and
                                       ``details``), or that a rule of the domain refuses
429   ``AUTH_THROTTLED``               too many failed sign-ins
500   ``INTERNAL_ERROR``               a bug: logged with its traceback, never sent
503   ``DATABASE_UNAVAILABLE``         the database failed; try again
====  ===============================  ==================================================

An unknown or malformed query parameter is refused rather than ignored, so a typo never
silently widens a listing. The body cap is a constructor argument of each API (the server passes
``egov-sim serve --max-body``); bodies are read in chunks and refused as soon as they pass it.
"""

from __future__ import annotations

import inspect
import json
import logging
from typing import Any, Awaitable, Callable, Iterable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

from egov_sim.core.auth import AuthError, Throttled
from egov_sim.core.database import DatabaseError
from egov_sim.core.errors import InputError

DEFAULT_MAX_BODY = 6 * 1024 * 1024
"""The default body cap, 6 MiB: the portal's e-copies (form_checks) in base64 plus the form.
``egov-sim serve --max-body BYTES`` changes it for every JSON API."""

ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

Handler = Callable[[Request], Awaitable[Response]] | Callable[[Request], Response]


class ApiError(InputError):
    """An answer other than success: ``status``, a stable ``code``, a one-line message, and extra
    members of the error body (as given: pass only those that say something)."""

    def __init__(self, status: int, code: str, message: str, *,
                 headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(message, code=code)
        self.status, self.headers, self.extra = status, headers, extra

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self)}
        body.update(self.extra)
        return {"error": body}

    def response(self) -> JSONResponse:
        return JSONResponse(self.to_json(), status_code=self.status, headers=self.headers)


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The error body as a response (for code that answers instead of raising)."""
    return ApiError(status, code, message, **extra).response()


# --- the kinds of error ----------------------------------------------------------------------

def bad_parameter(message: str, **extra: Any) -> ApiError:
    return ApiError(400, "BAD_PARAMETER", message, **extra)


def unauthenticated(message: str, code: str = "UNAUTHENTICATED", **extra: Any) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"}, **extra)


def forbidden(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(403, code, message, **extra)


def not_found(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(404, code, message, **extra)


def conflict(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(409, code, message, **extra)


def refused(code: str, message: str, **extra: Any) -> ApiError:
    """422: well-formed input that a rule of the domain refuses."""
    return ApiError(422, code, message, **extra)


def throttled(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(429, code, message, **extra)


def as_api_error(exc: InputError) -> ApiError:
    """An :class:`InputError` of the domain as the API answers it (422 unless it says otherwise;
    a ``field`` or ``details`` attribute becomes a member of the body)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Throttled):
        return throttled(exc.code, str(exc))
    if isinstance(exc, AuthError):
        return unauthenticated(str(exc), code=exc.code)
    extra = {name: value for name in ("field", "details")
             if (value := getattr(exc, name, None))}
    return ApiError(getattr(exc, "status", 422), exc.code, str(exc), **extra)


# --- bodies and parameters -------------------------------------------------------------------

async def read_body(request: Request, *, limit: int = DEFAULT_MAX_BODY) -> bytes:
    """The raw body, refused with 413 once it passes ``limit`` bytes (a declared length over the
    cap is refused before anything is read)."""
    too_large = ApiError(413, "BODY_TOO_LARGE", f"the body is over {limit} bytes", limit=limit)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def is_json_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def read_json(request: Request, *, limit: int = DEFAULT_MAX_BODY,
                    required: bool = True) -> Any:
    """The JSON body. Empty: ``None`` when ``required`` (the schema then says what is missing),
    ``{}`` otherwise. A body of another media type is 415, one that is not JSON 400."""
    raw = await read_body(request, limit=limit)
    if not raw.strip():
        return None if required else {}
    content_type = request.headers.get("content-type")
    if content_type and not is_json_type(content_type):
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                       f"the body must be application/json, not {content_type.split(';')[0]}")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "BAD_JSON", f"the body is not JSON: {exc}") from None


INTEGER_RANGE = (-(2 ** 63), 2 ** 63 - 1)
"""What a database integer holds (SQLite's, PostgreSQL's BIGINT). A query number outside it
never reaches the database, where binding it raised ``OverflowError`` (a 500: found by a
schemathesis campaign on ``GET /arm/requests?offset=4719364977402489386041344``)."""


def int_param(request: Request, name: str, default: int | None, *, low: int,
              high: int | None = None) -> int | None:
    """The integer query parameter ``name`` within [low, high] (``high``: the largest database
    integer when not given); ``default`` when absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:  # also more digits than int() takes (4,300)
        raise bad_parameter(f"{name} must be an integer, got {raw[:40]!r}", field=name) from None
    low, high = max(low, INTEGER_RANGE[0]), INTEGER_RANGE[1] if high is None else min(high, INTEGER_RANGE[1])
    if not low <= value <= high:
        raise bad_parameter(f"{name} must be between {low} and {high}", field=name)
    return value


def choice_param(request: Request, name: str, choices: Iterable[str],
                 default: str | None = None) -> str | None:
    """The query parameter ``name``, one of ``choices``; ``default`` when absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    allowed = list(choices)
    if raw not in allowed:
        raise bad_parameter(f"{name} must be one of {', '.join(allowed)}", field=name)
    return raw


def check_params(request: Request, allowed: set[str]) -> None:
    """Refuse query parameters outside ``allowed``, naming them and the allowed ones."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed)) or "none"
        raise bad_parameter(f"unknown query parameter(s) {', '.join(unknown)}; allowed: {names}")


# --- endpoints and routes --------------------------------------------------------------------

def endpoint(handler: Handler, *, system: str,
             log: logging.Logger | None = None) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` with the error contract: an :class:`ApiError` (or a domain
    :class:`InputError`) becomes its JSON error, a database failure 503, anything else a logged
    500. A plain function runs in the thread pool (the database is blocking)."""
    logger = log or logging.getLogger("egov_sim")
    is_async = inspect.iscoroutinefunction(handler)

    async def run(request: Request) -> Response:
        try:
            if is_async:
                return await handler(request)  # type: ignore[misc]
            return await run_in_threadpool(handler, request)  # type: ignore[arg-type]
        except InputError as exc:
            return as_api_error(exc).response()
        except DatabaseError as exc:
            logger.error("%s: database error on %s %s: %s", system, request.method,
                         request.url.path, exc)
            return error(503, "DATABASE_UNAVAILABLE",
                         f"the {system} database is unavailable; try again later")
        except Exception:  # the contract: JSON, never a traceback
            logger.exception("%s: unexpected error on %s %s", system, request.method,
                             request.url.path)
            return error(500, "INTERNAL_ERROR", f"internal error of the {system}")

    run.__name__ = getattr(handler, "__name__", "endpoint")
    run.__doc__ = handler.__doc__
    return run


def with_fallback(routes: list[BaseRoute], *, hint: str = "see openapi.json") -> list[BaseRoute]:
    """``routes`` and a catch-all after them: an unknown path is a JSON 404, a known path with
    another method a JSON 405 with ``Allow``."""

    async def fallback(request: Request) -> Response:
        allowed = sorted({method for route in routes if isinstance(route, Route)
                          for method in (route.methods or ()) if method != "HEAD"
                          and route.matches({**request.scope, "method": method})[0] == Match.FULL})
        if allowed:
            return JSONResponse(
                {"error": {"code": "METHOD_NOT_ALLOWED", "allowed": ", ".join(allowed),
                           "message": f"{request.method} is not allowed here; use "
                                      f"{', '.join(allowed)}"}},
                status_code=405, headers={"Allow": ", ".join(allowed)})
        return error(404, "NOT_FOUND", f"no such endpoint: {request.method} {request.url.path}; "
                                        f"{hint}")

    return [*routes, Route("/{rest:path}", fallback, methods=list(ALL_METHODS),
                           include_in_schema=False, name="fallback")]
