"""``egov-sim balkhash …`` through the real root command (one line and exit 2 on bad input)."""

from __future__ import annotations

import json

import pytest

from egov_sim.app.cli import main
from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.reference import personas as p


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    h = tmp_path / "home"
    return h


def run(home, capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(home), *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_the_registers_from_the_command_line(home, capsys):
    code, _, err = run(home, capsys, "balkhash", "unemployed")
    assert code == 2 and "person registry is empty" in err and err.count("\n") == 1
    assert run(home, capsys, "persons", "generate", "--count", "20")[0] == 0
    code, out, _ = run(home, capsys, "balkhash", "seed")
    assert code == 0 and "blh_mother_low" in out
    code, out, _ = run(home, capsys, "balkhash", "seed")
    assert code == 0 and "none (all present)" in out
    code, out, _ = run(home, capsys, "balkhash", "unemployed", "--on", "2013-02-04", "--json")
    assert {r["iin"] for r in json.loads(out)} == {p.BLH_UNEMPLOYED, p.BLH_FATHER_REGISTERED}
    code, out, _ = run(home, capsys, "balkhash", "register-unemployed", p.BLH_JOBSEEKER, "--on", "2013-02-01")
    assert code == 0 and out.startswith(f"registered {p.BLH_JOBSEEKER}: card BLH-KPU-2013-")
    code, out, _ = run(home, capsys, "balkhash", "assess", "3", p.BLH_JOBSEEKER, "--on", "2013-02-04")
    assert code == 0 and json.loads(out)["eligible"] is True
    code, out, _ = run(home, capsys, "balkhash", "assess", "2", p.BLH_SEMIPALATINSK_PAID, "--residence", "1950-1960")
    assert json.loads(out)["refusalGrounds"] == ["ALREADY_COMPENSATED"]
    code, out, _ = run(home, capsys, "balkhash", "income", p.BLH_MOTHER_LOW, "2012-12", "SALARY", "60000")
    assert code == 0 and "60000.00" in out
    code, out, _ = run(home, capsys, "balkhash", "household", p.BLH_MOTHER_LOW, "--on", "2013-02-04")
    assert json.loads(out)["perCapita"]["perCapitaIncome"] == "7500.00"  # (15000 + 15000 + 60000) / 3 / 4
    code, out, _ = run(home, capsys, "balkhash", "person", p.BLH_MOTHER_LOW, "--on", "2013-02-04")
    assert json.loads(out)["household"]["applicantIin"] == p.BLH_MOTHER_LOW
    code, out, _ = run(home, capsys, "balkhash", "seed", "--reset")
    assert code == 0
    code, out, _ = run(home, capsys, "balkhash", "household", p.BLH_MOTHER_LOW, "--on", "2013-02-04")
    assert json.loads(out)["perCapita"]["perCapitaIncome"] == "3750.00"
    code, out, _ = run(home, capsys, "balkhash", "thresholds", "--json")
    assert [y["year"] for y in json.loads(out)["years"]] == [2012, 2013, 2025, 2026]


@pytest.mark.parametrize("args, message", [
    (("assess", "16", p.BLH_JOBSEEKER), "no service 16 in seed 001"),
    (("assess", "3", p.BLH_JOBSEEKER, "--flag", "lucky"), "--flag 'lucky' is not a flag"),
    (("register-unemployed", p.BLH_JOBSEEKER, "--on", "2013-02-30"), "--on must be a date"),
    (("register-unemployed", "123456789012"), "iin:"),
    (("income", p.BLH_MOTHER_LOW, "2012-13", "SALARY", "1"), "month: must be a month"),
    (("deregister-unemployed", p.BLH_JOBSEEKER, "--reason", "x"), "is not registered as unemployed"),
    (("person", p.NOT_REGISTERED), "is not in ГБД ФЛ"),
])
def test_bad_input_is_one_line_and_exit_2(home, capsys, args, message):
    assert run(home, capsys, "persons", "generate", "--count", "20")[0] == 0
    code, _, err = run(home, capsys, "balkhash", *args)
    assert code == 2 and message in err and err.count("\n") == 1, err
