"""Every way a request can be refused: the right fault (code, message, errorData, faultcode), valid
against the contract, journaled — and the server keeps serving the next good request.
"""

from __future__ import annotations

import pytest

from egov_sim.gateway.errors import KINDS
from egov_sim.gateway.journal import JournalFilter
from tests.support.shep import (
    SOAP11,
    SOAP12,
    SYNC,
    TEST_CLIENT,
    Reply,
    assert_fault,
    envelope,
    journaled,
    live_gateway,
    new_id,
    plain_data,
    request_info,
)

LOL = ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
       + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                 for i in range(1, 10))
       + "]>")


def _bare(body_inner: str, *, ns: str = SOAP11) -> bytes:
    return f'<soap:Envelope xmlns:soap="{ns}"><soap:Body>{body_inner}</soap:Body></soap:Envelope>'.encode()


def _good(**info) -> bytes:
    return envelope("jaxws", info=request_info(**info))


def _nested(depth: int) -> str:
    return "<data>" + "<n>" * depth + "x" + "</n>" * depth + "</data>"


XML = {"Content-Type": "text/xml; charset=utf-8"}

CASES = {
    # authentication
    "unknown-sender": (_good(sender=("NOBODY", "x")), XML, "SCE008", "'NOBODY' is not a registered participant"),
    "wrong-password": (_good(sender=(TEST_CLIENT[0], "guess")), XML, "SCE008", "wrong password"),
    "no-password": (_good(sender=(TEST_CLIENT[0], None)), XML, "SCE008", "wrong password"),
    # routing
    "unknown-service": (_good(service_id="NO_SUCH_SERVICE"), XML, "SCE004", "'NO_SUCH_SERVICE'"),
    # requestInfo
    "missing-messageId": (_good(omit=("messageId",)), XML, "SCE001", "requestInfo/messageId is missing"),
    "missing-serviceId": (_good(omit=("serviceId",)), XML, "SCE001", "requestInfo/serviceId is missing"),
    "missing-messageDate": (_good(omit=("messageDate",)), XML, "SCE001", "requestInfo/messageDate is missing"),
    "missing-sender": (_good(omit=("sender",)), XML, "SCE001", "requestInfo/sender is missing"),
    "missing-senderId": (_good(omit=("sender/senderId",)), XML, "SCE001",
                         "requestInfo/sender/senderId is missing"),
    "blank-messageId": (_good(message_id="  "), XML, "SCE001", "requestInfo/messageId is missing"),
    "bad-messageDate": (_good(message_date="yesterday"), XML, "SCE001", "messageDate 'yesterday'"),
    "no-requestInfo": (_bare(f'<t:SendMessage xmlns:t="{SYNC}"><request/></t:SendMessage>'), XML,
                       "SCE001", "request/requestInfo is missing"),
    "no-request": (_bare(f'<t:SendMessage xmlns:t="{SYNC}"/>'), XML, "SCE001", "request/requestInfo is missing"),
    # schema (strict mode)
    "qualified-request": (envelope("jaxws").replace(b'<request xmlns="">', b"<ns2:request>")
                          .replace(b"</request>", b"</ns2:request>"), XML, "SCE001", "request"),
    "wrong-order": (_bare(f'<t:SendMessage xmlns:t="{SYNC}"><request><requestInfo>'
                          f"<serviceId>SIM_ECHO</serviceId><messageId>{new_id()}</messageId>"
                          "<messageDate>2024-02-05T10:15:00Z</messageDate><sender><senderId>"
                          f"{TEST_CLIENT[0]}</senderId><password>{TEST_CLIENT[1]}</password></sender>"
                          "</requestInfo><requestData/></request></t:SendMessage>"), XML, "SCE001", "line"),
    "unknown-element": (envelope("jaxws").replace(b"</requestInfo>", b"<extra>1</extra></requestInfo>"),
                        XML, "SCE001", "extra"),
    "not-data-in-requestData": (envelope("jaxws", data="<payload/>"), XML, "SCE001", "'payload' instead of 'data'"),
    # XML and envelope
    "malformed": (envelope("jaxws")[:-40], XML, "SCE001", "malformed XML"),
    "empty-body": (b"", XML, "SCE001", "empty"),
    "json": (b'{"SendMessage": {}}', {"Content-Type": "application/xml"}, "SCE001", "malformed XML"),
    "not-an-envelope": (f'<t:SendMessage xmlns:t="{SYNC}"/>'.encode(), XML, "SCE001", "expected a SOAP 1.1 Envelope"),
    "no-body": (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header/></soap:Envelope>'.encode(), XML,
                "SCE001", "no soap:Body"),
    "empty-soap-body": (_bare("  <!-- nothing -->  "), XML, "SCE001", "soap:Body is empty"),
    "two-bodies": (_bare("<x/></soap:Body><soap:Body><y/>"), XML, "SCE001", "unexpected element"),
    "text-plain": (_good(), {"Content-Type": "text/plain"}, "SCE001", "text/plain"),
    "wrong-operation": (_bare(f'<t:GetMessages xmlns:t="{SYNC}"/>'), XML, "SCE013", "GetMessages"),
    "async-operation": (_bare('<a:sendMessage xmlns:a="http://bip.bee.kz/AsyncChannel/v10/Types"/>'), XML,
                        "SCE013", "sendMessage"),
    "wrong-namespace": (_bare('<t:SendMessage xmlns:t="http://bip.bee.kz/SyncChannel/v10/types"/>'), XML,
                        "SCE013", "v10/types"),
    # SOAP version
    "soap12-content-type": (_good(), {"Content-Type": 'application/soap+xml; charset=utf-8; action="SendMessage"'},
                            "SCE003", "SOAP 1.2"),
    "soap12-envelope": (_bare(f'<t:SendMessage xmlns:t="{SYNC}"/>', ns=SOAP12), XML, "SCE003", "SOAP 1.2"),
    # XML security policy
    "doctype": (b'<?xml version="1.0"?><!DOCTYPE soap:Envelope []>' + envelope("cxf"), XML, "SCE002", "DOCTYPE"),
    "billion-laughs": (f'<?xml version="1.0"?>{LOL}'.encode()
                       + _bare(f'<t:SendMessage xmlns:t="{SYNC}">&lol9;</t:SendMessage>'), XML, "SCE002", ""),
    "external-entity": (b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        + _bare("&x;"), XML, "SCE002", ""),
    "too-deep": (envelope("jaxws", data=_nested(200)), XML, "SCE002", "nesting deeper than 128"),
    "too-deep-for-libxml2": (envelope("jaxws", data=_nested(5000)), XML, "SCE002", "nesting deeper than"),
}

FAULTCODES = {"SCE001": "soap:Client", "SCE002": "soap:Client", "SCE003": "soap:VersionMismatch",
              "SCE004": "soap:Client", "SCE008": "soap:Client", "SCE013": "soap:Client"}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_request_gets_its_fault_and_the_server_keeps_serving(gw, case):
    body, headers, code, data = CASES[case]
    r = gw.http.post(gw.endpoint, content=body, headers=headers)
    reply = Reply(r.status_code, r.content, r.headers)
    error = assert_fault(reply, code, data_contains=data, faultcode=FAULTCODES[code])
    assert error["errorMessage"] == KINDS[code].message
    assert b"root:" not in reply.content  # nothing of /etc/passwd, ever
    entry = gw.journal.list(limit=1)[0]
    assert (entry.error_code, entry.http_status) == (code, 500)
    assert gw.journal.get(entry.id).request_body == journaled(body)
    gw.assert_serving()


CONFIG = """
[gateway]
max_bytes = 8192

[[participants]]
sender_id = "INTEGRATOR_A"
password = "a-secret"

[[services]]
service_id = "SIM_ECHO_RESTRICTED"
provider = "builtin:echo"
allowed_senders = ["INTEGRATOR_A"]

[[services]]
service_id = "SIM_ECHO_REGIONAL"
provider = "builtin:echo"
route_required = true

[[routes]]
route_id = "R_Pavlodar"
provider = "builtin:echo"
region = "Павлодарская область"
"""


@pytest.fixture(scope="module")
def configured(tmp_path_factory, gw_pki):
    with live_gateway(tmp_path_factory.mktemp("faults-home"), gw_pki, config=CONFIG) as live:
        yield live


def test_service_restricted_to_some_senders(configured):
    refused = configured.send(info=request_info(service_id="SIM_ECHO_RESTRICTED"))
    assert_fault(refused, "SCE009", data_contains="may not call serviceId 'SIM_ECHO_RESTRICTED'",
                 faultcode="soap:Client")
    allowed = configured.send(info=request_info(service_id="SIM_ECHO_RESTRICTED",
                                                sender=("INTEGRATOR_A", "a-secret")))
    assert allowed.status == 200
    configured.assert_serving()


def test_routes(configured):
    unknown = configured.send(info=request_info(route_id="R_Atlantis"))
    assert_fault(unknown, "SCE010", data_contains="routeId 'R_Atlantis' is not registered")
    missing = configured.send(info=request_info(service_id="SIM_ECHO_REGIONAL"))
    assert_fault(missing, "SCE010", data_contains="'SIM_ECHO_REGIONAL' needs a routeId")
    message_id = new_id()
    routed = configured.send(info=request_info(message_id=message_id, service_id="SIM_ECHO_REGIONAL",
                                               route_id="R_Pavlodar"))
    assert routed.status == 200
    (entry,) = configured.journal.list(JournalFilter(message_id=message_id))
    assert entry.route_id == "R_Pavlodar"
    configured.assert_serving()


def test_oversize_body_with_content_length(configured):
    body = envelope("jaxws", data="<data>" + "x" * 9000 + "</data>")
    r = configured.http.post(configured.endpoint, content=body, headers=XML)
    assert_fault(Reply(r.status_code, r.content, r.headers), "SCE002", data_contains="limit of 8192")
    configured.assert_serving()


def test_oversize_body_chunked(configured):
    """No Content-Length: the limit is enforced while reading, not after buffering it all."""
    def chunks():
        yield envelope("jaxws")[:200]
        for _ in range(50):
            yield b"x" * 1024

    r = configured.http.post(configured.endpoint, content=chunks(), headers=XML)
    assert_fault(Reply(r.status_code, r.content, r.headers), "SCE002", data_contains="limit of 8192")
    configured.assert_serving()


def test_config_limits_do_not_refuse_normal_traffic(configured):
    assert configured.send("php", data=plain_data()).status == 200
