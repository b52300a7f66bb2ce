"""docs/async.md runs as written: its config starts a gateway, its zeep conversation prints what
the page says, its curl call answers with the four fields; its tables match the code."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess

from egov_sim.gateway.config import AsyncSettings
from egov_sim.gateway.errors import KINDS
from tests.support import ROOT
from tests.support.shep import live_gateway

DOC = (ROOT / "docs" / "async.md").read_text(encoding="utf-8")
BLOCKS = {m["name"]: m["body"] for m in re.finditer(
    r"<!-- async-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", DOC, re.S)}


def test_the_examples_run_as_written(tmp_path, async_pki):
    with live_gateway(tmp_path / "home", async_pki, config=BLOCKS["gateway.toml"]) as live:
        code = BLOCKS["zeep"].replace("http://127.0.0.1:8080", live.url)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "docs/async.md", "exec"), {})
        assert out.getvalue() == BLOCKS["zeep-output"]

        (tmp_path / "send.xml").write_text(BLOCKS["send.xml"], encoding="utf-8")
        run = subprocess.run(["bash", "-c", "set -euo pipefail\n" + BLOCKS["curl"].replace(
            "http://127.0.0.1:8080", live.url)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout == "['correlationId', 'messageId', 'responseDate', 'sessionId']\n"

        before = live.app.state.gateway.queue.count(sender_id="MY_IS")
        run = subprocess.run(["bash", "-c", "set -euo pipefail\n" + BLOCKS["repeat"].replace(
            "http://127.0.0.1:8080", live.url)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "1" and live.app.state.gateway.queue.count(sender_id="MY_IS") == before + 1


def test_defaults_table_is_the_code():
    d = AsyncSettings()
    row = next(line for line in DOC.splitlines() if "`retry_backoff`, `retry_max`" in line)
    assert row.rstrip(" |").endswith(", ".join(f"{v:g}" for v in (
        d.retry_backoff, d.retry_max, d.lease, d.expiry, d.push_timeout, d.poll_interval)))
    assert f"| {d.batch_size}, {d.max_attempts} |" in DOC
    for code in ("SCE020", "SCE021", "SCE022"):
        assert f"| `{code}` |" in DOC and code in KINDS
