"""The ``egov-sim`` command. Sub-commands live beside the domain they drive and are mounted here.

typer (on click) gives typed options, ``--help`` everywhere and exit code 2 for bad usage;
rich prints tables and progress. Every error a user can cause is an :class:`InputError`
(or an OSError on a file they named) and is reported on one line with exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .config import DEFAULT_HOST, DEFAULT_PORT, Settings, default_home
from .errors import InputError

app = typer.Typer(
    name="egov-sim",
    help="Simulator of Kazakhstan's e-government integration (ШЭП, ГБД ФЛ, ЕНИС, egov.kz, ЦОН, ЭЦП).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(
        None, "--home", envvar="EGOV_SIM_HOME",
        help="Data directory (PKI, databases). Default: the per-user data directory."),
    public_url: Optional[str] = typer.Option(
        None, "--public-url", envvar="EGOV_SIM_PUBLIC_URL",
        help="Base URL written into certificates (CRL, OCSP); default http://HOST:PORT."),
) -> None:
    ctx.obj = Settings(home=home or default_home(), public_url=public_url)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option(DEFAULT_HOST, help="Address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (uvicorn)."),
) -> None:
    """Run the simulator: every system on one HTTP server, with zero configuration."""
    from .server import serve as run_server

    settings: Settings = ctx.obj.with_(host=host, port=port)
    run_server(settings, workers=workers)


def _mount_subcommands() -> None:
    from signing.cli_pki import cert_app, pki_app
    from signing.cli_sign import register as register_sign

    app.add_typer(pki_app, name="pki")
    app.add_typer(cert_app, name="cert")
    register_sign(app)


_mount_subcommands()


def fail(message: str) -> "typer.Exit":
    typer.echo(f"egov-sim: error: {message}", err=True)
    return typer.Exit(2)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one-line errors with exit code 2, never a traceback."""
    try:
        app(args=argv, prog_name="egov-sim", standalone_mode=True)
    except InputError as exc:
        typer.echo(f"egov-sim: error: {exc}", err=True)
        sys.exit(2)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        typer.echo(f"egov-sim: error: {exc.strerror}: {exc.filename}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
