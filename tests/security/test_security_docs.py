"""docs/security.md's examples, as written: the gateway's security keys and a staff-passwords
file are read the way ``egov-sim serve`` reads them."""

from __future__ import annotations

import re
from pathlib import Path

from egov_sim.app.staff_passwords import resolve
from egov_sim.gateway.config import parse_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_gateway_example_sets_every_security_key():
    config = parse_config(_toml_blocks()[0], source="docs/security.md")
    assert config.revocation == ("CRL", "OCSP") and config.revocation_unavailable == "fail"
    assert config.soap_action == "strict" and config.duplicate_message_id == "refuse"
    assert config.services["PARTNER_LOOKUP"].forward_password is True


def test_the_staff_passwords_example_gives_every_realm_a_password(tmp_path):
    file = tmp_path / "staff.toml"
    file.write_text(_toml_blocks()[1], encoding="utf-8")
    passwords = resolve(file, {})
    assert passwords is not None
    assert passwords["arm"] == "the-arm-staff-passphrase"
    assert {passwords[r] for r in ("con", "balkhash_uo", "balkhash_con")} == {"a-long-random-passphrase"}
