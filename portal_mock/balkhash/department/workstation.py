"""Assembles the department: registers, cases, staff accounts, the реестр exchange and the API.

Everything is passed in (database, ГБД ФЛ's person registry, gateway URL, HTTP client, clock,
readings, thresholds, and the PKI for the electronic reading), so tests run several in one
process; the department reaches the ЦОН only through ШЭП, as participant ``EGOV_SIM_BALKHASH_UO``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx
from argon2 import PasswordHasher
from lxml import etree
from starlette.routing import BaseRoute

from egov_sim.adapters.social import SocialRegisters, Thresholds, build_social_registers
from egov_sim.adapters.social.personas import ensure_persona_registers
from egov_sim.adapters.social.schema import PersonLookup
from egov_sim.core.auth import DEFAULT_HASHER, Accounts
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.json_api import DEFAULT_MAX_BODY
from egov_sim.gateway.config import Participant, Registration, Service
from egov_sim.reference.balkhash_services import DEFAULT_READINGS, Readings

from .. import registry_wire as wire
from . import documents as docs
from .actions import Department
from .api import DepartmentApi
from .cases_store import CaseStore
from .exchange import RegistryInbox, RegistrySender
from .register_desk import RegisterDesk
from .staff import OFFICES, REALM, StaffMember
from .staff import PASSWORD as STAFF_PASSWORD


def registration(con_sender: str = wire.CON_SENDER) -> Registration:
    """The department's entries in the ШЭП register: the participant it sends as, and its реестр
    inbox, which only the 2012 ЦОН (``con_sender``) may call."""
    return Registration(
        participants=(Participant(wire.UO_SENDER, wire.UO_PASSWORD, "if-present",
                                  "Balkhash department of employment and social programmes (seed 001)"),),
        services=(Service(wire.UO_SERVICE_ID, f"builtin:{wire.UO_PROVIDER}", frozenset({con_sender}),
                          description="реестры of the 2012 ЦОН to the Balkhash department (SYNTHETIC)"),))


@dataclass
class DepartmentSystem:
    api: DepartmentApi
    department: Department
    registers: SocialRegisters
    inbox_provider: RegistryInbox
    """``builtin:balkhash_uo_registry``: give it to ``build_gateway(builtin_providers=…)``."""
    sender: RegistrySender
    accounts: Accounts

    def routes(self) -> list[BaseRoute]:
        return self.api.routes()

    async def redeliver_pending(self) -> list[dict]:
        return await self.sender.redeliver_all()


def _eds_signer(pki):
    """Sign a result with the signing member's legal-entity employee certificate (the reading
    electronic_results: a later regulation's electronic document)."""
    from egov_sim.signing.enveloped import sign_enveloped
    from egov_sim.signing.service_certs import ServiceIdentity, service_signer

    def sign(member: StaffMember, number: str, kind: str, f: dict) -> bytes:
        office = OFFICES[member.office]
        who = ServiceIdentity(name=f"blh-uo-{member.login.replace('.', '-')}", organization=office.name_ru,
                              bin=office.bin, employee_iin=member.iin, surname=member.surname,
                              given_name=member.given_name)
        signer = service_signer(pki, who)
        return sign_enveloped(etree.ElementTree(docs.document_xml(number, kind, f)), signer.key, signer.certificate)

    return sign


def build_department(db: Database, persons: PersonLookup, *, gateway_url: str, http: httpx.AsyncClient,
                     clock: Clock = system_clock, readings: Readings = DEFAULT_READINGS,
                     thresholds: Thresholds | None = None, pki=None, hasher: PasswordHasher = DEFAULT_HASHER,
                     seed_personas: bool = True, session_ttl: dt.timedelta = dt.timedelta(hours=9),
                     base_path: str = "/balkhash/uo", max_body: int = DEFAULT_MAX_BODY,
                     staff_password: str | None = None) -> DepartmentSystem:
    registers = build_social_registers(db, persons, clock=clock, thresholds=thresholds, readings=readings)
    if seed_personas:
        ensure_persona_registers(registers)
    store = CaseStore(db)
    department = Department(db, store, registers, clock, readings, signer=_eds_signer(pki) if pki else None)
    accounts = Accounts(db, REALM, clock=clock, session_ttl=session_ttl, hasher=hasher,
                        retired_passwords={STAFF_PASSWORD: staff_password} if staff_password else None)
    sender = RegistrySender(store, gateway_url, http, clock)
    desk = RegisterDesk(registers, clock, readings)
    api = DepartmentApi(department, desk, accounts, sender, clock, base_path=base_path, max_body=max_body)
    return DepartmentSystem(api, department, registers, RegistryInbox(department), sender, accounts)
