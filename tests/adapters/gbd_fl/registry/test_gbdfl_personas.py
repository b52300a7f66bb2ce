"""Personas: fixed valid IINs, coherent records, present on any population, never generated."""

from __future__ import annotations

from datetime import date

import pytest

from egov_sim.adapters.gbd_fl.population import FIRST_GENERATED_SERIAL, populate
from egov_sim.adapters.gbd_fl.registry import PersonRegistry, install_personas
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.iin import parse_iin
from egov_sim.reference.person import validate
from egov_sim.reference.personas import PERSONAS, persona_persons
from tests.support.gbd_fl import AS_OF, CLOCK

# The literals other code and other people rely on: changing one breaks integrators' test data.
EXPECTED = {
    "guardian": "780314401012", "ward": "180722501110", "ward_teen": "111005601218",
    "deceased": "850930401314", "not_registered": "900101301411", "id_expired": "750505301514",
    "incapable": "481201401612", "missing": "691010301814", "doc_invalid": "880202301911",
    "needy_applicant": "830418402117", "poa_principal": "560630302314", "poa_agent": "900909402419",
    "poa_agent_expired": "790303302511", "poa_agent_revoked": "871212402612",
    "poa_agent_scope_mismatch": "700707302711",
}


def test_persona_iins_are_the_published_literals():
    for key, iin in EXPECTED.items():
        assert PERSONAS[key].iin == iin


def test_persona_iins_are_valid_and_outside_the_generated_range():
    assert len({p.iin for p in PERSONAS.values()}) == len(PERSONAS)
    for persona in PERSONAS.values():
        info = parse_iin(persona.iin)
        assert int(persona.iin[7:11]) < FIRST_GENERATED_SERIAL
        if persona.person is not None:
            validate(persona.person)
            assert persona.person.iin == persona.iin and persona.person.birth_date == info.birth_date
    assert PERSONAS["not_registered"].person is None


def test_scenario_states():
    today = date(2030, 1, 1)  # persona documents outlive the tests that use them
    p = {key: persona.person for key, persona in PERSONAS.items() if persona.person}
    assert p["guardian"].valid_documents(today) and p["guardian"].wards == (p["ward"].iin, p["ward_teen"].iin)
    assert p["ward"].age_on(AS_OF) < 14 <= p["ward_teen"].age_on(AS_OF) < 18
    assert p["ward"].documents[0].type == dic.BIRTH_CERTIFICATE
    assert p["ward"].reg_address.ar_code == p["guardian"].reg_address.ar_code  # they live together
    assert p["deceased"].life_status == dic.LIFE_DECEASED and p["deceased"].death_date
    assert p["ward"].iin in p["deceased"].children
    assert not p["id_expired"].valid_documents(date(2025, 1, 1))
    assert p["id_expired"].documents[0].status == dic.DOC_EXPIRED
    assert p["incapable"].capable_status == dic.INCAPABLE
    assert p["incapable"].guardians == (p["incapable_guardian"].iin,)
    assert p["missing"].missing and p["missing"].life_status == dic.LIFE_MISSING
    assert p["doc_invalid"].documents[0].status == dic.DOC_LOST and not p["doc_invalid"].valid_documents(today)
    assert p["needy_applicant"].reg_address.region == dic.ALMATY_OBLAST
    assert p["needy_applicant_rural"].reg_address.city.startswith("С. ")
    assert p["guardian"].reg_address.region == dic.PAVLODAR_OBLAST
    for key in ("poa_principal", "poa_agent", "poa_agent_expired", "poa_agent_revoked",
                "poa_agent_scope_mismatch", "con_operator", "provider_executor", "provider_head",
                "needy_applicant", "needy_applicant_rural", "incapable_guardian"):
        assert p[key].valid_documents(today), key
        assert p[key].age_on(AS_OF) >= 18 and p[key].alive


@pytest.mark.parametrize("seed, count", [(1, 500), (99, 2_000)])
def test_personas_present_on_any_population(db, seed, count):
    populate(db, count=count, seed=seed, as_of=AS_OF)
    registry = PersonRegistry(db, clock=CLOCK)
    install_personas(registry)
    for persona in PERSONAS.values():
        assert registry.get(persona.iin) == persona.person
    assert registry.count() == count + len(persona_persons())
