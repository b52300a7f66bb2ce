"""Every XML example in docs/contracts.md validates, so the documentation cannot drift."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from egov_sim.wsdl import schemas
from tests.support import ROOT
from tests.support.contracts import SOAP11_ENV, body_child

DOC = ROOT / "docs" / "contracts.md"
_EXAMPLE = re.compile(r"<!-- example: (?P<attrs>[^>]*?) -->\s*```xml\n(?P<xml>.*?)```", re.S)


def _examples() -> list[tuple[dict[str, str], str]]:
    text = DOC.read_text(encoding="utf-8")
    found = []
    for m in _EXAMPLE.finditer(text):
        attrs = dict(pair.split("=", 1) for pair in m["attrs"].split())
        found.append((attrs, m["xml"]))
    return found


EXAMPLES = _examples()


def test_docs_have_examples_for_every_style_and_payload():
    assert len(EXAMPLES) >= 15
    payloads = {a.get("payload") for a, _ in EXAMPLES}
    assert {"gbdfl-request", "gbdfl-response", "enis-request", "enis-response",
            "rshep-request", "rshep-notification", "rshep-response"} <= payloads
    text = DOC.read_text(encoding="utf-8")
    assert 'xsi:type="xs:string"' in text and '<request xmlns="">' in text and 'xmlns="">' in text
    for name in schemas.PAYLOADS:
        assert f"`{name}`" in text


@pytest.mark.parametrize("attrs, xml", EXAMPLES,
                         ids=[f"{i}-{a.get('validate', '')}-{a.get('payload', '')}"
                              for i, (a, _) in enumerate(EXAMPLES)])
def test_docs_example_validates(attrs, xml):
    root = etree.fromstring(xml.encode("utf-8"))
    target = body_child(root) if root.tag == f"{{{SOAP11_ENV}}}Envelope" else root
    if "validate" in attrs:
        validator = {"sync": schemas.sync_validator, "async": schemas.async_validator}[attrs["validate"]]()
        assert validator.validate(target), validator.error_log
        assert schemas.data_name_errors(target) == []
    if "payload" in attrs:
        data = target if target.tag == "data" else target.find(".//data")
        payload = schemas.payload_root(data)
        validator = schemas.payload_validator(attrs["payload"])
        assert validator.validate(payload), validator.error_log
