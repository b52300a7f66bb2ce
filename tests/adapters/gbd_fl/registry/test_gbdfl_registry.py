"""PersonRegistry: reads, searches, edits with reciprocal links, validation, persistence, bulk load."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from egov_sim.adapters.gbd_fl import population as pop
from egov_sim.adapters.gbd_fl.person_json import person_from_json, person_to_json
from egov_sim.adapters.gbd_fl.person_rows import PERSONS_TABLE
from egov_sim.adapters.gbd_fl.population import load
from egov_sim.adapters.gbd_fl.registry import PersonRegistry, TooManyResults, ensure_population
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.errors import InputError
from egov_sim.reference.iin import make_iin
from egov_sim.reference.person import Address, Document, InvalidPerson, Person
from egov_sim.reference.personas import PERSONAS
from tests.support.gbd_fl import AS_OF, CLOCK, SHARED_COUNT

HOME = Address(None, "398", "55", "5501", "ПАВЛОДАР", "УЛ. ЛОМОВА", "1", None, "2", date(2020, 1, 1),
               None, "1", "5501000000000001")


def make_person(iin: str, surname: str = "ТЕСТОВ", name: str = "ТЕСТ", **changes) -> Person:
    born = date(1900 + int(iin[:2]) + (100 if iin[6] in "56" else 0), int(iin[2:4]), int(iin[4:6]))
    values = dict(
        iin=iin, surname=surname, name=name, patronymic="ТЕСТОВИЧ" if iin[6] in "135" else "ТЕСТОВНА",
        eng_surname=None, eng_first_name=None, birth_date=born, death_date=None,
        gender="1" if iin[6] in "135" else "2", nationality="005", citizenship="398", life_status="0",
        birth_place=Address(None, "398", "55", "5501", "ПАВЛОДАР", *[None] * 8), reg_address=HOME,
        addresses=(), documents=(), capable_status=None, missing=False, removed=False,
        parents=(), children=(), guardians=(), wards=())
    values.update(changes)
    return Person(**values)


def iin(born: date, sex: str, serial: int) -> str:
    while (value := make_iin(born, sex, serial)) is None:
        serial += 1
    return value


MOTHER = iin(date(1980, 5, 17), "F", 11)
SON = iin(date(2010, 2, 3), "M", 12)
DAUGHTER = iin(date(2012, 8, 9), "F", 13)


# -- reads and searches on the shared population ---------------------------------------------------


def test_get_by_iin_and_unknown_and_invalid(population):
    guardian = population.get(PERSONAS["guardian"].iin)
    assert guardian.surname == "ЖУМАБАЕВА" and guardian.wards == (PERSONAS["ward"].iin, PERSONAS["ward_teen"].iin)
    assert population.get(PERSONAS["not_registered"].iin) is None
    with pytest.raises(InputError) as err:
        population.get("780314401013")  # wrong check digit
    assert err.value.code == "INVALID_IIN"


def test_search_by_name_case_insensitive(population):
    found = population.search(surname="жумабаева", name="Айгерим", patronymic="нурлановна")
    assert PERSONAS["guardian"].iin in [p.iin for p in found]
    for p in found:
        assert (p.surname, p.name) == ("ЖУМАБАЕВА", "АЙГЕРИМ")


def test_search_by_birth_date_and_range(population):
    exact = population.search(surname="ПЕТРОВА", name="НИНА", birth_date=date(1948, 12, 1))
    assert [p.iin for p in exact] == [PERSONAS["incapable"].iin]
    ranged = population.search(birth_date_from=date(2000, 1, 1), birth_date_to=date(2000, 1, 31), limit=500)
    assert ranged and all(date(2000, 1, 1) <= p.birth_date <= date(2000, 1, 31) for p in ranged)
    assert ranged == sorted(ranged, key=lambda p: (p.surname, p.name, p.birth_date, p.iin))


def test_search_by_document_number_old_and_new(population):
    replaced = PERSONAS["doc_replaced"].person
    for document in replaced.documents:
        assert [p.iin for p in population.search(document_number=document.number)] == [replaced.iin]
    assert population.search(document_number="000000000") == []
    some = population.sample(1, rng=random.Random(3))[0]
    number = some.documents[0].number
    assert [p.iin for p in population.search(document_number=number.lower())] == [some.iin]


def test_too_many_results(population):
    common = population.search(surname="ИВАНОВ", limit=1000)
    assert len(common) > 3
    with pytest.raises(TooManyResults) as err:
        population.search(surname="ИВАНОВ", limit=3)
    assert err.value.limit == 3 and err.value.found_at_least == 4


@pytest.mark.parametrize("keys, code", [
    ({}, "EMPTY_SEARCH"),
    ({"surname": "  "}, "EMPTY_SEARCH"),
    ({"surname": "X", "birth_date": date(2000, 1, 1), "birth_date_from": date(1999, 1, 1)}, "BAD_SEARCH"),
    ({"birth_date_from": date(2001, 1, 1), "birth_date_to": date(2000, 1, 1)}, "BAD_SEARCH"),
    ({"surname": "X", "limit": 0}, "BAD_SEARCH"),
])
def test_bad_searches(population, keys, code):
    with pytest.raises(InputError) as err:
        population.search(**keys)
    assert err.value.code == code


def test_count_page_and_sample(population):
    assert population.count() == SHARED_COUNT + len(PERSONAS) - 1
    page = population.page(offset=10, limit=5)
    assert len(page) == 5 and page[0].iin != population.page(limit=1)[0].iin
    picks = population.sample(40, rng=random.Random(11))
    assert len(picks) == 40 and len({p.iin for p in picks}) == 40
    today = CLOCK().date()
    assert all(p.age_on(today) >= 18 and p.life_status == "0" and not p.removed for p in picks)
    again = population.sample(40, rng=random.Random(11))
    assert [p.iin for p in again] == [p.iin for p in picks]
    children = population.sample(10, rng=random.Random(2), adult=False, alive=False)
    assert len(children) == 10


# -- edits -------------------------------------------------------------------------------------


def test_put_get_replace_delete(registry):
    person = make_person(MOTHER, "СЕРИКОВА", "асель", documents=(
        Document("002", "012345678", None, date(2020, 1, 1), date(2029, 12, 31), "002", "00", None),))
    registry.put(person)
    stored = registry.get(MOTHER)
    assert stored.name == "АСЕЛЬ" and stored == replace(person, name="АСЕЛЬ")
    assert [p.iin for p in registry.search(document_number="012345678")] == [MOTHER]
    registry.put(replace(stored, documents=(
        Document("002", "087654321", None, date(2024, 1, 1), date(2033, 12, 31), "002", "00", None),)))
    assert registry.search(document_number="012345678") == []
    assert [p.iin for p in registry.search(document_number="087654321")] == [MOTHER]
    assert registry.count() == 1
    assert registry.delete(MOTHER) is True
    assert registry.delete(MOTHER) is False
    assert registry.get(MOTHER) is None and registry.search(document_number="087654321") == []


def test_document_numbers_are_stored_upper_case(registry):
    registry.put(make_person(MOTHER, documents=(
        Document("001", " n12345678 ", None, date(2020, 1, 1), None, "002", "00", None),)))
    assert registry.get(MOTHER).documents[0].number == "N12345678"
    assert [p.iin for p in registry.search(document_number="n12345678")] == [MOTHER]


def test_links_are_kept_reciprocal(registry):
    registry.put(make_person(SON))
    registry.put(make_person(MOTHER, children=(SON, DAUGHTER)))  # the daughter is not there yet
    assert registry.get(SON).parents == (MOTHER,)
    registry.put(make_person(DAUGHTER, parents=(MOTHER,), guardians=(MOTHER,)))
    assert registry.get(MOTHER).wards == (DAUGHTER,)
    assert registry.get(MOTHER).children == (SON, DAUGHTER)
    registry.put(replace(registry.get(MOTHER), children=(DAUGHTER,)))
    assert registry.get(SON).parents == ()
    registry.delete(MOTHER)
    daughter = registry.get(DAUGHTER)
    assert daughter.parents == () and daughter.guardians == ()


def test_persistence_across_reopen(tmp_path):
    url = sqlite_url(tmp_path / "egov-sim.db")
    with Database.open(url) as db:
        PersonRegistry(db).put(make_person(MOTHER))
    with Database.open(url) as db:
        assert PersonRegistry(db).get(MOTHER).surname == "ТЕСТОВ"


@pytest.mark.parametrize("changes, field", [
    ({"birth_date": date(1980, 5, 18)}, "birthDate"),
    ({"gender": "1"}, "gender"),
    ({"surname": ""}, "surname"),
    ({"life_status": "1"}, "deathDate"),
    ({"death_date": date(2020, 1, 1)}, "lifeStatus"),
    ({"missing": True}, "missing"),
    ({"nationality": "777"}, "nationality"),
    ({"reg_address": replace(HOME, district="1901")}, "regAddress.district"),
    ({"documents": (Document("002", "1", None, date(1970, 1, 1), None, "002", "00", None),)},
     "documents[0].beginDate"),
    ({"documents": (Document("002", "1 2", None, date(2000, 1, 1), None, "002", "00", None),)},
     "documents[0].number"),
    ({"children": ("123",)}, "children[0]"),
])
def test_put_rejects_inconsistent_records_naming_the_field(registry, changes, field):
    with pytest.raises(InvalidPerson) as err:
        registry.put(make_person(MOTHER, **changes))
    assert err.value.field == field
    assert registry.count() == 0


def test_invalid_iin_is_reported_as_such(registry):
    with pytest.raises(InvalidPerson) as err:
        registry.put(make_person(MOTHER[:-1] + str((int(MOTHER[-1]) + 1) % 10)))
    assert err.value.code == "INVALID_IIN" and err.value.field == "iin"


def test_put_many_is_all_or_nothing(registry):
    good = make_person(MOTHER)
    bad = make_person(SON, surname="")
    failures = []
    assert registry.put_many([good, bad], on_error=lambda i, e: failures.append((i, e.field))) == 0
    assert failures == [(1, "surname")] and registry.count() == 0
    assert registry.put_many([good, make_person(SON)]) == 2


# -- the JSON shape --------------------------------------------------------------------------------


def test_json_round_trip_and_defaults():
    person = PERSONAS["incapable"].person
    assert person_from_json(person_to_json(person)) == person
    minimal = person_from_json({"iin": MOTHER, "surname": "Серикова", "name": "Асель",
                                "regAddress": {"region": "55", "district": "5501", "city": "ПАВЛОДАР"},
                                "documents": [{"type": "002", "number": "012345678",
                                               "beginDate": "2020-01-01"}]})
    assert minimal.gender == "2" and minimal.birth_date == date(1980, 5, 17)
    assert minimal.birth_place.city == "ПАВЛОДАР" and minimal.documents[0].status == "00"
    assert (minimal.nationality, minimal.citizenship, minimal.life_status) == ("005", "398", "0")


@pytest.mark.parametrize("obj, field", [
    ({"iin": "123", "surname": "A", "name": "B"}, "iin"),
    ({"iin": MOTHER, "name": "B", "regAddress": {"region": "55"}}, "surname"),
    ({"iin": MOTHER, "surname": "A", "name": "B"}, "birthPlace"),
    ({"iin": MOTHER, "surname": "A", "name": "B", "regAddress": {"region": "55"},
      "documents": [{"type": "002", "number": "1", "beginDate": "2020-13-01"}]}, "documents[0].beginDate"),
    ({"iin": MOTHER, "surname": "A", "name": "B", "regAddress": {"region": "55"}, "colour": "red"}, "colour"),
    ({"iin": MOTHER, "surname": "A", "name": "B", "regAddress": {"region": "55"}, "parents": [5]}, "parents[0]"),
    ([1, 2], "person"),
])
def test_json_errors_name_the_field(obj, field):
    with pytest.raises(InvalidPerson) as err:
        person_from_json(obj)
    assert err.value.field == field


def test_json_iin_must_match_the_url():
    with pytest.raises(InvalidPerson) as err:
        person_from_json({"iin": MOTHER, "surname": "A", "name": "B", "regAddress": {"region": "55"}}, iin=SON)
    assert err.value.field == "iin"


# -- bulk load ---------------------------------------------------------------------------------------


def test_ensure_population_is_idempotent_and_restores_personas(db):
    registry = ensure_population(db, count=1_500, seed=2, clock=CLOCK)
    assert registry.count() == 1_500 + len(PERSONAS) - 1
    guardian = PERSONAS["guardian"]
    registry.put(replace(registry.get(guardian.iin), name="ИЗМЕНЕНО"))
    registry.put(make_person(PERSONAS["not_registered"].iin))
    again = ensure_population(db, count=5_000, seed=3, clock=CLOCK)
    assert again.count() == 1_500 + len(PERSONAS) - 1  # not generated twice
    assert again.get(guardian.iin) == guardian.person
    assert again.get(PERSONAS["not_registered"].iin) is None


def test_populate_replace_and_the_portable_path_agree(db, tmp_path):
    registry = PersonRegistry(db)
    assert pop.populate(db, count=1_200, seed=4, as_of=AS_OF) == 1_200
    assert pop.populate(db, count=1_200, seed=4, as_of=AS_OF) == 0  # not empty: nothing
    assert pop.populate(db, count=800, seed=5, as_of=AS_OF, replace=True) == 800
    assert registry.count() == 800
    fast = db.query(f"SELECT iin, record FROM {PERSONS_TABLE} ORDER BY seq")
    with Database.open(sqlite_url(tmp_path / "other.db")) as other:
        PersonRegistry(other)
        chunks = lambda: pop.generate_rows(800, seed=5, as_of=AS_OF, workers=1)  # noqa: E731
        phases = []
        load._populate_portable(other, 800, chunks, False, lambda *a: phases.append(a[0]))
        assert other.query(f"SELECT iin, record FROM {PERSONS_TABLE} ORDER BY seq") == fast
        assert {"generating", "indexing"} <= set(phases)
        assert len(PersonRegistry(other).search(surname=registry.page(limit=1)[0].surname, limit=800)) >= 1


def test_populate_rejects_silly_counts(db):
    with pytest.raises(InputError):
        pop.populate(db, count=-1)
