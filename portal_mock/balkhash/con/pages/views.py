"""Handlers of the 2012 ЦОН's desk. Employees sign in with their centre accounts (realm
``balkhash_con``, the API's); every act goes through :class:`Centre` (the role, the status, the
centre's hours), and a реестр it makes is sent to the department through ШЭП afterwards, as the
API does. Forms become the API's bodies and are checked against its published schema first.
The centre is one office: its employees see its applications, nobody else's pages reach them."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.web import Messages, PageError, Pages, Site
from egov_sim.core.web.i18n import COMMON
from egov_sim.core.web.rendering import field
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference.balkhash_services import CON

from .. import openapi
from .. import store as st
from ..centre import ConError
from ..staff import STAFF, Employee, ensure_account
from .messages import MESSAGES

BASE_PATH = "/web/balkhash/con"
COOKIE = "egov_blh_con"
PAGE_SIZE = 100
ACTS = {"accept": "empty", "handover": "empty", "inform": "inform", "issue": "issue",
        "return-documents": "returnDocuments"}
"""The application's acts and the API's schema of each body."""


def _check(schema: str, body: dict) -> dict:
    problem = openapi.first_error(schema, body)
    if problem is not None:
        raise ConError(422, "INVALID_FORM", f"{problem[0]}: {problem[1]}", field=problem[0])
    return body


def _problem(exc: ConError) -> str:
    return exc.message + (f" ({exc.field})" if exc.field else "") + f" [{exc.code}]"


def _drop(body: dict) -> dict:
    return {k: v for k, v in body.items() if v not in ("", None)}


def _documents(service: bs.BalkhashService | None) -> list:
    seen: dict[str, Any] = {}
    for d in service.documents if service else ():
        seen.setdefault(d.code, d)
    return list(seen.values())


class CentrePages:
    def __init__(self, system, site: Site, *, base_path: str = BASE_PATH):
        self.system, self.centre = system, system.centre
        self.pages = Pages(site, package=__package__, messages=Messages(COMMON, MESSAGES), base_path=base_path,
                           brand_key="con_brand", session_cookie=COOKIE)

    async def employee(self, request: Request) -> Employee | None:
        token = self.pages.session_token(request)
        if not token:
            return None
        account = await asyncio.to_thread(self.system.accounts.session, token)
        return STAFF.get(account.login) if account else None

    def _render(self, request: Request, template: str, e: Employee | None, **context: Any) -> HTMLResponse:
        return self.pages.render(request, template, user_label=f"{e.full_name} ({e.login})" if e else None,
                                 employee=e, logout_url=self.pages.url("/logout") if e else None,
                                 services=bs.SERVICES, category_names=bs.CATEGORY_NAMES_RU, flags=bs.FLAGS, **context)

    # --- session ------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return self._render(request, "blhcon/login.html", None, login="", problem=None)
        accounts = self.system.accounts
        return await self.pages.sign_in(request, accounts, lambda login, problem, status: self._render(
            request, "blhcon/login.html", None, login=login, problem=problem, status=status), seed=ensure_account)

    async def logout(self, request: Request) -> Response:
        return await self.pages.sign_out(request, self.system.accounts)

    # --- the hall -----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        status = request.query_params.get("status") or None
        if status not in (None, *st.STATUSES):
            status = None

        def load():
            return (list(reversed(self.centre.store.list(status=status, limit=PAGE_SIZE, offset=0))),
                    self.centre.queue())

        items, queue = await asyncio.to_thread(load)
        return self._render(request, "blhcon/home.html", e, items=items, queue=queue, status_filter=status,
                            statuses=st.STATUSES, called=request.query_params.get("called"),
                            problem=request.query_params.get("problem"))

    async def call(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        form, _ = await self.pages.form(request)
        try:
            ticket = await asyncio.to_thread(self.centre.call_next, e, _check("call", _drop({"purpose": field(form, "purpose")})))
        except ConError as exc:
            return self.pages.redirect("/", problem=_problem(exc))
        return self.pages.redirect("/", called=ticket.get("number"))

    # --- acceptance ---------------------------------------------------------------------------

    async def new(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        offered = [s for s in bs.SERVICES.values() if CON in s.channels]
        if request.method == "GET":
            chosen = request.query_params.get("service") or ""
            service = next((s for s in offered if str(s.number) == chosen), None)
            return self._render(request, "blhcon/new.html", e, offered=offered, service=service,
                                documents=_documents(service), values={}, problem=None)
        form, _ = await self.pages.form(request)
        service = next((s for s in offered if str(s.number) == field(form, "service")), None)
        if service is None:
            raise PageError(422, "choose")
        values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        body: dict[str, Any] = {
            "service": service.number, "category": field(form, "category") or bs.CITIZEN,
            "applicant": _drop({"iin": field(form, "applicant_iin"), "surname": field(form, "applicant_surname"),
                                "name": field(form, "applicant_name"), "patronymic": field(form, "applicant_patronymic"),
                                "phone": field(form, "applicant_phone")}),
            "documents": [d.code for d in _documents(service) if field(form, f"present-{d.code}")],
            "flags": [f for f in bs.FLAGS if field(form, f"flag-{f}")]}
        if service.subtypes:
            body["subtype"] = field(form, "subtype") or None
        for name, key in (("ticket", "ticket"), ("subject_iin", "subjectIin")):
            if field(form, name):
                body[key] = field(form, name)
        if field(form, "rep_full_name"):
            body["representative"] = _drop({"fullName": field(form, "rep_full_name"), "iin": field(form, "rep_iin"),
                                            "phone": field(form, "rep_phone"), "poaNumber": field(form, "rep_poa")})
        try:
            app = await asyncio.to_thread(self.centre.submit, e, _check("application", body))
        except ConError as exc:
            return self._render(request, "blhcon/new.html", e, offered=offered, service=service,
                                documents=_documents(service), values=values, problem=_problem(exc),
                                status=exc.status if exc.status >= 400 else 422)
        return self.pages.redirect(f"/applications/{app.number}")

    # --- one application ----------------------------------------------------------------------

    async def application(self, request: Request, *, problem: str | None = None, status: int = 200,
                          e: Employee | None = None) -> Response:
        e = e or await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        number = request.path_params["number"]

        def load():
            app = self.centre.store.get(number)
            if app is None:
                return None, [], []
            return app, self.centre.store.papers_of(number), self.centre.store.history(number)

        app, papers, history = await asyncio.to_thread(load)
        if app is None:
            raise PageError(404, "not_found")
        service = bs.service(app.service)
        return self._render(request, "blhcon/application.html", e, app=app, service=service, papers=papers,
                            history=history, acts=_acts_for(app), doc_names={d.code: d.name_ru for d in _documents(service)},
                            problem=problem, status=status)

    async def act(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        form, _ = await self.pages.form(request)
        number, act = request.path_params["number"], request.path_params["act"]
        if act not in ACTS:
            raise PageError(404, "error_not_found")
        body = {"inform": lambda: {"method": field(form, "method")},
                "issue": lambda: _drop({"receiptNumber": field(form, "receipt_number"),
                                        "receivedBy": field(form, "received_by"), "ticket": field(form, "ticket")}),
                "return-documents": lambda: _drop({"receivedBy": field(form, "received_by")})}.get(act, dict)()
        fn = getattr(self.centre, act.replace("-", "_"))
        try:
            args = (e, number) + ((_check(ACTS[act], body),) if act in ("inform", "issue", "return-documents") else ())
            await asyncio.to_thread(fn, *args)
        except ConError as exc:
            if exc.status == 404:
                raise PageError(404, "not_found") from None
            return await self.application(request, problem=_problem(exc), status=exc.status, e=e)
        return self.pages.redirect(f"/applications/{number}")

    async def paper(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        p = await asyncio.to_thread(self.centre.store.paper, request.path_params["number"])
        if p is None:
            raise PageError(404, "error_not_found")
        return HTMLResponse(p["html"].decode() if p["html"] else "", headers={
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"})

    # --- реестры ------------------------------------------------------------------------------

    async def transfers(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")

        def load():
            return (self.centre.store.transfers(limit=PAGE_SIZE),
                    self.centre.store.list(status=st.IN_ACCUMULATION, limit=PAGE_SIZE, offset=0))

        items, waiting = await asyncio.to_thread(load)
        return self._render(request, "blhcon/transfers.html", e, items=items, waiting=waiting,
                            problem=request.query_params.get("problem"))

    async def make_transfer(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        form, _ = await self.pages.form(request)
        numbers = [n for n in form.getlist("applications") if isinstance(n, str) and n]
        try:
            _, number = await asyncio.to_thread(self.centre.make_transfer, e, _check("transfer", {"applications": numbers})["applications"])
        except ConError as exc:
            return self.pages.redirect("/transfers", problem=_problem(exc))
        await self.system.sender.send(number)  # after the commit; a ШЭП outage leaves it to be resent
        return self.pages.redirect("/transfers")

    async def accept_transfer(self, request: Request) -> Response:
        e = await self.employee(request)
        if e is None:
            return self.pages.redirect("/login")
        await self.pages.form(request)
        try:
            await asyncio.to_thread(self.centre.accept_transfer, e, request.path_params["number"])
        except ConError as exc:
            return self.pages.redirect("/transfers", problem=_problem(exc))
        return self.pages.redirect("/transfers")

    async def _not_found(self, request: Request) -> Response:
        raise PageError(404, "error_not_found")

    def routes(self) -> list[BaseRoute]:
        p = self.pages.page
        return [
            Route("/", p(self.home), methods=["GET"]),
            Route("/login", p(self.login), methods=["GET", "POST"]),
            Route("/logout", p(self.logout), methods=["POST"]),
            Route("/queue/call", p(self.call), methods=["POST"]),
            Route("/new", p(self.new), methods=["GET", "POST"]),
            Route("/applications/{number}", p(self.application), methods=["GET"]),
            Route("/applications/{number}/{act}", p(self.act), methods=["POST"]),
            Route("/papers/{number}", p(self.paper), methods=["GET"]),
            Route("/transfers", p(self.transfers), methods=["GET"]),
            Route("/transfers", p(self.make_transfer), methods=["POST"]),
            Route("/transfers/{number}/accept", p(self.accept_transfer), methods=["POST"]),
            Route("/{rest:path}", p(self._not_found), methods=["GET", "POST"]),
        ]


def _acts_for(app: st.Application) -> list[str]:
    """The acts the application's status allows at all (who may: centre.py)."""
    return {st.CONSULTED: ["accept"], st.ACCEPTED: ["handover"], st.RETURNED: ["inform", "return-documents"],
            st.INFORMED: ["return-documents"],
            st.AT_ISSUING: ["issue"] + (["inform"] if app.outcome == "refusal" and not app.informed_at else []),
            }.get(app.status, [])


def routes(system, site: Site, *, base_path: str = BASE_PATH) -> list[BaseRoute]:
    """The desk's pages, relative: mount them at ``base_path``."""
    return CentrePages(system, site, base_path=base_path).routes()
