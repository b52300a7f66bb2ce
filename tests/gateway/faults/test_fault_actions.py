"""What a matched rule does to a request: wait, fail, time out, corrupt the response."""

from __future__ import annotations

import asyncio
import time

import pytest
from lxml import etree

from egov_sim.gateway import errors
from egov_sim.gateway.errors import GatewayFault
from egov_sim.gateway.fault_injection import MALFORMED_KINDS, FaultAction, FaultRule, InjectedTimeout, corrupt

RESPONSE = ("<?xml version='1.0' encoding='UTF-8'?>\n"
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            '<ns2:SendMessageResponse xmlns:ns2="http://bip.bee.kz/SyncChannel/v10/Types">'
            "<response><responseInfo><status><message>Сообщение обработано</message></status>"
            "</responseInfo></response></ns2:SendMessageResponse></soap:Body></soap:Envelope>"
            ).encode()


class FakeSleep:
    """Records the waits instead of waiting (for timeouts of whole seconds)."""

    def __init__(self):
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def run(coro):
    return asyncio.run(coro)


def test_latency_really_sleeps(injector):
    injector.add(FaultRule(service_id="SVC", latency_ms=50))
    action = injector.match("SVC", "S")
    started = time.perf_counter()
    left = run(action.before(10.0))
    assert time.perf_counter() - started >= 0.045
    assert left == pytest.approx(9.95)


def test_timeout_waits_the_timeout_then_fails_as_a_timeout(injector):
    injector.add(FaultRule(service_id="SVC", timeout=True))
    action = injector.match("SVC", "S")
    started = time.perf_counter()
    with pytest.raises(InjectedTimeout) as caught:
        run(action.before(0.1))
    assert time.perf_counter() - started >= 0.095
    assert isinstance(caught.value, asyncio.TimeoutError)  # the handler's timeout branch


def test_a_latency_beyond_the_timeout_times_out_at_the_timeout():
    sleep = FakeSleep()
    action = FaultAction(FaultRule(latency_ms=15000, fault_code="never"), latency=15.0, sleep=sleep)
    with pytest.raises(InjectedTimeout):
        run(action.before(10.0))
    assert sleep.waits == [10.0]


def test_fault_code_after_the_latency():
    sleep = FakeSleep()
    rule = FaultRule(latency_ms=30, fault_code="ERR-42", fault_message="Провайдер недоступен",
                     fault_data="maintenance")
    with pytest.raises(GatewayFault) as caught:
        run(FaultAction(rule, latency=0.03, sleep=sleep).before(10.0))
    assert sleep.waits == [0.03]
    fault = caught.value
    assert (fault.code, fault.message, fault.data) == ("ERR-42", "Провайдер недоступен", "maintenance")


def test_a_known_code_without_a_message_keeps_its_own():
    with pytest.raises(GatewayFault) as caught:
        run(FaultAction(FaultRule(fault_code=errors.INTERNAL)).before(10.0))
    assert caught.value.message == errors.KINDS[errors.INTERNAL].message
    with pytest.raises(GatewayFault) as caught:
        run(FaultAction(FaultRule(fault_code="PROV-1")).before(10.0))
    assert caught.value.message == "Ошибка"


def test_malformed_only_marks_the_response():
    action = FaultAction(FaultRule(malformed="empty"), sleep=FakeSleep())
    assert run(action.before(10.0)) == 10.0
    assert action.malformed == "empty"
    assert action.response(RESPONSE) == b""
    assert FaultAction(FaultRule(latency_ms=1)).response(RESPONSE) == RESPONSE


def _well_formed(body: bytes) -> bool:
    try:
        etree.fromstring(body)
    except etree.XMLSyntaxError:
        return False
    return True


def test_truncated_is_not_well_formed_and_valid_utf8():
    body = corrupt(RESPONSE, "truncated")
    assert RESPONSE.startswith(body) and 0 < len(body) < len(RESPONSE)
    assert not _well_formed(body)
    body.decode("utf-8")  # cut on a character boundary
    odd = "<a>жжжжж</a>".encode()
    assert odd[: len(odd) // 2] != corrupt(odd, "truncated")  # the middle falls inside a letter
    corrupt(odd, "truncated").decode("utf-8")


def test_not_xml_and_empty():
    assert not _well_formed(corrupt(RESPONSE, "not-xml"))
    assert not corrupt(RESPONSE, "not-xml").lstrip().startswith(b"<")
    assert corrupt(RESPONSE, "empty") == b""


def test_wrong_envelope_is_well_formed_soap12():
    root = etree.fromstring(corrupt(RESPONSE, "wrong-envelope"))
    assert root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    assert root.find(".//response") is not None  # the payload is still there
    empty = etree.fromstring(corrupt(b"<x/>", "wrong-envelope"))
    assert empty.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"


def test_every_documented_kind_is_implemented():
    for kind in MALFORMED_KINDS:
        corrupt(RESPONSE, kind)
    with pytest.raises(ValueError):
        corrupt(RESPONSE, "garbled")


def test_the_handler_pattern_turns_an_injected_timeout_into_its_timeout_branch():
    """As SyncChannel._call_provider does: before() inside the ``except asyncio.TimeoutError``."""
    async def call_provider(action: FaultAction, timeout: float) -> str:
        try:
            left = await action.before(timeout)
            return await asyncio.wait_for(asyncio.sleep(0, "reply"), timeout=left)
        except TimeoutError:
            return "SCE011"

    assert run(call_provider(FaultAction(FaultRule(timeout=True), sleep=FakeSleep()), 10.0)) == "SCE011"
    assert run(call_provider(FaultAction(FaultRule(latency_ms=1), latency=0.001), 10.0)) == "reply"
