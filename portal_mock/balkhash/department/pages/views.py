"""Handlers of the department's workstation. Staff sign in with their accounts of the department
(realm ``balkhash_uo``, the same as the JSON API's); every case page goes through
:meth:`Department.find`, so a case outside the member's office or unit is "not found", and
every action through :class:`Department` (role, unit, executor, the chain's next step), after
which a реестр it made is sent to the ЦОН through ШЭП, as the API does.

A form is turned into the body the API takes and checked against the same published schema
(openapi.py) before the operation runs; the rules themselves live in actions.py only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.adapters.social import RegisterError
from egov_sim.core.clock import ALMATY
from egov_sim.core.errors import InputError
from egov_sim.core.web import Messages, PageError, Pages, Site
from egov_sim.core.web.i18n import COMMON
from egov_sim.core.web.rendering import field
from egov_sim.reference import balkhash_services as bs

from .. import cases_store as cs
from .. import chains, openapi
from .. import documents as docs
from ..api import DepartmentApi
from ..cases_store import Case
from ..errors import DeptError
from ..staff import AKIM, OFFICER, OFFICES, STAFF, UNITS, StaffMember, ensure_account
from .messages import MESSAGES

BASE_PATH = "/web/balkhash/uo"
COOKIE = "egov_blh_uo"
PAGE_SIZE = 100
SIDE_ACTIONS = ("return", "suspend", "resume", "archive")
VERB_KEYS = frozenset(k for k in MESSAGES if k.startswith("verb_"))


class FormProblem(DeptError):
    """A form the page cannot turn into the operation's body (shown on the page)."""

    status, code = 422, "INVALID_FORM"


def _check(schema: str, body: dict) -> dict:
    """The API's own schema check of the body the form made."""
    problem = openapi.first_error(schema, body)
    if problem is not None:
        raise FormProblem(f"{problem[0]}: {problem[1]}", field=problem[0])
    return body


def _problem(exc: Exception) -> str:
    if isinstance(exc, DeptError):
        return f"{exc.message}" + (f" ({exc.field})" if exc.field else "") + f" [{exc.code}]"
    code = getattr(exc, "code", None)
    return f"{exc}" + (f" [{code}]" if code else "")


class DepartmentPages:
    def __init__(self, system, site: Site, *, base_path: str = BASE_PATH):
        self.system = system
        self.department = system.department
        self.api: DepartmentApi = system.api
        self.pages = Pages(site, package=__package__, messages=Messages(COMMON, MESSAGES), base_path=base_path,
                           brand_key="blh_brand", session_cookie=COOKIE)

    # --- who is here --------------------------------------------------------------------------

    async def member(self, request: Request) -> StaffMember | None:
        token = self.pages.session_token(request)
        if not token:
            return None
        account = await asyncio.to_thread(self.system.accounts.session, token)
        return STAFF.get(account.login) if account else None

    def _render(self, request: Request, template: str, member: StaffMember | None, **context: Any) -> HTMLResponse:
        label = f"{member.full_name} ({member.login})" if member else None
        return self.pages.render(request, template, user_label=label, member=member,
                                 office=OFFICES[member.office] if member else None,
                                 unit_name=UNITS[member.unit] if member else None,
                                 logout_url=self.pages.url("/logout") if member else None,
                                 services=bs.SERVICES, known_verbs=VERB_KEYS, category_names=bs.CATEGORY_NAMES_RU,
                                 flags=bs.FLAGS, **context)

    async def _find(self, member: StaffMember, number: str) -> Case:
        try:
            return await asyncio.to_thread(self.department.find, member, number)
        except DeptError:
            raise PageError(404, "not_found") from None

    def today(self) -> dt.date:
        return self.api.clock().astimezone(ALMATY).date()

    # --- session ------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return self._render(request, "blh/login.html", None, login="", problem=None)
        accounts = self.system.accounts
        return await self.pages.sign_in(request, accounts, lambda login, problem, status: self._render(
            request, "blh/login.html", None, login=login, problem=problem, status=status), seed=ensure_account)

    async def logout(self, request: Request) -> Response:
        return await self.pages.sign_out(request, self.system.accounts)

    # --- lists --------------------------------------------------------------------------------

    async def inbox(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        state = request.query_params.get("state") or None
        if state not in (None, *cs.STATES):
            state = None
        dep = self.department

        def load():
            where, params = dep.visibility_sql(member)
            if state:
                where, params = where + " AND state = ?", [*params, state]
            found = dep.store.list(where=where, params=params, limit=10_000, offset=0)
            rows = [(c, dep.next_step(c), dep.awaiting(member, c)) for c in reversed(found)]
            return [r for r in rows if r[2]], rows[:PAGE_SIZE]

        mine, everything = await asyncio.to_thread(load)
        return self._render(request, "blh/inbox.html", member, mine=mine, everything=everything, state=state,
                            states=cs.STATES, today=self.today().isoformat())

    async def journal(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        dep = self.department

        def load():
            where, params = dep.visibility_sql(member)
            where += " AND (journal_number IS NOT NULL OR akim_journal_number IS NOT NULL)"
            return dep.store.list(where=where, params=params, limit=PAGE_SIZE, offset=0)

        items = await asyncio.to_thread(load)
        return self._render(request, "blh/journal.html", member, items=items)

    async def transfers(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        if member.office not in (OFFICES["BLH_UO"].code,):
            raise PageError(403, "error_forbidden", "the реестры of the ЦОН are the department's")
        items = await asyncio.to_thread(self.department.store.transfers, limit=PAGE_SIZE, offset=0)
        return self._render(request, "blh/transfers.html", member, items=items,
                            problem=request.query_params.get("problem"))

    async def receive_transfer(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        await self.pages.form(request)
        try:
            created = await asyncio.to_thread(self.department.receive_transfer, member, request.path_params["number"])
        except DeptError as exc:
            return self.pages.redirect("/transfers", problem=_problem(exc))
        return self.pages.redirect(f"/cases/{created[0].number}" if len(created) == 1 else "/")

    # --- one case -----------------------------------------------------------------------------

    async def case_page(self, request: Request, *, problem: str | None = None, status: int = 200,
                        member: StaffMember | None = None) -> Response:
        member = member or await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        case = await self._find(member, request.path_params["number"])
        dep = self.department

        def load():
            return (dep.store.history(case.number), dep.store.documents_of(case.number), dep.assess(case))

        history, documents, assessment = await asyncio.to_thread(load)
        service = bs.service(case.service)
        steps = dep.chain_of(case)
        nxt = dep.next_step(case)
        awaiting = dep.awaiting(member, case)
        executors = [m for m in STAFF.values() if m.role == OFFICER and m.unit == service.unit]
        return self._render(
            request, "blh/case.html", member, case=case, service=service, steps=steps, next_step=nxt,
            awaiting=awaiting, history=history, documents=documents, assessment=assessment, executors=executors,
            refusal_grounds=service.grounds_of(bs.GroundKind.REFUSAL),
            suspension_grounds=service.grounds_of(bs.GroundKind.SUSPENSION),
            doc_names={d.code: d.name_ru for d in _documents(service)}, side=self._side_actions(case), overdue=case.state == cs.IN_PROGRESS and self.today() > dt.date.fromisoformat(case.due_on),
            draft=case.work.get("draft"), problem=problem or request.query_params.get("problem"), status=status)

    @staticmethod
    def _side_actions(case: Case) -> list[str]:
        """The side actions the case's service and state allow at all (who may: actions.py)."""
        out = []
        if case.channel == bs.CON and case.service in chains.RETURNABLE_SERVICES and case.state == cs.IN_PROGRESS:
            out.append("return")
        if case.service in chains.SUSPENDABLE_SERVICES:
            out.append("suspend" if case.state == cs.IN_PROGRESS else "resume" if case.state == cs.SUSPENDED else "")
        if case.state in (cs.COMPLETED, cs.RETURNED, cs.REFUSED_AT_INTAKE):
            out.append("archive")
        return [a for a in out if a]

    async def document(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        number = request.path_params["doc"]
        d = await asyncio.to_thread(self.department.store.document, number)
        if d is None or d.case_number is None:
            raise PageError(404, "error_not_found")
        await self._find(member, d.case_number)  # not yours: not found
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                   "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"}
        if request.path_params.get("fmt") == "xml":
            if d.signed_xml is None:
                raise PageError(404, "error_not_found", f"document {number} is paper only")
            return Response(d.signed_xml, media_type="application/xml", headers={
                **headers, "Content-Disposition": f'attachment; filename="{number}.xml"'})
        return HTMLResponse(docs.render_html(d.number, d.fields), headers=headers)

    async def act(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        form, _ = await self.pages.form(request)
        number, verb = request.path_params["number"], request.path_params["verb"]
        if verb not in (*chains.VERBS, *SIDE_ACTIONS) or verb == "accept":
            raise PageError(404, "error_not_found")
        dep = self.department
        transfer = None
        try:
            if verb == "return":
                body = _check("return", {"reasons": [r for r in field(form, "reasons").splitlines() if r.strip()]})
                _, transfer = await asyncio.to_thread(dep.return_case, member, number, body)
            elif verb in ("suspend", "resume"):
                body = ({"ground": field(form, "ground"), "reasonText": field(form, "reason_text")} if verb == "suspend"
                        else _drop({"note": field(form, "note")}))
                await asyncio.to_thread(getattr(dep, verb), member, number, _check(verb, body))
            elif verb == "archive":
                await asyncio.to_thread(dep.archive, member, number)
            elif verb == "dispatch":  # the result to the ЦОН by реестр (one case; the API takes several)
                _, transfer = await asyncio.to_thread(dep.dispatch, member, [number])
            else:
                body = _check(f"step:{verb}", _step_body(verb, form))
                await asyncio.to_thread(dep.act, member, number, verb, body)
        except (DeptError, RegisterError, InputError) as exc:
            if getattr(exc, "status", None) == 404:
                raise PageError(404, "not_found") from None
            return await self.case_page(request, problem=_problem(exc), status=getattr(exc, "status", 422) or 422,
                                        member=member)
        if transfer is not None:  # after the commit, as the API: a ШЭП outage leaves it PENDING, retried
            await self.system.sender.send(transfer)
        return self.pages.redirect(f"/cases/{number}")

    # --- intake at the УО or the akim ---------------------------------------------------------

    def _offered(self, member: StaffMember) -> tuple[str, list[bs.BalkhashService]]:
        channel = bs.AKIM if member.role == AKIM else bs.UO
        dep = self.department
        offered = [s for s in bs.SERVICES.values() if channel in s.channels
                   and dep.can(member, chains.chain(s.number, channel, dep.readings)[0].role, None, s.number, "accept")]
        return channel, offered

    async def intake(self, request: Request) -> Response:
        member = await self.member(request)
        if member is None:
            return self.pages.redirect("/login")
        channel, offered = self._offered(member)
        if request.method == "GET":
            chosen = request.query_params.get("service") or ""
            service = next((s for s in offered if str(s.number) == chosen), None)
            return self._render(request, "blh/intake.html", member, offered=offered, service=service, channel=channel,
                                documents=_documents(service), values={}, problem=None)
        form, _ = await self.pages.form(request)
        service = next((s for s in offered if str(s.number) == field(form, "service")), None)
        if service is None:
            raise PageError(422, "choose")
        values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        body: dict[str, Any] = {"service": service.number, "applicant": _drop({"iin": field(form, "applicant_iin"),
                                                                                "phone": field(form, "applicant_phone")}),
                                "category": field(form, "category") or bs.CITIZEN,
                                "documents": [d.code for d in _documents(service) if field(form, f"present-{d.code}")],
                                "flags": [f for f in bs.FLAGS if field(form, f"flag-{f}")]}
        if service.subtypes:
            body["subtype"] = field(form, "subtype") or None
        if field(form, "subject_iin"):
            body["subjectIin"] = field(form, "subject_iin")
        if field(form, "rep_full_name"):
            body["representative"] = _drop({"fullName": field(form, "rep_full_name"), "iin": field(form, "rep_iin"),
                                            "poaNumber": field(form, "rep_poa")})
        try:
            case = await asyncio.to_thread(self.department.accept, member, _check("intake", body))
        except (DeptError, RegisterError, InputError) as exc:
            return self._render(request, "blh/intake.html", member, offered=offered, service=service, channel=channel,
                                documents=_documents(service), values=values, problem=_problem(exc), status=422)
        return self.pages.redirect(f"/cases/{case.number}")

    async def _not_found(self, request: Request) -> Response:
        raise PageError(404, "error_not_found")

    def routes(self) -> list[BaseRoute]:
        p = self.pages.page
        return [
            Route("/", p(self.inbox), methods=["GET"]),
            Route("/login", p(self.login), methods=["GET", "POST"]),
            Route("/logout", p(self.logout), methods=["POST"]),
            Route("/journal", p(self.journal), methods=["GET"]),
            Route("/transfers", p(self.transfers), methods=["GET"]),
            Route("/transfers/{number}/receive", p(self.receive_transfer), methods=["POST"]),
            Route("/intake", p(self.intake), methods=["GET", "POST"]),
            Route("/cases/{number}", p(self.case_page), methods=["GET"]),
            Route("/cases/{number}/{verb}", p(self.act), methods=["POST"]),
            Route("/documents/{doc}", p(self.document), methods=["GET"]),
            Route("/documents/{doc}/{fmt}", p(self.document), methods=["GET"]),
            Route("/{rest:path}", p(self._not_found), methods=["GET", "POST"]),
        ]


def _documents(service: bs.BalkhashService | None) -> list:
    """The service's documents, each code once (a rule per category or channel may repeat one)."""
    seen: dict[str, Any] = {}
    for d in service.documents if service else ():
        seen.setdefault(d.code, d)
    return list(seen.values())


def _drop(body: dict) -> dict:
    """The body without the fields the form left empty."""
    return {k: v for k, v in body.items() if v not in ("", None)}


def _bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _step_body(verb: str, form) -> dict:
    """A step's form as the API's body (STEP_BODIES in openapi.py)."""
    f = lambda name: field(form, name)  # noqa: E731
    if verb == "resolve":
        return _drop({"executor": f("executor"), "text": f("text")})
    if verb == "commission":
        return _drop({"eligible": _bool(f("eligible")), "protocolNumber": f("protocol_number"), "reason": f("reason")})
    if verb == "survey":
        return _drop({"conclusion": f("conclusion"), "housingConditions": f("housing"), "note": f("note")})
    if verb == "check":
        return _drop({"complete": _bool(f("complete")), "remarks": f("remarks")})
    if verb in ("draft", "decide"):
        grounds = [g for g in form.getlist("grounds") if isinstance(g, str) and g]
        body = _drop({"outcome": f("outcome"), "reasonText": f("reason_text"), "text": f("text"),
                      "amount": f("amount").replace(" ", "").replace(",", ".")})
        if grounds:
            body["grounds"] = grounds
        return body
    if verb == "visa":
        return _drop({"remarks": f("remarks")})
    if verb == "notify":
        return _drop({"method": f("method"), "receivedBy": f("received_by")})
    return {}


def routes(system, site: Site, *, base_path: str = BASE_PATH) -> list[BaseRoute]:
    """The workstation's pages, relative: mount them at ``base_path``."""
    return DepartmentPages(system, site, base_path=base_path).routes()
