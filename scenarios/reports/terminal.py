"""What a person watching the run sees: a progress bar while it plays, then a summary table and,
for each failure, the divergence diff.

:class:`ProgressReporter` is what the engine's run loop calls (``start`` → ``advance`` per
finished scenario → ``finish``). With ``-j N`` several workers finish scenarios at once, so
every call takes a lock; rich's live display is refreshed from its own thread.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from egov_sim.core.cli_tables import Record, print_listing

from ..results import RunResult, ScenarioResult
from .derive import deadline_text, divergence_node, failure_kind, kz_time
from .groups import merge_defects


def _status(result: ScenarioResult) -> Text:
    kind = failure_kind(result)
    if kind is None:
        return Text("PASS", style="bold green")
    return Text("ERROR" if kind == "error" else "FAIL", style="bold red")


def _deadline_cell(result: ScenarioResult) -> Text:
    d = result.deadline
    if d is None:
        return Text("—", style="dim")
    text = Text("met" if d.met else "MISSED", style="green" if d.met else "bold red")
    text.append(f" ({d.allowed})\n", style="dim")
    text.append(f"finished {kz_time(d.finished, weekday=False)}\n")
    text.append(f"due      {kz_time(d.due, weekday=False)}")
    return text


def summary_table(run: RunResult) -> Table:
    """One row per scenario: scenario, regulation/channel, path, outcome, deadline, result, time."""
    table = Table(title="egov-sim conformance scenarios", title_justify="left", show_lines=True,
                  expand=False)
    table.add_column("Scenario", overflow="fold")
    table.add_column("Regulation/channel", overflow="fold")
    table.add_column("Path", overflow="fold", min_width=24)
    table.add_column("Outcome", overflow="fold", max_width=28)
    table.add_column("Deadline (Kazakhstan time)", no_wrap=True)
    table.add_column("Result", justify="center", no_wrap=True)
    table.add_column("Wall", justify="right", no_wrap=True)
    for r in run.scenarios:
        scenario = Text(r.scenario_id, style="bold")
        if r.title:
            scenario.append(f"\n{r.title}", style="dim")
        path = Text(" > ".join(r.path) or "—")
        node = divergence_node(r)
        if node:
            path.append(f"\ndiverged at {node}", style="red")
        table.add_row(scenario, f"{r.flow.regulation}/{r.flow.channel}", path, r.outcome or "—",
                      _deadline_cell(r), _status(r), f"{r.wall_seconds:.2f}s")
    return table


def summary_records(run: RunResult) -> list[Record]:
    """The summary as blocks, for consoles too narrow for the table: the verdict, the scenario
    and its time first, then the path, outcome and deadline (cli_tables)."""
    records = []
    for r in run.scenarios:
        head = _status(r)
        head.append(f"  {r.scenario_id}", style="bold")
        head.append(f"  {r.flow.regulation}/{r.flow.channel}  {r.wall_seconds:.2f}s")
        path = Text(" > ".join(r.path) or "—")
        node = divergence_node(r)
        if node:
            path.append(f"  (diverged at {node})", style="red")
        fields: list[tuple[str, Text | str]] = []
        if r.title:
            fields.append(("title", r.title))
        fields += [("path", path), ("outcome", r.outcome or "—"),
                   ("deadline", deadline_text(r) if r.deadline is not None else "—")]
        records.append(Record(head, fields))
    return records


def totals_line(run: RunResult) -> Text:
    failed = sum(1 for s in run.scenarios if not s.passed)
    passed = len(run.scenarios) - failed
    missed = sum(1 for s in run.scenarios if s.deadline is not None and not s.deadline.met)
    text = Text(f"{len(run.scenarios)} scenarios: ")
    text.append(f"{passed} passed", style="green")
    text.append(", ")
    text.append(f"{failed} failed", style="bold red" if failed else "")
    if missed:
        text.append(f", {missed} deadline(s) missed", style="red")
    if run.defects:
        text.append(f", {len(merge_defects(run.defects))} regulation defect(s)", style="yellow")
    if run.errors:
        text.append(f", {len(run.errors)} run error(s)", style="bold red")
    text.append(f" in {run.wall_seconds:.1f}s (seed {run.seed}, -j {run.jobs}"
                + (f", against {run.against}" if run.against else "") + ")")
    return text


def diff_text(failure: str) -> Text:
    """The engine's divergence diff, with unified-diff colours (``-`` expected, ``+`` actual)."""
    text = Text()
    for line in failure.splitlines():
        if line.startswith(("---", "+++")):
            style = "bold"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = ""
        text.append(line + "\n", style=style)
    text.rstrip()
    return text


def failure_panel(result: ScenarioResult) -> Panel:
    node = divergence_node(result)
    body = [diff_text(result.failure or "failed (the engine gave no divergence text)")]
    body.append(Text(f"\nDeadline: {deadline_text(result)}", style="dim"))
    title = f"[bold red]{failure_kind(result) or 'failure'}[/]: {result.name}"
    subtitle = f"diverged at {node}" if node else None
    return Panel(Group(*body), title=title, title_align="left", subtitle=subtitle,
                 subtitle_align="left", border_style="red")


def print_summary(run: RunResult, console: Console | None = None) -> None:
    """The summary table, the totals, then each failure's diff and each run error."""
    console = console or Console()
    words = [w for r in run.scenarios for w in (r.scenario_id, _status(r).plain)]
    print_listing(console, summary_table(run), summary_records(run), words,
                  title="egov-sim conformance scenarios")
    for r in run.scenarios:
        if not r.passed:
            console.print(failure_panel(r))
    for err in run.errors:
        console.print(Panel(Text(err), title="[bold red]run error[/]", title_align="left",
                            border_style="red"))
    if run.defects:
        console.print(defects_panel(run))
    console.print(totals_line(run))


def defects_panel(run: RunResult) -> Panel:
    """The regulation defects: stated terms the regulation's own steps cannot meet, one finding
    once (with every path it lies on counted and the scenarios that took one)."""
    text = Text()
    for m in merge_defects(run.defects):
        d = m.defect
        readings = ", ".join(f"{k}={str(v).lower()}" for k, v in sorted(d.options.items()))
        text.append(f"{d.text()}" + (f" [readings {readings}]" if readings else ""), style="yellow")
        paths = f" ({len(m.paths)} paths)" if len(m.paths) > 1 else ""
        text.append(f"\n  scenarios on {'these paths' if paths else 'this path'}{paths}: "
                    f"{', '.join(m.scenarios) or '—'}\n", style="dim")
    text.rstrip()
    return Panel(text, title="[bold yellow]regulation defects[/]", title_align="left", border_style="yellow")


class ProgressReporter:
    """Progress bar for a run; thread-safe, so ``-j N`` workers may call ``advance`` directly.

    Use as ``start(total)`` … ``advance(result)`` … ``finish(run)``, or as a context manager
    around the run loop (the bar is removed even when the loop raises)."""

    def __init__(self, console: Console | None = None, *, summary: bool = True,
                 transient: bool = False) -> None:
        self.console = console or Console()
        self.summary = summary
        self._lock = threading.Lock()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=transient,
        )
        self._task: TaskID | None = None
        self._started = False
        self._stopped = False
        self.passed = 0
        self.failed = 0

    @property
    def completed(self) -> int:
        """Scenarios reported so far (the bar's count)."""
        return self.passed + self.failed

    def _counts(self) -> str:
        text = f"[green]{self.passed} passed[/]"
        if self.failed:
            text += f" [bold red]{self.failed} failed[/]"
        return text

    def start(self, total: int | None) -> None:
        """Show the bar for ``total`` scenarios (None: not known yet)."""
        with self._lock:
            if self._started:
                if self._task is not None and total is not None:
                    self._progress.update(self._task, total=total)
                return
            self._started = True
            self._task = self._progress.add_task("scenarios", total=total, counts=self._counts())
            self._progress.start()

    def advance(self, result: ScenarioResult) -> None:
        """One scenario finished; a failure is named above the bar at once."""
        if not self._started:
            self.start(None)
        with self._lock:
            if result.passed:
                self.passed += 1
            else:
                self.failed += 1
                line = Text.assemble(("✗ ", "bold red"), result.name)
                node = divergence_node(result)
                if node:
                    line.append(f"  diverged at {node}", style="red")
                self._progress.console.print(line)
            if self._task is not None and not self._stopped:
                self._progress.update(self._task, advance=1, counts=self._counts())

    def stop(self) -> None:
        """Stop the live display (idempotent); later ``advance`` calls only count."""
        with self._lock:
            if self._started and not self._stopped:
                self._stopped = True
                self._progress.stop()

    def finish(self, run: RunResult) -> None:
        """Stop the bar and print the summary (unless ``summary=False``). Safe to call twice."""
        self.stop()
        if self.summary:
            print_summary(run, self.console)

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
