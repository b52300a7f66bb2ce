"""The 2012 ЦОН's JSON API (mounted at ``/balkhash/con``), described by openapi.py. Errors are
``{"error": {"code", "message", "field"?}}``; the kiosk's ticket is the only call without sign-in."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import Accounts, AuthError, Throttled, bearer_token
from egov_sim.core.clock import ALMATY
from egov_sim.core.database import DatabaseError
from egov_sim.core.json_api import DEFAULT_MAX_BODY, INTEGER_RANGE, ApiError, int_param, read_json, with_fallback
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference import balkhash_terms as bt
from egov_sim.reference.balkhash_services import CON

from . import openapi
from . import store as st
from .centre import Centre, ConError
from .exchange import RegistrySender
from .staff import STAFF, Employee, ensure_account

log = logging.getLogger("egov_sim.balkhash.con")


def _iso(v: dt.datetime | None) -> str | None:
    return v.astimezone(ALMATY).isoformat(timespec="seconds") if v else None


@dataclass
class CentreApi:
    centre: Centre
    accounts: Accounts
    sender: RegistrySender
    base_path: str = "/balkhash/con"
    max_body: int = DEFAULT_MAX_BODY

    def endpoint(self, handler, *, body: str | None = None, auth: bool = True):
        async def run(request: Request) -> Response:
            try:
                employee = await self._employee(request) if auth else None
                payload = await self._body(request, body) if body else None
                return await handler(request, employee, payload)
            except ConError as exc:
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)
            except ApiError as exc:  # the shared toolkit: body cap, media type, JSON
                return exc.response()
            except DatabaseError:
                log.exception("Balkhash ЦОН: database failure")
                return JSONResponse({"error": {"code": "DATABASE_UNAVAILABLE", "message": "the database is unavailable"}},
                                    status_code=503)
            except Exception:
                log.exception("Balkhash ЦОН: unexpected failure")
                return JSONResponse({"error": {"code": "INTERNAL_ERROR", "message": "internal error"}}, status_code=500)

        run.__name__ = handler.__name__
        return run

    async def _employee(self, request: Request) -> Employee:
        token = bearer_token(request.headers.get("authorization"))
        account = await asyncio.to_thread(self.accounts.session, token) if token else None
        employee = STAFF.get(account.login) if account else None
        if employee is None:
            raise ConError(401, "UNAUTHENTICATED", "sign in first (POST /balkhash/con/session); the session is "
                           "missing, unknown or expired")
        return employee

    async def _body(self, request: Request, schema: str) -> Any:
        payload = await read_json(request, limit=self.max_body, required=False)
        problem = openapi.first_error(schema, payload)
        if problem is not None:
            raise ConError(422, "INVALID_BODY", f"{problem[0]}: {problem[1]}", field=problem[0], schema=schema,
                           details=openapi.problems(schema, payload))
        return payload

    def app_json(self, app: st.Application, *, history: bool = False) -> dict:
        service = bs.service(app.service)
        out = {"number": app.number, "service": app.service, "serviceName": service.name_ru, "status": app.status,
               "category": app.category, "subtype": app.subtype, "flags": app.flag_list, "applicant": app.applicant,
               "representative": app.representative, "subjectIin": app.subject_iin, "documents": app.documents,
               "missingDocuments": app.missing, "acceptedAt": app.accepted_at, "acceptedBy": app.accepted_by,
               "receipt": app.receipt, "issueDate": app.issue_date, "ticket": app.ticket,
               "registryOut": app.registry_out, "registryIn": app.registry_in, "caseNumber": app.case_number,
               "outcome": app.outcome, "reason": app.reason, "result": app.result, "resultAt": app.result_at,
               "informedAt": app.informed_at, "issuedAt": app.issued_at, "issuedTo": app.issued_to,
               "term": bt.term_json(service, CON, self.centre.readings)}
        if history:
            out["history"] = [{**h, "at": _iso(h["at"])} for h in self.centre.store.history(app.number)]
        return out

    # --- handlers ----------------------------------------------------------------------------

    async def openapi_doc(self, request, e, _):
        return JSONResponse(openapi.document(request.scope.get("root_path", "") or self.base_path))

    async def services(self, request, e, _):
        return JSONResponse({"services": [s.to_json() for s in bs.SERVICES.values() if CON in s.channels]})

    async def login(self, request, _, body):
        try:
            await asyncio.to_thread(ensure_account, self.accounts, body["login"])
            session = await asyncio.to_thread(self.accounts.login, body["login"], body["password"])
        except Throttled as exc:
            raise ConError(429, exc.code, str(exc)) from None
        except AuthError as exc:
            raise ConError(401, exc.code, str(exc)) from None
        return JSONResponse({"token": session.token, "expiresAt": _iso(session.expires_at),
                             "employee": STAFF[session.account.login].to_json()})

    async def me(self, request, e, _):
        return JSONResponse(e.to_json())

    async def logout(self, request, e, _):
        await asyncio.to_thread(self.accounts.logout, bearer_token(request.headers.get("authorization")))
        return Response(status_code=204)

    async def queue(self, request, e, _):
        return JSONResponse(await asyncio.to_thread(self.centre.queue))

    async def take_ticket(self, request, _, body):
        return JSONResponse(await asyncio.to_thread(self.centre.take_ticket, body), status_code=201)

    async def call_next(self, request, e, body):
        return JSONResponse(await asyncio.to_thread(self.centre.call_next, e, body))

    async def applications(self, request, e, _):
        q = dict(request.query_params)
        unknown = set(q) - {"status", "service", "uncollected", "limit", "offset"}
        if unknown:
            raise ConError(400, "BAD_PARAMETER", f"unknown query parameter(s) {', '.join(sorted(unknown))}",
                           field=sorted(unknown)[0])
        if q.get("uncollected") == "true":
            found = await asyncio.to_thread(self.centre.uncollected)
        else:
            if q.get("status") and q["status"] not in st.STATUSES:
                raise ConError(400, "BAD_PARAMETER", f"status must be one of {', '.join(st.STATUSES)}", field="status")
            any_int = INTEGER_RANGE[0]  # out-of-range limits are clamped below, as they always were
            service = int_param(request, "service", None, low=any_int)
            limit = int_param(request, "limit", 100, low=any_int)
            offset = int_param(request, "offset", 0, low=any_int)
            found = await asyncio.to_thread(self.centre.store.list, status=q.get("status"), service=service,
                                            limit=max(1, min(limit, 500)), offset=max(0, offset))
        return JSONResponse({"applications": [self.app_json(a) for a in found]})

    async def submit(self, request, e, body):
        app = await asyncio.to_thread(self.centre.submit, e, body)
        return JSONResponse(self.app_json(app, history=True), status_code=201)

    async def application(self, request, e, _):
        app = await asyncio.to_thread(self.centre._get, request.path_params["number"])
        return JSONResponse(await asyncio.to_thread(self.app_json, app, history=True))

    def act(self, name: str):
        async def go(request, e, body):
            fn = getattr(self.centre, name)
            args = (e, request.path_params["number"]) + ((body,) if name in ("inform", "issue", "return_documents") else ())
            app = await asyncio.to_thread(fn, *args)
            return JSONResponse(await asyncio.to_thread(self.app_json, app, history=True))
        go.__name__ = name
        return go

    async def papers(self, request, e, _):
        number = request.path_params["number"]
        await asyncio.to_thread(self.centre._get, number)
        found = await asyncio.to_thread(self.centre.store.papers_of, number)
        return JSONResponse({"papers": [self._paper_json(p) for p in found]})

    def _paper_json(self, p: dict) -> dict:
        return {"number": p["number"], "kind": p["kind"], "application": p["application"], "title": p["title"],
                "fields": p["fields"], "createdAt": _iso(p["createdAt"]), "createdBy": p["createdBy"],
                "electronic": p["signedXml"] is not None, "html": f"{self.base_path}/papers/{p['number']}/html"}

    async def _paper(self, number: str) -> dict:
        p = await asyncio.to_thread(self.centre.store.paper, number)
        if p is None:
            raise ConError(404, "PAPER_NOT_FOUND", f"no paper {number}")
        return p

    async def paper(self, request, e, _):
        return JSONResponse(self._paper_json(await self._paper(request.path_params["number"])))

    async def paper_html(self, request, e, _):
        p = await self._paper(request.path_params["number"])
        return HTMLResponse(p["html"].decode() if p["html"] else "")

    async def paper_xml(self, request, e, _):
        p = await self._paper(request.path_params["number"])
        if p["signedXml"] is None:
            raise ConError(404, "NOT_ELECTRONIC", f"paper {p['number']} has no electronic form")
        return Response(p["signedXml"], media_type="application/xml")

    async def transfers(self, request, e, _):
        q = dict(request.query_params)
        if q.get("direction") not in (None, st.INCOMING, st.OUTGOING):
            raise ConError(400, "BAD_PARAMETER", "direction must be INCOMING or OUTGOING", field="direction")
        found = await asyncio.to_thread(self.centre.store.transfers, direction=q.get("direction"), status=q.get("status"))
        return JSONResponse({"transfers": [self._transfer_json(t) for t in found]})

    @staticmethod
    def _transfer_json(t: dict) -> dict:
        out = {k: v for k, v in t.items() if k != "payload"}
        for k in ("createdAt", "sentAt", "acceptedAt"):
            out[k] = _iso(out[k])
        return out

    async def transfer(self, request, e, _):
        t = await asyncio.to_thread(self.centre.store.transfer, request.path_params["number"])
        if t is None:
            raise ConError(404, "TRANSFER_NOT_FOUND", f"no реестр {request.path_params['number']}")
        return JSONResponse(self._transfer_json(t))

    async def make_transfer(self, request, e, body):
        apps, number = await asyncio.to_thread(self.centre.make_transfer, e, body["applications"])
        delivery = await self.sender.send(number)
        return JSONResponse({"applications": [self.app_json(a) for a in apps], "transfer": delivery}, status_code=201)

    async def accept_transfer(self, request, e, _):
        apps = await asyncio.to_thread(self.centre.accept_transfer, e, request.path_params["number"])
        return JSONResponse({"applications": [self.app_json(a) for a in apps]})

    async def send_transfer(self, request, e, _):
        t = await asyncio.to_thread(self.centre.store.transfer, request.path_params["number"])
        if t is None or t["direction"] != st.OUTGOING:
            raise ConError(404, "TRANSFER_NOT_FOUND", f"no outgoing реестр {request.path_params['number']}")
        return JSONResponse(await self.sender.send(t["number"]))

    def routes(self) -> list[BaseRoute]:
        e = self.endpoint
        routes: list[BaseRoute] = [
            Route("/openapi.json", e(self.openapi_doc, auth=False), methods=["GET"]),
            Route("/services", e(self.services, auth=False), methods=["GET"]),
            Route("/session", e(self.login, auth=False, body="login"), methods=["POST"]),
            Route("/session", e(self.me), methods=["GET"]),
            Route("/session", e(self.logout), methods=["DELETE"]),
            Route("/queue", e(self.queue), methods=["GET"]),
            Route("/queue/tickets", e(self.take_ticket, auth=False, body="ticket"), methods=["POST"]),
            Route("/queue/call", e(self.call_next, body="call"), methods=["POST"]),
            Route("/applications", e(self.applications), methods=["GET"]),
            Route("/applications", e(self.submit, body="application"), methods=["POST"]),
            Route("/applications/{number}", e(self.application), methods=["GET"]),
            Route("/applications/{number}/accept", e(self.act("accept"), body="empty"), methods=["POST"]),
            Route("/applications/{number}/handover", e(self.act("handover"), body="empty"), methods=["POST"]),
            Route("/applications/{number}/inform", e(self.act("inform"), body="inform"), methods=["POST"]),
            Route("/applications/{number}/issue", e(self.act("issue"), body="issue"), methods=["POST"]),
            Route("/applications/{number}/return-documents", e(self.act("return_documents"), body="returnDocuments"),
                  methods=["POST"]),
            Route("/applications/{number}/papers", e(self.papers), methods=["GET"]),
            Route("/papers/{number}", e(self.paper), methods=["GET"]),
            Route("/papers/{number}/html", e(self.paper_html), methods=["GET"]),
            Route("/papers/{number}/xml", e(self.paper_xml), methods=["GET"]),
            Route("/transfers", e(self.transfers), methods=["GET"]),
            Route("/transfers", e(self.make_transfer, body="transfer"), methods=["POST"]),
            Route("/transfers/{number}", e(self.transfer), methods=["GET"]),
            Route("/transfers/{number}/accept", e(self.accept_transfer, body="empty"), methods=["POST"]),
            Route("/transfers/{number}/send", e(self.send_transfer, body="empty"), methods=["POST"]),
        ]
        return with_fallback(routes)
