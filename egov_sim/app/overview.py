"""The simulator's overview at ``/``: what is running (endpoints, contracts, participants,
services, routes, fault rules), the personas with their test keys, the ШЭП journal with its
signature verdicts and both bodies, and the scenario reports. It reads every system's state, so
it lives in the composition root.

Access follows the admin rule of gateway/admin_api.py: loopback clients only while no admin
token is configured; with a token, ``Authorization: Bearer <token>`` or the token typed once
into ``/overview/login`` (kept as an HMAC of it in an HttpOnly, SameSite=Strict cookie).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from egov_sim.core import safe_xml
from egov_sim.core.errors import InputError
from egov_sim.core.json_api import INTEGER_RANGE
from egov_sim.core.web import Messages, PageError, Pages, Site
from egov_sim.core.web.i18n import COMMON
from egov_sim.core.web.rendering import field
from egov_sim.gateway.admin_api import is_loopback
from egov_sim.gateway.journal import JournalFilter, encode_body
from egov_sim.reference.personas import PERSONAS
from egov_sim.signing.persona_keys import persona_key

from .overview_messages import MESSAGES

ADMIN_COOKIE = "egov_admin"
JOURNAL_PAGE = 50
LATEST = 15
REPORT_NAME = re.compile(r"[\w.-]{1,120}\.(html|xml|json)")
_FILTERS = {"serviceId": "service_id", "senderId": "sender_id", "routeId": "route_id",
            "status": "status", "messageId": "message_id"}


@dataclass(frozen=True)
class Link:
    name: str
    path: str


def pretty(body: bytes | None) -> str:
    """An exchange body for people: XML indented (parsed with the hardened parser), else text."""
    if body is None:
        return ""
    try:
        tree = safe_xml.parse(body)
    except InputError:
        text, encoding = encode_body(body)
        return text if encoding == "utf-8" else f"(base64) {text}"
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(etree.tostring(tree.getroot()), parser)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


class Overview:
    def __init__(self, site: Site, *, settings, gateway, pki, endpoints: Sequence[Any],
                 reports_dir: Path, ncalayer_url: str):
        self.site, self.settings, self.gateway, self.pki = site, settings, gateway, pki
        self.endpoints, self.reports_dir, self.ncalayer_url = list(endpoints), reports_dir, ncalayer_url
        self.pages = Pages(site, package="egov_sim.app", messages=Messages(COMMON, MESSAGES),
                           base_path="", brand_key="overview_brand")

    # --- the admin rule -----------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self.gateway.config.admin_token

    def _cookie_for(self, token: str) -> str:
        return hmac.new(self.site.secret, b"admin|" + token.encode("utf-8"), hashlib.sha256).hexdigest()

    def allowed(self, request: Request) -> bool:
        token = self.token
        if token is None:
            return bool(request.client) and is_loopback(request.client.host)
        scheme, _, credentials = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode()):
            return True
        cookie = request.cookies.get(ADMIN_COOKIE) or ""
        return hmac.compare_digest(cookie.encode(), self._cookie_for(token).encode())

    def _denied(self, request: Request) -> Response:
        if self.token is None:
            return self.pages.error(request, 403, "error_forbidden", self.pages.translator(
                self.pages.language(request)[0])("loopback_only"))
        return self.pages.redirect("/overview/login", next=request.url.path)

    def guarded(self, handler):
        async def run(request: Request) -> Response:
            if not self.allowed(request):
                return self._denied(request)
            return await handler(request)

        run.__name__ = handler.__name__
        return self.pages.page(run)

    async def login(self, request: Request) -> Response:
        if self.token is None:
            return self.pages.redirect("/")
        if request.method == "GET":
            return self.pages.render(request, "overview/login.html", problem=None)
        form, _ = await self.pages.form(request)
        given = field(form, "token")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            t = self.pages.translator(self.pages.language(request)[0])
            return self.pages.render(request, "overview/login.html", problem=t("admin_wrong"), status=401)
        response = self.pages.redirect("/")
        response.set_cookie(ADMIN_COOKIE, self._cookie_for(self.token), max_age=8 * 3600, path="/",
                            httponly=True, samesite="strict", secure=self.pages.secure(request))
        return response

    # --- pages --------------------------------------------------------------------------------

    def _reports(self) -> list[str]:
        if not self.reports_dir.is_dir():
            return []
        return sorted((p.name for p in self.reports_dir.iterdir()
                       if p.is_file() and REPORT_NAME.fullmatch(p.name)), reverse=True)

    async def home(self, request: Request) -> Response:
        config = self.gateway.config

        def load():
            return (self.gateway.journal.page(limit=LATEST), self.gateway.injector.list(), self._reports())

        latest, faults, reports = await asyncio.to_thread(load)
        wsdl = sorted(self._wsdl_files())
        return self.pages.render(
            request, "overview/home.html", endpoints=self.endpoints, wsdl=wsdl,
            participants=sorted(config.participants.values(), key=lambda p: p.sender_id),
            services=sorted(config.services.values(), key=lambda s: s.service_id),
            routes=sorted(config.routes.values(), key=lambda r: r.route_id), faults=faults,
            personas=[p for p in PERSONAS.values()], latest=latest, reports=reports,
            reports_dir=str(self.reports_dir), ncalayer_url=self.ncalayer_url,
            base_url=self.settings.base_url)

    @staticmethod
    def _wsdl_files() -> list[str]:
        from egov_sim import wsdl

        root = Path(wsdl.ROOT)
        return [p.relative_to(root).as_posix() for p in root.rglob("*.wsdl")]

    async def journal(self, request: Request) -> Response:
        q = request.query_params
        values = {attr: q[name].strip() for name, attr in _FILTERS.items() if q.get(name, "").strip()}
        where = JournalFilter(**values)  # type: ignore[arg-type]  # text criteria only (_FILTERS)
        before = _int(q.get("before"))
        after = _int(q.get("after")) if before is None else None
        items = await asyncio.to_thread(self.gateway.journal.page, where, before=before, after=after,
                                        limit=JOURNAL_PAGE)
        newer = older = None
        if items:
            filters = {name: q[name] for name in _FILTERS if q.get(name)}
            top, bottom = items[0].id, items[-1].id
            if before is not None or (after is not None and len(items) == JOURNAL_PAGE):
                newer = self.pages.url("/overview/journal", after=top, **filters)
            if len(items) == JOURNAL_PAGE or after is not None:
                older = self.pages.url("/overview/journal", before=bottom, **filters)
        return self.pages.render(request, "overview/journal.html", items=items,
                                 filters={name: q.get(name, "") for name in _FILTERS},
                                 newer=newer, older=older)

    async def exchange(self, request: Request) -> Response:
        entry = await asyncio.to_thread(self.gateway.journal.get, request.path_params["id"])
        if entry is None:
            raise PageError(404, "error_not_found")
        return self.pages.render(
            request, "overview/exchange.html", e=entry, request_body=pretty(entry.request_body),
            response_body=pretty(entry.response_body),
            signature=json.dumps(entry.signature_details, ensure_ascii=False, indent=2)
            if entry.signature_details else None)

    async def key(self, request: Request) -> Response:
        persona = request.path_params["persona"]
        purpose = "AUTH" if request.query_params.get("purpose", "").upper() == "AUTH" else "SIGN"
        algorithm = request.query_params.get("algorithm") or None
        try:
            found = await asyncio.to_thread(persona_key, self.pki, persona, purpose=purpose,
                                            algorithm=algorithm)
        except InputError as exc:
            raise PageError(404, "error_not_found", str(exc)) from None
        return Response(found.p12_path.read_bytes(), media_type="application/x-pkcs12", headers={
            "Content-Disposition": f'attachment; filename="{found.file_name}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    async def report(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = self.reports_dir / name
        if not REPORT_NAME.fullmatch(name) or not path.is_file():
            raise PageError(404, "error_not_found")
        media = {"html": "text/html; charset=utf-8", "xml": "application/xml",
                 "json": "application/json"}[name.rsplit(".", 1)[1]]
        # the report is a file from disk: no script runs, and it cannot reach the simulator
        return Response(await asyncio.to_thread(path.read_bytes), media_type=media, headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    async def _not_found(self, request: Request) -> Response:
        raise PageError(404, "error_not_found")

    def routes(self) -> list[BaseRoute]:
        g = self.guarded
        return [
            Route("/", g(self.home), methods=["GET"]),
            Mount("/overview", routes=[
                Route("/login", self.pages.page(self.login), methods=["GET", "POST"]),
                Route("/journal", g(self.journal), methods=["GET"]),
                Route("/journal/{id:int}", g(self.exchange), methods=["GET"]),
                Route("/keys/{persona}.p12", g(self.key), methods=["GET"]),
                Route("/reports/{name}", g(self.report), methods=["GET"]),
                Route("/{rest:path}", g(self._not_found), methods=["GET", "POST"]),
            ]),
        ]


def _int(value: str | None) -> int | None:
    """A journal id from the page's query; None (the first page) when it is not one."""
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or INTEGER_RANGE[0] <= number <= INTEGER_RANGE[1] else None
