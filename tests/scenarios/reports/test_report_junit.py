"""The JUnit XML parses, keeps to the schema CI servers read, and names testcases by regulation,
channel and path."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from egov_sim.scenarios.reports.junit import junit_xml, write_junit, xml_text

# The subset of the Ant JUnit schema and Jenkins xUnit's junit-10.xsd that CI servers agree on,
# restated here (strict where the two differ): attributes the stricter one requires are
# required, and only attributes both allow are allowed.
COMMON_JUNIT_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="seconds">
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]+(\\.[0-9]+)?"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="count"><xs:restriction base="xs:nonNegativeInteger"/></xs:simpleType>
  <xs:simpleType name="isoNoZone">
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="problem">
    <xs:simpleContent>
      <xs:extension base="xs:string">
        <xs:attribute name="message" type="xs:string" use="required"/>
        <xs:attribute name="type" type="xs:string" use="required"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="testsuite" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="properties" minOccurs="0">
                <xs:complexType>
                  <xs:sequence>
                    <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
                      <xs:complexType>
                        <xs:attribute name="name" type="xs:string" use="required"/>
                        <xs:attribute name="value" type="xs:string" use="required"/>
                      </xs:complexType>
                    </xs:element>
                  </xs:sequence>
                </xs:complexType>
              </xs:element>
              <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded">
                <xs:complexType>
                  <xs:sequence>
                    <xs:choice minOccurs="0">
                      <xs:element name="failure" type="problem"/>
                      <xs:element name="error" type="problem"/>
                    </xs:choice>
                    <xs:element name="system-out" type="xs:string" minOccurs="0"/>
                  </xs:sequence>
                  <xs:attribute name="name" type="xs:string" use="required"/>
                  <xs:attribute name="classname" type="xs:string" use="required"/>
                  <xs:attribute name="time" type="seconds" use="required"/>
                </xs:complexType>
              </xs:element>
              <xs:element name="system-out" type="xs:string"/>
              <xs:element name="system-err" type="xs:string"/>
            </xs:sequence>
            <xs:attribute name="name" type="xs:string" use="required"/>
            <xs:attribute name="tests" type="count" use="required"/>
            <xs:attribute name="failures" type="count" use="required"/>
            <xs:attribute name="errors" type="count" use="required"/>
            <xs:attribute name="skipped" type="count"/>
            <xs:attribute name="time" type="seconds" use="required"/>
            <xs:attribute name="timestamp" type="isoNoZone" use="required"/>
            <xs:attribute name="hostname" type="xs:string" use="required"/>
            <xs:attribute name="id" type="xs:string" use="required"/>
            <xs:attribute name="package" type="xs:string" use="required"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="count" use="required"/>
      <xs:attribute name="failures" type="count" use="required"/>
      <xs:attribute name="errors" type="count" use="required"/>
      <xs:attribute name="time" type="seconds" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(COMMON_JUNIT_XSD))


def _doc(run, **kwargs) -> etree._Element:
    return etree.fromstring(junit_xml(run, hostname="ci-runner", **kwargs))


def test_valid_against_the_common_junit_schema(run):
    doc = etree.fromstring(junit_xml(run))
    schema = _schema()
    assert schema.validate(doc), schema.error_log


def test_counts_on_testsuites_and_each_testsuite(run):
    doc = _doc(run)
    assert doc.tag == "testsuites"
    assert (doc.get("tests"), doc.get("failures"), doc.get("errors")) == ("4", "2", "0")
    assert float(doc.get("time")) == pytest.approx(run.wall_seconds)
    suites = {s.get("name"): s for s in doc.findall("testsuite")}
    assert list(suites) == ["002-portal", "000-provider_office"]
    assert (suites["002-portal"].get("tests"), suites["002-portal"].get("failures")) == ("2", "1")
    assert suites["002-portal"].get("package") == "002"
    for suite in suites.values():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert suite.get("timestamp") == "2024-05-20T07:15:03"
        assert suite.get("hostname") == "ci-runner"
    props = {p.get("name"): p.get("value") for p in suites["002-portal"].iter("property")}
    assert props["seed"] == "20240205" and props["flow.title"] == run.scenarios[0].flow.title


def test_one_testcase_per_scenario_named_by_regulation_channel_and_path(run):
    cases = _doc(run).findall(".//testcase")
    assert [c.get("name") for c in cases] == [s.name for s in run.scenarios]
    assert cases[0].get("name") == (
        "002/portal/happy-path: X1 > P1 > C1:yes > P3 > C2:yes > P5 > A1 > A2 > C3:yes > A3 > A4 > A5 > P7")
    assert [c.get("classname") for c in cases] == ["002.portal", "002.portal",
                                                   "000.provider_office", "000.provider_office"]
    assert cases[0].get("time") == "1.840"


def test_failure_carries_the_diff_and_passing_cases_have_none(run):
    cases = {c.get("name"): c for c in _doc(run).findall(".//testcase")}
    happy, revoked, _, late = (cases[s.name] for s in run.scenarios)
    assert happy.find("failure") is None and happy.find("error") is None
    failure = revoked.find("failure")
    assert failure.get("type") == "Divergence"
    assert failure.get("message").startswith("C2: the EDS check answered yes")
    assert failure.text == run.scenarios[1].failure
    assert "-C2:no > P4" in failure.text and "+C2:yes > P5" in failure.text
    assert late.find("failure").get("message").startswith("deadline missed")


def test_system_out_is_the_timeline(run):
    out = _doc(run).findall(".//testcase")[0].find("system-out").text
    assert "Deadline: met: finished 2024-02-15 Thu 10:44 ≤ due 2024-02-16 Fri 10:43 (9 wd 30 min)" in out
    assert "  A3 " in out and "due 2024-02-14 Wed 10:43" in out
    assert "#101" in out and "serviceId=EGOV_SIM_RSHEP" in out and "signature=valid" in out
    assert "Опекун получает пособие" in out


def test_errored_step_gives_an_error_element(run):
    broken = run.scenarios[1]
    steps = tuple(dataclasses.replace(s, status="error") if s.node_id == "C2" else s for s in broken.steps)
    run = dataclasses.replace(run, scenarios=(dataclasses.replace(broken, steps=steps),))
    doc = _doc(run)
    case = doc.find(".//testcase")
    assert case.find("failure") is None
    assert case.find("error").get("type") == "StepError"
    assert (doc.get("failures"), doc.get("errors")) == ("0", "1")
    assert _schema().validate(doc), _schema().error_log


def test_run_errors_become_error_testcases(run):
    run = dataclasses.replace(run, errors=("scenarios/002/bad.yaml:3: unknown node C9\nmore detail",))
    doc = _doc(run)
    suite = doc.findall("testsuite")[-1]
    assert suite.get("name") == "run" and suite.get("errors") == "1"
    case = suite.find("testcase")
    assert case.get("name") == "run error 1: scenarios/002/bad.yaml:3: unknown node C9"
    assert case.find("error").text.endswith("more detail")
    assert (doc.get("tests"), doc.get("errors")) == ("5", "1")
    assert _schema().validate(doc), _schema().error_log


def test_control_characters_do_not_break_the_document(run):
    bad = dataclasses.replace(run.scenarios[1], failure="\x1b[31m-C2:no\x1b[0m\x00")
    doc = _doc(dataclasses.replace(run, scenarios=(bad,)))
    assert doc.find(".//failure").text == "\\x1b[31m-C2:no\\x1b[0m\\x00"
    assert xml_text("ok\tline\n") == "ok\tline\n"


def test_write_junit_and_parse_with_junitparser(run, tmp_path):
    junitparser = pytest.importorskip("junitparser")
    path = write_junit(run, tmp_path / "junit.xml")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["002-portal", "000-provider_office"]
    cases = [c for s in suites for c in s]
    assert [c.name for c in cases] == [s.name for s in run.scenarios]
    assert [c.is_passed for c in cases] == [s.passed for s in run.scenarios]
    assert sum(s.failures for s in suites) == 2 and sum(s.tests for s in suites) == 4
    assert cases[1].result[0].message.startswith("C2:")
