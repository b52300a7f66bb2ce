"""The sample gateway configuration shipped in the repository (docs/examples/gateway.toml) is the
one docs/gateway.md shows, and `egov-sim serve --config` loads it."""

from __future__ import annotations

import re

from egov_sim.app.server import builtin_config
from egov_sim.gateway.config import load_config
from tests.support import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "gateway.toml"


def test_the_example_is_the_documented_one():
    doc = (ROOT / "docs" / "gateway.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- gateway-example: gateway.toml -->\s*```toml\n(.*?)```", doc, re.S).group(1)
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.endswith(block) and "examples/gateway.toml" in doc
    assert all(line.startswith("#") or not line for line in text[:-len(block)].splitlines())


def test_the_example_loads_over_the_built_ins():
    config = load_config(EXAMPLE, base=builtin_config())
    assert config.participants["MY_IS"].wsse == "required"
    assert config.services["MY_PROVIDER_SERVICE"].timeout == 5.0
    assert config.services["MY_REGIONAL_SERVICE"].route_required
    assert config.routes["R_Pavlodar"].region == "Павлодарская область"
    assert config.limits.max_bytes == 1048576 and config.limits.max_depth == 64
    assert "EGOV_SIM_TEST_CLIENT" in config.participants  # the built-ins stay
