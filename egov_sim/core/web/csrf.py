"""CSRF protection of every form: a per-browser random cookie and, in each form, its HMAC.

The cookie (``egov_csrf``: HttpOnly, SameSite=Strict) is set the first time a page with a form
is shown; the form carries ``csrf_token`` = HMAC-SHA256(site secret, cookie). A POST is
accepted only when the field matches the cookie it came with, so another site can neither
read the token nor make the browser send a matching pair. A request whose ``Origin`` header
names another site is refused even before that.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

COOKIE = "egov_csrf"
FIELD = "csrf_token"


class CsrfError(Exception):
    pass


def token_for(secret: bytes, cookie: str) -> str:
    return hmac.new(secret, b"csrf|" + cookie.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def cookie_value(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie value, and whether it is new (to be set on the response)."""
    value = request.cookies.get(COOKIE)
    if value and 20 <= len(value) <= 100 and value.isascii():
        return value, False
    return secrets.token_urlsafe(32), True


def check(request: Request, secret: bytes, submitted: str | None) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin.rstrip("/") != expected:
            raise CsrfError(f"the form was sent from {origin}, not from {expected}")
    cookie = request.cookies.get(COOKIE)
    if not cookie or not submitted:
        raise CsrfError("the form has no CSRF token, or the browser sent no CSRF cookie")
    if not hmac.compare_digest(token_for(secret, cookie), submitted):
        raise CsrfError("the form's CSRF token does not match this browser's")
