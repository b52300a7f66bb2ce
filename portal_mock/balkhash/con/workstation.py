"""Assembles the 2012 ЦОН: staff accounts, the queue and applications, the реестр exchange, the API.

The centre reaches the department only through ШЭП, as participant ``EGOV_SIM_BALKHASH_CON``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx
from argon2 import PasswordHasher
from starlette.routing import BaseRoute

from egov_sim.core.auth import DEFAULT_HASHER, Accounts
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.json_api import DEFAULT_MAX_BODY
from egov_sim.gateway.config import Participant, Registration, Service
from egov_sim.reference.balkhash_services import DEFAULT_READINGS, Readings

from .. import registry_wire as wire
from .api import CentreApi
from .centre import Centre
from .exchange import RegistryInbox, RegistrySender
from .staff import PASSWORD as STAFF_PASSWORD
from .staff import REALM
from .store import ConStore


def registration(uo_sender: str = wire.UO_SENDER) -> Registration:
    """The centre's entries in the ШЭП register: the participant it sends as, and its реестр inbox,
    which only the department (``uo_sender``) may call."""
    return Registration(
        participants=(Participant(wire.CON_SENDER, wire.CON_PASSWORD, "if-present",
                                  "the 2012 ЦОН of Balkhash (seed 001)"),),
        services=(Service(wire.CON_SERVICE_ID, f"builtin:{wire.CON_PROVIDER}", frozenset({uo_sender}),
                          description="реестры of results from the Balkhash department to its 2012 ЦОН (SYNTHETIC)"),))


@dataclass
class CentreSystem:
    api: CentreApi
    centre: Centre
    inbox_provider: RegistryInbox
    """``builtin:balkhash_con_registry``: give it to ``build_gateway(builtin_providers=…)``."""
    sender: RegistrySender
    accounts: Accounts

    def routes(self) -> list[BaseRoute]:
        return self.api.routes()

    async def redeliver_pending(self) -> list[dict]:
        return await self.sender.redeliver_all()


def build_centre(db: Database, *, gateway_url: str, http: httpx.AsyncClient, clock: Clock = system_clock,
                 readings: Readings = DEFAULT_READINGS, hasher: PasswordHasher = DEFAULT_HASHER,
                 session_ttl: dt.timedelta = dt.timedelta(hours=11), base_path: str = "/balkhash/con",
                 max_body: int = DEFAULT_MAX_BODY, staff_password: str | None = None) -> CentreSystem:
    store = ConStore(db)
    centre = Centre(db, store, clock, readings)
    accounts = Accounts(db, REALM, clock=clock, session_ttl=session_ttl, hasher=hasher,
                        retired_passwords={STAFF_PASSWORD: staff_password} if staff_password else None)
    sender = RegistrySender(store, gateway_url, http, clock)
    api = CentreApi(centre, accounts, sender, base_path=base_path, max_body=max_body)
    return CentreSystem(api, centre, RegistryInbox(centre), sender, accounts)
