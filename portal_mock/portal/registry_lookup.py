"""Who may register: the portal asks ГБД ФЛ about the IIN through ШЭП, as egov.kz does.

002 §11.1 says only that the recipient registers "with the IIN and a password". The real portal
fills the new account from ГБД ФЛ and refuses an IIN the registry does not know; egov-sim does
the same with a ``GBDFL_UniversalServiceSync`` request sent as the portal (EGOV_SIM_PORTAL)
through the gateway, and refuses an unknown or deceased person. The names it returns go into
every ServiceRequest the person signs. ``registry_check=False`` in the portal settings skips the
lookup (the names are then taken from the registration form).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from egov_sim.core import ids
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault
from egov_sim.gateway.soap import now_iso

GBDFL_SERVICE = "GBDFL_UniversalServiceSync"
CS = "http://message.persistence.interactive.nat"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FOUND = "00000"
DEAD_STATUSES = frozenset({"1", "2"})  # adapters/gbd_fl/dictionaries.py: deceased, declared dead


class RegistryUnavailable(Exception):
    """ГБД ФЛ (or ШЭП on the way) did not give an answer the portal can act on."""


@dataclass(frozen=True)
class RegistryPerson:
    iin: str
    surname: str
    name: str
    patronymic: str | None
    birth_date: str | None
    dead: bool


@dataclass(frozen=True)
class LookupResult:
    person: RegistryPerson | None
    result_code: str
    result_text: str
    message_id: str


def _request(iin: str, sender: str, message_id: str, when) -> etree._Element:
    data = etree.Element("data", nsmap={"cs": CS, "xsi": XSI})
    data.set(f"{{{XSI}}}type", "cs:Request")
    etree.SubElement(data, "messageId").text = message_id
    etree.SubElement(data, "messageDate").text = now_iso(when)
    etree.SubElement(data, "senderCode").text = sender
    etree.SubElement(data, "iin").text = iin
    return data


async def lookup_person(client: ShepClient, iin: str) -> LookupResult:
    """The person with this IIN from ГБД ФЛ, or ``person=None`` with the registry's result code."""
    message_id = str(ids.new_uuid())
    try:
        reply = await client.send(GBDFL_SERVICE, _request(iin, client.sender_id, message_id,
                                                           client.clock()))
    except ShepFault as fault:
        raise RegistryUnavailable(f"ШЭП answered {fault.code}: {fault.message}") from None
    except ShepError as exc:
        raise RegistryUnavailable(str(exc)) from None
    data = reply.data
    if data is None:
        raise RegistryUnavailable("ГБД ФЛ answered without data")
    code = (data.findtext("messageResult/code") or "").strip()
    text = (data.findtext("messageResult/nameRu") or "").strip()
    person_el = next((p for p in data.iterfind("persons/person")
                      if (p.findtext("iin") or "").strip() == iin), None)
    if code != FOUND or person_el is None:
        return LookupResult(None, code or "?", text, message_id)
    t = lambda name: (person_el.findtext(name) or "").strip() or None  # noqa: E731
    dead = (person_el.findtext("lifeStatus/code") or "").strip() in DEAD_STATUSES \
        or t("deathDate") is not None
    person = RegistryPerson(iin, t("surname") or "", t("name") or "", t("patronymic"),
                            t("birthDate"), dead)
    return LookupResult(person, code, text, message_id)
