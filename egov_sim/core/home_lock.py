"""One server per data directory: ``egov-sim serve`` holds a lock file in its home.

Two servers on one home would share one database and one PKI while each believed itself alone
(redelivery after a restart, the ШЭП journal's order, the population seeded once). The lock is an
advisory ``flock`` on ``<home>/serve.lock``, held for the life of the process: the kernel releases
it when the process ends, even killed, so a stale file never blocks the next start. The file
says which process holds it, for the message the second server prints.
"""

from __future__ import annotations

import os
from pathlib import Path

from egov_sim.core.errors import StartupError

try:
    import fcntl
except ImportError:  # not POSIX: no lock, the documented platforms are
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "serve.lock"


class HomeLock:
    """The exclusive lock of one home; :meth:`acquire` or :class:`StartupError`."""

    def __init__(self, home: Path):
        self.path = Path(home) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, *, holder: str) -> HomeLock:
        """Take the lock, writing ``holder`` (pid and URL) into the file; refuse when another
        process holds it."""
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise StartupError(f"the data directory {self.path.parent} is in use by another "
                               f"'egov-sim serve' ({other}); stop it, or give this one another "
                               "--home") from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, holder.encode("utf-8"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> HomeLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
