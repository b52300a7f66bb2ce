"""The flow diagram: lanes as bands, nodes in topological order, the taken route highlighted."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from egov_sim.scenarios.model import Flow, Node
from egov_sim.scenarios.reports.derive import divergence_node, expected_route, route, split_entry, taken_route
from egov_sim.scenarios.reports.diagram import layout, ranks, render_svg, wrap
from tests.support.reports import (
    PORTAL,
    PROVIDER_000,
    portal_happy,
    portal_revoked,
    provider_insufficient,
    provider_late,
)

SVG = "{http://www.w3.org/2000/svg}"


def _svg(flow, **kwargs) -> etree._Element:
    return etree.fromstring(render_svg(flow, **kwargs).encode())


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


@pytest.mark.parametrize("flow", [PORTAL, PROVIDER_000], ids=lambda f: f.id)
def test_every_edge_points_right_and_nodes_do_not_overlap(flow):
    lay = layout(flow)
    rank = ranks(flow)
    for n in flow.nodes:
        for target in (n.next, n.on_true, n.on_false):
            if target:
                assert rank[target] > rank[n.id], (n.id, target)
    boxes = list(lay.boxes.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart_x = abs(a.x - b.x) >= (a.w + b.w) / 2
            apart_y = abs(a.y - b.y) >= (a.h + b.h) / 2
            assert apart_x or apart_y, (a.node.id, b.node.id)


@pytest.mark.parametrize("flow", [PORTAL, PROVIDER_000], ids=lambda f: f.id)
def test_nodes_sit_in_their_lane_band(flow):
    lay = layout(flow)
    bands = {b.name: b for b in lay.bands}
    assert [b.name for b in lay.bands] == list(flow.lanes)
    for box in lay.boxes.values():
        band = bands[box.node.lane]
        assert band.top <= box.y - box.h / 2 and box.y + box.h / 2 <= band.top + band.height
        assert 0 < box.x - box.w / 2 and box.x + box.w / 2 <= lay.width


def test_colliding_nodes_of_one_lane_are_stacked():
    lay = layout(PORTAL)
    a3, p6 = lay.boxes["A3"], lay.boxes["P6"]
    assert a3.rank == p6.rank and (a3.row, p6.row) == (0, 1)  # main line first, refusal below
    rshep = next(b for b in layout(PORTAL).bands if b.name == "RSHEP_ARM")
    shep = next(b for b in layout(PORTAL).bands if b.name == "SHEP")
    assert rshep.height > shep.height


def test_svg_has_a_node_per_flow_node_with_shapes_by_kind():
    svg = _svg(PORTAL)
    nodes = svg.findall(f".//{SVG}g[@data-node]")
    assert [g.get("data-node") for g in nodes] == [n.id for n in PORTAL.nodes]
    for g in nodes:
        kind = g.get("data-kind")
        if kind == "condition":
            assert g.find(f"{SVG}polygon") is not None
        else:
            assert g.find(f"{SVG}rect") is not None
    lanes = [g.get("data-lane") for g in svg.findall(f".//{SVG}g[@data-lane]")]
    assert lanes == list(PORTAL.lanes)


def test_condition_edges_are_labelled_yes_and_no():
    svg = _svg(PORTAL)
    edges = {g.get("data-edge"): g for g in svg.findall(f".//{SVG}g[@data-edge]")}
    assert edges["C1>P3"].get("data-branch") == "yes"
    assert edges["C1>P2"].get("data-branch") == "no"
    assert edges["C1>P3"].find(f"{SVG}text").text == "yes"
    assert edges["C2>P4"].find(f"{SVG}text").text == "no"
    assert edges["P1>C1"].get("data-branch") is None
    expected = sum(1 for n in PORTAL.nodes for t in (n.next, n.on_true, n.on_false) if t)
    assert len(edges) == expected


@pytest.mark.parametrize("make", [portal_happy, portal_revoked, provider_insufficient, provider_late])
def test_exactly_the_taken_route_is_highlighted(make):
    result = make()
    taken = taken_route(result)
    svg = _svg(result.flow, taken=taken, expected=expected_route(result), diverged=divergence_node(result))
    highlighted = {g.get("data-node") for g in svg.findall(f".//{SVG}g[@data-node]") if "taken" in _classes(g)}
    assert highlighted == set(taken.nodes)
    taken_edges = {tuple(g.get("data-edge").split(">")) for g in svg.findall(f".//{SVG}g[@data-edge]")
                   if "taken" in _classes(g)}
    assert taken_edges == set(taken.edges)
    for g in svg.findall(f".//{SVG}g[@data-edge]"):  # the path inside carries the same class
        assert ("taken" in _classes(g)) == ("taken" in _classes(g.find(f"{SVG}path")))


def test_the_happy_route_is_the_whole_main_line():
    taken = taken_route(portal_happy())
    assert taken.nodes == ("START", "X1", "P1", "C1", "P3", "C2", "P5", "A1", "A2", "C3", "A3", "A4", "A5",
                           "P7", "END_RESULT")
    assert ("C1", "P3") in taken.edges and ("C1", "P2") not in taken.edges
    assert len(taken.edges) == len(taken.nodes) - 1


def test_divergence_node_is_marked_and_expected_edges_dashed():
    result = portal_revoked()
    svg = _svg(result.flow, taken=taken_route(result), expected=expected_route(result), diverged="C2")
    diverged = [g.get("data-node") for g in svg.findall(f".//{SVG}g[@data-node]") if "diverged" in _classes(g)]
    assert diverged == ["C2"]
    expected = {g.get("data-edge") for g in svg.findall(f".//{SVG}g[@data-edge]") if "expected" in _classes(g)}
    assert expected == {"C2>P4", "P4>END_EDS_REFUSED"}
    # Not reached: the scenario stopped at the divergence, so no end symbol is highlighted.
    assert "END_RESULT" not in taken_route(result).nodes and "P5" in taken_route(result).nodes


def test_divergence_node_per_scenario():
    assert divergence_node(portal_happy()) is None
    assert divergence_node(portal_revoked()) == "C2"
    assert divergence_node(provider_late()) is None  # right path, late: nothing to mark
    # Without step statuses, the first differing path entry is the divergence.
    plain = portal_revoked()
    plain = dataclasses.replace(plain, steps=tuple(dataclasses.replace(s, status="ok") for s in plain.steps))
    assert divergence_node(plain) == "C2"
    short = dataclasses.replace(plain, path=plain.path[:3])
    assert divergence_node(short) == "C1"


def test_route_fills_in_start_and_end_only_when_reached():
    path = ("S1", "S2", "C1:no", "S3X", "S4", "S5", "S6")
    assert route(PROVIDER_000, path).nodes == ("START", *[split_entry(e)[0] for e in path], "END_RESULT")
    assert route(PROVIDER_000, path, reached_end=False).nodes[-1] == "S6"
    assert ("S1", "S3") not in route(PROVIDER_000, ("S1", "S3")).edges  # not adjacent in the flow
    assert route(PROVIDER_000, ()).nodes == ()
    assert split_entry("C1:yes") == ("C1", True) and split_entry("C1:no") == ("C1", False)


def test_text_is_escaped_in_the_svg():
    hostile = Flow(id="x<1>", regulation="9", channel="c", title="<script>alert(1)</script>",
                   lanes=('L"&<',), nodes=(
                       Node("START", "start", 'L"&<', "s", next="P<1>"),
                       Node("P<1>", "process", 'L"&<', "</text><script>alert(2)</script>", next=None),
                   ))
    text = render_svg(hostile, svg_id='a"b')
    svg = etree.fromstring(text.encode())  # still well-formed XML
    assert "<script>" not in text
    assert svg.find(f".//{SVG}g[@data-node='P<1>']") is not None


def test_cycles_do_not_break_the_layout():
    loop = Flow(id="loop", regulation="9", channel="c", title="t", lanes=("A",), nodes=(
        Node("START", "start", "A", "s", next="P1"),
        Node("P1", "process", "A", "p", next="C1"),
        Node("C1", "condition", "A", "again?", on_true="P1", on_false="END"),
        Node("END", "end", "A", "e"),
    ))
    svg = _svg(loop)
    assert len(svg.findall(f".//{SVG}g[@data-edge]")) == 4
    assert ranks(loop)["END"] > ranks(loop)["C1"] > ranks(loop)["P1"]


def test_wrap():
    assert wrap("Draw up the decision on assigning the allowance", 21, 2) == ["Draw up the decision", "on assigning the…"]
    assert wrap("short", 21, 3) == ["short"]
    assert wrap("Қорғаншыларғажәрдемақытағайындау", 10, 2) == ["Қорғаншыла", "рғажәрдем…"]
