"""Settings of one simulator instance. Built once by the CLI (or a test) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def default_home() -> Path:
    """``$EGOV_SIM_HOME`` if set, else the platform's per-user data directory."""
    env = os.environ.get("EGOV_SIM_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("egov-sim"))


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=default_home)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    """Base URL written into certificates (CDP, AIA, OCSP). Default: http://host:port."""
    config_file: Path | None = None
    """The gateway's TOML config (participants, services, routes, policies); None: built-ins."""
    population: int = 10_000
    """Generated ГБД ФЛ persons (the personas come on top); scenario runs use a few hundred."""
    fast_password_hashing: bool = False
    """Cheap Argon2id parameters for the simulated accounts (portal users, ЦОН operators, АРМ
    staff) of throw-away simulators: scenario runs, tests. Never for a server people sign in to."""
    con_c1_literal_and: bool = False
    """ИИС ЦОН condition 1: notice P4 only when ГБД ФЛ *and* ЕНИС both fail (002 §9.5 read
    literally; regulations-kz §7 item 5). Default: either failure blocks."""
    portal_restricted: bool = True
    """Portal eligibility K16 (000 §1.3): only persons with disabilities or socially significant
    diseases may use the portal channel; False reads it as an enumeration."""
    max_body: int = 6 * 1024 * 1024
    """The body cap of every JSON API (portal, ЦОН, АРМ, admin): larger bodies are refused with
    413 ``BODY_TOO_LARGE`` (core/json_api.py). ``egov-sim serve --max-body``."""
    shep_leg: str = "async"
    """How the portal and ЦОН send requests to РШЭП and РШЭП answers them: over the AsyncChannel
    (``async``, the spec's reading, wire-formats.md §6–7) or SyncChannel ``SendMessage``
    (``sync``)."""
    refusal_via_head: bool = True
    """АРМ РШЭП: a reasoned refusal passes the head's signature (regulations-kz §7 item 9);
    False: the executor's own EDS certifies it (docs/rshep.md, "Option refusal_via_head")."""
    ncalayer_url: str = "wss://127.0.0.1:13579"
    """Where the signing pages (portal) find NCALayer: the real one or ``egov-sim ncalayer``
    (docs/ncalayer.md)."""
    signing_algorithm: str = "rsa"
    """Keys of the simulator's own systems (gateway responses, ГБД ФЛ, ЕНИС), staff and personas:
    ``rsa`` (default) or ``gost2004`` / ``gost2015-256`` / ``gost2015-512``, as production
    signs (docs/signing.md, "GOST")."""
    hand_in_milestone: bool = True
    """Seed 000 §5.3's terms count from the moment the package is handed in (a milestone S3
    must meet); False: S3's 7 wd (4 wd) is its own length (docs/terms.md). The АРМ's due dates
    and the scenario engine follow it."""
    app4_hand_offs: bool = True
    """Seed 002 App.4's 'within 1 working day' transfers between the ЦОН and the provider count
    in the receipt's date and the ЦОН channel's terms (docs/terms.md)."""
    revocation: tuple[str, ...] = ("CRL",)
    """How every verifier of the simulator (gateway, АРМ, ЦОН, portal, NCALayer emulator) learns
    that a certificate is revoked: ("CRL",), ("OCSP",) or both (``serve --revocation``)."""
    revocation_unavailable: str = "fail"
    """A CRL past its nextUpdate or an OCSP responder that does not answer: ``fail`` (the
    signature is not accepted) or ``accept`` (``serve --revocation-unavailable``; docs/security.md)."""
    max_header_bytes: int = 64 * 1024
    """The request line and headers of one HTTP request, together; 431 above it
    (``serve --max-header-bytes``; core/http_limits.py)."""
    header_timeout: float = 10.0
    """Seconds a client has to send a request's line and headers once it started; the
    connection is closed after it (``serve --header-timeout``)."""
    staff_passwords: dict[str, str] | None = None
    """Passwords of the seeded staff accounts, by realm (``arm``, ``con``, ``balkhash_uo``,
    ``balkhash_con``): ``EGOV_SIM_STAFF_PASSWORD`` or ``serve --staff-passwords FILE``. None:
    the documented well-known ones, refused on a non-loopback address (app/staff_passwords.py)."""

    balkhash_readings: tuple[tuple[str, object], ...] = ()
    """Seed 001's readings for the Balkhash department and its 2012 ЦОН, as (name, value) pairs
    over the defaults (egov_sim.reference.balkhash_services.Readings.from_mapping: ``issue_day``,
    ``uo_incomplete``, ``issue_day_excluded`` …); empty: the regulation's own words."""

    @property
    def term_options(self) -> dict[str, bool]:
        """The readings of the regulations' terms (egov_sim/reference/terms.py), by option."""
        return {"hand_in_milestone": self.hand_in_milestone, "app4_hand_offs": self.app4_hand_offs}

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def pki_dir(self) -> Path:
        return self.home / "pki"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)
