"""The foundation: clock, errors, safe XML, database, accounts, the JSON API toolkit.

Imports no system of the simulator: every system imports it."""
