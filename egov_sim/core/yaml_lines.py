"""YAML files people edit, read with line numbers and checked key by key.

A flow, a scenario or a regulation's term file with a typo would otherwise fail far from the
typo. Every mapping and list read here remembers the line of itself, of each key and of each
value, so a checker can say ``file:line: what`` (:class:`SourceError`, one line, as the CLI
prints input errors). The dialect is safe YAML with YAML 1.2's plain scalars: booleans are only
``true``/``false`` (so ``C1:no`` or a bare ``no`` stay text), ``002`` stays text, and timestamps
stay text; duplicate keys and keys that are not text are errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence, overload

import yaml

from .errors import InputError
from .working_time import Duration, DurationError, HoursError, WorkingHours, parse_duration


class SourceError(InputError):
    """A file that cannot be used: ``file:line: what``."""

    code = "SOURCE_FILE"

    def __init__(self, file: str, line: int, what: str):
        super().__init__(f"{file}:{line}: {what}")
        self.file, self.line, self.what = file, line, what


ErrorFactory = Callable[[str, int, str], Exception]


class YamlMap(dict):
    """A YAML mapping that remembers where it, each key and each value are."""

    line: int = 0
    key_lines: dict
    value_lines: dict

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        return self.value_lines.get(key, self.line)

    @classmethod
    def empty(cls, line: int) -> YamlMap:
        m = cls()
        m.line, m.key_lines, m.value_lines = line, {}, {}
        return m


class YamlSeq(list):
    line: int = 0
    item_lines: list

    def item_line(self, i: int) -> int:
        return self.item_lines[i] if i < len(self.item_lines) else self.line

    @classmethod
    def empty(cls, line: int) -> YamlSeq:
        s = cls()
        s.line, s.item_lines = line, []
        return s


class _Loader(yaml.SafeLoader):
    yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                                                       "tag:yaml.org,2002:timestamp")]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    file = "?"
    error: ErrorFactory = SourceError


_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
                              list("-+0123456789"))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    m = YamlMap.empty(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise loader.error(loader.file, line, f"keys are text; {key!r} is not")
        if key in m:
            raise loader.error(loader.file, line, f"duplicate key {key!r} (first on line {m.key_lines[key]})")
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[key], m.value_lines[key] = line, value_node.start_mark.line + 1
    return m


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> YamlSeq:
    s = YamlSeq(loader.construct_object(child, deep=True) for child in node.value)
    s.line, s.item_lines = node.start_mark.line + 1, [c.start_mark.line + 1 for c in node.value]
    return s


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def read_yaml(path: Path, name: str | None = None, *, error: ErrorFactory = SourceError) -> YamlMap:
    """The YAML mapping in ``path`` (``name`` is how errors name the file)."""
    name = name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(name, 0, f"cannot read the file: {exc}") from None
    return parse_yaml(text, name, error=error)


def parse_yaml(text: str, name: str, *, error: ErrorFactory = SourceError) -> YamlMap:
    loader = _Loader(text)
    loader.file, loader.error = name, error
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise error(name, line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise error(name, 0, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, YamlMap):
        raise error(name, getattr(data, "line", 1) or 1, "the file must be a YAML mapping")
    return data


def kind_of(value: Any) -> str:
    """How a message names a value's type: ``a mapping``, ``text``, ``a number``."""
    return {bool: "a boolean", int: "a number", float: "a number", YamlMap: "a mapping", YamlSeq: "a list",
            str: "text", dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def plain(value: Any) -> Any:
    """Mappings and lists as plain dicts and lists (what models hold)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def item_label(raw: Any, kind: str, i: int) -> str:
    """``node P3`` when the item has an id, else ``node #4``: for messages before the id is checked."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} {rid}" if isinstance(rid, str) else f"{kind} #{i + 1}"


class Checker:
    """Checks the values of one file and reports the first problem at its line."""

    def __init__(self, name: str, *, error: ErrorFactory = SourceError):
        self.name, self.error = name, error

    def fail(self, line: int, what: str) -> Exception:
        return self.error(self.name, line, what)

    def keys(self, m: Any, where: str, allowed: Sequence[str], required: Sequence[str] = (),
             line: int = 0) -> YamlMap:
        if not isinstance(m, YamlMap):
            raise self.fail(getattr(m, "line", 0) or line, f"{where} must be a mapping")
        for key in m:
            if key not in allowed:
                raise self.fail(m.key_line(key), f"unknown key {key!r} in {where} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in m or m[key] is None:
                raise self.fail(m.line, f"{where}: missing {key!r}")
        return m

    @overload
    def text(self, m: YamlMap, key: str, where: str, *, required: Literal[True],
             pattern: re.Pattern | None = None, choices: Sequence[str] | None = None) -> str: ...

    @overload
    def text(self, m: YamlMap, key: str, where: str, *, required: bool = False,
             pattern: re.Pattern | None = None, choices: Sequence[str] | None = None) -> str | None: ...

    def text(self, m: YamlMap, key: str, where: str, *, required: bool = False,
             pattern: re.Pattern | None = None, choices: Sequence[str] | None = None) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(m.line, f"{where}: missing {key!r}")
            return None
        if not isinstance(value, str):
            raise self.fail(m.value_line(key), f"{where}: {key} must be text, not {kind_of(value)}"
                            + (" (quote it)" if isinstance(value, (int, float, bool)) else ""))
        if choices is not None and value not in choices:
            raise self.fail(m.value_line(key), f"{where}: {key} {value!r} is not one of {', '.join(choices)}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(m.value_line(key), f"{where}: {key} {value!r} is not a valid {key}")
        return value

    def texts(self, m: YamlMap, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """A text or a list of texts, each with its line."""
        value = m.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return ((value, m.value_line(key)),)
        if isinstance(value, YamlSeq) and all(isinstance(v, str) for v in value):
            return tuple((v, value.item_line(i)) for i, v in enumerate(value))
        raise self.fail(m.value_line(key), f"{where}: {key} must be text or a list of texts")

    def seq(self, m: YamlMap, key: str, where: str, *, required: bool = False) -> YamlSeq:
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(m.line, f"{where}: missing {key!r}")
            return YamlSeq.empty(m.value_line(key))
        if not isinstance(value, YamlSeq):
            raise self.fail(m.value_line(key), f"{where}: {key} must be a list, not {kind_of(value)}")
        return value

    def mapping(self, m: YamlMap, key: str, where: str, *, required: bool = False) -> YamlMap:
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(m.line, f"{where}: missing {key!r}")
            return YamlMap.empty(m.value_line(key))
        if not isinstance(value, YamlMap):
            raise self.fail(m.value_line(key), f"{where}: {key} must be a mapping, not {kind_of(value)}")
        return value

    def flag(self, m: YamlMap, key: str, where: str, default: bool = False) -> bool:
        value = m.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(m.value_line(key), f"{where}: {key} must be true or false")
        return value

    def duration(self, m: YamlMap, key: str, where: str) -> Duration | None:
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

    def each(self, items: YamlSeq, kind: str, allowed: Sequence[str], required: Sequence[str] = ()
             ) -> Iterable[tuple[int, YamlMap, str]]:
        """Each item of a list of mappings, checked for keys: (index, mapping, label)."""
        for i, raw in enumerate(items):
            label = item_label(raw, kind, i)
            yield i, self.keys(raw, label, allowed, required, line=items.item_line(i)), label
