"""Stub files: YAML (or JSON) read with line numbers, checked completely before they are used.

A stub set is every ``*.yaml``/``*.yml``/``*.json`` file under a folder (files by path, stubs in
file order), plus the ``[[services.stubs]]`` tables of the gateway config. A file is either one
stub (a mapping with ``answer``) or ``{namespaces: {...}, stubs: [...]}``. Every problem is
reported as ``file:line: stubs[i].key: what`` (config tables: ``gateway.toml: services[2]:
stubs[0].key: what``) by :class:`StubFileError`, an InputError: one line, never a traceback.
The format is described in docs/stubs.md.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import jinja2
import yaml
from lxml import etree

from egov_sim.core.errors import InputError
from egov_sim.core.safe_xml import UnsafeXmlError, parse

from .matching import (
    DataEqualTo,
    DataMatches,
    InfoField,
    Property,
    Scenario,
    Stub,
    StubSet,
    ValueMatch,
    XPathTrue,
    XPathValue,
)
from .templating import Answer, Fault, Payload, Signing, Text, compile_template, escaped_data, is_template, parse_data

STUB_SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_PRIORITY = 5

STUB_KEYS = ("name", "description", "priority", "match", "scenario", "answer")
MATCH_KEYS = ("service_id", "sender_id", "route_id", "properties", "namespaces", "xpath",
              "equal_to", "equal_to_file", "ignore", "matches")
ANSWER_KEYS = ("status", "message", "data", "data_file", "escaped", "template", "fault",
               "delay_ms", "sign")
VALUE_KEYS = ("equals", "matches", "contains", "absent")


class StubFileError(InputError):
    code = "BAD_STUB"


# --- YAML with line numbers --------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers its line, each key's and each value's."""

    line = 0
    key_lines: dict[str, int]
    value_lines: dict[str, int]

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        """The first line of the value's text (a ``|`` block starts on the next line)."""
        return self.value_lines.get(key, self.line)


class _Seq(list):
    line = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans (true/false only: ``no`` stays text) and no implicit
    timestamps, so an IIN or a date in a matcher stays the text it looks like."""

    yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool",
                                                       "tag:yaml.org,2002:timestamp")]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    file = "?"


_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    m = _Map()
    m.line, m.key_lines, m.value_lines = node.start_mark.line + 1, {}, {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise StubFileError(f"{loader.file}:{line}: keys are text; {key!r} is not")
        if key in m:
            raise StubFileError(f"{loader.file}:{line}: duplicate key {key!r} (first on line {m.key_lines[key]})")
        m[key] = loader.construct_object(value_node, deep=True)
        block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
        m.key_lines[key], m.value_lines[key] = line, value_node.start_mark.line + 1 + block
    return m


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    s = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    s.line, s.item_lines = node.start_mark.line + 1, [c.start_mark.line + 1 for c in node.value]
    return s


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def read_yaml(text: str, name: str) -> Any:
    loader = _Loader(text)
    loader.file = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise StubFileError(f"{name}:{mark.line + 1 if mark else 0}: not valid YAML: "
                            f"{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise StubFileError(f"{name}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


# --- where things are --------------------------------------------------------------------------


@dataclass
class _Origin:
    """Names a place in a file (YAML: ``file:line``) or a config table (``source: path``)."""

    name: str
    folder: Path
    yaml: bool

    def at(self, node: Any, path: str, key: str | None = None, *, value: bool = False) -> str:
        if self.yaml and isinstance(node, _Map):
            line = node.line if key is None else (node.value_line(key) if value else node.key_line(key))
            return f"{self.name}:{line}: {path}" if path else f"{self.name}:{line}"
        return f"{self.name}: {path}" if path else self.name

    def line(self, node: Any, key: str | None = None) -> str:
        """``file:line`` alone (where a stub is), or the table path for config tables."""
        if self.yaml and isinstance(node, _Map):
            return f"{self.name}:{node.key_line(key) if key else node.line}"
        return self.name

    def value_line(self, node: Any, key: str) -> int | None:
        return node.value_line(key) if self.yaml and isinstance(node, _Map) else None


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- checking values ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, origin: _Origin, xpaths: dict, watched: set | None = None):
        self.o = origin
        self._xpaths = xpaths  # (expr, namespaces) → compiled XPath, shared by a whole set
        self.watched = watched if watched is not None else set()
        """Every body file read: hot reload watches them too (inline stubs, ``../x.xml``)."""

    def fail(self, node: Any, path: str, key: str | None, what: str, *, value: bool = False) -> StubFileError:
        where = self.o.at(node, _join(path, key) if key is not None else path, key, value=value)
        return StubFileError(f"{where}: {what}")

    def mapping(self, node: Any, path: str, allowed: Sequence[str], parent: Any = None,
                key: str | None = None) -> Mapping:
        if not isinstance(node, Mapping):
            raise self.fail(parent if parent is not None else node, path, None,
                            f"must be a mapping, not {_kind(node)}")
        unknown = [k for k in node if k not in allowed]
        if unknown:
            raise self.fail(node, path, unknown[0],
                            f"unknown key (allowed: {', '.join(allowed)})")
        return node

    def text(self, node: Mapping, path: str, key: str, *, required: bool = False,
             scalar: bool = False) -> str | None:
        if key not in node:
            if required:
                raise self.fail(node, path, None, f"'{key}' is required")
            return None
        value = node[key]
        if scalar and isinstance(value, (bool, int, float)):
            return _scalar_text(value)
        if not isinstance(value, str):
            raise self.fail(node, path, key, f"must be text, not {_kind(value)}", value=True)
        return value

    def boolean(self, node: Mapping, path: str, key: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(node, path, key, f"must be true or false, not {_kind(value)}", value=True)
        return value

    def regex(self, node: Mapping, path: str, key: str, value: str) -> re.Pattern:
        try:
            return re.compile(value)
        except re.error as exc:
            raise self.fail(node, path, key, f"bad regular expression: {exc}", value=True) from None

    def value_match(self, node: Mapping, path: str, key: str) -> ValueMatch:
        """A value matcher: a text (equals), a list (any of), or a mapping of one of VALUE_KEYS."""
        value = node[key]
        if isinstance(value, (str, bool, int, float)):
            return ValueMatch(equals=(_scalar_text(value),))
        if isinstance(value, list):
            if not value or not all(isinstance(v, (str, int, float, bool)) for v in value):
                raise self.fail(node, path, key, "a list must hold one or more texts", value=True)
            return ValueMatch(equals=tuple(_scalar_text(v) for v in value))
        here = _join(path, key)
        return self.spec(self.mapping(value, here, VALUE_KEYS, node, key), here)

    def spec(self, m: Mapping, here: str, *, besides: tuple[str, ...] = ()) -> ValueMatch:
        given = [k for k in VALUE_KEYS if k in m]
        if len(given) != 1:
            raise self.fail(m, here, None, "give " + " and ".join(f"'{b}'" for b in besides)
                            + (" and " if besides else "") + "exactly one of " + ", ".join(VALUE_KEYS))
        kind = given[0]
        if kind == "absent":
            return ValueMatch(absent=self.boolean(m, here, "absent", True))
        if kind == "equals":
            return self.value_match(m, here, "equals")
        text = self.text(m, here, kind, scalar=True)
        if kind == "matches":
            return ValueMatch(pattern=self.regex(m, here, kind, text))
        return ValueMatch(contains=text)

    def xpath(self, node: Any, path: str, key: str | int, expr: str, namespaces: dict) -> etree.XPath:
        cache_key = (expr, tuple(sorted(namespaces.items())))
        compiled = self._xpaths.get(cache_key)
        if compiled is not None:
            return compiled
        try:
            compiled = etree.XPath(expr, namespaces=namespaces, smart_strings=False)
            compiled(etree.Element("data"))  # an undeclared prefix shows only when evaluated
        except (etree.XPathSyntaxError, etree.XPathEvalError) as exc:
            raise StubFileError(f"{self._item_at(node, path, key)}: bad XPath {expr!r}: {exc}"
                                + (" (declare the prefix under namespaces)" if "prefix" in str(exc).lower()
                                   or "namespace" in str(exc).lower() else "")) from None
        self._xpaths[cache_key] = compiled
        return compiled

    def _item_at(self, node: Any, path: str, key: str | int) -> str:
        if isinstance(key, int) and self.o.yaml and isinstance(node, _Seq):
            line = node.item_lines[key] if key < len(node.item_lines) else node.line
            return f"{self.o.name}:{line}: {_join(path, key)}"
        if isinstance(key, str):
            return self.o.at(node, _join(path, key), key, value=True)
        return f"{self.o.name}: {_join(path, key)}"


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


# --- one stub ----------------------------------------------------------------------------------


def _namespaces(c: _Checker, node: Mapping, path: str, base: Mapping[str, str]) -> dict[str, str]:
    ns = dict(base)
    if "namespaces" not in node:
        return ns
    value = node["namespaces"]
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise c.fail(node, path, "namespaces", "must map prefixes to namespace URIs", value=True)
    ns.update(value)
    return ns


def _read_file(c: _Checker, node: Mapping, path: str, key: str) -> tuple[str, Path]:
    name = c.text(node, path, key)
    file = (c.o.folder / name).resolve()
    c.watched.add(file)
    try:
        return file.read_text(encoding="utf-8"), file
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise c.fail(node, path, key, f"cannot read {name}: {reason}", value=True) from None


_XML_LINE = re.compile(r"line (\d+)")


def _xml_problem(c: _Checker, node: Mapping, path: str, key: str, exc: Exception,
                 file: Path | None) -> StubFileError:
    m = _XML_LINE.search(str(exc))
    if file is not None:
        where = f"{file}:{m.group(1)}" if m else str(file)
        return StubFileError(f"{c.o.at(node, _join(path, key), key, value=True)}: {where}: {exc}")
    first = c.o.value_line(node, key)
    if m and first is not None:
        return StubFileError(f"{c.o.name}:{first + int(m.group(1)) - 1}: {_join(path, key)}: {exc}")
    return c.fail(node, path, key, str(exc), value=True)


def _template(c: _Checker, node: Mapping, path: str, key: str, text: str, file: Path | None,
              *, xml: bool) -> jinja2.Template:
    try:
        return compile_template(text, xml=xml)
    except jinja2.TemplateSyntaxError as exc:
        line = exc.lineno or 1
        if file is not None:
            where = f"{c.o.at(node, _join(path, key), key, value=True)}: {file}:{line}"
        else:
            first = c.o.value_line(node, key)
            where = (f"{c.o.name}:{first + line - 1}: {_join(path, key)}" if first is not None
                     else f"{c.o.name}: {_join(path, key)}")
        raise StubFileError(f"{where}: template syntax error: {exc.message}") from None


def _match(c: _Checker, stub: Mapping, path: str, base_ns: Mapping[str, str]) -> tuple[list, dict]:
    if "match" not in stub:
        return [], dict(base_ns)
    here = _join(path, "match")
    m = c.mapping(stub["match"], here, MATCH_KEYS, stub, "match")
    ns = _namespaces(c, m, here, base_ns)
    conditions: list = []
    for key in ("service_id", "sender_id", "route_id"):
        if key in m:
            conditions.append(InfoField(key, c.value_match(m, here, key)))
    if "properties" in m:
        props = m["properties"]
        where = _join(here, "properties")
        if not isinstance(props, Mapping):
            raise c.fail(m, here, "properties", "must map property keys to values", value=True)
        for key in props:
            conditions.append(Property(str(key), c.value_match(props, where, key)))
    if "xpath" in m:
        items = m["xpath"]
        if isinstance(items, (str, Mapping)):
            items = [items]
        if not isinstance(items, list):
            raise c.fail(m, here, "xpath", "must be an expression or a list of them", value=True)
        where = _join(here, "xpath")
        for i, item in enumerate(items):
            if isinstance(item, str):
                conditions.append(XPathTrue(item, c.xpath(items, where, i, item, ns)))
                continue
            at = _join(where, i)
            im = c.mapping(item, at, ("path",) + VALUE_KEYS, items)
            expr = c.text(im, at, "path", required=True)
            compiled = c.xpath(im, at, "path", expr, ns)
            vm = c.spec(im, at, besides=("path",))
            conditions.append(XPathValue(expr, compiled, vm))
    if "equal_to" in m and "equal_to_file" in m:
        raise c.fail(m, here, "equal_to_file", "give 'equal_to' or 'equal_to_file', not both")
    if "equal_to" in m or "equal_to_file" in m:
        key = "equal_to" if "equal_to" in m else "equal_to_file"
        text, file = ((c.text(m, here, key, required=True), None) if key == "equal_to"
                      else _read_file(c, m, here, key))
        try:
            expected = parse_data(text)
        except UnsafeXmlError as exc:
            raise _xml_problem(c, m, here, key, exc, file) from None
        names, paths = _ignore(c, m, here, ns)
        conditions.append(DataEqualTo(expected, whole=_is_whole(text), ignore_names=names,
                                      ignore_paths=paths,
                                      label=str(file.name) if file else "the expected document"))
    elif "ignore" in m:
        raise c.fail(m, here, "ignore", "goes with 'equal_to' or 'equal_to_file'")
    if "matches" in m:
        conditions.append(DataMatches(c.regex(m, here, "matches", c.text(m, here, "matches"))))
    return conditions, ns


def _is_whole(text: str) -> bool:
    """The expected text is itself a ``<data>`` element (compared whole, attributes too)."""
    stripped = re.sub(r"^\s*(<\?xml[^>]*\?>)?\s*", "", text)
    return bool(re.match(r"<data[\s>/]", stripped))


def _ignore(c: _Checker, m: Mapping, path: str, ns: dict) -> tuple[frozenset[str], tuple]:
    if "ignore" not in m:
        return frozenset(), ()
    items = m["ignore"]
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise c.fail(m, path, "ignore", "must be a list of element names or XPath expressions", value=True)
    names, paths = set(), []
    for i, item in enumerate(items):
        if re.fullmatch(r"[A-Za-z_][\w.-]*", item):
            names.add(item)
        else:
            paths.append(c.xpath(items, _join(path, "ignore"), i, item, ns))
    return frozenset(names), tuple(paths)


def _value_ms(c: _Checker, node: Mapping, path: str, key: str) -> tuple[float, float]:
    value = node[key]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise c.fail(node, path, key, "must be ≥ 0 milliseconds", value=True)
        return float(value), float(value)
    here = _join(path, key)
    m = c.mapping(value, here, ("min", "max"), node, key)
    low, high = m.get("min"), m.get("max")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
        raise c.fail(m, here, None, "give 'min' and 'max' in milliseconds")
    if not 0 <= low <= high:
        raise c.fail(m, here, None, "needs 0 ≤ min ≤ max")
    return float(low), float(high)


_CODE = re.compile(r"\S{1,64}")


def _answer(c: _Checker, stub: Mapping, path: str, ns: dict) -> Answer:
    if "answer" not in stub:
        raise c.fail(stub, path, None, "'answer' is required")
    here = _join(path, "answer")
    a = c.mapping(stub["answer"], here, ANSWER_KEYS, stub, "answer")
    templated = c.boolean(a, here, "template", True)
    escaped = c.boolean(a, here, "escaped", False)
    sources: list[str] = []

    def text_field(node: Mapping, where: str, key: str, default: str | None) -> Text | None:
        value = c.text(node, where, key, scalar=True)
        if value is None:
            return None if default is None else Text(default)
        if templated and is_template(value):
            sources.append(value)
            return Text(value, _template(c, node, where, key, value, None, xml=False))
        return Text(value)

    status = c.text(a, here, "status", scalar=True) or "SCSS001"
    if not _CODE.fullmatch(status):
        raise c.fail(a, here, "status", "must be a code of 1 to 64 characters without spaces", value=True)
    message = text_field(a, here, "message",
                         "Message has been processed successfully" if status == "SCSS001" else status)

    fault = None
    if "fault" in a:
        where = _join(here, "fault")
        f = c.mapping(a["fault"], where, ("code", "message", "data"), a, "fault")
        code = c.text(f, where, "code", required=True, scalar=True)
        if not _CODE.fullmatch(code):
            raise c.fail(f, where, "code", "must be 1 to 64 characters without spaces", value=True)
        fault = Fault(code, text_field(f, where, "message", "Ошибка"), text_field(f, where, "data", None))
        for key in ("data", "data_file", "status", "sign"):
            if key in a:
                raise c.fail(a, here, key, "a fault answer has no data, status or signature")

    payload = None
    if "data" in a and "data_file" in a:
        raise c.fail(a, here, "data_file", "give 'data' or 'data_file', not both")
    if "data" in a or "data_file" in a:
        key = "data" if "data" in a else "data_file"
        text, file = ((c.text(a, here, key), None) if key == "data" else _read_file(c, a, here, key))
        origin = str(file) if file else c.o.line(a, key)
        if templated and is_template(text):
            sources.append(text)
            payload = Payload(template=_template(c, a, here, key, text, file, xml=not escaped),
                              escaped=escaped, origin=origin)
        else:
            try:
                static = escaped_data(text) if escaped else parse_data(text)
                if escaped:
                    parse(text.encode("utf-8"))  # the escaped document must still be XML
            except UnsafeXmlError as exc:
                raise _xml_problem(c, a, here, key, exc, file) from None
            payload = Payload(static=static, escaped=escaped, origin=origin)

    delay = _value_ms(c, a, here, "delay_ms") if "delay_ms" in a else None
    sign = None
    if "sign" in a:
        value = a["sign"]
        if isinstance(value, str):
            sign = Signing(value)
        else:
            where = _join(here, "sign")
            s = c.mapping(value, where, ("certificate", "password"), a, "sign")
            sign = Signing(c.text(s, where, "certificate", required=True),
                           c.text(s, where, "password", scalar=True) or "Qwerty12")
        if payload is None:
            raise c.fail(a, here, "sign", "there is no data to sign: add 'data' or 'data_file'")
    return Answer(status_code=status, status_message=message, payload=payload, fault=fault,
                  delay_ms=delay, sign=sign, uses_counter=any("counter" in s for s in sources))


def _scenario(c: _Checker, stub: Mapping, path: str) -> Scenario | None:
    if "scenario" not in stub:
        return None
    here = _join(path, "scenario")
    value = stub["scenario"]
    if isinstance(value, str):
        return Scenario(value)
    s = c.mapping(value, here, ("name", "state", "next"), stub, "scenario")
    return Scenario(c.text(s, here, "name", required=True), c.text(s, here, "state", scalar=True),
                    c.text(s, here, "next", scalar=True))


def _stub(c: _Checker, node: Any, path: str, parent: Any, *, order: int, default_name: str,
          base_ns: Mapping[str, str]) -> tuple[Stub, dict]:
    stub = c.mapping(node, path, STUB_KEYS, parent)
    name = c.text(stub, path, "name", scalar=True) or default_name
    priority = stub.get("priority", DEFAULT_PRIORITY)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise c.fail(stub, path, "priority", "must be a whole number (1 answers before 5)", value=True)
    conditions, ns = _match(c, stub, path, base_ns)
    answer = _answer(c, stub, path, ns)
    return Stub(name=name, where=c.o.line(stub), conditions=tuple(conditions), answer=answer,
                priority=priority, order=order, scenario=_scenario(c, stub, path)), ns


# --- files and sets ----------------------------------------------------------------------------


@dataclass
class LoadedStubs:
    stubs: list[Stub] = field(default_factory=list)
    namespaces: dict[int, dict] = field(default_factory=dict)
    """Per stub (by ``id``): the namespaces its templates' ``xpath()`` use."""
    files: list[str] = field(default_factory=list)
    watched: set[Path] = field(default_factory=set)
    """The body files stubs read (``data_file``, ``equal_to_file``): watched for changes, also
    when they are outside the folder or belong to inline stubs."""


def _add(loaded: LoadedStubs, c: _Checker, node: Any, path: str, parent: Any, default: str,
         ns: Mapping[str, str]) -> None:
    stub, used = _stub(c, node, path, parent, order=len(loaded.stubs), default_name=default,
                       base_ns=ns)
    loaded.stubs.append(stub)
    loaded.namespaces[id(stub)] = used


def load_file(path: Path, loaded: LoadedStubs, xpaths: dict, *, label: str | None = None) -> None:
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StubFileError(f"{name}: cannot read the file: {reason}") from None
    doc = read_yaml(text, name)
    c = _Checker(_Origin(name, path.parent, yaml=True), xpaths, loaded.watched)
    loaded.files.append(name)
    if doc is None:
        return  # an empty file: no stubs
    if not isinstance(doc, Mapping):
        raise StubFileError(f"{name}:{getattr(doc, 'line', 1)}: a stub file is a mapping: one stub, "
                            "or 'stubs:' with a list of them")
    stem = path.stem
    if "stubs" not in doc:
        _add(loaded, c, doc, "", None, stem, {})
        return
    c.mapping(doc, "", ("stubs", "namespaces"))
    ns = _namespaces(c, doc, "", {})
    items = doc["stubs"]
    if not isinstance(items, list):
        raise c.fail(doc, "", "stubs", "must be a list of stubs", value=True)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise StubFileError(f"{c._item_at(items, 'stubs', i)}: a stub is a mapping, not {_kind(item)}")
        _add(loaded, c, item, f"stubs[{i}]", items, f"{stem}#{i + 1}", ns)


def stub_files(directory: Path) -> list[Path]:
    """The stub files under ``directory`` (recursively; hidden files and folders skipped), by path."""
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(root) / f for f in sorted(files)
                if f.endswith(STUB_SUFFIXES) and not f.startswith(".")]
    return sorted(out)


@dataclass(frozen=True)
class StubSource:
    """Where a stub set comes from: a folder, inline config tables, or both."""

    name: str
    """The stub set's name: the serviceId (or routeId) it answers."""
    directory: Path | None = None
    inline: tuple[Mapping, ...] = ()
    where: str = "config"
    """How to name the inline tables in errors (``gateway.toml: services[2]``)."""
    root: Path = Path(".")
    """Folder relative ``data_file``/``equal_to_file`` of inline stubs resolve against."""

    def load(self) -> CompiledSet:
        return load_source(self)


@dataclass
class CompiledSet:
    stub_set: StubSet
    namespaces: dict[int, dict]
    watched: set[Path]


def load_source(source: StubSource) -> CompiledSet:
    """Read and check every stub of ``source``; :class:`StubFileError` on the first problem."""
    loaded = LoadedStubs()
    xpaths: dict[str, Any] = {}
    if source.directory is not None:
        if not source.directory.is_dir():
            raise StubFileError(f"{source.where}: stub folder {source.directory} does not exist")
        for path in stub_files(source.directory):
            # named from the folder's parent: "tax/debts.yaml:4", not a long absolute path
            load_file(path, loaded, xpaths, label=str(path.relative_to(source.directory.parent)))
    c = _Checker(_Origin(source.where, source.root, yaml=False), xpaths, loaded.watched)
    for i, table in enumerate(source.inline):
        _add(loaded, c, table, f"stubs[{i}]", None, f"{source.name}#{i + 1}", {})
    names: dict[str, str] = {}
    for stub in loaded.stubs:
        if stub.name in names:
            raise StubFileError(f"{stub.where}: stub name {stub.name!r} is used already ({names[stub.name]})")
        names[stub.name] = stub.where
    return CompiledSet(StubSet(source.name, tuple(loaded.stubs), tuple(loaded.files)),
                       loaded.namespaces, loaded.watched)


def fingerprint(source: StubSource, extra: Iterable[Path] = ()) -> tuple:
    """What changes when any file of the set changes (paths, sizes, mtimes): cheap to poll."""
    out: list[tuple] = []
    paths: list[Path] = []
    if source.directory is not None:
        for root, dirs, files in os.walk(source.directory):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            paths += [Path(root) / f for f in files if not f.startswith(".")]
    for path in sorted(paths) + sorted(extra):
        try:
            st = path.stat()
        except FileNotFoundError:
            out.append((str(path), None))
            continue
        out.append((str(path), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)
