"""ЕНИС behind ШЭП: ``ENIS_PowerOfAttorneyCheck_SIM`` (SYNTHETIC service and contract).

Every request the gateway lets through gets a normal, signed ``PoaResponse``: a broken payload
or a bad IIN is answered with an error code in ``messageResult`` (the way the registries answer),
never with a fault or a crash. The answer is signed with the ЕНИС system certificate from the
test PKI, as a standalone document rooted at ``data``.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.offload import answer, answers_in_thread
from egov_sim.core.xml_build import new_guid
from egov_sim.gateway.config import Registration, Service
from egov_sim.gateway.providers import Provider, ProviderCall, ProviderReply
from egov_sim.reference.iin import is_valid_iin, make_bin, make_iin
from egov_sim.signing.enveloped import sign_payload
from egov_sim.signing.service_certs import ServiceIdentity, ServiceSigner
from egov_sim.wsdl.enis import PayloadError, PoaRequest, read_poa_request, response_data

from . import check
from .poa_registry import PoaRegistry

SERVICE_ID = "ENIS_PowerOfAttorneyCheck_SIM"  # SYNTHETIC
PROVIDER_NAME = "enis"

REGISTRATION = Registration(services=(
    Service(SERVICE_ID, f"builtin:{PROVIDER_NAME}", description="ЕНИС power-of-attorney check (SYNTHETIC contract)"),
))
"""ЕНИС's entry in the ШЭП register of interactions."""

# The ЕНИС operator's system certificate: SYNTHETIC organisation, BIN and employee.
ENIS_IDENTITY = ServiceIdentity(
    name="enis-system", organization="Республиканская нотариальная палата (SIM)",
    bin=make_bin(2011, 7, 3101), employee_iin=make_iin(dt.date(1979, 9, 3), "M", 3002),
    surname="ЕНИС", given_name="НОТАРИАЛЬНАЯ СИСТЕМА")

BAD_REQUEST = "ENIS090"
"""SYNTHETIC, not in the contract's list: the payload breaks the contract (or is missing)."""
INVALID_IIN = "ENIS091"
"""SYNTHETIC, not in the contract's list: an IIN of 12 digits that is not a valid IIN."""

RESULTS: Mapping[str, tuple[str, str]] = MappingProxyType({
    check.FOUND: ("Доверенность найдена и действует", "Сенімхат табылды және күшінде"),
    check.NOT_FOUND: ("Доверенность не найдена", "Сенімхат табылмады"),
    check.REVOKED: ("Доверенность отменена", "Сенімхаттың күші жойылған"),
    check.EXPIRED: ("Срок действия доверенности истёк", "Сенімхаттың қолданылу мерзімі өткен"),
    check.PARTY_MISMATCH: ("Доверитель или поверенный не совпадает с данными доверенности",
                           "Сенім білдіруші немесе сенім білдірілген адам сенімхат деректеріне "
                           "сәйкес келмейді"),
    check.SCOPE_MISMATCH: ("Доверенность не распространяется на запрошенную услугу",
                           "Сенімхат сұралған қызметке қолданылмайды"),
    BAD_REQUEST: ("Некорректный формат запроса", "Сұраныс форматы қате"),
    INVALID_IIN: ("Некорректный ИИН", "ЖСН қате"),
})


def _result(code: str, detail: str | None = None) -> tuple[str, str, str]:
    name_ru, name_kz = RESULTS[code]
    return code, (f"{name_ru}: {detail}" if detail else name_ru), name_kz


class EnisProvider:
    """The provider callable; one per process, shared by every request."""

    def __init__(self, registry: PoaRegistry, signer: ServiceSigner, *, clock: Clock,
                 in_thread: bool | None = None):
        self.registry, self.signer, self.clock = registry, signer, clock
        self.in_thread = answers_in_thread(registry.db, in_thread)
        """Answers on a few threads (PostgreSQL) or on the event loop (SQLite):
        egov_sim/core/offload.py."""

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        # Reading and schema-checking stay on the event loop (validators are not shared
        # between threads); the register lookup and the signature where egov_sim/core/offload.py puts them.
        try:
            # call.payload: data as its signature covers it (comments removed), not data's .text
            request = read_poa_request(call.payload)
        except PayloadError as exc:
            return await self._refusal(call.info.message_id, _result(BAD_REQUEST, str(exc)))
        bad = [iin for iin in (request.principal_iin, request.attorney_iin)
               if iin is not None and not is_valid_iin(iin)]
        if bad:
            return await self._refusal(request.message_id,
                                       _result(INVALID_IIN, bad[0]))
        today = self.clock().astimezone(ALMATY).date()
        return await answer(self.in_thread, self._answer, request.message_id, _query(request, today))

    def _answer(self, request_id: str, query: check.PoaQuery) -> ProviderReply:
        verdict = check.check(self.registry, query)
        return self._signed(request_id, _result(verdict.code), verdict)

    async def _refusal(self, request_id: str, result) -> ProviderReply:
        return await answer(self.in_thread, self._signed, request_id, result, None)

    def _signed(self, request_id: str, result, verdict) -> ProviderReply:
        poa = verdict.poa if verdict is not None else None
        data = response_data(message_id=new_guid(), moment=self.clock(), request_id=request_id,
                             result=result, poa=poa, status=verdict.status if poa else None)
        return ProviderReply(data=sign_payload(data, self.signer.key, self.signer.certificate))


def _query(request: PoaRequest, today: dt.date) -> check.PoaQuery:
    """The register's question for a ``PoaRequest`` (``checkDate`` defaults to today)."""
    return check.PoaQuery(check_date=request.check_date or today, poa_number=request.poa_number,
                          principal_iin=request.principal_iin, attorney_iin=request.attorney_iin,
                          service_code=request.service_code)


def build_enis_provider(registry: PoaRegistry, signer: ServiceSigner, *,
                        clock: Clock = system_clock, in_thread: bool | None = None) -> Provider:
    """The ``builtin:enis`` provider; ``checkDate`` defaults to ``clock``'s date in Kazakhstan.
    ``in_thread``: answer on worker threads (default: on PostgreSQL) or on the event loop
    (default: on SQLite)."""
    return EnisProvider(registry, signer, clock=clock, in_thread=in_thread)
