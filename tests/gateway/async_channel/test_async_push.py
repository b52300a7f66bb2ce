"""Push delivery to a participant served by the test (real HTTP on loopback): IAsyncChannelClient
sendMessage, the sender's changeMassageStatusNotification, retries with backoff on the
gateway's clock, DELIVERY_STOPPED after the configured tries."""

from __future__ import annotations

import time

from tests.support.async_channel import PATH, php_send_message, response, status_request

from .conftest import WATCHER


def _post(agw, body: bytes):
    return agw.http.post(agw.url + PATH, content=body, headers={"Content-Type": "text/xml; charset=utf-8"})


def _status(agw, message_id: str):
    return response(_post(agw, status_request(message_id, WATCHER)).content)


def _until(predicate, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value is not None and value is not False:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _push_journaled(agw, message_id: str, attempt: int) -> bool:
    return any(e.message_id == message_id and (e.status_message or "").startswith(f"push attempt {attempt}:")
               for e in agw.journal.list(limit=50))


def _send(agw) -> str:
    r = _post(agw, php_send_message("ASYNC_PUSH_SERVICE", WATCHER,
                                    data="<data><iin>880314312347</iin><note>push</note></data>"))
    assert r.status_code == 200, r.content
    return response(r.content).findtext("messageId")


def test_message_is_pushed_and_the_sender_told(agw, participant):
    message_id = _send(agw)
    _until(lambda: _status(agw, message_id).findtext("messageState") == "DELIVERED", "DELIVERED")
    pushed = [m for m in participant.messages
              if m.findtext("request/messageInfo/messageId") == message_id]
    assert len(pushed) == 1  # delivered once
    info = pushed[0].find("request/messageInfo")
    assert info.findtext("serviceId") == "ASYNC_PUSH_SERVICE" and info.findtext("sender/senderId") == WATCHER[0]
    assert info.find("sender/password") is None  # the sender's password stays at the gateway
    assert pushed[0].findtext("request/messageData/data/note") == "push"
    _until(lambda: "DELIVERED" in participant.states(message_id), "the sender's notification")
    assert agw.journal.list(limit=50) and any(
        e.message_id == message_id and e.provider == "ASYNC_PUSHED" and e.status_code == "DELIVERED"
        for e in agw.journal.list(limit=50))


def test_failed_push_is_retried_after_the_backoff(agw, participant, clock):
    participant.fail_next = 1
    calls = participant.calls
    message_id = _send(agw)
    _until(lambda: participant.calls > calls, "the first push")
    status = _until(lambda: (s := _status(agw, message_id)).findtext("status/statusCode") != "QUEUED" and s,
                    "the retry status")
    assert status.findtext("messageState") == "ON_DELIVERY" and status.findtext("status/statusCode") == "RETRY"
    time.sleep(0.3)  # the worker polls every 0.05 s: no second try before the backoff (60 s)
    assert _status(agw, message_id).findtext("messageState") == "ON_DELIVERY"
    clock.advance(seconds=61)
    _until(lambda: _status(agw, message_id).findtext("messageState") == "DELIVERED", "DELIVERED after retry")


def test_push_stops_after_the_configured_tries(agw, participant, clock):
    participant.fail_next = 100
    try:
        message_id = _send(agw)
        for attempt, wait in ((1, 61), (2, 121)):  # backoff 60 s, then doubled
            _until(lambda n=attempt: participant.tries.get(message_id, 0) >= n, f"try {attempt}")
            # the try's outcome is committed (its next time counted from the clock then) before
            # its journal row: only then may the clock move, or the next try would wait longer
            _until(lambda n=attempt: _push_journaled(agw, message_id, n), f"try {attempt} recorded")
            assert _status(agw, message_id).findtext("status/statusCode") == "RETRY"
            clock.advance(seconds=wait)
        status = _until(lambda: (s := _status(agw, message_id)).findtext("messageState") == "DELIVERY_STOPPED" and s,
                        "DELIVERY_STOPPED")
        assert status.findtext("status/statusCode") == "ATTEMPTS_EXHAUSTED"
    finally:
        participant.fail_next = 0
    # the sender's endpoint (the same busy participant) refused the first notification too:
    # it is retried after the backoff like a message
    # (a refused try still in flight when the clock moves waits one more backoff: move it again)
    deadline = time.monotonic() + 15
    while "DELIVERY_STOPPED" not in participant.states(message_id):
        assert time.monotonic() < deadline, "timed out waiting for the sender's notification"
        clock.advance(seconds=61)
        time.sleep(0.2)
