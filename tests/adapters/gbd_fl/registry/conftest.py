"""Fixtures for ГБД ФЛ's data side: a fresh registry per test, one shared generated population."""

from __future__ import annotations

import pytest

from egov_sim.adapters.gbd_fl.person_rows import PERSON_COLUMNS, decode_row
from egov_sim.adapters.gbd_fl.population import generate_chunk, populate
from egov_sim.adapters.gbd_fl.registry import PersonRegistry, install_personas
from egov_sim.core.database import Database, sqlite_url
from egov_sim.reference.person import Person
from tests.support.gbd_fl import AS_OF, CLOCK, SHARED_COUNT


@pytest.fixture
def db(tmp_path):
    with Database.open(sqlite_url(tmp_path / "egov-sim.db")) as database:
        yield database


@pytest.fixture
def registry(db) -> PersonRegistry:
    return PersonRegistry(db, clock=CLOCK)


@pytest.fixture(scope="session")
def population_db(tmp_path_factory):
    """A registry of SHARED_COUNT generated persons plus the personas: read-only for tests."""
    path = tmp_path_factory.mktemp("gbdfl") / "egov-sim.db"
    with Database.open(sqlite_url(path)) as database:
        populate(database, count=SHARED_COUNT, seed=7, as_of=AS_OF, workers=1)
        install_personas(PersonRegistry(database, clock=CLOCK))
        yield database


@pytest.fixture(scope="session")
def population(population_db) -> PersonRegistry:
    return PersonRegistry(population_db, clock=CLOCK)


@pytest.fixture(scope="session")
def chunk_people() -> dict[str, Person]:
    """One generated chunk of 10 000 persons, decoded, by IIN."""
    rows, _ = generate_chunk(3, 0, 10_000, AS_OF)
    people = [decode_row(dict(zip(PERSON_COLUMNS, row))) for row in rows]
    return {p.iin: p for p in people}
