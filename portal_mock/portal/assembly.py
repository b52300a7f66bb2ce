"""Assembles the portal from its settings: accounts, catalogue, checks, ШЭП client, inbox.

Everything is passed in (database, PKI, clock, HTTP client, gateway URL), so a test can run
several portals in one process. The portal talks to ШЭП only over HTTP with
:class:`gateway.client.ShepClient`, as the participant EGOV_SIM_PORTAL; the gateway reaches the
portal's inbox through the built-in provider ``builtin:portal_inbox`` (:attr:`Portal.inbox_provider`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Sequence

import httpx
from argon2 import PasswordHasher
from starlette.routing import BaseRoute

from egov_sim.core.auth import DEFAULT_HASHER, Accounts, Throttle
from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.json_api import DEFAULT_MAX_BODY
from egov_sim.gateway.async_client import channel_client
from egov_sim.gateway.client import ShepClient
from egov_sim.gateway.config import Participant, Registration, Service
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.revocation import RevocationChecker
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier

from . import api, openapi
from .accounts import REALM, PortalAccounts
from .delivery import Delivery
from .form_checks import Completeness
from .inbox_provider import INBOX_SENDERS, INBOX_SERVICE_ID, PROVIDER_NAME, PortalInbox
from .requests_store import PortalRequest, RequestStore
from .submission import Submissions

PORTAL_SENDER = "EGOV_SIM_PORTAL"
PORTAL_PASSWORD = "portal-secret"


@dataclass(frozen=True)
class PortalSettings:
    """The portal's choices where the regulations leave room (docs/portal.md, "Readings")."""

    revocation: tuple[str, ...] = ("CRL",)
    """K09: how the portal learns that a certificate is revoked: ("CRL",), ("OCSP",) or both."""
    registry_check: bool = True
    """Registration asks ГБД ФЛ (via ШЭП) whether the IIN belongs to a living person."""
    completeness: Completeness = "portal"
    """K11: "portal" refuses a form without its required e-copies at process 3; "provider"
    sends it on and leaves the documents to the provider's condition 3."""
    session_ttl: dt.timedelta = dt.timedelta(minutes=30)
    throttle: Throttle = field(default_factory=Throttle)
    hasher: PasswordHasher = DEFAULT_HASHER
    sender_id: str = PORTAL_SENDER
    password: str | None = PORTAL_PASSWORD
    max_body: int = DEFAULT_MAX_BODY
    """Largest request body of the API (413 above it); egov-sim serve --max-body."""
    inbox_senders: tuple[str, ...] = INBOX_SENDERS
    """Participants whose messages the inbox accepts (besides the gateway's allowed_senders)."""
    shep_timeout: float = 30.0
    shep_leg: str = "async"
    """P5 to РШЭП over the AsyncChannel (``async``) or SyncChannel (``sync``)."""
    restrict_eligibility: bool = True
    """K16 (seed 000 §1.3): the portal channel serves only persons with disabilities or socially
    significant diseases; False reads the passage as a mere enumeration (docs/portal.md)."""


@dataclass
class Portal:
    settings: PortalSettings
    store: RequestStore
    accounts: PortalAccounts
    submissions: Submissions
    delivery: Delivery
    inbox: PortalInbox
    client: ShepClient

    @property
    def inbox_provider(self) -> PortalInbox:
        """``builtin:portal_inbox``: give it to build_gateway(builtin_providers=...)."""
        return self.inbox

    @property
    def builtin_providers(self) -> dict[str, PortalInbox]:
        return {PROVIDER_NAME: self.inbox}

    def routes(self) -> list[BaseRoute]:
        return api.routes(self)

    def openapi(self) -> dict:
        return openapi.document()

    async def redeliver_pending(self) -> list[PortalRequest]:
        """Send the requests that passed the checks but were never acknowledged (call at start-up)."""
        return await self.delivery.redeliver_pending()


def default_verifier(pki: TestPKI, clock: Clock, revocation: Sequence[str]) -> Verifier:
    """The strict verifier over the test PKI's trust store; revocation by CRL and/or OCSP, asked
    of the local PKI directly (the CRL/OCSP addresses in its certificates are the simulator's)."""
    checker = RevocationChecker(methods=tuple(revocation), local_pki=pki, clock=clock)
    return Verifier(TrustStore.from_pem(pki.trust_pem()), revocation=checker, clock=clock)


def build_portal(db: Database, pki: TestPKI, *, gateway_url: str, http: httpx.AsyncClient,
                 clock: Clock = system_clock, verifier_factory: Callable[[], Verifier] | None = None,
                 settings: PortalSettings = PortalSettings()) -> Portal:
    """The portal. ``verifier_factory`` replaces the default verifier (trust store, revocation)."""
    store = RequestStore(db, clock=clock)
    verifier = verifier_factory() if verifier_factory else default_verifier(pki, clock, settings.revocation)
    client = ShepClient(gateway_url, settings.sender_id, settings.password, http=http, clock=clock,
                        timeout=settings.shep_timeout)
    # the request to РШЭП (P5) goes over the AsyncChannel unless shep_leg says sync
    requests_client = channel_client(settings.shep_leg, gateway_url, settings.sender_id,
                                     settings.password, http=http, clock=clock,
                                     timeout=settings.shep_timeout)
    users = Accounts(db, REALM, clock=clock, session_ttl=settings.session_ttl,
                     throttle=settings.throttle, hasher=settings.hasher)
    accounts = PortalAccounts(db, store, users, client=client, registry_check=settings.registry_check)
    delivery = Delivery(store, requests_client)
    submissions = Submissions(store, delivery, verifier, clock=clock, completeness=settings.completeness,
                              restrict_eligibility=settings.restrict_eligibility)
    inbox = PortalInbox(store, verifier, clock=clock, senders=settings.inbox_senders)
    return Portal(settings, store, accounts, submissions, delivery, inbox, client)


def registration(rshep_sender: str) -> Registration:
    """The portal's entries in the ШЭП register: the participant it sends as, and its inbox, which
    only ``rshep_sender`` (the participant РШЭП sends as) may call."""
    return Registration(
        participants=(Participant(PORTAL_SENDER, PORTAL_PASSWORD, "if-present", "egov.kz portal IS (ИС ПЭП)"),),
        services=(Service(INBOX_SERVICE_ID, f"builtin:{PROVIDER_NAME}", frozenset({rshep_sender}),
                          description="the portal's inbox for РШЭП notifications and results (SYNTHETIC)"),))


GATEWAY_CONFIG = f"""
# The portal's inbox: РШЭП sends StatusNotification / ServiceResult back to the portal here.
[[services]]
service_id = "{INBOX_SERVICE_ID}"
provider = "builtin:{PROVIDER_NAME}"
allowed_senders = ["EGOV_SIM_RSHEP"]
description = "egov.kz portal inbox: notifications and results from АРМ РШЭП (SYNTHETIC)"
"""
"""The gateway configuration (TOML) the portal needs, for parse_config."""
