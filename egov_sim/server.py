"""The one HTTP server of ``egov-sim serve``: each system mounts its routes here.

The ASGI app is built by :func:`build_app` from explicit settings and a clock, so tests can
start many simulators in one process. Several uvicorn workers rebuild the same app from the
settings passed through the environment (uvicorn starts workers from an import string).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from .clock import Clock, system_clock
from .config import Settings

_SETTINGS_ENV = "EGOV_SIM_SERVER_SETTINGS"


@dataclasses.dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


def build_app(settings: Settings, *, clock: Clock = system_clock) -> Starlette:
    from signing import pki_http
    from signing.pki import TestPKI

    pki = TestPKI.open_or_init(settings.pki_dir, base_url=settings.base_url, clock=clock)
    app = Starlette(routes=[Mount("/pki", routes=pki_http.routes(pki, clock=clock))])
    app.state.settings = settings
    app.state.pki = pki
    app.state.endpoints = [Endpoint(name, f"/pki{path}") for name, path in pki_http.endpoints(pki)]
    return app


def app_from_env() -> Starlette:
    """uvicorn factory for worker processes."""
    raw = json.loads(os.environ[_SETTINGS_ENV])
    raw["home"] = Path(raw["home"])
    return build_app(Settings(**raw))


def serve(settings: Settings, *, workers: int = 1) -> None:
    import uvicorn
    from rich.console import Console

    app = build_app(settings)  # also initialises the PKI once, before workers race for it
    console = Console(stderr=True)
    console.print(f"[bold]egov-sim[/] data: {settings.home}")
    for ep in app.state.endpoints:
        console.print(f"  {ep.name:<28} {settings.base_url}{ep.path}")
    config = dict(host=settings.host, port=settings.port, loop="uvloop", http="httptools",
                  log_level="warning", access_log=False)
    if workers > 1:
        env = dataclasses.asdict(settings)
        env["home"] = str(settings.home)
        os.environ[_SETTINGS_ENV] = json.dumps(env)
        uvicorn.run("egov_sim.server:app_from_env", factory=True, workers=workers, **config)
    else:
        uvicorn.run(app, **config)
