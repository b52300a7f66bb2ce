"""ГБД ФЛ behind ШЭП: ``GBDFL_UniversalServiceSync`` and the consent-token ``GBDFLUniversal_token``.

Every request the gateway lets through gets a normal ``cs:Response`` signed by the registry's
own certificate (a Ministry of Justice employee certificate from the test PKI, SYNTHETIC names),
as the real registry answers: problems with the request (a bad IIN, nobody found, an empty or
too broad search, a payload that breaks the contract) are a ``messageResult`` code other than
``00000`` with ``persons`` absent, never a fault. Only ``00000`` was seen in a real response;
every other code here is SYNTHETIC and can be changed through :class:`ResultCodes`.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from lxml import etree

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError
from egov_sim.core.offload import answer, answers_in_thread
from egov_sim.core.xml_build import new_guid
from egov_sim.gateway.config import Registration, Service
from egov_sim.gateway.providers import Provider, ProviderCall, ProviderReply
from egov_sim.reference.iin import is_valid_iin, make_bin, make_iin
from egov_sim.signing.enveloped import sign_payload
from egov_sim.signing.service_certs import ServiceIdentity, ServiceSigner
from egov_sim.wsdl.gbdfl import (
    Participant,
    PayloadError,
    PersonQuery,
    Result,
    read_person_query,
    render_person,
    response_data,
)

from .person_rows import decode_row
from .registry import MAX_SEARCH_LIMIT, PersonRegistry, TooManyResults

SERVICE_ID = "GBDFL_UniversalServiceSync"
TOKEN_SERVICE_ID = "GBDFLUniversal_token"
DEFAULT_RESULT_LIMIT = 50
PROVIDER_NAME = "gbd_fl"

REGISTRATION = Registration(services=(
    Service(SERVICE_ID, f"builtin:{PROVIDER_NAME}",
            description="ГБД ФЛ person lookup by IIN, names and birth dates, or document number"),
    Service(TOKEN_SERVICE_ID, f"builtin:{PROVIDER_NAME}",
            description="ГБД ФЛ lookup that requires a consent token (kdpToken, publicKey)"),
))
"""ГБД ФЛ's entries in the ШЭП register of interactions."""

# The registry's signing certificate: an employee of the Ministry of Justice (SYNTHETIC
# organisation name, BIN and person; the real one is a GOST certificate, see wire-formats.md §4.4).
GBDFL_IDENTITY = ServiceIdentity(
    name="gbdfl-registry", organization="Министерство юстиции Республики Казахстан (SIM)",
    bin=make_bin(2003, 4, 2401), employee_iin=make_iin(dt.date(1976, 4, 12), "F", 2001),
    surname="ГБД ФЛ", given_name="ГОСУДАРСТВЕННАЯ БАЗА ДАННЫХ")

SENDER = Participant("GBDFL", "ГБД ФЛ", "ЖТ МДҚ")

# Names of the receivers the simulator knows (its built-in participants); others get their code.
RECEIVERS: Mapping[str, Participant] = {
    "EGOV_SIM_IIS_CON": Participant("EGOV_SIM_IIS_CON", "ИИС ЦОН", "ХҚО ЫАЖ"),
    "EGOV_SIM_PORTAL": Participant("EGOV_SIM_PORTAL", "ИС ПЭП", "ЭҮП АЖ"),
    "EGOV_SIM_RSHEP": Participant("EGOV_SIM_RSHEP", "РШЭП", "ӨЭҮШ"),
}


@dataclass(frozen=True)
class ResultCodes:
    """``messageResult`` codes; only ``ok`` is real, the others are SYNTHETIC defaults."""

    ok: str = "00000"
    not_found: str = "SIM001"
    invalid_iin: str = "SIM002"
    empty_search: str = "SIM003"
    too_many: str = "SIM004"
    bad_request: str = "SIM005"
    token_required: str = "SIM006"


NAMES: Mapping[str, tuple[str, str]] = {
    "ok": ("Сообщение успешно обработано", "Хабарлама сәтті өңделді"),
    "not_found": ("Сведения о физическом лице не найдены", "Жеке тұлға туралы мәліметтер табылмады"),
    "invalid_iin": ("Некорректный ИИН", "ЖСН қате"),
    "empty_search": ("Не заданы параметры поиска", "Іздеу параметрлері берілмеген"),
    "too_many": ("Найдено слишком много записей, уточните параметры поиска",
                 "Тым көп жазба табылды, іздеу параметрлерін нақтылаңыз"),
    "bad_request": ("Некорректный формат запроса", "Сұраныс форматы қате"),
    "token_required": ("Не указан токен согласия (kdpToken, publicKey)",
                       "Келісім токені көрсетілмеген (kdpToken, publicKey)"),
}


class GbdflProvider:
    """The provider callable; one per process, shared by every request."""

    def __init__(self, registry: PersonRegistry, signer: ServiceSigner, *, clock: Clock,
                 result_limit: int, codes: ResultCodes, in_thread: bool | None = None):
        self.registry, self.signer, self.clock = registry, signer, clock
        self.result_limit, self.codes = result_limit, codes
        self.in_thread = answers_in_thread(registry.db, in_thread)
        """Whether answers are made on worker threads (PostgreSQL: a lookup waits for the
        network) or on the event loop (SQLite): egov_sim/core/offload.py."""

    def result(self, kind: str, detail: str | None = None) -> Result:
        name_ru, name_kz = NAMES[kind]
        return Result(getattr(self.codes, kind), f"{name_ru}: {detail}" if detail else name_ru,
                      name_kz)

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        # Reading and schema-checking stay on the event loop (validators are not shared
        # between threads); the lookup and the signature where _run puts them.
        receiver = RECEIVERS.get(call.info.sender_id) or Participant(call.info.sender_id,
                                                                     call.info.sender_id,
                                                                     call.info.sender_id)
        try:
            # call.payload: data as its signature covers it (comments removed), not data's .text
            query = read_person_query(call.payload)
        except PayloadError as exc:
            return await self._run(self._signed, call.info.message_id, receiver,
                                    self.result("bad_request", str(exc)), ())
        if call.info.service_id == TOKEN_SERVICE_ID and not (query.kdp_token and query.public_key):
            # Any token is accepted: egov-sim does not model the consent service (KDP_SERVICE).
            return await self._run(self._signed, query.message_id, receiver,
                                    self.result("token_required"), ())
        return await self._run(self._answer, query, receiver)

    async def _run(self, fn: Callable[..., ProviderReply], *args) -> ProviderReply:
        return await answer(self.in_thread, fn, *args)

    def _answer(self, query: PersonQuery, receiver: Participant) -> ProviderReply:
        if query.iin is not None and not query.is_empty and is_valid_iin(query.iin):
            row = self.registry.get_row(query.iin)  # the lookup by IIN: its person rendered once
            if row is None:
                return self._signed(query.message_id, receiver, self.result("not_found"), ())
            return self._signed(query.message_id, receiver, self.result("ok"), [_rendered(row)],
                                render=_copy_rendered)
        result, persons = self._lookup(query)
        return self._signed(query.message_id, receiver, result, persons)

    def _lookup(self, query: PersonQuery) -> tuple[Result, list]:
        if query.is_empty:
            return self.result("empty_search"), []
        if query.iin is not None:
            if not is_valid_iin(query.iin):
                return self.result("invalid_iin", query.iin), []
            person = self.registry.get(query.iin)
            return (self.result("ok"), [person]) if person else (self.result("not_found"), [])
        try:
            persons = self.registry.search(
                surname=query.surname, name=query.name, patronymic=query.patronymic,
                birth_date=query.birth_date, birth_date_from=query.birth_date_from,
                birth_date_to=query.birth_date_to, document_number=query.document_number,
                limit=self.result_limit)
        except TooManyResults as exc:
            return self.result("too_many", f"более {exc.limit}"), []
        except InputError as exc:  # empty, or contradictory (birthDate with a range)
            kind = "empty_search" if exc.code == "EMPTY_SEARCH" else "bad_request"
            return self.result(kind, str(exc)), []
        return (self.result("ok"), persons) if persons else (self.result("not_found"), [])

    def _signed(self, request_id: str, receiver: Participant, result: Result, persons, *,
                render: Callable[[etree._Element, Any], None] = render_person) -> ProviderReply:
        data = response_data(message_id=new_guid(), moment=self.clock(), request_id=request_id,
                             sender=SENDER, receiver=receiver, result=result, persons=persons,
                             render_person=render)
        return ProviderReply(data=sign_payload(data, self.signer.key, self.signer.certificate))


# --- the rendered person, once per stored row ------------------------------------------------------
# Rendering a person (seventeen dictionary values, thirty fields) cost more than the lookup and
# the signature's c14n together. The rendering depends on the stored row alone, so it is kept per
# row (a changed record is another row, rendered anew) and copied into every answer. Kept per
# thread (the event loop's, or the workers'), as lxml trees are not shared between threads
# (signing/enveloped.py does the same).

RENDERED_PER_THREAD = 512
_rendered_cache = threading.local()


def _rendered(row: Mapping[str, Any]) -> etree._Element:
    cache = getattr(_rendered_cache, "rows", None)
    if cache is None:
        cache = _rendered_cache.rows = {}
    key = tuple(row.values())
    element = cache.get(key)
    if element is None:
        if len(cache) >= RENDERED_PER_THREAD:
            cache.clear()
        element = cache[key] = etree.Element("person")
        render_person(element, decode_row(row))
    return element


def _copy_rendered(el: etree._Element, rendered: etree._Element) -> None:
    el.extend(list(copy.deepcopy(rendered)))


def build_gbdfl_provider(registry: PersonRegistry, signer: ServiceSigner, *,
                         clock: Clock = system_clock, result_limit: int = DEFAULT_RESULT_LIMIT,
                         codes: ResultCodes = ResultCodes(), in_thread: bool | None = None) -> Provider:
    """The ``builtin:gbd_fl`` provider for both serviceIds (the token one checks kdpToken/publicKey).

    ``result_limit``: a search finding more persons is answered with ``codes.too_many``.
    ``in_thread``: answer on worker threads (default: on PostgreSQL) or on the event loop
    (default: on SQLite).
    """
    if not 1 <= result_limit <= MAX_SEARCH_LIMIT:
        raise ValueError(f"result_limit must be between 1 and {MAX_SEARCH_LIMIT}")
    return GbdflProvider(registry, signer, clock=clock, result_limit=result_limit, codes=codes,
                         in_thread=in_thread)
