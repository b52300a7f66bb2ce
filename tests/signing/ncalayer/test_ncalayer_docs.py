"""docs/ncalayer.md runs as written: the command starts the emulator, the Python example signs
through it (only the port changes), and the methods table is the protocol's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from egov_sim.core.testing import free_port
from egov_sim.signing.ncalayer.protocol import _COMMON
from tests.support import ROOT

DOC = ROOT / "docs" / "ncalayer.md"
BLOCK = re.compile(r"<!-- ncalayer-(?:example|table): ([\w.-]+) -->\n(?:```\w*\n(.*?)```|(\|.*?)\n\n)", re.S)


def blocks() -> dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


def test_the_methods_table_is_the_protocol():
    rows = [[c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            for line in blocks()["methods"].splitlines()[2:]]
    listed = {(r[0], r[1]) for r in rows}
    expected = ({("kz.gov.pki.knca.commonUtils", m) for m in _COMMON}
                | {("kz.gov.pki.knca.basics", "sign"), ("kz.egovsim.ncalayer", "useKey"),
                   ("kz.egovsim.ncalayer", "listKeys")})
    assert listed == expected


def test_start_and_python_examples_run_as_written(tmp_path):
    port = free_port()
    docs = blocks()
    command = docs["start"].strip().replace("13579", str(port))
    env = {**os.environ, "EGOV_SIM_HOME": str(tmp_path / "home"),
           "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    server = subprocess.Popen(["bash", "-c", f"exec {command}"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        script = docs["python"].replace("13579", str(port))
        deadline = time.monotonic() + 60
        while True:
            run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
            if run.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.3)
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        assert lines[0] == "{'result': {'version': '1.4'}}"
        assert lines[1].startswith('200 <?xml version="1.0" encoding="UTF-8" standalone="no"?><request><iin>')
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert f"ws://127.0.0.1:{port}" in err and "persona:guardian" in err and "ЖУМАБАЕВА АЙГЕРИМ" in err
