"""JUnit XML: the run as CI servers (Jenkins, GitLab, GitHub Actions reporters) parse it.

The XML keeps to the common subset of the Ant JUnit schema and the Jenkins xUnit
``junit-10.xsd`` that every consumer reads: ``testsuites`` > ``testsuite`` (one per flow) >
``testcase`` (one per scenario, named :attr:`ScenarioResult.name`, ``classname`` =
``regulation.channel``) with a ``failure`` (the divergence diff) or an ``error`` (a step broke)
and a ``system-out`` carrying the timeline. Errors of the run itself (a scenario file that did
not load) become testcases with an ``error`` in a last suite named ``run``, so CI shows them.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from pathlib import Path

from lxml import etree

from ..results import RunResult, ScenarioResult
from .derive import divergence_node, failure_kind, timeline_lines

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str | None) -> str:
    """Text XML 1.0 can carry: control characters (ANSI colours, NULs in a broken body) would
    make lxml refuse the document and CI reject the file, so they become visible ``\\xNN``."""
    if not text:
        return ""
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _timestamp(moment: dt.datetime) -> str:
    """Ant's schema wants a timestamp without zone; UTC is the least surprising reading."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _testcase(parent: etree._Element, result: ScenarioResult) -> None:
    case = etree.SubElement(parent, "testcase", {
        "name": xml_text(result.name),
        "classname": xml_text(f"{result.flow.regulation}.{result.flow.channel}"),
        "time": _seconds(result.wall_seconds),
    })
    kind = failure_kind(result)
    if kind is not None:
        diff = result.failure or "failed (the engine gave no divergence text)"
        first = diff.strip().splitlines()[0] if diff.strip() else diff
        node = divergence_node(result)
        message = f"{node}: {first}" if node and not first.startswith(node) else first
        element = etree.SubElement(case, kind, {
            "message": xml_text(message),
            "type": "StepError" if kind == "error" else "Divergence",
        })
        element.text = xml_text(diff)
    out = etree.SubElement(case, "system-out")
    out.text = xml_text("\n".join(timeline_lines(result)) + "\n")


def junit_tree(run: RunResult, *, name: str = "egov-sim scenarios",
               hostname: str | None = None) -> etree._ElementTree:
    """The JUnit document for a run (see the module docstring for its shape)."""
    hostname = hostname or socket.gethostname()
    stamp = _timestamp(run.started)
    by_flow: dict[str, list[ScenarioResult]] = {}
    for s in run.scenarios:
        by_flow.setdefault(s.flow.id, []).append(s)

    root = etree.Element("testsuites", {"name": xml_text(name)})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    suite_id = 0

    def suite(suite_name: str, package: str, cases: int, failures: int, errors: int,
              seconds: float, extra: tuple[tuple[str, str], ...] = ()) -> etree._Element:
        nonlocal suite_id
        element = etree.SubElement(root, "testsuite", {
            "name": xml_text(suite_name),
            "tests": str(cases),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": "0",
            "time": _seconds(seconds),
            "timestamp": stamp,
            "hostname": xml_text(hostname),
            "id": str(suite_id),
            "package": xml_text(package),
        })
        suite_id += 1
        totals["tests"] += cases
        totals["failures"] += failures
        totals["errors"] += errors
        props = etree.SubElement(element, "properties")
        common = (("seed", run.seed), ("jobs", run.jobs), ("against", run.against or "in-process"))
        for key, value in (*common, *extra):
            etree.SubElement(props, "property", {"name": key, "value": xml_text(str(value))})
        return element

    for flow_id, results in by_flow.items():
        flow = results[0].flow
        kinds = [failure_kind(r) for r in results]
        element = suite(flow_id, flow.regulation, len(results), kinds.count("failure"),
                        kinds.count("error"), sum(r.wall_seconds for r in results),
                        (("flow.title", flow.title), ("flow.source", flow.source)))
        for r in results:
            _testcase(element, r)
        etree.SubElement(element, "system-out")
        etree.SubElement(element, "system-err")

    if run.errors:
        element = suite("run", "egov-sim", len(run.errors), 0, len(run.errors), 0.0)
        for i, text in enumerate(run.errors, 1):
            first = text.strip().splitlines()[0] if text.strip() else "error"
            case = etree.SubElement(element, "testcase", {
                "name": xml_text(f"run error {i}: {first}"),
                "classname": "egov-sim.run",
                "time": _seconds(0.0),
            })
            err = etree.SubElement(case, "error", {"message": xml_text(first), "type": "RunError"})
            err.text = xml_text(text)
        etree.SubElement(element, "system-out")
        etree.SubElement(element, "system-err")

    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", _seconds(run.wall_seconds))
    return etree.ElementTree(root)


def junit_xml(run: RunResult, **kwargs) -> bytes:
    """The JUnit document as UTF-8 bytes with an XML declaration."""
    return etree.tostring(junit_tree(run, **kwargs), xml_declaration=True, encoding="UTF-8",
                          pretty_print=True)


def write_junit(run: RunResult, path: str | Path, **kwargs) -> Path:
    path = Path(path)
    path.write_bytes(junit_xml(run, **kwargs))
    return path
