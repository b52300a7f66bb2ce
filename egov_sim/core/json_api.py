"""What the simulator's JSON APIs share: the error body and strict query parameters.

Every error is ``{"error": {"code": ..., "message": ..., ...}}`` so a client handles one shape;
an unknown or malformed query parameter is refused rather than ignored, so a typo never
silently widens a listing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from egov_sim.core.errors import InputError


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def int_param(request: Request, name: str, default: int | None, *, low: int, high: int) -> int | None:
    """The integer query parameter ``name`` within [low, high]; ``default`` when absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name} must be an integer, got {raw!r}", code="BAD_PARAMETER") from None
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}", code="BAD_PARAMETER")
    return value


def check_params(request: Request, allowed: set[str]) -> None:
    """Refuse query parameters outside ``allowed``, naming them and the allowed ones."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise InputError(f"unknown query parameter(s) {', '.join(unknown)};"
                         f" allowed: {', '.join(sorted(allowed))}", code="BAD_PARAMETER")
