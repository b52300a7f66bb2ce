"""Assembles the simulated ШЭП from settings: config, journal, providers, WS-Security, faults.

Everything the gateway needs is passed in (database, PKI, clock, HTTP client), so a test can
run several gateways in one process. Providers of later systems (ГБД ФЛ, ЕНИС, РШЭП) register
themselves in ``builtin_providers`` by name; a service names them as ``builtin:<name>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

import httpx
from starlette.routing import BaseRoute

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.json_api import DEFAULT_MAX_BODY
from egov_sim.reference.iin import make_bin, make_iin
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.revocation import RevocationPolicy
from egov_sim.signing.service_certs import ServiceIdentity, ServiceSigner, service_signer
from egov_sim.signing.verifiers import local_verifier

from . import app, errors
from .async_channel import AsyncChannel
from .async_push import AsyncDelivery
from .async_queue import AsyncQueue
from .config import GatewayConfig, Service
from .errors import GatewayFault
from .fault_injection import FaultInjector
from .journal import Journal
from .providers import BUILTIN, HttpProvider, Provider
from .request_info import RequestInfo
from .stubs.provider import StubRegistry, sources_of
from .stubs.recording import RecordingProvider
from .stubs.state import StubStates
from .sync_channel import SyncChannel
from .transport_security import WsseSecurity

# АО «Национальные информационные технологии», the gateway's operator; SYNTHETIC identifiers.
GATEWAY_IDENTITY = ServiceIdentity(
    name="shep-gateway", organization='АО "НИТ" (SIM)', bin=make_bin(2000, 1, 1235),
    employee_iin=make_iin(dt.date(1980, 1, 1), "M", 1), surname="ШЛЮЗ",
    given_name="ЭЛЕКТРОНДЫҚ ҮКІМЕТ")


def gateway_signer(pki: TestPKI) -> ServiceSigner:
    """The key and certificate the gateway signs its responses with."""
    return service_signer(pki, GATEWAY_IDENTITY)


def revocation_policy(config: GatewayConfig, default: RevocationPolicy) -> RevocationPolicy:
    """The server's policy (``serve --revocation``), overridden by ``[gateway] revocation`` and
    ``revocation_unavailable``. Every request signer is checked: the simulator's own PKI
    directly, ``[gateway] crls`` for their issuers, other trusted issuers by their addresses."""
    return RevocationPolicy(methods=config.revocation or default.methods,
                            unavailable=config.revocation_unavailable or default.unavailable)


@dataclass
class Gateway:
    channel: SyncChannel
    journal: Journal
    config: GatewayConfig
    http: httpx.AsyncClient
    injector: FaultInjector
    stubs: StubRegistry | None = None
    """Stub sets of services backed by ``stubs:`` (docs/stubs.md)."""
    async_channel: AsyncChannel | None = None
    delivery: AsyncDelivery | None = None
    queue: AsyncQueue | None = None

    def routes(self) -> list[BaseRoute]:
        limit = self.config.limits.max_bytes
        routes: list[BaseRoute] = [*app.sync_routes(self.channel), *app.contract_routes(),
                                   *app.echo_routes(limit)]
        if self.async_channel is not None:
            routes += app.async_routes(self.async_channel)
        return routes

    def start(self) -> None:
        """Start the AsyncChannel's push worker on the running event loop (server lifespan)."""
        if self.delivery is not None:
            self.delivery.start()

    def admin_mount(self, *, path: str = "/admin", extra_routes=(),
                    max_body: int = DEFAULT_MAX_BODY, extra_openapi: dict | None = None) -> BaseRoute:
        """Journal and fault-injection admin API (and ``extra_routes``), loopback-only unless a
        token is configured; ``max_body`` caps the bodies of its POST/PUT requests."""
        from . import admin_api, fault_api
        from .stubs import admin_api as stubs_api

        stub_routes = stubs_api.routes(self.stubs, self.stubs.states) if self.stubs is not None else []
        return admin_api.admin_mount(
            self.journal, token=self.config.admin_token, clock=self.channel.clock, path=path,
            extra_routes=[*fault_api.routes(self.injector, max_body=max_body), *stub_routes, *extra_routes],
            extra_openapi=extra_openapi)

    async def aclose(self) -> None:
        if self.stubs is not None:
            self.stubs.close()
        if self.delivery is not None:
            await self.delivery.stop()
        await self.http.aclose()


@dataclass
class ProviderDirectory:
    """serviceId/routeId → the callable that answers, built-ins by name, externals by URL."""

    config: GatewayConfig
    builtin: Mapping[str, Provider]
    http: httpx.AsyncClient
    stubs: StubRegistry | None = None
    _external: dict[str, Provider] = field(default_factory=dict)

    def __call__(self, service: Service, info: RequestInfo) -> Provider:
        target = self.config.routes[info.route_id].provider if info.route_id else service.provider
        if target.startswith("stubs") and self.stubs is not None:
            return self.stubs.provider(info.route_id or service.service_id)
        if target.startswith("builtin:"):
            name = target.removeprefix("builtin:")
            provider = self.builtin.get(name)
            if provider is None:
                raise GatewayFault(errors.PROVIDER_FAILED, f"built-in provider {name!r} is not available")
            return provider
        record = service.record if not info.route_id else None
        key = f"{target}|{service.timeout}|{record}|{service.forward_password}"
        if key not in self._external:
            provider = HttpProvider(target, timeout=service.timeout, client=self.http,
                                    limits=self.config.limits, forward_password=service.forward_password)
            self._external[key] = (RecordingProvider(provider, record, url=target)
                                   if record is not None else provider)
        return self._external[key]


def build_gateway(*, config: GatewayConfig, db: Database, pki: TestPKI, clock: Clock = system_clock,
                  builtin_providers: Mapping[str, Provider] | None = None,
                  extra_trust: bytes = b"", config_source: str = "config",
                  revocation: RevocationPolicy = RevocationPolicy()) -> Gateway:
    from cryptography import x509

    signer = gateway_signer(pki) if config.sign_responses else None  # first: may create the GOST ҰКО
    verifier = local_verifier(pki, clock=clock, policy=revocation_policy(config, revocation),
                              extra_trust=config.extra_trust + extra_trust, partial_chain=True,
                              crls=[x509.load_der_x509_crl(der) for der in config.crls],
                              timestamp_skew=dt.timedelta(seconds=config.timestamp_skew),
                              signed_comments=config.signed_comments)
    security = WsseSecurity(verifier, signer)
    http = httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
    journal = Journal(db)
    injector = FaultInjector(db, clock=clock)
    injector.load_config(config.fault_rules, where=config_source)
    stubs = StubRegistry(sources_of(config), states=StubStates(db, clock=clock), pki=pki, clock=clock,
                         reload_seconds=config.stub_reload_seconds)
    builtin = {**BUILTIN, **(builtin_providers or {})}
    providers = ProviderDirectory(config, builtin, http, stubs)
    channel = SyncChannel(config, resolve_provider=providers, journal=journal, security=security,
                          injector=injector, clock=clock)
    queue = AsyncQueue(db, settings=config.async_, clock=clock,
                       notify_senders=frozenset(p.sender_id for p in config.participants.values()
                                                if p.push_url))
    delivery = AsyncDelivery(config, queue, builtin=builtin, http=http,
                             journal_writer=channel.journal_writer, clock=clock)
    async_channel = AsyncChannel(config, queue=queue, journal=journal,
                                 journal_writer=channel.journal_writer, security=security,
                                 injector=injector, clock=clock, on_queued=delivery.kick,
                                 deliver_now=delivery.deliver_now, duplicates=channel.duplicates)
    return Gateway(channel, journal, config, http, injector, stubs=stubs,
                   async_channel=async_channel, delivery=delivery, queue=queue)
