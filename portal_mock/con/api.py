"""The JSON HTTP API of the ИИС ЦОН АРМ (mounted at ``/con``), described by :mod:`openapi`.

Why it looks like this: the operator's workstation is a client of the simulator's QA, so every
answer is JSON with a stable ``error.code`` (never a traceback, also for an unknown route or an
internal failure), bodies are validated against the published OpenAPI schemas before anything
runs, and every application route is scoped to the signed-in operator's office (another
office's application answers 404, exactly like one that does not exist).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Route

from egov_sim.core.auth import Accounts, AuthError, Throttled, bearer_token
from egov_sim.core.clock import Clock
from egov_sim.core.database import DatabaseError
from egov_sim.core.errors import InputError

from . import applications_store as st
from . import notices as nt
from .applications_store import ApplicationStore, HistoryEntry
from .inbox_provider import RESULT_DOCUMENT_FILE, RESULT_FILE
from .intake import (PACKAGE_FILE, ApplicantEntry, ApplicationEntry, Catalogue, EntryError, Intake,
                     RepresentativeEntry)
from .openapi import validation_errors
from .operators import Operator, Operators
from .package import Attachment
from .views import application_json, result_json, service_json

log = logging.getLogger("egov_sim.con")

MAX_BODY_BYTES = 6 * 1024 * 1024
MAX_DOCUMENTS_BYTES = 3 * 1024 * 1024
"""All scans of one application together, decoded: the package must fit ШЭП's message limit."""
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, details: list | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers


def error_response(status: int, code: str, message: str, *, details: list | None = None,
                   headers: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _not_found(number: str) -> ApiError:
    return ApiError(404, "APPLICATION_NOT_FOUND", f"no application {number} in your office")


Handler = Callable[[Request, Operator | None, Any], Awaitable[Response]]


@dataclass
class ConApi:
    accounts: Accounts
    operators: Operators
    store: ApplicationStore
    intake: Intake
    catalogue: Catalogue
    clock: Clock
    openapi: Callable[[], dict]
    base_path: str = "/con"

    # -- plumbing -----------------------------------------------------------------------------

    def endpoint(self, handler: Handler, *, auth: bool = True, body: str | None = None):
        """Authentication, body validation and the JSON error contract around ``handler``."""

        async def run(request: Request) -> Response:
            try:
                operator = await self._operator(request) if auth else None
                payload = await self._json_body(request, body) if body else None
                return await handler(request, operator, payload)
            except ApiError as exc:
                return error_response(exc.status, exc.code, exc.message, details=exc.details,
                                      headers=exc.headers)
            except EntryError as exc:
                return error_response(422, exc.code, str(exc), details=exc.details)
            except st.StatusConflict as exc:
                return error_response(409, exc.code, str(exc))
            except InputError as exc:
                return error_response(400, exc.code, str(exc))
            except DatabaseError:
                log.exception("ИИС ЦОН: database failure")
                return error_response(503, "DATABASE_UNAVAILABLE",
                                      "the ИИС ЦОН database is unavailable; try again")
            except Exception:  # the contract: JSON, never a traceback
                log.exception("ИИС ЦОН: unexpected failure")
                return error_response(500, "INTERNAL_ERROR", "internal error of the ИИС ЦОН")

        run.__name__ = handler.__name__
        return run

    async def _operator(self, request: Request) -> Operator:
        token = bearer_token(request.headers.get("authorization"))
        account = await asyncio.to_thread(self.accounts.session, token) if token else None
        operator = await asyncio.to_thread(self.operators.for_account, account) if account else None
        if operator is None:
            raise ApiError(401, "UNAUTHENTICATED",
                           "sign in first (POST /con/session); the session is missing, unknown or "
                           "expired", headers={"WWW-Authenticate": "Bearer"})
        return operator

    async def _json_body(self, request: Request, schema: str) -> Any:
        ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if ctype != "application/json" and not ctype.endswith("+json"):
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be application/json")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise ApiError(413, "BODY_TOO_LARGE", f"the body is over {MAX_BODY_BYTES} bytes")
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY_BYTES:
                raise ApiError(413, "BODY_TOO_LARGE", f"the body is over {MAX_BODY_BYTES} bytes")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, "BAD_JSON", f"the body is not JSON: {exc}") from None
        problems = validation_errors(schema, payload)
        if problems:
            raise ApiError(400, "VALIDATION_FAILED", f"the body does not match {schema}",
                           details=problems)
        return payload

    async def _application(self, operator: Operator, number: str) -> st.Application:
        app = await asyncio.to_thread(self.store.get_for_office, number, operator.office)
        if app is None:
            raise _not_found(number)
        return app

    async def _render(self, app: st.Application, *, history: bool = True, **extra) -> dict:
        def load():
            return (self.store.history(app.number) if history else None,
                    self.store.notices(app.number), self.store.file_names(app.number))

        hist, notices, files = await asyncio.to_thread(load)
        out = application_json(app, history=hist, notices=notices, files=files, base=self.base_path)
        out.update({k: v for k, v in extra.items() if v is not None})
        return out

    # -- session (process 1, K02) ------------------------------------------------------------------

    async def login(self, request: Request, _: None, body: dict) -> Response:
        try:
            session = await asyncio.to_thread(self.accounts.login, body["login"], body["password"])
        except Throttled as exc:
            raise ApiError(429, exc.code, str(exc)) from None
        except AuthError as exc:
            raise ApiError(401, exc.code, str(exc)) from None
        operator = await asyncio.to_thread(self.operators.for_account, session.account)
        if operator is None:
            await asyncio.to_thread(self.accounts.logout, session.token)
            raise ApiError(401, "AUTH_FAILED", "this account is not a ЦОН operator")
        return JSONResponse({"token": session.token, "expiresAt": st.iso(session.expires_at),
                             "operator": operator.to_json()})

    async def whoami(self, request: Request, operator: Operator, _: None) -> Response:
        return JSONResponse(operator.to_json())

    async def logout(self, request: Request, operator: Operator, _: None) -> Response:
        token = bearer_token(request.headers.get("authorization"))
        await asyncio.to_thread(self.accounts.logout, token)
        return Response(status_code=204)

    # -- services (process 2) ----------------------------------------------------------------------

    async def list_services(self, request: Request, operator: Operator, _: None) -> Response:
        items = [service_json(s, self.catalogue.offices_for(s, "con"))
                 for s in self.catalogue.services_for("con")]
        return JSONResponse({"items": items})

    async def get_service(self, request: Request, operator: Operator, _: None) -> Response:
        code = request.path_params["code"]
        service = next((s for s in self.catalogue.services_for("con") if s.code == code), None)
        if service is None:
            raise ApiError(404, "SERVICE_NOT_FOUND",
                           f"service {code!r} is not rendered through the State Corporation")
        return JSONResponse(service_json(service, self.catalogue.offices_for(service, "con")))

    # -- applications -------------------------------------------------------------------------------

    async def submit(self, request: Request, operator: Operator, body: dict) -> Response:
        outcome = await self.intake.submit(operator, _entry(body))
        app = outcome.application
        out = await self._render(app, sendError=outcome.send_error)
        return JSONResponse(out, status_code=201,
                            headers={"Location": f"{self.base_path}/applications/{app.number}"})

    async def list_applications(self, request: Request, operator: Operator, _: None) -> Response:
        q = request.query_params
        unknown = sorted(set(q) - {"status", "limit", "offset"})
        if unknown:
            raise ApiError(400, "BAD_PARAMETER", f"unknown query parameter(s) {', '.join(unknown)}")
        status = q.get("status") or None
        if status is not None and status not in st.STATUSES:
            raise ApiError(400, "BAD_PARAMETER", f"status must be one of {', '.join(st.STATUSES)}")
        limit, offset = _int(q.get("limit"), "limit", 50, 1, 200), _int(q.get("offset"), "offset", 0, 0, 10**9)
        items, total = await asyncio.to_thread(self.store.list, operator.office, status=status,
                                               limit=limit, offset=offset)
        rendered = [await self._render(a, history=False) for a in items]
        return JSONResponse({"items": rendered, "total": total, "limit": limit, "offset": offset})

    async def get_application(self, request: Request, operator: Operator, _: None) -> Response:
        app = await self._application(operator, request.path_params["number"])
        return JSONResponse(await self._render(app))

    async def resend(self, request: Request, operator: Operator, _: None) -> Response:
        app = await self._application(operator, request.path_params["number"])
        try:
            outcome = await self.intake.send(operator, app.number)
        except KeyError:
            raise _not_found(app.number) from None
        return JSONResponse(await self._render(outcome.application, sendError=outcome.send_error))

    async def issue(self, request: Request, operator: Operator, body: dict) -> Response:
        """Process 8: the operator hands the result to the recipient (or the representative)."""
        app = await self._application(operator, request.path_params["number"])
        if app.status != st.RESULT_READY:
            raise st.StatusConflict(f"application {app.number} is {app.status}; only a result "
                                    "that has arrived (RESULT_READY) is issued")
        received_by = body["receivedBy"]
        rep = app.record.get("representative")
        if received_by == "representative" and not rep:
            raise ApiError(422, "NO_REPRESENTATIVE", "the application has no representative")
        who = rep if received_by == "representative" else app.record.get("applicant", {})
        name = " ".join(p for p in (who.get("surname"), who.get("name"), who.get("patronymic")) if p)
        now = self.clock()
        issued = {"at": st.iso(now), "operator": operator.login, "operatorName": operator.full_name,
                  "receivedBy": received_by, "receiverIin": who.get("iin"), "receiverName": name,
                  "note": body.get("note")}
        result = app.result or {}
        what = (f"решение № {result['decision']['number']}" if app.outcome == "decision"
                else "мотивированный ответ об отказе")
        entry = HistoryEntry(now, "P8", "RESULT_ISSUED",
                             f"Результат ({what}) выдан {'представителю' if received_by == 'representative' else 'услугополучателю'} "
                             f"{name} (ИИН {who.get('iin')}) оператором {operator.full_name}",
                             {k: v for k, v in issued.items() if v is not None})
        app = await asyncio.to_thread(self.store.update, app.number, expect=[st.RESULT_READY],
                                      status=st.ISSUED, issued=issued, history=[entry])
        return JSONResponse(await self._render(app))

    async def get_notice(self, request: Request, operator: Operator, _: None) -> Response:
        app = await self._application(operator, request.path_params["number"])
        kind = request.path_params["kind"]
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "text"):
            raise ApiError(400, "BAD_PARAMETER", "format must be json or text")
        notice = await asyncio.to_thread(self.store.notice, app.number, kind)
        if notice is None:
            raise ApiError(404, "NOTICE_NOT_FOUND", f"application {app.number} has no {kind!r} notice"
                           f" (kinds: {', '.join(nt.KINDS)})")
        if fmt == "text":
            return PlainTextResponse(nt.render_text(notice.body))
        return JSONResponse(notice.body)

    async def _file(self, operator: Operator, number: str, name: str, missing: str) -> Response:
        app = await self._application(operator, number)
        f = await asyncio.to_thread(self.store.file, app.number, name)
        if f is None:
            raise ApiError(404, missing, f"application {app.number} has no {name}")
        return Response(f.content, media_type=f.media_type)

    async def get_package(self, request: Request, operator: Operator, _: None) -> Response:
        return await self._file(operator, request.path_params["number"], PACKAGE_FILE,
                                "PACKAGE_NOT_FOUND")

    async def get_result(self, request: Request, operator: Operator, _: None) -> Response:
        app = await self._application(operator, request.path_params["number"])
        if not app.result:
            raise ApiError(404, "RESULT_NOT_FOUND", f"no result for {app.number} yet ({app.status})")
        return JSONResponse(result_json(app))

    async def get_result_xml(self, request: Request, operator: Operator, _: None) -> Response:
        return await self._file(operator, request.path_params["number"], RESULT_FILE,
                                "RESULT_NOT_FOUND")

    async def get_result_document(self, request: Request, operator: Operator, _: None) -> Response:
        return await self._file(operator, request.path_params["number"], RESULT_DOCUMENT_FILE,
                                "RESULT_DOCUMENT_NOT_FOUND")

    async def openapi_json(self, request: Request, _: None, __: None) -> Response:
        return JSONResponse(self.openapi())

    # -- routes -------------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        e = self.endpoint
        n = "/applications/{number}"
        routes: list[BaseRoute] = [
            Route("/openapi.json", e(self.openapi_json, auth=False), methods=["GET"]),
            Route("/session", e(self.login, auth=False, body="LoginRequest"), methods=["POST"]),
            Route("/session", e(self.whoami), methods=["GET"]),
            Route("/session", e(self.logout), methods=["DELETE"]),
            Route("/services", e(self.list_services), methods=["GET"]),
            Route("/services/{code}", e(self.get_service), methods=["GET"]),
            Route("/applications", e(self.list_applications), methods=["GET"]),
            Route("/applications", e(self.submit, body="ApplicationRequest"), methods=["POST"]),
            Route(n, e(self.get_application), methods=["GET"]),
            Route(f"{n}/send", e(self.resend), methods=["POST"]),
            Route(f"{n}/issue", e(self.issue, body="IssueRequest"), methods=["POST"]),
            Route(f"{n}/notices/{{kind}}", e(self.get_notice), methods=["GET"]),
            Route(f"{n}/package", e(self.get_package), methods=["GET"]),
            Route(f"{n}/result", e(self.get_result), methods=["GET"]),
            Route(f"{n}/result.xml", e(self.get_result_xml), methods=["GET"]),
            Route(f"{n}/result/document", e(self.get_result_document), methods=["GET"]),
        ]
        return routes + [Route("/{rest:path}", _fallback(list(routes)), methods=ALL_METHODS,
                               include_in_schema=False)]


def _fallback(routes: list[BaseRoute]):
    """Unknown path → JSON 404; known path, other method → JSON 405 with ``Allow``."""

    async def fallback(request: Request) -> Response:
        allowed = {method for route in routes for method in ("GET", "POST", "DELETE")
                   if route.matches({**request.scope, "method": method})[0] == Match.FULL}
        if allowed:
            return error_response(405, "METHOD_NOT_ALLOWED",
                                  f"{request.method} is not allowed here",
                                  headers={"Allow": ", ".join(sorted(allowed))})
        return error_response(404, "NOT_FOUND", f"no such endpoint: {request.url.path}")

    return fallback


def _int(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "BAD_PARAMETER", f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ApiError(400, "BAD_PARAMETER", f"{name} must be between {low} and {high}")
    return value


def _entry(body: dict) -> ApplicationEntry:
    """The validated JSON body as the intake's entry; base64 scans decoded."""
    a = body["applicant"]
    applicant = ApplicantEntry(a["iin"].strip(), a.get("surname"), a.get("name"), a.get("patronymic"),
                               a.get("phone"), a.get("email"))
    representative = None
    if body.get("representative"):
        r = body["representative"]
        representative = RepresentativeEntry(r["iin"].strip(), r["poaNumber"].strip(), r.get("surname"),
                                             r.get("name"), r.get("patronymic"))
    documents, total = [], 0
    for i, d in enumerate(body.get("documents", [])):
        try:
            content = base64.b64decode("".join(d["content"].split()), validate=True)
        except (binascii.Error, ValueError):
            raise EntryError(f"documents/{i}/content is not base64", code="BAD_BASE64",
                             details=[{"path": f"/documents/{i}/content", "problem": "not base64"}]
                             ) from None
        total += len(content)
        documents.append(Attachment(d["documentTypeCode"], d["fileName"], d["mediaType"], content,
                                    d.get("title")))
    if total > MAX_DOCUMENTS_BYTES:
        raise EntryError(f"the scans add up to {total} bytes, over {MAX_DOCUMENTS_BYTES}",
                         code="DOCUMENTS_TOO_LARGE")
    form = {k: (v if isinstance(v, str) else format(v, "g") if isinstance(v, float) else str(v))
            for k, v in body.get("form", {}).items()}
    return ApplicationEntry(body["serviceCode"], applicant, body.get("providerCode"), representative,
                            form, tuple(documents))
