"""WSDL names and bindings as real clients see them, checked with lxml and with zeep offline."""

from __future__ import annotations

import pytest
from lxml import etree
from zeep import xsd
from zeep.wsdl.bindings.soap import Soap11Binding

from egov_sim.wsdl import schemas

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
SYNC = schemas.SYNC_TYPES_NS
ASYNC = schemas.ASYNC_TYPES_NS
CLIENT = schemas.ASYNC_CLIENT_TYPES_NS

SERVICES = {
    schemas.SYNC_SERVICE_WSDL: (
        "http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2", "SyncChannelHttpBinding",
        "ISyncChannelHttpService", "SyncChannelHttpPort", "http://localhost:8080/bip-sync-wss-gost/",
        {"SendMessage"}),
    schemas.ASYNC_SERVICE_WSDL: (
        "http://bip.bee.kz/AsyncChannel/v10/Interfaces/Binding", "AsyncChannelHttpBinding",
        "AsyncChannelHttpService", "AsyncChannelHttpPort", "http://localhost:8080/bip-async",
        {"sendMessage", "sendDeliveryNotification", "getMessageStatus", "getMessages"}),
    schemas.ASYNC_CLIENT_SERVICE_WSDL: (
        "http://bip.bee.kz/AsyncChannel/v10/Interfaces/Client/Binding",
        "AsyncChannelClientHttpBinding", "AsyncChannelClientHttpService",
        "AsyncChannelClientHttpPort", None,
        {"sendMessage", "changeMassageStatusNotification"}),
}


@pytest.mark.parametrize("wsdl_file", SERVICES)
def test_binding_is_soap11_document_literal_with_empty_soap_action(wsdl_file):
    tns, binding_name, service, port, address, operations = SERVICES[wsdl_file]
    root = etree.parse(str(schemas.path(wsdl_file))).getroot()
    assert root.get("targetNamespace") == tns
    (binding,) = root.findall(f"{{{WSDL}}}binding")
    assert binding.get("name") == binding_name
    soap_binding = binding.find(f"{{{SOAP11_BINDING}}}binding")
    assert soap_binding.get("style") == "document"
    assert soap_binding.get("transport") == "http://schemas.xmlsoap.org/soap/http"
    ops = binding.findall(f"{{{WSDL}}}operation")
    assert {op.get("name") for op in ops} == operations
    for op in ops:
        assert op.find(f"{{{SOAP11_BINDING}}}operation").get("soapAction") == ""
        for body in op.iter(f"{{{SOAP11_BINDING}}}body", f"{{{SOAP11_BINDING}}}fault"):
            assert body.get("use") == "literal"
    (svc,) = root.findall(f"{{{WSDL}}}service")
    assert svc.get("name") == service
    assert svc.find(f"{{{WSDL}}}port").get("name") == port
    if address:
        assert svc.find(f"{{{WSDL}}}port/{{{SOAP11_BINDING}}}address").get("location") == address


def test_sync_portType_messages_and_parts():
    root = etree.parse(str(schemas.path("shep/SyncChannel/v10/Interfaces/ISyncChannel.wsdl"))).getroot()
    assert root.get("targetNamespace") == "http://bip.bee.kz/SyncChannel/v10/Interfaces"
    parts = {m.get("name"): (m[0].get("name"), m[0].get("element"))
             for m in root.findall(f"{{{WSDL}}}message")}
    assert parts == {
        "SendMessageRequestMsg": ("SendMessageParameters", "types:SendMessage"),
        "SendMessageResponseMsg": ("SendMessageResult", "types:SendMessageResponse"),
        "SendMessage_sendMessageFaultMsg": ("sendMessageFault", "types:SendMessageFault1_SendMessageFault"),
    }
    (port_type,) = root.findall(f"{{{WSDL}}}portType")
    assert port_type.get("name") == "ISyncChannel"
    assert port_type.find(f"{{{WSDL}}}operation/{{{WSDL}}}fault").get("name") == "sendMessageFault"


def _fault_element(op, fault_name: str) -> str:
    (part,) = op.faults[fault_name].abstract.parts.values()
    return part.element.qname.text


def test_zeep_sync_operation(sync_client):
    service = sync_client.wsdl.services["ISyncChannelHttpService"]
    port = service.ports["SyncChannelHttpPort"]
    binding = port.binding
    assert isinstance(binding, Soap11Binding)
    assert binding.name.text == "{http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2}SyncChannelHttpBinding"
    assert port.binding_options["address"] == "http://localhost:8080/bip-sync-wss-gost/"
    op = binding.get("SendMessage")
    assert op.soapaction == ""
    assert op.input.body.qname.text == f"{{{SYNC}}}SendMessage"
    assert op.output.body.qname.text == f"{{{SYNC}}}SendMessageResponse"
    assert _fault_element(op, "sendMessageFault") == f"{{{SYNC}}}SendMessageFault1_SendMessageFault"


def _all_nested_unqualified(wrapper: etree._Element) -> list[str]:
    return [el.tag for el in wrapper.iterdescendants() if isinstance(el.tag, str) and el.tag.startswith("{")]


def test_zeep_builds_sync_request_with_unqualified_nested_elements(sync_client):
    payload = xsd.AnyObject(xsd.String(), "<x/>")
    envelope = sync_client.create_message(sync_client.service, "SendMessage", request={
        "requestInfo": {
            "messageId": "6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f60",
            "serviceId": "GBDFL_UniversalServiceSync",
            "messageDate": "2024-02-05T10:15:00.000+06:00",
            "sender": {"senderId": "EGOV_SIM_IIS_CON", "password": "secret"},
            "properties": [{"key": "CONNECTOR_CLIENT", "value": "true"}],
        },
        "requestData": {"data": payload},
    })
    body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    (wrapper,) = body
    assert wrapper.tag == f"{{{SYNC}}}SendMessage"
    assert [c.tag for c in wrapper] == ["request"]
    assert [c.tag for c in wrapper[0]] == ["requestInfo", "requestData"]
    assert _all_nested_unqualified(wrapper) == []
    assert schemas.sync_validator().validate(wrapper), schemas.sync_validator().error_log


def test_zeep_async_operations(async_client, async_push_client):
    binding = next(iter(async_client.wsdl.bindings.values()))
    assert isinstance(binding, Soap11Binding)
    for name in ("sendMessage", "sendDeliveryNotification", "getMessageStatus", "getMessages"):
        op = binding.get(name)
        assert op.soapaction == ""
        assert op.input.body.qname.text == f"{{{ASYNC}}}{name}"
        assert _fault_element(op, f"{name}Fault") == f"{{{ASYNC}}}{name}Fault1_{name}Fault"
    push = next(iter(async_push_client.wsdl.bindings.values()))
    assert push.get("changeMassageStatusNotification").input.body.qname.text == \
        f"{{{CLIENT}}}changeMassageStatusNotification"


def test_zeep_builds_async_send_message_with_unqualified_nested_elements(async_client):
    envelope = async_client.create_message(async_client.service, "sendMessage", request={
        "messageInfo": {
            "serviceId": "SIM_GUARDIAN_ALLOWANCE_PAVLODAR",
            "messageType": "REQUEST",
            "routeId": "R_Pavlodar",
            "messageDate": "2024-02-05T10:20:00+06:00",
            "sender": {"senderId": "EGOV_SIM_IIS_CON"},
        },
        "messageData": {"data": xsd.AnyObject(xsd.String(), "payload")},
    })
    (wrapper,) = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert wrapper.tag == f"{{{ASYNC}}}sendMessage"
    assert _all_nested_unqualified(wrapper) == []
    assert schemas.async_validator().validate(wrapper), schemas.async_validator().error_log
