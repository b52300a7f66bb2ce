"""The gateway's configuration: participants, services, routes and policies, from one file.

The file is TOML (read with the standard library's tomllib, which reports the line of a
syntax error). ``egov-sim serve`` runs with none. The gateway knows only its own entries (the
test clients and SIM_ECHO); every other system brings a :class:`Registration` of its
participants, services and routes, and the composition root (egov_sim/app/server.py) hands them
to :func:`default_config`. Example in docs/gateway.md.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Mapping

from egov_sim.core.errors import InputError
from egov_sim.core.safe_xml import XmlLimits

from .errors import KINDS, ErrorCodes

if TYPE_CHECKING:
    from .stubs.stub_files import StubSource

WssePolicy = Literal["off", "if-present", "required"]
WSSE_POLICIES = ("off", "if-present", "required")


class ConfigError(InputError):
    code = "BAD_CONFIG"


@dataclass(frozen=True)
class Participant:
    """A registered information system that may send through ШЭП."""

    sender_id: str
    password: str | None = None
    wsse: WssePolicy = "if-present"
    description: str = ""
    push_url: str | None = None
    """AsyncChannel: the participant's ``IAsyncChannelClient`` endpoint. ШЭП pushes the
    messages addressed to it there (``sendMessage``) and tells it of state changes of the
    messages it sent (``changeMassageStatusNotification``); None: it pulls (``getMessages``)."""


@dataclass(frozen=True)
class Service:
    """A serviceId of the register of interactions and the provider that answers it.

    ``provider`` is ``builtin:<name>`` for a provider inside the simulator, an http(s) URL of
    an external SOAP endpoint that speaks SendMessage (an integrator's own provider), or
    ``stubs:DIR`` / ``stubs`` for declarative stubs (``stubs``: their source; docs/stubs.md).
    ``record``: a folder where each exchange with an http(s) provider is saved as a stub.
    """

    service_id: str
    provider: str
    allowed_senders: frozenset[str] | None = None
    route_required: bool = False
    timeout: float = 10.0
    description: str = ""
    stubs: StubSource | None = None
    record: Path | None = None
    recipient: str | None = None
    """AsyncChannel: the senderId of the participant that receives this service's messages
    (by push or pull); None: the ``builtin:`` provider takes them in process."""

    def allows(self, sender_id: str) -> bool:
        return self.allowed_senders is None or sender_id in self.allowed_senders


@dataclass(frozen=True)
class Route:
    """A routeId and the regional РШЭП instance (provider) it leads to."""

    route_id: str
    provider: str
    region: str = ""
    stubs: StubSource | None = None
    recipient: str | None = None
    """AsyncChannel: the participant that receives messages on this route (see Service)."""


@dataclass(frozen=True)
class AsyncSettings:
    """AsyncChannel delivery (SYNTHETIC: the real values are not public)."""

    batch_size: int = 10
    """``getMessages`` with ``amount`` 0 or absent hands out at most this many."""
    max_attempts: int = 5
    """Deliveries tried (push attempts, or pulls never acknowledged) before DELIVERY_STOPPED."""
    retry_backoff: float = 2.0
    """Seconds before the second attempt; doubled for each further one, up to ``retry_max``."""
    retry_max: float = 300.0
    lease: float = 300.0
    """Seconds a pulled message stays with its puller before it may be handed out again."""
    expiry: float = 7 * 24 * 3600.0
    """Seconds after which an undelivered message stops (DELIVERY_STOPPED, EXPIRED)."""
    push_timeout: float = 10.0
    poll_interval: float = 1.0
    """Seconds between the push worker's looks at the queue (a new message wakes it at once)."""


@dataclass(frozen=True)
class GatewayConfig:
    participants: Mapping[str, Participant]
    services: Mapping[str, Service]
    routes: Mapping[str, Route] = field(default_factory=lambda: MappingProxyType({}))
    sign_responses: bool = False
    error_codes: ErrorCodes = field(default_factory=ErrorCodes)
    limits: XmlLimits = field(default_factory=lambda: XmlLimits(max_bytes=5 * 1024 * 1024,
                                                                max_depth=128))
    strict_schema: bool = True
    """Namespaced nested elements are a schema violation (SCE001); lenient mode accepts them.
    Which one the real ШЭП applies is UNVERIFIED (wire-formats.md §2.3)."""
    fault_rules: tuple[dict, ...] = ()
    admin_token: str | None = None
    extra_trust: bytes = b""
    """PEM certificates trusted besides the simulator's PKI (``[gateway] trust``, PEM or DER files):
    e.g. NCA's test ҰКО (RSA or GOST), so requests signed with real NCA test keys verify. A ҰКО
    whose root is not given is itself a trust anchor (NCA's test roots are not public)."""
    crls: tuple[bytes, ...] = ()
    """DER CRLs (``[gateway] crls``), e.g. NCA's test CRL: when given, the revocation of every
    request signer is checked (CRL method; these files for their issuers, the simulator's own
    CRLs for its PKI)."""
    stub_reload_seconds: float = 1.0
    """How often stub folders are polled for changes (``[gateway] stub_reload_seconds``; 0: never)."""
    timestamp_skew: float = 300.0
    """Seconds a transport signature's ``wsu:Timestamp`` may be off the gateway's clock."""
    signed_comments: Literal["strip", "refuse"] = "strip"
    """``strip``: providers read signed content as c14n does (comments removed); ``refuse``: a
    comment inside signed content fails the transport signature (SCE006)."""
    smartbridge_data: str = "accept"
    """The SmartBridge/NCANode form ``<ns4:data xmlns:ns4="…/SyncChannel/v10/Interfaces">``:
    ``accept`` reads it as ``data``; ``refuse`` answers SCE001 naming the difference."""
    understood_headers: frozenset[str] = frozenset()
    """SOAP header entries (``{namespace}local``) the gateway understands besides wsse:Security
    and WS-Addressing; any other with ``mustUnderstand="1"`` gets a MustUnderstand fault."""
    async_: AsyncSettings = field(default_factory=AsyncSettings)

    def with_(self, **changes) -> GatewayConfig:
        return replace(self, **changes)


@dataclass(frozen=True)
class Registration:
    """What one system brings to the register of interactions: the participants it sends as, the
    services it answers (``builtin:<name>`` providers) and the routes that lead to it."""

    participants: tuple[Participant, ...] = ()
    services: tuple[Service, ...] = ()
    routes: tuple[Route, ...] = ()


GATEWAY_REGISTRATION = Registration(
    participants=(
        Participant("EGOV_SIM_TEST_CLIENT", "test-secret", "if-present", "integrator's test client"),
        Participant("EGOV_SIM_SIGNED_CLIENT", "signed-secret", "required",
                    "test client whose requests must carry a transport signature"),
    ),
    services=(
        Service("SIM_ECHO", "builtin:echo", description="echoes data back (SYNTHETIC; for smoke tests)"),
    ),
)
"""The gateway's own entries: its test clients and the echo service."""


def _mapping(items, key) -> Mapping:
    return MappingProxyType({key(i): i for i in items})


def default_config(*registrations: Registration) -> GatewayConfig:
    """The gateway's own entries plus those of the systems registered with it (later entries
    with the same key replace earlier ones)."""
    every = (GATEWAY_REGISTRATION, *registrations)
    return GatewayConfig(
        participants=_mapping([p for r in every for p in r.participants], lambda p: p.sender_id),
        services=_mapping([s for r in every for s in r.services], lambda s: s.service_id),
        routes=_mapping([x for r in every for x in r.routes], lambda r: r.route_id))


def _require(table: dict, key: str, where: str, kind=str):
    if key not in table:
        raise ConfigError(f"{where}: '{key}' is required")
    value = table[key]
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: '{key}' must be {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


def _known_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


_KIND_NAMES = {str: "a string", bool: "true or false", int: "an integer", float: "a number"}


def _optional(table: dict, key: str, where: str, kind: type, default):
    """``table[key]`` checked against ``kind`` (TOML integers count as numbers), or ``default``."""
    if key not in table:
        return default
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        raise ConfigError(f"{where}: '{key}' must be {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


def _positive(value, key: str, where: str):
    if value <= 0:
        raise ConfigError(f"{where}: '{key}' must be greater than 0")
    return value


def _tables(doc: dict, key: str, source: str) -> list[dict]:
    """An array of tables (``[[key]]``); anything else is a one-line error, not a traceback."""
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{source}: '{key}' must be an array of tables, written [[{key}]]")
    return value


def _table(doc: dict, key: str, source: str) -> dict:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: '{key}' must be a table, written [{key}]")
    return value


def _provider(value: str, where: str) -> str:
    if not (value.startswith(("builtin:", "http://", "https://", "stubs:")) or value == "stubs"):
        raise ConfigError(f"{where}: provider must be builtin:<name> or an http(s) URL (or stubs:<folder>, stubs)")
    return value


def _stub_source(t: dict, name: str, provider: str, where: str, root: Path | None):
    """The stubs of a ``stubs:DIR`` / ``stubs`` provider (checked now, with line numbers)."""
    from .stubs.stub_files import StubSource

    inline = t.get("stubs", [])
    if not provider.startswith("stubs"):
        if "stubs" in t:
            raise ConfigError(f"{where}: 'stubs' needs provider = \"stubs\" or \"stubs:<folder>\"")
        return None
    if not isinstance(inline, list) or not all(isinstance(s, dict) for s in inline):
        raise ConfigError(f"{where}: 'stubs' must be an array of tables, written [[services.stubs]]")
    folder = provider.removeprefix("stubs").removeprefix(":")
    if provider == "stubs" and not inline:
        raise ConfigError(f"{where}: provider \"stubs\" needs [[services.stubs]] tables (or stubs:<folder>)")
    base = root or Path(".")
    source = StubSource(name, directory=(base / folder).resolve() if folder else None,
                        inline=tuple(inline), where=where, root=base)
    try:
        source.load()
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    return source


def parse_config(text: str, *, source: str = "config", base: GatewayConfig | None = None,
                 root: Path | None = None) -> GatewayConfig:
    """Parse the TOML config over ``base`` (default: the gateway's own entries): entries add or
    replace.

    ``root`` is the folder relative file names (``[gateway] trust``) are resolved against."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    base = base or default_config()
    _known_keys(doc, {"gateway", "participants", "services", "routes", "faults", "error_codes",
                      "async"}, source)

    participants = dict(base.participants)
    for i, t in enumerate(_tables(doc, "participants", source)):
        where = f"{source}: participants[{i}]"
        _known_keys(t, {"sender_id", "password", "wsse", "description", "push_url"}, where)
        push_url = _optional(t, "push_url", where, str, None)
        if push_url is not None and not push_url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: push_url must be an http(s) URL")
        p = Participant(_require(t, "sender_id", where), _optional(t, "password", where, str, None),
                        _optional(t, "wsse", where, str, "if-present"),
                        _optional(t, "description", where, str, ""), push_url)
        if p.wsse not in WSSE_POLICIES:
            raise ConfigError(f"{where}: wsse must be one of {', '.join(WSSE_POLICIES)}")
        participants[p.sender_id] = p

    services = dict(base.services)
    for i, t in enumerate(_tables(doc, "services", source)):
        where = f"{source}: services[{i}]"
        _known_keys(t, {"service_id", "provider", "allowed_senders", "route_required", "timeout",
                        "description", "stubs", "record", "recipient"}, where)
        provider = _provider(_require(t, "provider", where), where)
        allowed = t.get("allowed_senders")
        if allowed is not None and not (isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)):
            raise ConfigError(f"{where}: 'allowed_senders' must be a list of senderIds")
        s = Service(_require(t, "service_id", where), provider,
                    frozenset(allowed) if allowed is not None else None,
                    _optional(t, "route_required", where, bool, False),
                    _positive(_optional(t, "timeout", where, float, 10.0), "timeout", where),
                    _optional(t, "description", where, str, ""),
                    _stub_source(t, _require(t, "service_id", where), provider, where, root),
                    _record_folder(t, provider, where, root),
                    recipient=_optional(t, "recipient", where, str, None))
        services[s.service_id] = s

    routes = dict(base.routes)
    for i, t in enumerate(_tables(doc, "routes", source)):
        where = f"{source}: routes[{i}]"
        _known_keys(t, {"route_id", "provider", "region", "stubs", "recipient"}, where)
        provider = _provider(_require(t, "provider", where), where)
        r = Route(_require(t, "route_id", where), provider, _optional(t, "region", where, str, ""),
                  _stub_source(t, _require(t, "route_id", where), provider, where, root),
                  recipient=_optional(t, "recipient", where, str, None))
        routes[r.route_id] = r

    g = _table(doc, "gateway", source)
    where = f"{source}: [gateway]"
    _known_keys(g, {"sign_responses", "strict_schema", "max_bytes", "max_depth", "admin_token",
                    "trust", "crls", "stub_reload_seconds", "timestamp_skew", "signed_comments",
                    "smartbridge_data", "understood_headers"}, where)
    signed_comments: Literal["strip", "refuse"] = _choice(  # type: ignore[assignment]
        g, "signed_comments", where, ("strip", "refuse"), base.signed_comments)
    smartbridge = _choice(g, "smartbridge_data", where, ("accept", "refuse"), base.smartbridge_data)
    understood = g.get("understood_headers", [])
    if not isinstance(understood, list) or not all(
            isinstance(h, str) and h.startswith("{") and "}" in h for h in understood):
        raise ConfigError(f"{where}: 'understood_headers' must be a list of '{{namespace}}local' names")
    extra_trust = base.extra_trust + _trust_files(g.get("trust", []), where, root)
    crls = base.crls + _crl_files(g.get("crls", []), where, root)
    renamed = dict(base.error_codes.renamed)
    for code, wire in _table(doc, "error_codes", source).items():
        if code not in KINDS:
            raise ConfigError(f"{source}: [error_codes] {code} is not a gateway error code")
        if not isinstance(wire, str) or not wire.strip():
            raise ConfigError(f"{source}: [error_codes] {code} must be a non-empty string")
        renamed[code] = wire
    limits = XmlLimits(_positive(_optional(g, "max_bytes", where, int, base.limits.max_bytes), "max_bytes", where),
                       _positive(_optional(g, "max_depth", where, int, base.limits.max_depth), "max_depth", where))
    return GatewayConfig(
        participants=MappingProxyType(participants), services=MappingProxyType(services),
        routes=MappingProxyType(routes),
        sign_responses=_optional(g, "sign_responses", where, bool, base.sign_responses),
        error_codes=ErrorCodes(MappingProxyType(renamed)), limits=limits,
        strict_schema=_optional(g, "strict_schema", where, bool, base.strict_schema),
        fault_rules=base.fault_rules + tuple(_tables(doc, "faults", source)),
        admin_token=_optional(g, "admin_token", where, str, base.admin_token),
        extra_trust=extra_trust, crls=crls,
        stub_reload_seconds=_not_negative(
            _optional(g, "stub_reload_seconds", where, float, base.stub_reload_seconds),
            "stub_reload_seconds", where),
        timestamp_skew=_optional(g, "timestamp_skew", where, float, base.timestamp_skew),
        signed_comments=signed_comments, smartbridge_data=smartbridge,
        understood_headers=base.understood_headers | frozenset(understood),
        async_=_async_settings(_table(doc, "async", source), f"{source}: [async]", base.async_),
    )


def _choice(table: dict, key: str, where: str, choices: tuple[str, ...], default: str) -> str:
    value = _optional(table, key, where, str, default)
    if value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}")
    return value


def _async_settings(table: dict, where: str, base: AsyncSettings) -> AsyncSettings:
    names = {f.name: f.type for f in fields(AsyncSettings)}
    _known_keys(table, set(names), where)
    changes = {}
    for name in table:
        kind = int if names[name] in ("int", int) else float
        changes[name] = _positive(_optional(table, name, where, kind, None), name, where)
    return replace(base, **changes)


def _not_negative(value: float, key: str, where: str) -> float:
    if value < 0:
        raise ConfigError(f"{where}: '{key}' must be 0 or more")
    return value


def _record_folder(t: dict, provider: str, where: str, root: Path | None) -> Path | None:
    """``record = "DIR"``: exchanges with an http(s) provider are saved there as stubs."""
    folder = _optional(t, "record", where, str, None)
    if folder is None:
        return None
    if not provider.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: 'record' needs an http(s) provider to record")
    return ((root or Path(".")) / folder).resolve()


def _trust_files(paths, where: str, root: Path | None) -> bytes:
    """The PEM files of ``[gateway] trust`` (relative to the config file), checked to hold certificates."""
    from cryptography import x509

    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}: 'trust' must be a list of PEM file paths")
    out = b""
    for name in paths:
        path = (root / name) if root is not None and not Path(name).is_absolute() else Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{where}: trust file {path}: {exc.strerror}") from None
        if b"-----BEGIN" not in data:  # a DER certificate (NCA publishes .cer files in DER)
            from cryptography.hazmat.primitives.serialization import Encoding

            try:
                data = x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM)
            except ValueError:
                raise ConfigError(f"{where}: trust file {path} is not a certificate (PEM or DER)") from None
        try:
            if not x509.load_pem_x509_certificates(data):
                raise ValueError
        except ValueError:
            raise ConfigError(f"{where}: trust file {path} holds no PEM certificate") from None
        out += data if data.endswith(b"\n") else data + b"\n"
    return out


def _crl_files(paths, where: str, root: Path | None) -> tuple[bytes, ...]:
    """The CRL files of ``[gateway] crls`` (DER or PEM, relative to the config file), as DER."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}: 'crls' must be a list of CRL file paths")
    out = []
    for name in paths:
        path = (root / name) if root is not None and not Path(name).is_absolute() else Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{where}: CRL file {path}: {exc.strerror}") from None
        try:
            crl = x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data)
        except ValueError:
            raise ConfigError(f"{where}: CRL file {path} is not a CRL (DER or PEM)") from None
        out.append(crl.public_bytes(Encoding.DER))
    return tuple(out)


def load_config(path: Path | None, *, base: GatewayConfig | None = None) -> GatewayConfig:
    """The file at ``path`` over ``base`` (default: the gateway's own entries); ``base`` when
    there is no file."""
    if path is None:
        return base or default_config()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    return parse_config(text, source=str(path), base=base, root=Path(path).parent)
