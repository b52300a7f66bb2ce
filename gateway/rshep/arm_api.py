"""The АРМ's HTTP API (JSON, mounted at /arm): sign-in, the inbox, the chain's actions, the
history, the signed result and the outbox.

Bodies are validated against the schemas of openapi.py (a 422 names the field); errors are the
shared body and statuses of egov_sim.core.json_api; staff are authenticated with the bearer
tokens of egov_sim.core.auth (realm "arm"); the rules of who may do what live in arm_actions.py.
After an action commits, its messages to the origin are delivered through ШЭП, and the answer
says how that went.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import Account, Accounts, bearer_token
from egov_sim.core.clock import ALMATY
from egov_sim.core.json_api import (
    DEFAULT_MAX_BODY,
    check_params,
    choice_param,
    endpoint,
    int_param,
    read_json,
    unauthenticated,
    with_fallback,
)
from egov_sim.reference.catalogue import PROVIDERS, ROUTES, SERVICES
from egov_sim.reference.terms import service_terms

from . import chain
from .arm_actions import ArmActions, NotFound
from .arm_store import ArmRequest, ArmStore
from .delivery import Deliverer
from .openapi import body_schemas, openapi_document
from .staff import STAFF, ensure_account

log = logging.getLogger("egov_sim.arm")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(ALMATY).isoformat(timespec="seconds") if value is not None else None


class ArmApi:
    def __init__(self, store: ArmStore, accounts: Accounts, actions: ArmActions, deliverer: Deliverer,
                 *, max_body: int = DEFAULT_MAX_BODY):
        self.store, self.accounts, self.actions, self.deliverer = store, accounts, actions, deliverer
        self.max_body = max_body

    # --- views ---------------------------------------------------------------------------------

    def request_json(self, req: ArmRequest) -> dict:
        office, svc = PROVIDERS[req.provider], SERVICES[req.service_code]
        next_actions = [s.action for s in chain.STEPS.values() if req.state in s.from_states
                        and not (s.action == "extend" and not self.actions.can_extend(req))]
        return {
            "id": req.id, "provider": req.provider, "providerName": office.name_ru,
            "serviceCode": req.service_code, "serviceName": svc.name_ru, "seed": svc.seed,
            "channel": req.channel, "origin": req.origin_sender, "routeId": req.route_id,
            "shepMessageId": req.shep_message_id, "requestId": req.request_id,
            "applicant": {"iin": req.applicant_iin, "name": req.applicant_name},
            "receivedAt": _iso(req.received_at), "state": req.state,
            "registrationNumber": req.registration_number, "registeredAt": _iso(req.registered_at),
            "dueDate": req.due_date.isoformat() if req.due_date else None, "dueAt": _iso(req.due_at),
            "term": _result_term(req), "terms": req.terms, "termExtended": req.term_extended,
            "executor": req.executor, "draft": req.draft, "journalNumber": req.journal_number,
            "journalAt": _iso(req.journal_at), "signedBy": req.signed_by, "completedAt": _iso(req.completed_at),
            "resultAvailable": req.result_xml is not None, "checks": req.checks, "nextActions": next_actions,
        }

    def account_json(self, account: Account) -> dict:
        member = STAFF.get(account.login)
        office = PROVIDERS.get(account.owner or "")
        return {"login": account.login, "roles": list(account.roles), "provider": account.owner,
                "providerName": office.name_ru if office else None,
                "fullName": member.full_name if member else None, "iin": member.iin if member else None,
                "position": member.position_ru if member else None,
                "inboxes": self.actions.visible_providers(account)}

    def outbox_json(self, request_id: int) -> list[dict]:
        return [{"outboxId": m.id, "kind": m.kind, "status": m.status, "state": m.state, "error": m.last_error,
                 "serviceId": m.service_id, "attempts": m.attempts, "shepMessageId": m.shep_message_id}
                for m in self.store.outbox(request_id)]

    # --- plumbing ------------------------------------------------------------------------------

    def _account(self, request: Request) -> Account | None:
        return self.accounts.session(bearer_token(request.headers.get("authorization")))

    async def _body(self, request: Request, schema: str, *, required: bool = False) -> Any:
        """The JSON body checked against the schema ``schema``; an absent optional body is {}."""
        return body_schemas().check(schema, await read_json(request, limit=self.max_body,
                                                            required=required))

    def public(self, handler: Callable[[Request], Awaitable[Response]]):
        return endpoint(handler, system="АРМ РШЭП", log=log)

    def secured(self, handler: Callable[[Request, Account], Awaitable[Response]]):
        async def run(request: Request) -> Response:
            account = self._account(request)
            if account is None:
                raise unauthenticated("sign in first (POST /arm/session); the session may have expired")
            return await handler(request, account)

        run.__name__ = handler.__name__
        return endpoint(run, system="АРМ РШЭП", log=log)

    async def _deliver(self, req: ArmRequest) -> list[dict]:
        await self.deliverer.deliver(req.id)
        return self.outbox_json(req.id)

    async def _done(self, req: ArmRequest, status: int = 200) -> JSONResponse:
        deliveries = await self._deliver(req)
        return JSONResponse({"request": self.request_json(self.store.get(req.id)), "deliveries": deliveries},
                            status_code=status)

    # --- handlers ------------------------------------------------------------------------------

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document(request.scope.get("root_path", "") or "/arm"))

    async def catalogue(self, request: Request) -> Response:
        return JSONResponse({
            "services": [{"code": s.code, "seed": s.seed, "nameRu": s.name_ru, "nameKz": s.name_kz,
                          "routeId": s.route_id, "providers": list(s.providers), "channels": list(s.channels),
                          "resultKind": s.result_kind, "terms": service_terms(s),
                          "portalEligibility": s.portal_eligibility,
                          "documents": [{"code": d.code, "nameRu": d.name_ru, "required": d.required,
                                         "channels": list(d.channels)} for d in s.documents],
                          "form": [{"name": f.name, "labelRu": f.label_ru, "type": f.type, "required": f.required,
                                    "choices": list(f.choices)} for f in s.form]}
                         for s in SERVICES.values()],
            "providers": [{"code": o.code, "nameRu": o.name_ru, "nameKz": o.name_kz, "bin": o.bin,
                           "region": o.region, "routeId": o.route_id, "kind": o.kind, "parent": o.parent,
                           "workingHours": o.working_hours} for o in PROVIDERS.values()],
            "routes": dict(ROUTES)})

    async def login(self, request: Request) -> Response:
        body = await self._body(request, "LoginRequest", required=True)
        ensure_account(self.accounts, body["login"])
        session = self.accounts.login(body["login"], body["password"])
        return JSONResponse({"token": session.token, "expiresAt": _iso(session.expires_at),
                             "account": self.account_json(session.account)})

    async def logout(self, request: Request, account: Account) -> Response:
        self.accounts.logout(bearer_token(request.headers.get("authorization")))
        return Response(status_code=204)

    async def me(self, request: Request, account: Account) -> Response:
        return JSONResponse(self.account_json(account))

    async def list_requests(self, request: Request, account: Account) -> Response:
        check_params(request, {"state", "limit", "offset"})
        state = choice_param(request, "state", chain.STATES)
        limit = int_param(request, "limit", 100, low=1, high=500)
        offset = int_param(request, "offset", 0, low=0)
        found = self.store.list(self.actions.visible_providers(account), state=state, limit=limit, offset=offset)
        return JSONResponse({"requests": [self.request_json(r) for r in found]})

    async def intake(self, request: Request, account: Account) -> Response:
        body = await self._body(request, "IntakeRequest", required=True)
        return await self._done(self.actions.intake(account, body), status=201)

    async def get_request(self, request: Request, account: Account) -> Response:
        return JSONResponse(self.request_json(self.actions.find(account, request.path_params["id"])))

    async def history(self, request: Request, account: Account) -> Response:
        req = self.actions.find(account, request.path_params["id"])
        entries: list[dict[str, Any]] = []
        previous = None
        for e in self.store.history(req.id):
            step = chain.STEPS.get(e.action)
            entries.append({"action": e.action, "actor": e.actor, "role": e.role, "at": _iso(e.at),
                            "fromState": e.from_state, "toState": e.to_state,
                            "elapsedSeconds": (e.at - previous).total_seconds() if previous else None,
                            "norm": chain.norm(self.actions.procedure(req), e.action,
                                               extended=req.term_extended,
                                               options=self.actions.options.term_options),
                            "source": step.source if step else None, "detail": e.detail})
            previous = e.at
        return JSONResponse({"requestId": req.id, "dueDate": req.due_date.isoformat() if req.due_date else None,
                             "entries": entries})

    async def result(self, request: Request, account: Account) -> Response:
        req = self.actions.find(account, request.path_params["id"])
        if req.result_xml is None:
            raise NotFound(f"request {req.id} has no signed result yet (state {req.state})")
        return Response(req.result_xml, media_type="application/xml")

    async def outbox(self, request: Request, account: Account) -> Response:
        req = self.actions.find(account, request.path_params["id"])
        return JSONResponse({"messages": self.outbox_json(req.id)})

    async def deliver(self, request: Request, account: Account) -> Response:
        await self._body(request, "EmptyBody")
        return await self._done(self.actions.find(account, request.path_params["id"]))

    ACTION_BODIES = {"assign": "AssignRequest", "extend": "ExtendRequest", "draft": "DraftRequest"}

    def action(self, name: str):
        schema = self.ACTION_BODIES.get(name, "EmptyBody")

        async def handler(request: Request, account: Account) -> Response:
            body = await self._body(request, schema)
            rid = request.path_params["id"]
            if name == "assign":
                req = self.actions.assign(account, rid, body["executor"])
            elif name == "extend":
                req = self.actions.extend(account, rid, body["reason"], body.get("missingDocuments"))
            elif name == "draft":
                req = self.actions.draft(account, rid, body)
            else:
                req = getattr(self.actions, name)(account, rid)
            return await self._done(req)
        return handler

    def routes(self) -> list[BaseRoute]:
        s, p = self.secured, self.public
        routes: list[BaseRoute] = [
            Route("/openapi.json", p(self.openapi), methods=["GET"]),
            Route("/catalogue", p(self.catalogue), methods=["GET"]),
            Route("/session", p(self.login), methods=["POST"]),
            Route("/session", s(self.logout), methods=["DELETE"]),
            Route("/me", s(self.me), methods=["GET"]),
            Route("/requests", s(self.list_requests), methods=["GET"]),
            Route("/requests", s(self.intake), methods=["POST"]),
            Route("/requests/{id:int}", s(self.get_request), methods=["GET"]),
            Route("/requests/{id:int}/history", s(self.history), methods=["GET"]),
            Route("/requests/{id:int}/result", s(self.result), methods=["GET"]),
            Route("/requests/{id:int}/outbox", s(self.outbox), methods=["GET"]),
            Route("/requests/{id:int}/deliver", s(self.deliver), methods=["POST"]),
        ]
        for name in ("register", "assign", "review", "extend", "draft", "sign", "issue"):
            routes.append(Route(f"/requests/{{id:int}}/{name}", s(self.action(name)), methods=["POST"]))
        return with_fallback(routes)



def _result_term(req) -> dict | None:
    """The result's term among the request's terms (the one its due date is), or None before
    registration."""
    if req.due_at is None:
        return None
    return next((t for t in req.terms if t.get("result")), None)
