"""The error a flow or scenario file that cannot be used raises: ``file:line: what``."""

from __future__ import annotations

from egov_sim.core.yaml_lines import SourceError


class ScenarioFileError(SourceError):
    """A flow or scenario file that cannot be used: ``file:line: what``."""

    code = "SCENARIO_FILE"
