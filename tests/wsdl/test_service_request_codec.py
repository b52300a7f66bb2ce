"""The rs:ServiceRequest codec: what one channel writes, every reader reads back the same, in both
payload styles, and the document follows the contract."""

from __future__ import annotations

from lxml import etree

from egov_sim.core.xml_build import child_text
from egov_sim.reference.person import PersonName
from egov_sim.wsdl import service_request as rs
from egov_sim.wsdl.schemas import payload_root

FULL = rs.ServiceRequest(
    request_id="CON-2025-0000001", request_date="2025-02-03T10:20:00+05:00", channel="CON",
    service_code="SIM_GUARDIAN_ALLOWANCE_PAVLODAR", service_name="Назначение пособия",
    provider_bin="010340000011", provider_name="ГУ «Отдел образования города Павлодара»",
    region_code="55",
    applicant=rs.Applicant("780314401012", PersonName("ЖУМАБАЕВА", "АЙГЕРИМ", "НУРЛАНОВНА"),
                           birth_date="1978-03-14", phone="+77010000000"),
    representative=rs.Representative("850101300013", PersonName("ОМАРОВ", "ЕРЛАН"), "SIM-POA-1",
                                     poa_valid_to="2026-01-01"),
    operator=rs.Operator("900101300016", "ИСКАКОВА ЖАНАР", "PVL1"),
    registry_checks=(rs.RegistryCheck("GBDFL", "GBDFL_UniversalServiceSync", "m-1", "00000",
                                      "2025-02-03T10:19:00+05:00"),),
    form=(rs.FormField("childIin", "180722501110", "ИИН ребенка"), rs.FormField("note", "x")),
    attachments=(rs.Attachment("APPLICATION", "application.pdf", "application/pdf", b"%PDF-1.4",
                               "Заявление"),))


def test_both_styles_follow_the_contract_and_read_back_the_same():
    for as_data in (False, True):
        root = rs.write(FULL, as_data=as_data)
        assert rs.schema_errors(root) == []
        wrapped = rs.wrap_as_data(root) if not as_data else root
        back = rs.read(payload_root(wrapped))
        assert back == FULL  # not signed: signed is False on both sides


def test_the_portal_style_is_the_root_element_and_the_con_style_typed_data():
    assert rs.is_service_request(rs.write(FULL))
    assert rs.request_id_of(rs.write(FULL)) == "CON-2025-0000001"
    data = rs.write(FULL, as_data=True)
    assert data.tag == "data" and rs.request_id_of(data) is None


def test_schema_order_and_empty_optionals_left_out():
    root = rs.write(rs.ServiceRequest("R1", "2025-02-03T10:20:00+05:00", "PORTAL", "S", "010340000011",
                                      "Office", rs.Applicant("780314401012", PersonName("A", "B"))))
    assert [c.tag for c in root] == ["requestId", "requestDate", "channel", "serviceCode", "provider",
                                     "applicant"]
    assert [c.tag for c in root.find("applicant")] == ["iin", "surname", "name"]
    assert rs.schema_errors(root) == []


def test_a_broken_document_is_named_and_bad_base64_is_read_as_undecodable():
    root = rs.write(FULL)
    root.find("channel").text = "FAX"
    assert rs.schema_errors(root) and "channel" in rs.schema_errors(root)[0]
    root = rs.write(FULL)
    root.find("attachments/attachment/content").text = "not*base64"
    (attachment,) = rs.read(root).attachments
    assert not attachment.decodable and attachment.size == 0


def test_child_text_is_the_one_reader_of_optional_text():
    el = etree.fromstring("<a><b> x </b><c/><d>  </d></a>")
    assert child_text(el, "b") == "x"
    assert child_text(el, "c") is None and child_text(el, "d") is None
    assert child_text(el, "missing") is None and child_text(None, "b") is None
