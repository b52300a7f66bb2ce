"""Shared by the engine tests (a module with a unique name: test folders have no __init__.py)."""

from __future__ import annotations

import datetime as dt

from egov_sim.core.clock import ALMATY

STARTED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ALMATY)
"""The run's start in these tests (a Monday): scenarios without a start begin then."""
