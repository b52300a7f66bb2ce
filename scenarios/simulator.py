"""The systems a scenario plays against: a fresh in-process simulator per scenario, or a running
``egov-sim serve`` (``--against URL``).

Fresh state makes scenarios independent (and so parallel): a portal account, a revoked
certificate or a throttled login of one scenario must not leak into the next. Building a
simulator from nothing costs seconds (RSA keys, the ГБД ФЛ population, Argon2 hashes), so a
**template home** is built once per run — PKI, database with a small population, staff accounts
and signing keys, the personas' certificates — and each scenario gets a copy of it (files copy in
milliseconds) with its own app on the scenario's virtual clock. The app is reached through
:class:`egov_sim.core.asgi_transport.SyncASGITransport` and its channels reach ШЭП through an ASGI
transport to the same app: no sockets.

Against a running server nothing can be reset: scenarios are told apart by their own request
numbers and by time (see docs/engine.md, "In process or against a server").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import importlib.resources
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import httpx

from egov_sim.core.clock import ALMATY
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.core.settings import Settings

TEMPLATE_POPULATION = 300
"""Generated persons of the template's ГБД ФЛ (the personas come on top): enough for lookups,
small enough to copy in milliseconds."""

CERT_PASSWORD = "Qwerty12"
"""PKCS#12 password of the personas' pre-issued certificates (SYNTHETIC, as the PKI's default)."""

SWITCHES = {"refusal_via_head": "refusal_via_head",
            "c1_literal_and": "con_c1_literal_and",
            "portal_restricted": "portal_restricted",
            "hand_in_milestone": "hand_in_milestone",
            "app4_hand_offs": "app4_hand_offs",
            **{name: f"balkhash_readings.{name}" for name in (
                "issue_day_excluded", "cumulative_milestones", "s12_action3_as_variant2", "uo_incomplete",
                "s6_income_equal", "s7_income_equal", "s11_share_equal", "s6_akim_issuer", "s15_incomplete")}}
"""Reading options → the simulator setting that switches them (egov_sim.core.settings.Settings;
``balkhash_readings.NAME`` is one of seed 001's readings, egov_sim.reference.balkhash_services.Readings).
An option whose setting the running egov-sim lacks is played as the systems behave by default."""


class VirtualClock:
    """The scenario's clock: the engine moves it; every system of the simulator reads it."""

    def __init__(self, now: dt.datetime):
        self._now = now
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the virtual clock needs an aware datetime")
        with self._lock:
            self._now = moment


def supported_switches() -> dict[str, str]:
    """The reading options this egov-sim can switch in its systems (option → Settings field, or
    ``field.key`` for a reading kept in a mapping field)."""
    names = {f.name for f in dataclasses.fields(Settings)}
    return {option: name for option, name in SWITCHES.items() if name.partition(".")[0] in names}


def settings_for(options: dict[str, object]) -> dict[str, object]:
    """Settings keyword arguments for reading options (option → value): plain fields as they are,
    the ``balkhash_readings.*`` ones gathered into that field's pairs."""
    switches = supported_switches()
    out: dict[str, object] = {}
    nested: dict[str, list[tuple[str, object]]] = {}
    for option, value in options.items():
        if option not in switches:
            continue
        name, _, key = switches[option].partition(".")
        if key:
            nested.setdefault(name, []).append((key, value))
        else:
            out[name] = value
    for name, pairs in nested.items():
        out[name] = tuple(sorted(pairs))
    return out


# --- key material ------------------------------------------------------------------------------

# --- the template -----------------------------------------------------------------------------

AppFactory = Callable[..., Any]
"""Builds one simulator's ASGI app: ``factory(settings, clock=…, channels_transport=…)``. The
composition root passes its ``egov_sim.app.server.build_app``; the engine never imports it."""


@dataclass(frozen=True)
class Template:
    """A prepared simulator home to copy; ``epoch`` is the clock it was built on."""

    home: Path
    epoch: dt.datetime
    app_factory: AppFactory
    """Builds each scenario's simulator from a copy of ``home`` (a module-level function, so the
    template can cross to worker processes)."""
    certificates: dict[str, str] = field(default_factory=dict)
    """``persona`` / ``persona:expired`` → file stem of the PKCS#12 in ``home/pki/issued``."""

    def copy_to(self, target: Path) -> Path:
        shutil.copytree(self.home, target, symlinks=True)
        return target


def template_epoch(starts: Iterable[dt.datetime]) -> dt.datetime:
    """The moment the template is built at: a month before the earliest scenario start, so the
    test CA, the personas' certificates and the powers of attorney ЕНИС dates from its seeding
    day are valid throughout every scenario."""
    earliest = min(starts, default=dt.datetime.now(ALMATY))
    day = (earliest - dt.timedelta(days=30)).astimezone(ALMATY).date()
    return dt.datetime.combine(day, dt.time(9, 0), ALMATY)


def build_template(home: Path, *, app_factory: AppFactory, epoch: dt.datetime, personas: Iterable[str],
                   offices: Iterable[str] = (), population: int = TEMPLATE_POPULATION) -> Template:
    """Build a simulator home at ``epoch``: PKI, population, ЕНИС, accounts (cheap hashes), the
    staff's and operators' signing keys for ``offices`` and SIGN certificates for ``personas``."""
    from egov_sim.gateway.rshep.staff import STAFF, seed_staff
    from egov_sim.portal_mock.con.operators import SEED_OPERATORS, operator_signer
    from egov_sim.reference.catalogue import PROVIDERS
    from egov_sim.reference.personas import PERSONAS

    home = Path(home)
    clock = VirtualClock(epoch)
    with _own_database():
        app = app_factory(_settings(home, population=population), clock=clock)
    try:
        pki, rshep = app.state.pki, app.state.rshep
        seed_staff(rshep.accounts)
        wanted = set(offices)
        signing = wanted | {PROVIDERS[o].parent for o in wanted if PROVIDERS[o].parent}
        for member in STAFF.values():
            if member.provider in signing and member.role in ("head", "executor"):
                rshep.actions.signers(member)
        for seed in SEED_OPERATORS:
            operator_signer(pki, seed.operator)
        certificates: dict[str, str] = {}
        ca_from, ca_to = pki.ca.not_valid_before_utc, pki.ca.not_valid_after_utc
        for key in sorted(set(personas)):
            person = PERSONAS[key].person
            if person is None:
                continue
            names = dict(iin=person.iin, surname=person.surname, given_name=person.name,
                         patronymic=person.patronymic, password=CERT_PASSWORD)
            stem = f"persona-{key.replace('_', '-')}"
            pki.issue(**names, not_before=ca_from, not_after=ca_to, name=stem)
            certificates[key] = stem
            expired = f"{stem}-expired"
            pki.issue(**names, not_before=ca_from, not_after=epoch - dt.timedelta(days=1), name=expired)
            certificates[f"{key}:expired"] = expired
    finally:
        shutdown_app(app)
    return Template(home, epoch, app_factory, certificates)


TEMPLATE_FORMAT = 1
"""Bumped when what a template holds changes shape (the cache key includes it)."""
KEEP_TEMPLATES = 6
"""Cached templates kept per cache folder (the least recently used go)."""


def cached_template(cache: Path, *, app_factory: AppFactory, epoch: dt.datetime, personas: Iterable[str],
                    offices: Iterable[str] = (), population: int = TEMPLATE_POPULATION) -> Template:
    """The template for these parameters from ``cache``, built there the first time.

    A template is keys, certificates and generated data: building it again would give the same
    scenarios other key material, so their reports would differ from run to run in every
    signature. Kept in a cache, the same scenarios give byte-identical reports (wall times aside)
    and the run skips the build. The key covers the parameters and the code that builds and
    reads the homes (a fingerprint of the egov_sim package), so a changed egov-sim never reuses
    a stale template."""
    personas, offices = sorted(set(personas)), sorted(set(offices))
    key = hashlib.sha256(json.dumps({
        "format": TEMPLATE_FORMAT, "epoch": epoch.isoformat(), "personas": personas, "offices": offices,
        "population": population, "code": _code_fingerprint(),
        "factory": f"{app_factory.__module__}.{app_factory.__qualname__}",
    }, sort_keys=True).encode()).hexdigest()[:20]
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / key
    meta = target / "template.json"
    if not meta.exists():
        building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
        try:
            built = build_template(building / "home", app_factory=app_factory, epoch=epoch, personas=personas,
                                   offices=offices, population=population)
            (building / "template.json").write_text(json.dumps(
                {"epoch": epoch.isoformat(), "certificates": built.certificates}), encoding="utf-8")
            try:
                os.rename(building, target)
            except OSError:  # another run built the same template meanwhile: use theirs
                pass
        finally:
            shutil.rmtree(building, ignore_errors=True)
    os.utime(target)
    _prune(cache)
    data = json.loads(meta.read_text(encoding="utf-8"))
    return Template(target / "home", dt.datetime.fromisoformat(data["epoch"]), app_factory, data["certificates"])


def _prune(cache: Path) -> None:
    kept = sorted((d for d in cache.iterdir() if d.is_dir() and not d.name.startswith(".")),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    for old in kept[KEEP_TEMPLATES:]:
        shutil.rmtree(old, ignore_errors=True)


@functools.cache
def _code_fingerprint() -> str:
    """A hash of the egov_sim package's code and data files."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        root = Path(str(importlib.resources.files(package)))
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".toml", ".xsd", ".wsdl") \
                    and "__pycache__" not in path.parts:
                digest.update(f"{package}/{path.relative_to(root)}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


_PACKAGES = ("egov_sim", "egov_sim.signing", "egov_sim.wsdl", "egov_sim.gateway", "egov_sim.adapters",
             "egov_sim.portal_mock", "egov_sim.scenarios")
"""The import packages egov-sim is made of (setup.py maps them from the repository's folders)."""


def shutdown_app(app) -> None:
    """Release what an app built without its lifespan holds: the journal's writer thread and the
    database's connections."""
    try:
        app.state.gateway.channel.journal_writer.close()
    finally:
        app.state.database.close()


def _settings(home: Path, **changes) -> Settings:
    return Settings(home=home, fast_password_hashing=True, **changes)


class _own_database:
    """Each simulator keeps its data in its own home: a database URL in the environment
    (``$EGOV_SIM_DATABASE_URL``) would make every scenario share one database."""

    def __enter__(self):
        self._saved = os.environ.pop(DATABASE_URL_ENV, None)

    def __exit__(self, *exc):
        if self._saved is not None:
            os.environ[DATABASE_URL_ENV] = self._saved


# --- the systems of one scenario ----------------------------------------------------------------

class _SelfTransport(httpx.AsyncBaseTransport):
    """The channels' way to ШЭП inside the same app (set once the app exists)."""

    def __init__(self):
        self.inner: httpx.ASGITransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.inner is not None, "the app is not built yet"
        return await self.inner.handle_async_request(request)


class Systems:
    """What the operations talk to: an HTTP client, the virtual clock, the PKI and the journal.

    ``local`` is True for a fresh in-process simulator (its clock follows the virtual clock, its
    state is the scenario's alone), False for a running server (``--against``)."""

    local: bool
    base_url: str
    client: httpx.Client
    clock: VirtualClock | None
    home: Path | None
    template: Template | None

    @property
    def pki(self):
        raise NotImplementedError

    def set_time(self, moment: dt.datetime) -> None:
        """Move the systems' clock (a no-op against a server, which keeps its own)."""

    def system_now(self) -> dt.datetime:
        raise NotImplementedError

    def close(self) -> None:
        self.client.close()


class LocalSystems(Systems):
    """A fresh simulator in this process, built from a copy of the template."""

    local = True

    def __init__(self, template: Template, *, start: dt.datetime, settings: dict | None = None,
                 workdir: Path | None = None):
        from egov_sim.core.asgi_transport import SyncASGITransport

        self.template = template
        self._tmp = tempfile.mkdtemp(prefix="egov-sim-scenario-", dir=workdir)
        self.home = template.copy_to(Path(self._tmp) / "home")
        self.clock = VirtualClock(start)
        loop_transport = _SelfTransport()
        with _own_database():
            self.app = template.app_factory(_settings(self.home, population=TEMPLATE_POPULATION, **(settings or {})),
                                 clock=self.clock, channels_transport=loop_transport)
        loop_transport.inner = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 123))
        self._transport = SyncASGITransport(self.app)
        self.base_url = "http://egov-sim.local"
        self.client = httpx.Client(transport=self._transport, base_url=self.base_url, timeout=60)

    @property
    def pki(self):
        return self.app.state.pki

    @property
    def journal(self):
        return self.app.state.gateway.journal

    def set_time(self, moment: dt.datetime) -> None:
        self.clock.set(moment)

    def system_now(self) -> dt.datetime:
        return self.clock()

    def close(self) -> None:
        try:
            self.client.close()  # closes the transport, its loop and executor threads
        finally:
            try:
                shutdown_app(self.app)
            finally:
                shutil.rmtree(self._tmp, ignore_errors=True)


class RemoteSystems(Systems):
    """A running ``egov-sim serve``: its own clock and state; the PKI of its home issues the
    applicants' certificates (there is no HTTP API for issuing)."""

    local = False
    clock = None
    template = None

    def __init__(self, url: str, home: Path):
        from egov_sim.signing.pki import TestPKI

        self.base_url = url.rstrip("/")
        self.home = Path(home)
        if not (self.home / "pki").is_dir():
            from egov_sim.core.errors import InputError

            raise InputError(f"--against {url}: no test PKI in {self.home / 'pki'}; give the server's "
                             "data directory with --home (certificates are issued from its PKI)",
                             code="AGAINST_HOME")
        self._pki = TestPKI.open(self.home / "pki")
        self.client = httpx.Client(base_url=self.base_url, timeout=60)

    @property
    def pki(self):
        return self._pki

    def system_now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
