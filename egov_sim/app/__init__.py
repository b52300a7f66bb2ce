"""The composition root: the server that mounts every system and the egov-sim CLI.

The only place that imports every system; nothing imports it."""
