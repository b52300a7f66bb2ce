"""An invented service answered by stub files through the live gateway: zeep (client built from
the served WSDL), PHP- and JAX-WS-shaped raw envelopes, precedence, near misses, provider faults,
delays, signed payloads that ``egov-sim verify`` accepts, and hot reload."""

from __future__ import annotations

import time

import pytest
import zeep
from lxml import etree
from zeep import xsd

from egov_sim.signing.verify import reroot
from tests.support.rshep import TEST_MONDAY
from tests.support.shep import FAULT_ELEMENT, assert_fault, request_info, validate

from .conftest import start_stub_gateway
from .service import BLOCKED, CLEAN, DEBTOR, FILES, SERVICE_ID, TAX, debt_request

NS = {"tax": TAX}


def _send(gw, iin: str, *, style: str = "jaxws", sender=("EGOV_SIM_TEST_CLIENT", "test-secret"),
          prefix: str = "tax"):
    return gw.send(style, info=request_info(service_id=SERVICE_ID, sender=sender),
                   data=debt_request(iin, prefix=prefix))


@pytest.fixture(scope="module")
def shared_gw(tmp_path_factory, stubs_pki):
    with start_stub_gateway(tmp_path_factory.mktemp("stubs-gw"), stubs_pki, FILES) as live:
        yield live


@pytest.fixture
def gw(shared_gw):
    """One gateway for the module; each test starts with an empty journal and fresh counters."""
    shared_gw.journal.clear()
    shared_gw.app.state.gateway.stubs.states.reset()
    return shared_gw


@pytest.fixture
def own_gw(stub_gateway):
    """A gateway of the test's own, for a test that changes the stub files."""
    with stub_gateway(FILES) as live:
        yield live


def test_zeep_client_from_the_served_wsdl_gets_the_stub_answers(gw):
    client = zeep.Client(gw.endpoint + "?wsdl")
    info = {"messageId": "0f8fad5b-d9cb-469f-a165-70867728950e", "serviceId": SERVICE_ID,
            "messageDate": "2024-02-05T10:15:00+05:00",
            "sender": {"senderId": "EGOV_SIM_TEST_CLIENT", "password": "test-secret"}}

    def call(iin: str):
        # zeep's escaped-XML payload (xsi:type="xs:string"): XPath runs on the document inside
        doc = f'<debtRequest xmlns="{TAX}"><iin>{iin}</iin></debtRequest>'
        return client.service.SendMessage(request={
            "requestInfo": info, "requestData": {"data": xsd.AnyObject(xsd.String(), doc)}})

    reply = call(CLEAN)
    assert reply.responseInfo.status.code == "SCSS001"
    [answer] = reply.responseData.data
    assert answer.findtext("tax:iin", namespaces=NS) == CLEAN
    assert answer.findtext("tax:total", namespaces=NS) == "0"

    first, second = call(DEBTOR).responseData.data[0], call(DEBTOR).responseData.data[0]
    assert first.findtext("tax:total", namespaces=NS) == "125000"
    assert [first.findtext("tax:receipt", namespaces=NS), second.findtext("tax:receipt", namespaces=NS)] \
        == ["R-1", "R-2"]
    assert first.findtext("tax:checkedAt", namespaces=NS) == "2026-02-02T09:00:00.000+05:00"  # TEST_MONDAY

    with pytest.raises(zeep.exceptions.Fault) as caught:
        call(BLOCKED)
    error = client.get_element(FAULT_ELEMENT).parse(caught.value.detail[0], client.wsdl.types)
    assert error.errorCode == "SCE012"
    assert (error.subError.errorCode, error.subError.errorMessage, error.subError.errorData) == \
        ("TAX-403", "Доступ к данным запрещен", f"iin {BLOCKED} is blocked")


@pytest.mark.parametrize("style", ["php", "jaxws", "cxf", "go"])
def test_raw_envelopes_of_every_client_style(gw, style):
    reply = _send(gw, DEBTOR, style=style, prefix="d" if style == "php" else "tax")
    assert reply.status == 200, reply.content[:600]
    validate(reply.body_child)
    assert reply.response_info["status"] == {"code": "SCSS001",
                                             "message": "Message has been processed successfully"}
    assert reply.data.findtext("tax:debtResponse/tax:total", namespaces=NS) == "125000"


def test_precedence_priority_first_then_the_next_stub_that_fits(gw):
    # debt-found (priority 1) needs the test client; from the portal the same IIN falls through
    # blocked-iin (priority 2, regex does not fit) to no-debt (priority 5)
    from_portal = _send(gw, DEBTOR, sender=("EGOV_SIM_PORTAL", "portal-secret"))
    assert from_portal.data.findtext("tax:debtResponse/tax:total", namespaces=NS) == "0"
    assert _send(gw, DEBTOR).data.findtext("tax:debtResponse/tax:total", namespaces=NS) == "125000"
    # blocked-iin (priority 2) wins over no-debt (priority 5), which also fits
    assert_fault(_send(gw, BLOCKED), "SCE012")


def test_a_request_no_stub_matches_gets_a_fault_naming_the_closest_stub(gw):
    reply = gw.send("php", info=request_info(service_id=SERVICE_ID),
                    data=f'<data><tax:debtRequest xmlns:tax="{TAX}"><tax:iim>{DEBTOR}</tax:iim>'
                         "</tax:debtRequest></data>")
    error = assert_fault(reply, "SCE012")
    sub = error["subError"]
    assert sub["errorCode"] == "STUB_NO_MATCH"
    assert "closest: 'debt-found' (" in sub["errorData"]
    assert "(stubs/debts.yaml:4)" in sub["errorData"]
    assert "data xpath string(//tax:iin) is '', expected '880314312347'" in sub["errorData"]
    gw.assert_serving()


def test_a_delay_past_the_service_timeout_is_a_provider_timeout(gw):
    started = time.monotonic()
    reply = gw.send("jaxws", info=request_info(service_id=SERVICE_ID),
                    data=f'<data><tax:slow xmlns:tax="{TAX}"/></data>')
    assert_fault(reply, "SCE011")
    assert time.monotonic() - started >= 0.9  # the service's timeout (1 s), not the 3 s delay


def test_signed_payload_is_accepted_by_egov_sim_verify(gw, run_cli, tmp_path):
    reply = _send(gw, DEBTOR)
    signed = reroot(reply.data)
    assert signed.getroot().find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None
    path = tmp_path / "data.xml"
    path.write_bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))
    at = TEST_MONDAY.isoformat()
    code, out, err = run_cli("--home", gw.home, "verify", path, "--at", at, "--json")
    assert code == 0, (out, err)
    assert '"valid": true' in out and "НАЛОГ" in out
    # and a changed amount no longer verifies
    path.write_bytes(path.read_bytes().replace(b"125000", b"1"))
    assert run_cli("--home", gw.home, "verify", path, "--at", at)[0] == 1


def test_the_journal_records_stub_answers(gw):
    _send(gw, CLEAN)
    [entry] = gw.journal.list()
    assert entry.service_id == SERVICE_ID and entry.provider.startswith("stubs:")
    assert entry.status_code == "SCSS001"


def _total(gw) -> str | None:
    reply = _send(gw, CLEAN)
    if reply.is_fault:
        return reply.error["subError"]["errorCode"]
    return reply.data.findtext("tax:debtResponse/tax:total", namespaces=NS)


def _eventually(gw, expected: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = _total(gw)
        if seen == expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"expected {expected!r}, still {seen!r}")


def test_hot_reload_of_changed_files_and_a_fault_while_they_do_not_load(own_gw, tmp_path):
    gw = own_gw
    stub_file = tmp_path / "stubs" / "debts.yaml"
    assert _total(gw) == "0"
    stub_file.write_text(FILES["debts.yaml"].replace("<tax:total>0<", "<tax:total>7<"), encoding="utf-8")
    _eventually(gw, "7")
    stub_file.write_text(FILES["debts.yaml"].replace("priority: 2", "priority: two"), encoding="utf-8")
    _eventually(gw, "STUB_FILE_ERROR")
    reply = _send(gw, CLEAN)
    assert "stubs/debts.yaml:15: stubs[1].priority: must be a whole number" in reply.error["subError"]["errorData"]
    (tmp_path / "stubs" / "more.yaml").write_text(
        "name: extra\npriority: 0\nmatch: {xpath: ['//*[local-name()=\"iin\"]']}\nanswer:\n"
        "  data: <tax:debtResponse xmlns:tax='" + TAX + "'><tax:total>42</tax:total></tax:debtResponse>\n",
        encoding="utf-8")
    stub_file.write_text(FILES["debts.yaml"], encoding="utf-8")
    _eventually(gw, "42")
