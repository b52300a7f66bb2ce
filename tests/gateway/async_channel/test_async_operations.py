"""AsyncChannel v10 end to end over HTTP: a zeep client built from the served WSDL, raw
envelopes in the PHP and C# shapes, pull with amount and leases, acknowledgement, redelivery,
correlation, the four states, and the faults of each operation."""

from __future__ import annotations

import datetime as dt

import pytest
import zeep
from zeep import xsd

from tests.support.async_channel import (
    PATH,
    csharp_get_messages,
    csharp_notification,
    fault,
    php_send_message,
    response,
    status_request,
)

from .conftest import PULLER, SENDER

FAULT = "{http://bip.bee.kz/AsyncChannel/v10/Types}sendMessageFault1_sendMessageFault"
WHEN = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))


@pytest.fixture(scope="module", params=["?wsdl", "/?wsdl"], ids=["no-slash", "slash"])
def client(request, agw):
    """zeep built from ``/bip-async?wsdl`` and ``/bip-async/?wsdl``: both serve the WSDL."""
    return zeep.Client(agw.url + PATH + request.param)


def sender_info(who=SENDER) -> dict:
    return {"senderId": who[0], "password": who[1]}


def send(client, service_id="ASYNC_PULL_SERVICE", data="<request><iin>880314312347</iin></request>",
         message_type="REQUEST", correlation_id=None, who=SENDER):
    return client.service.sendMessage(request={
        "messageInfo": {"correlationId": correlation_id, "serviceId": service_id,
                        "messageType": message_type, "messageDate": WHEN, "sender": sender_info(who)},
        "messageData": {"data": xsd.AnyObject(xsd.String(), data)}})


def pull(client, who=PULLER, amount=0, service_id="ASYNC_PULL_SERVICE", correlation_id=None):
    return client.service.getMessages(request={
        "serviceId": service_id, "sender": sender_info(who), "amount": amount,
        "correlationId": correlation_id}).messages


def notify(client, message_id, accepted=True, resend=False, who=PULLER, service_id="ASYNC_PULL_SERVICE"):
    return client.service.sendDeliveryNotification(request={
        "notification": {"messageId": message_id, "serviceId": service_id, "notificationDate": WHEN,
                         "deliveryStatus": {"receiveStatus": "MESSAGE_ACCEPTED" if accepted else "MESSAGE_NOT_ACCTEPTED",
                                            "statusDate": WHEN, "resendMessage": "RESEND" if resend else "NOT_RESEND"}},
        "requestDate": WHEN, "sender": sender_info(who)})


def state(client, message_id, who=SENDER):
    return client.service.getMessageStatus(request={"messageId": message_id, "requestDate": WHEN,
                                                    "sender": sender_info(who)})


def drain(client):
    """Take and acknowledge whatever earlier tests left, so it cannot come back later."""
    while True:
        left = pull(client, amount=100)
        if not left:
            return
        for m in left:
            notify(client, m.messageInfo.messageId)


def test_request_pulled_acknowledged_delivered(client, agw):
    drain(client)
    sent = send(client)
    assert sent.messageId and sent.correlationId and sent.messageId != sent.correlationId
    assert sent.sessionId.startswith("{") and sent.sessionId.endswith("}")
    assert state(client, sent.messageId).messageState == "ON_DELIVERY"
    (got,) = pull(client)
    assert got.messageInfo.messageId == sent.messageId
    assert got.messageInfo.correlationId == sent.correlationId
    assert got.messageInfo.sender.senderId == SENDER[0] and got.messageInfo.sender.password is None
    assert got.messageData.data == "<request><iin>880314312347</iin></request>"
    assert pull(client) == []  # leased to the first call: nobody else gets it
    assert notify(client, sent.messageId).notificationId
    status = state(client, sent.messageId)
    assert status.messageState == "DELIVERED" and status.status.statusCode == "DELIVERED"
    assert state(client, sent.messageId, who=PULLER).messageState == "DELIVERED"  # the recipient may ask too
    entries = agw.journal.list(limit=20)
    assert any(e.channel == "async" and e.message_id == sent.messageId and e.status_code == "ON_DELIVERY"
               for e in entries)


def test_amount_zero_takes_the_configured_batch(client):
    drain(client)
    ids = [send(client).messageId for _ in range(5)]
    first = pull(client, amount=0)
    assert [m.messageInfo.messageId for m in first] == ids[:3]  # [async] batch_size = 3
    rest = pull(client, amount=10)
    assert [m.messageInfo.messageId for m in rest] == ids[3:]
    for message_id in ids:
        notify(client, message_id)


def test_response_goes_back_to_the_requester_by_correlation(client):
    drain(client)
    request = send(client)
    (got,) = pull(client)
    notify(client, got.messageInfo.messageId)
    answer = send(client, message_type="RESPONSE", correlation_id=request.correlationId,
                  data="<result>ok</result>", who=PULLER)
    assert answer.correlationId == request.correlationId
    back = pull(client, who=SENDER)  # the requester pulls its answer on the same serviceId
    assert [m.messageInfo.messageId for m in back] == [answer.messageId]
    assert back[0].messageInfo.messageType == "RESPONSE"
    by_correlation = pull(client, who=SENDER, correlation_id=request.correlationId)
    assert by_correlation == []  # already leased
    notify(client, answer.messageId, who=SENDER)
    assert state(client, answer.messageId, who=PULLER).messageState == "DELIVERED"


def test_not_accepted_with_resend_comes_back_after_the_backoff(client, clock):
    drain(client)
    sent = send(client)
    pull(client)
    notify(client, sent.messageId, accepted=False, resend=True)
    assert state(client, sent.messageId).messageState == "ON_DELIVERY"
    assert pull(client) == []  # retry_backoff = 60 s has not passed
    clock.advance(seconds=61)
    (again,) = pull(client)
    assert again.messageInfo.messageId == sent.messageId
    notify(client, sent.messageId)
    assert state(client, sent.messageId).messageState == "DELIVERED"


def test_not_accepted_without_resend_is_not_delivered(client):
    drain(client)
    sent = send(client)
    pull(client)
    notify(client, sent.messageId, accepted=False, resend=False)
    status = state(client, sent.messageId)
    assert status.messageState == "NOT_DELIVERED"
    notify(client, sent.messageId, accepted=False, resend=False)  # repeated: idempotent
    with pytest.raises(zeep.exceptions.Fault) as info:
        notify(client, sent.messageId, accepted=True)
    error = client.get_element("{http://bip.bee.kz/AsyncChannel/v10/Types}sendDeliveryNotificationFault1_sendDeliveryNotificationFault"
                               ).parse(info.value.detail[0], client.wsdl.types)
    assert error.errorCode == "SCE022"


def test_unacknowledged_pull_is_redelivered_then_stopped(client, clock):
    drain(client)
    sent = send(client)
    for attempt in range(3):  # max_attempts = 3
        got = pull(client)
        assert [m.messageInfo.messageId for m in got] == [sent.messageId], attempt
        clock.advance(seconds=121)  # lease = 120 s ran out without an acknowledgement
    assert pull(client) == []
    status = state(client, sent.messageId)
    assert status.messageState == "DELIVERY_STOPPED" and status.status.statusCode == "ATTEMPTS_EXHAUSTED"


def test_message_expires(client, clock):
    drain(client)
    sent = send(client)
    clock.advance(days=1, seconds=1)  # expiry = 86400 s
    assert pull(client) == []
    status = state(client, sent.messageId)
    assert status.messageState == "DELIVERY_STOPPED" and status.status.statusCode == "EXPIRED"


def test_faults_name_what_was_wrong(client, agw):
    with pytest.raises(zeep.exceptions.Fault) as info:
        send(client, who=(SENDER[0], "wrong"))
    error = client.get_element(FAULT).parse(info.value.detail[0], client.wsdl.types)
    assert error.errorCode == "SCE008"
    with pytest.raises(zeep.exceptions.Fault) as info:
        send(client, service_id="NO_SUCH_SERVICE")
    assert client.get_element(FAULT).parse(info.value.detail[0], client.wsdl.types).errorCode == "SCE004"
    with pytest.raises(zeep.exceptions.Fault):
        send(client, message_type="RESPONSE")  # no correlationId
    with pytest.raises(zeep.exceptions.Fault) as info:
        state(client, "00000000-0000-0000-0000-000000000000")
    detail = info.value.detail[0]
    assert detail.tag.endswith("getMessageStatusFault1_getMessageStatusFault")
    assert detail.findtext("errorCode") == "SCE021"


def test_someone_elses_message_is_not_found(client):
    sent = send(client)
    with pytest.raises(zeep.exceptions.Fault) as info:
        state(client, sent.messageId, who=("ASYNC_PUSHED", "x-secret"))
    assert info.value.detail[0].findtext("errorCode") == "SCE021"
    with pytest.raises(zeep.exceptions.Fault) as info:
        notify(client, sent.messageId, who=SENDER)  # only the recipient acknowledges
    assert info.value.detail[0].findtext("errorCode") == "SCE021"
    drain(client)


# ---- raw envelopes: the PHP integration's and a C# string template's ---------------------------

def test_php_send_and_csharp_pull_and_acknowledge(agw):
    post = lambda body: agw.http.post(agw.url + PATH, content=body,  # noqa: E731
                                      headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    while response(post(csharp_get_messages("ASYNC_PULL_SERVICE", PULLER, 100)).content).findall("messages"):
        pass
    r = post(php_send_message("ASYNC_PULL_SERVICE", SENDER, route_id="R_NurSultan"))
    assert r.status_code == 200, r.content
    sent = response(r.content)
    message_id = sent.findtext("messageId")
    pulled = response(post(csharp_get_messages("ASYNC_PULL_SERVICE", PULLER)).content)
    (message,) = pulled.findall("messages")
    assert message.findtext("messageInfo/messageId") == message_id
    assert message.findtext("messageInfo/routeId") == "R_NurSultan"
    assert message.find("messageData/data/iin").text == "880314312347"
    ack = response(post(csharp_notification(message_id, "ASYNC_PULL_SERVICE", PULLER)).content)
    assert ack.findtext("notificationId")
    status = response(post(status_request(message_id, SENDER)).content)
    assert status.findtext("messageState") == "DELIVERED"


def test_php_request_for_an_unknown_route_is_refused(agw):
    r = agw.http.post(agw.url + PATH, content=php_send_message("ASYNC_PULL_SERVICE", SENDER, route_id="R_Nowhere"),
                      headers={"Content-Type": "text/xml"})
    assert r.status_code == 500
    assert fault(r.content, "sendMessage")["errorCode"] == "SCE010"


def test_unknown_operation_and_must_understand(agw):
    unknown = (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
               b'<t:sendMessages xmlns:t="http://bip.bee.kz/AsyncChannel/v10/Types"/></soap:Body></soap:Envelope>')
    r = agw.http.post(agw.url + PATH, content=unknown, headers={"Content-Type": "text/xml"})
    assert fault(r.content, "sendMessage")["errorCode"] == "SCE013"
    header = (b'<soap:Header><x:Audit xmlns:x="urn:vendor" soap:mustUnderstand="1">1</x:Audit></soap:Header>')
    body = csharp_get_messages("ASYNC_PULL_SERVICE", PULLER).replace(b"<s:Body", header.replace(b"soap:", b"s:") + b"<s:Body", 1)
    r = agw.http.post(agw.url + PATH, content=body, headers={"Content-Type": "text/xml"})
    error = fault(r.content, "getMessages")
    assert error["errorCode"] == "SCE018" and error["faultcode"] == "soap:MustUnderstand"


def test_builtin_recipient_is_delivered_in_process(agw):
    r = agw.http.post(agw.url + PATH, content=php_send_message("ASYNC_BUILTIN_SERVICE", SENDER),
                      headers={"Content-Type": "text/xml"})
    message_id = response(r.content).findtext("messageId")
    import time
    for _ in range(200):
        status = response(agw.http.post(agw.url + PATH, content=status_request(message_id, SENDER),
                                        headers={"Content-Type": "text/xml"}).content)
        if status.findtext("messageState") != "ON_DELIVERY":
            break
        time.sleep(0.02)
    assert status.findtext("messageState") == "DELIVERED"
    assert status.findtext("status/statusCode") == "SCSS001"  # what the built-in echo answered


def test_fault_injection_applies_to_send_message(client, agw):
    drain(client)
    r = agw.http.post(agw.url + "/admin/faults", json={"serviceId": "ASYNC_PULL_SERVICE", "faultCode": "SCE909",
                                                       "times": 1})
    assert r.status_code in (200, 201), r.text
    with pytest.raises(zeep.exceptions.Fault) as info:
        send(client)
    assert client.get_element(FAULT).parse(info.value.detail[0], client.wsdl.types).errorCode == "SCE909"
    assert pull(client) == []  # the faulted message was never queued
    sent = send(client)  # the rule was for one call only
    assert [m.messageInfo.messageId for m in pull(client)] == [sent.messageId]
    notify(client, sent.messageId)
