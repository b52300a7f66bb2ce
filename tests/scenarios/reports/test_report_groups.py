"""The HTML report by seed and service: a coverage table per service and channel (nodes and
branches the run took), and the regulation defects per service, merged and cited."""

from __future__ import annotations

import dataclasses

from lxml import html as lxml_html

from egov_sim.scenarios.flow_files import load_flow
from egov_sim.scenarios.reports import render_html, run_from_json, run_to_json
from egov_sim.scenarios.reports.groups import merge_defects, report_order, service_groups
from egov_sim.scenarios.results import DefectCell, RegulationDefect
from tests.support import ROOT
from tests.support.reports import portal_happy, sample_run

S03 = load_flow(ROOT / "scenarios" / "flows" / "001-s03-office.yaml")


def _s03(scenario_id: str, path: tuple[str, ...]):
    return dataclasses.replace(portal_happy(), scenario_id=scenario_id, flow=S03, path=path, expected_path=path,
                               steps=(), messages=(), deadline=None)


NO_DEADLINE = RegulationDefect(
    flow="001-s03-office", term="office", allowed="10 min", source="§10", kind="no_deadline", citation="D06",
    cells=(DefectCell("M1", "M1", "10 min"), DefectCell("C1", None, "—"), DefectCell("M2", "M2", "10 min")),
    total="20 min", over="10 min", path=("M1", "C1:yes", "M2"), nodes=("M2",), scenarios=("s03-certificate",))


def _run():
    run = sample_run()
    certificate = _s03("s03-certificate", ("M1", "C1:yes", "M2"))
    refused = _s03("s03-refused", ("M1", "C1:no", "R1", "M2"))
    on_refusal = dataclasses.replace(NO_DEADLINE, path=("M1", "C1:no", "R1", "M2"), scenarios=("s03-refused",),
                                     cells=(*NO_DEADLINE.cells[:2], DefectCell("R1", None, "—"), NO_DEADLINE.cells[2]))
    return dataclasses.replace(run, scenarios=(certificate, *run.scenarios, refused),
                               defects=(*run.defects, NO_DEADLINE, on_refusal))


def test_groups_by_regulation_and_service_with_the_services_titles():
    run = _run()
    groups = service_groups(run)
    assert [(g.regulation, g.service) for g in groups] == [("000", ""), ("001", "BLH-S03"), ("002", "")]
    assert groups[1].title == "Service 3: certificates for unemployed citizens"  # the term file's procedure
    assert groups[0].title == run.scenarios[3].flow.title.partition(":")[0]  # what its flows' titles share
    assert groups[1].indexes == (0, 5)
    assert report_order(run) == (3, 4, 0, 5, 1, 2)


def test_coverage_counts_the_nodes_and_answers_the_run_took():
    run = _run()
    (cov,) = service_groups(run)[1].flows
    assert (cov.nodes, cov.nodes_taken) == (("M1", "R1", "M2"), ("M1", "R1", "M2"))
    assert cov.branches == ("C1:yes", "C1:no") and cov.complete and cov.scenarios == 2
    only_one = dataclasses.replace(run, scenarios=run.scenarios[:5])
    (cov,) = service_groups(only_one)[1].flows
    assert cov.nodes_missed == ("R1",) and cov.branches_missed == ("C1:no",)
    doc = lxml_html.fromstring(render_html(only_one))
    table = doc.get_element_by_id("svc-001-BLH-S03").getnext()
    cells = [c.text_content().strip() for c in table.xpath("./tbody/tr/td")]
    assert cells == ["001-s03-office", "office", "1", "2/3", "R1", "1/2", "C1:no"]
    index = doc.xpath('//table[contains(@class, "services")]/tbody/tr')
    assert [r.xpath("./td")[0].text_content() for r in index] == ["000", "001 · BLH-S03", "002"]
    assert [c.text_content() for c in index[1].xpath("./td")][5:] == ["2/3", "1/2", "1"]


def test_one_finding_on_several_paths_is_one_row_with_its_citation():
    run = _run()
    (merged,) = merge_defects([d for d in run.defects if d.flow == "001-s03-office"])
    assert merged.paths == (("M1", "C1:yes", "M2"), ("M1", "C1:no", "R1", "M2"))
    assert merged.scenarios == ("s03-certificate", "s03-refused")
    doc = lxml_html.fromstring(render_html(run))
    section = doc.get_element_by_id("defects")
    assert [h.get("id") for h in section.xpath("./h3")] == ["svc-000-all-defects", "svc-001-BLH-S03-defects"]
    (row,) = doc.get_element_by_id("svc-001-BLH-S03-defects").getnext().xpath("./tbody/tr")
    cells = [c.text_content().strip() for c in row.xpath("./td")]
    assert cells[3] == "step without a deadline" and cells[4].startswith("M2: no deadline in the action table")
    assert (cells[5], cells[6], cells[7]) == ("—", "—", "D06")
    assert cells[9] == "s03-certificate, s03-refused"
    card = doc.xpath("//div[contains(concat(' ', @class, ' '), ' card ')][.//a[@href='#defects']]")[0]
    assert card.findtext("b") == "2"  # merged: 000's one and 001-s03's one


def test_a_calendar_defect_keeps_its_dates():
    calendar = dataclasses.replace(NO_DEADLINE, kind="calendar", nodes=(), total="2013-03-07 Thu 09:15",
                                   over="2013-03-06 Wed 18:00", citation="D18")
    run = dataclasses.replace(_run(), defects=(calendar,))
    doc = lxml_html.fromstring(render_html(run))
    (row,) = doc.get_element_by_id("svc-001-BLH-S03-defects").getnext().xpath("./tbody/tr")
    cells = [c.text_content().strip() for c in row.xpath("./td")]
    assert cells[3] == "term missed on these dates"
    assert (cells[5], cells[6], cells[7]) == ("2013-03-07 Thu 09:15", "due 2013-03-06 Wed 18:00", "D18")
    assert "D18" in calendar.text() and "after the due 2013-03-06 Wed 18:00" in calendar.text()


def test_groups_survive_the_json_round_trip():
    run = _run()
    again = run_from_json(run_to_json(run))
    assert again.scenarios[0].flow.service == "BLH-S03"
    assert service_groups(again) == service_groups(run)
    assert render_html(again) == render_html(run)
