"""``egov-sim stubs …``: list and check stub files, see which stub a request would hit, build
stub sets from the ШЭП journal or an XSD, and read or reset scenario states.

Stub sets come from folders given as arguments (each folder is one set) or from the gateway
config (``--config``, or ``$EGOV_SIM_CONFIG``): every service backed by ``stubs``. Errors a
user can cause are InputErrors (one line, exit code 2); ``test`` exits 1 when no stub matches.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from egov_sim.core.cli_support import open_database
from egov_sim.core.clock import system_clock
from egov_sim.core.errors import InputError
from egov_sim.core.safe_xml import XmlLimits

stubs_app = typer.Typer(
    name="stubs",
    help="Stub providers: check stub files, test a request against them, record from the journal.",
    no_args_is_help=True,
    add_completion=False,
)

_CONFIG = typer.Option(None, "--config", envvar="EGOV_SIM_CONFIG",
                       help="Gateway config (TOML): its services backed by stubs.")


def _sources(folders: list[Path], config: Path | None):
    from ..config import load_config
    from .provider import sources_of
    from .stub_files import StubSource

    sources = [StubSource(f.name or str(f), directory=f.resolve(), where=str(f)) for f in folders]
    if config is not None:
        sources += sources_of(load_config(config))
    elif not folders:
        raise InputError("name stub folders, or a gateway config with --config")
    return sources


@stubs_app.command("check")
def check(
    folders: list[Path] = typer.Argument(None, metavar="[FOLDER]...", help="Stub folders."),
    config: Optional[Path] = _CONFIG,
) -> None:
    """Load and check stub files; the first problem is printed as file:line: what (exit 2)."""
    total_stubs = total_files = 0
    for source in _sources(folders or [], config):
        compiled = source.load()
        total_stubs += len(compiled.stub_set.stubs)
        total_files += len(compiled.stub_set.files)
        typer.echo(f"{source.name}: {len(compiled.stub_set.stubs)} stubs in "
                   f"{len(compiled.stub_set.files)} files: ok")
    typer.echo(f"{total_stubs} stubs in {total_files} files: ok")


@stubs_app.command("list")
def list_stubs(
    folders: list[Path] = typer.Argument(None, metavar="[FOLDER]...", help="Stub folders."),
    config: Optional[Path] = _CONFIG,
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """The stubs of each set in the order they are tried: priority, then load order."""
    sets = [(s.name, s.load().stub_set) for s in _sources(folders or [], config)]
    if as_json:
        typer.echo(json.dumps([{"name": name, "stubs": [
            {"name": s.name, "where": s.where, "priority": s.priority, "match": s.describe_match(),
             "answer": s.answer.describe()} for s in stub_set.stubs]} for name, stub_set in sets],
            ensure_ascii=False, indent=2))
        return
    table = Table()
    for column in ("set", "stub", "priority", "where", "match", "answer"):
        table.add_column(column, overflow="fold")
    for name, stub_set in sets:
        for s in stub_set.stubs:
            table.add_row(name, s.name, str(s.priority), s.where, s.describe_match(), s.answer.describe())
    Console(width=200).print(table)


def _read_request(path: Path):
    from .. import soap
    from ..errors import GatewayFault
    from ..request_info import read_request_info

    raw = path.read_bytes()
    try:
        message = soap.parse_message(raw, XmlLimits(max_bytes=64 * 1024 * 1024))
        request = message.operation.find("request")
        info = read_request_info(request)
    except GatewayFault as fault:
        raise InputError(f"{path}: not a SendMessage request: {fault.data or fault.message}") from None
    data = request.find("requestData/data")
    return info, soap.copy_data(data) if data is not None else None


@stubs_app.command("test")
def test_request(
    request_file: Path = typer.Argument(..., metavar="REQUEST.xml", help="A SendMessage envelope."),
    stubs: Optional[Path] = typer.Option(None, "--stubs", help="Stub folder (default: from --config)."),
    config: Optional[Path] = _CONFIG,
    state: list[str] = typer.Option([], "--state", metavar="SCENARIO=STATE",
                                    help="Scenario state to assume (default: Started)."),
    explain: bool = typer.Option(False, "--explain", help="Every stub with why it does (not) match."),
) -> None:
    """Which stub answers this request, and what it answers (exit 1: none matches)."""
    from .matching import RequestView, near_misses
    from .provider import StubRegistry
    from .stub_files import StubSource

    info, data = _read_request(request_file)
    if stubs is not None:
        source = StubSource(info.service_id, directory=stubs.resolve(), where=str(stubs))
    else:
        candidates = {s.name: s for s in _sources([], config)}
        source = candidates.get(info.route_id or "") or candidates.get(info.service_id)
        if source is None:
            raise InputError(f"serviceId {info.service_id} is not backed by stubs in {config}")
    states = {}
    for item in state:
        scenario, sep, value = item.partition("=")
        if not sep or not scenario or not value:
            raise InputError(f"--state {item!r}: write SCENARIO=STATE")
        states[scenario] = value
    registry = StubRegistry([source], reload_seconds=0)
    stub_set = registry.stub_set(source.name)
    view = RequestView(info, data)
    typer.echo(f"request: serviceId {info.service_id}, senderId {info.sender_id}"
               + (f", routeId {info.route_id}" if info.route_id else ""))
    typer.echo(f"stub set {source.name}: {len(stub_set.stubs)} stubs")
    if explain:
        for miss in near_misses(stub_set.stubs, view, states):
            verdict = "matches" if not miss.reasons else "; ".join(miss.reasons)
            typer.echo(f"  {miss.stub.name} ({miss.stub.where}, priority {miss.stub.priority}): {verdict}")
    stub = stub_set.match(view, states)
    if stub is None:
        outcome = asyncio.run(_preview(registry, source.name, view, states))
        typer.echo(f"no stub matches: {outcome.fault.data}")
        raise typer.Exit(1)
    typer.echo(f"stub {stub.name!r} ({stub.where}) answers {stub.answer.describe()}")
    outcome = asyncio.run(_preview(registry, source.name, view, states))
    if outcome.fault is not None:
        typer.echo(f"fault {outcome.fault.code}: {outcome.fault.message}"
                   + (f" ({outcome.fault.data})" if outcome.fault.data else ""))
    elif outcome.reply.data is not None:
        from lxml import etree

        typer.echo(etree.tostring(outcome.reply.data, encoding="unicode"))


async def _preview(registry, name: str, view, states):
    """The answer as the server would give it, with ``states``, counters from 1, unsigned."""
    from .provider import StubProvider

    provider = StubProvider(registry, name)
    provider.preview_states = states
    return await provider.answer(view, preview=True)


@stubs_app.command("from-journal")
def from_journal(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Folder the stub files are written to."),
    service_id: Optional[str] = typer.Option(None, "--service-id", help="Only this serviceId."),
    sender: Optional[str] = typer.Option(None, "--sender", help="Only this senderId."),
    since: Optional[str] = typer.Option(None, "--since", help="ISO-8601 time or an age: 15m, 2h, 1d."),
    until: Optional[str] = typer.Option(None, "--until", help="Same forms as --since."),
) -> None:
    """Turn journaled exchanges into a stub set (one stub per distinct request)."""
    from ..journal import Journal, JournalFilter, parse_time
    from .recording import from_journal as convert

    now = system_clock()
    where = JournalFilter(service_id=service_id, sender_id=sender,
                          since=parse_time(since, now=now) if since else None,
                          until=parse_time(until, now=now) if until else None)
    with open_database(ctx) as db:
        journal = Journal(db)
        entries = (journal.get(item["id"]) for item in journal.export(where))
        result = convert(entries, out)
    typer.echo(f"wrote {len(result.written)} stubs to {out}")
    for reason, count in sorted(result.skipped.items()):
        typer.echo(f"skipped {count}: {reason}")


@stubs_app.command("from-xsd")
def from_xsd(
    xsd: Path = typer.Argument(..., metavar="SCHEMA.xsd", help="The service's XSD."),
    service_id: str = typer.Option(..., "--service-id", help="serviceId the stubs answer."),
    element: list[str] = typer.Option([], "--element", help="Global element(s) to answer with (default: all)."),
    out: Path = typer.Option(..., "--out", help="Folder for the stub file."),
) -> None:
    """Write a stub file with a skeleton answer per element of the XSD, to edit."""
    from egov_sim.core import atomic

    from .skeleton import stubs_from_xsd

    if not xsd.is_file():
        raise InputError(f"{xsd}: no such file")
    text = stubs_from_xsd(xsd, service_id=service_id, elements=element or None)
    target = out / f"{xsd.stem}.yaml"
    atomic.write_text(target, text)
    typer.echo(f"wrote {target}")


@stubs_app.command("state")
def show_state(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Scenario states stored in the database (scenarios not listed are in Started)."""
    from .state import StubStates

    with open_database(ctx) as db:
        records = StubStates(db).list()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return
    for r in records:
        typer.echo(f"{r.stub_set}\t{r.scenario}\t{r.state}")
    if not records:
        typer.echo("every scenario is in Started", err=True)


@stubs_app.command("reset")
def reset(
    ctx: typer.Context,
    stub_set: Optional[str] = typer.Argument(None, metavar="[SET]", help="One stub set (default: all)."),
) -> None:
    """Every scenario back to Started and counters to zero (run it between tests)."""
    from .state import StubStates

    with open_database(ctx) as db:
        count = StubStates(db).reset(stub_set)
    typer.echo(f"reset {count} scenario states" + (f" of {stub_set}" if stub_set else ""))
