"""Rendering a system's pages: Jinja2 with autoescaping, the language, CSRF, cookies, headers.

Why Jinja2 (already a dependency): every value is escaped unless a template says otherwise, so
a person's name with markup in it is shown as text. Templates are package data, looked up in
the system's own ``templates`` folder first, then in this package's (``web/base.html``,
``web/macros.html``), so a second workstation can extend the first one's templates.

Every page answer carries a Content-Security-Policy that allows only the simulator's own
scripts and styles (and, on a signing page, the NCALayer address), ``nosniff``, no framing and
``Cache-Control: no-store`` (pages show personal data).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import logging
import uuid
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from egov_sim.core.auth import Accounts, AuthError, Session, Throttled
from egov_sim.core.claims import IdempotencyConflict, StillRunning, fingerprint
from egov_sim.core.clock import ALMATY
from egov_sim.core.database import DatabaseError

from . import csrf, i18n
from .forms import FormTooLarge, Upload, read_form
from .i18n import LANGUAGE_NAMES, LANGUAGES, Messages
from .site import Site

log = logging.getLogger("egov_sim.web")
ONCE_FIELD = "idempotency_key"
"""The hidden field of a form that creates something (:meth:`Pages.once`)."""

Handler = Callable[[Request], Awaitable[Response]]


class PageError(Exception):
    """A page that cannot be shown: ``status`` and a message key (plus a detail text)."""

    def __init__(self, status: int, key: str, detail: str | None = None):
        super().__init__(detail or key)
        self.status, self.key, self.detail = status, key, detail


def local_time(value: dt.datetime | dt.date | str | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A moment in Kazakhstan time (UTC+5), as people there read it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(ALMATY).strftime(fmt)
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


class Pages:
    """One system's page renderer (a portal, a desk, a workstation, the overview)."""

    def __init__(self, site: Site, *, package: str, messages: Messages, base_path: str,
                 brand_key: str, session_cookie: str | None = None):
        self.site, self.messages, self.base_path = site, messages, base_path.rstrip("/")
        self.brand_key, self.session_cookie = brand_key, session_cookie
        self.env = Environment(
            loader=ChoiceLoader([PackageLoader(package, "templates"),
                                 PackageLoader("egov_sim.core.web", "templates")]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["when"] = local_time
        self.env.filters["day"] = lambda v: local_time(v, "%d.%m.%Y")

    # --- language -----------------------------------------------------------------------------

    def language(self, request: Request) -> tuple[str, bool]:
        return i18n.choose(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE),
                           self.site.default_language)

    def translator(self, lang: str) -> Callable[[str], str]:
        return functools.partial(self.messages.text, lang=lang)

    # --- cookies ------------------------------------------------------------------------------

    def secure(self, request: Request) -> bool:
        return self.site.secure_cookies or request.url.scheme == "https"

    def session_token(self, request: Request) -> str | None:
        return request.cookies.get(self.session_cookie) if self.session_cookie else None

    def set_session(self, response: Response, request: Request, token: str, *, max_age: int) -> None:
        assert self.session_cookie is not None, "a page set without sessions has no session cookie"
        response.set_cookie(self.session_cookie, token, max_age=max_age, path=self.base_path or "/",
                            httponly=True, samesite="lax", secure=self.secure(request))

    def clear_session(self, response: Response, request: Request) -> None:
        assert self.session_cookie is not None, "a page set without sessions has no session cookie"
        response.delete_cookie(self.session_cookie, path=self.base_path or "/", httponly=True,
                               samesite="lax", secure=self.secure(request))

    # --- staff sessions -----------------------------------------------------------------------

    async def sign_in(self, request: Request, accounts: Accounts,
                      form_again: Callable[[str, str, int], Response], *,
                      seed: Callable[[Accounts, str], object] | None = None) -> Response:
        """A posted staff sign-in form: the session cookie and the desk's start page, or
        ``form_again(login, problem, status)`` with 429 (throttled) or 401. ``seed(accounts,
        login)`` (blocking) makes a seeded staff account on its first sign-in."""
        form, _ = await self.form(request)
        login, password = field(form, "login"), str(form.get("password") or "")

        def check() -> Session:
            if seed is not None:
                seed(accounts, login)
            return accounts.login(login, password)

        try:
            session = await asyncio.to_thread(check)
        except Throttled as exc:
            return form_again(login, str(exc), 429)
        except AuthError as exc:
            return form_again(login, str(exc), 401)
        response = self.redirect("/")
        self.set_session(response, request, session.token, max_age=int(accounts.session_ttl.total_seconds()))
        return response

    async def sign_out(self, request: Request, accounts: Accounts, *, to: str = "/login") -> Response:
        """A posted sign-out (the CSRF check is the form's): the session ends and its cookie goes."""
        await self.form(request)
        token = self.session_token(request)
        if token:
            await asyncio.to_thread(accounts.logout, token)
        response = self.redirect(to)
        self.clear_session(response, request)
        return response

    # --- answers ------------------------------------------------------------------------------

    def url(self, path: str = "", **query: Any) -> str:
        q = {k: v for k, v in query.items() if v is not None and v != ""}
        return f"{self.base_path}{path}" + (f"?{urlencode(q)}" if q else "")

    def render(self, request: Request, template: str, *, status: int = 200,
               connect_src: Iterable[str] = (), headers: dict | None = None, **context: Any) -> HTMLResponse:
        lang, remember = self.language(request)
        token, new_cookie = csrf.cookie_value(request)
        t = self.translator(lang)
        body = self.env.get_template(template).render(
            t=t, lang=lang, languages=[(code, LANGUAGE_NAMES[code], self._with_lang(request, code))
                                       for code in LANGUAGES],
            csrf_field=csrf.FIELD, csrf_token=csrf.token_for(self.site.secret, token),
            once_field=ONCE_FIELD, once_key=uuid.uuid4().hex,
            site=self.site, base=self.base_path, brand=t(self.brand_key), static=self.site.static_url,
            nav=[(t(link.key), link.href) for link in self.site.nav], path=request.url.path,
            **{"user_label": None, "logout_url": None, "notice": None, **context})
        response = HTMLResponse(body, status_code=status, headers=self._headers(connect_src, headers))
        if new_cookie:
            response.set_cookie(csrf.COOKIE, token, path="/", httponly=True, samesite="strict",
                                secure=self.secure(request))
        if remember:
            response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, path="/", httponly=True,
                                samesite="lax", secure=self.secure(request))
        return response

    def redirect(self, path: str, **query: Any) -> RedirectResponse:
        return RedirectResponse(self.url(path, **query), status_code=303,
                                headers={"Cache-Control": "no-store"})

    def error(self, request: Request, status: int, key: str, detail: str | None = None) -> HTMLResponse:
        return self.render(request, "web/error.html", status=status, error_key=key, detail=detail)

    @staticmethod
    def _with_lang(request: Request, code: str) -> str:
        query = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
        query["lang"] = code
        return f"{request.url.path}?{urlencode(query)}"

    def _headers(self, connect_src: Iterable[str], extra: dict | None) -> dict:
        connect = " ".join(["'self'", *connect_src])
        return {
            "Content-Security-Policy": (
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"connect-src {connect}; form-action 'self'; frame-ancestors 'none'; "
                "base-uri 'none'; object-src 'none'"),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
            **(extra or {}),
        }

    # --- forms --------------------------------------------------------------------------------

    async def form(self, request: Request, *, max_bytes: int = 1024 * 1024,
                   max_files: int = 20) -> tuple[FormData, list[Upload]]:
        """The posted form, after its CSRF token is checked (:class:`csrf.CsrfError` if not)."""
        form, uploads = await read_form(request, max_bytes=max_bytes, max_files=max_files)
        submitted = form.get(csrf.FIELD)
        csrf.check(request, self.site.secret, submitted if isinstance(submitted, str) else None)
        return form, uploads

    async def once(self, request: Request, form: FormData, uploads: list[Upload], *, scope: str,
                   work: Callable[[], Awaitable[str]]) -> str:
        """Run ``work`` (which answers with the path to redirect to) once per form shown: the
        form's hidden ``idempotency_key`` (:data:`ONCE_FIELD`, new each time a page renders)
        makes a double click or a resent POST land on the first one's result instead of
        creating a second application. Without the field, or without claims, ``work`` just runs."""
        key = field(form, ONCE_FIELD)
        claims = self.site.claims
        if not key or claims is None:
            return await work()
        who = self.session_token(request) or request.cookies.get(csrf.COOKIE) or ""
        parts = [f"{k}={v}" for k, v in sorted(form.multi_items()) if isinstance(v, str)
                 and k not in (csrf.FIELD, ONCE_FIELD)]
        parts += [f"{u.field}:{u.filename}:{hashlib.sha256(u.content).hexdigest()}" for u in uploads]
        owner = hashlib.sha256(who.encode()).hexdigest()[:32]
        result, _ = await claims.once(scope, f"{owner}|{key}", work, fingerprint=fingerprint(*parts))
        return result

    # --- the handler wrapper ------------------------------------------------------------------

    def page(self, handler: Handler) -> Handler:
        """Errors become pages with the right status, never a traceback."""

        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except PageError as exc:
                return self.error(request, exc.status, exc.key, exc.detail)
            except csrf.CsrfError as exc:
                return self.error(request, 403, "error_csrf", str(exc))
            except FormTooLarge as exc:
                return self.error(request, 413, "error_too_large", str(exc))
            except (IdempotencyConflict, StillRunning) as exc:
                return self.error(request, 409, "error_conflict", str(exc))
            except DatabaseError:
                log.exception("web: database failure on %s %s", request.method, request.url.path)
                return self.error(request, 503, "error_unavailable")
            except Exception:  # a page must never show a traceback
                log.exception("web: unexpected failure on %s %s", request.method, request.url.path)
                return self.error(request, 500, "error_internal")

        return run


def field(form: FormData, name: str, default: str = "") -> str:
    """A text field of the form, stripped (files and missing fields give ``default``)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default
