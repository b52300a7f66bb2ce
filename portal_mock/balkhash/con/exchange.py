"""The 2012 ЦОН's side of the реестр exchange with the department, through ШЭП.

Outgoing реестры of packages are written PENDING in the same transaction that puts the
applications in them and sent after the commit (again by ``POST /transfers/{number}/send`` or at
the next start when ШЭП was down). Incoming: ``builtin:balkhash_con_registry`` (serviceId
``SIM_BALKHASH_CON_REGISTRY``, callable by the department only) keeps a реестр of results until
the накопительный сектор accepts it.
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
from . import store as st
from .centre import Centre
from .store import ConStore

log = logging.getLogger("egov_sim.balkhash.con")


class RegistryInbox:
    """``builtin:balkhash_con_registry``."""

    def __init__(self, centre: Centre, allowed_senders: frozenset[str] = frozenset({wire.UO_SENDER})):
        self.centre, self.allowed_senders = centre, allowed_senders

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        if call.info.sender_id not in self.allowed_senders:
            raise ProviderFault(wire.FORBIDDEN, f"the centre accepts реестры from {', '.join(self.allowed_senders)}")
        try:
            registry = wire.from_xml(call.data)
            payload = etree.tostring(call.data, encoding="UTF-8")
            number, duplicate = await asyncio.to_thread(self.centre.deliver_incoming, registry, payload)
        except wire.WireError as exc:
            raise ProviderFault(wire.BAD_REGISTRY, str(exc)) from None
        return ProviderReply(data=wire.ack(number, "DUPLICATE" if duplicate else "DELIVERED"))


class RegistrySender:
    def __init__(self, store: ConStore, gateway_url: str, http: httpx.AsyncClient, clock: Clock, *,
                 sender_id: str = wire.CON_SENDER, password: str | None = wire.CON_PASSWORD, timeout: float = 30.0):
        self.store, self.clock = store, clock
        self.client = ShepClient(gateway_url, sender_id, password, http=http, clock=clock, timeout=timeout)

    async def send(self, number: str) -> dict:
        t = await asyncio.to_thread(self.store.transfer, number)
        if t is None or t["direction"] != st.OUTGOING:
            return {"number": number, "status": "UNKNOWN"}
        if t["status"] == st.TRANSFER_SENT:
            return {"number": number, "status": st.TRANSFER_SENT, "shepMessageId": t["shepMessageId"]}
        try:
            reply = await self.client.send(wire.UO_SERVICE_ID, parse(t["payload"]).getroot())
            status, error, message_id = st.TRANSFER_SENT, None, reply.message_id
        except (ShepFault, ShepError) as exc:
            status, error, message_id = st.FAILED, str(exc), None
            log.warning("реестр %s not delivered to the УО: %s", number, exc)
        await asyncio.to_thread(self.store.mark_transfer, number, status=status, last_error=error,
                                shep_message_id=message_id, sent_at=self.clock(), attempts=t["attempts"] + 1)
        return {"number": number, "status": status, "error": error, "shepMessageId": message_id}

    async def redeliver_all(self) -> list[dict]:
        pending = await asyncio.to_thread(
            lambda: [t["number"] for s in (st.PENDING, st.FAILED)
                     for t in self.store.transfers(direction=st.OUTGOING, status=s, limit=1000)])
        return [await self.send(n) for n in pending]
