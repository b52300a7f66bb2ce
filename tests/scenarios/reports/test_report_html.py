"""The HTML report: one self-contained file, every scenario anchored, diagrams highlighting the
taken path, untrusted bodies escaped, Cyrillic and Kazakh as they are."""

from __future__ import annotations

import dataclasses
import re

import pytest
from lxml import etree
from lxml import html as lxml_html

from egov_sim.scenarios.reports import render_html, run_from_json, run_to_json, write_html
from egov_sim.scenarios.reports.derive import anchor, divergence_node, taken_route
from egov_sim.scenarios.reports.groups import report_order

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("body")</script><img src="http://evil.example/x.png" onerror="alert(2)">'


def _svgs(text: str) -> list[etree._Element]:
    """Each inline SVG, parsed as XML: it must be well-formed to render as a standalone file too."""
    return [etree.fromstring(m.group().encode()) for m in re.finditer(r"<svg\b.*?</svg>", text, re.S)]


@pytest.fixture
def page(run) -> str:
    return render_html(run)


def test_self_contained(page):
    doc = lxml_html.fromstring(page)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("src", "href", "xlink:href", "action", "data", "poster"):
            value = (el.get(attr) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "file:")), (el.tag, attr, value)
        assert el.tag not in ("link", "img", "iframe", "object", "embed", "video", "audio")
    scripts = doc.findall(".//script")
    assert len(scripts) == 1 and scripts[0].get("src") is None
    for style in doc.findall(".//style"):
        assert "@import" not in style.text and "@font-face" not in style.text
        assert not re.search(r"url\((?!#)", style.text)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)


def test_utf8_and_cyrillic_kazakh_text_as_is(page):
    assert re.search(r'<meta charset="utf-8">', page, re.I)
    assert page.startswith("<!DOCTYPE html>")
    for text in ("Опекун получает пособие", "Құжаттар толық емес: 19 жұмыс күні", "Жақсылықова", "ШЭП"):
        assert text in page
    assert "&#1054;" not in page  # not entity-encoded


def test_summary_links_to_every_scenario_section(run, page):
    """Grouped by regulation and service (000 before 002), in run order within a group."""
    doc = lxml_html.fromstring(page)
    assert report_order(run) == (2, 3, 0, 1)
    ids = [anchor(run.scenarios[i], i) for i in report_order(run)]
    assert len(set(ids)) == len(run.scenarios)
    links = [a.get("href")[1:] for a in doc.xpath('//nav[@id="summary"]//table[contains(@class, "summary")]'
                                                   '//a[starts-with(@href, "#")]')]
    assert links == ids
    assert doc.xpath("//section[contains(@class, 'scenario')]/@id") == ids
    for i in ids:
        section = doc.get_element_by_id(i)
        assert section.tag == "section"
    rows = doc.xpath('//nav[@id="summary"]//table[contains(@class, "summary")]/tbody/tr')
    assert [r.get("class") for r in rows] == ["pass", "fail", "pass", "fail"]


def test_anchors_stay_unique_for_duplicate_scenario_ids(run):
    twice = dataclasses.replace(run, scenarios=(run.scenarios[0], run.scenarios[0]))
    doc = lxml_html.fromstring(render_html(twice))
    sections = doc.xpath("//section[contains(@class, 'scenario')]/@id")
    assert len(sections) == 2 and len(set(sections)) == 2


def test_counts_and_verdict(page):
    doc = lxml_html.fromstring(page)
    cards = [c.text_content().strip() for c in doc.xpath('//div[contains(concat(" ", @class, " "), " card ")]')]
    assert cards[:4] == ["4scenarios", "2passed", "2failed", "1deadlines missed"]
    assert "FAIL" in doc.findtext(".//title")


def test_each_diagram_has_every_node_and_highlights_exactly_the_taken_path(run, page):
    svgs = _svgs(page)
    assert len(svgs) == len(run.scenarios)
    for svg, result in zip(svgs, [run.scenarios[i] for i in report_order(run)]):
        nodes = svg.findall(f".//{SVG}g[@data-node]")
        assert sorted(g.get("data-node") for g in nodes) == sorted(n.id for n in result.flow.nodes)
        taken = {g.get("data-node") for g in nodes if "taken" in g.get("class").split()}
        assert taken == set(taken_route(result).nodes)
        edges = {g.get("data-edge") for g in svg.findall(f".//{SVG}g[@data-edge]")
                 if "taken" in g.get("class").split()}
        assert edges == {f"{a}>{b}" for a, b in taken_route(result).edges}
        diverged = [g.get("data-node") for g in nodes if "diverged" in g.get("class").split()]
        assert diverged == ([divergence_node(result)] if divergence_node(result) else [])


def test_marker_ids_are_unique_across_diagrams(page):
    ids = re.findall(r'<marker id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 12


def test_timeline_shows_start_end_due_and_verdict(run, page):
    doc = lxml_html.fromstring(page)
    section = doc.get_element_by_id(anchor(run.scenarios[0], 0))
    rows = section.xpath(".//table[contains(@class,'timeline')]/tbody/tr")
    assert len(rows) == len(run.scenarios[0].steps)
    a3 = next(r for r in rows if r.xpath("./td[2]")[0].text_content() == "A3")
    cells = [c.text_content().strip() for c in a3.xpath("./td")]
    assert cells[3:7] == ["<= 6 wd", "2024-02-06 Tue 10:43", "2024-02-13 Tue 10:43", "2024-02-14 Wed 10:43"]
    text = section.text_content()
    assert "Deadline: 9 wd 30 min · due 2024-02-16 Fri 10:43 · finished 2024-02-15 Thu 10:44" in text
    assert "deadline met" in text
    late = doc.get_element_by_id(anchor(run.scenarios[3], 3)).text_content()
    assert "deadline MISSED" in late


def test_the_regulation_defects_section_names_cells_sum_and_term(run, page):
    doc = lxml_html.fromstring(page)
    section = doc.get_element_by_id("defects")
    assert section.xpath("./h2")[0].text_content() == "Regulation defects"
    assert section.xpath("./h3")[0].get("id") == "svc-000-all-defects"  # by regulation and service
    (row,) = section.xpath(".//table[contains(@class,'defects')]/tbody/tr")
    cells = [c.text_content().strip() for c in row.xpath("./td")]
    assert cells[0] == "000-provider_office" and cells[1].startswith("extended") and "§5.3" in cells[1]
    assert (cells[2], cells[3]) == ("19 wd 6 h", "steps overrun the term")
    assert cells[4].startswith("S1 30 min + S2 30 min + S3X 19 wd + S4 30 min + S5 4 h + S6 30 min")
    assert "S1 › S2 › C1:no › S3X" in cells[4]  # the path it lies on
    assert (cells[5], cells[6], cells[7]) == ("19 wd 6 h 30 min", "30 min over", "—")
    assert cells[8] == "hand_in_milestone=false" and cells[9] == "documents-insufficient-late"
    card = doc.xpath("//div[contains(concat(' ', @class, ' '), ' card ')][.//a[@href='#defects']]")[0]
    card = card.text_content()
    assert card.startswith("1") and "regulation defects" in card
    # and on the scenario whose path holds it, beside its terms' verdicts
    late = doc.get_element_by_id(anchor(run.scenarios[3], 3))
    assert "Regulation defect on this path" in late.text_content()
    (term,) = late.xpath(".//table[contains(@class,'terms')]/tbody/tr")
    assert [c.text_content().strip() for c in term.xpath("./td")][-1] == "missed"


def test_failure_diff_and_branch_answers(run, page):
    doc = lxml_html.fromstring(page)
    section = doc.get_element_by_id(anchor(run.scenarios[1], 1))
    diff = section.xpath(".//pre[contains(@class,'diff')]")[0]
    assert [s.text for s in diff.xpath("./span[@class='del']")] == ["-C2:no > P4", "-notice:eds_not_confirmed"]
    assert "Divergence at C2" in section.text_content()
    assert "(expected no)" in section.text_content()


def test_messages_are_listed_with_their_fields_and_linked_from_steps(run, page):
    doc = lxml_html.fromstring(page)
    sid = anchor(run.scenarios[0], 0)
    section = doc.get_element_by_id(sid)
    msgs = section.xpath(".//details[contains(@class,'msg')]")
    assert [m.get("id") for m in msgs] == [f"{sid}-msg-101", f"{sid}-msg-102"]
    summary = msgs[0].find("summary").text_content()
    for text in ("#101", "EGOV_SIM_RSHEP", "SCSS001", "valid", "node P5", "2024-02-05 Mon 10:12:41"):
        assert text in summary
    facts = msgs[0].text_content()
    assert "EGOV_SIM_PORTAL" in facts and "rshep-pavlodar" in facts
    bodies = msgs[0].xpath(".//details[contains(@class,'body')]/pre")
    assert [b.text for b in bodies] == [run.scenarios[0].messages[0].request_body,
                                         run.scenarios[0].messages[0].response_body]
    assert section.xpath(f".//a[@href='#{sid}-msg-101']")


def test_untrusted_text_is_escaped(run):
    happy = run.scenarios[0]
    msg = dataclasses.replace(happy.messages[0], request_body=HOSTILE, response_body=HOSTILE,
                              service_id="<b>svc</b>", signature='"><script>x</script>')
    flow = dataclasses.replace(happy.flow, title="</title><script>flow()</script>")
    step = dataclasses.replace(happy.steps[0], detail="<script>detail()</script>")
    evil = dataclasses.replace(happy, messages=(msg,), flow=flow, steps=(step, *happy.steps[1:]),
                               title="<i>t</i>", failure="<script>diff()</script>", passed=False)
    page = render_html(dataclasses.replace(run, scenarios=(evil,), errors=("<script>err()</script>",)))
    doc = lxml_html.fromstring(page)
    assert len(doc.findall(".//script")) == 1  # ours only
    assert doc.find(".//img") is None
    assert not doc.xpath("//b[text()='svc']") and not doc.xpath("//i[text()='t']")
    assert "&lt;b&gt;svc&lt;/b&gt;" in page and "&lt;i&gt;t&lt;/i&gt;" in page
    assert "&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt;" in page
    bodies = doc.xpath("//details[contains(@class,'body')]/pre")
    assert bodies[0].text == HOSTILE  # shown verbatim, as text
    for needle in ("<script>flow()", "<script>detail()", "<script>diff()", "<script>err()", "<script>x"):
        assert needle not in page
    for svg in _svgs(page):
        assert svg.find(f".//{SVG}script") is None


def test_readable_without_js(page):
    """Collapsible parts are <details>; the script only adds expand/collapse-all buttons."""
    doc = lxml_html.fromstring(page)
    assert doc.get_element_by_id("toolbar").get("hidden") is not None
    assert doc.xpath("//details[contains(@class,'msg')]")


def test_rendering_from_saved_json_gives_the_same_page(run, tmp_path):
    assert render_html(run_from_json(run_to_json(run))) == render_html(run)
    path = write_html(run, tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == render_html(run)


def test_empty_run_renders(run):
    page = render_html(dataclasses.replace(run, scenarios=()))
    assert "0</b>scenarios" in page
