"""The one-way rule (docs/architecture.md), read from the code's own imports.

Layers, lowest first: the foundation (core, then reference data), signing and the contracts, ШЭП,
РШЭП and its АРМ, the registries, the channels, the scenarios, and the composition root. A module
imports only its own package or lower layers; the foundation imports no system; no two packages
import each other, directly or round a loop.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support import ROOT

FOLDERS = {
    "egov_sim": "egov_sim", "egov_sim.signing": "signing", "egov_sim.wsdl": "wsdl",
    "egov_sim.gateway": "gateway", "egov_sim.adapters": "adapters",
    "egov_sim.portal_mock": "portal_mock", "egov_sim.scenarios": "scenarios",
}
"""Import package → folder (as setup.py maps them)."""

RANKS = {
    "egov_sim.core": 0,
    "egov_sim.reference": 1,
    "egov_sim.signing": 2, "egov_sim.wsdl": 2,
    "egov_sim.gateway": 3,
    "egov_sim.gateway.rshep": 4,
    "egov_sim.adapters": 5, "egov_sim.adapters.gbd_fl": 5, "egov_sim.adapters.notary": 5,
    "egov_sim.adapters.social": 5,
    "egov_sim.portal_mock.portal": 6, "egov_sim.portal_mock.con": 6, "egov_sim.portal_mock.balkhash": 6,
    "egov_sim.scenarios": 7,
    "egov_sim.app": 8, "egov_sim": 8,
}
"""Each package's layer; the most specific prefix of a module's name decides."""


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts]) if parts else package
            if package == "egov_sim" and len(parts) >= 1 and f"egov_sim.{parts[0]}" in FOLDERS:
                continue
            found[name] = path
    return found


MODULES = _modules()


def _package(module: str) -> str:
    best = max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len)
    return best


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES}
            out |= submodules
            if len(submodules) < len(node.names):  # names defined in the module itself
                out.add(target)
    return {t for t in out if t == "egov_sim" or t.startswith("egov_sim.")}


EDGES = {m: _imports(m, p) for m, p in MODULES.items()}


def test_every_module_is_found():
    assert "egov_sim.gateway.sync_channel" in MODULES and "egov_sim.core.clock" in MODULES
    assert "egov_sim.app.server" in MODULES and "egov_sim.reference.personas" in MODULES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    mine = _package(module)
    upward = sorted(t for t in EDGES[module] if RANKS[_package(t)] > RANKS[mine])
    assert not upward, f"{module} (layer {RANKS[mine]}) imports from higher layers: {upward}"


def test_the_foundation_imports_no_system():
    foundation = {"egov_sim.core", "egov_sim.reference"}
    for module, targets in EDGES.items():
        if _package(module) in foundation:
            assert {_package(t) for t in targets} <= foundation, module


def test_no_loop_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in EDGES.items():
        for t in targets:
            a, b = _package(module), _package(t)
            if a != b and b != "egov_sim":
                graph[a].add(b)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import loop: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_channels_share_contracts_with_rshep_not_its_modules():
    """The portal and the ЦОН exchange the РШЭП documents through ШЭП and read them with the
    contract's codecs (egov_sim.wsdl.service_request, egov_sim.wsdl.rshep_replies), so no channel
    module imports РШЭП's own (gateway/rshep)."""
    channels = {"egov_sim.portal_mock.portal", "egov_sim.portal_mock.con"}
    for module, targets in EDGES.items():
        if _package(module) in channels:
            assert not {t for t in targets if _package(t) == "egov_sim.gateway.rshep"}, module
    readers = {m for m, targets in EDGES.items() if "egov_sim.wsdl.rshep_replies" in targets}
    assert {"egov_sim.portal_mock.portal.inbox_provider", "egov_sim.portal_mock.con.inbox_provider",
            "egov_sim.gateway.rshep.arm_actions", "egov_sim.gateway.rshep.provider"} <= readers


def test_the_checker_sees_a_violation(tmp_path):
    """The rule is not vacuous: an import of the server from the gateway is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from egov_sim.app.server import build_app\n", encoding="utf-8")
    targets = _imports("egov_sim.gateway.bad", bad)
    assert RANKS[_package(next(iter(targets)))] > RANKS[_package("egov_sim.gateway.bad")]


def test_the_layers_are_documented_as_checked():
    """docs/architecture.md's table of layers says what RANKS enforces."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) \| (.+?) \|", doc, re.M)
    documented = {package: int(rank) for rank, cell in rows
                  for package in re.findall(r"`(egov_sim(?:\.\w+)*)`", cell)}
    assert documented and all(RANKS[p] == r for p, r in documented.items()), documented
    assert set(documented.values()) == set(RANKS.values())
    assert "tests/app/test_architecture.py" in doc
