"""egov-sim: the product shell (CLI, configuration, the HTTP server that mounts every system)."""

__version__ = "0.1.0"
