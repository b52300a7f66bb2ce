"""Shared by the engine tests (a module with a unique name: test folders have no __init__.py)."""

from __future__ import annotations

import datetime as dt

from egov_sim.core.clock import ALMATY

STARTED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ALMATY)
"""The run's start in these tests (a Monday): scenarios without a start begin then."""


def hide_the_term_file_of_001(monkeypatch) -> None:
    """Test flows written for a regulation that states its own terms (no term file) keep using
    regulation 001, which was one until issue 12 gave it egov_sim/reference/regulations/001.yaml:
    hide that file (flow files only: scenario files are checked against the shipped flows)."""
    from egov_sim.reference import terms

    shipped = terms.regulation
    monkeypatch.setattr(terms, "regulation", lambda seed: None if seed == "001" else shipped(seed))
