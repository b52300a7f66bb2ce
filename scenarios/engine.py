"""The engine: plays each scenario's flow node by node against the systems and compares.

For every node it moves the virtual clock to the moment the step's act happens (Kazakhstan
working time, scenarios/timing.py), runs the node's operation against the real HTTP APIs
(scenarios/ops) and, at a condition, takes the branch the systems answered. The first time that
branch is not the expected one, or a step cannot be played, it stops and says where and why, as
a diff of the expected and taken paths. At the end it checks the outcome and who signed it, the
terms of the regulation and the ШЭП messages, and gives a :class:`ScenarioResult`.

Scenarios are independent (each gets fresh systems), so ``jobs > 1`` plays them in a pool of
processes, each building its own simulators from one template home.
"""

from __future__ import annotations

import concurrent.futures
import copyreg
import dataclasses
import datetime as dt
import multiprocessing
import os
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Sequence

from egov_sim.reference.personas import PERSONAS
from egov_sim.core import ids
from egov_sim.core.clock import ALMATY
from egov_sim.reference.catalogue import PROVIDERS
from egov_sim.gateway.rshep.staff import STAFF

from . import messages as journal_messages
from .arguments import options_of, resolve_args
from .flow_files import procedure_of
from .defects import calendar_defects, flow_defects, path_defects
from .model import DeadlineClaim, Flow, Node, Scenario
from .ops import OPS, Divergence, Outcome, PlayContext, StepError
from .results import RegulationDefect, RunResult, ScenarioResult, StepResult, StepStatus, TermResult
from .setup import prepare, system_settings
from .simulator import (AppFactory, LocalSystems, RemoteSystems, Systems, Template, build_template,
                        cached_template, template_epoch)
from .timing import StepTimes, deadline_verdict, scenario_start, term_verdicts

YES, NO = "yes", "no"


@dataclass(frozen=True)
class RunOptions:
    seed: int = 0
    """Draws of ``timing: sampled`` (the same seed gives the same step times)."""
    jobs: int = 1
    against: str | None = None
    """URL of a running ``egov-sim serve``; None plays each scenario on a fresh simulator."""
    home: Path | None = None
    """With ``against``: the server's data directory (its PKI issues the certificates)."""
    started: dt.datetime | None = None
    """When the run started (wall clock; reported, never played on: every scenario has its own
    ``start``); default: now."""
    app_factory: AppFactory | None = None
    """Builds the fresh simulators (the composition root's ``build_app``); needed unless ``against``."""
    workdir: Path | None = None
    """Where the template and the scenarios' homes go (default: a RAM-backed directory when the
    system has one, else the temporary directory)."""
    template_cache: Path | None = None
    """Keep the template (keys, certificates, data) here between runs: the same scenarios and
    seed then give identical reports, wall times aside (``egov-sim run`` keeps it in the data
    directory). None: a fresh template for this run."""
    template_for: Sequence[Scenario] | None = None
    """Build (or take from the cache) the template as for these scenarios, a superset of the
    ones played: a part of a run then plays on the whole run's keys, certificates and epoch and
    gives the same results as it did in the whole run (re-playing a sample, or a failure, of a
    catalogue run). None: the template of the scenarios played."""


# --- one scenario -------------------------------------------------------------------------------

def play(scenario: Scenario, flow: Flow, systems: Systems, *, seed: int = 0,
         default_start: dt.datetime | None = None) -> ScenarioResult:
    """Play ``scenario`` on ``systems`` and compare it with its expectations."""
    wall = time.perf_counter()
    start = scenario_start(scenario, default_start)
    options = options_of(flow, scenario.options)
    expected = tuple(e for e in scenario.expect.path if not _is_terminal(flow, e))
    journal = journal_messages.journal_view(systems)
    baseline = journal.last_id()
    systems.set_time(start)
    ctx = PlayContext(scenario, flow, systems, prepare(scenario, systems))
    clock = StepTimes(flow, scenario, seed=seed)
    steps: list[StepResult] = []
    taken: list[str] = []
    times: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    node_of: dict[int, str] = {}
    failure: str | None = None
    node = flow.node(_start(flow).next)
    now = start
    starts: dict[str, dt.datetime] = {}
    while node.kind != "end":
        starts[node.id] = now
        end, due = clock.step(node, now, starts)
        ctx.node, ctx.step_start, ctx.act_time, ctx.calls = node, now, end, []
        systems.set_time(end)
        before = journal.last_id()
        status, branch, detail = _run_op(ctx, node, resolve_args(flow, node, scenario.options))
        ids = tuple(range(before + 1, journal.last_id() + 1))
        node_of.update({i: node.id for i in ids})
        want = _expected_branch(expected, len(taken), node)
        entry = node.id if branch is None else f"{node.id}:{YES if branch else NO}"
        if status == StepStatus.OK and node.kind == "condition" and branch is None:
            status, detail = StepStatus.ERROR, f"the operation {node.op} gave no yes/no answer"
        if status == StepStatus.OK and want is not None and branch is not None and branch != want:
            status = StepStatus.DIVERGED
        steps.append(StepResult(node.id, now, end, due, status, branch,
                                want if node.kind == "condition" else None,
                                detail if not ctx.calls or status == StepStatus.OK
                                else f"{detail} [{'; '.join(ctx.calls)}]",
                                ids))
        taken.append(entry)
        times[node.id] = (now, end)
        if status != StepStatus.OK:
            failure = divergence_text(scenario, flow, node, expected, tuple(taken), detail, status)
            break
        now = end
        node = flow.node(node.next_for(options) if node.kind != "condition"
                         else (node.on_true if branch else node.on_false))

    records = journal_messages.records(journal.entries_after(baseline), node_of)
    outcome = ctx.outcome
    verdict = None
    terms: list[TermResult] = []
    defects: list[RegulationDefect] = []
    if failure is None:
        procedure = procedure_of(flow)
        receipt_due = None
        if procedure is not None and procedure.receipt_term(flow.channel) is not None:
            def receipt_due(begin: dt.datetime) -> dt.datetime:
                return procedure.receipt_due(flow.channel, begin, options=options).due
        promised = ctx.state.get("receipt_date") if systems.local else None  # a server dates in real time
        terms = term_verdicts(flow, tuple(taken), times, options, promised=promised, receipt_due=receipt_due)
        verdict = deadline_verdict(terms)
        defects = path_defects(flow, tuple(taken), options)
        defects += calendar_defects(flow, tuple(taken), terms, defects, options,
                                    at_maxima=scenario.timing == "max" and not scenario.setup.get("late"))
        problems = outcome_problems(scenario, flow, ctx, outcome)
        problems += deadline_problems(scenario, verdict)
        problems += [f"term {t.term}: {t.problem}" for t in terms if t.problem]
        problems += date_problems(flow, ctx, terms)
        problems += journal_messages.check(scenario.expect.messages, records)
        if problems:
            failure = "\n".join([f"scenario {scenario.id}: the path was followed, but"] +
                                [f"  {p}" for p in problems])
    return ScenarioResult(
        scenario_id=scenario.id, file=scenario.file, title=scenario.title, flow=flow,
        passed=failure is None, path=tuple(taken), expected_path=expected, failure=failure,
        outcome=outcome.kind if outcome else None, signed_by=signer_label(scenario, ctx, outcome),
        deadline=verdict, steps=tuple(steps), messages=records,
        wall_seconds=round(time.perf_counter() - wall, 4), terms=tuple(terms), defects=tuple(defects),
        options=MappingProxyType(dict(scenario.options)))


def _run_op(ctx: PlayContext, node: Node, args: dict) -> tuple[StepStatus, bool | None, str]:
    op = OPS.get(node.op or "")
    if op is None:
        return StepStatus.ERROR, None, f"no operation {node.op!r} in this engine"
    try:
        result = op(ctx, args)
    except Divergence as exc:
        return StepStatus.DIVERGED, None, str(exc)
    except StepError as exc:
        return StepStatus.ERROR, None, str(exc)
    except Exception as exc:  # an engine or system bug: report it on the step, keep the run going
        return StepStatus.ERROR, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
    return StepStatus.OK, result.branch, result.detail


def _start(flow: Flow) -> Node:
    return next(n for n in flow.nodes if n.kind == "start")


def _is_terminal(flow: Flow, entry: str) -> bool:
    node_id = entry.partition(":")[0]
    return any(n.id == node_id and n.kind in ("start", "end") for n in flow.nodes)


def _expected_branch(expected: tuple[str, ...], index: int, node: Node) -> bool | None:
    if node.kind != "condition" or index >= len(expected):
        return None
    node_id, _, answer = expected[index].partition(":")
    return answer == YES if node_id == node.id and answer else None


def divergence_text(scenario: Scenario, flow: Flow, node: Node, expected: tuple[str, ...],
                    taken: tuple[str, ...], detail: str, status: str) -> str:
    """The first divergence as a diff: ``-`` what the regulation expects, ``+`` what was taken."""
    common = 0
    while common < min(len(expected), len(taken)) and expected[common] == taken[common]:
        common += 1
    what = "diverged" if status == StepStatus.DIVERGED else "could not be played"
    lines = [f"scenario {scenario.id} {what} at {node.id} ({node.title or node.op}), "
             f"{flow.id} line {node.line}",
             f"the systems answered: {detail.splitlines()[0] if detail else '—'}",
             "--- expected path (the scenario)", "+++ taken path (the systems)", f"@@ {node.id} @@"]
    lines += [f"  {e}" for e in expected[max(0, common - 3):common]]
    lines += [f"- {e}" for e in expected[common:]]
    lines += [f"+ {e}" for e in taken[common:]]
    if status == StepStatus.ERROR and len(taken) > common and expected[common:common + 1] == taken[-1:]:
        lines.append(f"+ {node.id} failed: {detail.splitlines()[0]}")
    if detail and "\n" in detail:
        lines += [f"  {line}" for line in detail.splitlines()[1:]]
    return "\n".join(lines)


# --- the outcome and who signs it -------------------------------------------------------------

def expected_signers(scenario: Scenario, ctx: PlayContext) -> dict[str, str]:
    """IIN → label of the signer ``expect.signed_by`` names: a persona, or the head / executor
    of the provider (for a rural akim the head of the district akimat signs)."""
    who = scenario.expect.signed_by
    if who is None:
        return {}
    if who in PERSONAS:
        return {PERSONAS[who].iin: who}
    staff = ctx.state.get("staff_signers")
    if staff is not None:  # seed 001: the department's head and officer
        return dict(staff.get(who, {}))
    office = ctx.state.get("provider")
    if office is None:
        return {}
    if who == "head":
        office = PROVIDERS[office].parent or office
        return {m.iin: "head" for m in STAFF.values() if m.provider == office and m.role == "head"}
    login = ctx.state.get("executor")
    return {m.iin: "executor" for m in STAFF.values()
            if m.provider == office and m.role == "executor" and (login is None or m.login == login)}


def signer_label(scenario: Scenario, ctx: PlayContext, outcome: Outcome | None) -> str | None:
    if outcome is None or outcome.signer_iin is None:
        return None
    named = expected_signers(scenario, ctx).get(outcome.signer_iin)
    if named:
        return named
    persona = next((k for k, p in PERSONAS.items() if p.iin == outcome.signer_iin), None)
    return persona or f"{outcome.signer_name} (IIN {outcome.signer_iin})"


def outcome_problems(scenario: Scenario, flow: Flow, ctx: PlayContext, outcome: Outcome | None) -> list[str]:
    want = scenario.expect
    if outcome is None:
        return [f"outcome: expected {want.outcome}, the systems issued nothing"]
    problems = []
    if outcome.kind != want.outcome:
        problems.append(f"outcome: expected {want.outcome}, got {outcome.kind} ({outcome.detail})")
    if want.signed_by is not None:
        signers = expected_signers(scenario, ctx)
        if outcome.signer_iin is None:
            problems.append(f"signed_by: expected {want.signed_by}, the outcome carries no EDS")
        elif outcome.signer_iin not in signers:
            problems.append(f"signed_by: expected {want.signed_by} "
                            f"({', '.join(signers) or 'unknown IIN'}), signed by {outcome.signer_name} "
                            f"(IIN {outcome.signer_iin}, BIN {outcome.signer_bin})")
    return problems


def deadline_problems(scenario: Scenario, verdict) -> list[str]:
    want = DeadlineClaim(scenario.expect.deadline)
    if want == DeadlineClaim.ANY:
        return []
    if verdict is None:
        return [f"deadline: expected {want.value}, no term of the regulation applies to the path taken"]
    got = DeadlineClaim.MET if verdict.met else DeadlineClaim.MISSED
    if got != want:
        return [f"deadline: expected {want.value}, {got.value}: finished "
                f"{verdict.finished.astimezone(ALMATY):%Y-%m-%d %a %H:%M}"
                f" {'<=' if verdict.met else '>'} due {verdict.due.astimezone(ALMATY):%Y-%m-%d %a %H:%M}"
                f" ({verdict.term}: {verdict.allowed})"]
    return []


def date_problems(flow: Flow, ctx: PlayContext, terms: Sequence[TermResult]) -> list[str]:
    """The systems' dates against the engine's, for the terms both count from the same moment:
    the АРМ's due of each term of its chain (counted from the package's arrival), and the
    personal cabinet's result date (the АРМ's, sent to the portal). They come from one term
    model, so any difference is a bug to report."""
    if not ctx.systems.local:  # a server keeps its own clock: its dates are real time
        return []
    problems = []
    arm = {t["term"]: t for t in ctx.state.get("arm_terms") or []}
    procedure = procedure_of(flow)
    for t in terms:
        shown = arm.get(t.term)
        if shown is None or procedure is None:
            continue
        model = procedure.term(t.term)
        chain = procedure.chains.get(flow.channel, ())
        if not chain or model.start != chain[0] or flow.node(t.start).cell != model.start:
            continue  # the АРМ counts from the package's arrival: only terms that start there
        if flow.node(t.end).cell != model.end and not model.receipt:
            continue  # the АРМ counts the decision chain; this path ends the term elsewhere
        if dt.datetime.fromisoformat(shown["dueAt"]) != t.due:
            problems.append(f"term {t.term}: the АРМ shows it due {shown['dueAt']}, the engine counts "
                            f"{t.due.astimezone(ALMATY).isoformat()} ({t.allowed} from {t.start})")
    promised = ctx.state.get("promised_dates") or {}
    for t in terms:  # seed 001: the date on the талон is the office's (the akim's) stated term
        shown = promised.get(t.term) if t.term in ("office", "akim") else None
        if shown is not None and shown != t.due.astimezone(ALMATY).date():
            problems.append(f"term {t.term}: the талон promises the result on {shown.isoformat()}, the engine counts "
                            f"{t.due.astimezone(ALMATY).date().isoformat()} ({t.allowed} from {t.start})")
    cabinet = ctx.state.get("cabinet_due_date")
    request = ctx.state.get("arm_request") or {}
    if cabinet and request.get("dueDate") and cabinet != request["dueDate"]:
        problems.append(f"the personal cabinet shows the result due {cabinet}, the АРМ {request['dueDate']}")
    return problems


def scratch_dir() -> Path | None:
    """``/dev/shm`` when it is there and writable: every commit of a throw-away simulator's
    SQLite database is an fsync, free on a RAM disk (a scenario plays about twice as fast)."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


# --- a run ----------------------------------------------------------------------------------------

def prepare_template(scenarios: Sequence[Scenario], flows: Mapping[str, Flow], directory: Path,
                     *, started: dt.datetime, app_factory: AppFactory, cache: Path | None = None) -> Template:
    """The template home for these scenarios: built at a moment before all of them, with the
    certificates and staff keys they will use."""
    # The test PKI and the certificates are built at the epoch and live some years: scenarios that
    # use no EDS (seed 001's paper results, played back to 2012) do not move it.
    signing = [s for s in scenarios if needs_pki(flows[s.flow])] or list(scenarios)
    starts = [scenario_start(s, started) for s in signing]
    personas = {s.personas["applicant"] for s in scenarios if flows[s.flow].channel == "portal"}
    if any(s.setup.get("certificate") == "foreign_iin" for s in scenarios):
        from .setup import FOREIGN_PERSONA

        personas |= {FOREIGN_PERSONA, "guardian"}
    offices = {n.args.get("provider") for s in scenarios for n in flows[s.flow].nodes
               if isinstance(n.args.get("provider"), str)}
    offices = {o for o in offices if o in PROVIDERS}
    if cache is not None:
        return cached_template(cache, app_factory=app_factory, epoch=template_epoch(starts), personas=personas,
                               offices=offices)
    return build_template(directory / "template", app_factory=app_factory, epoch=template_epoch(starts),
                          personas=personas, offices=offices)


PAPER_OPS = ("balkhash.", "person.act")
"""Operations that sign nothing with the simulator's PKI (seed 001's paper results)."""


def needs_pki(flow: Flow) -> bool:
    """Whether a flow's operations use the test PKI's certificates (the portal, the ЦОН, АРМ РШЭП)."""
    return any(n.op and not n.op.startswith(PAPER_OPS) for n in flow.nodes)


def play_local(scenario: Scenario, flow: Flow, template: Template, *, seed: int,
               started: dt.datetime, workdir: Path | None = None) -> ScenarioResult:
    """Play on a fresh simulator made from the template (and thrown away afterwards)."""
    wall = time.perf_counter()
    start = scenario_start(scenario, started)
    try:
        systems = LocalSystems(template, start=start, settings=system_settings(scenario), workdir=workdir)
    except Exception as exc:
        return _broken(scenario, flow, f"the simulator could not be built: {type(exc).__name__}: {exc}", wall)
    try:
        with ids.seeded(f"{seed}:{scenario.id}"):  # the same ids in every run of this scenario
            result = play(scenario, flow, systems, seed=seed, default_start=started)
    finally:
        systems.close()
    return dataclasses.replace(result, wall_seconds=round(time.perf_counter() - wall, 4))


def _broken(scenario: Scenario, flow: Flow, message: str, wall: float) -> ScenarioResult:
    at = scenario_start(scenario) if scenario.start else dt.datetime.now(ALMATY)
    step = StepResult(_start(flow).id, at, at, None, StepStatus.ERROR, detail=message)
    return ScenarioResult(scenario.id, scenario.file, scenario.title, flow, False, (),
                          tuple(scenario.expect.path), failure=message, steps=(step,),
                          wall_seconds=round(time.perf_counter() - wall, 4))


def run(scenarios: Sequence[Scenario], flows: Mapping[str, Flow], options: RunOptions = RunOptions(),
        *, on_start: Callable[[int], None] | None = None,
        on_result: Callable[[ScenarioResult], None] | None = None) -> RunResult:
    """Play every scenario and collect the results in the scenarios' order. ``on_start(total)``
    is called when playing begins (after the template is built and the workers started),
    ``on_result`` for each scenario as it finishes (in any order with ``jobs > 1``)."""
    started = options.started or dt.datetime.now(ALMATY)
    wall = time.perf_counter()
    notify = on_result or (lambda r: None)
    begin = on_start or (lambda total: None)
    results: dict[str, ScenarioResult] = {}
    if options.against:
        systems = RemoteSystems(options.against, options.home or Path.cwd())
        begin(len(scenarios))
        try:
            for s in scenarios:
                one = time.perf_counter()
                r = play(s, flows[s.flow], systems, seed=options.seed, default_start=started)
                results[s.id] = dataclasses.replace(r, wall_seconds=round(time.perf_counter() - one, 4))
                notify(results[s.id])
        finally:
            systems.close()
    else:
        with tempfile.TemporaryDirectory(prefix="egov-sim-run-", dir=options.workdir or scratch_dir()) as tmp:
            if options.app_factory is None:
                raise ValueError("RunOptions.app_factory is needed to build simulators (or give 'against')")
            template = prepare_template(options.template_for or scenarios, flows, Path(tmp), started=started,
                                        app_factory=options.app_factory, cache=options.template_cache)
            if options.jobs <= 1 or len(scenarios) <= 1:
                begin(len(scenarios))
                for s in scenarios:
                    results[s.id] = play_local(s, flows[s.flow], template, seed=options.seed,
                                               started=started, workdir=Path(tmp))
                    notify(results[s.id])
            else:
                for r in _play_in_pool(scenarios, flows, template, options, started, Path(tmp), begin):
                    results[r.scenario_id] = r
                    notify(r)
    ordered = tuple(results[s.id] for s in scenarios)
    return RunResult(ordered, started, round(time.perf_counter() - wall, 3), options.seed,
                     jobs=1 if options.against else max(1, options.jobs), against=options.against,
                     defects=run_defects(scenarios, flows, ordered))


def run_defects(scenarios: Sequence[Scenario], flows: Mapping[str, Flow],
                results: Sequence[ScenarioResult]) -> tuple[RegulationDefect, ...]:
    """Every regulation defect of the flows played, under each set of options a scenario used,
    with the scenarios whose taken path holds it."""
    out: dict[tuple, RegulationDefect] = {}
    for s in scenarios:
        flow = flows[s.flow]
        for d in flow_defects(flow, s.options):
            key = (d.flow, d.term, d.path, d.kind, tuple(sorted(d.options.items())))
            out.setdefault(key, d)
    final = []
    for r in results:  # what only a run's dates show
        for d in r.defects:
            if d.kind == "calendar":
                final.append(dataclasses.replace(d, scenarios=(r.scenario_id,)))
    for d in out.values():
        holders = tuple(r.scenario_id for r in results
                        if r.flow.id == d.flow and _contains(r.path, d.path)
                        and all(options_of(r.flow, r.options).get(k) == v for k, v in d.options.items()))
        final.append(dataclasses.replace(d, scenarios=holders))
    return tuple(final)


def _contains(path: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(path[i:i + n] == part for i in range(len(path) - n + 1))


# --- the process pool ---------------------------------------------------------------------------

def _mappingproxy(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _reduce_mappingproxy(proxy: MappingProxyType):
    return _mappingproxy, (dict(proxy),)


copyreg.pickle(MappingProxyType, _reduce_mappingproxy)
"""Loaded flows and scenarios keep read-only mappings; this lets them (and results) cross to and
from the worker processes."""

_WORKER: dict = {}


def _init_worker(template: Template, seed: int, started: dt.datetime, workdir: Path) -> None:
    _WORKER.update(template=template, seed=seed, started=started, workdir=workdir)


def _play_in_worker(scenario: Scenario, flow: Flow) -> ScenarioResult:
    w = _WORKER
    return play_local(scenario, flow, w["template"], seed=w["seed"], started=w["started"],
                      workdir=w["workdir"])


def _play_in_pool(scenarios: Sequence[Scenario], flows: Mapping[str, Flow], template: Template,
                  options: RunOptions, started: dt.datetime, workdir: Path,
                  on_start: Callable[[int], None]) -> Iterable[ScenarioResult]:
    """Each worker builds its own simulators from the template. Workers are forked when this
    process runs no other thread (fast), else spawned (safe)."""
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=options.jobs, mp_context=context, initializer=_init_worker,
            initargs=(template, options.seed, started, workdir)) as pool:
        futures = {pool.submit(_play_in_worker, s, flows[s.flow]): s for s in scenarios}
        on_start(len(scenarios))
        for future in concurrent.futures.as_completed(futures):
            scenario = futures[future]
            try:
                result = future.result()
            except Exception as exc:
                result = _broken(scenario, flows[scenario.flow],
                                 f"worker failed: {type(exc).__name__}: {exc}", time.perf_counter())
            yield dataclasses.replace(result, flow=flows[scenario.flow])
