"""The one HTTP server of ``egov-sim serve``: each system mounts its routes here.

The ASGI app is built by :func:`build_app` from explicit settings and a clock, so tests can
start many simulators in one process. Several uvicorn workers rebuild the same app from the
settings passed through the environment (uvicorn starts workers from an import string).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from .clock import Clock, system_clock
from .config import Settings
from .database import Database, database_url

_SETTINGS_ENV = "EGOV_SIM_SERVER_SETTINGS"


@dataclasses.dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


def build_app(settings: Settings, *, clock: Clock = system_clock) -> Starlette:
    from adapters.gbd_fl import admin_api as persons_admin
    from adapters.providers import build_registries
    from gateway.app import SYNC_PATH, SYNC_WSDL
    from gateway.config import load_config
    from gateway.shep import build_gateway
    from signing import pki_http
    from signing.pki import TestPKI

    config = load_config(settings.config_file)
    pki = TestPKI.open_or_init(settings.pki_dir, base_url=settings.base_url, clock=clock)
    db = Database.open(database_url(settings), clock=clock)
    registries = build_registries(db, pki, clock=clock)
    gateway = build_gateway(config=config, db=db, pki=pki, clock=clock,
                            builtin_providers=registries.providers,
                            config_source=str(settings.config_file or "built-in config"))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await gateway.aclose()
            db.close()

    routes = [
        *gateway.routes(),
        Mount("/pki", routes=pki_http.routes(pki, clock=clock)),
        gateway.admin_mount(extra_routes=persons_admin.routes(registries.persons)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.pki = pki
    app.state.gateway = gateway
    app.state.registries = registries
    app.state.database = db
    app.state.endpoints = [
        Endpoint("ШЭП SyncChannel v10", SYNC_PATH),
        Endpoint("SyncChannel WSDL", f"/wsdl/{SYNC_WSDL}"),
        *(Endpoint(name, f"/pki{path}") for name, path in pki_http.endpoints(pki)),
        Endpoint("Admin API (journal)", "/admin/journal"),
        Endpoint("Admin API (fault injection)", "/admin/faults"),
        Endpoint("Admin API (ГБД ФЛ persons)", "/admin/persons"),
    ]
    return app


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
        uvicorn.run("egov_sim.server:app_from_env", factory=True, workers=workers, **config)
    else:
        uvicorn.run(app, **config)
