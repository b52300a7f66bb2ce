"""Helpers shared by the fault injection tests (not collected by pytest)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from egov_sim.core.settings import Settings
from egov_sim.gateway.fault_cli import faults_app


def make_app() -> typer.Typer:
    """A small root CLI that mounts ``faults_app`` as ``egov-sim`` will, with ``--home``."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def root(ctx: typer.Context,
             home: Optional[Path] = typer.Option(None, "--home")) -> None:
        ctx.obj = Settings(home=home) if home else ctx.obj

    app.add_typer(faults_app, name="faults")
    return app
