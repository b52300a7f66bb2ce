"""Loading flows and scenarios: the shipped files, or the files and folders a user names.

Every file is checked whole before anything runs (flows: scenarios/flow_files.py; scenarios:
scenarios/scenario_files.py), and the first problem is reported as ``file:line: what``
(:class:`ScenarioFileError`, one line, as the CLI prints input errors). Node arguments are
resolved with a scenario's options when played (scenarios/arguments.py). The file formats are
in docs/scenarios.md.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Iterable, Mapping

from egov_sim.core.yaml_lines import read_yaml

from .arguments import options_of, resolve_args
from .errors import ScenarioFileError
from .flow_files import load_flow, procedure_of
from .model import Flow, Scenario
from .scenario_files import load_scenario as _load_scenario

FLOWS_DIR = "flows"
CATALOG_DIR = "catalog"

__all__ = ["ScenarioFileError", "load_all", "load_flow", "load_flows", "load_scenario", "options_of",
           "procedure_of", "resolve_args", "shipped_flow_paths", "shipped_scenario_paths"]


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


def load_scenario(path: str | Path, flows: Mapping[str, Flow] | None = None) -> list[Scenario]:
    """Read and check one scenario file against ``flows`` (default: the shipped flows)."""
    if flows is None:
        flows = load_flows(shipped_flow_paths())
    return _load_scenario(path, flows)


def _is_flow(path: Path) -> bool:
    return "nodes" in read_yaml(path, str(path), error=ScenarioFileError)


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
        for sc in _load_scenario(path, flows):
            if sc.id in seen:
                first = seen[sc.id]
                raise ScenarioFileError(sc.file, sc.line, f"scenario id {sc.id!r} is already used "
                                                          f"({first.file}:{first.line})")
            seen[sc.id] = sc
            scenarios.append(sc)
    return flows, scenarios
