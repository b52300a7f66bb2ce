"""The foundation: clock, errors, safe XML, database, accounts, the JSON API toolkit.

Imports no system of the simulator: every system imports it."""

from . import url_params  # noqa: F401,E402 — bounded {id:int} in every route
