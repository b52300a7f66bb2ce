"""``python -m egov_sim`` runs the ``egov-sim`` command."""

from .cli import main

main()
