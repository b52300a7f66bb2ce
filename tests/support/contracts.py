"""Helpers for the contract tests: an offline zeep transport and envelope builders.

A uniquely named module (not conftest) so that test files can import it without clashing with
other test directories' conftest modules.
"""

from __future__ import annotations

from lxml import etree
from zeep.transports import Transport

from egov_sim.wsdl import schemas

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class OfflineTransport(Transport):
    """zeep transport that reads local files and fails on any URL, so tests prove offline loading."""

    def _load_remote_data(self, url):
        raise AssertionError(f"zeep tried to fetch {url} while loading the contract")


def body_child(envelope: etree._Element) -> etree._Element:
    """First element of soap:Body, or of Fault/detail for a fault."""
    body = envelope.find(f"{{{SOAP11_ENV}}}Body")
    child = next(c for c in body if isinstance(c.tag, str))
    if child.tag == f"{{{SOAP11_ENV}}}Fault":
        return next(c for c in child.find("detail") if isinstance(c.tag, str))
    return child


REQUEST_INFO = """
        <requestInfo>
          <messageId>6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f60</messageId>
          <serviceId>GBDFL_UniversalServiceSync</serviceId>
          <messageDate>2024-02-05T10:15:00.000+06:00</messageDate>
          <sender><senderId>EGOV_SIM_IIS_CON</senderId></sender>
        </requestInfo>"""

GBDFL_FIELDS = """
            <messageId>m-1</messageId>
            <messageDate>2024-02-05T10:15:00Z</messageDate>
            <senderCode>EGOV_SIM_IIS_CON</senderCode>
            <iin>000000000000</iin>"""


def send_message(data: str = "<data/>", request_info: str = REQUEST_INFO, *,
                 wrapper_prefix: str = "t") -> etree._Element:
    """A SendMessage element around the given requestInfo and data markup."""
    xml = f"""<{wrapper_prefix}:SendMessage xmlns:{wrapper_prefix}="{schemas.SYNC_TYPES_NS}"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <request>{request_info}
        <requestData>{data}</requestData>
      </request>
    </{wrapper_prefix}:SendMessage>"""
    return etree.fromstring(xml.encode())


def send_message_response(session_id: str | None = "{f0774397-1a2b-4c3d-9e8f-0123456789ab}",
                          data: str = "<data/>") -> etree._Element:
    session = f"<sessionId>{session_id}</sessionId>" if session_id is not None else ""
    xml = f"""<t:SendMessageResponse xmlns:t="{schemas.SYNC_TYPES_NS}">
      <response>
        <responseInfo>
          <messageId>r-1</messageId>
          <correlationId>6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f60</correlationId>
          <responseDate>2024-02-05T10:15:00.412+06:00</responseDate>
          <status><code>SCSS001</code><message>Message has been processed successfully</message></status>
          {session}
        </responseInfo>
        <responseData>{data}</responseData>
      </response>
    </t:SendMessageResponse>"""
    return etree.fromstring(xml.encode())
