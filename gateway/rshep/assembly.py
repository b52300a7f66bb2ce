"""Assembles РШЭП for one simulator: the АРМ store, staff accounts and keys, the regional
instances, the built-in provider ``builtin:rshep`` and the АРМ API.

Everything comes in from the caller (database, PKI, gateway URL, HTTP client, clock), so a test
can run several simulators in one process. See docs/rshep.md for the wiring in egov_sim/server.py
and gateway/config.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

import httpx
from argon2 import PasswordHasher
from starlette.routing import BaseRoute

from egov_sim.core.auth import DEFAULT_HASHER, Accounts
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.json_api import DEFAULT_MAX_BODY
from egov_sim.gateway.async_client import channel_client
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier

from .arm_actions import ArmActions, ArmOptions
from .arm_api import ArmApi
from .arm_store import ArmStore
from .delivery import ORIGIN_INBOXES, Deliverer
from .instances import RegionalInstance, build_instances
from .openapi import openapi_document
from .provider import RshepProvider
from .registration import PASSWORD, SENDER_ID
from .staff import Signers, seed_staff

ARM_REALM = "arm"
RSHEP_SENDER = (SENDER_ID, PASSWORD)
"""The ШЭП participant РШЭП sends as (registration.py)."""


@dataclass
class Rshep:
    store: ArmStore
    accounts: Accounts
    actions: ArmActions
    deliverer: Deliverer
    instances: Mapping[str, RegionalInstance]
    provider: RshepProvider
    """``builtin:rshep``: register it in build_gateway(builtin_providers={"rshep": ...})."""
    api: ArmApi

    def routes(self) -> list[BaseRoute]:
        """The АРМ API, to be mounted at /arm."""
        return self.api.routes()

    def openapi(self, server_url: str = "/arm") -> dict:
        return openapi_document(server_url)


def build_rshep(db: Database, pki: TestPKI, *, gateway_url: str, http: httpx.AsyncClient,
                clock: Clock = system_clock, refusal_via_head: bool = True,
                origin_inboxes: Mapping[str, str] = ORIGIN_INBOXES,
                sender: tuple[str, str | None] = RSHEP_SENDER,
                session_ttl: dt.timedelta = dt.timedelta(hours=8),
                hasher: PasswordHasher = DEFAULT_HASHER, seed_accounts: bool = False,
                max_body: int = DEFAULT_MAX_BODY,
                term_options: Mapping[str, bool] | None = None, leg: str = "async") -> Rshep:
    """``seed_accounts``: create every staff account now (otherwise each on its first sign-in);
    ``max_body``: the АРМ API's body cap (egov-sim serve --max-body); ``term_options``: the
    readings of the regulations' terms (egov_sim/reference/terms.py); ``leg``: answers go back
    over the AsyncChannel (``async``) or SyncChannel (``sync``)."""
    store = ArmStore(db, clock=clock)
    accounts = Accounts(db, ARM_REALM, clock=clock, session_ttl=session_ttl, hasher=hasher)
    if seed_accounts:
        seed_staff(accounts)
    options = ArmOptions(refusal_via_head=refusal_via_head, origin_inboxes=dict(origin_inboxes),
                         term_options=dict(term_options or {}))
    actions = ArmActions(store, accounts, Signers(pki), options=options, clock=clock)
    client = channel_client(leg, gateway_url, sender[0], sender[1], http=http, clock=clock)
    deliverer = Deliverer(store, client, clock=clock)
    instances = build_instances()
    verifier = Verifier(TrustStore.from_pem(pki.trust_pem()), clock=clock)
    provider = RshepProvider(store, instances, verifier, clock=clock)
    return Rshep(store, accounts, actions, deliverer, instances, provider,
                 ArmApi(store, accounts, actions, deliverer, max_body=max_body))
