"""The egov.kz portal and its personal cabinet (002 §11, 000 §8): registration, authorization,
the service catalogue, EDS-signed requests sent through ШЭП to РШЭП, statuses and results.

See docs/portal.md. The server mounts :meth:`Portal.routes` under ``/portal`` and registers
:attr:`Portal.inbox_provider` with the gateway as ``builtin:portal_inbox``.
"""

from .assembly import GATEWAY_CONFIG, Portal, PortalSettings, build_portal, default_verifier
from .inbox_provider import INBOX_SERVICE_ID, PROVIDER_NAME

__all__ = ["GATEWAY_CONFIG", "INBOX_SERVICE_ID", "PROVIDER_NAME", "Portal", "PortalSettings",
           "build_portal", "default_verifier"]
