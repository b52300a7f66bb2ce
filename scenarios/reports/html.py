"""One self-contained HTML file for people: open it from a CI artifact, offline, and see what
each scenario did on the regulation's diagram.

Self-contained means no external CSS, JS, fonts or images: styles are inline, diagrams are
inline SVG, and the only script (expand/collapse all) is optional; ``<details>`` does the rest
without it. Everything from the run is escaped by Jinja2's autoescape: message bodies are
untrusted XML from systems under test, and even flow titles come from files people edit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from ..results import RegulationDefect, RunResult, ScenarioResult
from .derive import (
    anchor,
    deadline_text,
    divergence_node,
    duration_text,
    expected_route,
    failure_kind,
    kz_time,
    late,
    taken_route,
)
from .diagram import render_svg
from .groups import ServiceGroup, service_groups


def _diff_lines(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        if line.startswith(("---", "+++")):
            cls = "hdr"
        elif line.startswith("-"):
            cls = "del"
        elif line.startswith("+"):
            cls = "add"
        elif line.startswith("@@"):
            cls = "hunk"
        else:
            cls = ""
        out.append((cls, line))
    return out


def _scenario_view(r: ScenarioResult, index: int) -> dict[str, Any]:
    """What the template shows for one scenario, worked out here so the template only lays out."""
    sid = anchor(r, index)
    flow = r.flow
    known = {n.id: n for n in flow.nodes}
    diverged = divergence_node(r)
    msg_ids = {m.journal_id for m in r.messages}
    steps = []
    for s in r.steps:
        node = known.get(s.node_id)
        branch = None
        if s.branch is not None:
            branch = "yes" if s.branch else "no"
        expected_branch = None
        if s.expected_branch is not None:
            expected_branch = "yes" if s.expected_branch else "no"
        steps.append({
            "node": s.node_id,
            "kind": node.kind if node else "?",
            "title": node.title if node else "(not in the flow)",
            "lane": node.lane if node else "",
            "actor": (node.actor or "") if node else "",
            "stated": duration_text(node.duration) if node else "",
            "started": kz_time(s.started),
            "finished": kz_time(s.finished),
            "due": kz_time(s.due) if s.due else "",
            "late": late(s.finished, s.due),
            "status": s.status,
            "branch": branch,
            "expected_branch": expected_branch,
            "branch_wrong": branch is not None and expected_branch is not None and branch != expected_branch,
            "detail": s.detail,
            "messages": [(m, f"{sid}-msg-{m}" if m in msg_ids else None) for m in s.message_ids],
            "diverged": s.node_id == diverged,
        })
    messages = [{
        "m": m,
        "anchor": f"{sid}-msg-{m.journal_id}",
        "at": kz_time(m.at, seconds=True),
        "sig_class": ("ok" if m.signature == "valid"
                      else "bad" if m.signature in ("invalid", "broken") or m.signature.startswith("invalid")
                      else "warn" if m.signature.startswith("unverified") else "neutral"),
    } for m in r.messages]
    taken, expected = taken_route(r), expected_route(r)
    svg = render_svg(flow, taken=taken, expected=None if r.passed else expected, diverged=diverged,
                     svg_id=f"{sid}-diagram")
    return {
        "r": r,
        "anchor": sid,
        "kind": {"failure": "fail", "error": "error"}.get(failure_kind(r) or "", None),
        "diverged": diverged,
        "expected_shown": not r.passed and bool(set(expected.edges) - set(taken.edges)),
        "svg": Markup(svg),  # built by diagram.py, which escapes every text it writes
        "steps": steps,
        "messages": messages,
        "diff": _diff_lines(r.failure) if r.failure else [],
        "deadline": deadline_text(r),
        "due": kz_time(r.deadline.due) if r.deadline else "",
        "finished": kz_time(r.deadline.finished) if r.deadline else "",
        "total": duration_text(flow.total),
        "terms": [{"id": t.id, "duration": t.allowed or duration_text(t.duration), "basis": t.basis,
                   "start": t.start, "end": " | ".join(t.end), "when": ", ".join(t.when), "source": t.source}
                  for t in flow.terms],
        "verdicts": [{"t": t, "begin": kz_time(t.begin), "due": kz_time(t.due), "finished": kz_time(t.finished),
                      "promised": kz_time(t.promised) if t.promised else ""} for t in r.terms],
        "defects": [_defect_view(d) for d in r.defects],
        "hours": [("all lanes" if not flow.lane_hours else "other lanes", flow.working_hours),
                  *sorted(flow.lane_hours.items())],
        "nodes": [{"n": n, "duration": duration_text(n.duration), "taken": n.id in taken.nodes}
                  for n in flow.nodes],
    }


KINDS = {"overrun": "steps overrun the term", "no_deadline": "step without a deadline",
         "calendar": "term missed on these dates"}


def _defect_view(d: RegulationDefect) -> dict[str, Any]:
    """A defect's columns by its kind: an overrun's cells and sum, the steps without a
    deadline, or the day the steps at their maxima end against the due."""
    cells = " + ".join(f"{c.node} {c.duration}" for c in d.cells if c.duration != "—")
    if d.kind == "no_deadline":
        finding, total, over = f"{', '.join(d.nodes)}: no deadline in the action table; the stated term binds", "—", "—"
    elif d.kind == "calendar":
        finding = f"the steps at their maxima{f' ({cells})' if cells else ''} end"
        total, over = d.total, f"due {d.over}"
    else:
        finding, total, over = cells, d.total, f"{d.over} over"
    return {"d": d, "cells": cells, "kind": KINDS.get(d.kind, d.kind), "finding": finding, "total": total,
            "over": over, "options": ", ".join(f"{k}={str(v).lower()}" for k, v in sorted(d.options.items()))}


def _group_view(g: ServiceGroup, scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    own = [scenarios[i] for i in g.indexes]
    failed = sum(1 for sc in own if not sc["r"].passed)
    return {"g": g, "scenarios": own, "passed": len(own) - failed, "failed": failed,
            "nodes": g.count("nodes"), "branches": g.count("branches"),
            "defects": [{**_defect_view(m.defect), "m": m} for m in g.defects]}


TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="egov-sim">
<title>{{ 'PASS' if run.passed else 'FAIL' }} · egov-sim run {{ started }} · {{ counts.total }} scenarios, {{ counts.failed }} failed</title>
<style>
:root{--ok:#1b7f3b;--bad:#c62828;--warn:#b26a00;--blue:#1d5fd1;--muted:#66707b;--line:#d9dde2;--bg:#fafbfc}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;color:#1f2328;background:#fff}
header,main,footer{padding:0 28px}
header{padding-top:18px;padding-bottom:8px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:0 0 6px}
h3{font-size:15px;margin:22px 0 8px}
.meta{color:var(--muted);margin:2px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 10px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 16px;min-width:120px;background:#fff}
.card b{display:block;font-size:22px}
.card.ok b{color:var(--ok)} .card.bad b{color:var(--bad)} .card.warn b{color:var(--warn)}
.card a{color:inherit}
.defect{border-left:4px solid var(--warn);background:#fff8e6;padding:6px 12px;margin:8px 0}
table.defects td,table.terms td{vertical-align:top}
table.defects td.finding{min-width:26em}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;color:#fff;vertical-align:middle}
.badge.pass{background:var(--ok)} .badge.fail,.badge.error{background:var(--bad)}
.verdict{font-weight:700} .verdict.met{color:var(--ok)} .verdict.missed{color:var(--bad)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5;font-weight:600;white-space:nowrap}
tr.fail td{background:#fff6f6}
td.num{text-align:right;white-space:nowrap}
td.time,.nowrap{white-space:nowrap}
.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
section.scenario{border-top:3px solid var(--line);padding:18px 0 10px;margin-top:18px}
section.scenario.failed{border-top-color:var(--bad)}
section.scenario.passed{border-top-color:var(--ok)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0}
dl.facts dt{color:var(--muted)} dl.facts dd{margin:0}
.failure{border:1px solid #f1b5b5;background:#fff6f6;border-radius:6px;padding:8px 12px;margin:12px 0}
pre.diff{margin:6px 0 0;white-space:pre-wrap;word-break:break-word}
pre.diff .del{color:#a31515;background:#ffe9e9}
pre.diff .add{color:#116329;background:#e6ffec}
pre.diff .hdr{font-weight:700} pre.diff .hunk{color:#0a5a8a}
.diagram-scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
.diagram-scroll svg{display:block}
.legend{color:var(--muted);font-size:12px;margin:6px 0}
.legend span{display:inline-block;margin-right:16px}
.sw{display:inline-block;width:22px;height:0;border-top:3px solid;vertical-align:middle;margin-right:5px}
.sw.taken{border-color:var(--blue)} .sw.expected{border-color:#e08a00;border-top-style:dashed} .sw.plain{border-color:#aeb5bd;border-top-width:2px}
.box{display:inline-block;width:14px;height:10px;border:2px solid;vertical-align:middle;margin-right:5px}
.box.div{border-color:var(--bad);background:#fdecea}
.status-ok{color:var(--ok)} .status-diverged,.status-error{color:var(--bad);font-weight:700} .status-skipped{color:var(--muted)}
.late{color:var(--bad);font-weight:700}
tr.diverged td{background:#fff0f0}
.sig{font-weight:600;padding:0 6px;border-radius:8px}
.sig.ok{color:var(--ok);background:#e8f6ec} .sig.bad{color:var(--bad);background:#fdecea} .sig.warn{color:var(--warn);background:#fff4e0} .sig.neutral{color:var(--muted);background:#f1f3f5}
details{margin:6px 0}
details>summary{cursor:pointer}
details.msg{border:1px solid var(--line);border-radius:6px;padding:6px 10px}
details.msg[open]{background:var(--bg)}
details.body pre{max-height:480px;overflow:auto;background:#fff;border:1px solid var(--line);padding:8px;white-space:pre-wrap;word-break:break-all}
.toolbar{margin:8px 0}
.toolbar button{font:inherit;padding:2px 10px;margin-right:6px}
.top{font-size:12px}
footer{color:var(--muted);font-size:12px;padding-top:20px;padding-bottom:30px}
@media print{.toolbar{display:none}.diagram-scroll{overflow:visible}}
</style>
</head>
<body>
<header>
<h1>egov-sim conformance run <span class="badge {{ 'pass' if run.passed else 'fail' }}">{{ 'PASS' if run.passed else 'FAIL' }}</span></h1>
<p class="meta">Started {{ started }} · wall time {{ '%.1f'|format(run.wall_seconds) }} s · seed {{ run.seed }} · jobs {{ run.jobs }} · {{ ('against ' ~ run.against) if run.against else 'played in process' }}</p>
<p class="meta">Times in scenarios are the virtual clock, Kazakhstan time (UTC+05:00); deadlines count Kazakhstan working time.</p>
<div class="cards">
<div class="card"><b>{{ counts.total }}</b>scenarios</div>
<div class="card ok"><b>{{ counts.passed }}</b>passed</div>
<div class="card {{ 'bad' if counts.failed else '' }}"><b>{{ counts.failed }}</b>failed</div>
<div class="card {{ 'bad' if counts.missed else '' }}"><b>{{ counts.missed }}</b>deadlines missed</div>
<div class="card {{ 'warn' if counts.defects else '' }}"><b>{{ counts.defects }}</b><a href="#defects">regulation defects</a></div>
{% if run.errors %}<div class="card bad"><b>{{ run.errors|length }}</b>run errors</div>{% endif %}
</div>
<div class="toolbar" id="toolbar" hidden><button type="button" data-open="1">Expand all</button><button type="button" data-open="0">Collapse all</button></div>
</header>
<main>
<nav id="summary" aria-label="Summary">
<h2>Summary</h2>
<p class="meta">By regulation and service. Coverage counts the process nodes and the condition answers (yes and no) of each flow that this run's scenarios took.</p>
<table class="services">
<thead><tr><th>Regulation · service</th><th>Title</th><th>Scenarios</th><th>Passed</th><th>Failed</th><th>Nodes taken</th><th>Branches taken</th><th>Defects</th></tr></thead>
<tbody>
{% for g in groups %}
<tr class="{{ 'pass' if not g.failed else 'fail' }}"><td class="nowrap"><a href="#{{ g.g.anchor }}">{{ g.g.label }}</a></td><td>{{ g.g.title }}</td><td class="num">{{ g.g.indexes|length }}</td><td class="num">{{ g.passed }}</td><td class="num">{{ g.failed }}</td><td class="num {{ '' if g.nodes[0] == g.nodes[1] else 'late' }}">{{ g.nodes[0] }}/{{ g.nodes[1] }}</td><td class="num {{ '' if g.branches[0] == g.branches[1] else 'late' }}">{{ g.branches[0] }}/{{ g.branches[1] }}</td><td class="num">{% if g.g.defects %}<a href="#{{ g.g.anchor }}-defects">{{ g.g.defects|length }}</a>{% else %}0{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
{% for g in groups %}
<h3 id="{{ g.g.anchor }}">{{ g.g.label }}{% if g.g.title %} — {{ g.g.title }}{% endif %}</h3>
<table class="coverage">
<thead><tr><th>Flow</th><th>Channel</th><th>Scenarios</th><th>Nodes taken</th><th>Nodes not taken</th><th>Branches taken</th><th>Branches not taken</th></tr></thead>
<tbody>
{% for c in g.g.flows %}
<tr class="{{ 'pass' if c.complete else 'fail' }}"><td class="nowrap">{{ c.flow.id }}</td><td>{{ c.flow.channel }}</td><td class="num">{{ c.scenarios }}</td><td class="num">{{ c.nodes_taken|length }}/{{ c.nodes|length }}</td><td class="path">{{ c.nodes_missed|join(', ') or '—' }}</td><td class="num">{{ c.branches_taken|length }}/{{ c.branches|length }}</td><td class="path">{{ c.branches_missed|join(', ') or '—' }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if g.scenarios %}
<table class="summary">
<thead><tr><th>#</th><th>Scenario</th><th>Regulation / channel</th><th>Path</th><th>Outcome</th><th>Deadline</th><th>Result</th><th>Wall</th></tr></thead>
<tbody>
{% for sc in g.scenarios %}
<tr class="{{ 'pass' if sc.r.passed else 'fail' }}">
<td class="num">{{ sc.number }}</td>
<td><a href="#{{ sc.anchor }}">{{ sc.r.scenario_id }}</a><br><small>{{ sc.r.title }}</small></td>
<td class="nowrap">{{ sc.r.flow.regulation }} / {{ sc.r.flow.channel }}</td>
<td class="path">{{ sc.r.path|join(' › ') }}{% if sc.diverged %}<br><span class="late">diverged at {{ sc.diverged }}</span>{% endif %}</td>
<td>{{ sc.r.outcome or '—' }}</td>
<td class="nowrap">{% if sc.r.deadline %}<span class="verdict {{ 'met' if sc.r.deadline.met else 'missed' }}">{{ 'met' if sc.r.deadline.met else 'missed' }}</span> <small>({{ sc.r.deadline.allowed }})</small><br><small>finished {{ sc.finished }}<br>due {{ sc.due }}</small>{% else %}—{% endif %}</td>
<td><span class="badge {{ sc.kind or 'pass' }}">{{ (sc.kind or 'pass')|upper }}</span></td>
<td class="num">{{ '%.2f'|format(sc.r.wall_seconds) }} s</td>
</tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% endfor %}
</nav>
<section id="defects">
<h2>Regulation defects</h2>
<p class="meta">Where the regulation cannot be met as written, by service: stated terms its own steps overrun when each takes its stated maximum, steps its tables give no deadline (only the stated term binds them), and terms that the steps at their maxima miss on a run's dates. The stated term still binds (a run that takes every maximum is late). Found on the flows played, under the reading options the scenarios used; the citation is the regulation's own defect register entry, where its analysis has one.</p>
{% if defects %}
{% for g in groups if g.defects %}
<h3 id="{{ g.g.anchor }}-defects">{{ g.g.label }}{% if g.g.title %} — {{ g.g.title }}{% endif %}</h3>
<table class="defects">
<thead><tr><th>Flow</th><th>Term</th><th>Stated</th><th>Kind</th><th>Finding</th><th>Sum / end</th><th>Over / due</th><th>Citation</th><th>Readings</th><th>Scenarios on these paths</th></tr></thead>
<tbody>
{% for x in g.defects %}{% set d = x.m.defect %}
<tr><td class="nowrap">{{ d.flow }}</td><td><code>{{ d.term }}</code><br><small>{{ d.source }}</small></td><td class="nowrap">{{ d.allowed }}</td><td>{{ x.kind }}</td><td class="finding">{{ x.finding }}<details><summary><small>on {{ x.m.paths|length }} path{{ 's' if x.m.paths|length > 1 }}</small></summary>{% for p in x.m.paths %}<small class="path">{{ p|join(' › ') }}</small>{% if not loop.last %}<br>{% endif %}{% endfor %}</details></td><td class="nowrap"><strong>{{ x.total }}</strong></td><td class="nowrap late">{{ x.over }}</td><td>{{ d.citation or '—' }}</td><td>{{ x.options or 'defaults' }}</td><td>{% for sid in x.m.scenarios %}<code>{{ sid }}</code>{% if not loop.last %}, {% endif %}{% else %}—{% endfor %}</td></tr>
{% endfor %}
</tbody>
</table>
{% endfor %}
{% else %}<p>None: every stated term fits the steps under it.</p>{% endif %}
</section>
{% if run.errors %}
<section id="run-errors">
<h2>Run errors</h2>
{% for e in run.errors %}<div class="failure"><pre class="diff">{{ e }}</pre></div>{% endfor %}
</section>
{% endif %}
{% for sc in ordered %}
{% set r = sc.r %}
<section class="scenario {{ 'passed' if r.passed else 'failed' }}" id="{{ sc.anchor }}">
<h2><span class="badge {{ sc.kind or 'pass' }}">{{ (sc.kind or 'pass')|upper }}</span> {{ r.scenario_id }} — {{ r.title }}</h2>
<dl class="facts">
<dt>Testcase</dt><dd><code>{{ r.name }}</code></dd>
<dt>Flow</dt><dd>{{ r.flow.id }}: {{ r.flow.title }} ({{ r.flow.regulation }} / {{ r.flow.channel }}){% if r.flow.source %} · <code>{{ r.flow.source }}</code>{% endif %}</dd>
{% if r.file %}<dt>Scenario file</dt><dd><code>{{ r.file }}</code></dd>{% endif %}
<dt>Path taken</dt><dd class="path">{{ r.path|join(' › ') or '—' }}</dd>
<dt>Expected path</dt><dd class="path">{{ r.expected_path|join(' › ') or '—' }}</dd>
<dt>Outcome</dt><dd>{{ r.outcome or '—' }}{% if r.signed_by %} · signed by {{ r.signed_by }}{% endif %}</dd>
<dt>Deadline</dt><dd>{% if r.deadline %}<span class="verdict {{ 'met' if r.deadline.met else 'missed' }}">{{ 'met' if r.deadline.met else 'MISSED' }}</span> — {% if r.deadline.term %}term {{ r.deadline.term }} {% endif %}{{ r.deadline.allowed }}: due {{ sc.due }}, finished {{ sc.finished }}{% else %}no verdict{% endif %}{% if r.defects %} · <span class="late">regulation defect on this path</span>{% endif %}</dd>
<dt>Wall time</dt><dd>{{ '%.2f'|format(r.wall_seconds) }} s</dd>
</dl>
{% if not r.passed %}
<div class="failure">
<strong>{% if sc.kind == 'error' %}Error{% elif sc.diverged %}Divergence{% else %}Failure{% endif %}{% if sc.diverged %} at {{ sc.diverged }}{% endif %}</strong>
<pre class="diff">{% for cls, line in sc.diff %}<span class="{{ cls }}">{{ line }}</span>
{% else %}(the engine gave no divergence text){% endfor %}</pre>
</div>
{% endif %}
<h3>Diagram</h3>
<div class="diagram-scroll">{{ sc.svg }}</div>
<p class="legend"><span><i class="sw taken"></i>taken path</span>{% if sc.expected_shown %}<span><i class="sw expected"></i>expected, not taken</span>{% endif %}<span><i class="sw plain"></i>not taken</span>{% if sc.diverged %}<span><i class="box div"></i>divergence ({{ sc.diverged }})</span>{% endif %}<span>hover a node for its full text</span></p>
<details class="nodes"><summary>Flow nodes ({{ sc.nodes|length }})</summary>
<table>
<thead><tr><th>Node</th><th>Kind</th><th>Lane</th><th>Actor</th><th>Title</th><th>Stated duration</th><th>Next</th><th>Operation</th><th>Check</th></tr></thead>
<tbody>
{% for x in sc.nodes %}<tr><td><code>{{ x.n.id }}</code>{% if x.taken %} ✓{% endif %}</td><td>{{ x.n.kind }}</td><td>{{ x.n.lane }}</td><td>{{ x.n.actor or '' }}</td><td>{{ x.n.title }}</td><td>{{ x.duration }}</td><td class="nowrap">{% if x.n.kind == 'condition' %}yes → {{ x.n.on_true }}<br>no → {{ x.n.on_false }}{% elif x.n.switch %}{{ x.n.switch }} → {{ x.n.next }}<br>not {{ x.n.switch }} → {{ x.n.next_off }}{% else %}{{ x.n.next or '' }}{% endif %}</td><td>{% if x.n.op %}<code>{{ x.n.op }}</code>{% endif %}</td><td>{{ x.n.check or '' }}</td></tr>
{% endfor %}
</tbody>
</table>
</details>
<h3>Timeline <small class="meta">(virtual clock, Kazakhstan time)</small></h3>
<p>Deadline: <strong>{{ (((r.deadline.term ~ ' ') if r.deadline.term else '') ~ r.deadline.allowed) if r.deadline else (sc.total or 'not stated') }}</strong>{% if r.deadline %} · due {{ sc.due }} · finished {{ sc.finished }} · <span class="verdict {{ 'met' if r.deadline.met else 'missed' }}">{{ 'deadline met' if r.deadline.met else 'deadline MISSED' }}</span>{% endif %}</p>
{% if sc.verdicts %}
<table class="terms">
<thead><tr><th>Term</th><th>Basis</th><th>Allowed</th><th>From</th><th>Begun</th><th>Due</th><th>Finished</th><th>Verdict</th></tr></thead>
<tbody>
{% for v in sc.verdicts %}{% set t = v.t %}
<tr><td><code>{{ t.term }}</code>{% if t.source %}<br><small>{{ t.source }}</small>{% endif %}</td><td>{{ t.basis }}</td><td class="nowrap">{{ t.allowed }}</td><td class="nowrap">{{ t.start }} → {{ t.end }}</td><td class="time">{{ v.begin }}</td><td class="time">{{ v.due }}{% if v.promised %}<br><small>receipt: {{ v.promised }}</small>{% endif %}</td><td class="time">{{ v.finished }}</td><td><span class="verdict {{ t.verdict.value }}">{{ t.verdict.value }}</span>{% if t.problem %}<br><small class="late">{{ t.problem }}</small>{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% if sc.defects %}
<div class="defect"><strong>Regulation defect{{ 's' if sc.defects|length > 1 }} on this path:</strong>
{% for x in sc.defects %}{% set d = x.d %}<br>term <code>{{ d.term }}</code> ({{ d.allowed }}, {{ d.source }}): {{ x.kind }}: {{ x.finding }}{% if d.kind != 'no_deadline' %} = <strong>{{ x.total }}</strong>, {{ x.over }}{% endif %}{% if d.citation %} [{{ d.citation }}]{% endif %}{% if x.options %} (readings {{ x.options }}){% endif %}{% endfor %}
</div>
{% endif %}
<p class="meta">Working hours: {% for lane, hours in sc.hours %}{{ lane }} {{ hours }}{% if not loop.last %} · {% endif %}{% endfor %}{% if sc.terms %}<br>Terms the regulation sets: {% for t in sc.terms %}{{ t.id }} {{ t.duration }} ({{ t.start }} → {{ t.end }}{% if t.when %}, when {{ t.when }}{% endif %}{% if t.source %}; {{ t.source }}{% endif %}){% if not loop.last %} · {% endif %}{% endfor %}{% endif %}</p>
{% if sc.steps %}
<table class="timeline">
<thead><tr><th>#</th><th>Node</th><th>Step</th><th>Stated</th><th>Started</th><th>Finished</th><th>Due</th><th>Status</th><th>ШЭП</th></tr></thead>
<tbody>
{% for s in sc.steps %}
<tr class="{{ 'diverged' if s.diverged else '' }}">
<td class="num">{{ loop.index }}</td>
<td class="nowrap"><code>{{ s.node }}</code></td>
<td>{{ s.title }}<br><small class="meta">{{ s.lane }}{% if s.actor %} · {{ s.actor }}{% endif %}</small>{% if s.branch %}<br>answer: <strong>{{ s.branch }}</strong>{% if s.expected_branch %}{% if s.branch_wrong %} <span class="late">(expected {{ s.expected_branch }})</span>{% else %} (as expected){% endif %}{% endif %}{% endif %}{% if s.detail %}<br><small>{{ s.detail }}</small>{% endif %}</td>
<td class="nowrap">{{ s.stated }}</td>
<td class="time">{{ s.started }}</td>
<td class="time">{{ s.finished }}</td>
<td class="time">{{ s.due }}{% if s.late %} <span class="late">late</span>{% endif %}</td>
<td class="status-{{ s.status }}">{{ s.status }}</td>
<td class="nowrap">{% for id, target in s.messages %}{% if target %}<a href="#{{ target }}">#{{ id }}</a>{% else %}#{{ id }}{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% else %}<p class="meta">No steps were recorded.</p>{% endif %}
<h3>ШЭП messages ({{ sc.messages|length }})</h3>
{% for x in sc.messages %}{% set m = x.m %}
<details class="msg" id="{{ x.anchor }}">
<summary><code>#{{ m.journal_id }}</code> {{ x.at }}{% if m.node_id %} · node <code>{{ m.node_id }}</code>{% endif %} · serviceId <code>{{ m.service_id or '—' }}</code> · outcome <strong>{{ m.outcome or '—' }}</strong> · signature <span class="sig {{ x.sig_class }}">{{ m.signature }}</span></summary>
<dl class="facts">
<dt>serviceId</dt><dd><code>{{ m.service_id or '—' }}</code></dd>
<dt>Sender</dt><dd><code>{{ m.sender_id or '—' }}</code></dd>
<dt>Route</dt><dd><code>{{ m.route_id or '—' }}</code></dd>
<dt>Outcome</dt><dd>{{ m.outcome or '—' }}</dd>
<dt>Signature</dt><dd><span class="sig {{ x.sig_class }}">{{ m.signature }}</span>{% if m.signature_algorithm %} ({{ m.signature_algorithm }}){% endif %}</dd>
</dl>
<details class="body"><summary>Request body ({{ m.request_body|length }} characters)</summary><pre>{{ m.request_body }}</pre></details>
<details class="body"><summary>Response body ({{ m.response_body|length }} characters)</summary><pre>{{ m.response_body }}</pre></details>
</details>
{% else %}<p class="meta">This scenario caused no ШЭП exchange.</p>
{% endfor %}
<p class="top"><a href="#summary">↑ Summary</a></p>
</section>
{% endfor %}
</main>
<footer>Generated by egov-sim{% if generated %} at {{ generated }}{% endif %}. This file is self-contained: it loads nothing from the network.</footer>
<script>
(function(){var t=document.getElementById('toolbar');if(!t)return;t.hidden=false;
t.addEventListener('click',function(e){var v=e.target.getAttribute('data-open');if(v===null)return;
document.querySelectorAll('details').forEach(function(d){d.open=v==='1';});});})();
</script>
</body>
</html>
"""

_ENV = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True)
_TEMPLATE = _ENV.from_string(TEMPLATE)


def render_html(run: RunResult, *, generated: dt.datetime | None = None) -> str:
    """The report as one HTML document (UTF-8). ``generated`` is printed in the footer."""
    scenarios = [_scenario_view(r, i) for i, r in enumerate(run.scenarios)]
    groups = [_group_view(g, scenarios) for g in service_groups(run)]
    ordered = [sc for g in groups for sc in g["scenarios"]]
    for number, sc in enumerate(ordered, 1):
        sc["number"] = number
    failed = sum(1 for r in run.scenarios if not r.passed)
    counts = {
        "total": len(run.scenarios),
        "passed": len(run.scenarios) - failed,
        "failed": failed,
        "missed": sum(1 for r in run.scenarios if r.deadline is not None and not r.deadline.met),
        "defects": sum(len(g["defects"]) for g in groups),
    }
    return _TEMPLATE.render(run=run, groups=groups, ordered=ordered, counts=counts,
                            defects=run.defects,
                            started=kz_time(run.started, seconds=True),
                            generated=kz_time(generated, seconds=True) if generated else "")


def write_html(run: RunResult, path: str | Path, **kwargs: Any) -> Path:
    path = Path(path)
    path.write_text(render_html(run, **kwargs), encoding="utf-8")
    return path
