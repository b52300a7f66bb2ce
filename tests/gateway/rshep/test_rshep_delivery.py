"""Messages to the origin survive its outage: they stay in the outbox, in order, until sent."""

from __future__ import annotations

import asyncio

import httpx

from egov_sim.gateway.client import ShepClient
from egov_sim.gateway.rshep.delivery import Deliverer
from tests.support.rshep import Staff, send, service_request


def test_undelivered_messages_wait_and_keep_their_order(live):
    rid = int(send(live, service_request("CON-OUTAGE-1")).data.findtext("inboxId"))
    live.inbox.down = True
    try:
        reg = Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
        assert reg["request"]["state"] == "REGISTERED"  # the action stands; only delivery failed
        assert reg["deliveries"][0]["state"] == "failed" and "INBOX_DOWN" in reg["deliveries"][0]["error"]
        assigned = Staff(live, "pvl_pavlodar_city.head").act(rid, "assign",
                                                               {"executor": "pvl_pavlodar_city.executor"})
        assert [d["state"] for d in assigned["deliveries"]] == ["failed", "pending"]
    finally:
        live.inbox.down = False
    retried = Staff(live, "pvl_pavlodar_city.clerk").act(rid, "deliver")
    assert [d["state"] for d in retried["deliveries"]] == ["sent", "sent"]
    assert live.inbox.statuses("CON-OUTAGE-1") == ["REGISTERED", "EXECUTOR_ASSIGNED"]


def test_redeliver_all_after_an_outage(live):
    rid = int(send(live, service_request("CON-OUTAGE-2")).data.findtext("inboxId"))
    live.inbox.down = True
    try:
        Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
    finally:
        live.inbox.down = False

    # the АРМ's own HTTP client belongs to the server's event loop: this one runs in the test's
    async def own_loop():
        async with httpx.AsyncClient() as http:
            client = ShepClient(live.url, "EGOV_SIM_RSHEP", "rshep-secret", http=http, clock=live.clock)
            return await Deliverer(live.rshep.store, client, clock=live.clock).redeliver_all()

    done = asyncio.run(own_loop())
    assert [d.state for d in done[rid]] == ["sent"]
    assert live.inbox.statuses("CON-OUTAGE-2") == ["REGISTERED"]
