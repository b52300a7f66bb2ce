"""Run-time arguments: a node's ``args`` with the scenario's reading options put in.

An argument written ``{option: NAME}`` is a flow reading's switch: the scenario's value of the
option, or the reading's default, takes its place when the node is played. The loader checks
the arguments against each operation's JSON Schema with the options bound the same way.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import jsonschema

from egov_sim.core.yaml_lines import Checker, YamlMap, YamlSeq, plain

from .model import Flow, Node
from .operations import OPERATIONS


def option_refs(value: Any, line: int) -> Iterable[tuple[str, int]]:
    """Every ``{option: NAME}`` in an args value, with its line."""
    if isinstance(value, dict):
        if set(value) == {"option"}:
            yield value["option"], getattr(value, "line", line)
            return
        for k, v in value.items():
            yield from option_refs(v, value.value_line(k) if isinstance(value, YamlMap) else line)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from option_refs(v, value.item_line(i) if isinstance(value, YamlSeq) else line)


def bind(value: Any, options: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"option"}:
            return options[value["option"]]
        return {k: bind(v, options) for k, v in value.items()}
    if isinstance(value, list):
        return [bind(v, options) for v in value]
    return value


def options_of(flow: Flow, chosen: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The flow's switchable readings (its own and its regulation's terms'): each option's
    default, overridden by ``chosen``."""
    values = {r.option: r.default for r in flow.readings if r.option}
    values.update(chosen or {})
    return values


def resolve_args(flow: Flow, node: Node, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A node's args with every ``{option: NAME}`` replaced by the scenario's value or the
    reading's default: what the engine passes to the operation."""
    return bind(plain(node.args), options_of(flow, options))


def check_args(f: Checker, op_name: str, args: Any, line: int, options: Mapping[str, Any], where: str) -> None:
    """The args of ``op_name`` against its JSON Schema, options bound; the first error at its line."""
    op = OPERATIONS[op_name]
    bound = bind(plain(args), options)
    errors = sorted(jsonschema.Draft202012Validator(op.args).iter_errors(bound), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        at = line
        target: Any = args
        for part in e.path:
            if isinstance(target, YamlMap) and part in target:
                at, target = target.value_line(part), target[part]
            elif isinstance(target, YamlSeq) and isinstance(part, int) and part < len(target):
                at, target = target.item_line(part), target[part]
        field = ".".join(str(p) for p in e.path)
        raise f.fail(at, f"{where}: args{'.' + field if field else ''} for {op_name}: {e.message}")
