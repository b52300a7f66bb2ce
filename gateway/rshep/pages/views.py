"""Handlers of the provider's workstation. Staff sign in with their АРМ accounts; every request
page goes through :meth:`ArmActions.find`, so a request outside the account's inboxes is "not
found", and every action through :class:`ArmActions` (role, provider, state), after which the
messages it queued for the request's origin are delivered through ШЭП, as the API does."""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import Account
from egov_sim.core.safe_xml import parse
from egov_sim.core.web import Messages, PageError, Pages, Site
from egov_sim.core.web.i18n import COMMON
from egov_sim.core.web.rendering import field
from egov_sim.reference.catalogue import PROVIDERS, SERVICES
from egov_sim.reference.iin import is_valid_iin

from .. import chain
from ..arm_actions import ArmError
from ..arm_store import ArmRequest
from ..staff import STAFF, ensure_account
from .messages import MESSAGES

BASE_PATH = "/web/arm"
COOKIE = "egov_arm"
PAGE_SIZE = 100


@dataclass(frozen=True)
class Document:
    number: int
    code: str
    title: str | None
    file_name: str
    media_type: str
    content_b64: str


def read_payload(payload: bytes | None) -> tuple[list[tuple[str, str, str]], list[Document]]:
    """The form fields (name, label, value) and the attached documents of a ServiceRequest as
    it arrived (payload style 1 or 3b: the fields are the root's unqualified children)."""
    if not payload:
        return [], []
    root = parse(payload).getroot()
    fields = [((f.findtext("name") or "").strip(), (f.findtext("label") or "").strip(),
               (f.findtext("value") or "").strip()) for f in root.iterfind("form/field")]
    documents = [Document(i, (a.findtext("documentTypeCode") or "").strip(), (a.findtext("title") or "").strip() or None,
                          (a.findtext("fileName") or "").strip(), (a.findtext("mediaType") or "").strip(),
                          "".join((a.findtext("content") or "").split()))
                 for i, a in enumerate(root.iterfind("attachments/attachment"), 1)]
    return fields, documents


class ArmPages:
    def __init__(self, rshep, site: Site, *, base_path: str = BASE_PATH, package: str | None = None,
                 brand_key: str = "arm_brand", messages: Messages | None = None):
        self.rshep = rshep
        self.pages = Pages(site, package=package or __package__,
                           messages=messages or Messages(COMMON, MESSAGES), base_path=base_path,
                           brand_key=brand_key, session_cookie=COOKIE)

    # --- who is here --------------------------------------------------------------------------

    async def account(self, request: Request) -> Account | None:
        token = self.pages.session_token(request)
        if not token:
            return None
        return await asyncio.to_thread(self.rshep.accounts.session, token)

    def _render(self, request: Request, template: str, account: Account | None, **context: Any) -> Response:
        member = STAFF.get(account.login) if account else None
        label = None
        if account is not None:
            label = f"{member.full_name if member else account.login} ({account.login})"
        return self.pages.render(request, template, user_label=label, account=account, member=member,
                                 logout_url=self.pages.url("/logout") if account else None,
                                 providers=PROVIDERS, services=SERVICES, **context)

    async def _find(self, account: Account, request_id: int) -> ArmRequest:
        try:
            return await asyncio.to_thread(self.rshep.actions.find, account, request_id)
        except ArmError:
            raise PageError(404, "not_found") from None

    # --- session ------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return self._render(request, "arm/login.html", None, login="", problem=None)
        accounts = self.rshep.accounts
        return await self.pages.sign_in(request, accounts, lambda login, problem, status: self._render(
            request, "arm/login.html", None, login=login, problem=problem, status=status), seed=ensure_account)

    async def logout(self, request: Request) -> Response:
        return await self.pages.sign_out(request, self.rshep.accounts)

    # --- the inbox ----------------------------------------------------------------------------

    async def inbox(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        state = request.query_params.get("state") or None
        if state not in (None, *chain.STATES):
            state = None

        def load():
            providers = self.rshep.actions.visible_providers(account)
            items = self.rshep.store.list(providers, state=state, limit=10_000)
            rows = [(r, self.rshep.actions.available(account, r)) for r in reversed(items)]
            return [row for row in rows if row[1]], rows[:PAGE_SIZE]

        mine, everything = await asyncio.to_thread(load)
        return self._render(request, "arm/inbox.html", account, mine=mine, everything=everything,
                            state=state, states=chain.STATES)

    async def journal(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        providers = self.rshep.actions.visible_providers(account)
        items = await asyncio.to_thread(self.rshep.store.journal, providers, limit=PAGE_SIZE)
        return self._render(request, "arm/journal.html", account, items=items)

    # --- one request --------------------------------------------------------------------------

    async def request_page(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        req = await self._find(account, request.path_params["id"])

        def load():
            return (self.rshep.store.history(req.id), self.rshep.store.outbox(req.id),
                    self.rshep.actions.available(account, req), read_payload(req.payload))

        history, outbox, available, (form, documents) = await asyncio.to_thread(load)
        office, service = PROVIDERS[req.provider], SERVICES[req.service_code]
        procedure = self.rshep.actions.procedure(req)
        norms = {e.id: chain.norm(procedure, e.action, extended=req.term_extended,
                                  options=self.rshep.actions.options.term_options) for e in history}
        return self._render(request, "arm/request.html", account, req=req, history=history, outbox=outbox,
                            available=available, form_fields=form, documents=documents, norms=norms,
                            steps=chain.STEPS, executors=self.rshep.actions.executors_of(req.provider),
                            service=service, office=office, problem=request.query_params.get("problem"))

    async def document(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        req = await self._find(account, request.path_params["id"])
        _, documents = await asyncio.to_thread(read_payload, req.payload)
        doc = next((d for d in documents if d.number == request.path_params["n"]), None)
        if doc is None:
            raise PageError(404, "error_not_found")
        try:
            content = base64.b64decode(doc.content_b64, validate=True)
        except (binascii.Error, ValueError):
            raise PageError(422, "error_not_found", "the document's content is not base64") from None
        name = "".join(c for c in (doc.file_name or f"document-{doc.number}") if c.isalnum() or c in "._-") or "document"
        return Response(content, media_type="application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    async def xml(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        req = await self._find(account, request.path_params["id"])
        which = request.path_params["which"]
        content = {"result.xml": req.result_xml, "request.xml": req.payload}.get(which)
        if content is None:
            raise PageError(404, "error_not_found")
        return Response(content, media_type="application/xml", headers={
            "Content-Disposition": f'attachment; filename="{req.id}-{which}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    async def act(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        form, _ = await self.pages.form(request)
        rid, action = request.path_params["id"], request.path_params["action"]
        if action not in chain.STEPS:
            raise PageError(404, "error_not_found")
        actions = self.rshep.actions

        def run():
            if action == "assign":
                return actions.assign(account, rid, field(form, "executor"))
            if action == "extend":
                missing = [v for v in form.getlist("missing") if isinstance(v, str) and v]
                return actions.extend(account, rid, field(form, "reason") or "—", missing or None)
            if action == "draft":
                return actions.draft(account, rid, _draft_body(form))
            return getattr(actions, action)(account, rid)

        try:
            req = await asyncio.to_thread(run)
        except ArmError as exc:
            if exc.status == 404:
                raise PageError(404, "not_found") from None
            return self.pages.redirect(f"/requests/{rid}", problem=str(exc))
        await self.rshep.deliverer.deliver(req.id)
        return self.pages.redirect(f"/requests/{req.id}")

    # --- an application handed in at the office (002 §4, 000 §1.1-1.2) -------------------------

    def _office_services(self, account: Account):
        office = PROVIDERS.get(account.owner or "")
        if office is None or "clerk" not in account.roles:
            raise PageError(403, "error_forbidden", "applications at the office are accepted by a clerk")
        channel = "akim" if office.kind == "rural_akim" else "office"
        return office, channel, [s for s in SERVICES.values() if office.code in s.providers and channel in s.channels]

    async def intake(self, request: Request) -> Response:
        account = await self.account(request)
        if account is None:
            return self.pages.redirect("/login")
        office, channel, services = self._office_services(account)
        if request.method == "GET":
            code = request.query_params.get("service")
            service = next((s for s in services if s.code == code), None)
            return self._render(request, "arm/intake.html", account, office=office, channel=channel,
                                offered=services, service=service, values={}, problem=None)
        form, uploads = await self.pages.form(request)
        service = next((s for s in services if s.code == field(form, "service")), None)
        if service is None:
            raise PageError(422, "choose")
        values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        applicant = {"iin": field(form, "applicant_iin"), "surname": field(form, "applicant_surname"),
                     "name": field(form, "applicant_name")}
        if field(form, "applicant_patronymic"):
            applicant["patronymic"] = field(form, "applicant_patronymic")
        problem = None
        if not is_valid_iin(applicant["iin"]):
            problem = "applicant IIN: not a valid IIN (12 digits, date, check digit)"
        elif not (applicant["surname"] and applicant["name"]):
            problem = "the applicant's surname and name are required"
        if problem is None:
            body = {"serviceCode": service.code, "applicant": applicant,
                    "form": {f.name: field(form, f"form-{f.name}") for f in service.form if field(form, f"form-{f.name}")},
                    "documents": [d.code for d in service.documents_for(channel) if field(form, f"present-{d.code}")]}

            async def accept() -> str:
                req = await asyncio.to_thread(self.rshep.actions.intake, account, body)
                return f"/requests/{req.id}"

            try:  # a double click accepts one application (the form's idempotency_key)
                return self.pages.redirect(await self.pages.once(request, form, uploads, scope="arm.intake",
                                                                 work=accept))
            except ArmError as exc:
                problem = str(exc)
        return self._render(request, "arm/intake.html", account, office=office, channel=channel, offered=services,
                            service=service, values=values, problem=problem, status=422)

    async def _not_found(self, request: Request) -> Response:
        raise PageError(404, "error_not_found")

    def routes(self) -> list[BaseRoute]:
        p = self.pages.page
        return [
            Route("/", p(self.inbox), methods=["GET"]),
            Route("/login", p(self.login), methods=["GET", "POST"]),
            Route("/logout", p(self.logout), methods=["POST"]),
            Route("/journal", p(self.journal), methods=["GET"]),
            Route("/intake", p(self.intake), methods=["GET", "POST"]),
            Route("/requests/{id:int}", p(self.request_page), methods=["GET"]),
            Route("/requests/{id:int}/documents/{n:int}", p(self.document), methods=["GET"]),
            Route("/requests/{id:int}/{which}", p(self.xml), methods=["GET"]),
            Route("/requests/{id:int}/{action}", p(self.act), methods=["POST"]),
            Route("/{rest:path}", p(self._not_found), methods=["GET", "POST"]),
        ]


class ArmErrorForPage(ArmError):
    """A draft form the page cannot turn into a draft (shown on the request page)."""

    status, code = 400, "BAD_REQUEST"


def _draft_body(form) -> dict:
    """The draft form as ArmActions.draft takes it (the API's body)."""
    conform = field(form, "documents_conform") == "yes"
    if conform:
        body: dict = {"documentsConform": True, "decisionText": field(form, "decision_text") or None}
        amount = field(form, "amount").replace(" ", "").replace(",", ".")
        if amount:
            try:
                body["amount"] = float(amount)
            except ValueError:
                raise ArmErrorForPage(f"amount {amount!r} is not a number") from None
        return body
    violations = []
    if field(form, "violation_description"):
        violations.append({"documentTypeCode": field(form, "violation_document") or None,
                           "description": field(form, "violation_description")})
    return {"documentsConform": False, "reasonText": field(form, "reason_text") or "—",
            "reasonCode": "DOCUMENT_VIOLATIONS", "violations": violations}


def routes(rshep, site: Site, *, base_path: str = BASE_PATH) -> list[BaseRoute]:
    """The workstation's pages, relative: mount them at ``base_path``."""
    return ArmPages(rshep, site, base_path=base_path).routes()
