"""Fault injection in the gateway: latency, a fault code, a timeout or a malformed response,
per serviceId and senderId, so integrators can test how their SOAP client copes.

Rules live in the database (table ``fault_rules``), not in a worker's memory: a rule set
through the admin API of one worker, or by ``egov-sim faults`` in another process, applies to
requests served by every worker of a running server.

Per-request cost: every change (add, remove, reset, config load, a rule used up) bumps the one
row of ``fault_rules_generation`` in the same transaction. :meth:`FaultInjector.match` reads
that row (one primary-key SELECT) and re-reads the rules only when it changed; otherwise it
matches against its in-memory copy. A time-bounded cache would save that SELECT but let a test
add a rule and send a request that the rule misses; with the generation row, a rule is in
force for every worker as soon as :meth:`FaultInjector.add` returns.

``times`` is counted in the database (``remaining``, decremented by ``UPDATE … WHERE
remaining > 0``), so two workers never both consume the last use.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime as dt
import math
import os
import random
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any, Awaitable, Callable, Iterable, Iterator, Mapping

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database, Schema, Transaction, from_db_time, to_db_time
from egov_sim.core.errors import InputError

from .errors import GatewayFault

SOURCES = ("config", "api", "cli")

MALFORMED_KINDS = {
    "truncated": "the response cut off halfway: not well-formed XML",
    "not-xml": "a plain-text error page instead of XML",
    "empty": "an empty body",
    "wrong-envelope": "well-formed XML, but a SOAP 1.2 envelope instead of SOAP 1.1",
}
"""What :func:`corrupt` makes of a response body, by kind."""

SOAP11 = b"http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = b"http://www.w3.org/2003/05/soap-envelope"
NOT_XML_BODY = b"Service Temporarily Unavailable\n"
SOAP12_EMPTY = (b"<?xml version='1.0' encoding='UTF-8'?>\n"
                b'<soap:Envelope xmlns:soap="' + SOAP12 + b'"><soap:Body/></soap:Envelope>')

_CODE = re.compile(r"\S{1,64}")


class FaultRuleError(InputError):
    """A rule's field is missing, of the wrong type or contradicts another field.

    ``field`` is the key as the user spelled it (``latency_ms`` in the config file,
    ``latencyMs`` in the admin API, ``--latency-ms`` in the CLI).
    """

    code = "BAD_FAULT_RULE"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class FaultRuleNotFound(InputError):
    code = "FAULT_RULE_NOT_FOUND"


class InjectedTimeout(TimeoutError):
    """A timeout rule waited the service's timeout. A :class:`TimeoutError` (which is
    ``asyncio.TimeoutError``), so the handler answers it exactly as a real provider timeout."""


@dataclass(frozen=True)
class FaultRule:
    """What to do to requests of a serviceId from a sender (None: any).

    Effects: a latency (``latency_ms``, or uniform in ``latency_ms_min``..``latency_ms_max``),
    optionally followed by one outcome: a fault with ``fault_code``, a ``timeout``, or a
    ``malformed`` response body. ``times`` limits the uses (None: unlimited); ``remaining`` is
    what is left of them (kept by the database; 0 once expired).
    """

    service_id: str | None = None
    sender_id: str | None = None
    latency_ms: float | None = None
    latency_ms_min: float | None = None
    latency_ms_max: float | None = None
    fault_code: str | None = None
    fault_message: str | None = None
    fault_data: str | None = None
    timeout: bool = False
    malformed: str | None = None
    probability: float = 1.0
    times: int | None = None
    source: str = "api"
    id: int | None = None
    remaining: int | None = None
    created_at: dt.datetime | None = None

    @property
    def specificity(self) -> int:
        """3 serviceId+sender, 2 serviceId, 1 sender, 0 any: the more specific rule wins."""
        return 2 * (self.service_id is not None) + (self.sender_id is not None)

    @property
    def expired(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def matches(self, service_id: str | None, sender_id: str | None) -> bool:
        return ((self.service_id is None or self.service_id == service_id)
                and (self.sender_id is None or self.sender_id == sender_id))

    def definition(self) -> tuple:
        """The settable fields: two rules with equal definitions do the same thing."""
        return tuple(getattr(self, name) for name in RULE_FIELDS)

    def describe(self) -> str:
        """One line for people: ``latency 200 ms, then fault SCE909``."""
        parts = []
        if self.latency_ms is not None:
            parts.append(f"latency {_num(self.latency_ms)} ms")
        elif self.latency_ms_min is not None:
            parts.append(f"latency {_num(self.latency_ms_min)}–{_num(self.latency_ms_max)} ms")
        if self.fault_code is not None:
            message = f" {self.fault_message!r}" if self.fault_message else ""
            parts.append(f"fault {self.fault_code}{message}")
        if self.timeout:
            parts.append("timeout")
        if self.malformed is not None:
            parts.append(f"malformed response ({self.malformed})")
        return ", then ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the wire's camelCase names."""
        out: dict[str, Any] = {"id": self.id}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.datetime):
                value = to_db_time(value)
            elif isinstance(value, float):
                value = _num(value)
            out[_camel(f.name)] = value
        return out


RULE_FIELDS = tuple(f.name for f in fields(FaultRule)
                    if f.name not in ("source", "id", "remaining", "created_at"))
"""The fields a user sets, as keys of a ``[[faults]]`` table (snake_case)."""

CONFIG_NAMES = {name: name for name in RULE_FIELDS}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


API_NAMES = {_camel(name): name for name in RULE_FIELDS}
"""Admin API JSON keys (``serviceId``, ``latencyMs``…) → rule fields."""


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------------------------------
# Validation


def rule_from_mapping(values: Mapping[str, Any], *, source: str,
                      names: Mapping[str, str] = CONFIG_NAMES) -> FaultRule:
    """A checked rule from user input whose keys are spelled as in ``names`` (key → field).

    A ``None`` value is the same as an absent key (JSON ``null``).
    """
    if not isinstance(values, Mapping):
        raise FaultRuleError("a fault rule must be a table/object of fields")
    unknown = sorted(k for k in values if k not in names)
    if unknown:
        raise FaultRuleError(f"unknown key(s) {', '.join(repr(str(k)) for k in unknown)};"
                             f" allowed: {', '.join(names)}", field=str(unknown[0]))
    given = {names[k]: v for k, v in values.items() if v is not None}
    label = {f: k for k, f in names.items()}
    return check_rule(FaultRule(source=source, **given), label=label.get)


def check_rule(rule: FaultRule, *, label: Callable[[str], str | None] = lambda f: f) -> FaultRule:
    """``rule`` with numbers as floats, or :class:`FaultRuleError` naming the first bad field.

    ``label`` spells a field as the user wrote it (config key, JSON key or CLI option).
    """

    def name(f: str) -> str:
        return label(f) or f

    def bad(f: str, problem: str) -> FaultRuleError:
        return FaultRuleError(f"'{name(f)}' {problem}", field=name(f))

    for f in ("service_id", "sender_id", "fault_code", "fault_message", "fault_data", "malformed"):
        value = getattr(rule, f)
        if value is not None and not isinstance(value, str):
            raise bad(f, f"must be a string, got {value!r}")
        if f in ("service_id", "sender_id") and value is not None and not value.strip():
            raise bad(f, "must not be empty (leave it out to match any)")
    changes: dict[str, Any] = {}
    for f in ("latency_ms", "latency_ms_min", "latency_ms_max"):
        value = getattr(rule, f)
        if value is None:
            continue
        if not _is_number(value) or not math.isfinite(value) or value < 0:
            raise bad(f, f"must be a number of milliseconds ≥ 0, got {value!r}")
        changes[f] = float(value)
    if not isinstance(rule.timeout, bool):
        raise bad("timeout", f"must be true or false, got {rule.timeout!r}")
    if not _is_number(rule.probability) or not 0.0 <= rule.probability <= 1.0:
        raise bad("probability", f"must be a number from 0 to 1, got {rule.probability!r}")
    changes["probability"] = float(rule.probability)
    if rule.times is not None and (isinstance(rule.times, bool) or not isinstance(rule.times, int)
                                   or rule.times < 1):
        raise bad("times", f"must be a whole number ≥ 1 (leave it out for unlimited), got {rule.times!r}")
    if rule.source not in SOURCES:
        raise FaultRuleError(f"source must be one of {', '.join(SOURCES)}, got {rule.source!r}")

    ranged = (rule.latency_ms_min, rule.latency_ms_max)
    if rule.latency_ms is not None and any(v is not None for v in ranged):
        raise bad("latency_ms", f"excludes '{name('latency_ms_min')}'/'{name('latency_ms_max')}':"
                                " give a fixed latency or a range")
    if (ranged[0] is None) != (ranged[1] is None):
        given, missing = (("latency_ms_min", "latency_ms_max") if ranged[1] is None
                          else ("latency_ms_max", "latency_ms_min"))
        raise bad(missing, f"is required with '{name(given)}'")
    if ranged[0] is not None and ranged[0] > ranged[1]:
        raise bad("latency_ms_min", f"must not be above '{name('latency_ms_max')}'")
    if rule.fault_code is not None and not _CODE.fullmatch(rule.fault_code):
        raise bad("fault_code", "must be 1 to 64 characters without spaces (e.g. SCE909)")
    for f in ("fault_message", "fault_data"):
        if getattr(rule, f) is not None and rule.fault_code is None:
            raise bad(f, f"needs '{name('fault_code')}'")
    if rule.malformed is not None and rule.malformed not in MALFORMED_KINDS:
        raise bad("malformed", f"must be one of {', '.join(MALFORMED_KINDS)}, got {rule.malformed!r}")
    outcomes = [f for f in ("fault_code", "timeout", "malformed") if getattr(rule, f) not in (None, False)]
    if len(outcomes) > 1:
        raise bad(outcomes[1], f"excludes '{name(outcomes[0])}': choose one of"
                               f" '{name('fault_code')}', '{name('timeout')}', '{name('malformed')}'")
    has_latency = rule.latency_ms is not None or ranged[0] is not None
    if rule.timeout and has_latency:
        raise bad("timeout", "already waits the service's timeout: leave the latency out")
    if not outcomes and not has_latency:
        raise FaultRuleError(
            "a fault rule needs an effect, one of: "
            + ", ".join(f"'{name(f)}'" for f in ("latency_ms", "latency_ms_min", "fault_code",
                                                  "timeout", "malformed")))
    return replace(rule, **changes)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rules_from_config(tables: Iterable[Any], *, where: str = "config") -> builtins.list[FaultRule]:
    """The ``[[faults]]`` tables of a config file as checked rules; errors name the table."""
    rules = []
    for i, table in enumerate(tables):
        try:
            rules.append(rule_from_mapping(table, source="config"))
        except FaultRuleError as exc:
            raise FaultRuleError(f"{where}: faults[{i}]: {exc}", field=exc.field) from None
    return rules


# ---------------------------------------------------------------------------------------------
# Malformed responses


def corrupt(body: bytes, kind: str) -> bytes:
    """The response body as a broken gateway or proxy would send it (see MALFORMED_KINDS).

    ``truncated`` cuts at half the length (on a UTF-8 character boundary, so the client sees
    premature end of XML, not an encoding error); ``wrong-envelope`` swaps the SOAP 1.1
    envelope namespace for SOAP 1.2's, or answers an empty SOAP 1.2 envelope when the body has
    no SOAP 1.1 namespace.
    """
    if kind == "truncated":
        cut = len(body) // 2
        while 0 < cut < len(body) and body[cut] & 0xC0 == 0x80:
            cut -= 1
        return body[:cut]
    if kind == "not-xml":
        return NOT_XML_BODY
    if kind == "empty":
        return b""
    if kind == "wrong-envelope":
        return body.replace(SOAP11, SOAP12) if SOAP11 in body else SOAP12_EMPTY
    raise ValueError(f"unknown malformed kind {kind!r}: one of {', '.join(MALFORMED_KINDS)}")


# ---------------------------------------------------------------------------------------------
# What a matched rule does to one request

Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class FaultAction:
    """A rule applied to one request; the latency was drawn when it matched."""

    rule: FaultRule
    latency: float = 0.0
    """Seconds to wait before the provider is called."""
    sleep: Sleep = field(default=asyncio.sleep, repr=False, compare=False)

    @property
    def malformed(self) -> str | None:
        """The :data:`MALFORMED_KINDS` kind the response body gets (via :func:`corrupt`), or None."""
        return self.rule.malformed

    async def before(self, timeout: float) -> float:
        """Wait and fail as the rule says, before the provider is called; return the seconds
        of ``timeout`` (the service's) left for the provider.

        A latency counts against the timeout, as it would at a slow provider: a latency of at
        least ``timeout`` waits ``timeout`` and times out. Raises :class:`InjectedTimeout` (a
        ``TimeoutError``) for a timeout, :class:`GatewayFault` with the rule's code for a fault.
        """
        rule = self.rule
        if rule.timeout or self.latency >= timeout:
            await self.sleep(timeout)
            raise InjectedTimeout(f"fault rule {rule.id}: no answer within {timeout:g} s")
        if self.latency > 0:
            await self.sleep(self.latency)
        if rule.fault_code is not None:
            raise GatewayFault(rule.fault_code, rule.fault_data, message=rule.fault_message)
        return timeout - self.latency

    def response(self, body: bytes) -> bytes:
        """The body as sent: corrupted for a malformed rule, unchanged otherwise."""
        return body if self.rule.malformed is None else corrupt(body, self.rule.malformed)


# ---------------------------------------------------------------------------------------------
# Storage and matching

FAULT_INJECTION_SCHEMA = Schema(
    component="fault_injection",
    steps=(
        (
            """CREATE TABLE fault_rules (
                id {id},
                service_id TEXT,
                sender_id TEXT,
                latency_ms DOUBLE PRECISION,
                latency_ms_min DOUBLE PRECISION,
                latency_ms_max DOUBLE PRECISION,
                fault_code TEXT,
                fault_message TEXT,
                fault_data TEXT,
                timeout INTEGER NOT NULL,
                malformed TEXT,
                probability DOUBLE PRECISION NOT NULL,
                times INTEGER,
                remaining INTEGER,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE TABLE fault_rules_generation (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)",
            "INSERT INTO fault_rules_generation (id, generation) VALUES (1, 0)",
        ),
    ),
)

_COLUMNS = (*RULE_FIELDS, "source", "remaining", "created_at")
_SELECT = f"SELECT id, {', '.join(_COLUMNS)} FROM fault_rules"
_INSERT = (f"INSERT INTO fault_rules ({', '.join(_COLUMNS)})"
           f" VALUES ({', '.join(':' + c for c in _COLUMNS)})")
_BUMP = "UPDATE fault_rules_generation SET generation = generation + 1 WHERE id = 1"


def _rule(row: Mapping[str, Any]) -> FaultRule:
    values = dict(row)
    values["timeout"] = bool(values["timeout"])
    values["created_at"] = from_db_time(values["created_at"])
    for name in ("latency_ms", "latency_ms_min", "latency_ms_max", "probability"):
        if values[name] is not None:
            values[name] = float(values[name])  # PostgreSQL may answer Decimal
    return FaultRule(**values)


def _precedence(rule: FaultRule) -> tuple[int, int]:
    """Most specific first; among equally specific rules, the newest."""
    return (-rule.specificity, -(rule.id or 0))


class FaultInjector:
    """The fault rules of one database, and the matching of requests against them.

    Safe to share between the threads of a worker (admin API handlers run in a thread pool).
    """

    def __init__(self, db: Database, *, rng: random.Random | None = None,
                 clock: Clock = system_clock, sleep: Sleep = asyncio.sleep):
        self.db = db
        db.migrate(FAULT_INJECTION_SCHEMA)
        self._rng = rng if rng is not None else random.Random()
        self._clock = clock
        self._sleep = sleep
        # (generation, rules in match order); replaced whole, so threads never see a mix
        self._cache: tuple[int | None, tuple[FaultRule, ...]] = (None, ())
        self._marker = db.sidecar_path("fault-rules")
        self._marker_seen: tuple[int, int] | None = None
        if self._marker is not None and not self._marker.exists():
            self._marker.touch()

    @contextmanager
    def _changing(self) -> Iterator[Transaction]:
        """A transaction that changes the rules; other processes hear of it once it commits."""
        with self.db.transaction() as tx:
            yield tx
        if self._marker is not None:
            tmp = self._marker.with_name(f"{self._marker.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_bytes(b"")
            os.replace(tmp, self._marker)  # a new inode: every reader's stat sees the change

    def _unchanged_since_last_read(self) -> bool:
        """SQLite only: a stat of the marker file (~1 µs) instead of a SELECT per request."""
        if self._marker is None:
            return False
        try:
            st = os.stat(self._marker)
        except FileNotFoundError:
            return False
        seen = (st.st_ino, st.st_mtime_ns)
        if seen == self._marker_seen:
            return True
        self._marker_seen = seen
        return False

    # -- changing the rules ---------------------------------------------------------------------

    def add(self, rule: FaultRule) -> FaultRule:
        """Store a rule (checked first); it is in force for every worker when this returns."""
        rule = check_rule(rule)
        with self._changing() as tx:
            rule = self._insert(tx, rule)
            tx.execute(_BUMP)
        return rule

    def _insert(self, tx: Transaction, rule: FaultRule) -> FaultRule:
        rule = replace(rule, remaining=rule.times, created_at=self._clock())
        row = {name: getattr(rule, name) for name in _COLUMNS}
        return replace(rule, id=tx.insert(_INSERT, row))

    def remove(self, rule_id: int) -> bool:
        with self._changing() as tx:
            removed = tx.execute("DELETE FROM fault_rules WHERE id = ?", (int(rule_id),)) > 0
            if removed:
                tx.execute(_BUMP)
        return removed

    def reset(self) -> int:
        """Remove every rule, those of the config file too (between tests); return how many."""
        with self._changing() as tx:
            removed = tx.execute("DELETE FROM fault_rules")
            tx.execute(_BUMP)
        return removed

    def load_config(self, rules: Iterable[Any], *, where: str = "config") -> builtins.list[FaultRule]:
        """Replace the rules of source ``config`` with the ``[[faults]]`` tables ``rules``.

        Every worker of a server calls this at start: when the stored config rules already
        have the same definitions, nothing changes (their ids and remaining uses are kept).
        """
        wanted = rules_from_config(rules, where=where)
        with self._changing() as tx:
            stored = [_rule(r) for r in tx.query(f"{_SELECT} WHERE source = 'config' ORDER BY id")]
            if [r.definition() for r in stored] == [r.definition() for r in wanted]:
                return stored
            tx.execute("DELETE FROM fault_rules WHERE source = 'config'")
            added = [self._insert(tx, rule) for rule in wanted]
            tx.execute(_BUMP)
        return added

    # -- reading --------------------------------------------------------------------------------

    def list(self) -> builtins.list[FaultRule]:
        """Every rule, expired ones too (``remaining`` 0), oldest first."""
        return [_rule(r) for r in self.db.query(f"{_SELECT} ORDER BY id")]

    def get(self, rule_id: int) -> FaultRule | None:
        row = self.db.query_one(f"{_SELECT} WHERE id = ?", (int(rule_id),))
        return None if row is None else _rule(row)

    # -- matching -------------------------------------------------------------------------------

    def match(self, service_id: str | None, sender_id: str | None) -> FaultAction | None:
        """The action for one request, or None.

        Candidates go most specific first (serviceId+sender, serviceId, sender, any; the newest
        first among equals); the first whose probability draw passes and that still has a use
        (taken atomically) applies. Cost without a change: one primary-key SELECT.
        """
        for rule in self._active_rules():
            if not rule.matches(service_id, sender_id):
                continue
            if rule.probability < 1.0 and not self._rng.random() < rule.probability:
                continue
            if rule.times is not None and not self._take_use(rule.id):
                continue
            return FaultAction(rule, self._draw_latency(rule), sleep=self._sleep)
        return None

    def _active_rules(self) -> tuple[FaultRule, ...]:
        if self._cache[0] is not None and self._unchanged_since_last_read():
            return self._cache[1]
        generation = self.db.scalar("SELECT generation FROM fault_rules_generation WHERE id = 1")
        cached_generation, rules = self._cache
        if generation == cached_generation:
            return rules
        # Read after the generation: a change in between only causes one more reload.
        rows = self.db.query(f"{_SELECT} WHERE remaining IS NULL OR remaining > 0")
        rules = tuple(sorted((_rule(r) for r in rows), key=_precedence))
        self._cache = (generation, rules)
        return rules

    def _take_use(self, rule_id: int | None) -> bool:
        """Consume one use; False when another worker took the last one (or it was removed)."""
        with self._changing() as tx:
            if tx.execute("UPDATE fault_rules SET remaining = remaining - 1"
                          " WHERE id = ? AND remaining > 0", (rule_id,)) != 1:
                return False
            if tx.scalar("SELECT remaining FROM fault_rules WHERE id = ?", (rule_id,)) == 0:
                tx.execute(_BUMP)  # expired: every worker drops it from its cache
        return True

    def _draw_latency(self, rule: FaultRule) -> float:
        if rule.latency_ms is not None:
            return rule.latency_ms / 1000.0
        if rule.latency_ms_min is not None:
            return self._rng.uniform(rule.latency_ms_min, rule.latency_ms_max) / 1000.0
        return 0.0
