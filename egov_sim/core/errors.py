"""Errors that carry a message meant for the user: the CLI prints them on one line, exit 2."""


class InputError(Exception):
    """Bad input from the user or a client: a file, an argument, a document.

    ``code`` is stable and machine-readable (tests and JSON output rely on it);
    ``str(err)`` is the one-line human message.
    """

    code = "BAD_INPUT"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class StartupError(Exception):
    """The machine refuses what a server needs: its port is taken or out of reach, another
    server holds the data directory, the database cannot be opened or written. The CLI prints
    it on one line and exits with :data:`STARTUP_EXIT_CODE`."""


STARTUP_EXIT_CODE = 3
"""``egov-sim serve`` could not start (README, "Exit codes")."""
