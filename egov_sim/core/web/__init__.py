"""What every system's web pages share: page chrome (base template, CSS), Kazakh/Russian,
CSRF tokens, session cookies, bounded form reading, escaping and security headers.

Each system keeps its own pages beside its code (``portal_mock/portal/pages/``,
``portal_mock/con/pages/``, ``gateway/rshep/pages/``) and builds a :class:`Pages` from the
composition root's :class:`Site`. Pages call the systems' domain services, never their JSON
handlers. docs/pages.md describes them.
"""

from .i18n import LANGUAGES, Messages
from .rendering import PageError, Pages
from .site import NavLink, Site

__all__ = ["LANGUAGES", "Messages", "NavLink", "PageError", "Pages", "Site"]
