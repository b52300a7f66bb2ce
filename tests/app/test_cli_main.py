"""The console entry point: usage and input errors are one line on stderr with exit code 2."""

from __future__ import annotations

import pytest

from egov_sim.app.cli import main


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@pytest.mark.parametrize("argv,needle", [
    (["nosuch"], "No such command"),
    (["verify"], "Missing argument"),
    (["verify", "--revocation", "bogus", "x.xml"], "--revocation"),
])
def test_usage_errors_are_one_line(capsys, tmp_path, argv, needle):
    code, _, err = run(capsys, "--home", str(tmp_path), *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("egov-sim: error:") and needle in err
    assert "Traceback" not in err


def test_missing_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "--home", str(tmp_path), "verify", str(tmp_path / "absent.xml"))
    assert code == 2 and err.startswith("egov-sim: error:") and err.count("\n") == 1


def test_help_exits_zero(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "serve" in out and "verify" in out
