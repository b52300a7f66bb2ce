"""Reading a scenario file: which flow to play, with whom, set up how, expecting what.

A scenario that names a node the flow does not have, a persona that does not exist, or a set-up
that cannot matter would otherwise fail (or, worse, pass) halfway through a run against live
systems. So every scenario is checked whole on load: the flow and personas exist, the options
are the flow's, the expected path is a walk the flow allows under those options, the set-up
explains each "no" the path takes, and **every set-up and option has an effect on the chosen
path** (``executor_refuses`` on a path no executor's conformity check is on would pass with a
decision, proving nothing). The first problem is raised as :class:`ScenarioFileError`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping, cast

import jsonschema

from egov_sim.core.clock import ALMATY
from egov_sim.core.working_time import DurationError, parse_duration
from egov_sim.core.yaml_lines import Checker, YamlMap, kind_of, plain, read_yaml
from egov_sim.reference import balkhash_services
from egov_sim.reference.catalogue import SERVICES
from egov_sim.reference.personas import PERSONAS

from .arguments import check_args, options_of
from .errors import ScenarioFileError
from .flow_files import node_options
from .model import DeadlineClaim, Expectation, ExpectedMessage, Flow, Node, Scenario
from .vocabulary import (
    APPLICATION_FALSIFIES,
    DEADLINES,
    NO,
    NOT_ELIGIBLE,
    PERSONA_FALSIFIES,
    ROLES,
    SERVICE_IDS,
    SETUP,
    SIGNERS,
    TIMINGS,
    YES,
)

_SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_IIN = re.compile(r"^\d{12}$")
_FILE_KEYS = ("flow", "note", "scenarios")
_SCENARIO_KEYS = ("id", "flow", "title", "note", "personas", "setup", "options", "expect", "timing", "start",
                  "application")
_APPLICATION_KEYS = ("category", "subtype", "flags", "form", "documents")
_EXPECT_KEYS = ("path", "outcome", "signed_by", "deadline", "messages")
_MESSAGE_KEYS = ("service_id", "count", "iin")

Walk = list[tuple[str, "bool | None", int]]
"""The expected path as (node, branch, line) steps, without the start and end symbols."""


def load_scenario(path: str | Path, flows: Mapping[str, Flow]) -> list[Scenario]:
    """Read and check one scenario file against ``flows``."""
    path = Path(path)
    f = Checker(str(path), error=ScenarioFileError)
    data = read_yaml(path, f.name, error=ScenarioFileError)
    if "scenarios" in data:
        f.keys(data, "the scenario file", _FILE_KEYS, ("scenarios",))
        default_flow = f.text(data, "flow", "the scenario file")
        f.text(data, "note", "the scenario file")
        items = f.seq(data, "scenarios", "the scenario file", required=True)
        if not items:
            raise f.fail(data.value_line("scenarios"), "scenarios: the list is empty")
        return [_scenario(f, raw, items.item_line(i), default_flow, flows) for i, raw in enumerate(items)]
    return [_scenario(f, data, data.line, None, flows)]


def _scenario(f: Checker, raw: Any, line: int, default_flow: str | None, flows: Mapping[str, Flow]) -> Scenario:
    s = f.keys(raw, f"scenario {raw['id']}" if isinstance(raw, dict) and isinstance(raw.get("id"), str)
               else "a scenario", _SCENARIO_KEYS, ("id", "title", "personas", "expect"), line=line)
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
    application = _application(f, s, where, flow)
    timing = f.text(s, "timing", where, choices=TIMINGS) or "max"
    start = _start(f, s, where)
    expect, walk = _expect(f, s, where, flow, personas, options)
    _check_setup(f, s, where, flow, setup, personas, walk, application)
    _check_effect(f, s, where, flow, setup, options, walk)
    for node_id, _, _ in walk:
        node = flow.node(node_id)
        if node.op is not None:
            check_args(f, node.op, node.args, s.line, options_of(flow, options),
                       f"{where}: with its options, node {node_id}")
    return Scenario(id=sid, flow=flow_id, title=title, personas=MappingProxyType(personas),
                    setup=MappingProxyType(setup), options=MappingProxyType(options), expect=expect,
                    timing=cast(Literal["max", "sampled"], timing), start=start, file=f.name, line=s.line,
                    application=MappingProxyType(application))


def _personas(f: Checker, s: YamlMap, where: str, flow: Flow) -> dict[str, str]:
    p = s["personas"]
    if not isinstance(p, YamlMap):
        raise f.fail(s.value_line("personas"), f"{where}: personas must be a mapping: role → persona key")
    for role, key in p.items():
        if role not in ROLES:
            raise f.fail(p.key_line(role), f"{where}: unknown role {role!r} (roles: {', '.join(ROLES)})")
        if not isinstance(key, str) or key not in PERSONAS:
            raise f.fail(p.value_line(role), f"{where}: {role}: no persona {key!r} in "
                                             "egov_sim/reference/personas.py")
    if "applicant" not in p:
        raise f.fail(p.line, f"{where}: personas: missing 'applicant'")
    if "representative" in p and flow.channel != "con" and flow.regulation != balkhash_services.SEED:
        raise f.fail(p.key_line("representative"), f"{where}: a representative acts only in the ЦОН channel "
                                                   "(002 §9.3; the other channels have no power-of-attorney path)")
    if "subject" in p and flow.regulation != balkhash_services.SEED:
        raise f.fail(p.key_line("subject"), f"{where}: a subject (the person a service is for) is seed 001's")
    return dict(p)


def balkhash_service_of(flow: Flow) -> balkhash_services.BalkhashService | None:
    """The seed-001 service a flow renders (its ``service``), or None."""
    if flow.regulation != balkhash_services.SEED or not flow.service:
        return None
    return balkhash_services.service(flow.service)


def _application(f: Checker, s: YamlMap, where: str, flow: Flow) -> dict[str, Any]:
    """What the applicant files (seed 001): category, sub-type, flags, form, documents."""
    a = s.get("application")
    if a is None:
        return {}
    service = balkhash_service_of(flow)
    if service is None:
        raise f.fail(s.key_line("application"), f"{where}: application is for seed 001's flows (flow {flow.id})")
    a = f.keys(a, f"{where}: application", _APPLICATION_KEYS, (), line=s.value_line("application"))
    out = plain(a)
    if "category" in a and a["category"] not in balkhash_services.CATEGORIES:
        raise f.fail(a.value_line("category"), f"{where}: application category must be one of "
                                               f"{', '.join(balkhash_services.CATEGORIES)}")
    if "subtype" in a and a["subtype"] not in service.subtypes:
        raise f.fail(a.value_line("subtype"), f"{where}: service {service.number} has the sub-types "
                                              f"{', '.join(service.subtypes) or 'none'}")
    for i, flag in enumerate(a.get("flags") or []):
        if flag not in balkhash_services.FLAGS:
            raise f.fail(a.value_line("flags"), f"{where}: application flags[{i}]: unknown flag {flag!r} "
                                                f"(known: {', '.join(balkhash_services.FLAGS)})")
    if "form" in a and not isinstance(a["form"], dict):
        raise f.fail(a.value_line("form"), f"{where}: application form is a mapping of form fields")
    known = service.known_document_codes()
    for code in a.get("documents") or []:
        if code not in known:
            raise f.fail(a.value_line("documents"), f"{where}: {code!r} is not a document of service "
                                                    f"{service.number} ({', '.join(sorted(known))})")
    return out


def _options(f: Checker, s: YamlMap, where: str, flow: Flow) -> dict[str, Any]:
    o = s.get("options")
    if o is None:
        return {}
    if not isinstance(o, YamlMap):
        raise f.fail(s.value_line("options"), f"{where}: options must be a mapping: option → value")
    declared = {r.option: r for r in flow.readings if r.option}
    for name, value in o.items():
        if name not in declared:
            raise f.fail(o.key_line(name), f"{where}: flow {flow.id} has no option {name!r}"
                         + (f" (options: {', '.join(declared)})" if declared else " (it has none)"))
        if type(value) is not type(declared[name].default):
            raise f.fail(o.value_line(name), f"{where}: option {name} must be {kind_of(declared[name].default)} "
                                             f"like its default {_yaml(declared[name].default)}")
    return dict(o)


def _setup(f: Checker, s: YamlMap, where: str) -> dict[str, Any]:
    st = s.get("setup")
    if st is None:
        return {}
    if not isinstance(st, YamlMap):
        raise f.fail(s.value_line("setup"), f"{where}: setup must be a mapping")
    for key, value in st.items():
        if key not in SETUP:
            raise f.fail(st.key_line(key), f"{where}: unknown setup {key!r} (known: {', '.join(SETUP)})")
        errors = list(jsonschema.Draft202012Validator(SETUP[key].schema).iter_errors(plain(value)))
        if errors:
            raise f.fail(st.value_line(key), f"{where}: setup {key}: {errors[0].message}")
    return plain(st)


def _start(f: Checker, s: YamlMap, where: str) -> str:
    text = f.text(s, "start", where)
    if text is None:
        raise f.fail(s.line, f"{where}: missing 'start', the moment its clock begins (an ISO date-time like "
                             "2025-06-05T16:30:00+05:00): a scenario plays on a fixed date, never today's")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise f.fail(s.value_line("start"), f"{where}: start {text!r} is not an ISO date-time "
                                            "like 2025-06-05T16:30:00+05:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ALMATY)
    return moment.astimezone(ALMATY).isoformat()


def _expect(f: Checker, s: YamlMap, where: str, flow: Flow, personas: Mapping[str, str],
            options: Mapping[str, Any]) -> tuple[Expectation, Walk]:
    e = f.keys(s["expect"], f"{where}: expect", _EXPECT_KEYS, ("path", "outcome"), line=s.value_line("expect"))
    walk, end = _walk(f, e, where, flow, options_of(flow, options))
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
        deadline = DeadlineClaim.MET.value if applicable else DeadlineClaim.ANY.value
    elif deadline != DeadlineClaim.ANY.value and not applicable:
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
    return Expectation(path=path, outcome=outcome, signed_by=signed_by, deadline=DeadlineClaim(deadline),
                       messages=tuple(messages)), walk


def _walk(f: Checker, e: YamlMap, where: str, flow: Flow, options: Mapping[str, Any]) -> tuple[Walk, Node]:
    """The expected path as (node, branch, line) steps without the start and end symbols, and
    the end it reaches; edges a reading chooses follow the scenario's options."""
    items = f.seq(e, "path", f"{where}: expect", required=True)
    by_id = {n.id: n for n in flow.nodes}
    start = next(n for n in flow.nodes if n.kind == "start")
    steps: Walk = []
    for i, entry in enumerate(items):
        line = items.item_line(i)
        if not isinstance(entry, str):
            raise f.fail(line, f"{where}: path entries are node ids like P3 or C1:yes, not {kind_of(entry)}")
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
        expected = target(prev, prev_branch, options)
        if node_id != expected:
            because = (f" (option {prev.switch} is {_yaml(options.get(prev.switch))})"
                       if prev.switch is not None else "")
            raise f.fail(line, f"{where}: path: after {label(prev, prev_branch)} the flow goes to {expected}"
                               f"{because}, not {node_id}")
        prev, prev_branch = by_id[node_id], branch
    if prev.kind == "end":
        end = prev
        steps = steps[:-1]
    else:
        end = by_id[target(prev, prev_branch, options)]
        if end.kind != "end":
            raise f.fail(steps[-1][2], f"{where}: path stops at {label(prev, prev_branch)}; the flow goes on "
                                       f"to {end.id} (a path runs to an end)")
    if any(n == start.id or by_id[n].kind == "end" for n, _, _ in steps):
        raise f.fail(items.line, f"{where}: path: the start and end symbols only begin and end a path")
    return steps, end


def target(node: Node, branch: bool | None, options: Mapping[str, Any]) -> str:
    """Where a node leads: a condition's branch, or its next under the options."""
    if node.kind == "condition":
        return node.on_true if branch else node.on_false
    return node.next_for(options)


def label(node: Node, branch: bool | None) -> str:
    return f"{node.id}:{YES if branch else NO}" if node.kind == "condition" else node.id


def _failing(setup: Mapping[str, Any], personas: Mapping[str, str],
             application: Mapping[str, Any] | None = None) -> tuple[dict[str, str], set[str]]:
    """Checks the set-up and personas make fail (check → what does it), and those that fail
    whatever the options say."""
    failing: dict[str, str] = {}
    always: set[str] = set()
    for key, value in setup.items():
        if key == "category":
            if value in NOT_ELIGIBLE:
                failing["K16"] = "setup category"
            continue
        for check in SETUP[key].falsifies:
            failing[check] = f"setup {key}"
        always.update(SETUP[key].always_fails())
    for (role, persona), checks in PERSONA_FALSIFIES.items():
        if personas.get(role) == persona:
            failing.update({c: f"persona {persona}" for c in checks})
    for key, checks in APPLICATION_FALSIFIES.items():
        if key in (application or {}) or (key == "subject" and "subject" in personas):
            failing.update({c: f"application {key}" for c in checks if c not in failing})
    return failing, always


def _check_setup(f: Checker, s: YamlMap, where: str, flow: Flow, setup: Mapping[str, Any],
                 personas: Mapping[str, str], walk: Walk, application: Mapping[str, Any] | None = None) -> None:
    """The set-up must explain every "no" the path takes, and a set-up that always fails a
    check must not meet a "yes" through it."""
    failing, always = _failing(setup, personas, application)
    raw = s.get("setup")
    blh = balkhash_service_of(flow)
    if blh is not None:
        services = {blh.code}
        documents = blh.known_document_codes()
    else:
        services = {n.args["service"] for n in flow.nodes if "service" in n.args}
        documents = {d.code for code in services for d in SERVICES[code].documents}
    for code in (setup.get("document_defects") or {}):
        if code not in documents:
            raise f.fail(raw.value_line("document_defects"), f"{where}: setup document_defects: {code!r} is not "
                                                             f"a document of {', '.join(sorted(services))}")
    for key in ("prior", "events"):
        for item in setup.get(key) or []:
            if item["persona"] not in PERSONAS:
                raise f.fail(raw.value_line(key), f"{where}: setup {key}: no persona {item['persona']!r}")
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
        here = f"{node_id}:{YES if branch else NO}"
        if branch is False and not any(c in failing for c in checks):
            raise f.fail(line, f"{where}: the path takes {here}, but nothing in setup or personas makes "
                               f"{'/'.join(checks)} fail")
        if branch is True:
            hit = [c for c in checks if c in always]
            if hit:
                raise f.fail(line, f"{where}: the path takes {here}, but {failing[hit[0]]} makes {hit[0]} fail")


def _check_effect(f: Checker, s: YamlMap, where: str, flow: Flow, setup: Mapping[str, Any],
                  options: Mapping[str, Any], walk: Walk) -> None:
    """A set-up or an option that cannot change anything on the chosen path is an error: the
    scenario would pass without testing what it sets up."""
    nodes = [flow.node(n) for n, _, _ in walk]
    path = " > ".join(label(flow.node(n), b) for n, b, _ in walk)
    checked = {c for n in nodes if n.kind == "condition" and n.check for c in n.check.split(",")}
    raw = s.get("setup")
    for key in setup:
        falsifies = set(SETUP[key].falsifies)
        if key == "late" or falsifies & checked:
            continue
        raise f.fail(raw.key_line(key), f"{where}: setup {key} cannot change the path {path}: no condition "
                                        f"on it checks {'/'.join(sorted(falsifies)) or 'anything it sets up'}")
    used = {name for n in nodes for name in node_options(n)}
    labels = tuple(f"{n}:{YES if b else NO}" if b is not None else n for n, b, _ in walk)
    used |= {t.end_day_option for t in flow.terms_for(labels) if t.end_day_option}
    raw_options = s.get("options")
    for name in options:
        if name not in used:
            raise f.fail(raw_options.key_line(name), f"{where}: option {name} cannot change the path {path}: "
                                                     "no node on it depends on it")


def _yaml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)
