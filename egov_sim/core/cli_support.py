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
