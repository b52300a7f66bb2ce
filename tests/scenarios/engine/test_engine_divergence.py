"""A condition whose answer is not the expected one stops the play with a readable diff: where,
what the systems answered, the expected path against the taken one."""

from __future__ import annotations

import dataclasses
import textwrap

from egov_sim.scenarios.loader import load_all
from egov_sim.scenarios.reports.derive import divergence_node, failure_kind


def test_a_wrong_expected_branch_diverges_with_a_diff(scenario, play):
    s, flow = scenario("con-decision-before-kurban-ait")
    wrong = dataclasses.replace(s, expect=dataclasses.replace(
        s.expect, path=("X1", "C0:yes", "P1", "P2", "P3", "C1:yes", "P5", "X3", "P6", "A2", "C2:no", "P7", "A4",
                        "A5", "X4", "P8"),
        outcome="refusal"))
    result = play(wrong, flow)
    assert not result.passed and failure_kind(result) == "failure"
    assert divergence_node(result) == "C2"
    c2 = result.steps[-1]
    assert (c2.node_id, c2.status, c2.branch, c2.expected_branch) == ("C2", "diverged", True, False)
    assert result.path[-1] == "C2:yes" and result.deadline is None
    lines = result.failure.splitlines()
    assert lines[0].startswith("scenario con-decision-before-kurban-ait diverged at C2 (")
    assert lines[1].startswith("the systems answered: the documents conform")
    assert lines[2:5] == ["--- expected path (the scenario)", "+++ taken path (the systems)", "@@ C2 @@"]
    assert "- C2:no" in lines and "- P7" in lines and "+ C2:yes" in lines
    assert "  A2" in lines  # context before the divergence


def test_a_wrong_branch_in_a_scenario_file_diverges(tmp_path, play):
    """Through the loader: the representative's expired power of attorney, expected to pass."""
    path = tmp_path / "wrong.yaml"
    path.write_text(textwrap.dedent("""\
        flow: 002-con
        scenarios:
          - id: poa-expired-expected-to-pass
            title: "Expects condition 1 to pass with an expired power of attorney"
            personas: {applicant: poa_principal, representative: poa_agent_expired, operator: con_operator}
            start: "2025-06-02T10:00:00+05:00"
            expect:
              path: [X1, "C0:yes", P1, P2, P3, "C1:yes", P5, X3, P6, A2, "C2:yes", A3, A4, A5, X4, P8]
              outcome: decision
        """), encoding="utf-8")
    flows, scenarios = load_all([path])
    result = play(scenarios[0], flows["002-con"])
    assert divergence_node(result) == "C1"
    assert "ЕНИС ENIS003: not confirmed" in result.failure
    assert "- C1:yes" in result.failure and "+ C1:no" in result.failure


def test_outcome_and_signer_are_checked_on_the_signed_document(scenario, play):
    s, flow = scenario("office-refusal-signed-by-head")
    wrong = dataclasses.replace(s, expect=dataclasses.replace(s.expect, signed_by="provider_executor"))
    result = play(wrong, flow)
    assert result.path == result.expected_path and not result.passed
    assert divergence_node(result) is None
    assert "signed_by: expected provider_executor" in result.failure
    assert "710214303016" in result.failure  # the head's IIN, read from the certificate


def test_a_missing_message_is_reported(scenario, play):
    s, flow = scenario("portal-auth-refused")
    from egov_sim.scenarios.model import ExpectedMessage

    wrong = dataclasses.replace(s, expect=dataclasses.replace(
        s.expect, messages=(ExpectedMessage("SIM_GUARDIAN_ALLOWANCE_PAVLODAR", 1),)))
    result = play(wrong, flow)
    assert not result.passed
    assert "messages: expected 1 × SIM_GUARDIAN_ALLOWANCE_PAVLODAR, found 0" in result.failure
