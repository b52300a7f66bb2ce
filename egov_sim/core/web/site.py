"""The settings every system's pages share, made once by the composition root."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from egov_sim.core import atomic
from egov_sim.core.claims import Claims

SECRET_FILE = "web-secret"


@dataclass(frozen=True)
class NavLink:
    key: str
    """Message key of the link's text."""
    href: str


@dataclass(frozen=True)
class Site:
    secret: bytes
    """Keys the CSRF tokens and the admin cookie (:func:`load_secret`); never sent anywhere."""
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


def load_secret(home: Path) -> bytes:
    """The server's page secret: 32 random bytes in ``<home>/web-secret`` (mode 0600), made on
    first start and shared by every worker process."""
    path = Path(home) / SECRET_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    data = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # first writer wins: O_EXCL, so two workers starting together agree on one secret
        fd = os.open(path.with_suffix(".new"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _wait_for(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(path.with_suffix(".new"), path)
    except FileExistsError:
        data = path.read_bytes()
    finally:
        os.unlink(path.with_suffix(".new"))
    return data


def _wait_for(path: Path) -> bytes:
    import time

    for _ in range(200):
        try:
            data = path.read_bytes()
            if len(data) >= 32:
                return data
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    data = secrets.token_bytes(32)  # a writer died mid-way: take over
    atomic.write_bytes(path, data, mode=0o600)
    return data
