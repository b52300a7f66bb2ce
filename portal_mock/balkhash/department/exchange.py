"""The department's side of the реестр exchange with the ЦОН, through ШЭП.

Incoming: ``builtin:balkhash_uo_registry`` (serviceId ``SIM_BALKHASH_UO_REGISTRY``, callable by the
ЦОН's participant only) keeps a реестр of packages until an officer receives it. Outgoing:
results and returns leave as реестры written in the same transaction as the act that produced
them (PENDING) and are sent after the commit; a failed send stays FAILED and is sent again by
``POST /transfers/{number}/send`` or at the next start.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from lxml import etree

from egov_sim.core.clock import Clock
from egov_sim.core.safe_xml import parse
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault
from egov_sim.gateway.providers import ProviderCall, ProviderFault, ProviderReply

from .. import registry_wire as wire
from . import cases_store as cs
from .actions import Department
from .cases_store import CaseStore

log = logging.getLogger("egov_sim.balkhash.uo")


class RegistryInbox:
    """``builtin:balkhash_uo_registry``."""

    def __init__(self, department: Department, allowed_senders: frozenset[str] = frozenset({wire.CON_SENDER})):
        self.department, self.allowed_senders = department, allowed_senders

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        if call.info.sender_id not in self.allowed_senders:
            raise ProviderFault(wire.FORBIDDEN, f"the department accepts реестры from {', '.join(self.allowed_senders)}")
        try:
            registry = wire.from_xml(call.data)
        except wire.WireError as exc:
            raise ProviderFault(wire.BAD_REGISTRY, str(exc)) from None
        payload = etree.tostring(call.data, encoding="UTF-8")
        try:
            number, duplicate = await asyncio.to_thread(self.department.deliver_incoming, registry, payload)
        except wire.WireError as exc:
            raise ProviderFault(wire.BAD_REGISTRY, str(exc)) from None
        return ProviderReply(data=wire.ack(number, "DUPLICATE" if duplicate else "DELIVERED"))


class RegistrySender:
    def __init__(self, store: CaseStore, gateway_url: str, http: httpx.AsyncClient, clock: Clock, *,
                 sender_id: str = wire.UO_SENDER, password: str | None = wire.UO_PASSWORD, timeout: float = 30.0):
        self.store, self.clock = store, clock
        self.client = ShepClient(gateway_url, sender_id, password, http=http, clock=clock, timeout=timeout)

    async def send(self, number: str) -> dict:
        transfer = await asyncio.to_thread(self.store.transfer, number)
        if transfer is None or transfer.direction != cs.OUTGOING:
            return {"number": number, "status": "UNKNOWN"}
        if transfer.status == cs.SENT:
            return {"number": number, "status": cs.SENT, "shepMessageId": transfer.shep_message_id}
        data = parse(transfer.payload).getroot()
        try:
            reply = await self.client.send(wire.CON_SERVICE_ID, data)
            status, error, message_id = cs.SENT, None, reply.message_id
        except (ShepFault, ShepError) as exc:
            status, error, message_id = cs.FAILED, str(exc), None
            log.warning("реестр %s not delivered to the ЦОН: %s", number, exc)
        await asyncio.to_thread(self.store.mark_transfer, number, status=status, last_error=error,
                                shep_message_id=message_id, sent_at=self.clock(), attempts=transfer.attempts + 1)
        return {"number": number, "status": status, "error": error, "shepMessageId": message_id}

    async def redeliver_all(self) -> list[dict]:
        pending = await asyncio.to_thread(
            lambda: [t.number for s in (cs.PENDING, cs.FAILED)
                     for t in self.store.transfers(direction=cs.OUTGOING, status=s, limit=1000)])
        return [await self.send(n) for n in pending]
