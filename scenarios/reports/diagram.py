"""A flow drawn as the regulations draw it: lanes as horizontal bands, steps left to right.

The layout is computed here rather than by Graphviz so the HTML report needs nothing installed
and stays one self-contained file. Columns are the longest-path rank from the start symbol
(topological order along x, every edge points right); two nodes of one lane in one column are
stacked in rows inside the lane. Conditions are diamonds whose edges are labelled yes/no.

:func:`render_svg` marks the taken route (class ``taken`` on its nodes and edges), the node
where a failed scenario diverged (``diverged``) and expected edges that were not taken
(``expected``), and gives every node ``data-node`` and every edge ``data-edge="A>B"`` so tests
and scripts can find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..model import Flow, Node
from .derive import NO, YES, Route, duration_text, successors

LABEL_W = 150
MARGIN = 18
COL_W = 150
ROW_H = 86
LANE_PAD = 8
SIZES = {"process": (124.0, 62.0), "condition": (96.0, 60.0), "start": (110.0, 30.0),
         "end": (132.0, 30.0)}


@dataclass(frozen=True)
class Box:
    node: Node
    x: float
    """Centre."""
    y: float
    w: float
    h: float
    rank: int
    lane: int
    row: int


@dataclass(frozen=True)
class Band:
    name: str
    top: float
    height: float


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    branch: bool | None
    d: str
    """SVG path data."""
    label: tuple[float, float, str] | None = None


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    bands: tuple[Band, ...]
    boxes: dict[str, Box]
    edges: tuple[Edge, ...]


def ranks(flow: Flow) -> dict[str, int]:
    """Longest-path rank of each node from the roots, ignoring edges that close a cycle."""
    ids = [n.id for n in flow.nodes]
    succ = {n.id: [t for t, _ in successors(n) if t in ids] for n in flow.nodes}
    incoming = {i: 0 for i in ids}
    for targets in succ.values():
        for t in targets:
            incoming[t] += 1
    roots = ([n.id for n in flow.nodes if n.kind == "start"]
             + [i for i in ids if incoming[i] == 0] + ids)
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}

    def visit(node_id: str) -> None:
        state[node_id] = 1
        for t in succ[node_id]:
            if state.get(t) == 1:
                back.add((node_id, t))
            elif t not in state:
                visit(t)
        state[node_id] = 2

    for r in roots:
        if r not in state:
            visit(r)
    forward = {i: [t for t in succ[i] if (i, t) not in back] for i in ids}
    indeg = {i: 0 for i in ids}
    for targets in forward.values():
        for t in targets:
            indeg[t] += 1
    rank = {i: 0 for i in ids}
    queue = [i for i in ids if indeg[i] == 0]
    while queue:
        i = queue.pop(0)
        for t in forward[i]:
            rank[t] = max(rank[t], rank[i] + 1)
            indeg[t] -= 1
            if indeg[t] == 0:
                queue.append(t)
    return rank


def _anchor_out(src: Box, dst: Box, side: str) -> tuple[float, float]:
    if side == "right":
        return src.x + src.w / 2, src.y
    if side == "top":
        return src.x, src.y - src.h / 2
    return src.x, src.y + src.h / 2


def _blocked(boxes: dict[str, Box], lane: int, row: int, x0: float, x1: float,
             skip: tuple[str, ...]) -> bool:
    """Would a horizontal run in this lane row between x0 and x1 cross another node?"""
    lo, hi = min(x0, x1), max(x0, x1)
    return any(b.lane == lane and b.row == row and b.node.id not in skip
               and lo < b.x < hi for b in boxes.values())


def _edge_path(boxes: dict[str, Box], src: Box, dst: Box, side: str) -> str:
    sx, sy = _anchor_out(src, dst, side)
    tx, ty = dst.x - dst.w / 2, dst.y
    if tx <= sx:  # a back edge: loop below both nodes
        low = max(src.y + src.h / 2, dst.y + dst.h / 2) + 26
        return (f"M{sx:.1f},{sy:.1f} C{sx + 40:.1f},{low:.1f} {tx - 40:.1f},{low:.1f} "
                f"{tx:.1f},{ty:.1f}")
    if side in ("top", "bottom"):
        if abs(ty - sy) < dst.h / 2 + 4:  # target level with the vertex: dip out and come back
            dip = sy + (28 if side == "bottom" else -28)
            return f"M{sx:.1f},{sy:.1f} C{sx:.1f},{dip:.1f} {tx - 40:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        r = min(14.0, abs(ty - sy) / 2, (tx - sx) / 2)
        turn = ty + (r if side == "top" else -r)
        return (f"M{sx:.1f},{sy:.1f} L{sx:.1f},{turn:.1f} Q{sx:.1f},{ty:.1f} {sx + r:.1f},{ty:.1f} "
                f"L{tx:.1f},{ty:.1f}")
    skip = (src.node.id, dst.node.id)
    if abs(ty - sy) < 0.5:
        if not _blocked(boxes, src.lane, src.row, sx, tx, skip):
            return f"M{sx:.1f},{sy:.1f} L{tx:.1f},{ty:.1f}"
        detour = sy + ROW_H / 2  # between this row and the next
        return (f"M{sx:.1f},{sy:.1f} C{sx + 30:.1f},{detour:.1f} {sx + 40:.1f},{detour:.1f} "
                f"{sx + 60:.1f},{detour:.1f} L{tx - 60:.1f},{detour:.1f} "
                f"C{tx - 40:.1f},{detour:.1f} {tx - 30:.1f},{ty:.1f} {tx:.1f},{ty:.1f}")
    span = tx - sx
    bend = COL_W - src.w + 20.0  # the gap between two columns, where S-curves live
    if span > COL_W:
        if not _blocked(boxes, src.lane, src.row, sx, tx - bend, skip):
            k = bend / 2
            return (f"M{sx:.1f},{sy:.1f} L{tx - bend:.1f},{sy:.1f} C{tx - bend + k:.1f},{sy:.1f} "
                    f"{tx - k:.1f},{ty:.1f} {tx:.1f},{ty:.1f}")
        if not _blocked(boxes, dst.lane, dst.row, sx + bend, tx, skip):
            k = bend / 2
            return (f"M{sx:.1f},{sy:.1f} C{sx + k:.1f},{sy:.1f} {sx + bend - k:.1f},{ty:.1f} "
                    f"{sx + bend:.1f},{ty:.1f} L{tx:.1f},{ty:.1f}")
    k = min(span / 2, 70.0)
    return f"M{sx:.1f},{sy:.1f} C{sx + k:.1f},{sy:.1f} {tx - k:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"


def layout(flow: Flow) -> Layout:
    """Positions of lanes, nodes and edges (pixels; the SVG uses them as they are)."""
    rank = ranks(flow)
    lanes = list(flow.lanes)
    for n in flow.nodes:
        if n.lane not in lanes:
            lanes.append(n.lane)
    order = {n.id: i for i, n in enumerate(flow.nodes)}
    rows: dict[str, int] = {}
    used: dict[tuple[str, int], int] = {}
    # Stack collisions in the order the flow lists its nodes: the regulation's main line first.
    for n in sorted(flow.nodes, key=lambda n: (rank[n.id], order[n.id])):
        key = (n.lane, rank[n.id])
        rows[n.id] = used.get(key, 0)
        used[key] = rows[n.id] + 1
    lane_rows = {lane: max([rows[n.id] + 1 for n in flow.nodes if n.lane == lane] or [1])
                 for lane in lanes}
    bands: list[Band] = []
    top = 0.0
    for lane in lanes:
        height = lane_rows[lane] * ROW_H + 2 * LANE_PAD
        bands.append(Band(lane, top, height))
        top += height
    boxes: dict[str, Box] = {}
    for n in flow.nodes:
        w, h = SIZES.get(n.kind, SIZES["process"])
        band = bands[lanes.index(n.lane)]
        x = LABEL_W + MARGIN + rank[n.id] * COL_W + SIZES["process"][0] / 2
        y = band.top + LANE_PAD + rows[n.id] * ROW_H + ROW_H / 2
        boxes[n.id] = Box(n, x, y, w, h, rank[n.id], lanes.index(n.lane), rows[n.id])

    edges: list[Edge] = []
    for n in flow.nodes:
        src = boxes[n.id]
        outs = [(t, b) for t, b in successors(n) if t in boxes]
        sides: dict[int, str] = {}
        if n.kind == "condition" and len(outs) > 1:
            level = [i for i, (t, _) in enumerate(outs) if abs(boxes[t].y - src.y) < 0.5]
            right = level[0] if level else next((i for i, (_, b) in enumerate(outs) if b), 0)
            for i, (t, _) in enumerate(outs):
                if i == right:
                    sides[i] = "right"
                else:
                    sides[i] = "top" if boxes[t].y < src.y - 0.5 else "bottom"
        for i, (t, b) in enumerate(outs):
            side = sides.get(i, "right")
            dst = boxes[t]
            label = None
            if b is not None:
                sx, sy = _anchor_out(src, dst, side)
                text = YES if b else NO
                if side == "right":
                    label = (sx + 5, sy - 5, text)
                elif side == "top":
                    label = (sx + 5, sy - 6, text)
                else:
                    label = (sx + 5, sy + 13, text)
            edges.append(Edge(n.id, t, b, _edge_path(boxes, src, dst, side), label))
    max_rank = max(rank.values(), default=0)
    width = LABEL_W + 2 * MARGIN + max_rank * COL_W + SIZES["process"][0] + 4
    return Layout(width, top, tuple(bands), boxes, tuple(edges))


def wrap(text: str, width: int, lines: int) -> list[str]:
    """Word-wrap to at most ``lines`` lines of ``width`` characters, ending in … when cut."""
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:  # a word longer than a line: cut it
            if current:
                out.append(current)
                current = ""
            out.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        out[-1] = (last[: width - 1] if len(last) >= width else last) + "…"
    return out


STYLE = """
.fd-band{fill:#f6f7f9;stroke:#d5d9de;stroke-width:1}
.fd-band.odd{fill:#eceff3}
.fd-lane{font:600 11px system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;fill:#3b4450}
.fd-node rect,.fd-node polygon{fill:#fff;stroke:#9aa3ad;stroke-width:1.2}
.fd-node text{font:10px system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;fill:#59626d}
.fd-node .nid{font-weight:700;font-size:11px;fill:#38414b}
.fd-node .dur{font-size:9.5px;fill:#7a838d}
.fd-node.end rect{stroke-width:2.4}
.fd-node.taken rect,.fd-node.taken polygon{fill:#e7f0ff;stroke:#1d5fd1;stroke-width:2.2}
.fd-node.end.taken rect{stroke-width:3}
.fd-node.taken text{fill:#123a7a}
.fd-node.taken .nid{fill:#0b2e6b}
.fd-node.diverged rect,.fd-node.diverged polygon{fill:#fdecea;stroke:#c62828;stroke-width:3}
.fd-badge circle{fill:#c62828}
.fd-badge text{font:700 11px system-ui,Arial,sans-serif;fill:#fff}
.fd-edge{fill:none;stroke:#aeb5bd;stroke-width:1.3}
.fd-edge.expected{stroke:#e08a00;stroke-width:2;stroke-dasharray:6 4}
.fd-edge.taken{stroke:#1d5fd1;stroke-width:2.6;stroke-dasharray:none}
.fd-label{font:600 10px system-ui,Arial,sans-serif;fill:#6b7480}
.fd-label.taken{fill:#1d5fd1}
"""


def _marker(mid: str, color: str, size: int) -> str:
    return (f'<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size}" '
            f'markerHeight="{size}" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>')


def _node_svg(box: Box, classes: str, diverged: bool) -> str:
    n = box.node
    w, h = box.w, box.h
    tip = " · ".join(x for x in (n.lane, n.actor or "", duration_text(n.duration),
                                 f"op {n.op}" if n.op else "", f"check {n.check}" if n.check else "")
                     if x)
    parts = [f'<g class="{classes}" data-node="{escape(n.id)}" data-kind="{escape(n.kind)}" '
             f'transform="translate({box.x:.1f},{box.y:.1f})">',
             f"<title>{escape(n.id)}: {escape(n.title)}\n{escape(tip)}</title>"]
    if n.kind == "condition":
        parts.append(f'<polygon points="0,{-h / 2:.1f} {w / 2:.1f},0 0,{h / 2:.1f} {-w / 2:.1f},0"/>')
        parts.append(f'<text class="nid" text-anchor="middle" y="4">{escape(n.id)}</text>')
    elif n.kind in ("start", "end"):
        parts.append(f'<rect x="{-w / 2:.1f}" y="{-h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
                     f'rx="{h / 2:.1f}"/>')
        label = n.id if len(n.id) <= 22 else n.id[:21] + "…"
        size = 10 if len(label) <= 14 else 9
        parts.append(f'<text class="nid" text-anchor="middle" y="4" style="font-size:{size}px">'
                     f"{escape(label)}</text>")
    else:
        parts.append(f'<rect x="{-w / 2:.1f}" y="{-h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6"/>')
        parts.append(f'<text class="nid" x="{-w / 2 + 7:.1f}" y="{-h / 2 + 15:.1f}">{escape(n.id)}</text>')
        dur = duration_text(n.duration)
        if dur:
            parts.append(f'<text class="dur" text-anchor="end" x="{w / 2 - 7:.1f}" '
                         f'y="{-h / 2 + 15:.1f}">{escape(dur)}</text>')
        for i, line in enumerate(wrap(n.title, 21, 3)):
            parts.append(f'<text x="{-w / 2 + 7:.1f}" y="{-h / 2 + 29 + i * 11.5:.1f}">'
                         f"{escape(line)}</text>")
    if diverged:
        parts.append(f'<g class="fd-badge" transform="translate({w / 2 - 2:.1f},{-h / 2 + 2:.1f})">'
                     '<circle r="8"/><text text-anchor="middle" y="4">!</text></g>')
    parts.append("</g>")
    return "".join(parts)


def render_svg(flow: Flow, *, taken: Route | None = None, expected: Route | None = None,
               diverged: str | None = None, svg_id: str = "flow") -> str:
    """The flow as a standalone SVG element (its own styles and markers, all text escaped).

    ``svg_id`` prefixes the marker ids: several diagrams share one HTML page."""
    lay = layout(flow)
    taken_nodes = set(taken.nodes) if taken else set()
    taken_edges = set(taken.edges) if taken else set()
    expected_edges = (set(expected.edges) - taken_edges) if expected else set()
    sid = escape(svg_id)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" id="{sid}" '
           f'width="{lay.width:.0f}" height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} '
           f'{lay.height:.0f}" role="img" aria-label="{escape(flow.id)}: {escape(flow.title)}">',
           f"<title>{escape(flow.id)}: {escape(flow.title)}</title>",
           f"<style>{STYLE}</style>",
           "<defs>", _marker(f"{sid}-arrow", "#aeb5bd", 8),
           _marker(f"{sid}-arrow-taken", "#1d5fd1", 10),
           _marker(f"{sid}-arrow-expected", "#e08a00", 10), "</defs>"]
    for i, band in enumerate(lay.bands):
        odd = " odd" if i % 2 else ""
        out.append(f'<g class="fd-lane-band" data-lane="{escape(band.name)}">'
                   f'<rect class="fd-band{odd}" x="0" y="{band.top:.1f}" width="{lay.width:.0f}" '
                   f'height="{band.height:.1f}"/>'
                   f'<line x1="{LABEL_W}" x2="{LABEL_W}" y1="{band.top:.1f}" '
                   f'y2="{band.top + band.height:.1f}" stroke="#c9ced4"/>')
        lines = wrap(band.name, 20, 3)
        y0 = band.top + band.height / 2 - (len(lines) - 1) * 7
        for j, line in enumerate(lines):
            out.append(f'<text class="fd-lane" x="10" y="{y0 + j * 14 + 4:.1f}">{escape(line)}</text>')
        out.append("</g>")
    # Plain edges first, then expected, then taken, so the highlighted ones are drawn on top.
    def edge_class(e: Edge) -> str:
        if (e.source, e.target) in taken_edges:
            return "taken"
        if (e.source, e.target) in expected_edges:
            return "expected"
        return ""

    order = {"": 0, "expected": 1, "taken": 2}
    for e in sorted(lay.edges, key=lambda e: order[edge_class(e)]):
        cls = edge_class(e)
        marker = f"{sid}-arrow" + (f"-{cls}" if cls else "")
        branch = "" if e.branch is None else f' data-branch="{YES if e.branch else NO}"'
        out.append(f'<g data-edge="{escape(e.source)}&gt;{escape(e.target)}"{branch} '
                   f'class="fd-edge-group {cls}"><path class="fd-edge {cls}" d="{e.d}" '
                   f'marker-end="url(#{marker})"/>')
        if e.label:
            x, y, text = e.label
            out.append(f'<text class="fd-label {cls}" x="{x:.1f}" y="{y:.1f}">{text}</text>')
        out.append("</g>")
    for node_id, box in lay.boxes.items():
        classes = ["fd-node", box.node.kind]
        if node_id in taken_nodes:
            classes.append("taken")
        if node_id == diverged:
            classes.append("diverged")
        out.append(_node_svg(box, " ".join(classes), node_id == diverged))
    out.append("</svg>")
    return "\n".join(out)
