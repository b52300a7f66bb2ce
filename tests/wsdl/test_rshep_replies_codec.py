"""What РШЭП sends back to a channel (rs:Acknowledgement, rs:StatusNotification, rs:ServiceResult):
the bytes the АРМ writes, the contract they follow, and what the inboxes read back."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from egov_sim.wsdl import rshep_replies as rr
from egov_sim.wsdl.schemas import payload_root

AT = dt.datetime(2025, 2, 3, 4, 20, 0, 123000, tzinfo=dt.UTC)
HEAD = ('<data xmlns:rs="urn:egov-sim:synthetic:rshep:v1" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ')

NOTIFICATION = rr.StatusNotification(
    "CON-2025-0000001", "REGISTERED", rr.xml_datetime(AT),
    rr.Registration("PVL-2025-000001", "2025-02-03T10:00:00.000+05:00"), "2025-02-20", "ok")
DECISION = rr.ServiceResult(
    "CON-2025-0000001", rr.Registration("PVL-2025-000001", "2025-02-03T10:00:00.000+05:00"),
    rr.Decision("D-PVL-2025-0001", "2025-02-03", "Назначить пособие", "1234.00"),
    rr.Registration("J-PVL-2025-0001", rr.xml_datetime(AT)),
    rr.Signer("780314401012", "ЖУМАБАЕВА АЙГЕРИМ", "Руководитель"), rr.xml_datetime(AT),
    rr.ResultDocument("DECISION", "decision.pdf", "application/pdf", "JVBERi0xLjQ=", "Решение"))
REFUSAL = rr.ServiceResult(
    "P-1", rr.Registration("N-1", "2025-02-03T10:00:00.000+05:00"),
    rr.Refusal("R01", "неполный пакет", (rr.Violation("IDENTITY", "нет копии"), rr.Violation(None, "x"))),
    rr.Registration("J-1", "2025-02-04T10:00:00.000+05:00"), rr.Signer(None, "ОМАРОВ ЕРЛАН", "Исполнитель"),
    "2025-02-04T10:00:00.000+05:00")


def _bytes(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


def test_the_written_bytes_are_the_contract_examples_style():
    """Style 1, unqualified children in schema order, dates with the Kazakhstan offset: the bytes
    the АРМ has always sent (a signed result covers exactly these)."""
    assert _bytes(rr.write_notification(rr.StatusNotification("R1", "UNDER_REVIEW", rr.xml_datetime(AT)))) == (
        HEAD + 'xsi:type="rs:StatusNotification"><requestId>R1</requestId><status>UNDER_REVIEW</status>'
        '<statusDate>2025-02-03T09:20:00.123+05:00</statusDate></data>')
    ack = rr.Acknowledgement(True, rr.xml_datetime(AT), request_id="R1", inbox_id="7", provider_code="PVL",
                             duplicate=True, signature_verdict="valid")
    assert _bytes(rr.write_acknowledgement(ack)) == (
        HEAD + 'xsi:type="rs:Acknowledgement"><requestId>R1</requestId><accepted>true</accepted>'
        '<inboxId>7</inboxId><providerCode>PVL</providerCode>'
        '<receivedAt>2025-02-03T09:20:00.123+05:00</receivedAt><duplicate>true</duplicate>'
        '<signatureVerdict>valid</signatureVerdict></data>')


def test_a_refusal_acknowledgement_cuts_a_long_message():
    data = rr.write_acknowledgement(rr.Acknowledgement(False, rr.xml_datetime(AT), error_code="RSHEP001",
                                                       error_message="x" * 1500))
    assert [c.tag for c in data] == ["accepted", "receivedAt", "errorCode", "errorMessage"]
    assert data.findtext("accepted") == "false" and len(data.findtext("errorMessage")) == 1000


def test_notification_and_results_follow_the_contract_and_read_back_the_same():
    data = rr.write_notification(NOTIFICATION)
    assert rr.kind_of(data, payload_root(data)) == rr.NOTIFICATION
    assert rr.schema_error(rr.NOTIFICATION, data) is None
    assert rr.read_notification(data) == NOTIFICATION
    for result in (DECISION, REFUSAL):
        data = rr.write_result(result)
        assert rr.kind_of(data, payload_root(data)) == rr.RESULT
        assert rr.schema_error(rr.RESULT, data) is None
        assert rr.read_result(data) == result


def test_every_payload_style_is_recognised_and_other_namespaces_are_not():
    typed = rr.write_notification(NOTIFICATION)
    escaped = etree.Element("data", nsmap={"xs": "http://www.w3.org/2001/XMLSchema",
                                           "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    escaped.set("{http://www.w3.org/2001/XMLSchema-instance}type", "xs:string")
    escaped.text = etree.tostring(typed, encoding="unicode")
    root = payload_root(escaped)
    assert rr.kind_of(escaped, root) == rr.NOTIFICATION and rr.read_notification(root) == NOTIFICATION
    element = etree.Element("{urn:egov-sim:synthetic:rshep:v1}ServiceResult")
    holder = etree.Element("data")
    holder.append(element)
    assert rr.kind_of(holder, payload_root(holder)) == rr.RESULT
    foreign = etree.Element("data", nsmap={"rs": "urn:other", "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    foreign.set("{http://www.w3.org/2001/XMLSchema-instance}type", "rs:StatusNotification")
    assert rr.kind_of(foreign, payload_root(foreign)) is None
    untyped = etree.Element("data")
    etree.SubElement(untyped, "requestId").text = "R1"
    assert rr.kind_of(untyped, payload_root(untyped)) is None


def test_a_broken_document_is_named():
    data = rr.write_notification(NOTIFICATION)
    data.find("status").text = "LOST"
    error = rr.schema_error(rr.NOTIFICATION, data)
    assert error is not None and error.startswith("line ") and "status" in error
    data = rr.write_result(DECISION)
    data.remove(data.find("journal"))
    assert "journal" in (rr.schema_error(rr.RESULT, data) or "")
