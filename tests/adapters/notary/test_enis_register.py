"""The ЕНИС register: deterministic, idempotent seeding consistent with ГБД ФЛ; the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from typer.testing import CliRunner

from egov_sim.adapters.gbd_fl.registry import ensure_population
from egov_sim.adapters.notary import check
from egov_sim.adapters.notary.cli import enis_app
from egov_sim.adapters.notary.personas import POA_PERSONAS
from egov_sim.adapters.notary.poa_registry import PoaRegistry
from egov_sim.adapters.notary.seeding import ensure_powers_of_attorney
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.errors import InputError
from egov_sim.core.settings import Settings
from egov_sim.reference.personas import PERSONAS

ANCHOR = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A simulator home whose database holds a small population and a seeded register."""
    home = tmp_path_factory.mktemp("enis-home")
    with Database.open(sqlite_url(home / "egov-sim.db")) as db:
        persons = ensure_population(db, count=150, seed=3)
        ensure_powers_of_attorney(db, persons, count=30, seed=3, anchor=ANCHOR)
    return home


@pytest.fixture
def db(home):
    with Database.open(sqlite_url(home / "egov-sim.db")) as db:
        yield db


def _snapshot(db) -> list:
    return [(p.number, p.principal.iin, p.attorney.iin, p.valid_to, p.notary.license_number,
             p.scope) for p in PoaRegistry(db).list(limit=1000)]


def test_seeding_is_deterministic_and_idempotent(tmp_path):
    snapshots = []
    for name in ("one.db", "other.db"):  # fresh databases: the module's db gains records in other tests
        with Database.open(sqlite_url(tmp_path / name)) as fresh:
            persons = ensure_population(fresh, count=150, seed=3)
            ensure_powers_of_attorney(fresh, persons, count=30, seed=3, anchor=ANCHOR)
            snapshot = _snapshot(fresh)
            again = ensure_powers_of_attorney(fresh, None, count=99, seed=99)  # already seeded: untouched
            assert again.count() == len(snapshot) and _snapshot(fresh) == snapshot
            seeding = PoaRegistry(fresh).seeding()
            assert (seeding["seed"], seeding["poa_count"], seeding["anchor_date"]) == (3, 30, "2025-06-01")
        snapshots.append(snapshot)
    assert len(snapshots[0]) == 30 + len(POA_PERSONAS) and snapshots[0] == snapshots[1]


def test_parties_and_notaries_are_persons_of_gbd_fl(db):
    from egov_sim.adapters.gbd_fl.registry import PersonRegistry

    persons = PersonRegistry(db)
    for poa in PoaRegistry(db).list(limit=1000):
        for party in (poa.principal, poa.attorney):
            person = persons.get(party.iin)
            assert person is not None and person.surname == party.surname
            assert person.age_on(poa.registration_date) >= 18 or poa.persona
        assert persons.get(poa.notary.iin) is not None
        assert poa.valid_to - poa.valid_from < dt.timedelta(days=3 * 365 + 1)  # Civil Code, 3 years


def test_personas_use_the_gbd_fl_persona_iins(db):
    registry = PoaRegistry(db)
    for persona in POA_PERSONAS.values():
        poa = registry.get(persona.poa_number)
        assert poa.persona == persona.key
        assert poa.principal.iin == PERSONAS[persona.principal].iin
        assert poa.attorney.iin == PERSONAS[persona.attorney].iin
        verdict = check.check(registry, check.PoaQuery(ANCHOR, principal_iin=poa.principal.iin,
                                                       attorney_iin=poa.attorney.iin,
                                                       service_code="SIM_GUARDIAN_ALLOWANCE"))
        assert verdict.code == persona.expected_code and verdict.poa.number == persona.poa_number


def test_best_record_between_the_same_parties(db):
    """An older expired PoA and a current one between the same people: the current one answers."""
    registry = PoaRegistry(db)
    valid = registry.get(POA_PERSONAS["poa_valid"].poa_number)
    from dataclasses import replace

    old = replace(valid, number="TEST-OLD-1", registration_date=dt.date(2019, 1, 1),
                  valid_from=dt.date(2019, 1, 1), valid_to=dt.date(2019, 12, 31), persona=None)
    registry.add(old)
    query = check.PoaQuery(ANCHOR, principal_iin=valid.principal.iin, attorney_iin=valid.attorney.iin)
    assert check.check(registry, query).poa.number == valid.number
    assert check.check(registry, replace(query, check_date=dt.date(2019, 6, 1))).poa.number == "TEST-OLD-1"
    with pytest.raises(InputError) as exc:
        registry.add(old)
    assert exc.value.code == "POA_EXISTS"


def test_registry_refuses_bad_records(db):
    registry = PoaRegistry(db)
    valid = registry.get(POA_PERSONAS["poa_valid"].poa_number)
    from dataclasses import replace

    for bad, code in ((replace(valid, number="B1", attorney=valid.principal), "SAME_PARTY"),
                      (replace(valid, number="B2", valid_to=dt.date(2000, 1, 1)), "BAD_DATE"),
                      (replace(valid, number="B3", principal=replace(valid.principal, iin="123456789012")),
                       "INVALID_IIN")):
        with pytest.raises(InputError) as exc:
            registry.add(bad)
        assert exc.value.code == code


# --- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli(home, monkeypatch):
    monkeypatch.delenv("EGOV_SIM_DATABASE_URL", raising=False)
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = Settings(home=home)

    app.add_typer(enis_app, name="enis")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, ["enis", *args])
        assert result.exit_code == code, result.output + repr(result.exception)
        return result

    return run


def test_cli_list_and_show(cli):
    out = cli("list", "--personas", "--json", "--date", ANCHOR.isoformat()).output
    listed = {p["number"]: p["status"] for p in json.loads(out)}
    assert listed == {"SIM-POA-000001": "ACTIVE", "SIM-POA-000002": "EXPIRED",
                      "SIM-POA-000003": "REVOKED", "SIM-POA-000004": "ACTIVE"}
    by_iin = json.loads(cli("list", "--iin", PERSONAS["poa_agent_revoked"].iin, "--json").output)
    assert [p["number"] for p in by_iin] == ["SIM-POA-000003"]
    assert "SIM-POA-000003" in cli("list", "--iin", PERSONAS["poa_agent_revoked"].iin).output
    shown = cli("show", "SIM-POA-000001", "--date", ANCHOR.isoformat()).output
    assert "ACTIVE" in shown and "Павлодарский нотариальный округ" in shown
    assert "SIM_GUARDIAN_ALLOWANCE" in shown
    missing = cli("show", "NO-SUCH", code=1)
    assert isinstance(missing.exception, InputError) and missing.exception.code == "POA_NOT_FOUND"


def test_cli_add_and_revoke(cli, db):
    principal, attorney = PERSONAS["guardian"].iin, PERSONAS["poa_agent"].iin
    added = cli("add", "--principal", principal, "--attorney", attorney, "--service",
                "SIM_GUARDIAN_ALLOWANCE", "--valid-from", "2025-01-10", "--valid-to", "2026-01-09").output
    number = added.split()[1].rstrip(":")
    poa = PoaRegistry(db).get(number)
    assert poa.principal.iin == principal and poa.scope.services[0].name
    assert poa.status_on(dt.date(2025, 6, 1)) == "ACTIVE"
    cli("revoke", number, "--on", "2025-03-01")
    assert PoaRegistry(db).get(number).status_on(dt.date(2025, 6, 1)) == "REVOKED"
    again = cli("revoke", number, code=1)
    assert again.exception.code == "POA_ALREADY_REVOKED"
    nobody = cli("add", "--principal", "880314312347", "--attorney", attorney, "--general", code=1)
    assert nobody.exception.code in ("PERSON_NOT_FOUND", "INVALID_IIN")
    no_scope = cli("add", "--principal", principal, "--attorney", attorney, code=1)
    assert no_scope.exception.code == "BAD_USAGE"
