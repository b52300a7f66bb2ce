"""Every operation of scenarios/operations.py, played against the real HTTP APIs: one module per
system (portal, ЦОН, АРМ РШЭП, the provider's office, notices, a person's own acts)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping

from . import arm, balkhash, con, notices, office, person, portal
from .common import Divergence, OpResult, Outcome, PlayContext, StepError

Op = Callable[[PlayContext, dict], OpResult]

OPS: Mapping[str, Op] = MappingProxyType({**person.OPS, **portal.OPS, **con.OPS, **notices.OPS,
                                          **office.OPS, **arm.OPS, **balkhash.OPS})
"""Operation name → the function that plays it."""

__all__ = ["OPS", "Divergence", "Op", "OpResult", "Outcome", "PlayContext", "StepError"]
