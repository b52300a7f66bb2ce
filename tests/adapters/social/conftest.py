"""Fixtures of the social registers' tests: a database with a small ГБД ФЛ population (the
personas included) and the registers on it, with the personas' register data installed."""

from __future__ import annotations

import pytest

from egov_sim.adapters.gbd_fl.registry import ensure_population
from egov_sim.adapters.social import build_social_registers
from egov_sim.adapters.social.personas import ensure_persona_registers
from egov_sim.core.database import Database, sqlite_url


@pytest.fixture
def db(tmp_path):
    with Database.open(sqlite_url(tmp_path / "social.db")) as database:
        yield database


@pytest.fixture
def registers(db):
    persons = ensure_population(db, count=20, seed=1)
    regs = build_social_registers(db, persons)
    ensure_persona_registers(regs)
    return regs
