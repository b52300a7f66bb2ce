"""The stub provider: what the gateway calls for a service backed by stub files.

:class:`StubRegistry` holds the stub sets of one gateway (one per serviceId or routeId whose
provider is ``stubs:…``) and watches their files: a daemon thread polls sizes and mtimes every
``reload_seconds`` and swaps a changed set in whole, so requests never wait for a reload and
never see half a set. A set whose files stop loading answers with a fault naming the file and
line (``STUB_FILE_ERROR``) until they are fixed: serving the old stubs would hide the mistake.

A request no stub matches gets the provider fault ``STUB_NO_MATCH`` (the gateway's ``SCE012``
with it as ``subError``) whose errorData names the closest stub and why it did not match.
Both codes are SYNTHETIC (egov-sim's own).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from lxml import etree

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError

from ..providers import ProviderCall, ProviderFault, ProviderReply
from .matching import RequestView, Stub, StubSet, near_miss_report
from .state import StubStates
from .stub_files import CompiledSet, StubSource, fingerprint, load_source
from .templating import AnswerError, Helpers

NO_MATCH = "STUB_NO_MATCH"
FILE_ERROR = "STUB_FILE_ERROR"
ANSWER_ERROR = "STUB_ANSWER_ERROR"

log = logging.getLogger("egov_sim.stubs")


class SignerLookup:
    """Named certificates of the simulator's test PKI (``issued/<name>.p12``), loaded once."""

    def __init__(self, pki=None):
        self.pki = pki
        self._cache: dict[tuple[str, str], tuple] = {}
        self._lock = threading.Lock()

    def get(self, name: str, password: str) -> tuple:
        key = (name, password)
        found = self._cache.get(key)
        if found is not None:
            return found
        if self.pki is None:
            raise InputError(f"certificate {name!r}: no test PKI to take it from")
        from egov_sim.signing.keyfiles import load_pkcs12

        p12 = Path(self.pki.directory) / "issued" / f"{name}.p12"
        if not p12.is_file():
            raise InputError(f"certificate {name!r} is not in the test PKI; issue it with "
                             f"'egov-sim pki issue --name {name} …' (docs/pki.md)")
        try:
            key_, cert, _ = load_pkcs12(p12, password)
        except InputError as exc:
            raise InputError(f"certificate {name!r}: {exc}") from None
        with self._lock:
            self._cache[key] = (key_, cert)
        return key_, cert


@dataclass
class _Holder:
    """One stub set and where it comes from; ``error`` is set while its files do not load."""

    source: StubSource
    compiled: CompiledSet | None
    print: tuple = ()
    error: str | None = None


class StubRegistry:
    """The stub sets of a gateway, by name (serviceId or routeId); thread-safe."""

    def __init__(self, sources: Iterable[StubSource], *, states: StubStates | None = None,
                 pki=None, clock: Clock = system_clock, rng: random.Random | None = None,
                 reload_seconds: float = 1.0, sleep=asyncio.sleep):
        self.states = states
        self.clock = clock
        self.rng = rng if rng is not None else random.Random()
        self.reload_seconds = reload_seconds
        self.signers = SignerLookup(pki)
        self.sleep = sleep
        self._holders: dict[str, _Holder] = {}
        for source in sources:
            compiled = load_source(source)
            self._check_signers(compiled)
            self._holders[source.name] = _Holder(source, compiled, fingerprint(source, compiled.watched))
        self._providers: dict[str, StubProvider] = {}
        self._watcher: threading.Thread | None = None
        self._watcher_pid: int | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # -- lookup --------------------------------------------------------------------------------

    def names(self) -> list[str]:
        return sorted(self._holders)

    def __contains__(self, name: str) -> bool:
        return name in self._holders

    def stub_set(self, name: str) -> StubSet | None:
        holder = self._holders.get(name)
        return holder.compiled.stub_set if holder and holder.compiled else None

    def error(self, name: str) -> str | None:
        holder = self._holders.get(name)
        return holder.error if holder else None

    def provider(self, name: str) -> StubProvider:
        found = self._providers.get(name)
        if found is None:
            if name not in self._holders:
                raise KeyError(name)
            found = self._providers.setdefault(name, StubProvider(self, name))
        if self.reload_seconds > 0 and self._watcher_pid != os.getpid():
            self._start_watching()
        return found

    def holder(self, name: str) -> _Holder:
        return self._holders[name]

    # -- reloading -----------------------------------------------------------------------------

    def _check_signers(self, compiled: CompiledSet) -> None:
        for stub in compiled.stub_set.stubs:
            sign = stub.answer.sign
            if sign is not None and self.signers.pki is not None:
                try:
                    self.signers.get(sign.certificate, sign.password)
                except InputError as exc:
                    raise InputError(f"{stub.where}: answer.sign: {exc}") from None

    def reload(self, name: str | None = None) -> list[str]:
        """Re-read the sets whose files changed (all, or one); returns the names reloaded."""
        reloaded = []
        for key in ([name] if name else list(self._holders)):
            holder = self._holders[key]
            watched = holder.compiled.watched if holder.compiled else set()
            now = fingerprint(holder.source, watched)
            if now == holder.print:
                continue
            try:
                compiled = load_source(holder.source)
                self._check_signers(compiled)
            except InputError as exc:
                holder.print, holder.error = now, str(exc)
                log.warning("stub set %s: files changed but do not load: %s", key, exc)
                continue
            holder.compiled, holder.error = compiled, None
            holder.print = fingerprint(holder.source, compiled.watched)
            reloaded.append(key)
            log.info("stub set %s reloaded: %d stubs", key, len(compiled.stub_set.stubs))
        return reloaded

    def _start_watching(self) -> None:
        with self._lock:
            if self._watcher_pid == os.getpid() or not any(
                    h.source.directory or (h.compiled and h.compiled.watched)
                    for h in self._holders.values()):
                self._watcher_pid = os.getpid()
                return
            self._stop = threading.Event()
            self._watcher = threading.Thread(target=self._watch, name="stub-reload", daemon=True)
            self._watcher_pid = os.getpid()
            self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.reload_seconds):
            try:
                self.reload()
            except Exception as exc:  # noqa: BLE001 — the watcher must outlive any one failure
                log.warning("stub reload failed: %s", exc)

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None and self._watcher_pid == os.getpid():
            self._watcher.join(timeout=5)
        self._watcher = None
        self._watcher_pid = None


@dataclass
class Outcome:
    """What one request gets from a stub set (also what ``egov-sim stubs test`` shows)."""

    stub: Stub | None
    reply: ProviderReply | None = None
    fault: ProviderFault | None = None
    delay: float = 0.0


class StubProvider:
    """The provider of one stub set: match, move the scenario, wait, answer."""

    def __init__(self, registry: StubRegistry, name: str):
        self.registry, self.name = registry, name
        self._xpath_cache: dict = {}
        self.preview_states: Mapping[str, str] = {}
        self._preview_counters: dict[str, int] = {}

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        outcome = await self.answer(RequestView(call.info, call.data, call.session_id))
        if outcome.delay > 0:
            await self.registry.sleep(outcome.delay)
        if outcome.fault is not None:
            raise outcome.fault
        return outcome.reply

    async def answer(self, request: RequestView, *, preview: bool = False) -> Outcome:
        """Match and render. ``preview`` (``egov-sim stubs test``): states from
        :attr:`preview_states`, nothing stored, counters from 1, no signature."""
        registry = self.registry
        holder = registry.holder(self.name)
        if holder.error is not None:
            return Outcome(None, fault=ProviderFault(
                FILE_ERROR, "Файлы заглушек не загружаются", holder.error))
        compiled = holder.compiled
        stub_set = compiled.stub_set
        states: Mapping[str, str] = {}
        for _ in range(10):
            if preview:
                states = self.preview_states
            elif stub_set.stateful and registry.states is not None:
                states = registry.states.states(self.name)
            stub = stub_set.match(request, states)
            if stub is None:
                return Outcome(None, fault=ProviderFault(
                    NO_MATCH, "Ни одна заглушка не подходит к запросу",
                    near_miss_report(stub_set, request, states)))
            scenario = stub.scenario
            if scenario is None or scenario.next is None or registry.states is None or preview:
                break
            if await asyncio.to_thread(registry.states.transition, self.name, scenario.name,
                                       scenario.state, scenario.next):
                break
        else:
            return Outcome(None, fault=ProviderFault(
                ANSWER_ERROR, "Состояние сценария меняется слишком часто",
                f"stub set {self.name!r}: the scenario kept changing under this request"))
        state = states.get(stub.scenario.name, "Started") if stub.scenario else None
        if stub.answer.uses_counter and not preview:
            return await asyncio.to_thread(self._render, stub, request, compiled, state)
        return self._render(stub, request, compiled, state, preview=preview)

    def _render(self, stub: Stub, request: RequestView, compiled: CompiledSet,
                state: str | None, *, preview: bool = False) -> Outcome:
        answer, registry = stub.answer, self.registry
        delay = 0.0
        if answer.delay_ms is not None:
            low, high = answer.delay_ms
            delay = (low if low == high else registry.rng.uniform(low, high)) / 1000.0
        helpers = Helpers(registry.clock, registry.rng, self._preview_counter if preview else self._counter)
        context = helpers.context(request, namespaces=compiled.namespaces.get(id(stub), {}),
                                  state=state, xpath_cache=self._xpath_cache)
        try:
            if answer.fault is not None:
                f = answer.fault
                return Outcome(stub, fault=ProviderFault(
                    f.code, f.message.render(context), f.data.render(context) if f.data else None),
                    delay=delay)
            data = answer.payload.render(context) if answer.payload is not None else None
            message = answer.status_message.render(context)
        except AnswerError as exc:
            return Outcome(stub, fault=ProviderFault(
                ANSWER_ERROR, "Заглушка не смогла ответить", f"stub {stub.name!r} ({stub.where}): {exc}"))
        if answer.sign is not None and data is not None and not preview:
            try:
                data = self._sign(data, answer.sign)
            except InputError as exc:  # the certificate file went away since the stubs loaded
                return Outcome(stub, fault=ProviderFault(
                    ANSWER_ERROR, "Заглушка не смогла ответить", f"stub {stub.name!r} ({stub.where}): {exc}"))
        return Outcome(stub, reply=ProviderReply(data=data, code=answer.status_code, message=message),
                       delay=delay)

    def _sign(self, data: etree._Element, sign) -> etree._Element:
        from egov_sim.signing.enveloped import sign_enveloped

        key, cert = self.registry.signers.get(sign.certificate, sign.password)
        tree = etree.ElementTree(data)
        sign_enveloped(tree, key, cert)
        return tree.getroot()

    def _preview_counter(self, name: str = "default") -> int:
        self._preview_counters[name] = self._preview_counters.get(name, 0) + 1
        return self._preview_counters[name]

    def _counter(self, name: str = "default") -> int:
        states = self.registry.states
        if states is None:
            raise AnswerError("counter() needs the simulator's database")
        return states.next_counter(self.name, str(name))


def sources_of(config) -> list[StubSource]:
    """The stub sources a gateway config names (services and routes backed by ``stubs``)."""
    out = [s.stubs for s in config.services.values() if getattr(s, "stubs", None) is not None]
    out += [r.stubs for r in config.routes.values() if getattr(r, "stubs", None) is not None]
    return out
