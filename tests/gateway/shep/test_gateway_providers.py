"""An integrator's own provider behind the simulated gateway: a second real server, registered by
URL in the config, that answers, faults, stalls or answers garbage.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from egov_sim.core.testing import refused_port, serve_in_thread
from egov_sim.gateway.journal import JournalFilter
from tests.support.shep import (
    CS,
    GUID,
    IIN,
    SOAP11,
    SYNC,
    XSI,
    assert_fault,
    envelope,
    live_gateway,
    new_id,
    request_info,
    typed_data,
    validate,
)

PROVIDER_MESSAGE_ID = "prv-7f3a"


def _response(data: str, *, code: str = "SCSS001", message: str = "Запрос выполнен успешно") -> bytes:
    # cs/xsi declared on the Envelope, as a JAX-WS provider may write it
    return (f'<S:Envelope xmlns:S="{SOAP11}" xmlns:xsi="{XSI}" xmlns:cs="{CS}"><S:Body>'
            f'<ns2:SendMessageResponse xmlns:ns2="{SYNC}"><response><responseInfo>'
            f"<messageId>{PROVIDER_MESSAGE_ID}</messageId><responseDate>2024-02-05T10:15:01+05:00</responseDate>"
            f"<status><code>{code}</code><message>{message}</message></status></responseInfo>"
            f"<responseData>{data}</responseData></response></ns2:SendMessageResponse>"
            "</S:Body></S:Envelope>").encode()


def _fault(detail: str) -> bytes:
    return (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>'
            f"<faultstring>provider failed</faultstring>{detail}</soap:Fault></soap:Body></soap:Envelope>").encode()


class ProviderStub:
    """A tiny provider: one route per behaviour; it remembers what the gateway sent it."""

    def __init__(self):
        self.received: list[tuple[bytes, dict]] = []

    def app(self) -> Starlette:
        async def remember(request: Request) -> bytes:
            raw = await request.body()
            self.received.append((raw, dict(request.headers)))
            return raw

        async def ok(request):
            raw = await remember(request)
            iin = etree.fromstring(raw).findtext(".//requestData/data/iin")
            data = (f'<data xsi:type="cs:Response"><!-- ответ поставщика --><iin>{iin}</iin>'
                    "<messageResult><code>00000</code></messageResult></data>")
            return Response(_response(data), media_type="text/xml")

        async def fault(request):
            await remember(request)
            detail = (f'<detail><ns2:SendMessageFault1_SendMessageFault xmlns:ns2="{SYNC}">'
                      "<errorCode>PRV042</errorCode><errorMessage>Нет данных</errorMessage>"
                      "<errorData>IIN not found</errorData><errorDate>2024-02-05T10:15:01+05:00</errorDate>"
                      "</ns2:SendMessageFault1_SendMessageFault></detail>")
            return Response(_fault(detail), status_code=500, media_type="text/xml")

        async def bare_fault(request):
            await remember(request)
            return Response(_fault(""), status_code=500, media_type="text/xml")

        async def slow(request):
            await remember(request)
            await asyncio.sleep(1.0)
            return Response(_response("<data/>"), media_type="text/xml")

        async def garbage(request):
            await remember(request)
            return Response(b"<html><body>Internal error", media_type="text/html")

        async def bad_gateway(request):
            await remember(request)
            return Response(b"<html>502 Bad Gateway</html>", status_code=502, media_type="text/html")

        async def wrong_element(request):
            await remember(request)
            return Response(_bare_envelope("<other/>"), media_type="text/xml")

        return Starlette(routes=[Route(f"/{fn.__name__}", fn, methods=["POST"]) for fn in
                                 (ok, fault, bare_fault, slow, garbage, bad_gateway, wrong_element)])


def _bare_envelope(inner: str) -> bytes:
    return f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{inner}</soap:Body></soap:Envelope>'.encode()


@pytest.fixture(scope="module")
def stub():
    stub = ProviderStub()
    with serve_in_thread(stub.app()) as url:
        stub.url = url
        yield stub


@pytest.fixture(scope="module")
def closed_port():
    with refused_port() as port:
        yield port


@pytest.fixture(scope="module")
def gateway_with_providers(tmp_path_factory, gw_pki, stub, closed_port):
    down = f"http://127.0.0.1:{closed_port}/nobody-listens"
    services = {"PRV_OK": "ok", "PRV_FAULT": "fault", "PRV_BARE_FAULT": "bare_fault",
                "PRV_SLOW": "slow", "PRV_GARBAGE": "garbage", "PRV_502": "bad_gateway",
                "PRV_WRONG": "wrong_element"}
    config = "".join(f'[[services]]\nservice_id = "{sid}"\nprovider = "{stub.url}/{path}"\ntimeout = '
                     f'{0.3 if sid == "PRV_SLOW" else 5}\n\n' for sid, path in services.items())
    config += f'[[services]]\nservice_id = "PRV_DOWN"\nprovider = "{down}"\ntimeout = 2\n'
    with live_gateway(tmp_path_factory.mktemp("providers-home"), gw_pki, config=config) as live:
        yield live


def test_provider_answer_passes_through(gateway_with_providers, stub):
    gw = gateway_with_providers
    message_id = new_id()
    sent = envelope("php", info=request_info(message_id=message_id, service_id="PRV_OK"),
                    data=typed_data(declare=False))
    reply = gw.post(sent, style="php")
    assert reply.status == 200, reply.content[:600]
    validate(reply.body_child)
    info = reply.response_info
    assert info["messageId"] == PROVIDER_MESSAGE_ID
    assert info["correlationId"] == message_id
    assert info["status"] == {"code": "SCSS001", "message": "Запрос выполнен успешно"}
    data = reply.data
    prefix, _, local = data.get(f"{{{XSI}}}type").partition(":")
    assert (data.nsmap[prefix], local) == (CS, "Response")  # cs was declared on the provider's Envelope
    assert data.findtext("iin") == IIN and "<!-- ответ поставщика -->".encode() in reply.content

    # what the provider got: a schema-valid SendMessage with the session id and the same data
    raw, headers = stub.received[-1]
    assert headers["content-type"].startswith("text/xml")
    forwarded = etree.fromstring(raw)
    operation = forwarded.find(f"{{{SOAP11}}}Body/{{{SYNC}}}SendMessage")
    validate(operation)
    assert operation.findtext("request/requestInfo/messageId") == message_id
    assert re.fullmatch(GUID, operation.findtext("request/requestInfo/sessionId"))
    assert operation.findtext("request/requestInfo/sessionId") == info["sessionId"]
    c14n = lambda el: etree.tostring(el, method="c14n", exclusive=True, with_comments=True)  # noqa: E731
    assert c14n(operation.find("request/requestData/data")) == \
        c14n(etree.fromstring(sent).find(".//requestData/data"))

    (entry,) = gw.journal.list(JournalFilter(message_id=message_id))
    assert entry.provider == f"{stub.url}/ok" and entry.provider_ms is not None


def test_provider_fault_becomes_sce012_with_its_code_as_sub_error(gateway_with_providers):
    reply = gateway_with_providers.send(info=request_info(service_id="PRV_FAULT"))
    error = assert_fault(reply, "SCE012", data_contains="answered with a fault")
    sub = error["subError"]
    assert (sub["errorCode"], sub["errorMessage"], sub["errorData"]) == ("PRV042", "Нет данных", "IIN not found")
    gateway_with_providers.assert_serving()


def test_provider_fault_without_detail_uses_faultcode(gateway_with_providers):
    reply = gateway_with_providers.send(info=request_info(service_id="PRV_BARE_FAULT"))
    error = assert_fault(reply, "SCE012")
    assert error["subError"]["errorCode"] == "soap:Server"
    assert error["subError"]["errorMessage"] == "provider failed"


def test_provider_timeout_is_sce011(gateway_with_providers):
    message_id = new_id()
    reply = gateway_with_providers.send(info=request_info(message_id=message_id, service_id="PRV_SLOW"))
    assert_fault(reply, "SCE011", data_contains="did not answer within 0.3 s", faultcode="soap:Server")
    (entry,) = gateway_with_providers.journal.list(JournalFilter(message_id=message_id))
    assert entry.error_code == "SCE011" and 250 <= entry.provider_ms < 1000
    gateway_with_providers.assert_serving()


@pytest.mark.parametrize("service_id, detail", [
    ("PRV_GARBAGE", "broken message"),
    ("PRV_502", "HTTP 502"),
    ("PRV_WRONG", "without a SendMessageResponse"),
    ("PRV_DOWN", "ConnectError"),
])
def test_broken_provider_answer_is_sce012(gateway_with_providers, service_id, detail):
    reply = gateway_with_providers.send(info=request_info(service_id=service_id))
    error = assert_fault(reply, "SCE012", data_contains=detail)
    assert "subError" not in error
    gateway_with_providers.assert_serving()
