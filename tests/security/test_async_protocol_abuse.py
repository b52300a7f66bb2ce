"""The AsyncChannel, abused like the SyncChannel next door (test_protocol_abuse.py, issue 16
item 7): a SOAPAction that names another operation, and a ``sendMessage`` whose messageId the
sender used before — under both ``duplicate_message_id`` policies, at once and one by one.

Envelopes are written the way real clients write them (tests/support/async_channel.py); the
SOAPAction values are what Java CXF, C#/WCF, zeep and PHP's SoapClient send for the contract's
``soapAction=""``, what node-soap derives from the binding's target namespace, and what PHP's
SoapClient sends in non-WSDL mode.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from egov_sim.gateway.async_queue import Mode
from egov_sim.gateway.journal import JournalFilter
from tests.support import async_channel as wire
from tests.support.security import error_code, whole_simulator

SENDER = ("ABUSE_SENDER", "abuse-secret")
OTHER = ("ABUSE_OTHER", "other-secret")
PULLER = ("ABUSE_PULLER", "puller-secret")
SERVICE = "ABUSE_PULL_SERVICE"
CONFIG = f'''
[[participants]]
sender_id = "{SENDER[0]}"
password = "{SENDER[1]}"

[[participants]]
sender_id = "{OTHER[0]}"
password = "{OTHER[1]}"

[[participants]]
sender_id = "{PULLER[0]}"
password = "{PULLER[1]}"

[[services]]
service_id = "{SERVICE}"
provider = "builtin:echo"
recipient = "{PULLER[0]}"
'''
NODE_SOAP = "http://bip.bee.kz/AsyncChannel/v10/Interfaces/Binding/{}"
PHP_NON_WSDL = "http://bip.bee.kz/AsyncChannel/v10/Types#{}"
ACCEPTED = [None, "", '""', "{}", '"{}"', NODE_SOAP, f'"{NODE_SOAP}"', PHP_NON_WSDL]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("async-protocol"), config=CONFIG) as sim:
        yield sim


@pytest.fixture(scope="module")
def refusing(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("async-refuse"),
                         config=CONFIG + '\n[gateway]\nduplicate_message_id = "refuse"\n') as sim:
        yield sim


def post(sim, body: bytes, action: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if action is not None:
        headers["SOAPAction"] = action
    return sim.http.post(wire.PATH, content=body, headers=headers)


def send(sim, *, message_id: str = "", data: str = "<data><iin>880314312347</iin></data>",
         sender=SENDER, action: str | None = None) -> httpx.Response:
    return post(sim, wire.php_send_message(SERVICE, sender, data=data, message_id=message_id), action)


def queued_by(sim, sender_id: str) -> int:
    return sim.app.state.gateway.queue.count(sender_id=sender_id)


# --- SOAPAction ---------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ACCEPTED)
def test_the_soap_actions_clients_send_are_accepted_on_every_operation(sim, form):
    def action(operation: str) -> str | None:
        return None if form is None else form.format(operation)

    sent = wire.response(send(sim, action=action("sendMessage")).content)
    message_id = sent.findtext("messageId")
    pulled = wire.response(post(sim, wire.csharp_get_messages(SERVICE, PULLER, amount=1000),
                                action("getMessages")).content)
    assert message_id in [m.findtext("messageInfo/messageId") for m in pulled.findall("messages")]
    wire.response(post(sim, wire.csharp_notification(message_id, SERVICE, PULLER),
                       action("sendDeliveryNotification")).content)
    status = wire.response(post(sim, wire.status_request(message_id, SENDER), action("getMessageStatus")).content)
    assert status.findtext("messageState") == "DELIVERED"


@pytest.mark.parametrize("action", ["garbage", "getMessages", NODE_SOAP.format("getMessages"), "SendMessage",
                                    "http://evil.example/sendMessages", "sendMessage/../admin", "x" * 5000])
def test_a_soap_action_that_names_another_operation_is_sce013_journaled_and_nothing_queued(sim, action):
    before, journaled = queued_by(sim, SENDER[0]), sim.journal.count(JournalFilter(status="SCE013"))
    reply = send(sim, action=action)
    assert reply.status_code == 500 and wire.fault(reply.content, "sendMessage")["errorCode"] == "SCE013"
    assert queued_by(sim, SENDER[0]) == before
    assert sim.journal.count(JournalFilter(status="SCE013")) == journaled + 1


def test_a_status_query_named_as_a_send_is_refused_with_its_own_fault_element(sim):
    message_id = wire.response(send(sim).content).findtext("messageId")
    reply = post(sim, wire.status_request(message_id, SENDER), "sendMessage")
    assert wire.fault(reply.content, "getMessageStatus")["errorCode"] == "SCE013"


def test_lenient_soap_action_accepts_anything_on_the_async_channel_too(tmp_path):
    with whole_simulator(tmp_path / "home", config=CONFIG + '\n[gateway]\nsoap_action = "lenient"\n') as lenient:
        assert send(lenient, action="garbage").status_code == 200


# --- a messageId used again -------------------------------------------------------------------------

def test_a_repeated_message_id_is_answered_with_the_first_message_and_queued_once(sim):
    mine = str(uuid.uuid4())
    before = queued_by(sim, SENDER[0])
    answers = [wire.response(send(sim, message_id=mine).content) for _ in range(3)]
    assert len({(a.findtext("messageId"), a.findtext("correlationId")) for a in answers}) == 1
    assert queued_by(sim, SENDER[0]) == before + 1
    message_id = answers[0].findtext("messageId")
    assert message_id != mine  # ШЭП's id, as the contract says; the sender's is the key of repeats
    first, *repeats = sorted(sim.journal.list(JournalFilter(message_id=message_id)), key=lambda e: e.id)
    assert first.duplicate_of is None and [r.duplicate_of for r in repeats] == [first.id, first.id]
    assert all("not queued again" in r.status_message for r in repeats)
    # the recipient gets it once
    pulled = wire.response(post(sim, wire.csharp_get_messages(SERVICE, PULLER, amount=1000)).content)
    assert [m.findtext("messageInfo/messageId") for m in pulled.findall("messages")].count(message_id) == 1
    # a repeat after delivery still answers with the same message, and adds nothing
    wire.response(post(sim, wire.csharp_notification(message_id, SERVICE, PULLER)).content)
    assert wire.response(send(sim, message_id=mine).content).findtext("messageId") == message_id
    assert queued_by(sim, SENDER[0]) == before + 1


def test_sending_back_the_message_id_the_gateway_gave_is_a_repeat_too(sim):
    message_id = wire.response(send(sim).content).findtext("messageId")
    before = queued_by(sim, SENDER[0])
    assert wire.response(send(sim, message_id=message_id).content).findtext("messageId") == message_id
    assert queued_by(sim, SENDER[0]) == before


def test_empty_message_ids_are_new_messages_each_time(sim):
    before = queued_by(sim, SENDER[0])
    ids = {wire.response(send(sim).content).findtext("messageId") for _ in range(3)}
    assert len(ids) == 3 and queued_by(sim, SENDER[0]) == before + 3


def test_a_message_id_reused_for_another_message_is_sce019_even_when_repeats_are_served(sim):
    mine = str(uuid.uuid4())
    first = wire.response(send(sim, message_id=mine).content).findtext("messageId")
    reply = send(sim, message_id=mine, data="<data><iin>000000000000</iin></data>")
    assert reply.status_code == 500 and wire.fault(reply.content, "sendMessage")["errorCode"] == "SCE019"
    (refused,) = [e for e in sim.journal.list(JournalFilter(message_id=first)) if e.error_code]
    assert refused.error_code == "SCE019" and "another message" in refused.error_message


def test_another_senders_identical_message_id_is_its_own_message(sim):
    mine = str(uuid.uuid4())
    a = wire.response(send(sim, message_id=mine).content).findtext("messageId")
    b = wire.response(send(sim, message_id=mine, sender=OTHER).content).findtext("messageId")
    assert a != b


def test_a_wrong_password_cannot_spoil_anothers_message_id(refusing):
    mine = str(uuid.uuid4())
    forged = send(refusing, message_id=mine, sender=(SENDER[0], "guess"))
    assert wire.fault(forged.content, "sendMessage")["errorCode"] == "SCE008"
    assert send(refusing, message_id=mine).status_code == 200


def test_refused_repeats_are_sce019_and_queue_nothing(refusing):
    mine = str(uuid.uuid4())
    first = wire.response(send(refusing, message_id=mine).content).findtext("messageId")
    before = queued_by(refusing, SENDER[0])
    reply = send(refusing, message_id=mine)
    assert reply.status_code == 500 and wire.fault(reply.content, "sendMessage")["errorCode"] == "SCE019"
    assert queued_by(refusing, SENDER[0]) == before
    (refused,) = [e for e in refusing.journal.list(JournalFilter(message_id=first)) if e.error_code]
    assert refused.error_code == "SCE019" and refused.channel == "async"


async def _at_once(url: str, body: bytes, n: int = 8) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return await asyncio.gather(*(http.post(wire.PATH, content=body, headers={"Content-Type": "text/xml"})
                                      for _ in range(n)))


def test_concurrent_repeats_make_one_message_under_either_policy(sim, refusing):
    mine = str(uuid.uuid4())
    body = wire.php_send_message(SERVICE, SENDER, message_id=mine)

    before = queued_by(sim, SENDER[0])
    served = asyncio.run(_at_once(sim.url, body))
    assert all(r.status_code == 200 for r in served), [r.content[:300] for r in served]
    assert len({wire.response(r.content).findtext("messageId") for r in served}) == 1
    assert queued_by(sim, SENDER[0]) == before + 1

    before = queued_by(refusing, SENDER[0])  # a fresh messageId: the two may share one database
    body = wire.php_send_message(SERVICE, SENDER, message_id=str(uuid.uuid4()))
    replies = asyncio.run(_at_once(refusing.url, body))
    assert sorted(error_code(r) or "ok" for r in replies) == ["SCE019"] * 7 + ["ok"]
    assert queued_by(refusing, SENDER[0]) == before + 1


def test_a_message_stopped_because_the_journal_failed_gives_its_message_id_back(sim):
    """The sender got SCE014 and must be able to retry with the same messageId (gateway/async_queue.py)."""
    queue, mine = sim.app.state.gateway.queue, str(uuid.uuid4())

    def accept(message_id: str):
        return queue.accept(message_id=message_id, correlation_id=str(uuid.uuid4()), service_id=SERVICE,
                            message_type="REQUEST", route_id=None, sender_id=SENDER[0], recipient="NOBODY_PULLS",
                            mode=Mode.PULL, message=b"<messages/>", sender_message_id=mine)

    first = accept(str(uuid.uuid4()))
    assert accept(str(uuid.uuid4())).message_id == first.message_id
    queue.stop_unjournaled(first.message_id)
    assert queue.get(first.message_id).state.value == "DELIVERY_STOPPED"
    retry_id = str(uuid.uuid4())
    assert accept(retry_id).message_id == retry_id


def test_status_queries_naming_a_message_are_no_repeats_of_it(sim):
    message_id = wire.response(send(sim).content).findtext("messageId")
    for _ in range(2):
        wire.response(post(sim, wire.status_request(message_id, SENDER)).content)
    entries = sim.journal.list(JournalFilter(message_id=message_id))
    assert len(entries) == 3 and all(e.duplicate_of is None for e in entries)
