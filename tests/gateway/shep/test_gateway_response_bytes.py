"""The unsigned SendMessageResponse written from a template is byte for byte what lxml writes
for the same tree (gateway/soap.py ``send_message_response``; the tree is
``sync_channel.response_envelope``, which signed responses still use)."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from egov_sim.gateway import soap
from egov_sim.gateway.sync_channel import response_envelope

FIELDS = dict(message_id="7f8c4b6e-8a2d-4f7a-9a61-2b7f0c3d1e55",
              correlation_id="c0ffee00-0000-4000-8000-000000000001",
              response_date="2024-02-05T10:15:00.000+05:00", code="SCSS001",
              message="Message has been processed successfully",
              session_id="{8e0f4b0a-1c2d-4e3f-9a8b-7c6d5e4f3a2b}")

DATA = [
    None,
    b'<data xmlns:cs="http://message.persistence.interactive.nat" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="cs:Request">'
    b"<iin>880314312347</iin><surname>\xd0\xa2\xd0\x95\xd0\xa1\xd0\xa2</surname></data>",
    b'<data><!-- a comment --><?pi x?><a>1 &amp; 2 &lt; 3</a><b xmlns="urn:d">t</b></data>',
    b'<data xmlns=""><x/></data>',
    b'<data xmlns:ns2="urn:other"><ns2:a/></data>',
]


def _tree_bytes(data, **fields) -> bytes:
    return soap.serialize(response_envelope(**fields, data=data))


@pytest.mark.parametrize("raw", DATA)
def test_template_writes_the_bytes_of_the_tree(raw):
    data = None if raw is None else etree.fromstring(raw)
    expected = _tree_bytes(copy.deepcopy(data) if data is not None else None, **FIELDS)
    assert soap.send_message_response(**FIELDS, data=data) == expected


def test_texts_are_escaped_as_lxml_escapes_them():
    fields = dict(FIELDS, message="a & b <c> d\r\n\"q\" 'x' ]]> Ж 𝄞", code="")
    assert soap.send_message_response(**fields, data=None) == _tree_bytes(None, **fields)


def test_a_text_xml_cannot_carry_is_refused_as_lxml_refuses_it():
    fields = dict(FIELDS, message="bell \x07")
    with pytest.raises(ValueError):
        _tree_bytes(None, **fields)
    with pytest.raises(ValueError):
        soap.send_message_response(**fields, data=None)


@pytest.mark.parametrize("raw", [
    b'<data xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:x/></data>',
    b'<data><y xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:x/></y></data>',
    b'<data xmlns="http://bip.bee.kz/SyncChannel/v10/Types"/>',
])
def test_data_declaring_the_envelopes_namespaces_is_left_to_the_tree(raw):
    """lxml drops such declarations when the element moves into the envelope; the template
    declines (None) and the gateway serializes the tree instead."""
    assert soap.send_message_response(**FIELDS, data=etree.fromstring(raw)) is None


def test_data_inside_a_larger_tree_is_left_to_the_tree():
    outer = etree.fromstring(b'<r xmlns:cs="urn:cs"><data><cs:a/></data></r>')
    assert soap.send_message_response(**FIELDS, data=outer[0]) is None
