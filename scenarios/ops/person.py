"""A person's act that calls no system: only the clock moves (by the node's duration)."""

from __future__ import annotations

from .common import OpResult, PlayContext


def act(ctx: PlayContext, args: dict) -> OpResult:
    title = ctx.node.title if ctx.node is not None else ""
    return OpResult(detail=f"{ctx.node.actor or 'the person'}: {title}" if title else "")


OPS = {"person.act": act}
