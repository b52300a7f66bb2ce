"""Reading flow and scenario files: YAML with line numbers, checked before anything runs.

A scenario that names a node the flow does not have, or a persona that does not exist, would
otherwise fail halfway through a run against live systems, far from the typo. So every file is
checked whole on load — keys and types, edges, reachability, operations and their arguments,
durations, personas, that the expected path is a walk the flow allows and that the set-up
explains each "no" branch — and the first problem is reported as ``file:line: what``
(:class:`ScenarioFileError`, one line, as the CLI prints input errors).

The file formats are in docs/scenarios.md.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

import jsonschema
import yaml

from egov_sim.reference.personas import PERSONAS
from egov_sim.adapters.gbd_fl.provider import SERVICE_ID as GBDFL_SERVICE_ID
from egov_sim.adapters.gbd_fl.provider import TOKEN_SERVICE_ID as GBDFL_TOKEN_SERVICE_ID
from egov_sim.adapters.notary.provider import SERVICE_ID as ENIS_SERVICE_ID
from egov_sim.core.clock import ALMATY
from egov_sim.core.errors import InputError
from egov_sim.reference.catalogue import SERVICES

from egov_sim.core.working_time import DurationError, HoursError, WorkingHours, parse_duration
from .model import Duration, ExpectedMessage, Expectation, Flow, Node, Reading, Scenario, Term
from .operations import NOTICE_KINDS, OPERATIONS

FLOWS_DIR = "flows"
CATALOG_DIR = "catalog"


class ScenarioFileError(InputError):
    """A flow or scenario file that cannot be used: ``file:line: what``."""

    code = "SCENARIO_FILE"

    def __init__(self, file: str, line: int, what: str):
        super().__init__(f"{file}:{line}: {what}")
        self.file, self.line, self.what = file, line, what


# --- vocabulary ---------------------------------------------------------------------------------

KINDS = ("start", "process", "condition", "end")
BASES = ("text", "reconstructed", "inferred")
CHANNELS = ("con", "portal", "office", "akim")
"""egov_sim/reference/catalogue.py CHANNELS: ЦОН, portal, the provider's office, the rural akim."""
REGULATIONS = ("000", "001", "002")
CHECKS = tuple(f"K{n:02d}" for n in range(1, 20))
"""regulations-kz.md §6."""
OUTCOMES = ("decision", "refusal") + tuple(f"notice:{k}" for k in NOTICE_KINDS)
ROLES = ("applicant", "representative", "operator", "clerk", "head", "executor")
"""Roles a scenario gives personas to; ``applicant`` is required, ``representative`` only
where the seed has a power-of-attorney path (the ЦОН channel, 002 §9.3)."""
SIGNERS = ("head", "executor")
"""``signed_by`` names a persona, or one of these staff roles of the provider (synthetic staff)."""
DEADLINES = ("met", "missed", "any")
TIMINGS = ("max", "sampled")
YES, NO = "yes", "no"

SERVICE_IDS = frozenset({GBDFL_SERVICE_ID, GBDFL_TOKEN_SERVICE_ID, ENIS_SERVICE_ID, *SERVICES,
                         "SIM_CON_INBOX", "SIM_PORTAL_INBOX"})
"""ШЭП serviceIds a scenario may expect messages of: ГБД ФЛ, ЕНИС, the catalogue's services
(requests to АРМ РШЭП), and the inboxes АРМ РШЭП answers to (gateway/rshep/delivery.py)."""


@dataclass(frozen=True)
class SetupKey:
    schema: Mapping[str, Any]
    falsifies: tuple[str, ...]
    """Checks (K-ids) this set-up makes fail: a condition with one of them takes "no"."""
    always: bool
    """The check fails whatever the options say (a "yes" through it is then an error too)."""
    doc: str


SETUP: Mapping[str, SetupKey] = MappingProxyType({
    "certificate": SetupKey({"enum": ["expired", "revoked", "foreign_iin", "tampered", "unsigned"]},
                            ("K08", "K09", "K10", "K17"), True,
                            "the applicant's EDS at the portal's condition 2: an expired or revoked "
                            "certificate, another person's IIN, a tampered or missing signature"),
    "credentials": SetupKey({"enum": ["wrong_password", "unknown_iin"]}, ("K07",), True,
                            "the portal login (condition 1) with a wrong password or an IIN never registered"),
    "missing_document": SetupKey({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"},
                                                                    "minItems": 1}]},
                                 ("K01",), True,
                                 "documentTypeCode(s) left out of the package (ЦОН condition 0)"),
    "person_missing": SetupKey({"const": True}, ("K03",), False,
                               "the applicant is not in ГБД ФЛ (or use persona not_registered)"),
    "poa": SetupKey({"enum": ["expired", "revoked", "scope_mismatch", "absent"]}, ("K04",), False,
                    "the representative's power of attorney in ЕНИС (match the poa_agent_* persona)"),
    "documents_incomplete": SetupKey({"oneOf": [{"const": True}, {"type": "array", "items": {"type": "string"},
                                                                     "minItems": 1}]},
                                     ("K15",), True,
                                     "000: documents insufficient, damaged or lost (the term is extended)"),
    "executor_refuses": SetupKey({"type": "string", "minLength": 1}, ("K06",), True,
                                 "002: the executor finds violations in the documents; the reason text"),
    "category": SetupKey({"enum": ["disability", "socially_significant_disease", "low_income", "veteran",
                                   "large_family", "other"]}, (), False,
                         "000: the recipient's category on the form; only disability and "
                         "socially_significant_disease may use the portal (K16)"),
    "late": SetupKey({"type": "object", "additionalProperties": {"type": "string"}}, (), False,
                     "node → extra duration: the step takes its maximum plus this (a late executor)"),
})

_NOT_ELIGIBLE = ("low_income", "veteran", "large_family", "other")
_PERSONA_FALSIFIES = {
    ("applicant", "not_registered"): ("K03",),
    ("representative", "poa_agent_expired"): ("K04",),
    ("representative", "poa_agent_revoked"): ("K04",),
    ("representative", "poa_agent_scope_mismatch"): ("K04",),
}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.]*$")
_FLOW_ID = re.compile(r"^\d{3}-[a-z][a-z_]*$")
_SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_OPTION = re.compile(r"^[a-z][a-z0-9_]*$")
_IIN = re.compile(r"^\d{12}$")


# --- YAML with line numbers ---------------------------------------------------------------------

class _Map(dict):
    """A YAML mapping that remembers where it, each key and each value are."""

    line: int = 0
    key_lines: dict
    value_lines: dict

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        return self.value_lines.get(key, self.line)


class _Seq(list):
    line: int = 0
    item_lines: list

    def item_line(self, i: int) -> int:
        return self.item_lines[i] if i < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """Safe YAML, with YAML 1.2's plain scalars for booleans (true/false only, so ``C1:no`` or a
    bare ``no`` stay text) and integers (``002`` stays text), and no implicit timestamps."""

    yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                                                       "tag:yaml.org,2002:timestamp")]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    file = "?"


_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
                              list("-+0123456789"))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    m = _Map()
    m.line, m.key_lines, m.value_lines = node.start_mark.line + 1, {}, {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise ScenarioFileError(loader.file, line, f"keys are text; {key!r} is not")
        if key in m:
            raise ScenarioFileError(loader.file, line, f"duplicate key {key!r} (first on line {m.key_lines[key]})")
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[key], m.value_lines[key] = line, value_node.start_mark.line + 1
    return m


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    s = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    s.line, s.item_lines = node.start_mark.line + 1, [c.start_mark.line + 1 for c in node.value]
    return s


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _read_yaml(path: Path, name: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioFileError(name, 0, f"cannot read the file: {exc}") from None
    loader = _Loader(text)
    loader.file = name
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ScenarioFileError(name, line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ScenarioFileError(name, 0, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, _Map):
        raise ScenarioFileError(name, getattr(data, "line", 1) or 1, "the file must be a YAML mapping")
    return data


# --- checking helpers ---------------------------------------------------------------------------

class _File:
    """Error reporting for one file."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, line: int, what: str) -> ScenarioFileError:
        return ScenarioFileError(self.name, line, what)

    def keys(self, m: Any, where: str, allowed: Sequence[str], required: Sequence[str] = (), line: int = 0) -> _Map:
        if not isinstance(m, _Map):
            raise self.fail(getattr(m, "line", 0) or line, f"{where} must be a mapping")
        for key in m:
            if key not in allowed:
                raise self.fail(m.key_line(key), f"unknown key {key!r} in {where} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in m or m[key] is None:
                raise self.fail(m.line, f"{where}: missing {key!r}")
        return m

    def text(self, m: _Map, key: str, where: str, *, required: bool = False, pattern: re.Pattern | None = None,
             choices: Sequence[str] | None = None) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(m.line, f"{where}: missing {key!r}")
            return None
        if not isinstance(value, str):
            raise self.fail(m.value_line(key), f"{where}: {key} must be text, not {_kind(value)}"
                            + (" (quote it)" if isinstance(value, (int, float, bool)) else ""))
        if choices is not None and value not in choices:
            raise self.fail(m.value_line(key), f"{where}: {key} {value!r} is not one of {', '.join(choices)}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(m.value_line(key), f"{where}: {key} {value!r} is not a valid {key}")
        return value

    def texts(self, m: _Map, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """A text or a list of texts, each with its line."""
        value = m.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return ((value, m.value_line(key)),)
        if isinstance(value, _Seq) and all(isinstance(v, str) for v in value):
            return tuple((v, value.item_line(i)) for i, v in enumerate(value))
        raise self.fail(m.value_line(key), f"{where}: {key} must be text or a list of texts")

    def seq(self, m: _Map, key: str, where: str, *, required: bool = False) -> _Seq:
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(m.line, f"{where}: missing {key!r}")
            empty = _Seq()
            empty.line, empty.item_lines = m.value_line(key), []
            return empty
        if not isinstance(value, _Seq):
            raise self.fail(m.value_line(key), f"{where}: {key} must be a list, not {_kind(value)}")
        return value

    def duration(self, m: _Map, key: str, where: str) -> Duration | None:
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(m.value_line(key), f"{where}: {key} must be text like '30 min' or '<= 6 wd'")
        try:
            return parse_duration(value)
        except DurationError as exc:
            raise self.fail(m.value_line(key), f"{where}: {exc}") from None

    def hours(self, value: Any, line: int, where: str) -> str:
        try:
            return WorkingHours.parse(value).text
        except HoursError as exc:
            raise self.fail(line, f"{where}: {exc}") from None


def _item_label(raw: Any, kind: str, i: int) -> str:
    """``node P3`` when the item has an id, else ``node #4``: for messages before the id is checked."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} {rid}" if isinstance(rid, str) else f"{kind} #{i + 1}"


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _yaml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", _Map: "a mapping", _Seq: "a list",
            str: "text"}.get(type(value), type(value).__name__)


def _plain(value: Any) -> Any:
    """Mappings and lists as plain dicts and lists (what the model and the engine hold)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- option references in args ------------------------------------------------------------------

def _option_refs(value: Any, line: int) -> Iterable[tuple[str, int]]:
    """Every ``{option: NAME}`` in an args value, with its line."""
    if isinstance(value, dict):
        if set(value) == {"option"}:
            yield value["option"], getattr(value, "line", line)
            return
        for k, v in value.items():
            yield from _option_refs(v, value.value_line(k) if isinstance(value, _Map) else line)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _option_refs(v, value.item_line(i) if isinstance(value, _Seq) else line)


def _bind(value: Any, options: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"option"}:
            return options[value["option"]]
        return {k: _bind(v, options) for k, v in value.items()}
    if isinstance(value, list):
        return [_bind(v, options) for v in value]
    return value


def options_of(flow: Flow, chosen: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The flow's switchable readings: each option's default, overridden by ``chosen``."""
    values = {r.option: r.default for r in flow.readings if r.option}
    values.update(chosen or {})
    return values


def resolve_args(flow: Flow, node: Node, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A node's args with every ``{option: NAME}`` replaced by the scenario's value or the
    reading's default: what the engine passes to the operation."""
    return _bind(_plain(node.args), options_of(flow, options))


def _check_args(f: _File, op_name: str, args: Any, line: int, options: Mapping[str, Any], where: str) -> None:
    op = OPERATIONS[op_name]
    bound = _bind(_plain(args), options)
    errors = sorted(jsonschema.Draft202012Validator(op.args).iter_errors(bound), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        at = line
        target: Any = args
        for part in e.path:
            if isinstance(target, _Map) and part in target:
                at, target = target.value_line(part), target[part]
            elif isinstance(target, _Seq) and isinstance(part, int) and part < len(target):
                at, target = target.item_line(part), target[part]
        field = ".".join(str(p) for p in e.path)
        raise f.fail(at, f"{where}: args{'.' + field if field else ''} for {op_name}: {e.message}")


# --- flows --------------------------------------------------------------------------------------

_FLOW_KEYS = ("id", "regulation", "channel", "title", "source", "note", "working_hours", "lanes", "actors",
              "terms", "readings", "nodes")
_NODE_KEYS = ("id", "kind", "lane", "actor", "title", "src", "note", "next", "on_true", "on_false", "duration",
              "op", "args", "check", "basis", "outcomes")
_TERM_KEYS = ("id", "duration", "start", "end", "when", "source", "text")
_READING_KEYS = ("id", "text", "reason", "option", "default")
_LANE_KEYS = ("name", "hours", "note")


def load_flow(path: str | Path) -> Flow:
    """Read and check one flow file (docs/scenarios.md, "Flow files")."""
    path = Path(path)
    f = _File(str(path))
    data = f.keys(_read_yaml(path, f.name), "the flow", _FLOW_KEYS,
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

    lanes, lane_hours = _lanes(f, data)
    actors = _actors(f, data)
    readings = _readings(f, data)
    nodes = _nodes(f, data, lanes, actors, readings)
    by_id = {n.id: n for n in nodes}
    _check_graph(f, nodes, by_id)
    terms = _terms(f, data, by_id)
    _check_options_used(f, data, nodes)
    return Flow(id=flow_id, regulation=regulation, channel=channel, title=title, lanes=lanes,
                nodes=tuple(nodes), total=terms[0].duration, working_hours=working_hours,
                readings=tuple(r for r, _ in readings), source=source, terms=terms,
                lane_hours=MappingProxyType(lane_hours))


def _lanes(f: _File, data: _Map) -> tuple[tuple[str, ...], dict[str, str]]:
    lanes = data["lanes"]
    if not isinstance(lanes, _Map) or not lanes:
        raise f.fail(data.value_line("lanes"), "lanes must be a mapping: lane id → its name (or {name, hours})")
    hours: dict[str, str] = {}
    for lane, spec in lanes.items():
        if not _ID.match(lane):
            raise f.fail(lanes.key_line(lane), f"lane id {lane!r} must be a word (letters, digits, _ and .)")
        if isinstance(spec, _Map):
            f.keys(spec, f"lane {lane}", _LANE_KEYS, ("name",))
            f.text(spec, "name", f"lane {lane}", required=True)
            f.text(spec, "note", f"lane {lane}")
            if "hours" in spec:
                hours[lane] = f.hours(spec["hours"], spec.value_line("hours"), f"lane {lane}: hours")
        elif not isinstance(spec, str):
            raise f.fail(lanes.value_line(lane), f"lane {lane}: its name (text) or {{name, hours}}")
    return tuple(lanes), hours


def _actors(f: _File, data: _Map) -> Mapping[str, str] | None:
    actors = data.get("actors")
    if actors is None:
        return None
    if not isinstance(actors, _Map):
        raise f.fail(data.value_line("actors"), "actors must be a mapping: actor id → who it is")
    for actor in actors:
        f.text(actors, actor, f"actor {actor}", required=True)
    return actors


def _readings(f: _File, data: _Map) -> list[tuple[Reading, _Map]]:
    out: list[tuple[Reading, _Map]] = []
    seen: dict[str, int] = {}
    options: dict[str, int] = {}
    for i, r in enumerate(f.seq(data, "readings", "the flow")):
        where = f"reading #{i + 1}"
        r = f.keys(r, _item_label(r, "reading", i), _READING_KEYS, ("id", "text", "reason"),
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
                            option, default), r))
    return out


def _nodes(f: _File, data: _Map, lanes: tuple[str, ...], actors: Mapping[str, str] | None,
           readings: list[tuple[Reading, _Map]]) -> list[Node]:
    defaults = {r.option: r.default for r, _ in readings if r.option}
    nodes: list[Node] = []
    seen: dict[str, int] = {}
    items = f.seq(data, "nodes", "the flow", required=True)
    for i, raw in enumerate(items):
        n = f.keys(raw, _item_label(raw, "node", i), _NODE_KEYS, ("id", "kind", "lane"), line=items.item_line(i))
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
            if edge in allowed_edges:
                f.text(n, edge, where, required=True)
        duration = f.duration(n, "duration", where)
        if duration is not None and kind in ("start", "end"):
            raise f.fail(n.key_line("duration"), f"{where}: {_a(kind)} node has no duration")
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
            args = _Map()
            args.line, args.key_lines, args.value_lines = n.line, {}, {}
        elif not isinstance(args, _Map):
            raise f.fail(n.value_line("args"), f"{where}: args must be a mapping")
        for name, line in _option_refs(args, n.value_line("args")):
            if name not in defaults:
                raise f.fail(line, f"{where}: args refer to option {name!r}, which no reading declares")
        if op is not None:
            _check_args(f, op, args, n.value_line("args"), defaults, where)
        checks = f.texts(n, "check", where)
        for check, line in checks:
            if check not in CHECKS:
                raise f.fail(line, f"{where}: check {check!r} is not one of K01..K19 (regulations-kz.md §6)")
        outcomes = f.texts(n, "outcomes", where)
        if kind == "end" and not outcomes:
            raise f.fail(n.line, f"{where}: an end node lists its outcomes")
        if kind != "end" and outcomes:
            raise f.fail(n.key_line("outcomes"), f"{where}: only an end node has outcomes")
        for outcome, line in outcomes:
            if outcome not in OUTCOMES:
                raise f.fail(line, f"{where}: outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        nodes.append(Node(id=nid, kind=kind, lane=lane, title=title, actor=actor, next=n.get("next"),
                          on_true=n.get("on_true"), on_false=n.get("on_false"), duration=duration, op=op,
                          args=MappingProxyType(_plain(args)), check=",".join(c for c, _ in checks) or None,
                          basis=basis, line=n.line, source=f.text(n, "src", where) or "",
                          outcomes=tuple(o for o, _ in outcomes)))
    return nodes


def _edges(node: Node) -> list[tuple[str, str]]:
    return [(e, getattr(node, e)) for e in ("next", "on_true", "on_false") if getattr(node, e)]


def _check_graph(f: _File, nodes: list[Node], by_id: dict[str, Node]) -> None:
    starts = [n for n in nodes if n.kind == "start"]
    if len(starts) != 1:
        raise f.fail(starts[1].line if len(starts) > 1 else nodes[0].line if nodes else 1,
                     f"a flow has exactly one start node; this one has {len(starts)}")
    if not any(n.kind == "end" for n in nodes):
        raise f.fail(1, "a flow needs at least one end node")
    for n in nodes:
        for edge, target in _edges(n):
            if target not in by_id:
                raise f.fail(n.line, f"node {n.id}: {edge} → {target!r}: no such node")
            if by_id[target].kind == "start":
                raise f.fail(n.line, f"node {n.id}: {edge} → {target}: nothing leads back to the start")
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


def _branch(f: _File, text: str, line: int, by_id: Mapping[str, Node], where: str) -> tuple[str, bool]:
    node_id, sep, answer = text.partition(":")
    if not sep or answer not in (YES, NO):
        raise f.fail(line, f"{where}: {text!r} is not a branch like C1:yes or C1:no")
    node = by_id.get(node_id)
    if node is None or node.kind != "condition":
        raise f.fail(line, f"{where}: {text!r} names {node_id!r}, which is not a condition of the flow")
    return node_id, answer == YES


def _terms(f: _File, data: _Map, by_id: dict[str, Node]) -> tuple[Term, ...]:
    items = f.seq(data, "terms", "the flow", required=True)
    if not items:
        raise f.fail(data.value_line("terms"), "terms: list at least the regulation's overall term")
    out: list[Term] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        t = f.keys(raw, _item_label(raw, "term", i), _TERM_KEYS, ("id", "duration", "start", "end"),
                   line=items.item_line(i))
        tid = f.text(t, "id", f"term #{i + 1}", required=True, pattern=_OPTION)
        where = f"term {tid}"
        if tid in seen:
            raise f.fail(t.value_line("id"), f"duplicate term id {tid!r}")
        seen.add(tid)
        duration = f.duration(t, "duration", where)
        start = f.text(t, "start", where, required=True)
        if start not in by_id:
            raise f.fail(t.value_line("start"), f"{where}: start {start!r}: no such node")
        ends = f.texts(t, "end", where)
        for end, line in ends:
            if end not in by_id:
                raise f.fail(line, f"{where}: end {end!r}: no such node")
        when = f.texts(t, "when", where)
        for text, line in when:
            _branch(f, text, line, by_id, where)
        out.append(Term(tid, duration, start, tuple(e for e, _ in ends), tuple(w for w, _ in when),
                        f.text(t, "source", where) or "", f.text(t, "text", where) or ""))
    return tuple(out)


def _check_options_used(f: _File, data: _Map, nodes: list[Node]) -> None:
    used = {name for n in nodes for name, _ in _option_refs(_plain(n.args), 0)}
    for i, r in enumerate(f.seq(data, "readings", "the flow")):
        option = r.get("option")
        if option is not None and option not in used:
            raise f.fail(r.value_line("option"), f"reading {r.get('id')}: option {option!r} is not used by "
                                                 "any node's args, so switching it would change nothing")


# --- scenarios ----------------------------------------------------------------------------------

_FILE_KEYS = ("flow", "note", "scenarios")
_SCENARIO_KEYS = ("id", "flow", "title", "note", "personas", "setup", "options", "expect", "timing", "start")
_EXPECT_KEYS = ("path", "outcome", "signed_by", "deadline", "messages")
_MESSAGE_KEYS = ("service_id", "count", "iin")


def load_scenario(path: str | Path, flows: Mapping[str, Flow] | None = None) -> list[Scenario]:
    """Read and check one scenario file against ``flows`` (default: the shipped flows)."""
    path = Path(path)
    f = _File(str(path))
    data = _read_yaml(path, f.name)
    if flows is None:
        flows = load_flows(shipped_flow_paths())
    if "scenarios" in data:
        f.keys(data, "the scenario file", _FILE_KEYS, ("scenarios",))
        default_flow = f.text(data, "flow", "the scenario file")
        f.text(data, "note", "the scenario file")
        items = f.seq(data, "scenarios", "the scenario file", required=True)
        if not items:
            raise f.fail(data.value_line("scenarios"), "scenarios: the list is empty")
        return [_scenario(f, raw, items.item_line(i), default_flow, flows) for i, raw in enumerate(items)]
    return [_scenario(f, data, data.line, None, flows)]


def _scenario(f: _File, raw: Any, line: int, default_flow: str | None, flows: Mapping[str, Flow]) -> Scenario:
    s = f.keys(raw, _item_label(raw, "scenario", 0) if isinstance(raw, dict) and "id" in raw else "a scenario",
               _SCENARIO_KEYS, ("id", "title", "personas", "expect"), line=line)
    sid = f.text(s, "id", "a scenario", required=True, pattern=_SCENARIO_ID)
    where = f"scenario {sid}"
    flow_id = f.text(s, "flow", where) or default_flow
    if flow_id is None:
        raise f.fail(s.line, f"{where}: missing 'flow' (here or at the top of the file)")
    flow = flows.get(flow_id)
    if flow is None:
        raise f.fail(s.value_line("flow") if "flow" in s else s.line,
                     f"{where}: no flow {flow_id!r} (known: {', '.join(sorted(flows))})")
    title = f.text(s, "title", where, required=True)
    f.text(s, "note", where)
    personas = _personas(f, s, where, flow)
    options = _options(f, s, where, flow)
    setup = _setup(f, s, where)
    timing = f.text(s, "timing", where, choices=TIMINGS) or "max"
    start = _start(f, s, where)
    expect, walk = _expect(f, s, where, flow, personas)
    _check_setup(f, s, where, flow, setup, personas, walk)
    for node_id, _, _ in walk:
        node = flow.node(node_id)
        if node.op is not None:
            _check_args(f, node.op, node.args, s.line, options_of(flow, options),
                        f"{where}: with its options, node {node_id}")
    return Scenario(id=sid, flow=flow_id, title=title, personas=MappingProxyType(personas),
                    setup=MappingProxyType(setup), options=MappingProxyType(options), expect=expect,
                    timing=timing, start=start, file=f.name, line=s.line)


def _personas(f: _File, s: _Map, where: str, flow: Flow) -> dict[str, str]:
    p = s["personas"]
    if not isinstance(p, _Map):
        raise f.fail(s.value_line("personas"), f"{where}: personas must be a mapping: role → persona key")
    for role, key in p.items():
        if role not in ROLES:
            raise f.fail(p.key_line(role), f"{where}: unknown role {role!r} (roles: {', '.join(ROLES)})")
        if not isinstance(key, str) or key not in PERSONAS:
            raise f.fail(p.value_line(role), f"{where}: {role}: no persona {key!r} in "
                                             "egov_sim/reference/personas.py")
    if "applicant" not in p:
        raise f.fail(p.line, f"{where}: personas: missing 'applicant'")
    if "representative" in p and flow.channel != "con":
        raise f.fail(p.key_line("representative"), f"{where}: a representative acts only in the ЦОН channel "
                                                   "(002 §9.3; the other channels have no power-of-attorney path)")
    return dict(p)


def _options(f: _File, s: _Map, where: str, flow: Flow) -> dict[str, Any]:
    o = s.get("options")
    if o is None:
        return {}
    if not isinstance(o, _Map):
        raise f.fail(s.value_line("options"), f"{where}: options must be a mapping: option → value")
    declared = {r.option: r for r in flow.readings if r.option}
    for name, value in o.items():
        if name not in declared:
            raise f.fail(o.key_line(name), f"{where}: flow {flow.id} has no option {name!r}"
                         + (f" (options: {', '.join(declared)})" if declared else " (it has none)"))
        if type(value) is not type(declared[name].default):
            raise f.fail(o.value_line(name), f"{where}: option {name} must be {_kind(declared[name].default)} "
                                             f"like its default {_yaml(declared[name].default)}")
    return dict(o)


def _setup(f: _File, s: _Map, where: str) -> dict[str, Any]:
    st = s.get("setup")
    if st is None:
        return {}
    if not isinstance(st, _Map):
        raise f.fail(s.value_line("setup"), f"{where}: setup must be a mapping")
    for key, value in st.items():
        if key not in SETUP:
            raise f.fail(st.key_line(key), f"{where}: unknown setup {key!r} (known: {', '.join(SETUP)})")
        errors = list(jsonschema.Draft202012Validator(SETUP[key].schema).iter_errors(_plain(value)))
        if errors:
            raise f.fail(st.value_line(key), f"{where}: setup {key}: {errors[0].message}")
    return _plain(st)


def _start(f: _File, s: _Map, where: str) -> str | None:
    text = f.text(s, "start", where)
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise f.fail(s.value_line("start"), f"{where}: start {text!r} is not an ISO date-time "
                                            "like 2025-06-05T16:30:00+05:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ALMATY)
    return moment.astimezone(ALMATY).isoformat()


def _expect(f: _File, s: _Map, where: str, flow: Flow, personas: Mapping[str, str]
            ) -> tuple[Expectation, list[tuple[str, bool | None, int]]]:
    e = f.keys(s["expect"], f"{where}: expect", _EXPECT_KEYS, ("path", "outcome"), line=s.value_line("expect"))
    walk, end = _walk(f, e, where, flow)
    outcome = f.text(e, "outcome", f"{where}: expect", required=True)
    if outcome not in end.outcomes:
        raise f.fail(e.value_line("outcome"), f"{where}: the path ends at {end.id}, whose outcomes are "
                                              f"{', '.join(end.outcomes)}; not {outcome!r}")
    signed_by = f.text(e, "signed_by", f"{where}: expect")
    if signed_by is not None and signed_by not in PERSONAS and signed_by not in SIGNERS:
        raise f.fail(e.value_line("signed_by"), f"{where}: signed_by {signed_by!r} is neither a persona nor "
                                                f"one of {', '.join(SIGNERS)}")
    path = tuple(f"{n}:{YES if b else NO}" if b is not None else n for n, b, _ in walk)
    applicable = flow.terms_for(path)
    deadline = f.text(e, "deadline", f"{where}: expect", choices=DEADLINES)
    if deadline is None:
        deadline = "met" if applicable else "any"
    elif deadline != "any" and not applicable:
        raise f.fail(e.value_line("deadline"), f"{where}: no term of flow {flow.id} applies to this path; "
                                               "write deadline: any")
    messages = []
    for i, raw in enumerate(f.seq(e, "messages", f"{where}: expect")):
        m = f.keys(raw, f"{where}: message #{i + 1}", _MESSAGE_KEYS, ("service_id",), line=e.value_line("messages"))
        sid = f.text(m, "service_id", f"{where}: message #{i + 1}", required=True)
        if sid not in SERVICE_IDS:
            raise f.fail(m.value_line("service_id"), f"{where}: unknown serviceId {sid!r} "
                                                     f"(known: {', '.join(sorted(SERVICE_IDS))})")
        count = m.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise f.fail(m.value_line("count"), f"{where}: message count must be a whole number ≥ 0")
        iin = f.text(m, "iin", f"{where}: message #{i + 1}")
        if iin is not None:
            if iin in PERSONAS:
                iin = PERSONAS[iin].iin
            elif not _IIN.match(iin):
                raise f.fail(m.value_line("iin"), f"{where}: iin {iin!r} is neither 12 digits nor a persona key")
        messages.append(ExpectedMessage(sid, count, iin))
    return Expectation(path=path, outcome=outcome, signed_by=signed_by, deadline=deadline,
                       messages=tuple(messages)), walk


def _walk(f: _File, e: _Map, where: str, flow: Flow) -> tuple[list[tuple[str, bool | None, int]], Node]:
    """The expected path as (node, branch, line) steps without the start and end symbols, and
    the end it reaches."""
    items = f.seq(e, "path", f"{where}: expect", required=True)
    by_id = {n.id: n for n in flow.nodes}
    start = next(n for n in flow.nodes if n.kind == "start")
    steps: list[tuple[str, bool | None, int]] = []
    for i, entry in enumerate(items):
        line = items.item_line(i)
        if not isinstance(entry, str):
            raise f.fail(line, f"{where}: path entries are node ids like P3 or C1:yes, not {_kind(entry)}")
        node_id, sep, answer = entry.partition(":")
        node = by_id.get(node_id)
        if node is None:
            raise f.fail(line, f"{where}: path: flow {flow.id} has no node {node_id!r}")
        if node.kind == "condition":
            if not sep or answer not in (YES, NO):
                raise f.fail(line, f"{where}: path: {node_id} is a condition; write {node_id}:yes or {node_id}:no")
            steps.append((node_id, answer == YES, line))
        elif sep:
            raise f.fail(line, f"{where}: path: {node_id} is a {node.kind} node, not a condition; write {node_id}")
        else:
            steps.append((node_id, None, line))
    if not steps:
        raise f.fail(items.line, f"{where}: path is empty")
    if steps[0][0] == start.id:
        steps = steps[1:]
    prev, prev_branch = start, None
    for node_id, branch, line in steps:
        expected = _target(prev, prev_branch)
        if node_id != expected:
            raise f.fail(line, f"{where}: path: after {_label(prev, prev_branch)} the flow goes to {expected}, "
                               f"not {node_id}")
        prev, prev_branch = by_id[node_id], branch
    if prev.kind == "end":
        end = prev
        steps = steps[:-1]
    else:
        end = by_id[_target(prev, prev_branch)]
        if end.kind != "end":
            raise f.fail(steps[-1][2], f"{where}: path stops at {_label(prev, prev_branch)}; the flow goes on "
                                       f"to {end.id} (a path runs to an end)")
    if any(n == start.id or by_id[n].kind == "end" for n, _, _ in steps):
        raise f.fail(items.line, f"{where}: path: the start and end symbols only begin and end a path")
    return steps, end


def _target(node: Node, branch: bool | None) -> str:
    if node.kind == "condition":
        return node.on_true if branch else node.on_false
    return node.next


def _label(node: Node, branch: bool | None) -> str:
    return f"{node.id}:{YES if branch else NO}" if node.kind == "condition" else node.id


def _check_setup(f: _File, s: _Map, where: str, flow: Flow, setup: Mapping[str, Any], personas: Mapping[str, str],
                 walk: list[tuple[str, bool | None, int]]) -> None:
    """The set-up must explain every "no" the path takes, and a set-up that always fails a
    check must not meet a "yes" through it."""
    failing: dict[str, str] = {}
    always: set[str] = set()
    for key, value in setup.items():
        for check in SETUP[key].falsifies:
            failing[check] = f"setup {key}"
            if SETUP[key].always:
                always.add(check)
    if setup.get("category") in _NOT_ELIGIBLE:
        failing["K16"] = "setup category"
    for (role, persona), checks in _PERSONA_FALSIFIES.items():
        if personas.get(role) == persona:
            failing.update({c: f"persona {persona}" for c in checks})
    raw = s.get("setup")
    services = {n.args["service"] for n in flow.nodes if "service" in n.args}
    documents = {d.code for code in services for d in SERVICES[code].documents}
    for key in ("missing_document", "documents_incomplete"):
        value = setup.get(key)
        codes = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for code in codes:
            if code not in documents:
                raise f.fail(raw.value_line(key), f"{where}: setup {key}: {code!r} is not a document of "
                                                  f"{', '.join(sorted(services))} ({', '.join(sorted(documents))})")
    if "poa" in setup and "representative" not in personas:
        raise f.fail(raw.key_line("poa"), f"{where}: setup poa needs a representative persona")
    on_path = {n for n, _, _ in walk}
    late = raw.get("late") if raw else None
    for node_id in late or ():
        if node_id not in on_path:
            raise f.fail(late.key_line(node_id), f"{where}: setup late: {node_id} is not on the path")
        try:
            parse_duration(late[node_id])
        except DurationError as exc:
            raise f.fail(late.value_line(node_id), f"{where}: setup late: {node_id}: {exc}") from None
    for node_id, branch, line in walk:
        node = flow.node(node_id)
        if node.kind != "condition" or not node.check:
            continue
        checks = node.check.split(",")
        label = f"{node_id}:{YES if branch else NO}"
        if branch is False and not any(c in failing for c in checks):
            raise f.fail(line, f"{where}: the path takes {label}, but nothing in setup or personas makes "
                               f"{'/'.join(checks)} fail")
        if branch is True:
            hit = [c for c in checks if c in always]
            if hit:
                raise f.fail(line, f"{where}: the path takes {label}, but {failing[hit[0]]} makes {hit[0]} fail")


# --- many files ---------------------------------------------------------------------------------

def _package_dir(name: str) -> Path:
    return Path(str(importlib.resources.files("egov_sim.scenarios") / name))


def shipped_flow_paths() -> list[Path]:
    """The flow files shipped with egov-sim (scenarios/flows/*.yaml)."""
    return sorted(_package_dir(FLOWS_DIR).glob("*.yaml"))


def shipped_scenario_paths() -> list[Path]:
    """The scenario files shipped with egov-sim (scenarios/catalog/*.yaml)."""
    return sorted(_package_dir(CATALOG_DIR).glob("*.yaml"))


def load_flows(paths: Iterable[str | Path]) -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for path in paths:
        flow = load_flow(path)
        if flow.id in flows:
            raise ScenarioFileError(str(path), 1, f"flow {flow.id!r} is also defined in another file")
        flows[flow.id] = flow
    return flows


def _is_flow(path: Path) -> bool:
    data = _read_yaml(path, str(path))
    return "nodes" in data


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml"))
        elif p.exists():
            out.append(p)
        else:
            raise ScenarioFileError(str(p), 0, "no such file or directory")
    return out


def load_all(paths: Iterable[str | Path] | None = None) -> tuple[dict[str, Flow], list[Scenario]]:
    """Flows and scenarios from files and directories (default: the shipped ones). A file with
    ``nodes`` is a flow; flows given here replace shipped flows of the same id, and scenarios
    are checked against the result. Scenario ids are unique across all files."""
    if paths is None:
        flow_paths, scenario_paths = shipped_flow_paths(), shipped_scenario_paths()
    else:
        files = _expand(paths)
        flow_paths = [p for p in files if _is_flow(p)]
        scenario_paths = [p for p in files if p not in flow_paths]
    given = load_flows(flow_paths)
    flows = given if paths is None else {**load_flows(shipped_flow_paths()), **given}
    scenarios: list[Scenario] = []
    seen: dict[str, Scenario] = {}
    for path in scenario_paths:
        for sc in load_scenario(path, flows):
            if sc.id in seen:
                first = seen[sc.id]
                raise ScenarioFileError(sc.file, sc.line, f"scenario id {sc.id!r} is already used "
                                                          f"({first.file}:{first.line})")
            seen[sc.id] = sc
            scenarios.append(sc)
    return flows, scenarios
