"""The settings every system's pages share, made once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from egov_sim.core.claims import Claims


@dataclass(frozen=True)
class NavLink:
    key: str
    """Message key of the link's text."""
    href: str


@dataclass(frozen=True)
class Site:
    secret: bytes
    """Keys the CSRF tokens and the admin cookie; never sent anywhere. The composition root
    derives it from the PKI (``TestPKI.derive_secret``), so every worker and every host of one
    deployment accepts the forms any of them showed."""
    nav: tuple[NavLink, ...] = ()
    ncalayer_url: str = "wss://127.0.0.1:13579"
    """Where the signing pages look for NCALayer (the emulator or the real one)."""
    default_language: str = "ru"
    static_url: str = "/web/static"
    secure_cookies: bool = False
    """Always mark cookies Secure (the simulator's public URL is https); they are Secure anyway
    on a request that came over https."""
    claims: Claims | None = None
    """The server's claims: a form posted twice (a double click) is done once
    (:meth:`egov_sim.core.web.rendering.Pages.once`); None: no such guard."""

