"""A bounded, deterministic fuzzing run of the gateway's SOAP request path (atheris, coverage
guided): a fixed seed, a fixed number of inputs, a corpus of the envelopes real clients send.

The target (tests/security/fuzz_soap_target.py) runs in a child process because libFuzzer ends
its process; a crash (any exception but the gateway's own refusals) fails the test with the
input and the traceback. atheris has no wheel for every Python: the test is skipped where it
cannot be imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from egov_sim.signing.pki import TestPKI
from egov_sim.signing.wsse import sign_wsse
from tests.support.shep import envelope, escaped_data, request_info, typed_data

pytest.importorskip("atheris", reason="atheris has no wheel for this Python")

RUNS = 4000
ROOT = Path(__file__).resolve().parents[2]


def _corpus(folder: Path, tmp_path: Path) -> None:
    folder.mkdir()
    pki = TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9")
    cert = pki.issue(iin="880314312347", surname="ТЕСТ", given_name="ФАЗЗ")
    seeds = [envelope(style) for style in ("jaxws", "cxf", "php", "go")]
    seeds += [envelope("jaxws", data=typed_data()), envelope("php", data=escaped_data()),
              envelope("cxf", info=request_info(route_id="R_Pavlodar", omit=("messageDate",))),
              sign_wsse(envelope("cxf"), cert.private_key, cert.certificate)]
    for i, seed in enumerate(seeds):
        # the first bytes feed the content type and the SOAPAction (see the target)
        (folder / f"seed-{i}").write_bytes(b"\x00\x00" + seed)


def test_the_soap_request_path_survives_a_fuzzing_run(tmp_path):
    corpus = tmp_path / "corpus"
    _corpus(corpus, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.fuzz_soap_target", f"-runs={RUNS}", "-seed=1",
         "-max_len=8192", "-timeout=20", "-rss_limit_mb=2048", str(corpus)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"})
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"Done {RUNS} runs" in result.stderr, result.stderr[-2000:]
