"""``egov-sim enis …``: the simulated ЕНИС register of powers of attorney from the command line.

Settings come from the root command; the database from :func:`egov_sim.core.database.database_url`
(the same one ``egov-sim serve`` uses). Status is shown as of a date (default: today in
Kazakhstan), the way the provider judges ``checkDate``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from egov_sim.core.cli_support import open_database
from egov_sim.core.clock import ALMATY, system_clock
from egov_sim.core.errors import InputError

from .poa_registry import Party, PoaNotFound, PoaRegistry, PowerOfAttorney
from .scope import ACTIONS, Scope, service_ref

enis_app = typer.Typer(
    name="enis",
    help="ЕНИС (SYNTHETIC): notarised powers of attorney — list, show, add, revoke.",
    no_args_is_help=True,
    add_completion=False,
)




def _today() -> dt.date:
    return system_clock().astimezone(ALMATY).date()  # the CLI is the edge where the clock is chosen


def _date(value: Optional[str], what: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date (YYYY-MM-DD)", code="BAD_USAGE") from None


def _camel(value):
    """Keys in camelCase, dates as ISO text: the JSON style of the other admin outputs."""
    if isinstance(value, dict):
        return {k.split("_")[0] + "".join(w.capitalize() for w in k.split("_")[1:]): _camel(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_camel(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _as_json(poa: PowerOfAttorney, day: dt.date) -> dict:
    out = _camel(asdict(poa))
    out["status"] = poa.status_on(day)
    out["statusDate"] = day.isoformat()
    return out


def _status(poa: PowerOfAttorney, day: dt.date) -> str:
    return poa.status_on(day) or "NOT YET"


_DATE = typer.Option(None, "--date", help="Judge the status on this date (default: today).")
_JSON = typer.Option(False, "--json", help="JSON instead of a table.")


@enis_app.command("list")
def list_poas(
    ctx: typer.Context,
    iin: Optional[str] = typer.Option(None, "--iin", help="Principal or attorney IIN."),
    personas: bool = typer.Option(False, "--personas", help="Only the scenario personas."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Records to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Records to skip (newest first)."),
    date: Optional[str] = _DATE,
    as_json: bool = _JSON,
) -> None:
    """List powers of attorney, newest first."""
    day = _date(date, "--date") or _today()
    with open_database(ctx) as db:
        registry = PoaRegistry(db)
        poas = registry.list(iin=iin, persona_only=personas, limit=limit, offset=offset)
        seeding = registry.seeding()
    if as_json:
        typer.echo(json.dumps([_as_json(p, day) for p in poas], ensure_ascii=False, indent=2))
        return
    caption = (f"seed {seeding['seed']}, anchor {seeding['anchor_date']}" if seeding else None)
    table = Table(caption=caption)
    table.add_column("number", no_wrap=True)
    table.add_column(f"status {day}", no_wrap=True)
    for title in ("principal", "attorney", "valid", "services", "persona"):
        table.add_column(title, overflow="fold")
    for p in poas:
        services = "ALL" if p.scope.general else ", ".join(s.code for s in p.scope.services)
        table.add_row(p.number, _status(p, day), f"{p.principal.iin} {p.principal.surname}",
                      f"{p.attorney.iin} {p.attorney.surname}", f"{p.valid_from}..{p.valid_to}",
                      services, p.persona or "")
    Console().print(table)
    if seeding is None:
        typer.echo("the ЕНИС register was not seeded: `egov-sim serve` seeds it on start", err=True)


@enis_app.command("show")
def show(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER", help="Power-of-attorney number."),
    date: Optional[str] = _DATE,
    as_json: bool = _JSON,
) -> None:
    """Show one power of attorney and its status."""
    day = _date(date, "--date") or _today()
    with open_database(ctx) as db:
        poa = PoaRegistry(db).get(number)
    if poa is None:
        raise PoaNotFound(f"no power of attorney {number}")
    if as_json:
        typer.echo(json.dumps(_as_json(poa, day), ensure_ascii=False, indent=2))
        return
    rows = [
        ("number", poa.number), (f"status on {day}", _status(poa, day)),
        ("registered", poa.registration_date), ("valid", f"{poa.valid_from} .. {poa.valid_to}"),
        ("revoked", poa.revocation_date or ""),
        ("notary", f"{poa.notary.full_name}, licence {poa.notary.license_number}, "
                   f"{poa.notary.notarial_district}"),
        ("principal", _who(poa.principal)), ("attorney", _who(poa.attorney)),
        ("general", "yes" if poa.scope.general else "no"),
        ("services", "; ".join(f"{s.code} ({s.name})" if s.name else s.code
                               for s in poa.scope.services)),
        ("actions", "; ".join(poa.scope.actions)),
        ("substitution", "allowed" if poa.substitution_allowed else "not allowed"),
        ("persona", poa.persona or ""),
    ]
    for key, value in rows:
        typer.echo(f"{key + ':':<22} {value}")


def _who(party: Party) -> str:
    names = " ".join(x for x in (party.surname, party.name, party.patronymic) if x)
    return f"{party.iin} {names}" + (f", born {party.birth_date}" if party.birth_date else "")


@enis_app.command("add")
def add(
    ctx: typer.Context,
    principal: str = typer.Option(..., "--principal", help="Principal's IIN (must be in ГБД ФЛ)."),
    attorney: str = typer.Option(..., "--attorney", help="Attorney's IIN (must be in ГБД ФЛ)."),
    services: Optional[list[str]] = typer.Option(
        None, "--service", help="Service code covered (repeatable), e.g. SIM_GUARDIAN_ALLOWANCE."),
    general: bool = typer.Option(False, "--general", help="A general power of attorney (every service)."),
    number: Optional[str] = typer.Option(None, "--number", help="Number (default: the next SIM-YYYY-NNNNNN)."),
    valid_from: Optional[str] = typer.Option(None, "--valid-from", help="First day (default: today)."),
    valid_to: Optional[str] = typer.Option(None, "--valid-to", help="Last day (default: 1 year)."),
    notary: Optional[str] = typer.Option(None, "--notary", help="Notary licence (default: the first)."),
    substitution: bool = typer.Option(False, "--substitution", help="Allow re-assignment (передоверие)."),
) -> None:
    """Register a new power of attorney between two persons of ГБД ФЛ."""
    from egov_sim.adapters.gbd_fl.registry import PersonRegistry

    if not general and not services:
        raise InputError("give --service CODE (repeatable) or --general", code="BAD_USAGE")
    start = _date(valid_from, "--valid-from") or _today()
    end = _date(valid_to, "--valid-to") or start + dt.timedelta(days=364)
    with open_database(ctx) as db:
        persons = PersonRegistry(db)
        parties = []
        for role, iin in (("principal", principal), ("attorney", attorney)):
            person = persons.get(iin.strip())
            if person is None:
                raise InputError(f"{role} {iin} is not in ГБД ФЛ", code="PERSON_NOT_FOUND")
            parties.append(Party.of(person))
        registry = PoaRegistry(db)
        chosen = registry.notary(notary) if notary else next(iter(registry.notaries()), None)
        if chosen is None:
            raise InputError(f"no notary {notary}" if notary else "no notary is registered "
                             "(seed ЕНИС first: `egov-sim serve`)", code="NOTARY_NOT_FOUND")
        poa = PowerOfAttorney(
            number=number or _next_number(registry, start.year), registration_date=start,
            notary=chosen, principal=parties[0], attorney=parties[1], valid_from=start,
            valid_to=end, substitution_allowed=substitution,
            scope=Scope(general=general, actions=ACTIONS[:2],
                        services=tuple(service_ref(c.strip()) for c in services or ())))
        registry.add(poa)
    typer.echo(f"added {poa.number}: {poa.principal.iin} -> {poa.attorney.iin}, "
               f"valid {poa.valid_from}..{poa.valid_to}")


def _next_number(registry: PoaRegistry, year: int) -> str:
    n = registry.count() + 1
    while registry.get(f"SIM-{year}-{n:06d}") is not None:
        n += 1
    return f"SIM-{year}-{n:06d}"


@enis_app.command("revoke")
def revoke(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER", help="Power-of-attorney number."),
    on: Optional[str] = typer.Option(None, "--on", help="Revocation date (default: today)."),
) -> None:
    """Record the principal's revocation of a power of attorney."""
    day = _date(on, "--on") or _today()
    with open_database(ctx) as db:
        poa = PoaRegistry(db).revoke(number, day)
    typer.echo(f"revoked {poa.number} as of {day}")
