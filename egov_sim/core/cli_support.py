"""What a sub-command takes from the root ``egov-sim`` command: its settings and the database."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import typer

from egov_sim.core.database import Database, database_url
from egov_sim.core.settings import Settings

APP_FACTORY_KEY = "egov_sim.app_factory"
"""``ctx.meta`` key under which the root command leaves the function that builds a simulator's
app (commands that play scenarios need it; they cannot import the composition root)."""


def settings_of(ctx: typer.Context) -> Settings:
    """The Settings the root command built from ``--home``/``--public-url`` and the environment."""
    return ctx.find_root().obj


@contextmanager
def open_database(ctx: typer.Context) -> Iterator[Database]:
    """The simulator's database (``$EGOV_SIM_DATABASE_URL`` or the home's SQLite file), closed after."""
    with Database.open(database_url(settings_of(ctx))) as db:
        yield db


def read_text(path, *, what: str = "file") -> str:
    """A text file a user named, as UTF-8; ``-`` reads stdin. What cannot be read (missing, a
    directory, not UTF-8) is an :class:`InputError` naming the file: one line, not a traceback."""
    import sys
    from pathlib import Path

    from egov_sim.core.errors import InputError

    if str(path) == "-":
        data = sys.stdin.buffer.read()
        name = "stdin"
    else:
        try:
            data = Path(path).read_bytes()
        except IsADirectoryError:
            raise InputError(f"{path} is a directory, not a {what}", code="BAD_FILE") from None
        except OSError as exc:
            raise InputError(f"cannot read {what} {path}: {exc.strerror}", code="BAD_FILE") from None
        name = str(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         f"save the {what} as UTF-8", code="NOT_UTF8") from None
