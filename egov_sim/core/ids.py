"""Identifiers the systems make up: ШЭП message and session ids, WS-Security element ids.

They are random (``uuid4``) unless a caller asks for a reproducible run: the scenario engine
plays each scenario inside :func:`seeded`, so the same scenario and seed give the same ids in
every run and the reports of two runs are the same (docs/engine.md, "Reproducible runs"). The
source is process-wide on purpose: it must reach every system of an in-process simulator, and a
simulator in a process plays one scenario at a time.
"""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from typing import Iterator


class IdSource:
    """uuid4s: random, or drawn from a seeded generator (one lock: draws keep their order)."""

    def __init__(self, seed: str | int | None = None):
        self._rng = None if seed is None else random.Random(seed)
        self._lock = threading.Lock()

    def uuid4(self) -> uuid.UUID:
        if self._rng is None:
            return uuid.uuid4()
        with self._lock:
            return uuid.UUID(int=self._rng.getrandbits(128), version=4)


_source = IdSource()


def new_uuid() -> uuid.UUID:
    """A version-4 UUID from the current source."""
    return _source.uuid4()


@contextlib.contextmanager
def seeded(seed: str | int) -> Iterator[None]:
    """Within the block, every id is drawn from a generator seeded with ``seed``."""
    global _source
    previous, _source = _source, IdSource(seed)
    try:
        yield
    finally:
        _source = previous
