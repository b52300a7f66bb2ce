"""Where a request's synchronous work runs: on the event loop, or on a few threads.

The registries behind ШЭП (ГБД ФЛ, ЕНИС) use it for their answers. Such an answer is a register lookup, rendering and an RSA (or GOST) signature,
a fraction of a millisecond of CPU. On SQLite nothing in it waits, so it is made on the event
loop: made on a worker thread it cost 5-25 % more CPU under load (issue 16, bench_gateway's (e),
2 workers: 1.39-1.46 ms of server CPU per ГБД ФЛ request on the loop against 1.51-1.74 ms on four
threads), because SQLite, the signature and lxml each release the GIL, and each time the thread
takes it back from a busy event loop costs a hand-over (and up to the 5 ms switch interval of
latency). On PostgreSQL a lookup waits for the network, so there the answers go to a few threads
of this process's own (not anyio's forty, which hand the GIL around even more).
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from egov_sim.core.database import SQLITE, Database

WORKER_THREADS = 4
T = TypeVar("T")

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def answers_in_thread(db: Database, choice: bool | None = None) -> bool:
    """``choice`` when given; otherwise threads on PostgreSQL, the event loop on SQLite."""
    return db.dialect is not SQLITE if choice is None else choice


async def answer(in_thread: bool, fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` here, or on this process's answer threads."""
    if not in_thread:
        return fn(*args)
    return await asyncio.get_running_loop().run_in_executor(_executor(), functools.partial(fn, *args))


def _executor() -> ThreadPoolExecutor:
    global _pool
    pool = _pool
    if pool is None or pool[0] != os.getpid():  # a forked child starts its own threads
        with _pool_lock:
            if _pool is None or _pool[0] != os.getpid():
                _pool = (os.getpid(), ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="offload"))
            pool = _pool
    return pool[1]
