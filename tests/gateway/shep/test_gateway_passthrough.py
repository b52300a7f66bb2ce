"""``data`` is not the gateway's to change: signed payloads still verify after the round trip,
comments, processing instructions and character references survive.
"""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from tests.support.shep import CS, IIN, XSI, envelope, journaled, new_id, request_info

ENIS = "urn:egov-sim:synthetic:enis:poa:v1"


def reroot(el: etree._Element) -> etree._ElementTree:
    """The payload element as its own document (signatures.md §3, "Business data inside SHEP data").

    Keeps the namespace declarations written on the element itself and drops those it only
    inherits from the envelope, so inclusive c14n sees what the signer saw.
    """
    parent = el.getparent()
    inherited = parent.nsmap if parent is not None else {}
    own = {p: u for p, u in el.nsmap.items() if inherited.get(p) != u}
    root = etree.Element(el.tag, attrib=dict(el.attrib), nsmap=own)
    root.text = el.text
    for child in el:
        root.append(copy.deepcopy(child))
    return etree.ElementTree(root)


def _strip_declaration(signed: bytes) -> str:
    text = signed.decode("utf-8")
    return text[text.index("?>") + 2:].lstrip() if text.startswith("<?xml") else text


@pytest.fixture(scope="module")
def verifier(gw_pki) -> Verifier:
    return Verifier(TrustStore.from_pem(gw_pki.trust_pem()))


def _poa_request() -> bytes:
    return (f'<enis:PoaRequest xmlns:enis="{ENIS}" xmlns:xsi="{XSI}">'
            f"<!-- заявка: доверенность --><messageId>{new_id()}</messageId>"
            "<messageDate>2024-02-05T10:15:02+06:00</messageDate><senderCode>EGOV_SIM_IIS_CON</senderCode>"
            f"<?egov-sim keep-me?><principalIin>{IIN}</principalIin><note>a&amp;b &#13; c</note>"
            "</enis:PoaRequest>").encode()


@pytest.mark.parametrize("style", ["jaxws", "php", "go"])
def test_signed_payload_child_of_data_verifies_after_round_trip(gw, client_cert, verifier, style):
    signed = sign_enveloped(_poa_request(), client_cert.private_key, client_cert.certificate,
                            comments="keep")
    assert verifier.verify(signed, layout="enveloped").valid  # sanity: valid before sending
    reply = gw.send(style, data=f"<data>{_strip_declaration(signed)}</data>")
    assert reply.status == 200, reply.content[:600]
    payload = reply.data.find(f"{{{ENIS}}}PoaRequest")
    result = verifier.verify(reroot(payload), layout="enveloped")
    assert result.valid, result.to_json()
    assert result.signer.iin == IIN
    # what the provider saw is what the client signed: comments and PIs included
    original = etree.fromstring(signed)
    assert etree.tostring(reroot(payload), method="c14n", with_comments=True) == \
        etree.tostring(original, method="c14n", with_comments=True)


def test_signed_data_element_itself_verifies_after_round_trip(gw, client_cert, verifier):
    """ГБД ФЛ style: the signed document's root is ``data`` itself, typed ``cs:Request``."""
    document = (f'<data xmlns:cs="{CS}" xmlns:xsi="{XSI}" xsi:type="cs:Request">'
                f"<messageId>{new_id()}</messageId><iin>{IIN}</iin></data>").encode()
    signed = sign_enveloped(document, client_cert.private_key, client_cert.certificate)
    reply = gw.send("php", data=_strip_declaration(signed))
    assert reply.status == 200, reply.content[:600]
    result = verifier.verify(reroot(reply.data), layout="enveloped")
    assert result.valid, result.to_json()


def test_tampered_payload_is_passed_on_and_fails_verification(gw, client_cert, verifier):
    """The gateway does not check business-data signatures; the receiver does, and sees the change."""
    signed = _strip_declaration(sign_enveloped(_poa_request(), client_cert.private_key,
                                               client_cert.certificate))
    reply = gw.send("jaxws", data=f"<data>{signed.replace(IIN, '000000000000')}</data>")
    assert reply.status == 200
    result = verifier.verify(reroot(reply.data.find(f"{{{ENIS}}}PoaRequest")), layout="enveloped")
    assert not result.valid and "DIGEST_MISMATCH" in result.codes


def test_comments_pis_and_character_references_survive(gw):
    data = ('<data xmlns:x="urn:x"><!-- top --><?pi-a one two?>\n  <x:item a="1" b="&quot;&lt;">'
            "text&#13;with CR<!-- inner --><![CDATA[<not-markup/>]]></x:item>\n  <?pi-b?>tail</data>")
    body = envelope("go", data=data)
    reply = gw.post(body, style="go")
    assert reply.status == 200
    sent = etree.fromstring(body).find(".//requestData/data")
    c14n = lambda el: etree.tostring(el, method="c14n", exclusive=True, with_comments=True)  # noqa: E731
    assert c14n(reply.data) == c14n(sent)
    assert b"<!-- inner -->" in reply.content and b"<?pi-a one two?>" in reply.content
    assert b"&#13;" in reply.content  # a literal CR is not normalised away


def test_empty_and_absent_data(gw):
    empty = gw.send("jaxws", data="<data/>")
    assert empty.status == 200 and empty.data is not None and len(empty.data) == 0
    absent = gw.send("jaxws", data="")  # requestData without data (minOccurs 0)
    assert absent.status == 200 and absent.data is None


def test_journal_keeps_request_bytes_exactly(gw):
    message_id = new_id()
    body = envelope("php", info=request_info(message_id=message_id),
                    data="<data>  <!--c-->\r\n<?x y?>ü</data>")
    reply = gw.post(body, style="php")
    assert reply.status == 200
    from egov_sim.gateway.journal import JournalFilter

    (entry,) = gw.journal.list(JournalFilter(message_id=message_id))
    stored = gw.journal.get(entry.id)
    assert stored.request_body == journaled(body)  # all but the password, byte for byte
    assert stored.response_body == reply.content
