"""The hardened parser every entry point shares: what it refuses, and what it keeps."""

from __future__ import annotations

import pytest

from egov_sim.core.safe_xml import UnsafeXmlError, XmlLimits, parse

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""
EXTERNAL_DTD = b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"])
def test_doctype_is_refused(doc):
    with pytest.raises(UnsafeXmlError) as err:
        parse(doc)
    assert err.value.code == "XML_DOCTYPE"
    assert "passwd" not in str(err.value)


def test_oversize_is_refused_before_parsing():
    with pytest.raises(UnsafeXmlError) as err:
        parse(b"<a>" + b"x" * 200 + b"</a>", XmlLimits(max_bytes=100))
    assert err.value.code == "XML_TOO_LARGE" and "100" in str(err.value)


@pytest.mark.parametrize("depth,limit,ok", [(10, 10, True), (11, 10, False), (300, 256, False)])
def test_nesting_depth(depth, limit, ok):
    doc = b"<a>" * depth + b"</a>" * depth
    if ok:
        assert parse(doc, XmlLimits(max_depth=limit)).getroot().tag == "a"
    else:
        with pytest.raises(UnsafeXmlError) as err:
            parse(doc, XmlLimits(max_depth=limit))
        assert err.value.code == "XML_TOO_DEEP"


@pytest.mark.parametrize("doc", [b"", b"   ", b"<a>", b"<a></b>", b"not xml"])
def test_malformed(doc):
    with pytest.raises(UnsafeXmlError) as err:
        parse(doc)
    assert err.value.code == "XML_MALFORMED"


def test_comments_and_processing_instructions_are_kept():
    doc = b"<r><!-- note --><?pi data?><x>1</x></r>"
    root = parse(doc).getroot()
    assert [type(c).__name__ for c in root] == ["_Comment", "_ProcessingInstruction", "_Element"]
