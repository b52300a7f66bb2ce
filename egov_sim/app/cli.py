"""The ``egov-sim`` command. Sub-commands live beside the domain they drive and are mounted here.

typer (on click) gives typed options, ``--help`` everywhere and exit code 2 for bad usage;
rich prints tables and progress. Every error a user can cause is an :class:`InputError`
(or an OSError on a file they named) and is reported on one line with exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from egov_sim.core.cli_support import APP_FACTORY_KEY
from egov_sim.core.errors import STARTUP_EXIT_CODE, InputError, StartupError
from egov_sim.core.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, default_home

app = typer.Typer(
    name="egov-sim",
    help="Simulator of Kazakhstan's e-government integration (ШЭП, ГБД ФЛ, ЕНИС, egov.kz, ЦОН, ЭЦП).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"egov-sim {version('egov-sim')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("egov-sim (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(
        None, "--home", envvar="EGOV_SIM_HOME",
        help="Data directory (PKI, databases). Default: the per-user data directory."),
    public_url: Optional[str] = typer.Option(
        None, "--public-url", envvar="EGOV_SIM_PUBLIC_URL",
        help="Base URL written into certificates (CRL, OCSP); default http://HOST:PORT."),
    _show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    ctx.obj = Settings(home=home or default_home(), public_url=public_url)
    ctx.meta[APP_FACTORY_KEY] = build_app


def build_app(*args, **kwargs):
    """The server's app builder, imported when a command first builds a simulator (the CLI starts
    fast); sub-commands that play scenarios find it in ``ctx.meta[APP_FACTORY_KEY]``."""
    from egov_sim.app.server import build_app as build

    return build(*args, **kwargs)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option(DEFAULT_HOST, help="Address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, min=1, max=65535, help="TCP port (1-65535)."),
    workers: int = typer.Option(1, min=1, help="Worker processes (uvicorn)."),
    config: Optional[Path] = typer.Option(
        None, "--config", envvar="EGOV_SIM_CONFIG",
        help="Gateway config file (TOML): participants, services, routes, policies."),
    population: int = typer.Option(
        10_000, min=0, help="ГБД ФЛ persons generated on the first start (personas come on top)."),
    refusal_via_head: bool = typer.Option(
        True, "--refusal-via-head/--refusal-by-executor",
        help="Reading of 002 §7 item 9: does a reasoned refusal pass the head's signature?"),
    c1_literal_and: bool = typer.Option(
        False, "--c1-literal-and",
        help="Reading of 002 §9.5: ЦОН notice P4 only when ГБД ФЛ and ЕНИС both fail."),
    portal_open: bool = typer.Option(
        False, "--portal-open",
        help="Reading of 000 §1.3 as an enumeration: no portal eligibility check (K16)."),
    sync_legs: bool = typer.Option(
        False, "--sync-legs",
        help="Reading of wire-formats §6–7: portal/ЦОН → РШЭП requests and РШЭП's answers over "
             "SyncChannel SendMessage instead of the AsyncChannel."),
    signing_algorithm: str = typer.Option(
        "rsa", "--signing-algorithm", envvar="EGOV_SIM_SIGNING_ALGORITHM",
        help="Keys of the simulator's systems, staff and personas: rsa, gost2004, gost2015-256, gost2015-512."),
    max_body: int = typer.Option(
        Settings.max_body, "--max-body", min=1024, metavar="BYTES",
        help="Largest request body of the JSON APIs (portal, ЦОН, АРМ, admin); 413 above it."),
    s3_as_step: bool = typer.Option(
        False, "--s3-as-step",
        help="Reading of 000 §5.3: S3's 7 wd (4 wd) is its own length, not a milestone from hand-in."),
    no_hand_offs: bool = typer.Option(
        False, "--no-hand-offs",
        help="Reading of 002 App.4: the transfers between the ЦОН and the provider take no time."),
    ncalayer_url: str = typer.Option(
        "wss://127.0.0.1:13579", "--ncalayer-url", envvar="EGOV_SIM_NCALAYER_URL",
        help="Where the signing pages find NCALayer (the real one or the emulator)."),
    ncalayer: bool = typer.Option(
        False, "--ncalayer", help="Also run the NCALayer emulator at --ncalayer-url (ws:// or wss://)."),
    ncalayer_persona: Optional[list[str]] = typer.Option(
        None, "--ncalayer-persona", help="Persona keys the emulator signs with (repeatable; default: guardian)."),
) -> None:
    """Run the simulator: every system on one HTTP server, with zero configuration."""
    from egov_sim.app.server import serve as run_server

    settings: Settings = ctx.obj.with_(host=host, port=port, config_file=config,
                                       population=population, refusal_via_head=refusal_via_head,
                                       con_c1_literal_and=c1_literal_and,
                                       portal_restricted=not portal_open, max_body=max_body,
                                       shep_leg="sync" if sync_legs else "async",
                                       signing_algorithm=signing_algorithm, ncalayer_url=ncalayer_url,
                                       hand_in_milestone=not s3_as_step, app4_hand_offs=not no_hand_offs)
    from egov_sim.signing.pki_gost import ALGORITHM_CHOICES

    if signing_algorithm not in ALGORITHM_CHOICES:
        raise typer.BadParameter(f"use one of {', '.join(ALGORITHM_CHOICES)}", param_hint="--signing-algorithm")
    emulator = None
    if ncalayer:
        from egov_sim.app.server import NcalayerOptions

        emulator = NcalayerOptions.from_url(ncalayer_url, personas=tuple(ncalayer_persona or ("guardian",)))
    run_server(settings, workers=workers, ncalayer=emulator)


def _mount_subcommands() -> None:
    from egov_sim.adapters.gbd_fl.persons_cli import persons_app
    from egov_sim.adapters.notary.cli import enis_app
    from egov_sim.adapters.social.cli import balkhash_app
    from egov_sim.gateway.fault_cli import faults_app
    from egov_sim.gateway.journal_cli import journal_app
    from egov_sim.gateway.stubs.cli import stubs_app
    from egov_sim.scenarios.cli import run_command, scenarios_app
    from egov_sim.signing.cli_pki import cert_app, pki_app
    from egov_sim.signing.cli_sign import register as register_sign
    from egov_sim.signing.ncalayer.cli import register as register_ncalayer

    app.add_typer(pki_app, name="pki")
    app.add_typer(journal_app, name="journal")
    app.add_typer(faults_app, name="faults")
    app.add_typer(stubs_app, name="stubs")
    app.add_typer(persons_app, name="persons")
    app.add_typer(enis_app, name="enis")
    app.add_typer(balkhash_app, name="balkhash")
    app.add_typer(scenarios_app, name="scenarios")
    app.command("run")(run_command)
    app.add_typer(cert_app, name="cert")
    register_sign(app)
    register_ncalayer(app)


_mount_subcommands()


def fail(message: str) -> typer.Exit:
    typer.echo(f"egov-sim: error: {message}", err=True)
    return typer.Exit(2)


def _is(exc: BaseException, name: str) -> bool:
    """Click exception by class name: typer may vendor its own copy of click."""
    return any(cls.__name__ == name for cls in type(exc).__mro__)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one-line errors with exit code 2, never a traceback."""
    try:
        code = app(args=argv, prog_name="egov-sim", standalone_mode=False)
    except InputError as exc:
        typer.echo(f"egov-sim: error: {exc}", err=True)
        sys.exit(2)
    except StartupError as exc:
        typer.echo(f"egov-sim: error: {exc}", err=True)
        sys.exit(STARTUP_EXIT_CODE)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        typer.echo(f"egov-sim: error: {exc.strerror}: {exc.filename}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        click_error: Any = error  # matched by class name: typer may vendor its own click
        if _is(click_error, "UsageError") and not click_error.format_message():
            sys.exit(2)  # no arguments: the help was printed
        if _is(click_error, "UsageError"):
            ctx = getattr(click_error, "ctx", None)
            where = ctx.command_path if ctx is not None else "egov-sim"
            typer.echo(f"egov-sim: error: {click_error.format_message()} (see '{where} --help')", err=True)
            sys.exit(2)
        if _is(click_error, "ClickException"):
            typer.echo(f"egov-sim: error: {click_error.format_message()}", err=True)
            sys.exit(getattr(click_error, "exit_code", 1))
        if _is(click_error, "Abort"):
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)
