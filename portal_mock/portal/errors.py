"""The portal's errors: a stable code, a message, an HTTP status and, where a step of the
regulation forms one, the notice the user is shown. The API turns them into JSON."""

from __future__ import annotations

from typing import Any

from egov_sim.core.errors import InputError

from .notices import Notice


class PortalError(InputError):
    """A refusal or bad input the API answers with ``status`` and ``{"error": {...}}``."""

    def __init__(self, status: int, code: str, message: str, *, notice: Notice | None = None,
                 **extra: Any):
        super().__init__(message, code=code)
        self.status, self.notice, self.extra = status, notice, extra

    def to_json(self) -> dict:
        body: dict[str, Any] = {"code": self.code, "message": str(self)}
        if self.notice is not None:
            body["notice"] = self.notice.to_json()
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return {"error": body}


def not_found(what: str) -> PortalError:
    return PortalError(404, "NOT_FOUND", f"{what} not found")


def unauthorized(message: str = "sign in first: Authorization: Bearer <token>") -> PortalError:
    return PortalError(401, "UNAUTHORIZED", message)
