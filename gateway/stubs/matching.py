"""Which stub answers a request: conditions on requestInfo and ``data``, precedence, near misses.

A stub matches when every one of its conditions holds. Candidates are tried by ``priority``
(lower first), then in load order (files by path, stubs in file order); the first match wins.
When none matches, :func:`near_misses` ranks the stubs by the share of conditions they met
(WireMock's near-miss report) and says, for each, why it did not match.

XPath expressions are compiled once at load; a request evaluates each distinct expression at
most once, however many stubs use it (:class:`RequestView` memoises results). Stubs told apart
by one compared value (``string(//iin)`` equals …) are indexed by it (:func:`_build_index`), so
a hundred of them cost one XPath evaluation and a dict lookup. Reasons are built only for the
near-miss report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from lxml import etree

from egov_sim.core.safe_xml import UnsafeXmlError, parse

from ..request_info import RequestInfo

STARTED = "Started"
"""The state every scenario begins in (and returns to on reset), as in WireMock."""


# --- the request as stubs see it ---------------------------------------------------------------


class RequestView:
    """One request: ``requestInfo``, ``data`` and the memoised results of XPath evaluations."""

    __slots__ = ("info", "data", "session_id", "_document", "_memo", "_strings", "_text", "_escaped")

    def __init__(self, info: RequestInfo, data: etree._Element | None, session_id: str = ""):
        self.info, self.data, self.session_id = info, data, session_id
        self._document: etree._Element | None | bool = False
        self._memo: dict[int, Any] = {}
        self._strings: dict[int, str | None] = {}
        self._text: str | None = None
        self._escaped = False

    @property
    def escaped(self) -> bool:
        """``data`` carries an escaped XML document as text (``xsi:type="xs:string"``)."""
        self.document()
        return self._escaped

    def document(self) -> etree._Element | None:
        """What XPath runs on: ``data``, or the document escaped inside it (NIT style)."""
        if self._document is False:
            self._document = self.data
            if self.data is not None and len(self.data) == 0:
                text = (self.data.text or "").strip()
                if text.startswith("<"):
                    try:
                        self._document = parse(text.encode("utf-8")).getroot()
                        self._escaped = True
                    except UnsafeXmlError:
                        self._document = self.data
        return self._document

    def xpath(self, compiled: etree.XPath) -> Any:
        key = id(compiled)
        try:
            return self._memo[key]
        except KeyError:
            doc = self.document()
            try:
                value = compiled(doc) if doc is not None else None
            except etree.XPathEvalError:
                value = None
            self._memo[key] = value
            return value

    def string(self, compiled: etree.XPath) -> str | None:
        """:func:`string_value` of :meth:`xpath`, memoised too."""
        key = id(compiled)
        try:
            return self._strings[key]
        except KeyError:
            value = self._strings[key] = string_value(self.xpath(compiled))
            return value

    def data_text(self) -> str:
        """``data`` serialised (what ``matches`` searches)."""
        if self._text is None:
            self._text = ("" if self.data is None else
                          etree.tostring(self.data, encoding="unicode", with_tail=False))
        return self._text


def string_value(result: Any) -> str | None:
    """An XPath result as one string: the first node's text, a number without ``.0``; None when
    it selected nothing."""
    if result is None:
        return None
    if isinstance(result, list):
        if not result:
            return None
        result = result[0]
        if isinstance(result, etree._Element):
            return "".join(result.itertext())
        return str(result)
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float):
        return str(int(result)) if result.is_integer() else repr(result)
    return str(result)


def truthy(result: Any) -> bool:
    if result is None:
        return False
    if isinstance(result, (list, str)):
        return len(result) > 0
    if isinstance(result, float):
        return result == result and result != 0
    return bool(result)


# --- value matchers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMatch:
    """How a text is compared: ``equals`` (one value or any of several), ``matches`` (a regular
    expression over the whole text), ``contains``, or ``absent``."""

    equals: tuple[str, ...] | None = None
    pattern: re.Pattern | None = None
    contains: str | None = None
    absent: bool | None = None

    def accepts(self, value: str | None) -> bool:
        if self.absent is not None:
            return (value is None) == self.absent
        if value is None:
            return False
        if self.equals is not None and value not in self.equals:
            return False
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return False
        return self.contains is None or self.contains in value

    def check(self, value: str | None) -> str | None:
        """None when ``value`` passes, else what was expected."""
        return None if self.accepts(value) else self.describe()

    def describe(self) -> str:
        if self.absent is not None:
            return "absent" if self.absent else "present"
        if self.equals is not None:
            return (repr(self.equals[0]) if len(self.equals) == 1
                    else "one of " + ", ".join(repr(v) for v in self.equals))
        if self.pattern is not None:
            return f"to match /{self.pattern.pattern}/"
        return f"to contain {self.contains!r}"


def _shown(value: str | None) -> str:
    if value is None:
        return "absent"
    return repr(value if len(value) <= 80 else value[:77] + "...")


# --- conditions --------------------------------------------------------------------------------


class Condition(Protocol):
    def holds(self, request: RequestView) -> bool:
        """The fast test the matching loop uses."""

    def check(self, request: RequestView) -> str | None:
        """None when the request meets the condition, else why not (for near-miss reports)."""

    def describe(self) -> str: ...


_INFO_FIELDS = {"service_id": "serviceId", "sender_id": "senderId", "route_id": "routeId"}


@dataclass(frozen=True)
class InfoField:
    """``serviceId``, ``senderId`` or ``routeId`` of ``requestInfo``."""

    attr: str
    match: ValueMatch

    def holds(self, request: RequestView) -> bool:
        return self.match.accepts(getattr(request.info, self.attr))

    def check(self, request: RequestView) -> str | None:
        value = getattr(request.info, self.attr)
        expected = self.match.check(value)
        if expected is None:
            return None
        return f"{_INFO_FIELDS[self.attr]} is {_shown(value)}, expected {expected}"

    def describe(self) -> str:
        return f"{_INFO_FIELDS[self.attr]} {self.match.describe()}"


@dataclass(frozen=True)
class Property:
    """One ``requestInfo/properties`` entry, by key."""

    key: str
    match: ValueMatch

    def holds(self, request: RequestView) -> bool:
        return self.check(request) is None

    def check(self, request: RequestView) -> str | None:
        value = next((v for k, v in request.info.properties if k == self.key), None)
        expected = self.match.check(value)
        if expected is None:
            return None
        return f"property {self.key} is {_shown(value)}, expected {expected}"

    def describe(self) -> str:
        return f"property {self.key} {self.match.describe()}"


@dataclass(frozen=True)
class XPathTrue:
    """An XPath expression that must select something (or be true)."""

    expression: str
    compiled: etree.XPath

    def holds(self, request: RequestView) -> bool:
        return request.data is not None and truthy(request.xpath(self.compiled))

    def check(self, request: RequestView) -> str | None:
        if request.data is None:
            return "the request has no data"
        if truthy(request.xpath(self.compiled)):
            return None
        return f"data xpath {self.expression} selects nothing"

    def describe(self) -> str:
        return f"xpath {self.expression}"


@dataclass(frozen=True)
class XPathValue:
    """The string value of an XPath expression, compared with a :class:`ValueMatch`."""

    expression: str
    compiled: etree.XPath
    match: ValueMatch

    def holds(self, request: RequestView) -> bool:
        if request.data is None and self.match.absent is not True:
            return False
        return self.match.accepts(request.string(self.compiled))

    def check(self, request: RequestView) -> str | None:
        if request.data is None and self.match.absent is not True:
            return "the request has no data"
        value = request.string(self.compiled)
        expected = self.match.check(value)
        if expected is None:
            return None
        return f"data xpath {self.expression} is {_shown(value)}, expected {expected}"

    def describe(self) -> str:
        return f"xpath {self.expression} {self.match.describe()}"


@dataclass(frozen=True)
class DataMatches:
    """A regular expression searched in the serialised ``data``."""

    pattern: re.Pattern

    def holds(self, request: RequestView) -> bool:
        return self.pattern.search(request.data_text()) is not None

    def check(self, request: RequestView) -> str | None:
        if self.pattern.search(request.data_text()):
            return None
        return f"data does not contain a match for /{self.pattern.pattern}/"

    def describe(self) -> str:
        return f"data ~ /{self.pattern.pattern}/"


@dataclass(frozen=True)
class DataEqualTo:
    """``data`` equal to an XML document, whitespace and the ``ignore``d elements aside.

    ``expected`` is either a ``data`` element (compared whole, attributes included) or a
    ``data`` wrapper around the expected content (compared with the request's ``data``
    children, or with the document escaped in it). Elements compare by namespace and local
    name (prefixes do not matter); whitespace-only text does not count and text is stripped.
    ``ignore`` holds local names (any namespace) and XPath expressions.
    """

    expected: etree._Element
    whole: bool
    ignore_names: frozenset[str] = frozenset()
    ignore_paths: tuple[etree.XPath, ...] = ()
    label: str = "the expected document"

    def holds(self, request: RequestView) -> bool:
        return self.check(request) is None

    def check(self, request: RequestView) -> str | None:
        if request.data is None:
            return "the request has no data"
        if self.whole:
            ours, theirs = [self.expected], [request.data]
        else:
            doc = request.document()
            ours = _children(self.expected)
            theirs = [doc] if request.escaped else _children(request.data)
        # keep the ignored nodes referenced while comparing: lxml gives a node the same Python
        # proxy (and so the same id) only while one is alive
        alive = self._ignored(self.expected) + self._ignored(
            request.document() if request.escaped else request.data)
        skip = {id(n) for n in alive}
        diff = _compare_lists(ours, theirs, "/data" if not request.escaped else "", skip,
                              self.ignore_names)
        return None if diff is None else f"data differs from {self.label} at {diff}"

    def _ignored(self, root: etree._Element | None) -> list[etree._Element]:
        out: list[etree._Element] = []
        if root is None:
            return out
        for path in self.ignore_paths:
            try:
                found = path(root)
            except etree.XPathEvalError:
                continue
            if isinstance(found, list):
                out += [n for n in found if isinstance(n, etree._Element)]
        return out

    def describe(self) -> str:
        return f"data equal to {self.label}"


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _text(value: str | None) -> str:
    return (value or "").strip()


def _skipped(el: etree._Element, skip: set[int], names: frozenset[str]) -> bool:
    return id(el) in skip or (bool(names) and etree.QName(el).localname in names)


def _compare_lists(ours: list, theirs: list, where: str, skip: set[int],
                   names: frozenset[str]) -> str | None:
    ours = [e for e in ours if not _skipped(e, skip, names)]
    theirs = [e for e in theirs if not _skipped(e, skip, names)]
    for a, b in zip(ours, theirs, strict=False):
        diff = _compare(a, b, f"{where}/{etree.QName(a).localname}", skip, names)
        if diff is not None:
            return diff
    if len(ours) != len(theirs):
        if len(ours) > len(theirs):
            return f"{where}: element {etree.QName(ours[len(theirs)]).localname} is missing"
        return f"{where}: unexpected element {etree.QName(theirs[len(ours)]).localname}"
    return None


def _compare(a: etree._Element, b: etree._Element, where: str, skip: set[int],
             names: frozenset[str]) -> str | None:
    if a.tag != b.tag:
        return f"{where}: element {etree.QName(b).text} instead of {etree.QName(a).text}"
    if dict(a.attrib) != dict(b.attrib):
        return f"{where}: attributes {dict(b.attrib)} instead of {dict(a.attrib)}"
    if _text(a.text) != _text(b.text):
        return f"{where}: text {_shown(_text(b.text))} instead of {_shown(_text(a.text))}"
    return _compare_lists(_children(a), _children(b), where, skip, names)


@dataclass(frozen=True)
class ScenarioState:
    """The stub answers only while its scenario is in ``state``."""

    scenario: str
    state: str

    def check_state(self, states: Mapping[str, str]) -> str | None:
        current = states.get(self.scenario, STARTED)
        if current == self.state:
            return None
        return f"scenario {self.scenario!r} is in state {current!r}, the stub needs {self.state!r}"


# --- stubs and stub sets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    state: str | None = None
    """Required state (None: any)."""
    next: str | None = None
    """State after this stub answers (None: unchanged)."""


@dataclass(frozen=True)
class Stub:
    name: str
    where: str
    """``file:line`` (or the config file's table) where the stub is defined."""
    conditions: tuple[Condition, ...]
    answer: Any
    priority: int = 5
    order: int = 0
    scenario: Scenario | None = None

    def failures(self, request: RequestView, states: Mapping[str, str],
                 *, first_only: bool = False) -> list[str]:
        out: list[str] = []
        for condition in self.conditions:
            reason = condition.check(request)
            if reason is not None:
                out.append(reason)
                if first_only:
                    return out
        if self.scenario is not None and self.scenario.state is not None:
            reason = ScenarioState(self.scenario.name, self.scenario.state).check_state(states)
            if reason is not None:
                out.append(reason)
        return out

    def matches(self, request: RequestView, states: Mapping[str, str]) -> bool:
        for condition in self.conditions:
            if not condition.holds(request):
                return False
        scenario = self.scenario
        return (scenario is None or scenario.state is None
                or states.get(scenario.name, STARTED) == scenario.state)

    @property
    def condition_count(self) -> int:
        return len(self.conditions) + (1 if self.scenario and self.scenario.state else 0)

    def describe_match(self) -> str:
        parts = [c.describe() for c in self.conditions]
        if self.scenario is not None and self.scenario.state is not None:
            parts.append(f"scenario {self.scenario.name} in {self.scenario.state}")
        return "; ".join(parts) or "any request"


@dataclass(frozen=True)
class NearMiss:
    stub: Stub
    met: int
    reasons: tuple[str, ...]

    @property
    def closeness(self) -> float:
        total = len(self.stub.conditions)
        return self.met / total if total else 0.5


@dataclass
class StubSet:
    """The stubs answering one service (or route), in precedence order."""

    name: str
    stubs: tuple[Stub, ...]
    files: tuple[str, ...] = ()
    stateful: bool = field(init=False)

    def __post_init__(self) -> None:
        self.stubs = tuple(sorted(self.stubs, key=lambda s: (s.priority, s.order)))
        self.stateful = any(s.scenario is not None for s in self.stubs)
        self._key, self._index, self._rest = _build_index(self.stubs)

    def match(self, request: RequestView, states: Mapping[str, str] = {}) -> Stub | None:
        candidates = self.stubs
        if self._key is not None:
            candidates = self._index.get(request.string(self._key), self._rest)
        for stub in candidates:
            if stub.matches(request, states):
                return stub
        return None

    def scenarios(self) -> list[str]:
        return sorted({s.scenario.name for s in self.stubs if s.scenario is not None})


def _build_index(stubs: tuple[Stub, ...]):
    """An exact shortcut for the common case of many stubs told apart by one value.

    Take the XPath most stubs compare with ``equals`` (compiled expressions are shared, so the
    same text is the same object): a stub with such a condition can only match a request whose
    value is one of its ``equals``. Per value, the candidates are the stubs listing that value
    plus the stubs without such a condition, in precedence order; a request evaluates that XPath
    once and tries only its candidates.
    """
    counts: dict[int, tuple[etree.XPath, int]] = {}
    for stub in stubs:
        for c in stub.conditions:
            if isinstance(c, XPathValue) and c.match.equals is not None and c.match.absent is None:
                compiled, n = counts.get(id(c.compiled), (c.compiled, 0))
                counts[id(c.compiled)] = (compiled, n + 1)
    if not counts:
        return None, {}, stubs
    key, n = max(counts.values(), key=lambda item: item[1])
    if n < 2:
        return None, {}, stubs
    by_value: dict[str, list[Stub]] = {}
    rest: list[Stub] = []
    for stub in stubs:
        keyed = next((c for c in stub.conditions if isinstance(c, XPathValue) and c.compiled is key
                      and c.match.equals is not None and c.match.absent is None), None)
        if keyed is None:
            rest.append(stub)
            continue
        for value in dict.fromkeys(keyed.match.equals):
            by_value.setdefault(value, []).append(stub)
    order = {id(s): i for i, s in enumerate(stubs)}
    index = {value: tuple(sorted(listed + rest, key=lambda s: order[id(s)]))
             for value, listed in by_value.items()}
    return key, index, tuple(rest)


def near_misses(stubs: Sequence[Stub], request: RequestView,
                states: Mapping[str, str] = {}) -> list[NearMiss]:
    """Every stub with the reasons it did not match, the closest first (ties: precedence).

    Closeness counts the conditions on the request; a scenario in the wrong state is reported
    as a reason but does not make a stub look closer than one that fits the request."""
    out = []
    for stub in stubs:
        reasons = stub.failures(request, states)
        failed_conditions = sum(1 for c in stub.conditions if c.check(request) is not None)
        out.append(NearMiss(stub, len(stub.conditions) - failed_conditions, tuple(reasons)))
    return sorted(out, key=lambda m: (-m.closeness, len(m.reasons), m.stub.priority, m.stub.order))


def near_miss_report(stub_set: StubSet, request: RequestView,
                     states: Mapping[str, str] = {}) -> str:
    """One paragraph for the fault's errorData: the closest stub and why it did not match."""
    misses = [m for m in near_misses(stub_set.stubs, request, states) if m.reasons]
    head = (f"no stub of {stub_set.name!r} matches serviceId {request.info.service_id}, "
            f"senderId {request.info.sender_id}")
    if not misses:
        return head + " (the stub set is empty)"
    best = misses[0]
    text = (f"{head}; closest: {best.stub.name!r} ({best.stub.where}), "
            f"{best.met} of {len(best.stub.conditions)} conditions met: "
            + "; ".join(best.reasons))
    if len(misses) > 1:
        text += f"; next: {misses[1].stub.name!r} ({misses[1].reasons[0]})"
    return text
