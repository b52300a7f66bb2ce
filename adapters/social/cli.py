"""``egov-sim balkhash …``: inspect and seed the registers of the Balkhash department (seed 001).

The registers are in the simulator's database (``$EGOV_SIM_DATABASE_URL`` or HOME/egov-sim.db);
persons are ГБД ФЛ's, so ``egov-sim serve`` (or ``egov-sim persons generate``) must have filled
the person registry first. Every write is committed before the command returns and recorded in
the registers' history with the actor ``cli``. Errors are one line with exit code 2.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table

from egov_sim.core.cli_support import open_database, settings_of
from egov_sim.core.clock import ALMATY, system_clock
from egov_sim.core.errors import InputError
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference.personas import PERSONAS

from ..gbd_fl.registry import PersonRegistry
from . import SocialRegisters, Thresholds, build_social_registers, load_thresholds
from .eligibility import Facts
from .income import housing_share, per_capita_income, previous_quarter
from .personas import SEEDED_KEYS, ensure_persona_registers, reset_persona_registers

ACTOR = "cli"

balkhash_app = typer.Typer(
    name="balkhash",
    help="Registers of the Balkhash department (seed 001): unemployed, households, medical data, payments.",
    no_args_is_help=True,
    add_completion=False,
)


def _thresholds(ctx: typer.Context) -> Thresholds:
    path = settings_of(ctx).home / "balkhash-thresholds.toml"
    return load_thresholds(path) if path.exists() else Thresholds()


@contextmanager
def _registers(ctx: typer.Context) -> Iterator[SocialRegisters]:
    with open_database(ctx) as db:
        persons = PersonRegistry(db)
        if persons.is_empty():
            raise InputError("ГБД ФЛ's person registry is empty: run 'egov-sim serve' once or "
                             "'egov-sim persons generate' first", code="NO_PERSONS")
        yield build_social_registers(db, persons, thresholds=_thresholds(ctx))


def _today() -> date:
    return system_clock().astimezone(ALMATY).date()  # the CLI is the edge where the clock is chosen


def _date(value: Optional[str], option: str) -> date:
    if not value:
        return _today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD, got {value!r}", code="BAD_PARAMETER") from None


def _echo(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@balkhash_app.command("thresholds")
def thresholds(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """The thresholds and amounts by year, with their source (HOME/balkhash-thresholds.toml over the defaults)."""
    t = _thresholds(ctx)
    if as_json:
        _echo(t.to_json())
        return
    table = Table(title=f"Balkhash thresholds ({t.origin})")
    for col in ("year", "МРП", "ПМ", "food basket", "poverty line", "housing share", "source"):
        table.add_column(col)
    for y in sorted(t.years.values(), key=lambda y: y.year):
        table.add_row(str(y.year), str(y.mrp), str(y.subsistence_minimum), str(y.food_basket), str(y.poverty_line),
                      str(y.housing_share), y.source)
    Console().print(table)


@balkhash_app.command("person")
def person(ctx: typer.Context, iin: str, on: Optional[str] = typer.Option(None, "--on", help="Date (YYYY-MM-DD)."),
           as_json: bool = typer.Option(True, "--json/--text")) -> None:
    """Everything the registers hold on a person, as of a date."""
    with _registers(ctx) as r:
        if r.persons.get(iin) is None:
            raise InputError(f"{iin} is not in ГБД ФЛ", code="PERSON_NOT_FOUND")
        _echo(r.person_summary(iin, _date(on, "--on")))


@balkhash_app.command("assess")
def assess(ctx: typer.Context, service: int, iin: str,
           on: Optional[str] = typer.Option(None, "--on", help="Date of application (YYYY-MM-DD)."),
           subject: Optional[str] = typer.Option(None, "--subject", help="IIN of the person the service is for."),
           subtype: Optional[str] = typer.Option(None, "--subtype"),
           flag: list[str] = typer.Option([], "--flag", help="An application flag (repeat)."),
           social_status: Optional[str] = typer.Option(None, "--social-status", help="Service 15's status."),
           residence: Optional[str] = typer.Option(None, "--residence", help="Service 2: years FROM-TO.")) -> None:
    """The checks of a service for a person, computed from the registers (what the УО's draft is checked against)."""
    try:
        svc = bs.service(service)
    except bs.UnknownService as exc:
        raise InputError(str(exc), code="UNKNOWN_SERVICE") from None
    for f in flag:
        if f not in bs.FLAGS:
            raise InputError(f"--flag {f!r} is not a flag ({', '.join(bs.FLAGS)})", code="BAD_PARAMETER")
    form: dict = {}
    if social_status:
        form["socialStatus"] = social_status
    if residence:
        try:
            start, end = (int(x) for x in residence.split("-"))
        except ValueError:
            raise InputError("--residence must be FROM-TO years, e.g. 1955-1968", code="BAD_PARAMETER") from None
        form["residencePeriods"] = [{"from": start, "to": end}]
    with _registers(ctx) as r:
        if r.persons.get(iin) is None:
            raise InputError(f"{iin} is not in ГБД ФЛ", code="PERSON_NOT_FOUND")
        _echo(r.assessor.assess(Facts(svc, iin, _date(on, "--on"), subject_iin=subject, subtype=subtype,
                                      flags=frozenset(flag), form=form)).to_json())


@balkhash_app.command("unemployed")
def unemployed(ctx: typer.Context, on: Optional[str] = typer.Option(None, "--on", help="In force on (YYYY-MM-DD)."),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """The register of unemployed citizens (service 1)."""
    with _registers(ctx) as r:
        found = r.unemployed.all(on=_date(on, "--on") if on else None, limit=10_000)
        if as_json:
            _echo([x.to_json() for x in found])
            return
        table = Table(title="Register of unemployed citizens")
        for col in ("card", "IIN", "name", "registered", "deregistered"):
            table.add_column(col)
        for x in found:
            p = r.persons.get(x.iin)
            table.add_row(x.card_number, x.iin, p.full_name if p else "—", x.registered_on.isoformat(),
                          x.deregistered_on.isoformat() if x.deregistered_on else "")
        Console().print(table)


@balkhash_app.command("register-unemployed")
def register_unemployed(ctx: typer.Context, iin: str,
                        on: Optional[str] = typer.Option(None, "--on", help="Registration date (YYYY-MM-DD)."),
                        category: str = typer.Option("citizen", "--category")) -> None:
    """Enter a карточка персонального учета (as service 1 does)."""
    with _registers(ctx) as r:
        reg = r.unemployed.register(iin, _date(on, "--on"), category=category, actor=ACTOR)
        typer.echo(f"registered {iin}: card {reg.card_number} of {reg.registered_on.isoformat()}")


@balkhash_app.command("deregister-unemployed")
def deregister_unemployed(ctx: typer.Context, iin: str, reason: str = typer.Option(..., "--reason"),
                          on: Optional[str] = typer.Option(None, "--on", help="Date (YYYY-MM-DD).")) -> None:
    """Take a person off the register of unemployed."""
    with _registers(ctx) as r:
        reg = r.unemployed.deregister(iin, _date(on, "--on"), reason=reason, actor=ACTOR)
        typer.echo(f"deregistered {iin}: card {reg.card_number} closed on {reg.deregistered_on.isoformat()}")


@balkhash_app.command("income")
def income(ctx: typer.Context, iin: str, month: str, kind: str, amount: str) -> None:
    """Enter a household member's income of one kind for one month (MONTH as YYYY-MM)."""
    with _registers(ctx) as r:
        i = r.households.set_income(iin, month, kind, amount, actor=ACTOR)
        typer.echo(f"{i.iin} {i.month} {i.kind}: {i.amount} тг")


@balkhash_app.command("household")
def household(ctx: typer.Context, iin: str, on: Optional[str] = typer.Option(None, "--on")) -> None:
    """A person's household with the per-capita income and the housing share as of a date."""
    with _registers(ctx) as r:
        h = r.households.household_of(iin)
        if h is None:
            raise InputError(f"{iin} belongs to no household", code="NOT_FOUND")
        day = _date(on, "--on")
        period = previous_quarter(day)
        _echo({**h.to_json(), "on": day.isoformat(), "perCapita": per_capita_income(h, period).to_json(),
               "housing": housing_share(h, period, r.thresholds.for_year(day.year).housing_share).to_json()})


@balkhash_app.command("seed")
def seed(ctx: typer.Context, reset: bool = typer.Option(False, "--reset",
                                                        help="Delete the personas' entries and install them again.")) -> None:
    """Install the register data of the Balkhash personas (done at every start for those missing)."""
    with _registers(ctx) as r:
        done = reset_persona_registers(r) if reset else ensure_persona_registers(r)
        typer.echo(f"installed {len(done)} persona(s): {', '.join(done) or 'none (all present)'}")


@balkhash_app.command("personas")
def personas(ctx: typer.Context) -> None:
    """The Balkhash personas and what their register data is for."""
    table = Table(title="Balkhash personas (seed 001)")
    for col in ("key", "IIN", "name", "register data", "what for"):
        table.add_column(col)
    for key, p in PERSONAS.items():
        if key.startswith("blh_"):
            table.add_row(key, p.iin, p.name, "yes" if key in SEEDED_KEYS else "—", p.description)
    Console(width=200).print(table)
