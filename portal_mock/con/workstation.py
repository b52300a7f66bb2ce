"""Assembles the ИИС ЦОН АРМ: accounts, store, ШЭП client, registries, intake, API and inbox.

Everything is passed in (database, PKI, gateway URL, HTTP client, clock), so a test can run
several simulators in one process; the ЦОН reaches ШЭП only over HTTP, as a participant
(``EGOV_SIM_IIS_CON``), never in process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import httpx
from argon2 import PasswordHasher
from starlette.routing import BaseRoute

from egov_sim.core.auth import DEFAULT_HASHER, Accounts
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.json_api import DEFAULT_MAX_BODY
from egov_sim.gateway.async_client import channel_client
from egov_sim.gateway.client import ShepClient
from egov_sim.gateway.config import Participant, Registration, Service
from egov_sim.gateway.providers import Provider
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier

from . import openapi
from .api import ConApi
from .applications_store import ApplicationStore
from .inbox_provider import SERVICE_ID as INBOX_SERVICE_ID
from .inbox_provider import ConInbox
from .intake import Catalogue, Intake
from .lookups import LookupRules, Registries
from .operators import REALM, Operators

BUILTIN_NAME = "con_inbox"
"""The gateway config names the inbox ``builtin:con_inbox``."""
SENDER_ID = "EGOV_SIM_IIS_CON"
PASSWORD = "con-secret"


def registration(rshep_sender: str) -> Registration:
    """The ИИС ЦОН's entries in the ШЭП register: the participant it sends as, and its inbox,
    which only ``rshep_sender`` (the participant РШЭП sends as) may call."""
    return Registration(
        participants=(Participant(SENDER_ID, PASSWORD, "if-present", "State Corporation ИИС ЦОН"),),
        services=(Service(INBOX_SERVICE_ID, f"builtin:{BUILTIN_NAME}", frozenset({rshep_sender}),
                          description="ИИС ЦОН's inbox for РШЭП notifications and results (SYNTHETIC)"),))


@dataclass(frozen=True)
class ConOptions:
    """The ИИС ЦОН's settings; every default is documented in docs/con.md."""

    sender_id: str = SENDER_ID
    password: str | None = PASSWORD
    lookups: LookupRules = field(default_factory=LookupRules)
    inbox_senders: frozenset[str] = frozenset({"EGOV_SIM_RSHEP"})
    """Who may post to the inbox (ШЭП's allowed_senders should say the same)."""
    verify_result_signature: bool = True
    """K13: refuse a ServiceResult that is not validly signed (CON003)."""
    session_ttl: dt.timedelta = dt.timedelta(hours=8)
    """An operator's session lasts one shift (SYNTHETIC)."""
    seed_operators: bool = True
    base_path: str = "/con"
    shep_timeout: float = 30.0
    max_body: int = DEFAULT_MAX_BODY
    """Largest request body of the API (413 above it); egov-sim serve --max-body."""
    term_options: dict = field(default_factory=dict)
    """The readings of the regulations' terms (egov_sim/reference/terms.py): the receipt's date
    follows the same switches as the АРМ's due dates."""
    shep_leg: str = "async"
    """P5 to РШЭП over the AsyncChannel (``async``) or SyncChannel (``sync``)."""


@dataclass
class Con:
    api: ConApi
    inbox_provider: Provider
    """``builtin:con_inbox``: give it to ``build_gateway(builtin_providers=…)``."""
    store: ApplicationStore
    operators: Operators
    intake: Intake
    accounts: Accounts
    """The operators' accounts and sessions (realm ``con``)."""
    clock: Clock = system_clock

    def routes(self) -> list[BaseRoute]:
        """The API's routes, relative: mount them at ``/con``."""
        return self.api.routes()

    def openapi(self) -> dict:
        return self.api.openapi()


def build_con(db: Database, pki: TestPKI, *, gateway_url: str, http: httpx.AsyncClient,
              clock: Clock = system_clock, options: ConOptions = ConOptions(),
              hasher: PasswordHasher = DEFAULT_HASHER, catalogue: Catalogue | None = None) -> Con:
    if catalogue is None:
        from egov_sim.reference import catalogue as default_catalogue

        catalogue = default_catalogue
    accounts = Accounts(db, REALM, clock=clock, session_ttl=options.session_ttl, hasher=hasher)
    operators = Operators(db, accounts)
    if options.seed_operators:
        operators.ensure_seeded()
    store = ApplicationStore(db, clock=clock)
    verifier = Verifier(TrustStore.from_pem(pki.trust_pem()), clock=clock)
    shep = ShepClient(gateway_url, options.sender_id, options.password, http=http, clock=clock,
                      timeout=options.shep_timeout)
    registries = Registries(shep, verifier, clock, options.lookups)
    # P5 to РШЭП over the AsyncChannel unless shep_leg says sync; lookups stay SyncChannel
    requests_client = channel_client(options.shep_leg, gateway_url, options.sender_id,
                                     options.password, http=http, clock=clock,
                                     timeout=options.shep_timeout)
    intake = Intake(store=store, registries=registries, shep=requests_client, catalogue=catalogue,
                    pki=pki, clock=clock, term_options=options.term_options)
    inbox = ConInbox(store, verifier, clock, allowed_senders=options.inbox_senders,
                     verify_result_signature=options.verify_result_signature)
    api = ConApi(accounts, operators, store, intake, catalogue, clock,
                 openapi=lambda: openapi.document(options.base_path), base_path=options.base_path,
                 max_body=options.max_body)
    return Con(api, inbox, store, operators, intake, accounts, clock)
