"""The one HTTP server of ``egov-sim serve``: each system mounts its routes here.

The ASGI app is built by :func:`build_app` from explicit settings and a clock, so tests can
start many simulators in one process. Several uvicorn workers rebuild the same app from the
settings passed through the environment (uvicorn starts workers from an import string).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.settings import Settings
from egov_sim.core.database import Database, database_url

_SETTINGS_ENV = "EGOV_SIM_SERVER_SETTINGS"


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

    from egov_sim.core.auth import DEFAULT_HASHER

    from egov_sim.adapters.gbd_fl import admin_api as persons_admin
    from egov_sim.adapters.providers import build_registries
    from egov_sim.gateway.app import ASYNC_PATH, ASYNC_WSDL, SYNC_PATH, SYNC_WSDL
    from egov_sim.gateway.config import load_config
    from egov_sim.gateway.rshep import build_rshep
    from egov_sim.gateway.shep import build_gateway
    from egov_sim.portal_mock.con.lookups import LookupRules
    from egov_sim.portal_mock.con.workstation import ConOptions, build_con
    from egov_sim.portal_mock.portal.assembly import PortalSettings, build_portal
    from egov_sim.signing import pki_http
    from egov_sim.signing.pki import TestPKI

    config = load_config(settings.config_file, base=builtin_config())
    pki = TestPKI.open_or_init(settings.pki_dir, base_url=settings.base_url, clock=clock,
                               algorithm=settings.signing_algorithm)
    db = Database.open(database_url(settings), clock=clock)
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
                        leg=settings.shep_leg)
    portal = build_portal(db, pki, gateway_url=gateway_url, http=channels_http, clock=clock,
                          settings=PortalSettings(hasher=hasher,
                                                  restrict_eligibility=settings.portal_restricted,
                                                  shep_leg=settings.shep_leg))
    con = build_con(db, pki, gateway_url=gateway_url, http=channels_http, clock=clock, hasher=hasher,
                    options=ConOptions(lookups=LookupRules(literal_and=settings.con_c1_literal_and),
                                       shep_leg=settings.shep_leg))
    gateway = build_gateway(
        config=config, db=db, pki=pki, clock=clock,
        builtin_providers={**registries.providers, "rshep": rshep.provider,
                           "portal_inbox": portal.inbox_provider, "con_inbox": con.inbox_provider},
        config_source=str(settings.config_file or "built-in config"))

    async def redeliver_after_start() -> None:
        """Messages accepted before a crash but never acknowledged by ШЭП go out again once the
        server is listening (the channels reach ШЭП at this server's own address)."""
        await asyncio.sleep(1.0)
        for redeliver in (portal.redeliver_pending, rshep.deliverer.redeliver_all):
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

    routes = [
        *gateway.routes(),
        Mount("/pki", routes=pki_http.routes(pki, clock=clock)),
        Mount("/portal", routes=portal.routes()),
        Mount("/con", routes=con.routes()),
        Mount("/arm", routes=rshep.routes()),
        gateway.admin_mount(extra_routes=persons_admin.routes(registries.persons)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.pki = pki
    app.state.gateway = gateway
    app.state.registries = registries
    app.state.rshep, app.state.portal, app.state.con = rshep, portal, con
    app.state.database = db
    app.state.endpoints = [
        Endpoint("ШЭП SyncChannel v10", SYNC_PATH),
        Endpoint("SyncChannel WSDL", f"/wsdl/{SYNC_WSDL}"),
        Endpoint("ШЭП AsyncChannel v10", ASYNC_PATH),
        Endpoint("AsyncChannel WSDL", f"/wsdl/{ASYNC_WSDL}"),
        *(Endpoint(name, f"/pki{path}") for name, path in pki_http.endpoints(pki)),
        Endpoint("Portal API (egov.kz)", "/portal/openapi.json"),
        Endpoint("ЦОН operator API", "/con/openapi.json"),
        Endpoint("АРМ РШЭП API", "/arm/openapi.json"),
        Endpoint("Admin API (journal)", "/admin/journal"),
        Endpoint("Admin API (fault injection)", "/admin/faults"),
        Endpoint("Admin API (ГБД ФЛ persons)", "/admin/persons"),
    ]
    return app


def builtin_config():
    """The register of interactions of a simulator with no config file: the gateway's own
    entries and every system's (who sends as whom is decided here, where the systems meet)."""
    from egov_sim.adapters.providers import REGISTRATIONS
    from egov_sim.gateway.config import default_config
    from egov_sim.gateway.rshep import registration as rshep
    from egov_sim.portal_mock.con import workstation as con
    from egov_sim.portal_mock.portal import assembly as portal

    return default_config(
        *REGISTRATIONS,
        rshep.registration(channel_senders={"portal": portal.PORTAL_SENDER, "con": con.SENDER_ID}),
        portal.registration(rshep_sender=rshep.SENDER_ID),
        con.registration(rshep_sender=rshep.SENDER_ID))


def app_from_env() -> Starlette:
    """uvicorn factory for worker processes."""
    raw = json.loads(os.environ[_SETTINGS_ENV])
    for key in ("home", "config_file"):
        if raw.get(key):
            raw[key] = Path(raw[key])
    return build_app(Settings(**raw))


def serve(settings: Settings, *, workers: int = 1) -> None:
    import uvicorn
    from rich.console import Console

    app = build_app(settings)  # initialises the PKI and database once, before workers race for them
    console = Console(stderr=True)
    console.print(f"[bold]egov-sim[/] listening on {settings.base_url} (data: {settings.home})")
    for ep in app.state.endpoints:
        console.print(f"  {ep.name:<28} {settings.base_url}{ep.path}")
    if app.state.pki.base_url.rstrip("/") != settings.base_url:
        console.print(f"[yellow]warning:[/] certificates point at {app.state.pki.base_url} (set at "
                      f"'pki init'); CRL/OCSP links in them will not reach this server. "
                      f"Use --public-url or re-run 'pki init --force'.")
    config = dict(host=settings.host, port=settings.port, loop="uvloop", http="httptools",
                  log_level="warning", access_log=False)
    if workers > 1:
        app.state.database.close()
        env = {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(settings).items()}
        os.environ[_SETTINGS_ENV] = json.dumps(env)
        uvicorn.run("egov_sim.app.server:app_from_env", factory=True, workers=workers, **config)
    else:
        uvicorn.run(app, **config)
