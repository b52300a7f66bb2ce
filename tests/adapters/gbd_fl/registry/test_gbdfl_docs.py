"""docs/gbd_fl.md stays true: the personas table, the CLI commands, the example import line."""

from __future__ import annotations

import json
import re

from egov_sim.adapters.gbd_fl.person_json import person_from_json
from egov_sim.adapters.gbd_fl.persons_cli import persons_app
from egov_sim.reference.personas import PERSONAS
from tests.support import ROOT

DOC = ROOT / "docs" / "gbd_fl.md"


def test_personas_table_matches_the_code():
    rows = re.findall(r"^\| `([a-z_]+)` \| `(\d{12})` \| ([^|]+) \|", DOC.read_text("utf-8"), re.M)
    assert {key: iin for key, iin, _ in rows} == {p.key: p.iin for p in PERSONAS.values()}
    for key, _, name in rows:
        assert name.strip() == PERSONAS[key].name


def test_every_cli_command_is_documented():
    text = DOC.read_text("utf-8")
    for command in persons_app.registered_commands:
        assert f"| `{command.name}" in text, command.name


def test_the_import_example_is_a_valid_record():
    line = next(x for x in DOC.read_text("utf-8").splitlines() if x.startswith('{"iin"'))
    person = person_from_json(json.loads(line))
    assert person.surname == "НОВИКОВ" and person.documents[0].end_date.isoformat() == "2035-05-04"
