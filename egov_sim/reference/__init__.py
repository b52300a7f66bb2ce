"""Reference data every system shares: the service catalogue, IIN/BIN, personas.

Imports only egov_sim.core."""
