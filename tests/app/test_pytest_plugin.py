"""The pytest plugin as an integrator uses it: docs/pytest.md's example runs in a separate pytest."""

from __future__ import annotations

import re

from tests.support import ROOT

pytest_plugins = ["pytester"]

DOCS = ROOT / "docs" / "pytest.md"

CERTIFICATE_TEST = '''

def test_certificates_for_personas(egov_sim_certificate, egov_sim_personas):
    cert = egov_sim_certificate("guardian", state="revoked")
    assert egov_sim_personas["guardian"].iin in cert.certificate.subject.rfc4514_string()
'''


def test_plugin_fixtures_work_in_an_integrators_suite(pytester):
    example = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    pytester.makepyfile(test_integrator=example + CERTIFICATE_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3)
