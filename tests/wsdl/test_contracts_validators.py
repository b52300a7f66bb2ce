"""Validation copies: what the gateway accepts and refuses at the schema level."""

from __future__ import annotations

import pytest
from lxml import etree

from egov_sim.wsdl import schemas
from tests.support.contracts import GBDFL_FIELDS, REQUEST_INFO, send_message, send_message_response

GUID = "{f0774397-1a2b-4c3d-9e8f-0123456789ab}"
TYPED_GBDFL = f"""<data xmlns:cs="{schemas.GBDFL_MESSAGE_NS}" xsi:type="cs:Request">{GBDFL_FIELDS}</data>"""


def _ok(validator: etree.XMLSchema, el: etree._Element) -> bool:
    return validator.validate(el)


def _valid(validator: etree.XMLSchema, el: etree._Element) -> None:
    assert validator.validate(el), validator.error_log


def test_validators_are_cached():
    assert schemas.sync_validator() is schemas.sync_validator()
    assert schemas.async_validator() is schemas.async_validator()
    assert schemas.payload_validator("enis-request") is schemas.payload_validator("enis-request")


def test_typed_gbdfl_payload_passes_the_validation_copy_not_the_published_schema():
    """Why the copy exists: strict XSD 1.0 cannot resolve xsi:type="cs:Request" on anyType."""
    el = send_message(TYPED_GBDFL)
    _valid(schemas.sync_validator(), el)
    published = schemas.published_schema("shep/SyncChannel/v10/Types/ISyncChannel.xsd")
    assert not published.validate(el)
    assert "xsi:type" in str(published.error_log.last_error)
    data = el.find(".//data")
    _valid(schemas.payload_validator("gbdfl-request"), schemas.payload_root(data))


def test_escaped_string_payload_passes():
    escaped = ('<data xsi:type="xs:string">&lt;?xml version="1.0" encoding="UTF-8"?&gt;'
               '&lt;request xmlns="http://shep.nitec.kz/"&gt;&lt;x&gt;1&lt;/x&gt;&lt;/request&gt;</data>')
    el = send_message(escaped)
    _valid(schemas.sync_validator(), el)
    root = schemas.payload_root(el.find(".//data"))
    assert root.tag == "{http://shep.nitec.kz/}request"


def test_plain_children_and_empty_data_pass():
    _valid(schemas.sync_validator(), send_message(f"<data>{GBDFL_FIELDS}</data>"))
    _valid(schemas.sync_validator(), send_message("<data/>"))
    _valid(schemas.sync_validator(), send_message(""))  # data is optional


@pytest.mark.parametrize("prefix", ["t", "ns3", "soap"])
def test_any_wrapper_prefix_is_fine(prefix):
    _valid(schemas.sync_validator(), send_message(wrapper_prefix=prefix))


def test_default_namespace_wrapper_with_request_xmlns_empty():
    xml = f"""<SendMessage xmlns="{schemas.SYNC_TYPES_NS}"><request xmlns="">{REQUEST_INFO}
      <requestData><data/></requestData></request></SendMessage>"""
    _valid(schemas.sync_validator(), etree.fromstring(xml.encode()))


def test_qualified_nested_element_fails():
    xml = f"""<SendMessage xmlns="{schemas.SYNC_TYPES_NS}"><request>{REQUEST_INFO}
      <requestData><data/></requestData></request></SendMessage>"""
    assert not _ok(schemas.sync_validator(), etree.fromstring(xml.encode()))


def test_namespaced_data_fails():
    assert not _ok(schemas.sync_validator(), send_message('<data xmlns="urn:x"/>'))


def test_misnamed_data_slot_is_reported_by_data_name_errors():
    el = send_message("<payload/>")
    assert _ok(schemas.sync_validator(), el)  # the skip wildcard cannot check the name ...
    (error,) = schemas.data_name_errors(el)
    assert error.startswith("requestData holds 'payload' instead of 'data'")
    assert schemas.data_name_errors(send_message(TYPED_GBDFL)) == []


def test_element_order_is_enforced():
    swapped = REQUEST_INFO.replace(
        "<messageId>6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f60</messageId>\n          "
        "<serviceId>GBDFL_UniversalServiceSync</serviceId>",
        "<serviceId>GBDFL_UniversalServiceSync</serviceId>"
        "<messageId>6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f60</messageId>")
    assert swapped != REQUEST_INFO
    assert not _ok(schemas.sync_validator(), send_message(request_info=swapped))
    xml = f"""<t:SendMessage xmlns:t="{schemas.SYNC_TYPES_NS}"><request>
      <requestData><data/></requestData>{REQUEST_INFO}</request></t:SendMessage>"""
    assert not _ok(schemas.sync_validator(), etree.fromstring(xml.encode()))


def test_missing_service_id_fails():
    info = REQUEST_INFO.replace("<serviceId>GBDFL_UniversalServiceSync</serviceId>", "")
    assert not _ok(schemas.sync_validator(), send_message(request_info=info))


def test_property_limits():
    def with_property(key: str) -> etree._Element:
        info = REQUEST_INFO.replace("</sender>", f"</sender><properties><key>{key}</key><value>v</value></properties>")
        return send_message(request_info=info)
    _valid(schemas.sync_validator(), with_property("K" * 30))
    assert not _ok(schemas.sync_validator(), with_property("K" * 31))


@pytest.mark.parametrize("session_id, ok", [
    (GUID, True),
    ("{F0774397-1A2B-4C3D-9E8F-0123456789AB}", True),
    (None, True),
    ("f0774397-1a2b-4c3d-9e8f-0123456789ab", False),
    ("{f0774397-1a2b-4c3d-9e8f-0123456789a}", False),
    ("{f0774397-1a2b-4c3d-9e8f-0123456789ab", False),
    ("{g0774397-1a2b-4c3d-9e8f-0123456789ab}", False),
])
def test_guid_requires_braces(session_id, ok):
    assert _ok(schemas.sync_validator(), send_message_response(session_id)) is ok


def test_sender_must_not_set_a_session_id_without_braces():
    info = REQUEST_INFO.replace("</sender>", "</sender><sessionId>f0774397-1a2b-4c3d-9e8f-0123456789ab</sessionId>")
    assert not _ok(schemas.sync_validator(), send_message(request_info=info))


def test_fault_element_validates():
    fault = etree.fromstring(f"""<t:SendMessageFault1_SendMessageFault xmlns:t="{schemas.SYNC_TYPES_NS}">
      <errorCode>SCE001</errorCode>
      <errorMessage>Сообщение не соответствует формату</errorMessage>
      <errorData>requestInfo/serviceId is missing</errorData>
      <errorDate>2024-02-05T10:15:00.000+06:00</errorDate>
      <subError>
        <errorCode>SCE909</errorCode><errorMessage>internal</errorMessage>
        <errorDate>2024-02-05T10:15:00Z</errorDate>
      </subError>
      <sessionId>{GUID}</sessionId>
    </t:SendMessageFault1_SendMessageFault>""".encode())
    _valid(schemas.sync_validator(), fault)
    fault.remove(fault.find("errorDate"))
    assert not _ok(schemas.sync_validator(), fault)


def _async(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode())


ASYNC_INFO = """<messageInfo>
  <serviceId>S</serviceId><messageType>{mt}</messageType><routeId>R_Pavlodar</routeId>
  <messageDate>2024-02-05T10:20:00Z</messageDate><sender><senderId>X</senderId></sender>
</messageInfo>"""


@pytest.mark.parametrize("message_type, ok", [
    ("REQUEST", True), ("RESPONSE", True), ("NOTIFICATION", True), ("UPDATE", True), ("request", False)])
def test_async_send_message_types(message_type, ok):
    el = _async(f"""<a:sendMessage xmlns:a="{schemas.ASYNC_TYPES_NS}"><request>
      {ASYNC_INFO.format(mt=message_type)}<messageData><data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xmlns:rs="{schemas.RSHEP_NS}" xsi:type="rs:ServiceRequest"/></messageData></request></a:sendMessage>""")
    assert _ok(schemas.async_validator(), el) is ok


@pytest.mark.parametrize("status, ok", [
    ("MESSAGE_ACCEPTED", True), ("MESSAGE_NOT_ACCTEPTED", True), ("MESSAGE_NOT_ACCEPTED", False)])
def test_delivery_notification_keeps_the_contract_misspelling(status, ok):
    el = _async(f"""<a:sendDeliveryNotification xmlns:a="{schemas.ASYNC_TYPES_NS}"><request>
      <notification><messageId>m</messageId><serviceId>S</serviceId>
        <notificationDate>2024-02-05T10:21:00Z</notificationDate>
        <deliveryStatus><receiveStatus>{status}</receiveStatus><statusDate>2024-02-05T10:21:00Z</statusDate>
          <resendMessage>RESEND</resendMessage></deliveryStatus></notification>
      <requestDate>2024-02-05T10:21:00Z</requestDate></request></a:sendDeliveryNotification>""")
    assert _ok(schemas.async_validator(), el) is ok


def test_async_fault_and_push_elements():
    _valid(schemas.async_validator(), _async(f"""<a:getMessagesFault1_getMessagesFault xmlns:a="{schemas.ASYNC_TYPES_NS}">
      <errorCode>E</errorCode><errorMessage>m</errorMessage><errorDate>2024-02-05T10:21:00Z</errorDate>
      </a:getMessagesFault1_getMessagesFault>"""))
    _valid(schemas.async_validator(), _async(f"""<c:changeMassageStatusNotificationResponse
      xmlns:c="{schemas.ASYNC_CLIENT_TYPES_NS}"><response><responseDate>2024-02-05T10:21:00Z</responseDate>
      </response></c:changeMassageStatusNotificationResponse>"""))
    # the gateway-side element name in the client namespace does not exist
    assert not _ok(schemas.async_validator(), _async(
        f'<c:getMessages xmlns:c="{schemas.ASYNC_CLIENT_TYPES_NS}"><request/></c:getMessages>'))


def test_get_messages_response_carries_messages():
    el = _async(f"""<a:getMessagesResponse xmlns:a="{schemas.ASYNC_TYPES_NS}"><response>
      <responseDate>2024-02-05T10:21:00Z</responseDate><sessionId>{GUID}</sessionId>
      <messages>{ASYNC_INFO.format(mt="REQUEST")}<messageData><data>x</data></messageData></messages>
      <messages>{ASYNC_INFO.format(mt="REQUEST")}<messageData/></messages>
      </response></a:getMessagesResponse>""")
    _valid(schemas.async_validator(), el)


# --- payloads ----------------------------------------------------------------------------------


def _data(inner: str, xsi_type: str | None = None, ns: str = "") -> etree._Element:
    attrs = f' xmlns:p="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' if ns else ""
    if xsi_type:
        attrs += f' xsi:type="p:{xsi_type}"'
    return etree.fromstring(f"<data{attrs}>{inner}</data>".encode())


def test_unknown_payload_name():
    with pytest.raises(ValueError, match="gbdfl-request"):
        schemas.payload_validator("gbdfl")


def test_gbdfl_token_request_requires_token_and_key():
    plain = _data(GBDFL_FIELDS, "Request", schemas.GBDFL_MESSAGE_NS)
    _valid(schemas.payload_validator("gbdfl-request"), plain)
    assert not _ok(schemas.payload_validator("gbdfl-token-request"), plain)
    token = _data(GBDFL_FIELDS + "<kdpToken>t</kdpToken><publicKey>k</publicKey>", "Request",
                  schemas.GBDFL_MESSAGE_NS)
    _valid(schemas.payload_validator("gbdfl-token-request"), token)


def test_gbdfl_request_rejects_a_response_type_and_wrong_order():
    assert not _ok(schemas.payload_validator("gbdfl-request"),
                   _data(GBDFL_FIELDS, "Response", schemas.GBDFL_MESSAGE_NS))
    reordered = "<senderCode>X</senderCode><messageId>m</messageId><messageDate>2024-02-05T10:15:00Z</messageDate>"
    assert not _ok(schemas.payload_validator("gbdfl-request"), _data(reordered))


def test_gbdfl_signature_slot_is_last_and_only_for_xmldsig():
    sig = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>'
    v = schemas.payload_validator("gbdfl-request")
    _valid(v, _data(GBDFL_FIELDS + sig))
    assert not _ok(v, _data(sig + GBDFL_FIELDS))
    assert not _ok(v, _data(GBDFL_FIELDS + '<x:Signature xmlns:x="urn:other"/>'))


ENIS_HEAD = "<messageId>m</messageId><messageDate>2024-02-05T10:15:02Z</messageDate><senderCode>S</senderCode>"


@pytest.mark.parametrize("keys, ok", [
    ("<principalIin>000000000000</principalIin><attorneyIin>000000000001</attorneyIin>", True),
    ("<principalIin>000000000000</principalIin><attorneyIin>000000000001</attorneyIin><poaNumber>N</poaNumber>", True),
    ("<poaNumber>N</poaNumber>", True),
    ("<principalIin>000000000000</principalIin>", False),
    ("", False),
    ("<principalIin>00000000000</principalIin><attorneyIin>000000000001</attorneyIin>", False),
])
def test_enis_request_keys(keys, ok):
    el = _data(ENIS_HEAD + keys + "<checkDate>2024-02-05</checkDate>", "PoaRequest", schemas.ENIS_NS)
    assert _ok(schemas.payload_validator("enis-request"), el) is ok


def test_payload_validators_accept_only_their_own_global_element():
    request = etree.fromstring(
        f'<e:PoaRequest xmlns:e="{schemas.ENIS_NS}">{ENIS_HEAD}<poaNumber>N</poaNumber></e:PoaRequest>'.encode())
    _valid(schemas.payload_validator("enis-request"), request)
    assert not _ok(schemas.payload_validator("enis-response"), request)


def test_rshep_outcome_is_decision_or_refusal():
    head = ("<requestId>R</requestId><registration><number>1</number><date>2024-02-05T10:50:00Z</date>"
            "</registration>")
    tail = ("<journal><number>J</number><date>2024-02-12T15:55:00Z</date></journal>"
            "<signer><fullName>F</fullName><position>P</position></signer>"
            "<resultDate>2024-02-12T16:00:00Z</resultDate>")
    decision = "<decision><number>D</number><date>2024-02-13</date><text>T</text></decision>"
    refusal = "<refusal><reasonCode>C</reasonCode><reasonText>T</reasonText></refusal>"
    v = schemas.payload_validator("rshep-response")
    for outcome, ok in [(decision, True), (refusal, True), (decision + refusal, False), ("", False)]:
        el = _data(f"{head}<outcome>{outcome}</outcome>{tail}", "ServiceResult", schemas.RSHEP_NS)
        assert _ok(v, el) is ok, outcome


def test_payload_root_styles():
    typed = _data(GBDFL_FIELDS, "Request", schemas.GBDFL_MESSAGE_NS)
    assert schemas.payload_root(typed) is typed
    plain = _data(GBDFL_FIELDS)
    assert schemas.payload_root(plain) is plain
    wrapped = etree.fromstring(f'<data><!-- c --><e:PoaRequest xmlns:e="{schemas.ENIS_NS}"/></data>'.encode())
    assert schemas.payload_root(wrapped) is wrapped[1]
    escaped = etree.fromstring(
        b'<data xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:string">'
        b'&lt;?xml version="1.0" encoding="windows-1251"?&gt;&lt;r&gt;\xd0\xa2&lt;/r&gt;</data>')
    root = schemas.payload_root(escaped)
    assert (root.tag, root.text) == ("r", "Т")


def test_payload_root_refuses_a_doctype_in_an_escaped_payload():
    from egov_sim.core.safe_xml import UnsafeXmlError

    escaped = etree.fromstring(
        b'<data xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">'
        b'&lt;!DOCTYPE r [&lt;!ENTITY e "x"&gt;]&gt;&lt;r&gt;&amp;e;&lt;/r&gt;</data>')
    with pytest.raises(UnsafeXmlError):
        schemas.payload_root(escaped)
