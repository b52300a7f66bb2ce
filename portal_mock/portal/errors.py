"""The portal's errors: a stable code, a message, an HTTP status and, where a step of the
regulation forms one, the notice the user is shown. The API answers them as the shared JSON
error body (egov_sim.core.json_api)."""

from __future__ import annotations

from typing import Any

from egov_sim.core.json_api import ApiError

from .notices import Notice


class PortalError(ApiError):
    """A refusal or bad input the API answers with ``status`` and ``{"error": {...}}``."""

    def __init__(self, status: int, code: str, message: str, *, notice: Notice | None = None,
                 **extra: Any):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        members = {"notice": notice.to_json() if notice is not None else None, **extra}
        super().__init__(status, code, message, headers=headers,
                         **{k: v for k, v in members.items() if v is not None})
        self.notice = notice


def not_found(what: str) -> PortalError:
    return PortalError(404, "NOT_FOUND", f"{what} not found")


def unauthorized(message: str = "sign in first: Authorization: Bearer <token>") -> PortalError:
    return PortalError(401, "UNAUTHENTICATED", message)
