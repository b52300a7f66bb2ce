"""docs/rshep.md is the code: its tables are rendered from the catalogue, the staff and the
chain, its ШЭП wiring covers the catalogue, and the curl walkthrough runs as written."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from egov_sim.gateway.config import parse_config
from egov_sim.gateway.rshep import provider as rshep_provider
from egov_sim.gateway.rshep.chain import STEPS
from egov_sim.gateway.rshep.staff import STAFF, STAFF_PASSWORD, head_of
from egov_sim.reference import catalogue as cat
from egov_sim.reference.terms import service_terms
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from tests.support.rshep import BLOCKS, DOC

TEXT = DOC.read_text(encoding="utf-8")
_TABLE = re.compile(r"<!-- rshep-example: (?P<name>\S+) -->\s*\n(?P<table>(?:\|.*\n)+)")
TABLES = {m["name"]: m["table"] for m in _TABLE.finditer(TEXT)}
CHANNEL_SENDERS = {"portal": "EGOV_SIM_PORTAL", "con": "EGOV_SIM_IIS_CON"}


def _rows(name: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in TABLES[name].strip().splitlines()[2:]]


def _codes(cells) -> list[str]:
    return [c.strip().strip("`") for c in cells.split(",")]


def test_every_example_is_found():
    assert set(BLOCKS) == {"rshep-request.xml", "walkthrough", "walkthrough-history", "gateway.toml"}
    assert set(TABLES) == {"services", "providers", "staff", "chain", "codes"}


def test_service_table_is_the_catalogue():
    rows = _rows("services")
    assert [r[0].strip("`") for r in rows] == list(cat.SERVICES)
    for r in rows:
        s = cat.SERVICES[r[0].strip("`")]
        assert (r[1], r[2].strip("`"), r[5]) == (s.seed, s.route_id, s.result_kind)
        assert _codes(r[3]) == list(s.channels) and _codes(r[4]) == list(s.providers)
        terms = service_terms(s)
        assert (r[6], r[7]) == (_by_term(terms, "allowed"), _by_term(terms, "extended"))


def _by_term(terms: list[dict], key: str) -> str:
    """``office, portal 9 wd 30 min; con 10 wd 30 min``: the channels that share a term."""
    groups: dict[str, list[str]] = {}
    for t in terms:
        if key in t:
            groups.setdefault(t[key], []).append(t["channel"])
    return "; ".join(f"{', '.join(ch)} {allowed}" for allowed, ch in groups.items()) or "—"


def test_provider_table_is_the_catalogue():
    expected = [[f"`{o.code}`", o.name_ru, f"`{o.bin}`", f"`{o.route_id}`", o.kind,
                 f"`{o.parent}`" if o.parent else "—"] for o in cat.PROVIDERS.values()]
    assert _rows("providers") == expected


def test_staff_table_is_the_staff():
    expected = [[f"`{m.login}`", m.role, f"`{m.provider}`", m.full_name, f"`{m.iin}`"] for m in STAFF.values()]
    assert _rows("staff") == expected
    assert f"**`{STAFF_PASSWORD}`**" in TEXT


def test_chain_table_is_the_chain():
    expected = [[f"`{s.action}`", s.role, ", ".join(s.from_states), s.to_state or "(unchanged)",
                 s.notifies or "—", s.source] for s in STEPS.values()]
    assert _rows("chain") == expected


def test_code_table_is_the_providers_codes():
    codes = {r[0].strip("`") for r in _rows("codes")}
    assert codes == {"SCSS001", *rshep_provider.ERROR_MESSAGES}


def test_gateway_wiring_covers_the_catalogue():
    config = parse_config(BLOCKS["gateway.toml"], source="docs/rshep.md")
    assert {r: config.routes[r].provider for r in cat.ROUTES} == {r: "builtin:rshep" for r in cat.ROUTES}
    for s in cat.SERVICES.values():
        service = config.services[s.code]
        assert service.provider == "builtin:rshep" and service.route_required
        assert service.allowed_senders == {CHANNEL_SENDERS[c] for c in s.channels if c in CHANNEL_SENDERS}
    for inbox in ("SIM_PORTAL_INBOX", "SIM_CON_INBOX"):
        assert config.services[inbox].allowed_senders == {"EGOV_SIM_RSHEP"}


def test_walkthrough_runs_as_written(live, rshep_pki, tmp_path):
    if not (shutil.which("bash") and shutil.which("curl") and shutil.which("jq")):
        pytest.skip("the walkthrough needs bash, curl and jq")
    (tmp_path / "rshep-request.xml").write_text(BLOCKS["rshep-request.xml"], encoding="utf-8")
    script = BLOCKS["walkthrough"].replace("http://127.0.0.1:8080", live.url)
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    assert re.fullmatch(r"inbox id: \d+", out[0])
    assert out[2].startswith('["REGISTERED","PVL-PAVLODAR-CITY-')
    assert out[3:8] == ["EXECUTOR_ASSIGNED", '["WRONG_STATE",["AWAITING_SIGNATURE"]]',
                        '["DOCUMENTS_MISSING",["APPLICATION","GUARDIAN_ID"]]', "AWAITING_SIGNATURE", "SIGNED"]
    assert out[8].startswith('["COMPLETED","J-PVL-PAVLODAR-CITY-')
    assert out[9:] == BLOCKS["walkthrough-history"].strip().splitlines()
    result = Verifier(TrustStore.from_pem(rshep_pki.trust_pem()), clock=live.clock).verify(
        (tmp_path / "result.xml").read_bytes())
    assert result.valid and result.signer.subject.iin == head_of("PVL_PAVLODAR_CITY").iin == "710214303016"
    assert live.inbox.statuses("CON-DOC-0001")[-1] == "RESULT"
