"""The ГБД ФЛ codec (payloads/gbdfl/*.xsd): the ``cs:Request`` written by a client (the ЦОН) and
read by the registry, the ``cs:Response`` written by the registry and read back by a client.

The XML shape is in one place: element order of the schemas, dictionary values as code +
nameRu + nameKz (egov_sim.reference.dictionaries), the wire's swapped district/region naming.
The registry (adapters/gbd_fl) looks persons up; this module only reads and writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from lxml import etree

from egov_sim.core import ids
from egov_sim.core.xml_build import add_dictionary, add_text, fields, message_date, parse_date, typed_data
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.person import Person

from .schemas import GBDFL_MESSAGE_NS, PayloadError, read_payload

SIGNED_ROOT = "data"
"""The element that was the document root when the answer was signed: re-root it to verify."""


# --- ГБД ФЛ request ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonQuery:
    """What a ``cs:Request`` asks for (one of: IIN, names and birth dates, document number)."""

    message_id: str
    sender_code: str
    iin: str | None = None
    surname: str | None = None
    name: str | None = None
    patronymic: str | None = None
    birth_date: dt.date | None = None
    birth_date_from: dt.date | None = None
    birth_date_to: dt.date | None = None
    document_number: str | None = None
    kdp_token: str | None = None
    public_key: str | None = None

    @property
    def is_empty(self) -> bool:
        return not any((self.iin, self.surname, self.name, self.patronymic, self.birth_date,
                        self.birth_date_from, self.birth_date_to, self.document_number))


def write_person_query(iin: str, *, sender_code: str, now: dt.datetime,
                       message_id: str | None = None) -> etree._Element:
    """A ``cs:Request`` by IIN (wire-formats.md §4.2; the key is [inferred] in the seed)."""
    data = typed_data("cs", GBDFL_MESSAGE_NS, "Request")
    add_text(data, "messageId", message_id or str(ids.new_uuid()))
    add_text(data, "messageDate", message_date(now))
    add_text(data, "senderCode", sender_code)
    add_text(data, "iin", iin)
    return data


def read_person_query(data: etree._Element | None) -> PersonQuery:
    """The ``cs:Request`` in ``data``; :class:`PayloadError` when it breaks the contract."""
    root = read_payload(data, "gbdfl-request")
    f = fields(root)
    try:
        return PersonQuery(
            message_id=f["messageId"], sender_code=f["senderCode"],
            iin=f.get("iin") or None, surname=f.get("surname") or None,
            name=f.get("name") or None, patronymic=f.get("patronymic") or None,
            birth_date=parse_date(f.get("birthDate")),
            birth_date_from=parse_date(f.get("birthDateFrom")),
            birth_date_to=parse_date(f.get("birthDateTo")),
            document_number=f.get("documentNumber") or None,
            kdp_token=f.get("kdpToken") or None, public_key=f.get("publicKey") or None)
    except ValueError as exc:  # a date the schema let through that Python cannot read
        raise PayloadError(f"bad date: {exc}") from None


# --- ГБД ФЛ response --------------------------------------------------------------------------

@dataclass(frozen=True)
class Participant:
    code: str
    name_ru: str
    name_kz: str


@dataclass(frozen=True)
class Result:
    code: str
    name_ru: str
    name_kz: str


def response_data(*, message_id: str, moment: dt.datetime, request_id: str, sender: Participant,
                  receiver: Participant, result: Result, persons: Iterable = (),
                  render_person: Callable[[etree._Element, Any], None] | None = None
                  ) -> etree._Element:
    """An unsigned ``cs:Response`` in ``<data xsi:type="cs:Response">``."""
    data = typed_data("cs", GBDFL_MESSAGE_NS, "Response")
    etree.SubElement(data, "messageId").text = message_id
    etree.SubElement(data, "messageDate").text = message_date(moment)
    etree.SubElement(data, "requestId").text = request_id
    for tag, who in (("sender", sender), ("receiver", receiver)):
        add_dictionary(data, tag, who.code, who.name_ru, who.name_kz)
    add_dictionary(data, "messageResult", result.code, result.name_ru, result.name_kz)
    persons = list(persons)
    if persons:
        if render_person is None:
            raise ValueError("persons need render_person")
        holder = etree.SubElement(data, "persons")
        for person in persons:
            render_person(etree.SubElement(holder, "person"), person)
    return data


def read_result(data: etree._Element) -> tuple[str | None, str | None]:
    """``messageResult`` of an answer: (code, nameRu)."""
    return data.findtext("messageResult/code"), data.findtext("messageResult/nameRu")


def read_first_person(data: etree._Element) -> dict | None:
    """The first ``persons/person`` of an answer as a client keeps it (iin, names, birthDate,
    the lifeStatus code), or None."""
    person = data.find("persons/person")
    if person is None:
        return None
    return {"iin": person.findtext("iin"), "surname": person.findtext("surname"),
            "name": person.findtext("name"), "patronymic": person.findtext("patronymic"),
            "birthDate": person.findtext("birthDate"),
            "lifeStatus": person.findtext("lifeStatus/code")}


# --- Person -----------------------------------------------------------------------------------
# Wire naming (wire-formats.md §4.3): <district> is the oblast (dictionary District) and <region>
# the район (dictionary Region), the reverse of registry.Address; abroad the two names go to
# foreignData (districtName = the foreign region, regionName = the foreign district).


def _entry(parent: etree._Element, tag: str, kind: str, code: str | None) -> None:
    value = dic.entry(kind, code)
    if value is not None:
        add_dictionary(parent, tag, value.code, value.name_ru, value.name_kz)


def _place(el: etree._Element, a) -> None:
    """country, district, region, foreignData: the head common to every address type."""
    _entry(el, "country", "country", a.country)
    if a.country == dic.KAZAKHSTAN:
        _entry(el, "district", "region", a.region)
        _entry(el, "region", "district", a.district)
    elif a.region or a.district:
        foreign = etree.SubElement(el, "foreignData")
        add_text(foreign, "districtName", a.region)
        add_text(foreign, "regionName", a.district)


def _street_part(el: etree._Element, a) -> None:
    for tag, value in (("city", a.city), ("street", a.street), ("building", a.building),
                       ("corpus", a.corpus), ("flat", a.flat), ("beginDate", a.begin_date),
                       ("endDate", a.end_date)):
        add_text(el, tag, value)


def _birth_place(el: etree._Element, a) -> None:
    _place(el, a)
    add_text(el, "city", a.city)
    add_text(el, "birthTeCodeAR", a.ar_code)


def _reg_address(el: etree._Element, a) -> None:
    _place(el, a)
    _street_part(el, a)
    _entry(el, "status", "address_status", a.status)
    add_text(el, "arCode", a.ar_code)


def _address(el: etree._Element, a) -> None:
    _entry(el, "type", "address_type", a.type or dic.ADDRESS_TEMPORARY)
    _place(el, a)
    _street_part(el, a)
    add_text(el, "arCode", a.ar_code)


def _document(el: etree._Element, d, person: Person) -> None:
    _entry(el, "type", "document_type", d.type)
    add_text(el, "number", d.number)
    add_text(el, "series", d.series)
    add_text(el, "beginDate", d.begin_date)
    add_text(el, "endDate", d.end_date)
    _entry(el, "issueOrganization", "document_organization", d.issuer)
    _entry(el, "status", "document_status", d.status)
    add_text(el, "invalidityDate", d.invalidity_date)
    add_text(el, "surname", person.surname)
    add_text(el, "name", person.name)
    add_text(el, "patronymic", person.patronymic)
    add_text(el, "birthDate", person.birth_date)


def _capable_status(el: etree._Element, person: Person) -> None:
    decision = person.capable_decision
    _entry(el, "capableStatus", "capable_status", person.capable_status)
    if decision is not None:
        add_text(el, "capableDate", decision.date)
        add_text(el, "capableEndDate", decision.end_date)
        add_text(el, "capableNumber", decision.number)
        _entry(el, "court", "court", decision.authority)
    else:  # a record without the decision: the contract's "not applicable" placeholders
        add_text(el, "capableDate", person.birth_date)
        add_text(el, "capableNumber", "0")
        _entry(el, "court", "court", dic.court_of(""))


def _missing_status(el: etree._Element, decision) -> None:
    add_text(el, "missing", True)
    add_text(el, "missingDate", decision.date)
    add_text(el, "missingEndDate", decision.end_date)
    add_text(el, "missingNumber", decision.number)
    _entry(el, "gpTerritorial", "gp_territorial", decision.authority)


def render_person(el: etree._Element, person: Person) -> None:
    """Fill ``<person>`` from a registry ``Person``, in the order of Person.xsd."""
    for tag, value in (("iin", person.iin), ("surname", person.surname), ("name", person.name),
                       ("patronymic", person.patronymic), ("engFirstName", person.eng_first_name),
                       ("engSurname", person.eng_surname), ("birthDate", person.birth_date),
                       ("deathDate", person.death_date)):
        add_text(el, tag, value)
    _entry(el, "gender", "gender", person.gender)
    _entry(el, "nationality", "nationality", person.nationality)
    _entry(el, "citizenship", "country", person.citizenship)
    _entry(el, "lifeStatus", "life_status", person.life_status)
    _birth_place(etree.SubElement(el, "birthPlace"), person.birth_place)
    if person.reg_address is not None:
        _reg_address(etree.SubElement(el, "regAddress"), person.reg_address)
    if person.capable_status is not None:
        _capable_status(etree.SubElement(el, "personCapableStatus"), person)
    if person.missing and person.missing_decision is not None:
        _missing_status(etree.SubElement(el, "missingStatus"), person.missing_decision)
    if person.documents:
        documents = etree.SubElement(el, "documents")
        for d in person.documents:
            _document(etree.SubElement(documents, "document"), d, person)
    if person.addresses:
        addresses = etree.SubElement(el, "addresses")
        for a in person.addresses:
            _address(etree.SubElement(addresses, "address"), a)
    add_text(el, "removed", bool(person.removed))
