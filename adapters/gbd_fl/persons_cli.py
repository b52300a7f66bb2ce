"""``egov-sim persons …``: generate, browse and edit ГБД ФЛ's person registry.

Settings come from the root command (``ctx.find_root().obj``); the database from
:func:`egov_sim.core.database.database_url`. Errors a user can cause are :class:`InputError` (the root
CLI prints them on one line, exit code 2). Every edit is committed before the command returns.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from egov_sim.core.cli_support import open_database, read_text
from egov_sim.core.clock import ALMATY, system_clock
from egov_sim.core.errors import InputError
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.person import InvalidPerson, Person, ten_year_end
from egov_sim.reference.personas import PERSONAS

from .person_json import person_from_json, person_to_json
from .population import CHUNK_SIZE, populate, population_date
from .registry import PersonNotFound, PersonRegistry, TooManyResults, install_personas

persons_app = typer.Typer(
    name="persons",
    help="ГБД ФЛ person registry: generate a population, list personas, show, list, add, import.",
    no_args_is_help=True,
    add_completion=False,
)


@contextmanager
def _registry(ctx: typer.Context) -> Iterator[PersonRegistry]:
    with open_database(ctx) as db:
        yield PersonRegistry(db)


def _today() -> date:
    return system_clock().astimezone(ALMATY).date()  # the CLI is the edge where the clock is chosen


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD, got {value!r}", code="BAD_PARAMETER") from None


def _state(p: Person, today: date) -> str:
    """A short status: life status, incapacity, document validity."""
    parts = []
    if p.life_status != dic.LIFE_NORMAL:
        parts.append(dic.LIFE_STATUSES[p.life_status].name_ru.lower())
    if p.removed:
        parts.append("removed")
    if p.capable_status in (dic.INCAPABLE, dic.LIMITED_CAPACITY):
        parts.append(dic.CAPABLE_STATUSES[p.capable_status].name_ru.lower())
    if p.alive and not p.valid_documents(today):
        parts.append("no valid document")
    return ", ".join(parts) or "ok"


def _table(persons: list[Person], today: date) -> Table:
    table = Table()
    table.add_column("IIN", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("born", no_wrap=True)
    table.add_column("region", overflow="fold")
    table.add_column("state", overflow="fold")
    for p in persons:
        region = p.reg_address.region if p.reg_address else ""
        table.add_row(p.iin, p.full_name, p.birth_date.isoformat(),
                      dic.REGIONS[region].name_ru if region in dic.REGIONS else region, _state(p, today))
    return table


@persons_app.command("generate")
def generate(
    ctx: typer.Context,
    count: int = typer.Option(10_000, "--count", "-n", min=0, help="Persons to generate."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same persons."),
    replace: bool = typer.Option(False, "--replace", help="Delete every person first (personas come back)."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The population's date (ages, document validity); default 1 January this year."),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, help="Generator processes; default 2 from 200k persons, else 1."),
) -> None:
    """Generate a synthetic population (then insert the personas)."""
    day = _date(as_of, "--as-of") or population_date(_today())
    started = time.perf_counter()
    with _registry(ctx) as registry:
        if not replace and not registry.is_empty():
            raise InputError(f"the registry already holds {registry.count()} persons:"
                             " add --replace to generate a new population", code="REGISTRY_NOT_EMPTY")
        columns = (TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            tasks: dict[str, Any] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], completed=done)

            inserted = populate(registry.db, count=count, seed=seed, as_of=day, workers=workers,
                                replace=replace, progress=progress)
        personas = install_personas(registry)
    elapsed = time.perf_counter() - started
    rate = f", {inserted / elapsed:,.0f} persons/s" if inserted >= CHUNK_SIZE else ""
    typer.echo(f"generated {inserted} persons (seed {seed}, as of {day.isoformat()}) and {personas} personas"
               f" in {elapsed:.1f} s{rate}")


@persons_app.command("personas")
def personas(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="A JSON array instead of a table."),
) -> None:
    """The named persons with stable IINs, for scenarios and integrators."""
    items = [{"key": p.key, "iin": p.iin, "role": p.role, "name": p.name,
              "description": p.description} for p in PERSONAS.values()]
    if as_json:
        _echo_json(items)
        return
    table = Table()
    for title in ("key", "IIN", "role", "name"):
        table.add_column(title, overflow="fold", no_wrap=title == "IIN")
    for item in items:
        table.add_row(item["key"], item["iin"], item["role"], item["name"])
    Console().print(table)


@persons_app.command("show")
def show(
    ctx: typer.Context,
    iin: str = typer.Argument(..., help="The person's IIN."),
    as_json: bool = typer.Option(False, "--json", help="The JSON record (the admin API's shape)."),
) -> None:
    """Show one person."""
    with _registry(ctx) as registry:
        person = registry.get(iin)
    if person is None:
        raise PersonNotFound(f"no person with IIN {iin} in ГБД ФЛ")
    if as_json:
        _echo_json(person_to_json(person))
        return
    today = _today()
    p = person
    lines = [
        ("IIN", p.iin), ("name", p.full_name),
        ("latin", " ".join(x for x in (p.eng_surname, p.eng_first_name) if x) or "—"),
        ("born", f"{p.birth_date.isoformat()} ({dic.GENDERS[p.gender].name_ru.lower()}, age {p.age_on(today)})"),
        ("birth place", _place(p.birth_place)),
        ("nationality", _named("nationality", p.nationality)),
        ("citizenship", _named("country", p.citizenship)),
        ("life status", _named("life_status", p.life_status)
         + (f", died {p.death_date.isoformat()}" if p.death_date else "")),
        ("capacity", _named("capable_status", p.capable_status) if p.capable_status else "capable"),
        ("registered", _place(p.reg_address) if p.reg_address else "—"),
        ("state", _state(p, today)),
    ]
    for relation in ("parents", "children", "guardians", "wards"):
        if getattr(p, relation):
            lines.append((relation, ", ".join(getattr(p, relation))))
    for key, value in lines:
        typer.echo(f"{key + ':':<14} {value}")
    if p.documents:
        table = Table(title="documents")
        for title in ("type", "number", "issued", "valid to", "issuer", "status"):
            table.add_column(title, overflow="fold")
        for d in p.documents:
            table.add_row(_named("document_type", d.type), d.number, d.begin_date.isoformat(),
                          d.end_date.isoformat() if d.end_date else "—",
                          _named("document_organization", d.issuer),
                          _named("document_status", d.status)
                          + (f" ({d.invalidity_date.isoformat()})" if d.invalidity_date else ""))
        Console().print(table)


def _named(kind: str, code: str | None) -> str:
    entry = dic.entry(kind, code)
    return "—" if entry is None else f"{entry.code} {entry.name_ru}"


def _place(a) -> str:
    if a.country != dic.KAZAKHSTAN:
        parts = [a.city, a.district, a.region, _named("country", a.country)]
    else:
        parts = [a.street and " ".join(x for x in (a.street, a.building, a.flat and f"кв. {a.flat}") if x),
                 a.city, dic.entry("district", a.district).name_ru if a.district else None,
                 dic.entry("region", a.region).name_ru]
    return ", ".join(x for x in parts if x)


@persons_app.command("list")
def list_persons(
    ctx: typer.Context,
    surname: Optional[str] = typer.Option(None, "--surname"),
    name: Optional[str] = typer.Option(None, "--name"),
    patronymic: Optional[str] = typer.Option(None, "--patronymic"),
    born: Optional[str] = typer.Option(None, "--born", help="Birth date YYYY-MM-DD."),
    born_from: Optional[str] = typer.Option(None, "--born-from", help="Born on or after."),
    born_to: Optional[str] = typer.Option(None, "--born-to", help="Born on or before."),
    document: Optional[str] = typer.Option(None, "--document", help="Document number."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Persons to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Without a search: persons to skip."),
    as_json: bool = typer.Option(False, "--json", help="A JSON array instead of a table."),
) -> None:
    """Search persons (like ГБД ФЛ: names, birth date or range, document); no filter: browse."""
    keys: dict[str, Any] = dict(surname=surname, name=name, patronymic=patronymic,
                birth_date=_date(born, "--born"), birth_date_from=_date(born_from, "--born-from"),
                birth_date_to=_date(born_to, "--born-to"), document_number=document)
    with _registry(ctx) as registry:
        if any(v is not None for v in keys.values()):
            try:
                persons = registry.search(**keys, limit=limit)
            except TooManyResults as exc:
                raise InputError(f"{exc}; or raise --limit", code="TOO_MANY_RESULTS") from None
        else:
            persons = registry.page(offset=offset, limit=limit)
        total = registry.count()
    if as_json:
        _echo_json([person_to_json(p) for p in persons])
        return
    Console().print(_table(persons, _today()))
    typer.echo(f"{len(persons)} shown, {total} persons in the registry", err=True)


@persons_app.command("add")
def add(
    ctx: typer.Context,
    iin: Optional[str] = typer.Option(None, "--iin", help="IIN (birth date and sex come from it)."),
    surname: Optional[str] = typer.Option(None, "--surname"),
    name: Optional[str] = typer.Option(None, "--name"),
    patronymic: Optional[str] = typer.Option(None, "--patronymic"),
    district: str = typer.Option("5501", "--district",
                                 help="District code of the registration (5501 = Pavlodar city)."),
    city: Optional[str] = typer.Option(None, "--city", help="Default: the district's centre."),
    street: Optional[str] = typer.Option(None, "--street"),
    building: Optional[str] = typer.Option(None, "--building"),
    flat: Optional[str] = typer.Option(None, "--flat"),
    id_card: Optional[str] = typer.Option(None, "--id-card", help="Number of a valid ID card (002)."),
    id_issued: Optional[str] = typer.Option(None, "--id-issued", help="Its issue date; default today."),
    nationality: str = typer.Option(dic.KAZAKH_NATIONALITY, "--nationality", help="Nationality code."),
    from_json: Optional[Path] = typer.Option(
        None, "--json", help="A JSON person (the admin API's shape) instead of the options; - for stdin."),
) -> None:
    """Add one person (refused when the IIN is taken; `import` replaces)."""
    if from_json is not None:
        text = read_text(from_json, what="JSON file")
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{from_json}: not JSON: {exc}", code="BAD_JSON") from None
        person = person_from_json(obj)
    else:
        if not (iin and surname and name):
            raise InputError("give --iin, --surname and --name (or --json FILE)", code="BAD_PARAMETER")
        today = _today()
        if district not in dic.DISTRICTS:
            raise InvalidPerson("regAddress.district", f"unknown district code {district!r}")
        from .names import PLACES
        address: dict[str, Any] = {
            "region": dic.DISTRICTS[district].region, "district": district,
            "city": city or PLACES[district].settlements[0], "street": street, "building": building,
            "flat": flat, "beginDate": today.isoformat(), "status": dic.ADDRESS_REGISTERED}
        obj = {"iin": iin, "surname": surname, "name": name, "patronymic": patronymic,
               "nationality": nationality, "regAddress": address}
        if id_card:
            issued = _date(id_issued, "--id-issued") or today
            obj["documents"] = [{"type": dic.ID_CARD, "number": id_card, "beginDate": issued.isoformat(),
                                 "endDate": ten_year_end(issued).isoformat()}]
        person = person_from_json(obj)
    with _registry(ctx) as registry:
        if registry.exists(person.iin):
            raise InputError(f"IIN {person.iin} is already in the registry (use `persons import`"
                             " or PUT /admin/persons/{iin} to replace)", code="PERSON_EXISTS")
        registry.put(person)
    typer.echo(f"added {person.iin} {person.full_name}")


@persons_app.command("delete")
def delete(ctx: typer.Context, iin: str = typer.Argument(..., help="The person's IIN.")) -> None:
    """Delete one person (and the links others hold to them)."""
    with _registry(ctx) as registry:
        if not registry.delete(iin):
            raise PersonNotFound(f"no person with IIN {iin} in ГБД ФЛ")
    typer.echo(f"deleted {iin}")


@persons_app.command("import")
def import_persons(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSON lines, one person per line (- for stdin)."),
) -> None:
    """Insert or replace persons from JSON lines: all of them, or none if any line is bad."""
    text = read_text(file, what="JSON-lines file")
    persons: list[Person] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            persons.append(person_from_json(json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not JSON: {exc.msg} (column {exc.colno})")
        except InputError as exc:
            errors.append(f"line {number}: {exc}")
    seen: dict[str, int] = {}
    for index, person in enumerate(persons):
        if person.iin in seen:
            errors.append(f"IIN {person.iin} appears twice (records {seen[person.iin] + 1} and {index + 1})")
        seen[person.iin] = index
    if errors:
        for error in errors:
            typer.echo(error, err=True)
        raise InputError(f"{file}: {len(errors)} bad record(s); nothing was imported", code="BAD_IMPORT")
    with _registry(ctx) as registry:
        written = registry.put_many(persons)
    typer.echo(f"imported {written} persons")
