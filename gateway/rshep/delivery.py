"""Sends the АРМ's outbox back to where each request came from, through ШЭП over HTTP.

РШЭП sends as the participant EGOV_SIM_RSHEP with gateway.client.ShepClient, like any other
information system. The origin's inbox is a ШЭП service chosen by the request's sender
(:data:`ORIGIN_INBOXES`); the ``correlationId`` is the ШЭП messageId of the original request,
and the payload's ``requestId`` repeats the sender's own number. Messages of one request go in
order: delivery stops at the first failure and resumes there on the next attempt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.safe_xml import parse
from egov_sim.gateway.async_client import AsyncShepClient
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault

from .arm_store import FAILED, NO_ROUTE, SENT, ArmStore

ORIGIN_INBOXES: Mapping[str, str] = MappingProxyType({
    "EGOV_SIM_PORTAL": "SIM_PORTAL_INBOX",
    "EGOV_SIM_IIS_CON": "SIM_CON_INBOX",
})
"""senderId of the request → serviceId of that system's inbox (SYNTHETIC service ids)."""

CLAIM_TIMEOUT = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Delivery:
    message: int
    kind: str
    status: str
    state: str
    error: str | None = None

    def to_json(self) -> dict:
        return {"outboxId": self.message, "kind": self.kind, "status": self.status,
                "state": self.state, "error": self.error}


class Deliverer:
    def __init__(self, store: ArmStore, client: ShepClient | AsyncShepClient, *,
                 clock: Clock = system_clock):
        self.store, self.client, self.clock = store, client, clock

    async def deliver(self, request_id: int) -> list[Delivery]:
        """Send the request's undelivered messages in order; what happened to each."""
        done: list[Delivery] = []
        for m in self.store.outbox(request_id):
            if m.state in (SENT, NO_ROUTE):
                continue
            if not self.store.claim(m.id, self.clock() - CLAIM_TIMEOUT):
                break  # another worker is sending it: keep the order, leave the rest to it
            try:
                # over the AsyncChannel the outbox kind is the messageType (NOTIFICATION, RESPONSE)
                kind = {"message_type": m.kind} if isinstance(self.client, AsyncShepClient) else {}
                reply = await self.client.send(m.service_id, parse(m.payload).getroot(),
                                               correlation_id=m.correlation_id, **kind)
            except (ShepFault, ShepError) as exc:
                error = _describe(exc)
                self.store.mark(m.id, FAILED, error=error)
                done.append(Delivery(m.id, m.kind, m.status, FAILED, error))
                break
            self.store.mark(m.id, SENT, shep_message_id=reply.request_message_id)
            done.append(Delivery(m.id, m.kind, m.status, SENT))
        return done

    async def redeliver_all(self) -> dict[int, list[Delivery]]:
        """Retry every request with undelivered messages (e.g. after ШЭП was down)."""
        return {rid: await self.deliver(rid) for rid in self.store.undelivered_requests()}


def _describe(exc: Exception) -> str:
    """The fault with the code of the inbox's own fault, when ШЭП passed one on (subError)."""
    if isinstance(exc, ShepFault) and exc.sub_code:
        return f"{exc} [inbox: {exc.sub_code}]"
    return str(exc)
