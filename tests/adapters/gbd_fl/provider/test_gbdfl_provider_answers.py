"""ГБД ФЛ answers through the real gateway over HTTP: payload styles, personas, searches, zeep."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import zeep
from lxml import etree
from zeep import xsd
from zeep.plugins import HistoryPlugin

from egov_sim.reference.personas import PERSONAS
from egov_sim.wsdl.schemas import payload_validator
from tests.support.registries import BINDING, CLIENT, CS, GBDFL, WSDL_PATH, XSI, Reply, ask_gbdfl, new_id, verify_data

GUID_BRACES = r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}"


def assert_valid_response(reply: Reply) -> etree._Element:
    """A normal SendMessageResponse whose data is a typed cs:Response valid against the contract."""
    assert reply.status == 200, reply.content[:800]
    assert reply.status_code == "SCSS001"
    data = reply.data
    prefix, _, local = data.get(f"{{{XSI}}}type").partition(":")
    assert (data.nsmap[prefix], local) == (CS, "Response")
    schema = payload_validator("gbdfl-response")
    assert schema.validate(data), schema.error_log
    assert re.fullmatch(GUID_BRACES, data.findtext("messageId"))
    assert data.findtext("sender/code") == "GBDFL"
    assert data.findtext("receiver/code") == CLIENT[0]
    return data


def _dict(el: etree._Element, path: str) -> tuple[str, str, str]:
    node = el.find(path)
    return node.findtext("code"), node.findtext("nameRu"), node.findtext("nameKz")


@pytest.mark.parametrize("style", ["typed", "escaped", "plain"])
def test_lookup_by_iin_in_every_payload_style(registries, style):
    iin = PERSONAS["poa_principal"].iin
    message_id = new_id()
    data = assert_valid_response(ask_gbdfl(registries, style, message_id=message_id, iin=iin))
    assert data.findtext("requestId") == message_id
    assert _dict(data, "messageResult") == ("00000", "Сообщение успешно обработано",
                                           "Хабарлама сәтті өңделді")
    persons = data.findall("persons/person")
    assert [p.findtext("iin") for p in persons] == [iin]
    assert verify_data(registries, data).valid


def test_person_fields_match_the_registry(registries):
    iin = PERSONAS["poa_principal"].iin
    person = registries.persons.get(iin)
    p = assert_valid_response(ask_gbdfl(registries, iin=iin)).find("persons/person")
    assert p.findtext("surname") == person.surname and p.findtext("name") == person.name
    assert p.findtext("patronymic") == person.patronymic
    assert p.findtext("birthDate") == person.birth_date.isoformat()
    assert _dict(p, "gender")[0] == person.gender
    assert _dict(p, "gender")[1] in ("Мужской", "Женский")
    assert _dict(p, "citizenship")[0] == person.citizenship
    assert _dict(p, "lifeStatus") == ("0", "Нормальный", "Қалыпты")
    assert _dict(p, "nationality")[0] == person.nationality
    assert p.find("birthPlace/country/code").text == person.birth_place.country
    reg = p.find("regAddress")
    assert reg.findtext("district/code") == person.reg_address.region  # wire <district> = oblast
    assert reg.findtext("status/code") == person.reg_address.status
    docs = p.findall("documents/document")
    assert [d.findtext("number") for d in docs] == [d.number for d in person.documents]
    for el, doc in zip(docs, person.documents):
        assert el.findtext("type/code") == doc.type and el.findtext("type/nameRu")
        assert el.findtext("status/code") == doc.status and el.findtext("status/nameKz")
        assert el.findtext("issueOrganization/code") == doc.issuer
    assert p.findtext("removed") == "false"


def test_deceased_persona(registries):
    person = registries.persons.get(PERSONAS["deceased"].iin)
    p = assert_valid_response(ask_gbdfl(registries, iin=person.iin)).find("persons/person")
    assert p.findtext("deathDate") == person.death_date.isoformat()
    assert p.findtext("lifeStatus/code") == person.life_status != "0"


def test_every_persona_answers_and_validates(registries):
    for key, persona in PERSONAS.items():
        reply = ask_gbdfl(registries, iin=persona.iin)
        data = assert_valid_response(reply)
        if registries.persons.get(persona.iin) is None:
            assert data.findtext("messageResult/code") == "SIM001", key
            assert data.find("persons") is None
        else:
            assert data.findtext("messageResult/code") == "00000", key


def test_special_records_render_validly(registries):
    """Every record shape of the population (incapable, missing, foreign…) renders validly."""
    people = registries.persons.page(limit=400)
    special = [p for p in people if p.capable_status or p.missing or p.addresses or p.removed
               or p.citizenship != "398"]
    assert special
    for person in special[:25]:
        p = assert_valid_response(ask_gbdfl(registries, iin=person.iin)).find("persons/person")
        if person.capable_status is not None:
            assert p.findtext("personCapableStatus/capableStatus/code") == person.capable_status
            assert p.findtext("personCapableStatus/court/nameRu")
        if person.addresses:
            assert len(p.findall("addresses/address")) == len(person.addresses)
        assert p.findtext("removed") == ("true" if person.removed else "false")


def test_search_by_names_and_birth_date_range(registries):
    person = registries.persons.get(PERSONAS["poa_agent"].iin)
    year = person.birth_date.year
    data = assert_valid_response(ask_gbdfl(
        registries, "plain", surname=person.surname.lower(), name=person.name,
        birthDateFrom=f"{year}-01-01", birthDateTo=f"{year}-12-31"))
    assert data.findtext("messageResult/code") == "00000"
    assert person.iin in [p.findtext("iin") for p in data.findall("persons/person")]


def test_search_by_exact_birth_date_and_patronymic(registries):
    person = registries.persons.get(PERSONAS["poa_agent"].iin)
    data = assert_valid_response(ask_gbdfl(
        registries, surname=person.surname, patronymic=person.patronymic,
        birthDate=person.birth_date.isoformat()))
    assert person.iin in [p.findtext("iin") for p in data.findall("persons/person")]


def test_search_by_document_number(registries):
    person = registries.persons.get(PERSONAS["poa_principal"].iin)
    number = person.documents[0].number
    data = assert_valid_response(ask_gbdfl(registries, "escaped", documentNumber=number))
    assert [p.findtext("iin") for p in data.findall("persons/person")] == [person.iin]


def test_token_service_with_a_token(registries):
    iin = PERSONAS["poa_principal"].iin
    data = assert_valid_response(ask_gbdfl(registries, service_id="GBDFLUniversal_token", iin=iin,
                                           kdpToken="any-token", publicKey="any-key"))
    assert data.findtext("messageResult/code") == "00000"


# --- zeep built from the served WSDL --------------------------------------------------------


@pytest.fixture(scope="module")
def zeep_service(registries):
    history = HistoryPlugin()
    client = zeep.Client(registries.url + WSDL_PATH, plugins=[history])
    return client.create_service(BINDING, registries.endpoint), history


def cs_request_type() -> xsd.ComplexType:
    """``cs:Request`` as an ad-hoc zeep type (zeep has no payload schema: data is anyType)."""
    names = ("messageId", "messageDate", "senderCode", "iin", "surname", "name", "birthDateFrom",
             "birthDateTo")
    return xsd.ComplexType(xsd.Sequence([xsd.Element(n, xsd.String(), min_occurs=0) for n in names]),
                           qname=etree.QName(CS, "Request"))


def test_zeep_typed_request(registries, zeep_service):
    service, history = zeep_service
    request_type = cs_request_type()
    iin = PERSONAS["poa_principal"].iin
    message_id = new_id()
    payload = request_type(messageId=message_id, messageDate="2024-02-05T10:15:00+05:00",
                           senderCode=CLIENT[0], iin=iin)
    reply = service.SendMessage(request={
        "requestInfo": {"messageId": message_id, "serviceId": GBDFL,
                        "messageDate": dt.datetime.now(dt.UTC),
                        "sender": {"senderId": CLIENT[0], "password": CLIENT[1]}},
        "requestData": {"data": xsd.AnyObject(request_type, payload)}})
    assert reply.responseInfo.correlationId == message_id
    assert reply.responseInfo.status.code == "SCSS001"
    # zeep drops data's xsi:type when it parses; the raw answer keeps it and the signature
    raw = history.last_received["envelope"]
    data = raw.find(".//responseData/data")
    assert assert_valid_response_data(data).findtext("persons/person/iin") == iin
    assert verify_data(registries, data).valid


def assert_valid_response_data(data: etree._Element) -> etree._Element:
    schema = payload_validator("gbdfl-response")
    assert schema.validate(data), schema.error_log
    assert data.findtext("messageResult/code") == "00000"
    return data


def test_an_edited_record_is_answered_as_edited(registries):
    """The provider renders a person once per stored row: an edit (another row) is rendered
    anew, and the answer is signed over what is stored now."""
    from dataclasses import replace

    iin = PERSONAS["incapable_guardian"].iin
    before = registries.persons.get(iin)
    first = assert_valid_response(ask_gbdfl(registries, iin=iin)).find("persons/person")
    assert first.findtext("patronymic") == before.patronymic
    registries.persons.put(replace(before, patronymic="ИЗМЕНЁНОВИЧ"))
    try:
        data = assert_valid_response(ask_gbdfl(registries, iin=iin))
        assert data.findtext("persons/person/patronymic") == "ИЗМЕНЁНОВИЧ"
        assert verify_data(registries, data).valid
    finally:
        registries.persons.put(before)
    again = assert_valid_response(ask_gbdfl(registries, iin=iin))
    assert again.findtext("persons/person/patronymic") == before.patronymic


@pytest.mark.parametrize("in_thread", [False, True], ids=["on-the-loop", "on-worker-threads"])
def test_answers_the_same_on_the_loop_and_on_worker_threads(tmp_path, registries_pki, in_thread):
    """SQLite answers on the event loop, PostgreSQL on the provider's threads (the lookup waits
    for the network there): both are real, signed answers, also for requests at once."""
    import concurrent.futures

    from tests.support.registries import live_registries

    with live_registries(tmp_path / "home", registries_pki, gbdfl_options={"in_thread": in_thread}) as live:
        assert live.gateway.channel.resolve_provider.builtin["gbd_fl"].in_thread is in_thread
        iins = [PERSONAS[key].iin for key in ("guardian", "ward", "poa_principal", "incapable")]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda iin: ask_gbdfl(live, iin=iin), iins * 3))
        for iin, reply in zip(iins * 3, replies):
            data = assert_valid_response(reply)
            assert data.findtext("persons/person/iin") == iin
            assert verify_data(live, data).valid
