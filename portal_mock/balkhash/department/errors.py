"""The department's errors: each carries the HTTP status, a stable code, the message and, for
bad input, the field it is about (``applicant.iin``, ``grounds[1]``)."""

from __future__ import annotations


class DeptError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field
        self.extra = extra

    def to_json(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return {"error": body}


class BadInput(DeptError):
    """A field of the body that a rule refuses (422, like every JSON API of the simulator)."""

    status, code = 422, "INVALID_FIELD"


class BadParameter(DeptError):
    """A query or path parameter that is unknown or malformed (400)."""

    status, code = 400, "BAD_PARAMETER"


class Unprocessable(DeptError):
    status, code = 422, "UNPROCESSABLE"


class Forbidden(DeptError):
    status, code = 403, "WRONG_ROLE"


class NotFound(DeptError):
    status, code = 404, "NOT_FOUND"


class Conflict(DeptError):
    status, code = 409, "CONFLICT"
