"""Stub providers: any ШЭП service answered from declarative files, no Python needed.

A service in the register says ``provider = "stubs:DIR"`` (or carries ``[[services.stubs]]``
inline); each stub is a request matcher and an answer. Modules, in the order data flows:
``stub_files`` (YAML/JSON/TOML → checked stubs, errors with line numbers), ``matching``
(request → stub, near-miss reports), ``templating`` (answers from Jinja templates), ``state``
(scenario states and counters shared by every worker through the database), ``provider`` (the
provider the gateway calls, hot reload), ``recording`` (exchanges → stub files), ``skeleton``
(an XSD → a stub set to edit), ``admin_api`` and ``cli``. See docs/stubs.md.
"""
