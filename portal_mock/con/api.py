"""The JSON HTTP API of the ИИС ЦОН АРМ (mounted at ``/con``), described by :mod:`openapi`.

Why it looks like this: the operator's workstation is a client of the simulator's QA, so every
answer is JSON with a stable ``error.code`` (the shared body and statuses of
egov_sim.core.json_api: never a traceback, also for an unknown route or an internal failure),
bodies are validated against the published OpenAPI schemas before anything runs, and every
application route is scoped to the signed-in operator's office (another office's application
answers 404, exactly like one that does not exist).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import Accounts, bearer_token
from egov_sim.core.clock import Clock
from egov_sim.core.json_api import (
    DEFAULT_MAX_BODY,
    ApiError,
    check_params,
    choice_param,
    endpoint,
    int_param,
    not_found,
    read_json,
    refused,
    unauthenticated,
    with_fallback,
)

from . import applications_store as st
from . import notices as nt
from .applications_store import ApplicationStore, HistoryEntry
from .inbox_provider import RESULT_DOCUMENT_FILE, RESULT_FILE
from .intake import PACKAGE_FILE, ApplicantEntry, ApplicationEntry, Catalogue, EntryError, Intake, RepresentativeEntry
from .openapi import body_schemas
from .operators import Operator, Operators
from .package import Attachment
from .views import application_json, result_json, service_json

log = logging.getLogger("egov_sim.con")

MAX_DOCUMENTS_BYTES = 3 * 1024 * 1024
"""All scans of one application together, decoded: the package must fit ШЭП's message limit."""


def _not_found(number: str) -> ApiError:
    return not_found("APPLICATION_NOT_FOUND", f"no application {number} in your office")


Handler = Callable[..., Awaitable[Response]]
"""``handler(request, operator or None, validated body or None)``."""


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
    max_body: int = DEFAULT_MAX_BODY

    # -- plumbing -----------------------------------------------------------------------------

    def endpoint(self, handler: Handler, *, auth: bool = True, body: str | None = None):
        """Authentication and body validation around ``handler``, under the JSON error contract."""

        async def run(request: Request) -> Response:
            operator = await self._operator(request) if auth else None
            payload = (body_schemas().check(body, await read_json(request, limit=self.max_body))
                       if body else None)
            return await handler(request, operator, payload)

        run.__name__ = handler.__name__
        return endpoint(run, system="ИИС ЦОН", log=log)

    async def _operator(self, request: Request) -> Operator:
        token = bearer_token(request.headers.get("authorization"))
        account = await asyncio.to_thread(self.accounts.session, token) if token else None
        operator = await asyncio.to_thread(self.operators.for_account, account) if account else None
        if operator is None:
            raise unauthenticated("sign in first (POST /con/session); the session is missing, "
                                  "unknown or expired")
        return operator

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
        session = await asyncio.to_thread(self.accounts.login, body["login"], body["password"])
        operator = await asyncio.to_thread(self.operators.for_account, session.account)
        if operator is None:
            await asyncio.to_thread(self.accounts.logout, session.token)
            raise unauthenticated("this account is not a ЦОН operator", code="AUTH_FAILED")
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
            raise not_found("SERVICE_NOT_FOUND",
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
        check_params(request, {"status", "limit", "offset"})
        status = choice_param(request, "status", st.STATUSES)
        limit = int_param(request, "limit", 50, low=1, high=200)
        offset = int_param(request, "offset", 0, low=0, high=10**9)
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
            raise refused("NO_REPRESENTATIVE", "the application has no representative")
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
        fmt = choice_param(request, "format", ("json", "text"), default="json")
        notice = await asyncio.to_thread(self.store.notice, app.number, kind)
        if notice is None:
            raise not_found("NOTICE_NOT_FOUND", f"application {app.number} has no {kind!r} notice"
                            f" (kinds: {', '.join(nt.KINDS)})")
        if fmt == "text":
            return PlainTextResponse(nt.render_text(notice.body))
        return JSONResponse(notice.body)

    async def _file(self, operator: Operator, number: str, name: str, missing: str) -> Response:
        app = await self._application(operator, number)
        f = await asyncio.to_thread(self.store.file, app.number, name)
        if f is None:
            raise not_found(missing, f"application {app.number} has no {name}")
        return Response(f.content, media_type=f.media_type)

    async def get_package(self, request: Request, operator: Operator, _: None) -> Response:
        return await self._file(operator, request.path_params["number"], PACKAGE_FILE,
                                "PACKAGE_NOT_FOUND")

    async def get_result(self, request: Request, operator: Operator, _: None) -> Response:
        app = await self._application(operator, request.path_params["number"])
        if not app.result:
            raise not_found("RESULT_NOT_FOUND", f"no result for {app.number} yet ({app.status})")
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
        return with_fallback(routes)


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
