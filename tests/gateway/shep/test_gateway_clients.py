"""Clients as integrators have them: zeep built from the served WSDL, and hand-written envelopes
in the JAX-WS, CXF, PHP and Go styles with the three payload styles, all against a real server.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
import zeep
from lxml import etree
from zeep import xsd
from zeep.plugins import HistoryPlugin

from egov_sim.core.clock import fixed_clock
from tests.support.shep import (
    BINDING,
    CS,
    DATETIME_WITH_OFFSET,
    GUID,
    IIN,
    PATH,
    PAYLOADS,
    STYLE_HEADERS,
    SYNC,
    TEST_CLIENT,
    WSDL_PATH,
    XSI,
    Reply,
    envelope,
    escaped_data,
    live_gateway,
    new_id,
    plain_data,
    request_info,
    typed_data,
    utc,
    validate,
)

FAULT_QNAME = f"{{{SYNC}}}SendMessageFault1_SendMessageFault"


def _info(message_id: str, password: str = TEST_CLIENT[1]) -> dict:
    return {"messageId": message_id, "serviceId": "SIM_ECHO",
            "messageDate": dt.datetime(2024, 2, 5, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=6))),
            "sender": {"senderId": TEST_CLIENT[0], "password": password}}


@pytest.fixture(scope="module")
def zeep_client(gw) -> zeep.Client:
    """Built from ``?wsdl`` on the endpoint, as `wsimport http://host/bip-sync-wss-gost/?wsdl` would."""
    return zeep.Client(gw.endpoint + "?wsdl")


def test_wsdl_query_resolves_imports_and_names_this_server(gw, zeep_client):
    r = httpx.get(gw.endpoint + "?wsdl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(r.content)
    imports = root.findall("{http://schemas.xmlsoap.org/wsdl/}import")
    assert [i.get("location") for i in imports] == [
        gw.url + "/wsdl/shep/SyncChannel/v10/Interfaces/ISyncChannel.wsdl"]
    port = zeep_client.wsdl.services["ISyncChannelHttpService"].ports["SyncChannelHttpPort"]
    assert port.binding_options["address"] == gw.endpoint
    # the service's default port already points here: no endpoint override needed
    reply = zeep_client.service.SendMessage(request={
        "requestInfo": _info("wsdl-q-1"),
        "requestData": {"data": xsd.AnyObject(xsd.String(), "привет")}})
    assert reply.responseInfo.correlationId == "wsdl-q-1"
    assert reply.responseData.data == "привет"


def test_contract_files_are_served_unchanged(gw):
    from egov_sim.wsdl import schemas

    for rel in schemas.published_files():
        r = gw.http.get(f"{gw.url}/wsdl/{rel}")
        assert r.status_code == 200, rel
        assert r.content == schemas.path(rel).read_bytes(), rel
    assert gw.http.get(f"{gw.url}/wsdl/../pyproject.toml").status_code == 404
    assert gw.http.get(f"{gw.url}/wsdl/shep/README.md").status_code == 404


def test_zeep_from_served_contract_escaped_string_payload(gw):
    client = zeep.Client(gw.url + WSDL_PATH)
    service = client.create_service(BINDING, gw.endpoint)
    message_id = new_id()
    text = f'<?xml version="1.0"?><request xmlns="http://shep.nitec.kz/"><iin>{IIN}</iin></request>'
    reply = service.SendMessage(request={"requestInfo": _info(message_id),
                                         "requestData": {"data": xsd.AnyObject(xsd.String(), text)}})
    info = reply.responseInfo
    assert info.correlationId == message_id
    assert info.messageId and info.messageId != message_id
    assert re.fullmatch(GUID, info.sessionId)
    assert info.status.code == "SCSS001"
    assert info.responseDate.utcoffset() == dt.timedelta(hours=5)
    assert abs(info.responseDate - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert reply.responseData.data == text


def test_zeep_typed_payload_round_trip(gw):
    history = HistoryPlugin()
    client = zeep.Client(gw.url + WSDL_PATH, plugins=[history])
    service = client.create_service(BINDING, gw.endpoint)
    cs_request = xsd.ComplexType(
        xsd.Sequence([xsd.Element("messageId", xsd.String()), xsd.Element("iin", xsd.String())]),
        qname=etree.QName(CS, "Request"))
    service.SendMessage(request={
        "requestInfo": _info(new_id()),
        "requestData": {"data": xsd.AnyObject(cs_request, cs_request(messageId="m-1", iin=IIN))}})
    # zeep drops the attributes of <data> when it parses; the raw answer keeps them
    raw = history.last_received["envelope"]
    data = raw.find(f".//{{{SYNC}}}SendMessageResponse/response/responseData/data")
    prefix, _, local = data.get(f"{{{XSI}}}type").partition(":")
    assert (data.nsmap[prefix], local) == (CS, "Request")
    assert [c.tag for c in data] == ["messageId", "iin"] and data.findtext("iin") == IIN


def test_zeep_raises_fault_whose_detail_parses(gw, zeep_client):
    with pytest.raises(zeep.exceptions.Fault) as caught:
        zeep_client.service.SendMessage(request={
            "requestInfo": _info(new_id(), password="wrong"),
            "requestData": {"data": xsd.AnyObject(xsd.String(), "x")}})
    fault = caught.value
    assert fault.code.endswith("Client")
    error = zeep_client.get_element(FAULT_QNAME).parse(fault.detail[0], zeep_client.wsdl.types)
    assert error.errorCode == "SCE008"
    assert error.errorMessage == fault.message
    assert "wrong password" in error.errorData
    assert re.fullmatch(GUID, error.sessionId)


def _exc_c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=True)


def _xsi_type(el: etree._Element) -> tuple[str, str] | None:
    value = el.get(f"{{{XSI}}}type")
    if value is None:
        return None
    prefix, _, local = value.partition(":")
    return el.nsmap.get(prefix), local


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("style", ["jaxws", "cxf", "php", "go"])
def test_raw_client_styles(gw, style, payload):
    message_id = new_id()
    body = envelope(style, info=request_info(message_id=message_id), data=PAYLOADS[payload]())
    reply = gw.post(body, style=style)
    assert reply.status == 200, reply.content[:600]
    assert reply.headers["content-type"].startswith("text/xml")
    validate(reply.body_child)
    info = reply.response_info
    assert info["correlationId"] == message_id
    assert list(info) == ["messageId", "correlationId", "responseDate", "status", "sessionId"]
    assert re.fullmatch(GUID, info["sessionId"])
    assert re.fullmatch(DATETIME_WITH_OFFSET, info["responseDate"])
    assert info["status"] == {"code": "SCSS001", "message": "Message has been processed successfully"}
    sent = etree.fromstring(body).find(".//requestData/data")
    assert _exc_c14n(reply.data) == _exc_c14n(sent)
    assert _xsi_type(reply.data) == _xsi_type(sent)


def test_xsi_type_prefix_declared_on_the_envelope_stays_bound(gw):
    """PHP declares ``cs``/``xsi`` on the Envelope; the echoed ``data`` must still resolve ``cs:Request``."""
    reply = gw.send("php", data=typed_data(declare=False))
    assert reply.status == 200, reply.content[:600]
    assert _xsi_type(reply.data) == (CS, "Request")
    assert etree.fromstring(reply.content) is not None


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/xml"},
    {"Content-Type": "application/xml"},
    {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "SendMessage"},
    {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '"SendMessage"'},
    {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": ""},
], ids=["text-xml", "application-xml", "action-SendMessage", "action-quoted", "action-empty"])
def test_content_types_and_soap_actions_clients_send(gw, headers):
    r = gw.http.post(gw.endpoint, content=envelope("jaxws"), headers=headers)
    assert r.status_code == 200, r.content[:400]


def test_endpoint_without_trailing_slash_and_get(gw):
    r = gw.http.post(gw.url + PATH.rstrip("/"), content=envelope("go"), headers=STYLE_HEADERS["go"])
    assert r.status_code == 200
    page = gw.http.get(gw.endpoint)
    assert page.status_code == 200 and WSDL_PATH in page.text


def test_utf8_bom_and_latin_whitespace_in_envelope(gw):
    body = b"\xef\xbb\xbf" + envelope("php", data=plain_data().replace("<data>", "<data>\n  \t"))
    assert gw.post(body, style="php").status == 200


def test_echo_floor_returns_the_body_element(gw):
    body = envelope("jaxws", data=escaped_data())
    r = gw.http.post(gw.url + "/sim/echo", content=body, headers={"Content-Type": "text/xml"})
    assert r.status_code == 200
    echoed = Reply(r.status_code, r.content, r.headers).body_child
    assert _exc_c14n(echoed) == _exc_c14n(etree.fromstring(body).find(f".//{{{SYNC}}}SendMessage"))


def test_dates_follow_the_gateway_clock_with_the_kazakhstan_offset(tmp_path_factory, gw_pki):
    clock = fixed_clock(utc(2024, 2, 5, 5, 15))
    with live_gateway(tmp_path_factory.mktemp("clock-home"), gw_pki, clock=clock) as live:
        ok = live.send("go")
        assert ok.response_info["responseDate"] == "2024-02-05T10:15:00.000+05:00"
        fault = live.send("go", info=request_info(service_id="NO_SUCH_SERVICE"))
        assert fault.error["errorDate"] == "2024-02-05T10:15:00.000+05:00"
        entry = live.journal.list(limit=1)[0]
        assert entry.received_at == utc(2024, 2, 5, 5, 15)
