"""``egov-sim scenarios list``, ``scenarios check`` and ``egov-sim run``: the conformance scenarios
from the command line.

``run`` exits 0 when every scenario passed, 1 when any failed, 2 on bad usage or a scenario file
that does not load (a :class:`~scenarios.loader.ScenarioFileError`, one line, like every input
error of egov-sim). egov_sim/cli.py mounts both (docs/engine.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from egov_sim.core.cli_support import APP_FACTORY_KEY
from egov_sim.core.errors import InputError
from egov_sim.core.settings import default_home

TEMPLATE_CACHE = "scenario-templates"
"""Where in the data directory ``egov-sim run`` keeps simulator templates between runs."""

scenarios_app = typer.Typer(help="The conformance scenarios (flows and catalogue).",
                            no_args_is_help=True, add_completion=False)


def _load(paths: Optional[list[Path]], select: Optional[list[str]] = None):
    from .loader import load_all

    flows, scenarios = load_all([str(p) for p in paths] if paths else None)
    if select:
        scenarios = [s for s in scenarios if any(k in s.id for k in select)]
        if not scenarios:
            raise InputError(f"no scenario id contains {' or '.join(map(repr, select))}",
                             code="NO_SCENARIOS")
    return flows, scenarios


@scenarios_app.command("list")
def list_command(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Scenario files or folders (flows found there too); default: the shipped catalogue."),
    select: Optional[list[str]] = typer.Option(None, "-k", help="Only scenarios whose id contains this."),
) -> None:
    """List the scenarios: id, regulation/channel, expected path, outcome and deadline."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from egov_sim.core.cli_tables import Record, print_listing

    flows, scenarios = _load(paths, select)
    title = f"{len(scenarios)} scenarios"
    table = Table(title=title, title_justify="left")
    table.add_column("Scenario", no_wrap=True)  # identifiers are never split (cli_tables)
    table.add_column("Flow")
    for column in ("Expected path", "Outcome", "Deadline"):
        table.add_column(column, overflow="fold")
    table.add_column("File", no_wrap=True)
    records = []
    for s in scenarios:
        flow = flows[s.flow]
        cells = (f"{flow.id} ({flow.regulation}/{flow.channel})", " > ".join(s.expect.path),
                 s.expect.outcome + (f", signed by {s.expect.signed_by}" if s.expect.signed_by else ""),
                 s.expect.deadline, f"{Path(s.file).name}:{s.line}")
        table.add_row(s.id, *cells)
        records.append(Record(Text(s.id, style="bold"), list(zip(
            ("flow", "path", "outcome", "deadline", "file"), cells))))
    print_listing(Console(), table, records, [s.id for s in scenarios], title=title)


@scenarios_app.command("check")
def check_command(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Flow or scenario files or folders; default: the shipped flows."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when anything is reported."),
) -> None:
    """Report what a flow that loads may still get wrong: condition branches no set-up can make
    fail, stated terms with no duration under them, regulation defects."""
    from .validator import check_flows

    flows, _ = _load(paths)
    findings = check_flows(flows.values())
    for f in findings:
        typer.echo(str(f))
    typer.echo(f"{len(flows)} flows: {len(findings)} finding(s)")
    raise typer.Exit(1 if strict and findings else 0)


def run_command(
    ctx: typer.Context,
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Scenario files or folders (flows found there too); default: the shipped catalogue."),
    against: Optional[str] = typer.Option(
        None, "--against", metavar="URL",
        help="Play against a running 'egov-sim serve' (give its data directory with --home) "
             "instead of a fresh in-process simulator per scenario."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write a JUnit XML report here."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write the HTML report here."),
    json_: Optional[Path] = typer.Option(None, "--json", help="Write the run as JSON here."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sampled step times (timing: sampled)."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Scenarios played at once (processes)."),
    select: Optional[list[str]] = typer.Option(None, "-k", help="Only scenarios whose id contains this."),
    fresh_template: bool = typer.Option(
        False, "--fresh-template",
        help="Build the simulator template anew instead of reusing the one kept in the data directory "
             "(keys and certificates then differ from earlier runs)."),
) -> None:
    """Play the scenarios end to end against the systems; exit 1 if any fails."""
    from rich.console import Console

    from .engine import RunOptions, run
    from .reports import ProgressReporter, write_json, write_junit

    flows, scenarios = _load(paths, select)
    if against and jobs > 1:
        typer.echo("egov-sim: note: --against plays one scenario at a time (-j ignored)", err=True)
    home = getattr(ctx.obj, "home", None) if ctx.obj is not None else None
    cache = None if fresh_template or against else (home or default_home()) / TEMPLATE_CACHE
    options = RunOptions(seed=seed, jobs=jobs, against=against, home=home,
                         app_factory=ctx.meta.get(APP_FACTORY_KEY), template_cache=cache)
    console = Console()
    with ProgressReporter(console) as progress:
        result = run(scenarios, flows, options, on_start=progress.start, on_result=progress.advance)
        progress.finish(result)
    if junit:
        write_junit(result, junit)
    if json_:
        write_json(result, json_)
    if html:
        from .reports import write_html

        write_html(result, html)
    for path, what in ((junit, "JUnit"), (html, "HTML"), (json_, "JSON")):
        if path:
            console.print(f"{what} report: {path}")
    raise typer.Exit(0 if result.passed else 1)
