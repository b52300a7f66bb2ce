"""``egov-sim journal …``: read, export, check and clear the ШЭП exchange journal.

Settings come from the root command (``ctx.find_root().obj``); the database from
:func:`egov_sim.core.database.database_url`. Errors a user can cause are :class:`InputError`
(the root CLI prints them on one line, exit code 2); ``check`` exits 1 on a count mismatch.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from egov_sim.core import atomic
from egov_sim.core.cli_support import open_database
from egov_sim.core.cli_tables import Record, print_listing
from egov_sim.core.clock import system_clock

from .journal import Journal, JournalEntryNotFound, JournalFilter, encode_body, parse_time

journal_app = typer.Typer(
    name="journal",
    help="The ШЭП exchange journal: list, show, export, check call counts, clear.",
    no_args_is_help=True,
    add_completion=False,
)


@contextmanager
def _journal(ctx: typer.Context) -> Iterator[Journal]:
    with open_database(ctx) as db:
        yield Journal(db)


def _filter(*, service_id: str | None = None, sender: str | None = None, route: str | None = None,
            status: str | None = None, since: str | None = None, until: str | None = None,
            message_id: str | None = None, text: str | None = None) -> JournalFilter:
    now = system_clock()  # the CLI is the edge where the real clock is chosen
    return JournalFilter(
        service_id=service_id, sender_id=sender, route_id=route, status=status,
        since=parse_time(since, now=now) if since else None,
        until=parse_time(until, now=now) if until else None,
        message_id=message_id, text=text)


_SERVICE = typer.Option(None, "--service-id", help="serviceId.")
_SENDER = typer.Option(None, "--sender", help="senderId.")
_ROUTE = typer.Option(None, "--route", help="routeId.")
_STATUS = typer.Option(None, "--status", help="Status code (SCSS001) or fault errorCode (SCE006).")
_SINCE = typer.Option(None, "--since",
                      help="Received at or after: ISO-8601 (UTC if no offset) or an age: 15m, 2h, 1d.")
_UNTIL = typer.Option(None, "--until", help="Received before: same forms as --since.")
_MESSAGE = typer.Option(None, "--message-id", help="messageId.")
_TEXT = typer.Option(None, "--text", help="Text contained in the request body (case-sensitive).")


@journal_app.command("list")
def list_entries(
    ctx: typer.Context,
    service_id: Optional[str] = _SERVICE,
    sender: Optional[str] = _SENDER,
    route: Optional[str] = _ROUTE,
    status: Optional[str] = _STATUS,
    since: Optional[str] = _SINCE,
    until: Optional[str] = _UNTIL,
    message_id: Optional[str] = _MESSAGE,
    text: Optional[str] = _TEXT,
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Entries to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Entries to skip (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="A JSON array instead of a table."),
) -> None:
    """List exchanges, newest first."""
    where = _filter(service_id=service_id, sender=sender, route=route, status=status,
                    since=since, until=until, message_id=message_id, text=text)
    with _journal(ctx) as journal:
        entries = journal.list(where, limit=limit, offset=offset)
    if as_json:
        typer.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    console = Console()
    wide = console.width >= 110  # HTTP status and signature verdict only when they fit
    table = Table()
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("received (UTC)", no_wrap=True)
    for title in ("serviceId", "senderId", "routeId"):
        table.add_column(title, no_wrap=True)  # identifiers are never split (cli_tables)
    table.add_column("outcome", no_wrap=True)
    if wide:
        table.add_column("HTTP", no_wrap=True)
        table.add_column("signature", no_wrap=True)
    table.add_column("ms", no_wrap=True, justify="right")
    records, words = [], []
    for e in entries:
        outcome = Text(e.error_code or "", style="red") if e.is_fault else Text(e.status_code or "")
        received = e.received_at.strftime("%Y-%m-%d %H:%M:%S")
        ms = "" if e.total_ms is None else f"{e.total_ms:.1f}"
        algorithm = (e.signature_details or {}).get("algorithm")
        verdict = f"{e.request_signature} ({algorithm})" if algorithm and e.request_signature else e.request_signature
        extra = [str(e.http_status or ""), verdict] if wide else []
        table.add_row(str(e.id), received, e.service_id or "", e.sender_id or "", e.route_id or "",
                      outcome, *extra, ms)
        head = Text(f"#{e.id}  {received}  ", style="bold")
        head.append_text(outcome)
        words += [e.service_id or "", e.sender_id or "", e.route_id or "", outcome.plain, received]
        records.append(Record(head, [
            ("serviceId", e.service_id or ""), ("senderId", e.sender_id or ""),
            ("routeId", e.route_id or "—"), ("HTTP", str(e.http_status or "")),
            ("signature", verdict), ("ms", ms)]))
    print_listing(console, table, records, words)
    if not entries:
        typer.echo("no journal entries match", err=True)


@journal_app.command("show")
def show(
    ctx: typer.Context,
    journal_id: int = typer.Argument(..., metavar="ID", help="Journal id (from `journal list`)."),
    bodies: bool = typer.Option(False, "--bodies", help="Also print the request and response bodies."),
) -> None:
    """Show one exchange."""
    with _journal(ctx) as journal:
        entry = journal.get(journal_id)
    if entry is None:
        raise JournalEntryNotFound(f"no journal entry {journal_id}")
    for key, value in entry.to_dict().items():
        if isinstance(value, (dict, bool)):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        typer.echo(f"{key + ':':<20} {'' if value is None else value}")
    if bodies:
        for title, body in (("request", entry.request_body), ("response", entry.response_body)):
            text, encoding = encode_body(body)
            typer.echo(f"\n--- {title} body ({encoding or 'none'}) ---")
            if text is not None:
                typer.echo(text)


@journal_app.command("export")
def export(
    ctx: typer.Context,
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="File to write (atomically); default stdout."),
    service_id: Optional[str] = _SERVICE,
    sender: Optional[str] = _SENDER,
    route: Optional[str] = _ROUTE,
    status: Optional[str] = _STATUS,
    since: Optional[str] = _SINCE,
    until: Optional[str] = _UNTIL,
    message_id: Optional[str] = _MESSAGE,
    text: Optional[str] = _TEXT,
) -> None:
    """Export exchanges with bodies as JSON lines, oldest first."""
    where = _filter(service_id=service_id, sender=sender, route=route, status=status,
                    since=since, until=until, message_id=message_id, text=text)
    with _journal(ctx) as journal:
        lines = (json.dumps(item, ensure_ascii=False) + "\n" for item in journal.export(where))
        if out is None:
            for line in lines:
                typer.echo(line, nl=False)
            return
        count = 0
        chunks = []
        for line in lines:
            chunks.append(line)
            count += 1
        atomic.write_text(out, "".join(chunks), mode=0o600)  # bodies hold personal data
    typer.echo(f"exported {count} journal entries to {out}", err=True)


@journal_app.command("check")
def check(
    ctx: typer.Context,
    service_id: str = typer.Option(..., "--service-id", help="serviceId that was called."),
    iin: Optional[str] = typer.Option(
        None, "--iin", help="IIN that must appear in the request body (12 digits, whole token)."),
    sender: Optional[str] = _SENDER,
    since: Optional[str] = _SINCE,
    count: int = typer.Option(..., "--count", min=0, help="Expected number of calls."),
) -> None:
    """Exit 0 when serviceId was called exactly COUNT times (with the IIN), else 1."""
    since_at = parse_time(since, now=system_clock()) if since else None
    with _journal(ctx) as journal:
        found = journal.count_calls(service_id, iin=iin, sender_id=sender, since=since_at)
    if found != count:
        typer.echo(f"expected {count} calls, found {found}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {found} calls")


@journal_app.command("clear")
def clear(
    ctx: typer.Context,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete every journal entry."""
    if not yes:
        typer.confirm("Delete every ШЭП journal entry?", abort=True)
    with _journal(ctx) as journal:
        deleted = journal.clear()
    typer.echo(f"deleted {deleted} journal entries")
