"""The whole run as JSON, for machines, and back: reports can be re-rendered from a saved run.

Key names are the dataclass field names in camelCase (``journal_id`` → ``journalId``), the same
convention as the ШЭП journal's JSON; the set of keys is pinned by the tests, so renaming a
field is a visible schema change. Datetimes are ISO 8601 with offset (Kazakhstan time). Flows
are written once, by id, with their nodes; scenarios refer to them by id.

Schema versions: the loader accepts any ``1.x``. Adding a key with a default is a minor
change; removing or renaming one is a major change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from collections import abc
from pathlib import Path
from typing import Any, Mapping, cast

from ..model import Flow
from ..results import RunResult, ScenarioResult
from .derive import iso

SCHEMA_VERSION = "1.2"
"""1.1 adds the terms' verdicts, the regulation defects and the scenario's options; 1.2 the
flows' ``service`` and ``serviceTitle``, the nodes' ``form`` and ``defects``, the defects'
``kind``, ``citation`` and ``nodes``."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if isinstance(value, ScenarioResult) and f.name == "flow":
                out["flow"] = v.id
                continue
            out[camel(f.name)] = _encode(v)
        return out
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def run_to_dict(run: RunResult) -> dict[str, Any]:
    """The run as plain JSON data: ``schemaVersion``, the run's fields, ``summary``, ``flows``
    by id and ``scenarios`` (each with its derived ``name``, the JUnit testcase name)."""
    flows: dict[str, Any] = {}
    for s in run.scenarios:
        flows.setdefault(s.flow.id, _encode(s.flow))
    body = _encode(run)
    scenarios = body.pop("scenarios")
    for data, s in zip(scenarios, run.scenarios):
        data["name"] = s.name
    failed = sum(1 for s in run.scenarios if not s.passed)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "generator": "egov-sim",
        **body,
        "passed": run.passed,
        "summary": {
            "scenarios": len(run.scenarios),
            "passed": len(run.scenarios) - failed,
            "failed": failed,
            "runErrors": len(run.errors),
        },
        "flows": flows,
        "scenarios": scenarios,
    }


def run_to_json(run: RunResult, *, indent: int | None = 2) -> str:
    return json.dumps(run_to_dict(run), ensure_ascii=False, indent=indent)


def write_json(run: RunResult, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(run_to_json(run) + "\n", encoding="utf-8")
    return path


# -- loading -----------------------------------------------------------------------------------


class SchemaError(ValueError):
    """The JSON is not a run this version of egov-sim can read."""


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any or tp is typing.Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _decode(inner[0], value, where) if len(inner) == 1 else value
    if origin is typing.Literal:
        return value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError as exc:
            raise SchemaError(f"{where}: {value!r} is not one of {', '.join(m.value for m in tp)}") from exc
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise SchemaError(f"{where}: expected a list")
        item = args[0] if args else Any
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (abc.Mapping, dict) or tp in (dict, abc.Mapping):
        if not isinstance(value, dict):
            raise SchemaError(f"{where}: expected an object")
        return dict(value)
    if tp is dt.datetime:
        if value is None:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"{where}: not an ISO 8601 date-time: {value!r}") from exc
    if dataclasses.is_dataclass(tp):
        return _from_dict(cast(type, tp), value, where)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _from_dict(cls: type, data: Any, where: str, **given: Any) -> Any:
    if not isinstance(data, dict):
        raise SchemaError(f"{where}: expected an object")
    hints = _hints(cls)
    kwargs: dict[str, Any] = dict(given)
    for f in dataclasses.fields(cls):
        if f.name in given:
            continue
        key = camel(f.name)
        if key not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SchemaError(f"{where}: missing {key!r}")
            continue
        kwargs[f.name] = _decode(hints[f.name], data[key], f"{where}.{key}")
    return cls(**kwargs)


def run_from_dict(data: Mapping[str, Any]) -> RunResult:
    """The RunResult a :func:`run_to_dict` wrote. Unknown keys are ignored (newer minor
    versions add keys); a different major version is refused."""
    version = str(data.get("schemaVersion", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise SchemaError(f"schemaVersion {version!r} is not supported (this egov-sim reads 1.x)")
    flows = {fid: _from_dict(Flow, f, f"flows[{fid!r}]") for fid, f in data.get("flows", {}).items()}
    scenarios = []
    for i, s in enumerate(data.get("scenarios", [])):
        where = f"scenarios[{i}]"
        flow_id = s.get("flow") if isinstance(s, dict) else None
        if flow_id not in flows:
            raise SchemaError(f"{where}: flow {flow_id!r} is not in 'flows'")
        scenarios.append(_from_dict(ScenarioResult, s, where, flow=flows[flow_id]))
    return _from_dict(RunResult, dict(data), "run", scenarios=tuple(scenarios))


def run_from_json(source: str | Path) -> RunResult:
    """Load a run from JSON text or from a path to a ``.json`` file."""
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        text = Path(source).read_text(encoding="utf-8")
    else:
        text = source
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SchemaError("a run is a JSON object")
    return run_from_dict(data)
