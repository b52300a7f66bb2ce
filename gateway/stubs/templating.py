"""Stub answers: a ``data`` payload (static or a Jinja template), a status, a fault, a delay.

Jinja (already a dependency, maintained, sandboxed) renders templates; values inserted into
XML are escaped (autoescape), so a request value can never inject markup into an answer.
A template sees:

- ``request``: ``service_id``, ``sender_id``, ``route_id``, ``message_id``, ``message_date``,
  ``correlation_id``, ``session_id``, ``properties`` (a dict);
- ``xpath(expr)`` (the string value of the first node, ``""`` if none) and ``xpath_all(expr)``,
  with the stub's namespaces, on ``data`` (or the document escaped in it);
- ``guid()`` (``guid(braces=true)`` for ``{…}``), ``now(fmt=None, days=0, hours=0, minutes=0)``
  in Kazakhstan time (xsd:dateTime with milliseconds by default), ``today(fmt="%Y-%m-%d")``;
- ``random_iin(birth_date=None, sex=None)`` (a valid check digit, egov_sim.reference.iin),
  ``random_int(low, high)``;
- ``counter(name="default")``: 1, 2, 3… per stub set, shared by every worker;
- ``state``: the current state of the stub's scenario.

A static answer is parsed once at load and copied per request; only templates render per call.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import jinja2
import jinja2.sandbox
from lxml import etree

from egov_sim.core.clock import ALMATY, Clock
from egov_sim.core.safe_xml import UnsafeXmlError, parse
from egov_sim.reference.iin import random_iin

from .matching import RequestView, string_value

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"
TEMPLATE_MARKERS = ("{{", "{%", "{#")

_XML_ENV = jinja2.sandbox.ImmutableSandboxedEnvironment(
    autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_TEXT_ENV = jinja2.sandbox.ImmutableSandboxedEnvironment(
    autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


class AnswerError(Exception):
    """A template that fails to render, or renders to something that is not XML."""


def is_template(text: str) -> bool:
    return any(m in text for m in TEMPLATE_MARKERS)


def compile_template(text: str, *, xml: bool) -> jinja2.Template:
    """Raises :class:`jinja2.TemplateSyntaxError` (with ``lineno``) for a broken template."""
    return (_XML_ENV if xml else _TEXT_ENV).from_string(text)


def parse_data(text: str) -> etree._Element:
    """The ``data`` element an answer text stands for.

    A text whose root is ``data`` is that element; anything else (one element, several, plain
    text) becomes the content of a new ``data``. Raises UnsafeXmlError with the line.
    """
    if text.lstrip().startswith("<?xml"):
        root = parse(text.encode("utf-8")).getroot()
        if root.tag == "data":
            return root
        data = etree.Element("data")
        data.append(root)
        return data
    wrapper = parse(f"<data>{text}</data>".encode()).getroot()
    inner = [c for c in wrapper if isinstance(c.tag, str)]
    if (len(inner) == 1 and inner[0].tag == "data" and not (wrapper.text or "").strip()
            and not (inner[0].tail or "").strip()):
        return _standalone(inner[0])
    return wrapper


def _standalone(el: etree._Element) -> etree._Element:
    """``el`` as the root of its own document (so an enveloped signature covers only it)."""
    return etree.ElementTree(copy.deepcopy(el)).getroot()


def escaped_data(text: str) -> etree._Element:
    """A ``data`` carrying ``text`` as an escaped document (``xsi:type="xs:string"``)."""
    data = etree.Element("data", nsmap={"xs": XS, "xsi": XSI})
    data.set(f"{{{XSI}}}type", "xs:string")
    data.text = text
    return data


@dataclass(frozen=True)
class Text:
    """A text field (status message, fault message or data): fixed, or a template."""

    value: str
    template: jinja2.Template | None = None

    def render(self, context: dict) -> str:
        if self.template is None:
            return self.value
        try:
            return self.template.render(context)
        except Exception as exc:  # noqa: BLE001 — a helper's ValueError is the template's fault too
            raise AnswerError(f"template error: {_reason(exc)}") from None


@dataclass(frozen=True)
class Payload:
    """The answer's ``data``: parsed once when static, rendered and parsed per call otherwise."""

    static: etree._Element | None = None
    template: jinja2.Template | None = None
    escaped: bool = False
    origin: str = ""

    def render(self, context: dict) -> etree._Element:
        if self.template is None:
            return _standalone(self.static)
        try:
            text = self.template.render(context)
        except Exception as exc:  # noqa: BLE001 — a helper's ValueError is the template's fault too
            raise AnswerError(f"template {self.origin}: {_reason(exc)}") from None
        if self.escaped:
            return escaped_data(text)
        try:
            return parse_data(text)
        except UnsafeXmlError as exc:
            raise AnswerError(f"template {self.origin} rendered XML that does not parse: {exc}") from None


@dataclass(frozen=True)
class Fault:
    code: str
    message: Text
    data: Text | None = None


@dataclass(frozen=True)
class Signing:
    certificate: str
    password: str = "Qwerty12"


@dataclass(frozen=True)
class Answer:
    status_code: str = "SCSS001"
    status_message: Text = field(default_factory=lambda: Text("Message has been processed successfully"))
    payload: Payload | None = None
    fault: Fault | None = None
    delay_ms: tuple[float, float] | None = None
    sign: Signing | None = None
    uses_counter: bool = False

    def describe(self) -> str:
        if self.fault is not None:
            out = f"fault {self.fault.code}"
        else:
            out = f"{self.status_code}" + (" with data" if self.payload is not None else "")
            if self.payload is not None and self.payload.template is not None:
                out += " (template)"
            if self.sign is not None:
                out += f", signed by {self.sign.certificate}"
        if self.delay_ms is not None:
            low, high = self.delay_ms
            out += f", after {low:g} ms" if low == high else f", after {low:g}–{high:g} ms"
        return out


@dataclass
class Helpers:
    """What templates may call, bound to a clock, a random source and the counter store."""

    clock: Clock
    rng: random.Random
    counter: Callable[[str], int] = lambda name: 0

    def context(self, request: RequestView, *, namespaces: dict, state: str | None,
                xpath_cache: dict) -> dict[str, Any]:
        def xpath(expr: str) -> str:
            return string_value(_xpath(request, expr, namespaces, xpath_cache)) or ""

        def xpath_all(expr: str) -> list[str]:
            found = _xpath(request, expr, namespaces, xpath_cache)
            if not isinstance(found, list):
                return [string_value(found) or ""]
            return [string_value([n]) or "" for n in found]

        info = request.info
        return {
            "request": {
                "service_id": info.service_id, "sender_id": info.sender_id,
                "route_id": info.route_id, "message_id": info.message_id,
                "message_date": info.message_date, "correlation_id": info.correlation_id,
                "session_id": request.session_id, "properties": dict(info.properties),
            },
            "xpath": xpath, "xpath_all": xpath_all, "guid": _guid, "now": self.now,
            "today": self.today, "random_iin": self.random_iin, "random_int": self.random_int,
            "counter": self.counter, "state": state,
        }

    def now(self, fmt: str | None = None, days: float = 0, hours: float = 0,
            minutes: float = 0) -> str:
        moment = self.clock().astimezone(ALMATY) + dt.timedelta(days=days, hours=hours, minutes=minutes)
        return moment.isoformat(timespec="milliseconds") if fmt is None else moment.strftime(fmt)

    def today(self, fmt: str = "%Y-%m-%d", days: float = 0) -> str:
        return self.now(fmt, days=days)

    def random_iin(self, birth_date: str | None = None, sex: str | None = None) -> str:
        born = dt.date.fromisoformat(birth_date) if birth_date else None
        return random_iin(self.rng, birth_date=born, sex=sex)

    def random_int(self, low: int = 0, high: int = 999999) -> int:
        return self.rng.randint(int(low), int(high))


def _reason(exc: Exception) -> str:
    if isinstance(exc, (jinja2.TemplateError, AnswerError)):
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"


def _guid(braces: bool = False) -> str:
    value = str(uuid.uuid4())
    return "{" + value + "}" if braces else value


def _xpath(request: RequestView, expr: str, namespaces: dict, cache: dict) -> Any:
    key = (expr, tuple(sorted(namespaces.items())))
    compiled = cache.get(key)
    if compiled is None:
        try:
            compiled = cache[key] = etree.XPath(expr, namespaces=namespaces, smart_strings=False)
        except etree.XPathSyntaxError as exc:
            raise AnswerError(f"xpath({expr!r}): {exc}") from None
    return request.xpath(compiled)
