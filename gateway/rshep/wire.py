"""What РШЭП itself does to its payloads on the wire: the АРМ signs a ServiceResult (K13).

The documents are written and read by the contract's codecs, shared with the channels:
egov_sim.wsdl.service_request (the ServiceRequest the АРМ receives) and egov_sim.wsdl.rshep_replies
(the Acknowledgement, StatusNotification and ServiceResult it sends back).
"""

from __future__ import annotations

from lxml import etree

from egov_sim.signing.enveloped import sign_enveloped


def sign_result(data: etree._Element, key, certificate) -> bytes:
    """``data`` signed as a standalone document (K13, NCALayer enveloped layout): the bytes the
    АРМ keeps and sends; the receiver verifies ``signing.verify.reroot(data)``."""
    return sign_enveloped(etree.ElementTree(data), key, certificate)
