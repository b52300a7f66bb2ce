"""Matching and answering without a server: conditions, XML equality, templates, near misses,
and the checks that stop a broken stub file with its line number."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
from lxml import etree

from egov_sim.core.clock import fixed_clock
from egov_sim.gateway.config import ConfigError, parse_config
from egov_sim.gateway.request_info import RequestInfo
from egov_sim.gateway.stubs.matching import RequestView
from egov_sim.gateway.stubs.provider import StubRegistry
from egov_sim.gateway.stubs.stub_files import StubFileError, StubSource
from egov_sim.reference.iin import is_valid_iin

from .conftest import write_files

MONDAY = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)


def _info(**kw) -> RequestInfo:
    values = dict(message_id="m-1", service_id="SVC", message_date="2026-02-02T09:00:00+05:00",
                  sender_id="EGOV_SIM_TEST_CLIENT")
    values.update(kw)
    return RequestInfo(**values)


def _registry(tmp_path, yaml_text: str, **files) -> StubRegistry:
    folder = write_files(tmp_path / "set", {"stubs.yaml": yaml_text, **files})
    return StubRegistry([StubSource("SVC", directory=folder)], clock=fixed_clock(MONDAY),
                        reload_seconds=0)


def _answer(registry: StubRegistry, data: str | None, **info):
    element = etree.fromstring(data) if data is not None else None
    view = RequestView(_info(**info), element, "{session}")
    return asyncio.run(registry.provider("SVC").answer(view))


EQUALITY = """\
stubs:
  - name: person
    match:
      equal_to: |
        <p:person xmlns:p="urn:p">
          <p:messageId>any</p:messageId>
          <p:iin>880314312347</p:iin>
          <p:name kind="first">АЙГУЛЬ</p:name>
          <p:noise>1</p:noise>
        </p:person>
      ignore: [messageId, "//*[local-name()='noise']"]
    answer: {data: <ok/>}
"""


def test_equal_to_ignores_whitespace_prefixes_and_chosen_elements(tmp_path):
    registry = _registry(tmp_path, EQUALITY)
    same = ('<data><x:person xmlns:x="urn:p"><x:messageId>other</x:messageId><x:iin>880314312347</x:iin>'
            '<x:name kind="first"> АЙГУЛЬ </x:name><x:noise>2</x:noise></x:person></data>')
    assert _answer(registry, same).stub.name == "person"
    other = same.replace("АЙГУЛЬ", "ДАНА")
    outcome = _answer(registry, other)
    assert outcome.fault.code == "STUB_NO_MATCH"
    assert "data differs from the expected document at /data/person/name: text 'ДАНА' instead of 'АЙГУЛЬ'" \
        in outcome.fault.data
    missing = same.replace('<x:name kind="first"> АЙГУЛЬ </x:name>', "")
    assert "element name is missing" in _answer(registry, missing).fault.data
    attribute = same.replace('kind="first"', 'kind="last"')
    assert "attributes {'kind': 'last'}" in _answer(registry, attribute).fault.data


REQUEST_INFO = """\
stubs:
  - name: strict
    priority: 1
    match:
      sender_id: [EGOV_SIM_TEST_CLIENT, MY_IS]
      route_id: {absent: true}
      properties:
        CONNECTOR_CLIENT: "true"
        channel: {matches: "web|mobile"}
      matches: "<iin>\\\\d{12}</iin>"
    answer: {data: <strict/>}
  - name: routed
    priority: 2
    match:
      route_id: {matches: "R_.*"}
    answer: {status: SCSS002, message: "routed via {{ request.route_id }}"}
"""


def test_request_info_properties_and_regex_conditions(tmp_path):
    registry = _registry(tmp_path, REQUEST_INFO)
    data = "<data><iin>880314312347</iin></data>"
    props = (("CONNECTOR_CLIENT", "true"), ("channel", "web"))
    assert _answer(registry, data, properties=props).stub.name == "strict"
    assert _answer(registry, data, properties=props, sender_id="MY_IS").stub.name == "strict"
    routed = _answer(registry, data, properties=props, route_id="R_Pavlodar")
    assert (routed.stub.name, routed.reply.code, routed.reply.message) == \
        ("routed", "SCSS002", "routed via R_Pavlodar")
    miss = _answer(registry, data, properties=(("channel", "fax"),))
    assert "property CONNECTOR_CLIENT is absent, expected 'true'" in miss.fault.data
    assert "property channel is 'fax', expected to match /web|mobile/" in miss.fault.data
    miss = _answer(registry, "<data><iin>12</iin></data>", properties=props, sender_id="OTHER")
    assert "senderId is 'OTHER', expected one of 'EGOV_SIM_TEST_CLIENT', 'MY_IS'" in miss.fault.data
    assert "data does not contain a match for" in miss.fault.data


TEMPLATES = """\
namespaces: {p: "urn:p"}
stubs:
  - name: echo
    match: {xpath: ["//p:iin"]}
    answer:
      data: |
        <r xmlns:p="urn:p">
          <p:iin>{{ xpath('//p:iin') }}</p:iin>
          <all>{{ xpath_all('//p:code') | join(',') }}</all>
          <message>{{ request.message_id }} {{ request.sender_id }} {{ request.session_id }}</message>
          <at>{{ now() }}</at><yesterday>{{ today(days=-1) }}</yesterday>
          <guid>{{ guid(braces=true) }}</guid>
          <born>{{ random_iin(birth_date='1990-05-17', sex='F') }}</born>
          <n>{{ counter() }}</n>
        </r>
  - name: escaped
    match: {xpath: ["//q"]}
    answer:
      escaped: true
      data: '<?xml version="1.0"?><response><q>{{ xpath("//q") }}</q></response>'
  - name: literal
    match: {xpath: ["//literal"]}
    answer:
      template: false
      data: "<t>{{ not a template }}</t>"
"""


def test_templates_take_values_from_the_request_and_escape_them(tmp_path):
    registry = _registry(tmp_path, TEMPLATES)
    registry.states = None
    request = '<data><p:q xmlns:p="urn:p"><p:iin>&lt;b&gt;&amp;</p:iin><p:code>1</p:code><p:code>2</p:code></p:q></data>'
    provider = registry.provider("SVC")
    provider._counter = provider._preview_counter  # no database in this test
    view = RequestView(_info(), etree.fromstring(request), "{s}")
    data = asyncio.run(provider.answer(view)).reply.data
    r = data[0]
    assert r.findtext("{urn:p}iin") == "<b>&"  # inserted as text, not markup
    assert r.findtext("all") == "1,2"
    assert r.findtext("message") == "m-1 EGOV_SIM_TEST_CLIENT {s}"
    assert r.findtext("at") == "2026-02-02T09:00:00.000+05:00"
    assert r.findtext("yesterday") == "2026-02-01"
    assert re.fullmatch(r"\{[0-9a-f-]{36}\}", r.findtext("guid"))
    born = r.findtext("born")
    assert is_valid_iin(born) and born.startswith("900517") and born[6] in "46"
    assert r.findtext("n") == "1"

    escaped = asyncio.run(provider.answer(RequestView(_info(), etree.fromstring("<data><q>v</q></data>")))).reply.data
    assert escaped.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "xs:string"
    assert "<q>v</q>" in escaped.text
    literal = asyncio.run(provider.answer(RequestView(_info(), etree.fromstring("<data><literal/></data>"))))
    assert literal.reply.data[0].text == "{{ not a template }}"


def test_an_escaped_request_payload_is_matched_on_the_document_inside(tmp_path):
    registry = _registry(tmp_path, 'match: {xpath: [{path: "string(//n:iin)", equals: "1"}], namespaces: {n: "http://shep.nitec.kz/"}}\nanswer: {data: <ok/>}\n')
    inner = '<?xml version="1.0"?><request xmlns="http://shep.nitec.kz/"><iin>1</iin></request>'
    escaped = inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    data = f'<data xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{escaped}</data>'
    assert _answer(registry, data).stub.name == "stubs"


@pytest.mark.parametrize("text, files, message", [
    ("stubs:\n  - name: a\n    match:\n      xpath:\n        - \"//q:iin\"\n    answer: {data: <x/>}\n", {},
     "set/stubs.yaml:5: stubs[0].match.xpath[0]: bad XPath '//q:iin': Undefined namespace prefix"),
    ("stubs:\n  - name: a\n    answer:\n      data: |\n        <x>\n          <y>{{ xpath('//a') }</y>\n        </x>\n", {},
     "set/stubs.yaml:6: stubs[0].answer.data: template syntax error: unexpected '}'"),
    ("stubs:\n  - name: a\n    answer:\n      data: |\n        <x>\n          <y></z>\n        </x>\n", {},
     "set/stubs.yaml:6: stubs[0].answer.data: malformed XML"),
    ("stubs:\n  - name: a\n    match:\n      sender: X\n    answer: {data: <x/>}\n", {},
     "set/stubs.yaml:4: stubs[0].match.sender: unknown key (allowed: service_id, sender_id"),
    ("stubs:\n  - name: a\n    answer: {data: <x/>}\n  - name: a\n    answer: {data: <y/>}\n", {},
     "set/stubs.yaml:4: stub name 'a' is used already (set/stubs.yaml:2)"),
    ("stubs:\n  - answer: {data_file: missing.xml}\n", {},
     "set/stubs.yaml:2: stubs[0].answer.data_file: cannot read missing.xml: No such file or directory"),
    ("stubs:\n  - answer: {data_file: body.xml}\n", {"body.xml": "<a>\n<b>{{ x }</b></a>"},
     "body.xml:2: template syntax error"),
    ("stubs:\n  - answer: {fault: {code: X1}, data: <x/>}\n", {},
     "set/stubs.yaml:2: stubs[0].answer.data: a fault answer has no data, status or signature"),
    ("stubs:\n  - answer: {delay_ms: {min: 5}}\n", {},
     "set/stubs.yaml:2: stubs[0].answer.delay_ms: give 'min' and 'max' in milliseconds"),
    ("stubs:\n  - match: {xpath: [{path: //a, equals: x, contains: y}]}\n    answer: {}\n", {},
     "stubs[0].match.xpath[0]: give 'path' and exactly one of equals, matches, contains, absent"),
    ("stubs:\n  - answer: {}\n  - answer: {}\n    scenario: {state: A}\n", {},
     "set/stubs.yaml:4: stubs[1].scenario: 'name' is required"),
    ("stubs: [\n", {}, "set/stubs.yaml:2: not valid YAML"),
    ("- a\n- b\n", {}, "set/stubs.yaml:1: a stub file is a mapping"),
])
def test_broken_stub_files_are_reported_with_their_line(tmp_path, text, files, message):
    with pytest.raises(StubFileError) as caught:
        _registry(tmp_path, text, **files)
    assert message in str(caught.value)


def test_inline_stubs_in_the_gateway_config(tmp_path):
    config = parse_config("""
[[services]]
service_id = "INLINE_SVC"
provider = "stubs"

[[services.stubs]]
name = "only"
match = { xpath = ["//iin"] }
answer = { data = "<ok>{{ xpath('//iin') }}</ok>" }
""", source="gateway.toml", root=tmp_path)
    source = config.services["INLINE_SVC"].stubs
    registry = StubRegistry([source], reload_seconds=0)
    view = RequestView(_info(service_id="INLINE_SVC"), etree.fromstring("<data><iin>7</iin></data>"))
    outcome = asyncio.run(registry.provider("INLINE_SVC").answer(view))
    assert outcome.reply.data[0].text == "7"


@pytest.mark.parametrize("tables, message", [
    ('[[services]]\nservice_id = "A"\nprovider = "stubs"\n[[services.stubs]]\nanswer = { status = "A B" }\n',
     "gateway.toml: services[0]: stubs[0].answer.status: must be a code"),
    ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\n[[services.stubs]]\nanswer = {}\n',
     "gateway.toml: services[0]: 'stubs' needs provider"),
    ('[[services]]\nservice_id = "A"\nprovider = "stubs"\n',
     'gateway.toml: services[0]: provider "stubs" needs [[services.stubs]] tables'),
    ('[[services]]\nservice_id = "A"\nprovider = "stubs:nowhere"\n',
     "gateway.toml: services[0]: stub folder"),
    ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\nrecord = "rec"\n',
     "gateway.toml: services[0]: 'record' needs an http(s) provider"),
    ('[gateway]\nstub_reload_seconds = -1\n', "'stub_reload_seconds' must be 0 or more"),
])
def test_config_mistakes_with_stubs(tmp_path, tables, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(tables, source="gateway.toml", root=tmp_path)
    assert message in str(caught.value)


INDEXED = """\
stubs:
  - {name: one, priority: 3, match: {xpath: [{path: "string(//iin)", equals: "1"}]}, answer: {data: <one/>}}
  - {name: two-or-three, priority: 3, match: {xpath: [{path: "string(//iin)", equals: ["2", "3"]}]}, answer: {data: <two/>}}
  - {name: urgent, priority: 1, match: {xpath: ["//urgent"]}, answer: {data: <urgent/>}}
  - {name: also-one, priority: 4, match: {sender_id: OTHER, xpath: [{path: "string(//iin)", equals: "1"}]}, answer: {data: <a/>}}
  - {name: fallback, priority: 9, answer: {data: <fallback/>}}
"""


@pytest.mark.parametrize("data, sender, expected", [
    ("<data><iin>1</iin></data>", "EGOV_SIM_TEST_CLIENT", "one"),
    ("<data><iin>3</iin></data>", "EGOV_SIM_TEST_CLIENT", "two-or-three"),
    ("<data><iin>1</iin><urgent/></data>", "EGOV_SIM_TEST_CLIENT", "urgent"),  # not indexed, priority 1
    ("<data><iin>4</iin></data>", "EGOV_SIM_TEST_CLIENT", "fallback"),
    ("<data/>", "OTHER", "fallback"),
])
def test_stubs_told_apart_by_one_value_keep_their_precedence(tmp_path, data, sender, expected):
    """Many stubs keyed on one XPath value are looked up by it; the others still take part."""
    registry = _registry(tmp_path, INDEXED)
    assert registry.stub_set("SVC")._key is not None
    assert _answer(registry, data, sender_id=sender).stub.name == expected


def test_a_stub_that_cannot_answer_names_itself(tmp_path):
    registry = _registry(tmp_path, """\
stubs:
  - name: bad-date
    match: {xpath: ["//a"]}
    answer: {data: "<x>{{ random_iin(birth_date='soon') }}</x>"}
  - name: bad-xml
    match: {xpath: ["//b"]}
    answer: {data: "<x>{{ '<' if true }}</x>"}
""")
    bad_date = _answer(registry, "<data><a/></data>").fault
    assert bad_date.code == "STUB_ANSWER_ERROR"
    assert "stub 'bad-date' (set/stubs.yaml:2)" in bad_date.data and "ValueError" in bad_date.data
    # autoescape turns the '<' into text, so the XML still parses: the answer is well-formed
    assert _answer(registry, "<data><b/></data>").reply.data[0].text == "<"


def test_reload_sees_body_files_of_inline_stubs_and_outside_the_folder(tmp_path):
    (tmp_path / "bodies").mkdir()
    body = tmp_path / "bodies" / "answer.xml"
    body.write_text("<v>1</v>", encoding="utf-8")
    folder = write_files(tmp_path / "set", {"s.yaml": "answer: {data_file: ../bodies/answer.xml}\n"})
    inline = StubSource("INLINE", inline=({"answer": {"data_file": "bodies/answer.xml"}},),
                        where="gateway.toml: services[0]", root=tmp_path)
    registry = StubRegistry([StubSource("SVC", directory=folder), inline], reload_seconds=0)

    def value(name: str) -> str:
        view = RequestView(_info(service_id=name), None)
        return asyncio.run(registry.provider(name).answer(view)).reply.data.findtext("v")

    assert (value("SVC"), value("INLINE")) == ("1", "1")
    body.write_text("<v>22</v>", encoding="utf-8")
    assert sorted(registry.reload()) == ["INLINE", "SVC"]
    assert (value("SVC"), value("INLINE")) == ("22", "22")
    assert registry.reload() == []  # nothing changed since
