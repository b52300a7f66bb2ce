"""Scenario files as pytest items: each scenario of a catalogue file is a test.

pytest collects a YAML file as scenarios only when it is surely one, so an integrator's other
YAML (CI configs, OpenAPI documents, Helm charts) is never touched:

- a ``*.yaml`` / ``*.yml`` file in a folder named ``scenarios`` (at any depth) whose top level
  has a ``scenarios:`` key, or
- a file the ini option ``egov_sim_scenarios`` names (paths or glob patterns relative to the
  rootdir; a single-scenario file must be named there).

Flows are the shipped ones plus those the ini option ``egov_sim_flows`` names. Every scenario
plays on a fresh in-process simulator built from one template per test session (per xdist
worker), or against ``--egov-sim-against URL`` (with ``--egov-sim-home``, the server's data
directory). A failure shows the engine's divergence diff; ``--egov-sim-html`` /
``--egov-sim-json`` write the run's reports at the end of the session.

Opt-in: ``-p egov_sim.scenarios.pytest_items`` (docs/engine.md).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import tempfile
from pathlib import Path

import pytest

APP_FACTORY: pytest.StashKey = pytest.StashKey()
"""Where egov-sim's own pytest plugin (egov_sim/app/pytest_plugin.py, the composition root)
leaves the function that builds a simulator; this plugin never imports the server itself."""

_TOP_LEVEL_SCENARIOS = re.compile(rb"^scenarios\s*:", re.M)
_RESULTS = pytest.StashKey[list]()
_RUNNER = pytest.StashKey["_Runner"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("egov_sim_scenarios", type="linelist", default=[],
                  help="egov-sim scenario files (paths or globs, relative to the rootdir) to collect")
    parser.addini("egov_sim_flows", type="linelist", default=[],
                  help="egov-sim flow files or folders the scenario files use (besides the shipped flows)")
    group = parser.getgroup("egov-sim scenarios")
    group.addoption("--egov-sim-seed", type=int, default=0, help="seed of sampled step times")
    group.addoption("--egov-sim-against", metavar="URL", default=None,
                    help="play scenarios against a running egov-sim serve")
    group.addoption("--egov-sim-home", metavar="DIR", default=None,
                    help="with --egov-sim-against: the server's data directory (its PKI)")
    group.addoption("--egov-sim-html", metavar="PATH", default=None, help="write the scenarios' HTML report")
    group.addoption("--egov-sim-json", metavar="PATH", default=None, help="write the scenarios' run as JSON")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    if _named_in_ini(file_path, parent.config) or _looks_like_catalogue(file_path, parent.config):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def _looks_like_catalogue(path: Path, config: pytest.Config) -> bool:
    try:  # folders above the rootdir do not count
        folders = path.parent.resolve().relative_to(Path(config.rootpath).resolve()).parts
    except ValueError:
        folders = path.parent.parts
    if "scenarios" not in folders:
        return False
    try:
        head = path.read_bytes()[:200_000]
    except OSError:
        return False
    return bool(_TOP_LEVEL_SCENARIOS.search(head))


def _named_in_ini(path: Path, config: pytest.Config) -> bool:
    patterns = config.getini("egov_sim_scenarios")
    if not patterns:
        return False
    root = Path(config.rootpath)
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(fnmatch.fnmatch(relative, p) or (root / p).resolve() == path.resolve() for p in patterns)


class ScenarioFile(pytest.File):
    def collect(self):
        from .loader import ScenarioFileError, load_all

        flows_given = [str(Path(self.config.rootpath) / p) for p in self.config.getini("egov_sim_flows")]
        try:
            flows, scenarios = load_all([str(self.path), *flows_given])
        except ScenarioFileError as exc:
            raise self.CollectError(str(exc)) from None
        for scenario in scenarios:
            if Path(scenario.file).resolve() == self.path.resolve():
                yield ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario,
                                               flow=flows[scenario.flow])


class ScenarioFailed(Exception):
    """The scenario left its expected path, or its outcome, signer, deadline or messages differ."""


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario, flow, **kwargs):
        super().__init__(**kwargs)
        self.scenario, self.flow = scenario, flow

    def runtest(self) -> None:
        result = _runner(self.config).play(self.scenario, self.flow, self.session)
        self.config.stash.setdefault(_RESULTS, []).append(result)
        self.user_properties.append(("path", " > ".join(result.path)))
        if not result.passed:
            raise ScenarioFailed(result.failure or "failed")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, max(0, self.scenario.line - 1), f"scenario {self.scenario.id} ({self.flow.id})"


class _Runner:
    """One template per session (built on the first scenario), or the running server."""

    def __init__(self, config: pytest.Config):
        from .engine import scratch_dir

        self.seed = config.getoption("--egov-sim-seed")
        self.against = config.getoption("--egov-sim-against")
        self.home = config.getoption("--egov-sim-home")
        self.started = dt.datetime.now(dt.UTC)
        self.app_factory = config.stash.get(APP_FACTORY, None)
        self._tmp = tempfile.TemporaryDirectory(prefix="egov-sim-pytest-", dir=scratch_dir())
        self._template = None
        self._systems = None

    def play(self, scenario, flow, session):
        from . import engine
        from .simulator import RemoteSystems

        if self.against:
            if self._systems is None:
                self._systems = RemoteSystems(self.against, Path(self.home or Path.cwd()))
            return engine.play(scenario, flow, self._systems, seed=self.seed, default_start=self.started)
        if self._template is None:  # one for every scenario the session collected
            items = [i for i in session.items if isinstance(i, ScenarioItem)] or []
            chosen = {i.scenario.id: (i.scenario, i.flow) for i in items}
            chosen.setdefault(scenario.id, (scenario, flow))
            if self.app_factory is None:
                raise pytest.UsageError("scenario items need egov-sim's pytest plugin (it builds the "
                                        "simulators); it is not loaded (-p no:egov_sim?)")
            self._template = engine.prepare_template(
                [s for s, _ in chosen.values()], {f.id: f for _, f in chosen.values()},
                Path(self._tmp.name), started=self.started, app_factory=self.app_factory)
        return engine.play_local(scenario, flow, self._template, seed=self.seed, started=self.started,
                                 workdir=Path(self._tmp.name))

    def close(self) -> None:
        if self._systems is not None:
            self._systems.close()
        self._tmp.cleanup()


def _runner(config: pytest.Config) -> _Runner:
    if _RUNNER not in config.stash:
        config.stash[_RUNNER] = _Runner(config)
    return config.stash[_RUNNER]


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    results = config.stash.get(_RESULTS, [])
    runner = config.stash.get(_RUNNER, None)
    if results and (config.getoption("--egov-sim-html") or config.getoption("--egov-sim-json")):
        from .reports import write_json
        from .results import RunResult

        run = RunResult(tuple(results), runner.started if runner else dt.datetime.now(dt.UTC),
                        sum(r.wall_seconds for r in results), config.getoption("--egov-sim-seed"),
                        against=config.getoption("--egov-sim-against"))
        if config.getoption("--egov-sim-json"):
            write_json(run, config.getoption("--egov-sim-json"))
        if config.getoption("--egov-sim-html"):
            from .reports import write_html

            write_html(run, config.getoption("--egov-sim-html"))
    if runner is not None:
        runner.close()
