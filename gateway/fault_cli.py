"""``egov-sim faults …``: add, list, remove and reset the gateway's fault rules.

The rules are in the simulator's database, so a rule added here applies at once to a running
server (every worker). Settings come from the root command (``ctx.find_root().obj``); errors a
user can cause are :class:`InputError` (the root CLI prints them on one line, exit code 2).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table

from egov_sim.core.cli_support import open_database

from .fault_injection import (
    MALFORMED_KINDS,
    RULE_FIELDS,
    FaultInjector,
    FaultRule,
    FaultRuleNotFound,
    rule_from_mapping,
)

faults_app = typer.Typer(
    name="faults",
    help="Fault injection in the gateway: latency, fault codes, timeouts, malformed responses.",
    no_args_is_help=True,
    add_completion=False,
)

CLI_NAMES = {("--sender" if name == "sender_id" else "--" + name.replace("_", "-")): name
             for name in RULE_FIELDS}
"""CLI options → rule fields, so errors name the option the user typed."""


@contextmanager
def _injector(ctx: typer.Context) -> Iterator[FaultInjector]:
    with open_database(ctx) as db:
        yield FaultInjector(db)


def _uses(rule: FaultRule) -> str:
    return "unlimited" if rule.times is None else f"{rule.remaining}/{rule.times} left"


@faults_app.command("add")
def add(
    ctx: typer.Context,
    service_id: Optional[str] = typer.Option(None, "--service-id", help="serviceId (default: any)."),
    sender: Optional[str] = typer.Option(None, "--sender", help="senderId (default: any)."),
    latency_ms: Optional[float] = typer.Option(None, "--latency-ms", help="Fixed latency, ms."),
    latency_ms_min: Optional[float] = typer.Option(
        None, "--latency-ms-min", help="Random latency (uniform) from this many ms…"),
    latency_ms_max: Optional[float] = typer.Option(None, "--latency-ms-max", help="…to this many ms."),
    fault_code: Optional[str] = typer.Option(
        None, "--fault-code", help="Answer a fault with this errorCode (SCE909, a provider's code…)."),
    fault_message: Optional[str] = typer.Option(None, "--fault-message", help="The fault's errorMessage."),
    fault_data: Optional[str] = typer.Option(None, "--fault-data", help="The fault's errorData."),
    timeout: bool = typer.Option(
        False, "--timeout", help="The provider does not answer: wait the service's timeout, then SCE011."),
    malformed: Optional[str] = typer.Option(
        None, "--malformed", help=f"Corrupt the response body: {', '.join(MALFORMED_KINDS)}."),
    probability: Optional[float] = typer.Option(
        None, "--probability", help="Chance (0..1) that a matching request is hit; default 1."),
    times: Optional[int] = typer.Option(None, "--times", help="Apply this many times, then expire."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored rule as JSON."),
) -> None:
    """Add a fault rule; it applies to the running server at once."""
    given = {"--service-id": service_id, "--sender": sender, "--latency-ms": latency_ms,
             "--latency-ms-min": latency_ms_min, "--latency-ms-max": latency_ms_max,
             "--fault-code": fault_code, "--fault-message": fault_message,
             "--fault-data": fault_data, "--timeout": timeout or None, "--malformed": malformed,
             "--probability": probability, "--times": times}
    rule = rule_from_mapping(given, source="cli", names=CLI_NAMES)
    with _injector(ctx) as injector:
        rule = injector.add(rule)
    if as_json:
        typer.echo(json.dumps(rule.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"added fault rule {rule.id}: {_scope(rule)}: {rule.describe()}")


def _scope(rule: FaultRule) -> str:
    return (f"serviceId {rule.service_id or 'any'}, sender {rule.sender_id or 'any'}"
            + (f", probability {rule.probability:g}" if rule.probability < 1 else "")
            + (f", {_uses(rule)}" if rule.times is not None else ""))


@faults_app.command("list")
def list_rules(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="A JSON array instead of a table."),
) -> None:
    """List the fault rules, oldest first (expired ones show 0 uses left)."""
    with _injector(ctx) as injector:
        rules = injector.list()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rules], ensure_ascii=False, indent=2))
        return
    table = Table()
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("serviceId", overflow="fold")
    table.add_column("senderId", overflow="fold")
    table.add_column("effect", overflow="fold")
    table.add_column("probability", no_wrap=True, justify="right")
    table.add_column("uses", no_wrap=True)
    table.add_column("source", no_wrap=True)
    for r in rules:
        table.add_row(str(r.id), r.service_id or "any", r.sender_id or "any", r.describe(),
                      f"{r.probability:g}", _uses(r), r.source)
    Console().print(table)
    if not rules:
        typer.echo("no fault rules", err=True)


@faults_app.command("remove")
def remove(
    ctx: typer.Context,
    rule_id: int = typer.Argument(..., metavar="ID", help="Rule id (from `faults list`)."),
) -> None:
    """Remove one fault rule."""
    with _injector(ctx) as injector:
        if not injector.remove(rule_id):
            raise FaultRuleNotFound(f"no fault rule {rule_id}")
    typer.echo(f"removed fault rule {rule_id}")


@faults_app.command("reset")
def reset(ctx: typer.Context) -> None:
    """Remove every fault rule, those of the config file too (run it between tests)."""
    with _injector(ctx) as injector:
        removed = injector.reset()
    typer.echo(f"removed {removed} fault rules")
