"""Reading a flow file: one regulation's diagram for one channel, checked whole on load.

Keys and types, edges, reachability, operations and their arguments, and the binding to the
regulation's term model (egov_sim/reference/terms.py): a node that plays a cell of the action
table takes the cell's stated duration (and may not state its own), its lane keeps the cell's
calendar, and the flow's terms are the term file's, bound to the nodes that play their cells.
The first problem is raised as :class:`ScenarioFileError` (``file:line: what``). The format is in
docs/scenarios.md, "Flow files".
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, cast

from egov_sim.core.yaml_lines import Checker, YamlMap, item_label, kind_of, plain, read_yaml
from egov_sim.reference import terms as term_model

from .arguments import check_args, option_refs
from .errors import ScenarioFileError
from .model import Flow, Node, NodeKind, Reading, Term
from .operations import OPERATIONS
from .vocabulary import BASES, CHANNELS, CHECKS, KINDS, NO, OUTCOMES, REGULATIONS, YES

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.]*$")
_FLOW_ID = re.compile(r"^\d{3}-[a-z][a-z0-9_-]*$")
_DEFECT = re.compile(r"^D\d{2}$")
_OPTION = re.compile(r"^[a-z][a-z0-9_]*$")

_FLOW_KEYS = ("id", "regulation", "channel", "procedure", "title", "source", "note", "working_hours", "lanes",
              "actors", "terms", "readings", "nodes", "service")
_NODE_KEYS = ("id", "kind", "lane", "actor", "title", "src", "note", "next", "on_true", "on_false", "duration",
              "cell", "op", "args", "check", "basis", "outcomes", "form", "defects")
_TERM_KEYS = ("id", "duration", "start", "end", "when", "source", "text")
_TERM_REF_KEYS = ("term", "start", "end", "when")
_READING_KEYS = ("id", "text", "reason", "option", "default")
_LANE_KEYS = ("name", "hours", "note")
_SWITCH_KEYS = ("option", "on_true", "on_false")


def load_flow(path: str | Path) -> Flow:
    """Read and check one flow file (docs/scenarios.md, "Flow files")."""
    path = Path(path)
    f = Checker(str(path), error=ScenarioFileError)
    data = f.keys(read_yaml(path, f.name, error=ScenarioFileError), "the flow", _FLOW_KEYS,
                  ("id", "regulation", "channel", "title", "working_hours", "lanes", "nodes", "terms"))
    flow_id = f.text(data, "id", "the flow", required=True, pattern=_FLOW_ID)
    if flow_id != path.stem:
        raise f.fail(data.value_line("id"), f"the flow's id {flow_id!r} must be the file's name ({path.stem!r})")
    regulation = f.text(data, "regulation", "the flow", required=True, choices=REGULATIONS)
    channel = f.text(data, "channel", "the flow", required=True, choices=CHANNELS)
    title = f.text(data, "title", "the flow", required=True)
    source = f.text(data, "source", "the flow") or ""
    f.text(data, "note", "the flow")
    working_hours = f.hours(data["working_hours"], data.value_line("working_hours"), "working_hours")
    procedure = _procedure(f, data, regulation)
    service = _service(f, data, regulation, procedure)

    lanes, lane_hours = _lanes(f, data)
    actors = _actors(f, data)
    readings = _readings(f, data, procedure)
    nodes = _nodes(f, data, lanes, actors, readings, procedure,
                   lambda lane: lane_hours.get(lane, working_hours))
    by_id = {n.id: n for n in nodes}
    _check_graph(f, nodes, by_id)
    terms = _terms(f, data, by_id, procedure, channel)
    _check_milestones(f, nodes, terms)
    _check_options_used(f, data, nodes)
    used = {name for n in nodes for name in _options_of_node(n)} | {t.end_day_option for t in terms if t.end_day_option}
    flow_readings = tuple(r for r, _ in readings if r.scope == "flow" or r.option is None or r.option in used)
    stated = next((t.duration for t in terms if t.duration is not None), None)
    return Flow(id=flow_id, regulation=regulation, channel=channel, title=title, lanes=lanes,
                nodes=tuple(nodes), total=stated, working_hours=working_hours, readings=flow_readings,
                source=source, terms=terms, lane_hours=MappingProxyType(lane_hours),
                procedure=f"{procedure.regulation}/{procedure.id}" if procedure else "", service=service,
                service_title=procedure.title if service and procedure else "")


def procedure_of(flow: Flow) -> term_model.Procedure | None:
    """The term model's procedure a loaded flow plays, or None."""
    if not flow.procedure:
        return None
    seed, _, pid = flow.procedure.partition("/")
    reg = term_model.regulation(seed)
    return reg.procedure(pid) if reg else None


def _procedure(f: Checker, data: YamlMap, regulation: str) -> term_model.Procedure | None:
    reg = term_model.regulation(regulation)
    pid = f.text(data, "procedure", "the flow", pattern=_OPTION)
    if reg is None:
        if pid is not None:
            raise f.fail(data.value_line("procedure"), f"regulation {regulation} has no term file "
                         "(egov_sim/reference/regulations/): a flow of it states its own terms")
        return None
    try:
        return reg.procedure(pid)
    except KeyError as exc:
        raise f.fail(data.value_line("procedure") if pid else data.line, f"procedure: {exc.args[0]}") from None


def _service(f: Checker, data: YamlMap, regulation: str, procedure: term_model.Procedure | None) -> str:
    """The service a flow renders: required for seed 001 (fifteen services in one regulation),
    one of its procedure's."""
    code = f.text(data, "service", "the flow")
    if code is None:
        if procedure is not None and procedure.regulation == "001":
            raise f.fail(data.line, "service: a flow of regulation 001 names its service (BLH-S01..BLH-S15)")
        return ""
    if procedure is not None and code not in procedure.services:
        raise f.fail(data.value_line("service"), f"service {code!r} is not one of procedure {procedure.id}'s "
                                                 f"({', '.join(procedure.services)})")
    return code


def _lanes(f: Checker, data: YamlMap) -> tuple[tuple[str, ...], dict[str, str]]:
    lanes = data["lanes"]
    if not isinstance(lanes, YamlMap) or not lanes:
        raise f.fail(data.value_line("lanes"), "lanes must be a mapping: lane id → its name (or {name, hours})")
    hours: dict[str, str] = {}
    for lane, spec in lanes.items():
        if not _ID.match(lane):
            raise f.fail(lanes.key_line(lane), f"lane id {lane!r} must be a word (letters, digits, _ and .)")
        if isinstance(spec, YamlMap):
            f.keys(spec, f"lane {lane}", _LANE_KEYS, ("name",))
            f.text(spec, "name", f"lane {lane}", required=True)
            f.text(spec, "note", f"lane {lane}")
            if "hours" in spec:
                hours[lane] = f.hours(spec["hours"], spec.value_line("hours"), f"lane {lane}: hours")
        elif not isinstance(spec, str):
            raise f.fail(lanes.value_line(lane), f"lane {lane}: its name (text) or {{name, hours}}")
    return tuple(lanes), hours


def _actors(f: Checker, data: YamlMap) -> Mapping[str, str] | None:
    actors = data.get("actors")
    if actors is None:
        return None
    if not isinstance(actors, YamlMap):
        raise f.fail(data.value_line("actors"), "actors must be a mapping: actor id → who it is")
    for actor in actors:
        f.text(actors, actor, f"actor {actor}", required=True)
    return actors


def _readings(f: Checker, data: YamlMap, procedure: term_model.Procedure | None) -> list[tuple[Reading, int]]:
    out: list[tuple[Reading, int]] = []
    seen: dict[str, int] = {}
    options: dict[str, int] = {}
    for i, r in enumerate(f.seq(data, "readings", "the flow")):
        where = f"reading #{i + 1}"
        r = f.keys(r, item_label(r, "reading", i), _READING_KEYS, ("id", "text", "reason"),
                   line=data.value_line("readings"))
        rid = f.text(r, "id", where, required=True, pattern=re.compile(r"^[a-z0-9][a-z0-9_-]*$"))
        where = f"reading {rid}"
        if rid in seen:
            raise f.fail(r.value_line("id"), f"duplicate reading id {rid!r} (first on line {seen[rid]})")
        seen[rid] = r.value_line("id")
        option = f.text(r, "option", where, pattern=_OPTION)
        default = r.get("default")
        if option is None and default is not None:
            raise f.fail(r.key_line("default"), f"{where}: a default needs an option to switch")
        if option is not None:
            if option in options:
                raise f.fail(r.value_line("option"), f"{where}: option {option!r} is already switched by "
                                                     f"the reading on line {options[option]}")
            options[option] = r.value_line("option")
            if not isinstance(default, (bool, str)):
                raise f.fail(r.value_line("default") if "default" in r else r.value_line("option"),
                             f"{where}: option {option!r} needs a default (true, false or text)")
        out.append((Reading(rid, f.text(r, "text", where, required=True), f.text(r, "reason", where, required=True),
                            option, default), r.value_line("id")))
    for r in (procedure.readings if procedure else ()):
        if r.id in seen or (r.option and r.option in options):
            raise f.fail(seen.get(r.id) or options.get(r.option) or data.line,
                         f"reading {r.id} (option {r.option}) is the term file's ({procedure.file}): "
                         "do not declare it in the flow")
        out.append((Reading(r.id, r.text, r.reason, r.option, r.default, scope="terms"), 0))
    return out


def _next(f: Checker, n: YamlMap, where: str, defaults: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """``next``: a node id, or ``{option, on_true, on_false}`` (a reading chooses)."""
    value = n.get("next")
    if isinstance(value, YamlMap):
        f.keys(value, f"{where}: next", _SWITCH_KEYS, _SWITCH_KEYS)
        option = f.text(value, "option", f"{where}: next", required=True)
        if option not in defaults:
            raise f.fail(value.value_line("option"), f"{where}: next depends on option {option!r}, "
                                                     "which no reading declares")
        if not isinstance(defaults[option], bool):
            raise f.fail(value.value_line("option"), f"{where}: next depends on option {option!r}, "
                                                     "which is not true or false")
        on_true = f.text(value, "on_true", f"{where}: next", required=True)
        on_false = f.text(value, "on_false", f"{where}: next", required=True)
        if on_true == on_false:
            raise f.fail(value.line, f"{where}: next leads to {on_true} either way; write next: {on_true}")
        return on_true, option, on_false
    return f.text(n, "next", where, required=True), None, None


def _nodes(f: Checker, data: YamlMap, lanes: tuple[str, ...], actors: Mapping[str, str] | None,
           readings: list[tuple[Reading, int]], procedure: term_model.Procedure | None, hours_of) -> list[Node]:
    defaults = {r.option: r.default for r, _ in readings if r.option}
    nodes: list[Node] = []
    seen: dict[str, int] = {}
    cells_played: dict[str, str] = {}
    items = f.seq(data, "nodes", "the flow", required=True)
    for i, raw in enumerate(items):
        n = f.keys(raw, item_label(raw, "node", i), _NODE_KEYS, ("id", "kind", "lane"), line=items.item_line(i))
        nid = f.text(n, "id", f"node #{i + 1}", required=True, pattern=_ID)
        where = f"node {nid}"
        if nid in seen:
            raise f.fail(n.value_line("id"), f"duplicate node id {nid!r} (first on line {seen[nid]})")
        seen[nid] = n.value_line("id")
        kind = f.text(n, "kind", where, required=True, choices=KINDS)
        lane = f.text(n, "lane", where, required=True)
        if lane not in lanes:
            raise f.fail(n.value_line("lane"), f"{where}: lane {lane!r} is not declared in lanes")
        actor = f.text(n, "actor", where)
        if actor is not None and actors is not None and actor not in actors:
            raise f.fail(n.value_line("actor"), f"{where}: actor {actor!r} is not declared in actors")
        title = f.text(n, "title", where, required=kind in ("process", "condition")) or ""
        f.text(n, "note", where)
        basis = f.text(n, "basis", where, choices=BASES) or "text"
        allowed_edges = {"start": ("next",), "process": ("next",), "condition": ("on_true", "on_false"),
                         "end": ()}[kind]
        for edge in ("next", "on_true", "on_false"):
            if edge in n and edge not in allowed_edges:
                raise f.fail(n.key_line(edge), f"{where}: {_a(kind)} node has no {edge!r}"
                             + (" (a condition has on_true and on_false)" if edge == "next" else ""))
            if edge in allowed_edges and edge != "next":
                f.text(n, edge, where, required=True)
        nxt, switch, next_off = _next(f, n, where, defaults) if "next" in allowed_edges else (None, None, None)

        duration = f.duration(n, "duration", where)
        if duration is not None and kind in ("start", "end"):
            raise f.fail(n.key_line("duration"), f"{where}: {_a(kind)} node has no duration")
        cell = _cell_of(f, n, where, nid, kind, procedure)
        milestone = milestone_option = duration_option = deadline_defect = None
        if cell is not None:
            if duration is not None:
                raise f.fail(n.key_line("duration"), f"{where}: its duration is cell {cell.id}'s in "
                             f"{procedure.file} ({cell.text_of_duration()}, {cell.source}); do not restate it")
            if cell.id in cells_played:
                raise f.fail(n.line, f"{where}: cell {cell.id} is already played by node {cells_played[cell.id]}")
            cells_played[cell.id] = nid
            if hours_of(lane) != procedure.hours(cell.calendar):
                raise f.fail(n.value_line("lane"), f"{where}: lane {lane} keeps {hours_of(lane)}, but cell "
                             f"{cell.id} is counted on the {cell.calendar} calendar ({procedure.hours(cell.calendar)})")
            duration, milestone = cell.duration, cell.milestone
            milestone_option, duration_option = cell.milestone_reading, cell.reading
            deadline_defect = cell.defect

        op = f.text(n, "op", where)
        if kind in ("process", "condition"):
            if op is None:
                raise f.fail(n.line, f"{where}: missing 'op' (the operation that plays it; "
                                     "person.act for a step outside the systems)")
            if op not in OPERATIONS:
                raise f.fail(n.value_line("op"), f"{where}: unknown op {op!r} (see scenarios/operations.py)")
            if kind not in OPERATIONS[op].plays:
                raise f.fail(n.value_line("op"), f"{where}: {op} plays a {' or '.join(OPERATIONS[op].plays)} "
                                                 f"node, not a {kind}")
        elif op is not None or "args" in n:
            raise f.fail(n.key_line("op" if op is not None else "args"), f"{where}: {_a(kind)} node has no op")
        args = n.get("args")
        if args is None:
            args = YamlMap.empty(n.line)
        elif not isinstance(args, YamlMap):
            raise f.fail(n.value_line("args"), f"{where}: args must be a mapping")
        for name, line in option_refs(args, n.value_line("args")):
            if name not in defaults:
                raise f.fail(line, f"{where}: args refer to option {name!r}, which no reading declares")
        if op is not None:
            check_args(f, op, args, n.value_line("args"), defaults, where)
        checks = f.texts(n, "check", where)
        for check, line in checks:
            if check not in CHECKS:
                raise f.fail(line, f"{where}: check {check!r} is not one of K01..K19 (regulations-kz.md §6)")
        defects = f.texts(n, "defects", where)
        for code, line in defects:
            if not _DEFECT.match(code):
                raise f.fail(line, f"{where}: defects: {code!r} is not an entry of a defect register (D01)")
        outcomes = f.texts(n, "outcomes", where)
        if kind == "end" and not outcomes:
            raise f.fail(n.line, f"{where}: an end node lists its outcomes")
        if kind != "end" and outcomes:
            raise f.fail(n.key_line("outcomes"), f"{where}: only an end node has outcomes")
        for outcome, line in outcomes:
            if outcome not in OUTCOMES:
                raise f.fail(line, f"{where}: outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        nodes.append(Node(id=nid, kind=cast(NodeKind, kind), lane=lane, title=title, actor=actor, next=nxt,
                          on_true=n.get("on_true"), on_false=n.get("on_false"), duration=duration, op=op,
                          args=MappingProxyType(plain(args)), check=",".join(c for c, _ in checks) or None,
                          basis=basis, line=n.line, source=f.text(n, "src", where) or "",
                          outcomes=tuple(o for o, _ in outcomes), cell=cell.id if cell else None,
                          milestone=milestone, milestone_option=milestone_option,
                          duration_option=duration_option, switch=switch, next_off=next_off,
                          form=f.text(n, "form", where) or "", defects=tuple(c for c, _ in defects),
                          deadline_defect=deadline_defect))
    return nodes


def _cell_of(f: Checker, n: YamlMap, where: str, nid: str, kind: str,
             procedure: term_model.Procedure | None) -> term_model.Cell | None:
    """The cell a node plays: named by ``cell``, or its own id when the procedure has that cell."""
    named = f.text(n, "cell", where)
    if named is not None:
        if procedure is None:
            raise f.fail(n.value_line("cell"), f"{where}: cell {named!r}: the regulation has no term file")
        if not procedure.has_cell(named):
            raise f.fail(n.value_line("cell"), f"{where}: procedure {procedure.id} of {procedure.file} has no "
                         f"cell {named!r} (cells: {', '.join(c.id for c in procedure.cells)})")
        if kind not in ("process", "condition"):
            raise f.fail(n.key_line("cell"), f"{where}: {_a(kind)} node plays no cell")
        return procedure.cell(named)
    if procedure is not None and kind in ("process", "condition") and procedure.has_cell(nid):
        return procedure.cell(nid)
    return None


def _edges(node: Node) -> list[tuple[str, str]]:
    return [(e, getattr(node, e)) for e in ("next", "next_off", "on_true", "on_false") if getattr(node, e)]


def _check_graph(f: Checker, nodes: list[Node], by_id: dict[str, Node]) -> None:
    starts = [n for n in nodes if n.kind == "start"]
    if len(starts) != 1:
        raise f.fail(starts[1].line if len(starts) > 1 else nodes[0].line if nodes else 1,
                     f"a flow has exactly one start node; this one has {len(starts)}")
    if not any(n.kind == "end" for n in nodes):
        raise f.fail(1, "a flow needs at least one end node")
    for n in nodes:
        for edge, target in _edges(n):
            edge_name = "next (option false)" if edge == "next_off" else edge
            if target not in by_id:
                raise f.fail(n.line, f"node {n.id}: {edge_name} → {target!r}: no such node")
            if by_id[target].kind == "start":
                raise f.fail(n.line, f"node {n.id}: {edge_name} → {target}: nothing leads back to the start")
        if n.kind == "condition" and n.on_true == n.on_false:
            raise f.fail(n.line, f"node {n.id}: on_true and on_false lead to the same node {n.on_true}")
    reached = {starts[0].id}
    todo = deque([starts[0].id])
    while todo:
        for _, target in _edges(by_id[todo.popleft()]):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    for n in nodes:
        if n.id not in reached:
            raise f.fail(n.line, f"node {n.id} cannot be reached from {starts[0].id}")
    ending = {n.id for n in nodes if n.kind == "end"}
    grew = True
    while grew:
        grew = False
        for n in nodes:
            if n.id not in ending and any(t in ending for _, t in _edges(n)):
                ending.add(n.id)
                grew = True
    for n in nodes:
        if n.id not in ending:
            raise f.fail(n.line, f"node {n.id}: no end can be reached from it (a loop?)")


def _branch(f: Checker, text: str, line: int, by_id: Mapping[str, Node], where: str) -> tuple[str, bool]:
    node_id, sep, answer = text.partition(":")
    if not sep or answer not in (YES, NO):
        raise f.fail(line, f"{where}: {text!r} is not a branch like C1:yes or C1:no")
    node = by_id.get(node_id)
    if node is None or node.kind != "condition":
        raise f.fail(line, f"{where}: {text!r} names {node_id!r}, which is not a condition of the flow")
    return node_id, answer == YES


def _terms(f: Checker, data: YamlMap, by_id: dict[str, Node], procedure: term_model.Procedure | None,
           channel: str) -> tuple[Term, ...]:
    items = f.seq(data, "terms", "the flow", required=True)
    if not items and (procedure is None or any(n.cell for n in by_id.values())):
        raise f.fail(data.value_line("terms"), "terms: list at least the regulation's overall term (only a flow "
                                               "of acts the action tables do not time may list none)")
    out: list[Term] = []
    for i, raw in enumerate(items):
        if procedure is None:
            out.append(_inline_term(f, raw, i, items, by_id))
        else:
            out.append(_bound_term(f, raw, i, items, by_id, procedure, channel))
        if out[-1].id in {t.id for t in out[:-1]}:
            raise f.fail(items.item_line(i), f"term {out[-1].id!r} is listed twice")
    return tuple(out)


def _ends(f: Checker, t: YamlMap, where: str, by_id: Mapping[str, Node]) -> tuple[str, ...]:
    ends = f.texts(t, "end", where)
    for end, line in ends:
        if end not in by_id:
            raise f.fail(line, f"{where}: end {end!r}: no such node")
    return tuple(e for e, _ in ends)


def _whens(f: Checker, t: YamlMap, where: str, by_id: Mapping[str, Node]) -> tuple[str, ...]:
    when = f.texts(t, "when", where)
    for text, line in when:
        _branch(f, text, line, by_id, where)
    return tuple(w for w, _ in when)


def _inline_term(f: Checker, raw: Any, i: int, items, by_id: dict[str, Node]) -> Term:
    """A term of a flow whose regulation has no term file: stated in the flow itself."""
    t = f.keys(raw, item_label(raw, "term", i), _TERM_KEYS, ("id", "duration", "start", "end"),
               line=items.item_line(i))
    tid = f.text(t, "id", f"term #{i + 1}", required=True, pattern=_OPTION)
    where = f"term {tid}"
    duration = f.duration(t, "duration", where)
    start = f.text(t, "start", where, required=True)
    if start not in by_id:
        raise f.fail(t.value_line("start"), f"{where}: start {start!r}: no such node")
    return Term(tid, duration, start, _ends(f, t, where, by_id), _whens(f, t, where, by_id),
                f.text(t, "source", where) or "", f.text(t, "text", where) or "", allowed=str(duration))


def _bound_term(f: Checker, raw: Any, i: int, items, by_id: dict[str, Node], procedure: term_model.Procedure,
                channel: str) -> Term:
    """A term of the regulation's term file, bound to this flow's nodes: its start and end are
    the nodes that play its cells, unless the flow names them (a term without cells)."""
    if not isinstance(raw, YamlMap) or "term" not in raw:
        keys = ", ".join(raw) if isinstance(raw, YamlMap) else kind_of(raw)
        raise f.fail(getattr(raw, "line", 0) or items.item_line(i),
                     f"term #{i + 1}: regulation {procedure.regulation}'s terms are its term file's "
                     f"({procedure.file}): write {{term: <id>, start, end, when}}, not {keys}")
    t = f.keys(raw, item_label(raw, "term", i), _TERM_REF_KEYS, ("term",), line=items.item_line(i))
    tid = f.text(t, "term", f"term #{i + 1}", required=True)
    try:
        model = procedure.term(tid)
    except KeyError:
        raise f.fail(t.value_line("term"), f"term {tid!r}: procedure {procedure.id} of {procedure.file} has "
                     f"no such term (terms: {', '.join(x.id for x in procedure.terms)})") from None
    where = f"term {tid}"
    played = {n.cell: n.id for n in by_id.values() if n.cell}
    start = f.text(t, "start", where)
    if start is None:
        if model.start is None or model.start not in played:
            raise f.fail(t.line, f"{where}: no node of this flow plays its start cell "
                         f"{model.start or '(none)'}; name the node (start: …)")
        start = played[model.start]
    elif start not in by_id:
        raise f.fail(t.value_line("start"), f"{where}: start {start!r}: no such node")
    ends = _ends(f, t, where, by_id)
    if not ends:
        if model.end is None or model.end not in played:
            raise f.fail(t.line, f"{where}: no node of this flow plays its end cell {model.end or '(none)'}; "
                         "name the nodes (end: […])")
        ends = (played[model.end],)
    allowed = str(model.duration) if model.duration is not None else (
        procedure.span(model, channel).text() if channel in procedure.chains
        and model.start in procedure.chains[channel] and model.end in procedure.chains[channel]
        else "sum of the steps")
    return Term(tid, model.duration, start, ends, _whens(f, t, where, by_id), model.source, model.text,
                basis=model.basis.value, receipt=channel in model.receipt, counting=model.counting.value,
                end_day_excluded=model.end_day_excluded, allowed=allowed, end_day_option=model.end_day_reading,
                defect=model.defect, hours=procedure.hours(model.calendar) if model.calendar else "")


def _check_milestones(f: Checker, nodes: list[Node], terms: tuple[Term, ...]) -> None:
    bound = {t.id for t in terms}
    for n in nodes:
        if n.milestone and n.milestone not in bound:
            raise f.fail(n.line, f"node {n.id} plays a milestone of term {n.milestone}, which the flow's "
                                 "terms do not bind (add {term: " + n.milestone + "})")


def _options_of_node(n: Node) -> set[str]:
    names = {name for name, _ in option_refs(plain(n.args), 0)}
    names |= {o for o in (n.switch, n.milestone_option, n.duration_option) if o}
    return names


def _check_options_used(f: Checker, data: YamlMap, nodes: list[Node]) -> None:
    used = {name for n in nodes for name in _options_of_node(n)}
    for r in f.seq(data, "readings", "the flow"):
        option = r.get("option") if isinstance(r, YamlMap) else None
        if option is not None and option not in used:
            raise f.fail(r.value_line("option"), f"reading {r.get('id')}: option {option!r} is not used by "
                                                 "any node's args or edges, so switching it would change nothing")


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def node_options(node: Node) -> set[str]:
    """The reading options a node's play depends on (its args, its edge, its timing)."""
    return _options_of_node(node)
