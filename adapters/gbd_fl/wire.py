"""ГБД ФЛ payloads on the wire: the ``cs:Request`` read from ``data``, the ``cs:Response`` written.

Kept apart from the lookup so the XML shape (element order of wsdl/payloads/gbdfl/*.xsd,
dictionary values as code + nameRu + nameKz) is in one place. The payload helpers at the top
(reading any payload style, the enveloped business-data signature) are shared with ЕНИС, whose
answers are shaped and signed the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable

from lxml import etree

from egov_sim.core.clock import ALMATY
from egov_sim.core.errors import InputError
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.wsdl.schemas import GBDFL_MESSAGE_NS, XSI_NS, payload_root, payload_validator

from egov_sim.reference import dictionaries as dic
from egov_sim.core import ids

XSI_TYPE = f"{{{XSI_NS}}}type"

SIGNED_ROOT = "data"
"""The element that was the document root when the answer was signed: re-root it to verify."""


# --- shared payload helpers ------------------------------------------------------------------


class PayloadError(Exception):
    """The request's payload cannot be read as the contract's request; the answer says why."""


def read_payload(data: etree._Element | None, validator: str) -> etree._Element:
    """The payload element of ``data`` in any of the three styles, checked against the contract."""
    if data is None:
        raise PayloadError("requestData/data is missing")
    try:
        root = payload_root(data)
    except (InputError, etree.XMLSyntaxError) as exc:
        raise PayloadError(f"the escaped payload is not well-formed XML: {exc}") from None
    schema = payload_validator(validator)
    if not schema.validate(root):
        err = schema.error_log.last_error
        raise PayloadError(f"line {err.line}: {err.message}" if err else "the payload does not "
                           "match the contract")
    return root


def fields(root: etree._Element) -> dict[str, str]:
    """The unqualified child elements of a validated payload, by name, with stripped text."""
    return {c.tag: (c.text or "").strip() for c in root
            if isinstance(c.tag, str) and not etree.QName(c).namespace}


def parse_date(text: str | None) -> dt.date | None:
    """An ``xsd:date`` (a time-zone suffix, allowed by the type, is ignored)."""
    return dt.date.fromisoformat(text[:10]) if text else None


def typed_data(prefix: str, namespace: str, type_name: str) -> etree._Element:
    """An empty ``<data xsi:type="prefix:Type">``: payload style 1, as the registries answer."""
    data = etree.Element("data", nsmap={prefix: namespace, "xsi": XSI_NS})
    data.set(XSI_TYPE, f"{prefix}:{type_name}")
    return data


def text(parent: etree._Element, tag: str, value) -> etree._Element | None:
    """A child with ``value`` as text; nothing when the value is None or empty."""
    if value is None or value == "":
        return None
    el = etree.SubElement(parent, tag)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        el.text = value.isoformat()
    else:
        el.text = str(value)
    return el


def dictionary(parent: etree._Element, tag: str, code: str, name_ru: str,
               name_kz: str) -> etree._Element:
    """A dictionary value (справочник): ``code``, ``nameRu``, ``nameKz``."""
    el = etree.SubElement(parent, tag)
    etree.SubElement(el, "code").text = code
    etree.SubElement(el, "nameRu").text = name_ru
    etree.SubElement(el, "nameKz").text = name_kz
    return el


def message_date(moment: dt.datetime) -> str:
    """xsd:dateTime with milliseconds and the Kazakhstan offset."""
    return moment.astimezone(ALMATY).isoformat(timespec="milliseconds")


def new_guid() -> str:
    """A message id in the braces style of real ГБД ФЛ responses."""
    return "{" + str(ids.new_uuid()) + "}"


def sign_payload(data: etree._Element, signer) -> etree._Element:
    """Sign ``data`` as a standalone document (NCALayer enveloped layout) and return it.

    ``URI=""`` then covers exactly this element; once it is embedded in the ШЭП envelope, a
    client verifies ``signing.verify.reroot(data)``.
    """
    tree = etree.ElementTree(data)
    sign_enveloped(tree, signer.key, signer.certificate)
    return tree.getroot()


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
                  render_person: Callable[[etree._Element, object], None] | None = None
                  ) -> etree._Element:
    """An unsigned ``cs:Response`` in ``<data xsi:type="cs:Response">``."""
    data = typed_data("cs", GBDFL_MESSAGE_NS, "Response")
    etree.SubElement(data, "messageId").text = message_id
    etree.SubElement(data, "messageDate").text = message_date(moment)
    etree.SubElement(data, "requestId").text = request_id
    for tag, who in (("sender", sender), ("receiver", receiver)):
        dictionary(data, tag, who.code, who.name_ru, who.name_kz)
    dictionary(data, "messageResult", result.code, result.name_ru, result.name_kz)
    persons = list(persons)
    if persons:
        holder = etree.SubElement(data, "persons")
        for person in persons:
            render_person(etree.SubElement(holder, "person"), person)
    return data


# --- Person -----------------------------------------------------------------------------------
# Wire naming (wire-formats.md §4.3): <district> is the oblast (dictionary District) and <region>
# the район (dictionary Region), the reverse of registry.Address; abroad the two names go to
# foreignData (districtName = the foreign region, regionName = the foreign district).


def _entry(parent: etree._Element, tag: str, kind: str, code: str | None) -> None:
    value = dic.entry(kind, code)
    if value is not None:
        dictionary(parent, tag, value.code, value.name_ru, value.name_kz)


def _place(el: etree._Element, a) -> None:
    """country, district, region, foreignData: the head common to every address type."""
    _entry(el, "country", "country", a.country)
    if a.country == dic.KAZAKHSTAN:
        _entry(el, "district", "region", a.region)
        _entry(el, "region", "district", a.district)
    elif a.region or a.district:
        foreign = etree.SubElement(el, "foreignData")
        text(foreign, "districtName", a.region)
        text(foreign, "regionName", a.district)


def _street_part(el: etree._Element, a) -> None:
    for tag, value in (("city", a.city), ("street", a.street), ("building", a.building),
                       ("corpus", a.corpus), ("flat", a.flat), ("beginDate", a.begin_date),
                       ("endDate", a.end_date)):
        text(el, tag, value)


def _birth_place(el: etree._Element, a) -> None:
    _place(el, a)
    text(el, "city", a.city)
    text(el, "birthTeCodeAR", a.ar_code)


def _reg_address(el: etree._Element, a) -> None:
    _place(el, a)
    _street_part(el, a)
    _entry(el, "status", "address_status", a.status)
    text(el, "arCode", a.ar_code)


def _address(el: etree._Element, a) -> None:
    _entry(el, "type", "address_type", a.type or dic.ADDRESS_TEMPORARY)
    _place(el, a)
    _street_part(el, a)
    text(el, "arCode", a.ar_code)


def _document(el: etree._Element, d, person) -> None:
    _entry(el, "type", "document_type", d.type)
    text(el, "number", d.number)
    text(el, "series", d.series)
    text(el, "beginDate", d.begin_date)
    text(el, "endDate", d.end_date)
    _entry(el, "issueOrganization", "document_organization", d.issuer)
    _entry(el, "status", "document_status", d.status)
    text(el, "invalidityDate", d.invalidity_date)
    text(el, "surname", person.surname)
    text(el, "name", person.name)
    text(el, "patronymic", person.patronymic)
    text(el, "birthDate", person.birth_date)


def _capable_status(el: etree._Element, person) -> None:
    decision = person.capable_decision
    _entry(el, "capableStatus", "capable_status", person.capable_status)
    if decision is not None:
        text(el, "capableDate", decision.date)
        text(el, "capableEndDate", decision.end_date)
        text(el, "capableNumber", decision.number)
        _entry(el, "court", "court", decision.authority)
    else:  # a record without the decision: the contract's "not applicable" placeholders
        text(el, "capableDate", person.birth_date)
        text(el, "capableNumber", "0")
        _entry(el, "court", "court", dic.court_of(""))


def _missing_status(el: etree._Element, decision) -> None:
    text(el, "missing", True)
    text(el, "missingDate", decision.date)
    text(el, "missingEndDate", decision.end_date)
    text(el, "missingNumber", decision.number)
    _entry(el, "gpTerritorial", "gp_territorial", decision.authority)


def render_person(el: etree._Element, person) -> None:
    """Fill ``<person>`` from a registry ``Person``, in the order of Person.xsd."""
    for tag, value in (("iin", person.iin), ("surname", person.surname), ("name", person.name),
                       ("patronymic", person.patronymic), ("engFirstName", person.eng_first_name),
                       ("engSurname", person.eng_surname), ("birthDate", person.birth_date),
                       ("deathDate", person.death_date)):
        text(el, tag, value)
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
    text(el, "removed", bool(person.removed))
