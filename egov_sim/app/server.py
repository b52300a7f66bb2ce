"""The one HTTP server of ``egov-sim serve``: each system mounts its routes here.

The ASGI app is built by :func:`build_app` from explicit settings and a clock, so tests can
start many simulators in one process. Several uvicorn workers rebuild the same app from the
settings passed through the environment (uvicorn starts workers from an import string).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from egov_sim.core.claims import Claims
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database, DatabaseError, database_url, open_failure
from egov_sim.core.errors import InputError, StartupError
from egov_sim.core.home_lock import HomeLock
from egov_sim.core.http_limits import ENV as HEADER_LIMITS_ENV
from egov_sim.core.http_limits import HeaderLimits, LimitedHttpToolsProtocol
from egov_sim.core.http_limits import configure as configure_limits
from egov_sim.core.idempotency import idempotent
from egov_sim.core.settings import Settings

_SETTINGS_ENV = "EGOV_SIM_SERVER_SETTINGS"
PAGE_SECRET = "web pages: CSRF tokens, admin cookie"
"""What the pages' secret is derived for (``TestPKI.derive_secret``): the same on every worker
and every host with a copy of the PKI, so a form shown by one is accepted by another."""


@dataclasses.dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


def build_app(settings: Settings, *, clock: Clock = system_clock,
              channels_transport=None) -> Starlette:
    """Every system on one app. The channels (portal, ЦОН, АРМ РШЭП) reach ШЭП over HTTP at the
    server's own loopback address, as real participants do; their inboxes are ШЭП providers.

    ``channels_transport`` (an ``httpx.AsyncBaseTransport``) carries the channels' ШЭП calls
    instead of sockets: a simulator played in process (scenarios/simulator.py) passes an ASGI
    transport to this very app, so nothing listens on a port."""
    import httpx
    from argon2 import PasswordHasher

    from egov_sim.adapters.gbd_fl import admin_api as persons_admin
    from egov_sim.adapters.providers import build_registries
    from egov_sim.core.auth import DEFAULT_HASHER
    from egov_sim.gateway.app import ASYNC_PATH, ASYNC_WSDL, SYNC_PATH, SYNC_WSDL
    from egov_sim.gateway.config import load_config
    from egov_sim.gateway.rshep import build_rshep
    from egov_sim.gateway.shep import build_gateway
    from egov_sim.portal_mock.balkhash.con import build_centre
    from egov_sim.portal_mock.balkhash.department import build_department
    from egov_sim.portal_mock.con.lookups import LookupRules
    from egov_sim.portal_mock.con.workstation import ConOptions, build_con
    from egov_sim.portal_mock.portal.assembly import PortalSettings, build_portal
    from egov_sim.reference.balkhash_services import Readings as BalkhashReadings
    from egov_sim.signing import pki_http
    from egov_sim.signing.pki import TestPKI
    from egov_sim.signing.pki_shared import SharedRegister
    from egov_sim.signing.revocation import RevocationPolicy

    config = load_config(settings.config_file, base=builtin_config())
    revocation = RevocationPolicy(tuple(settings.revocation), settings.revocation_unavailable)
    staff = settings.staff_passwords or {}  # realm → password instead of the documented one
    pki = TestPKI.open_or_init(settings.pki_dir, base_url=settings.base_url, clock=clock,
                               algorithm=settings.signing_algorithm)
    db = Database.open(database_url(settings), clock=clock)
    claims = Claims(db)  # one holder at a time for every accept (egov_sim/core/claims.py)
    # Hosts (and workers) starting at the same moment seed the shared database one after the
    # other: each system's first start creates its accounts, personas and households.
    with db.exclusive("egov-sim start-up"):
        pki.attach(SharedRegister(db))  # issues and revocations seen by every host of this database
        registries = build_registries(db, pki, clock=clock, population=settings.population)
        gateway_url = settings.with_(public_url=None).base_url
        if channels_transport is None:
            channels_http = httpx.AsyncClient(limits=httpx.Limits(max_connections=50))
        else:
            channels_http = httpx.AsyncClient(transport=channels_transport)
        hasher = (PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # same algorithm, no cost
                  if settings.fast_password_hashing else DEFAULT_HASHER)
        rshep = build_rshep(db, pki, gateway_url=gateway_url, http=channels_http, clock=clock,
                            refusal_via_head=settings.refusal_via_head, hasher=hasher,
                            max_body=settings.max_body, term_options=settings.term_options,
                            revocation=revocation, staff_password=staff.get("arm"), leg=settings.shep_leg)
        portal = build_portal(db, pki, gateway_url=gateway_url, http=channels_http, clock=clock,
                              settings=PortalSettings(hasher=hasher, max_body=settings.max_body,
                                                      restrict_eligibility=settings.portal_restricted,
                                                      revocation=revocation.methods,
                                                      revocation_unavailable=revocation.unavailable,
                                                      shep_leg=settings.shep_leg),
                              claims=claims)
        con = build_con(db, pki, gateway_url=gateway_url, http=channels_http, clock=clock, hasher=hasher,
                        options=ConOptions(lookups=LookupRules(literal_and=settings.con_c1_literal_and),
                                           max_body=settings.max_body, term_options=settings.term_options,
                                           revocation=revocation, staff_password=staff.get("con"),
                                           shep_leg=settings.shep_leg),
                        claims=claims)
        balkhash_readings = BalkhashReadings.from_mapping(dict(settings.balkhash_readings))
        balkhash_uo = build_department(db, registries.persons, gateway_url=gateway_url, http=channels_http,
                                       clock=clock, hasher=hasher, pki=pki, max_body=settings.max_body,
                                       thresholds=_balkhash_thresholds(settings), readings=balkhash_readings,
                                       staff_password=staff.get("balkhash_uo"))
        balkhash_con = build_centre(db, gateway_url=gateway_url, http=channels_http, clock=clock, hasher=hasher,
                                    max_body=settings.max_body, readings=balkhash_readings,
                                    staff_password=staff.get("balkhash_con"))
    gateway = build_gateway(
        config=config, db=db, pki=pki, clock=clock,
        builtin_providers={**registries.providers, "rshep": rshep.provider,  # type: ignore[dict-item]
                           "portal_inbox": portal.inbox_provider, "con_inbox": con.inbox_provider,
                           "balkhash_uo_registry": balkhash_uo.inbox_provider,
                           "balkhash_con_registry": balkhash_con.inbox_provider},
        config_source=str(settings.config_file or "built-in config"), revocation=revocation)

    async def redeliver_after_start() -> None:
        """Messages accepted before a crash but never acknowledged by ШЭП go out again once the
        server is listening (the channels reach ШЭП at this server's own address)."""
        await asyncio.sleep(1.0)
        for redeliver in (portal.redeliver_pending, rshep.deliverer.redeliver_all,
                          balkhash_uo.redeliver_pending, balkhash_con.redeliver_pending):
            try:
                await redeliver()
            except Exception as exc:  # noqa: BLE001 — retried by hand or at the next start
                logging.getLogger("egov_sim").warning("redelivery after start failed: %s", exc)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        gateway.start()
        task = asyncio.create_task(redeliver_after_start())
        try:
            yield
        finally:
            task.cancel()
            await channels_http.aclose()
            await gateway.aclose()
            db.close()

    endpoints = [
        Endpoint("ШЭП SyncChannel v10", SYNC_PATH),
        Endpoint("SyncChannel WSDL", f"/wsdl/{SYNC_WSDL}"),
        Endpoint("ШЭП AsyncChannel v10", ASYNC_PATH),
        Endpoint("AsyncChannel WSDL", f"/wsdl/{ASYNC_WSDL}"),
        *(Endpoint(name, f"/pki{path}") for name, path in pki_http.endpoints(pki)),
        Endpoint("Portal API (egov.kz)", "/portal/openapi.json"),
        Endpoint("ЦОН operator API", "/con/openapi.json"),
        Endpoint("АРМ РШЭП API", "/arm/openapi.json"),
        Endpoint("Balkhash УО API (seed 001)", "/balkhash/uo/openapi.json"),
        Endpoint("Balkhash ЦОН 2012 API", "/balkhash/con/openapi.json"),
        Endpoint("Admin API (journal)", "/admin/journal"),
        Endpoint("Admin API (OpenAPI)", "/admin/openapi.json"),
        Endpoint("Admin API (fault injection)", "/admin/faults"),
        Endpoint("Admin API (ГБД ФЛ persons)", "/admin/persons"),
        *WEB_ENDPOINTS,
    ]
    def api(name: str, api_routes) -> ASGIApp:
        """A JSON API's routes, with ``Idempotency-Key`` honoured (egov_sim/core/idempotency.py)."""
        return idempotent(Router(routes=api_routes), claims, name=name, max_body=settings.max_body)

    routes = [
        *gateway.routes(),
        Mount("/pki", routes=pki_http.routes(pki, clock=clock)),
        Mount("/portal", app=api("portal", portal.routes())),
        Mount("/con", app=api("con", con.routes())),
        Mount("/arm", app=api("arm", rshep.routes())),
        Mount("/balkhash/uo", app=api("balkhash_uo", balkhash_uo.routes())),
        Mount("/balkhash/con", app=api("balkhash_con", balkhash_con.routes())),
        gateway.admin_mount(max_body=settings.max_body,
                            extra_routes=persons_admin.routes(registries.persons,
                                                              max_body=settings.max_body),
                            extra_openapi=persons_admin.openapi_paths()),
        *web_routes(settings, portal=portal, con=con, rshep=rshep, gateway=gateway, pki=pki,
                    endpoints=endpoints, claims=claims, balkhash_uo=balkhash_uo, balkhash_con=balkhash_con),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.pki = pki
    app.state.gateway = gateway
    app.state.registries = registries
    app.state.rshep, app.state.portal, app.state.con = rshep, portal, con
    app.state.balkhash_uo, app.state.balkhash_con = balkhash_uo, balkhash_con
    app.state.database = db
    app.state.claims = claims
    app.state.endpoints = endpoints
    return app


WEB_ENDPOINTS = (
    Endpoint("Overview (pages)", "/"),
    Endpoint("Portal pages (egov.kz)", "/web/portal/"),
    Endpoint("ЦОН desk pages", "/web/con/"),
    Endpoint("АРМ РШЭП pages", "/web/arm/"),
    Endpoint("Balkhash УО workstation pages (seed 001)", "/web/balkhash/uo/"),
    Endpoint("Balkhash ЦОН 2012 desk pages", "/web/balkhash/con/"),
)


def web_routes(settings: Settings, *, portal, con, rshep, gateway, pki, endpoints, claims=None,
               balkhash_uo=None, balkhash_con=None) -> list:
    """The pages a person uses (docs/pages.md): each system's own, the shared chrome's static
    files, and the overview at ``/``."""
    from egov_sim.core.web import NavLink, Site
    from egov_sim.gateway.rshep import pages as arm_pages
    from egov_sim.portal_mock.balkhash.con import pages as balkhash_con_pages
    from egov_sim.portal_mock.balkhash.department import pages as balkhash_uo_pages
    from egov_sim.portal_mock.con import pages as con_pages
    from egov_sim.portal_mock.portal import pages as portal_pages

    from .overview import Overview

    site = Site(secret=pki.derive_secret(PAGE_SECRET), ncalayer_url=settings.ncalayer_url,
                secure_cookies=settings.base_url.startswith("https://"), claims=claims,
                nav=(NavLink("nav_overview", "/"), NavLink("nav_portal", "/web/portal/"),
                     NavLink("nav_con", "/web/con/"), NavLink("nav_arm", "/web/arm/"),
                     *((NavLink("nav_balkhash_uo", "/web/balkhash/uo/"),) if balkhash_uo else ()),
                     *((NavLink("nav_balkhash_con", "/web/balkhash/con/"),) if balkhash_con else ())))
    overview = Overview(site, settings=settings, gateway=gateway, pki=pki, endpoints=endpoints,
                        reports_dir=settings.home / "reports", ncalayer_url=settings.ncalayer_url)
    return [
        Mount("/web/static", StaticFiles(packages=[("egov_sim.core.web", "static")]), name="web-static"),
        Mount("/web/portal", routes=portal_pages.routes(portal, site)),
        Mount("/web/con", routes=con_pages.routes(con, site)),
        Mount("/web/arm", routes=arm_pages.routes(rshep, site)),
        *([Mount("/web/balkhash/uo", routes=balkhash_uo_pages.routes(balkhash_uo, site))] if balkhash_uo else []),
        *([Mount("/web/balkhash/con", routes=balkhash_con_pages.routes(balkhash_con, site))] if balkhash_con else []),
        *overview.routes(),
    ]


def builtin_config():
    """The register of interactions of a simulator with no config file: the gateway's own
    entries and every system's (who sends as whom is decided here, where the systems meet)."""
    from egov_sim.adapters.providers import REGISTRATIONS
    from egov_sim.gateway.config import default_config
    from egov_sim.gateway.rshep import registration as rshep
    from egov_sim.portal_mock.balkhash import con as balkhash_con
    from egov_sim.portal_mock.balkhash import department as balkhash_uo
    from egov_sim.portal_mock.con import workstation as con
    from egov_sim.portal_mock.portal import assembly as portal

    return default_config(
        *REGISTRATIONS,
        rshep.registration(channel_senders={"portal": portal.PORTAL_SENDER, "con": con.SENDER_ID}),
        portal.registration(rshep_sender=rshep.SENDER_ID),
        con.registration(rshep_sender=rshep.SENDER_ID),
        balkhash_uo.registration(), balkhash_con.registration())


def _balkhash_thresholds(settings: Settings):
    """The Balkhash thresholds: HOME/balkhash-thresholds.toml over the defaults (docs/balkhash.md)."""
    from egov_sim.adapters.social import Thresholds, load_thresholds

    path = settings.home / "balkhash-thresholds.toml"
    return load_thresholds(path) if path.exists() else Thresholds()


def app_from_env() -> Starlette:
    """uvicorn factory for worker processes."""
    raw = json.loads(os.environ[_SETTINGS_ENV])
    for key in ("home", "config_file"):
        if raw.get(key):
            raw[key] = Path(raw[key])
    return build_app(Settings(**raw))


@dataclasses.dataclass(frozen=True)
class NcalayerOptions:
    """``serve --ncalayer``: the emulator beside the server, at the pages' NCALayer address."""

    host: str
    port: int
    tls: bool
    personas: tuple[str, ...] = ("guardian",)

    @classmethod
    def from_url(cls, url: str, *, personas: tuple[str, ...] = ("guardian",)) -> NcalayerOptions:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise InputError(f"--ncalayer-url {url!r}: use ws://HOST:PORT or wss://HOST:PORT", code="BAD_USAGE")
        return cls(parts.hostname, parts.port or 13579, parts.scheme == "wss", personas)


def serve(settings: Settings, *, workers: int = 1, ncalayer: NcalayerOptions | None = None) -> None:
    """``egov-sim serve``: take the home's lock, the port, build the app, print the endpoints,
    serve until stopped (with the NCALayer emulator beside it when asked). Whatever the machine
    refuses (the port, the data directory, the database) is a :class:`StartupError`: one line,
    exit code 3."""
    import uvicorn
    from rich.console import Console

    console = Console(stderr=True)
    from .staff_passwords import require_for

    require_for(settings.host, settings.staff_passwords)  # no well-known passwords off loopback
    try:
        lock = HomeLock(settings.home).acquire(holder=f"pid {os.getpid()}, {settings.base_url}")
    except OSError as exc:
        raise StartupError(f"cannot use the data directory {settings.home}: {exc.strerror}") from None
    try:
        sock = listen_socket(settings.host, settings.port)
        try:
            app = _build_to_serve(settings)  # the PKI and database once, before workers race for them
        except BaseException:
            sock.close()
            raise
        print_banner(console, settings, app)
        limits = HeaderLimits(settings.max_header_bytes, settings.header_timeout)
        config: dict[str, Any] = dict(host=settings.host, port=settings.port, loop="uvloop",
                                      http=LimitedHttpToolsProtocol, log_level="warning", access_log=False)
        with contextlib.ExitStack() as stack:
            if ncalayer is not None:
                from egov_sim.signing.ncalayer.assembly import build_ncalayer
                from egov_sim.signing.ncalayer.server import Listen, running

                emulator = build_ncalayer(app.state.pki, personas=ncalayer.personas)
                url = stack.enter_context(running(emulator, Listen(ncalayer.host, ncalayer.port, ncalayer.tls),
                                                  tls_folder=settings.home / "ncalayer"))
                console.print(f"  NCALayer emulator {url} (keys: {', '.join(ncalayer.personas)})",
                              soft_wrap=True, highlight=False)
            if workers > 1:
                sock.close()  # uvicorn binds it again for its workers
                app.state.database.close()
                env = {k: (str(v) if isinstance(v, Path) else v)
                       for k, v in dataclasses.asdict(settings).items()}
                os.environ[_SETTINGS_ENV] = json.dumps(env)
                os.environ[HEADER_LIMITS_ENV] = limits.to_env()  # read by each worker's protocol
                uvicorn.run("egov_sim.app.server:app_from_env", factory=True, workers=workers, **config)
            else:
                uvicorn.Server(configure_limits(uvicorn.Config(app, **config), limits)).run(sockets=[sock])
    finally:
        lock.release()


def _build_to_serve(settings: Settings) -> Starlette:
    """build_app, with what the machine refuses as one line: a bad config stays an InputError
    (exit 2), a database or data directory that cannot be written is a StartupError (exit 3)."""
    try:
        return build_app(settings)
    except (InputError, StartupError):
        raise
    except DatabaseError as exc:
        raise StartupError(open_failure(database_url(settings), exc)) from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise StartupError(f"the data directory {settings.home} cannot be written: "
                           f"{exc.strerror or exc}{where}") from None
    except Exception as exc:  # noqa: BLE001 — the contract is one line, never a traceback
        raise StartupError(f"the simulator could not start: {type(exc).__name__}: {exc}") from None


def listen_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (SO_REUSEADDR, like uvicorn's); what the machine refuses
    is a :class:`StartupError` that names the option to change."""
    if not 1 <= port <= 65535:
        raise StartupError(f"port {port} is out of range; choose one from 1 to 65535 with --port")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise StartupError(f"cannot listen on {host!r}: {exc.strerror}; check --host") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            message = (f"port {port} on {host} is already in use (another server?); "
                       "choose another with --port")
        elif exc.errno == errno.EACCES:
            message = f"port {port} on {host} needs privileges; choose one above 1023 with --port"
        elif exc.errno == errno.EADDRNOTAVAIL:
            message = f"{host} is not an address of this machine; check --host"
        else:
            message = f"cannot listen on {host}:{port}: {exc.strerror}; check --host and --port"
        raise StartupError(message) from None
    sock.set_inheritable(True)
    return sock


def print_banner(console, settings: Settings, app: Starlette) -> None:
    """Where the simulator listens and every endpoint it serves. URLs are printed whole (never
    broken by an inserted newline, at any width or in a log); at a narrow width the URL goes on
    a line of its own under the endpoint's name."""
    base = settings.base_url
    console.print(f"[bold]egov-sim[/] listening on {base} (data: {settings.home})", soft_wrap=True,
                  highlight=False)
    endpoints = app.state.endpoints
    width = max(len(ep.name) for ep in endpoints)
    for ep in endpoints:
        url = f"{base}{ep.path}"
        if 2 + width + 1 + len(url) <= console.width:
            console.print(f"  {ep.name:<{width}} {url}", soft_wrap=True, highlight=False)
        else:
            console.print(f"  {ep.name}", highlight=False)
            console.print(f"    {url}", soft_wrap=True, highlight=False)
    if app.state.pki.base_url.rstrip("/") != base:
        console.print(f"[yellow]warning:[/] certificates point at {app.state.pki.base_url} (set at "
                      f"'pki init'); CRL/OCSP links in them will not reach this server. "
                      f"Use --public-url or re-run 'pki init --force'.")
