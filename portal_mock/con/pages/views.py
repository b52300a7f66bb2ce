"""Handlers of the ЦОН desk. The operator signs in with the ИИС ЦОН account; every application
page is scoped to the operator's office (another office's number is "not found", as in the API).
The desk plays the State Corporation channel through :class:`~egov_sim.portal_mock.con.intake.Intake`
and :func:`~egov_sim.portal_mock.con.issuing.issue_result`, never through the JSON API."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import AuthError, Throttled
from egov_sim.core.errors import InputError
from egov_sim.core.json_api import INTEGER_RANGE
from egov_sim.core.web import Messages, PageError, Pages, Site
from egov_sim.core.web.i18n import COMMON
from egov_sim.core.web.rendering import ONCE_FIELD, field

from .. import applications_store as st
from .. import notices as nt
from ..completeness import CHANNEL
from ..inbox_provider import RESULT_FILE
from ..intake import PACKAGE_FILE, ApplicantEntry, ApplicationEntry, EntryError, RepresentativeEntry
from ..issuing import issue_result
from ..operators import OFFICES, Operator
from ..package import Attachment
from .messages import MESSAGES

BASE_PATH = "/web/con"
COOKIE = "egov_con"
MAX_FORM = 8 * 1024 * 1024
PAGE_SIZE = 50


def scan_of(document_code: str) -> bytes:
    """The desk's stand-in scan of a paper the recipient presented (SYNTHETIC): a tiny PDF that
    names the document, so a package can be assembled without files at hand."""
    text = f"egov-sim scan (SYNTHETIC): {document_code}"
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii", "replace")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream +
            b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class ConPages:
    def __init__(self, con, site: Site, *, base_path: str = BASE_PATH, catalogue=None):
        if catalogue is None:
            from egov_sim.reference import catalogue as default_catalogue

            catalogue = default_catalogue
        self.con, self.catalogue = con, catalogue
        self.pages = Pages(site, package=__package__, messages=Messages(COMMON, MESSAGES),
                           base_path=base_path, brand_key="con_brand", session_cookie=COOKIE)

    # --- who is here --------------------------------------------------------------------------

    async def operator(self, request: Request) -> Operator | None:
        token = self.pages.session_token(request)
        if not token:
            return None

        def find():
            account = self.con.accounts.session(token)
            return self.con.operators.for_account(account) if account else None

        return await asyncio.to_thread(find)

    def _render(self, request: Request, template: str, operator: Operator | None, **context: Any) -> Response:
        office = OFFICES.get(operator.office) if operator else None
        label = f"{operator.full_name} ({operator.office})" if operator else None
        return self.pages.render(request, template, user_label=label, office=office, operator=operator,
                                 logout_url=self.pages.url("/logout") if operator else None, **context)

    async def _application(self, operator: Operator, number: str) -> st.Application:
        app = await asyncio.to_thread(self.con.store.get_for_office, number, operator.office)
        if app is None:
            raise PageError(404, "not_found")
        return app

    # --- session (process 1, K02) -------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return self._render(request, "con/login.html", None, login="", problem=None)
        form, _ = await self.pages.form(request)
        login, password = field(form, "login"), str(form.get("password") or "")
        try:
            session = await asyncio.to_thread(self.con.accounts.login, login, password)
        except Throttled as exc:
            return self._render(request, "con/login.html", None, login=login, problem=str(exc), status=429)
        except AuthError as exc:
            return self._render(request, "con/login.html", None, login=login, problem=str(exc), status=401)
        operator = await asyncio.to_thread(self.con.operators.for_account, session.account)
        if operator is None:
            await asyncio.to_thread(self.con.accounts.logout, session.token)
            return self._render(request, "con/login.html", None, login=login, status=401,
                                problem="this account is not a ЦОН operator")
        response = self.pages.redirect("/")
        ttl = int((session.expires_at - self.con.clock()).total_seconds())
        self.pages.set_session(response, request, session.token, max_age=max(ttl, 60))
        return response

    async def logout(self, request: Request) -> Response:
        return await self.pages.sign_out(request, self.con.accounts)

    # --- the office's applications ------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        status = request.query_params.get("status") or None
        if status not in (None, *st.STATUSES):
            status = None
        try:
            offset = min(max(0, int(request.query_params.get("offset") or 0)), INTEGER_RANGE[1])
        except ValueError:
            offset = 0
        items, total = await asyncio.to_thread(self.con.store.list, operator.office, status=status,
                                               limit=PAGE_SIZE, offset=offset)
        return self._render(request, "con/home.html", operator, items=items, total=total, status_filter=status,
                            statuses=st.STATUSES, offset=offset, page_size=PAGE_SIZE)

    # --- intake: C0 → P1 → P2 → P3 → C1 → P4 | P5 ---------------------------------------------

    def _services(self):
        return self.catalogue.services_for(CHANNEL)

    async def new(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        code = request.query_params.get("service")
        service = next((s for s in self._services() if s.code == code), None)
        return self._form(request, operator, service, values={}, problem=None)

    def _form(self, request: Request, operator: Operator, service, *, values: dict, problem,
              status: int = 200) -> Response:
        offices = self.catalogue.offices_for(service, CHANNEL) if service else []
        documents = service.documents_for(CHANNEL) if service else []
        return self._render(request, "con/new.html", operator, services=self._services(), service=service,
                            offices=offices, documents=documents, values=values, problem=problem,
                            status=status)

    async def submit(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        form, uploads = await self.pages.form(request, max_bytes=MAX_FORM, max_files=30)
        code = field(form, "service")
        service = next((s for s in self._services() if s.code == code), None)
        if service is None:
            raise PageError(422, "choose_service")
        values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k not in ("csrf_token", ONCE_FIELD)}
        files = {u.field.removeprefix("doc-"): u for u in uploads if u.field.startswith("doc-") and u.content}
        documents = []
        for d in service.documents_for(CHANNEL):
            upload = files.get(d.code)
            if upload is not None:
                documents.append(Attachment(d.code, upload.filename or f"{d.code.lower()}.pdf",
                                            upload.content_type, upload.content, d.name_ru))
            elif field(form, f"present-{d.code}"):
                documents.append(Attachment(d.code, f"{d.code.lower()}-scan.pdf", "application/pdf",
                                            scan_of(d.code), d.name_ru))
        applicant = ApplicantEntry(field(form, "applicant_iin"), field(form, "applicant_surname") or None,
                                   field(form, "applicant_name") or None,
                                   field(form, "applicant_patronymic") or None,
                                   field(form, "applicant_phone") or None, field(form, "applicant_email") or None)
        representative = None
        if field(form, "with_representative"):
            representative = RepresentativeEntry(field(form, "rep_iin"), field(form, "rep_poa"),
                                                 field(form, "rep_surname") or None, field(form, "rep_name") or None,
                                                 field(form, "rep_patronymic") or None)
        entry = ApplicationEntry(service.code, applicant, field(form, "provider") or None, representative,
                                 {f.name: field(form, f"form-{f.name}") for f in service.form
                                  if field(form, f"form-{f.name}")}, tuple(documents))
        problem = None
        if not applicant.iin:
            problem = {"message": "applicant IIN is required", "details": [{"field": "applicant_iin",
                                                                            "problem": "required"}]}
        elif representative is not None and not (representative.iin and representative.poa_number):
            problem = {"message": "the representative's IIN and power of attorney number are required",
                       "details": [{"field": "rep_iin", "problem": "required"}]}
        if problem is None:
            try:
                outcome = await self.con.intake.submit(operator, entry,
                                                       idempotency_key=field(form, ONCE_FIELD) or None)
            except EntryError as exc:
                problem = {"message": str(exc), "code": exc.code, "details": exc.details}
            else:
                return self.pages.redirect(f"/applications/{outcome.application.number}")
        return self._form(request, operator, service, values=values, problem=problem, status=422)

    # --- one application ----------------------------------------------------------------------

    async def application(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        app = await self._application(operator, request.path_params["number"])

        def load():
            return (self.con.store.history(app.number), self.con.store.notices(app.number),
                    self.con.store.file_names(app.number))

        history, notices, files = await asyncio.to_thread(load)
        send_error = next((h.detail for h in reversed(history) if h.event in ("SEND_FAILED", "PACKAGE_REJECTED")),
                          None) if app.status == st.ACCEPTED else None
        return self._render(request, "con/application.html", operator, app=app, history=history,
                            notices=notices, files=files, send_error=send_error, record=app.record)

    async def notice(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        app = await self._application(operator, request.path_params["number"])
        kind = request.path_params["kind"]
        record = await asyncio.to_thread(self.con.store.notice, app.number, kind) if kind in nt.KINDS else None
        if record is None:
            raise PageError(404, "error_not_found")
        return self._render(request, "con/paper.html", operator, app=app, paper=record.body)

    async def download(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        app = await self._application(operator, request.path_params["number"])
        name = {"package.xml": PACKAGE_FILE, "result.xml": RESULT_FILE}.get(request.path_params["file"])
        stored = await asyncio.to_thread(self.con.store.file, app.number, name) if name else None
        if stored is None:
            raise PageError(404, "error_not_found")
        return Response(stored.content, media_type=stored.media_type, headers={
            "Content-Disposition": f'attachment; filename="{app.number}-{request.path_params["file"]}"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    async def send(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        await self.pages.form(request)
        app = await self._application(operator, request.path_params["number"])
        try:
            await self.con.intake.send(operator, app.number)
        except st.StatusConflict as exc:
            raise PageError(409, "send_error", str(exc)) from None
        return self.pages.redirect(f"/applications/{app.number}")

    async def issue(self, request: Request) -> Response:
        operator = await self.operator(request)
        if operator is None:
            return self.pages.redirect("/login")
        form, _ = await self.pages.form(request)
        app = await self._application(operator, request.path_params["number"])
        try:
            await asyncio.to_thread(issue_result, self.con.store, operator, app,
                                    received_by=field(form, "received_by"), note=field(form, "note") or None,
                                    clock=self.con.clock)
        except InputError as exc:
            raise PageError(409 if isinstance(exc, st.StatusConflict) else 422, "issue_result", str(exc)) from None
        return self.pages.redirect(f"/applications/{app.number}")

    async def _not_found(self, request: Request) -> Response:
        raise PageError(404, "error_not_found")

    def routes(self) -> list[BaseRoute]:
        p = self.pages.page
        n = "/applications/{number}"
        return [
            Route("/", p(self.home), methods=["GET"]),
            Route("/login", p(self.login), methods=["GET", "POST"]),
            Route("/logout", p(self.logout), methods=["POST"]),
            Route("/new", p(self.new), methods=["GET"]),
            Route("/new", p(self.submit), methods=["POST"]),
            Route(n, p(self.application), methods=["GET"]),
            Route(f"{n}/notices/{{kind}}", p(self.notice), methods=["GET"]),
            Route(f"{n}/files/{{file}}", p(self.download), methods=["GET"]),
            Route(f"{n}/send", p(self.send), methods=["POST"]),
            Route(f"{n}/issue", p(self.issue), methods=["POST"]),
            Route("/{rest:path}", p(self._not_found), methods=["GET", "POST"]),
        ]


def routes(con, site: Site, *, base_path: str = BASE_PATH) -> list[BaseRoute]:
    """The desk's pages, relative: mount them at ``base_path``."""
    return ConPages(con, site, base_path=base_path).routes()
