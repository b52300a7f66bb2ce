"""The first try of a message for a built-in recipient ends before sendMessage answers, even when
the delivery loop (of this worker or another) took the message first: the race that let the ЦОН
page show an application without the result the АРМ had just sent."""

from __future__ import annotations

import asyncio

import pytest
from lxml import etree

from egov_sim.core.database import Database, sqlite_url
from egov_sim.gateway.async_queue import MessageState, Mode
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.providers import ProviderReply
from egov_sim.gateway.shep import build_gateway

CONFIG = '''
[async]
poll_interval = 0.05
push_timeout = 5

[[participants]]
sender_id = "FIRST_TRY_SENDER"
password = "s-secret"

[[services]]
service_id = "FIRST_TRY_SERVICE"
provider = "builtin:slow"
timeout = 5
'''


class SlowRecipient:
    """A built-in recipient that holds each call until the test lets it go."""

    def __init__(self):
        self.entered, self.release, self.calls = asyncio.Event(), asyncio.Event(), 0

    async def __call__(self, call):
        self.calls += 1
        self.entered.set()
        await self.release.wait()
        return ProviderReply()


def queue_one(gateway) -> str:
    message = etree.Element("request")
    info = etree.SubElement(message, "messageInfo")
    etree.SubElement(info, "messageId").text = "0f6c3f7e-0000-4000-8000-000000000001"
    etree.SubElement(info, "messageDate").text = "2026-02-02T09:00:00+05:00"
    etree.SubElement(etree.SubElement(message, "messageData"), "data").text = "x"
    queued = gateway.queue.accept(
        message_id="0f6c3f7e-0000-4000-8000-000000000001", correlation_id="c-1",
        service_id="FIRST_TRY_SERVICE", message_type="REQUEST", route_id=None,
        sender_id="FIRST_TRY_SENDER", recipient="builtin:slow", mode=Mode.BUILTIN,
        message=etree.tostring(message))
    return queued


def gateways(tmp_path, async_pki, clock, count: int):
    config = parse_config(CONFIG)
    url = sqlite_url(tmp_path / "egov-sim.db")
    recipient = SlowRecipient()
    built = [build_gateway(config=config, db=Database.open(url, clock=clock), pki=async_pki, clock=clock,
                           builtin_providers={"slow": recipient}) for _ in range(count)]
    return recipient, built


@pytest.mark.parametrize("who_took_it", ["this worker's loop", "another worker"])
def test_first_try_waits_for_the_delivery_already_under_way(tmp_path, async_pki, clock, who_took_it):
    recipient, built = gateways(tmp_path, async_pki, clock, 2)
    answering = built[0]
    loop_owner = answering if who_took_it == "this worker's loop" else built[1]

    async def scenario():
        queued = queue_one(answering)
        looping = asyncio.create_task(loop_owner.delivery.run_once())
        await asyncio.wait_for(recipient.entered.wait(), 5)   # the loop holds the message
        first_try = asyncio.create_task(answering.delivery.deliver_now(queued))
        await asyncio.sleep(0.3)
        assert not first_try.done(), "sendMessage would answer before the recipient has the message"
        recipient.release.set()
        await asyncio.wait_for(first_try, 10)
        assert answering.queue.get(queued.message_id).state is MessageState.DELIVERED
        await looping
        return recipient.calls

    assert asyncio.run(scenario()) == 1  # one try, not two


def test_first_try_gives_up_waiting_after_the_service_timeout(tmp_path, async_pki, clock):
    """A worker that took the message and died does not hang sendMessage: the wait is bounded
    (the service timeout + 5 s), the message stays queued for the next try."""
    config = parse_config(CONFIG.replace("timeout = 5", "timeout = 0.2"))
    url = sqlite_url(tmp_path / "egov-sim.db")
    recipient = SlowRecipient()
    gateway = build_gateway(config=config, db=Database.open(url, clock=clock), pki=async_pki, clock=clock,
                            builtin_providers={"slow": recipient})

    async def scenario():
        queued = queue_one(gateway)
        claimed = gateway.queue.claim_one(queued.message_id, claimant="elsewhere")
        assert claimed is not None
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(gateway.delivery.deliver_now(queued), 30)
        return asyncio.get_running_loop().time() - started

    waited = asyncio.run(scenario())
    assert 5.0 <= waited < 20, waited
