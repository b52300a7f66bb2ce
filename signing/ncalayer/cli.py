"""``egov-sim ncalayer``: run the NCALayer emulator in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .keystore import Choice
from .server import DEFAULT_HOST, DEFAULT_PORT


def ncalayer(
    ctx: typer.Context,
    host: str = typer.Option(DEFAULT_HOST, help="Address to listen on (NCALayer: loopback)."),
    port: int = typer.Option(DEFAULT_PORT, help="TCP port (NCALayer: 13579)."),
    tls: bool = typer.Option(True, "--tls/--no-tls",
                             help="wss:// with a self-signed certificate (as NCALayer), or plain ws://."),
    tls_cert: Optional[Path] = typer.Option(None, "--tls-cert", help="PEM certificate instead of the generated one."),
    tls_key: Optional[Path] = typer.Option(None, "--tls-key", help="PEM key of --tls-cert."),
    persona: Optional[list[str]] = typer.Option(
        None, "--persona", help="Sign with this persona's test key (repeatable; default: guardian)."),
    p12: Optional[list[Path]] = typer.Option(None, "--p12", help="Sign with this PKCS#12 file (repeatable)."),
    password: Optional[str] = typer.Option(None, "--password", envvar="EGOV_SIM_P12_PASSWORD",
                                           help="Password of the --p12 files."),
    algorithm: Optional[str] = typer.Option(
        None, "--algorithm", help="Persona keys: rsa, gost2004, gost2015-256, gost2015-512 (default: the PKI's)."),
    choose: Choice = typer.Option(Choice.FIRST, "--choose",
                                  help="The dialog's answer: first (the first key that fits) or cancel."),
    allow_origin: Optional[list[str]] = typer.Option(
        None, "--allow-origin", help="Only pages of this origin may connect (repeatable; default: any)."),
) -> None:
    """Run an NCALayer emulator: NCALayer's WebSocket protocol, signing with test keys, no dialog."""
    from egov_sim.core.errors import InputError

    from ..pki import TestPKI
    from ..pki_gost import ALGORITHM_CHOICES
    from .assembly import DEFAULT_PERSONAS, build_ncalayer
    from .server import Listen, build_app, uvicorn_config

    if algorithm is not None and algorithm not in ALGORITHM_CHOICES:
        raise InputError(f"--algorithm: use one of {', '.join(ALGORITHM_CHOICES)}", code="BAD_USAGE")
    if (tls_cert is None) != (tls_key is None):
        raise InputError("give both --tls-cert and --tls-key, or neither", code="BAD_USAGE")
    settings = ctx.find_root().obj
    personas = list(persona or ([] if p12 else DEFAULT_PERSONAS))
    pki = TestPKI.open_or_init(settings.pki_dir, base_url=settings.base_url) if personas else None
    emulator = build_ncalayer(pki, personas=personas, p12_files=p12 or [], password=password,
                              algorithm=algorithm, choice=choose)
    listen = Listen(host, port, tls, tls_cert, tls_key, tuple(allow_origin) if allow_origin else None)
    config = uvicorn_config(build_app(emulator, allowed_origins=listen.allowed_origins), listen,
                            tls_folder=settings.home / "ncalayer")
    from rich.console import Console

    console = Console(stderr=True)
    console.print(f"[bold]egov-sim NCALayer emulator[/] on {listen.url}")
    for entry in emulator.keys.entries:
        console.print(f"  key {entry.source:<26} {entry.info.common_name} (IIN {entry.info.iin}, "
                      f"{entry.info.key_usage}, {entry.info.sign_alg})")
    if tls and tls_cert is None:
        console.print(f"  TLS certificate: {settings.home / 'ncalayer' / 'ncalayer-tls.pem'} — open "
                      f"https://{host}:{port}/ once in the browser to accept it")
    import uvicorn

    uvicorn.Server(config).run()


def register(app: typer.Typer) -> None:
    app.command("ncalayer")(ncalayer)
