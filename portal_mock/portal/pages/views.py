"""Handlers of the portal's pages. Every page that shows or changes a person's data finds the
person by the session cookie and reads only their own drafts and requests: another person's
number answers "not found", exactly like a number that does not exist."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from egov_sim.core.web import Messages, PageError, Pages, Site
from egov_sim.core.web.i18n import COMMON
from egov_sim.core.web.rendering import field
from egov_sim.reference.catalogue import PROVIDERS

from .. import catalogue_api
from ..errors import PortalError
from ..notices import notice as notice_of
from ..requests_store import STATUSES, PortalUser
from ..service_request import Attachment
from ..submission import portal_service
from .messages import MESSAGES

BASE_PATH = "/web/portal"
COOKIE = "egov_portal"
MAX_FORM = 8 * 1024 * 1024
"""The e-copies' limit (3 MiB decoded, form_checks) and the form, with room to spare."""
MAX_SIGNED = 8 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """A PortalError as a page shows it: the message, the notice in the page's language, problems."""

    message: str
    code: str
    notice: str | None
    problems: list

    @classmethod
    def of(cls, exc: PortalError, lang: str) -> Refusal:
        n = exc.notice
        text = (n.text_kk if lang == "kk" else n.text_ru) if n is not None else None
        detail = exc.extra.get("detail") or {}
        problems = detail.get("problems") or detail.get("failures") or []
        return cls(str(exc), exc.code, text, problems if isinstance(problems, list) else [])


def _safe_next(value: str | None) -> str | None:
    """Only a path of the portal's own pages (no open redirect)."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(BASE_PATH + "/") or "\\" in value:
        return None
    return value


class PortalPages:
    def __init__(self, portal, site: Site, *, base_path: str = BASE_PATH):
        self.portal = portal
        self.pages = Pages(site, package=__package__, messages=Messages(COMMON, MESSAGES),
                           base_path=base_path, brand_key="portal_brand", session_cookie=COOKIE)
        self.ncalayer_url = site.ncalayer_url

    # --- who is here --------------------------------------------------------------------------

    async def user(self, request: Request) -> PortalUser | None:
        token = self.pages.session_token(request)
        if not token:
            return None
        return await asyncio.to_thread(self.portal.accounts.user_for, token)

    def _login_redirect(self, request: Request) -> Response:
        return self.pages.redirect("/login", next=request.url.path)

    def _render(self, request: Request, template: str, user: PortalUser | None, **context: Any) -> Response:
        return self.pages.render(request, template, user_label=user.full_name if user else None,
                                 logout_url=self.pages.url("/logout") if user else None, user=user,
                                 **context)

    # --- catalogue ----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        user = await self.user(request)
        return self._render(request, "portal/home.html", user, services=catalogue_api.portal_services())

    async def service(self, request: Request) -> Response:
        user = await self.user(request)
        try:
            detail = catalogue_api.service_detail(portal_service(request.path_params["code"]))
        except PortalError:
            raise PageError(404, "error_not_found") from None
        if request.method == "GET":
            return self._render(request, "portal/service.html", user, service=detail, values={},
                                refusal=None)
        if user is None:
            return self._login_redirect(request)
        form, uploads = await self.pages.form(request, max_bytes=MAX_FORM, max_files=30)
        values = {f["name"]: field(form, f"form-{f['name']}") for f in detail["form"]}
        provider = field(form, "provider") or None
        attachments = [Attachment(u.field.removeprefix("doc-"), u.filename or "document", u.content_type,
                                  u.content) for u in uploads if u.field.startswith("doc-") and u.content]

        async def make_draft() -> str:
            draft, _ = await asyncio.to_thread(
                self.portal.submissions.draft, user, detail["code"], provider,
                {k: v for k, v in values.items() if v}, attachments)
            return f"/drafts/{draft.request_id}"

        try:  # a double click makes one draft (the form's idempotency_key)
            return self.pages.redirect(await self.pages.once(request, form, uploads, scope="portal.draft",
                                                             work=make_draft))
        except PortalError as exc:
            lang, _ = self.pages.language(request)
            return self._render(request, "portal/service.html", user, service=detail, values=values,
                                provider=provider, refusal=Refusal.of(exc, lang), status=422)

    # --- accounts -----------------------------------------------------------------------------

    async def register(self, request: Request) -> Response:
        user = await self.user(request)
        if request.method == "GET":
            return self._render(request, "portal/register.html", user, iin="", refusal=None)
        form, _ = await self.pages.form(request)
        iin, password = field(form, "iin"), form.get("password") or ""
        lang, _ = self.pages.language(request)
        t = self.pages.translator(lang)
        if password != (form.get("password2") or ""):
            return self._render(request, "portal/register.html", user, iin=iin, status=422,
                                refusal=Refusal(t("passwords_differ"), "PASSWORDS_DIFFER", None, []))
        try:
            await self.portal.accounts.register(iin, str(password))
        except PortalError as exc:
            return self._render(request, "portal/register.html", user, iin=iin, status=exc.status,
                                refusal=Refusal.of(exc, lang))
        return self.pages.redirect("/login", done="register_done", iin=iin)

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            done = request.query_params.get("done")
            lang, _ = self.pages.language(request)
            notice = self.pages.translator(lang)(done) if done == "register_done" else None
            return self._render(request, "portal/login.html", None, iin=request.query_params.get("iin", ""),
                                next=_safe_next(request.query_params.get("next")) or "", refusal=None,
                                notice=notice)
        form, _ = await self.pages.form(request)
        iin = field(form, "iin")
        target = _safe_next(field(form, "next")) or self.pages.url("/cabinet")
        try:
            signed_in = await self.portal.accounts.login(iin, str(form.get("password") or ""))
        except PortalError as exc:
            lang, _ = self.pages.language(request)
            return self._render(request, "portal/login.html", None, iin=iin, next=target,
                                refusal=Refusal.of(exc, lang), status=exc.status)
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        ttl = int(self.portal.settings.session_ttl.total_seconds())
        self.pages.set_session(response, request, signed_in.session.token, max_age=ttl)
        return response

    async def logout(self, request: Request) -> Response:
        return await self.pages.sign_out(request, self.portal.accounts, to="/")

    # --- the draft and its signature ----------------------------------------------------------

    async def _own_draft(self, request: Request, user: PortalUser):
        request_id = request.path_params["requestId"]
        draft = await asyncio.to_thread(self.portal.store.draft, request_id)
        if draft is None or draft.owner_iin != user.iin:
            raise PageError(404, "not_found")
        return draft

    async def draft(self, request: Request) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        draft = await self._own_draft(request, user)
        if await asyncio.to_thread(self.portal.store.get, draft.request_id) is not None:
            return self.pages.redirect(f"/requests/{draft.request_id}")
        xml = await asyncio.to_thread(self.portal.store.draft_xml, draft.request_id)
        service = portal_service(draft.service_code)
        return self._render(request, "portal/sign.html", user, draft=draft, service=service,
                            xml=(xml or b"").decode("utf-8"), refusal=None, ncalayer=self.ncalayer_url,
                            connect_src=[self.ncalayer_url])

    async def draft_xml(self, request: Request) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        draft = await self._own_draft(request, user)
        xml = await asyncio.to_thread(self.portal.store.draft_xml, draft.request_id)
        return Response(xml or b"", media_type="application/xml", headers={
            "Content-Disposition": f'attachment; filename="{draft.request_id}.xml"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    async def sign(self, request: Request) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        draft = await self._own_draft(request, user)
        form, uploads = await self.pages.form(request, max_bytes=MAX_SIGNED, max_files=1)
        signed = field(form, "signed_xml").encode("utf-8")
        if not signed:
            signed = next((u.content for u in uploads if u.field == "signed_file"), b"")
        lang, _ = self.pages.language(request)
        if not signed.strip():
            raise PageError(422, "no_signed_document")
        try:
            result, _ = await self.portal.submissions.submit(user, signed)
        except PortalError as exc:
            if exc.extra.get("requestId") == draft.request_id:  # refused and recorded: the cabinet shows it
                return self.pages.redirect(f"/requests/{draft.request_id}")
            xml = await asyncio.to_thread(self.portal.store.draft_xml, draft.request_id)
            return self._render(request, "portal/sign.html", user, draft=draft,
                                service=portal_service(draft.service_code), xml=(xml or b"").decode("utf-8"),
                                refusal=Refusal.of(exc, lang), ncalayer=self.ncalayer_url,
                                connect_src=[self.ncalayer_url], status=exc.status)
        return self.pages.redirect(f"/requests/{result.request_id}")

    # --- the cabinet --------------------------------------------------------------------------

    async def cabinet(self, request: Request) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        items = await asyncio.to_thread(self.portal.store.list, user.iin)
        return self._render(request, "portal/cabinet.html", user, requests=items, statuses=STATUSES)

    async def _own_request(self, request: Request, user: PortalUser):
        found = await asyncio.to_thread(self.portal.store.get, request.path_params["requestId"],
                                        owner_iin=user.iin)
        if found is None:
            raise PageError(404, "not_found")
        return found

    async def request_page(self, request: Request) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        found = await self._own_request(request, user)
        result = await asyncio.to_thread(self.portal.store.result, found.request_id)
        verdict = None
        if result is not None:
            verdict = await asyncio.to_thread(self.portal.submissions.verifier.verify, result.xml,
                                              at=self.portal.submissions.clock())
        lang, _ = self.pages.language(request)
        notices = {h.notice_code: notice_of(h.notice_code) for h in found.history if h.notice_code}
        return self._render(request, "portal/request.html", user, req=found, statuses=STATUSES,
                            result=result, verdict=verdict, notices=notices, office=PROVIDERS.get(found.provider_code),
                            service=catalogue_api.service_summary(portal_service(found.service_code)))

    async def _download(self, request: Request, what: str) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        found = await self._own_request(request, user)
        if what == "result":
            result = await asyncio.to_thread(self.portal.store.result, found.request_id)
            if result is None:
                raise PageError(404, "result_none")
            content, name = result.xml, f"result-{found.request_id}.xml"
        else:
            content = await asyncio.to_thread(self.portal.store.signed_xml, found.request_id) or b""
            name = f"{found.request_id}.xml"
        return Response(content, media_type="application/xml", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    async def result_xml(self, request: Request) -> Response:
        return await self._download(request, "result")

    async def signed_xml(self, request: Request) -> Response:
        return await self._download(request, "signed")

    async def resend(self, request: Request) -> Response:
        user = await self.user(request)
        if user is None:
            return self._login_redirect(request)
        await self.pages.form(request)
        found = await self._own_request(request, user)
        try:
            await self.portal.submissions.resend(user, found.request_id)
        except PortalError as exc:
            raise PageError(exc.status, "error", str(exc)) from None
        return self.pages.redirect(f"/requests/{found.request_id}")

    # --- routes -------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        p = self.pages.page
        return [
            Route("/", p(self.home), methods=["GET"]),
            Route("/services/{code}", p(self.service), methods=["GET", "POST"]),
            Route("/register", p(self.register), methods=["GET", "POST"]),
            Route("/login", p(self.login), methods=["GET", "POST"]),
            Route("/logout", p(self.logout), methods=["POST"]),
            Route("/cabinet", p(self.cabinet), methods=["GET"]),
            Route("/drafts/{requestId}", p(self.draft), methods=["GET"]),
            Route("/drafts/{requestId}/document.xml", p(self.draft_xml), methods=["GET"]),
            Route("/drafts/{requestId}/sign", p(self.sign), methods=["POST"]),
            Route("/requests/{requestId}", p(self.request_page), methods=["GET"]),
            Route("/requests/{requestId}/result.xml", p(self.result_xml), methods=["GET"]),
            Route("/requests/{requestId}/signed.xml", p(self.signed_xml), methods=["GET"]),
            Route("/requests/{requestId}/resend", p(self.resend), methods=["POST"]),
            Mount("/static", StaticFiles(packages=[(__package__, "static")]), name="portal-static"),
            Route("/{rest:path}", p(self._not_found), methods=["GET", "POST"]),
        ]

    async def _not_found(self, request: Request) -> Response:
        raise PageError(404, "error_not_found")


def routes(portal, site: Site, *, base_path: str = BASE_PATH) -> list[BaseRoute]:
    """The portal's pages, relative: mount them at ``base_path``."""
    return PortalPages(portal, site, base_path=base_path).routes()
