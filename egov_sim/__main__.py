"""``python -m egov_sim`` runs the ``egov-sim`` command."""

from egov_sim.app.cli import main

main()
