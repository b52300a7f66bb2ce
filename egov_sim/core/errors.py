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
