"""§10: the provider's progress and result come back through ШЭП to the ЦОН inbox
(``builtin:con_inbox``), and the operator issues the result (process 8). The АРМ is played by
the test, sending as EGOV_SIM_RSHEP through the live gateway."""

from __future__ import annotations

import pytest
from lxml import etree

from egov_sim.gateway.client import ShepFault
from egov_sim.reference.personas import NOT_REGISTERED, POA_AGENT, POA_PRINCIPAL
from tests.support.con import (
    PROVIDER_HEAD_IDENTITY,
    Desk,
    arm_send,
    guardian_application,
    notification,
    provider_head,
    service_result,
    steps,
)


@pytest.fixture(scope="module")
def head(con_pki):
    return provider_head(con_pki)


def test_the_decision_comes_back_and_is_issued(live, head):
    desk = Desk(live)
    app = desk.submit(guardian_application())
    correlation = app["shep"]["correlationId"]

    reply = arm_send(live, notification(app["id"]), correlation_id=correlation)
    assert reply.data.findtext("status") == "AT_PROVIDER" and reply.data.findtext("step") == "P6"
    for status in ("EXECUTOR_ASSIGNED", "UNDER_REVIEW", "AWAITING_SIGNATURE"):
        arm_send(live, notification(app["id"], status, due=None), correlation_id=correlation)
    seen = desk.get(app["id"])
    assert seen["status"] == "AT_PROVIDER" and seen["providerStatus"] == "AWAITING_SIGNATURE"
    assert seen["registration"]["number"] == "PVL-2025-000314" and seen["resultDueDate"] == "2025-01-20"
    assert desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "applicant"}).status_code == 409

    reply = arm_send(live, service_result(app["id"], signer=head), correlation_id=correlation)
    assert reply.data.findtext("status") == "RESULT_READY" and reply.data.findtext("step") == "A5"
    assert live.journal.count_calls("SIM_CON_INBOX", sender_id="EGOV_SIM_RSHEP") >= 5

    result = desk.call("GET", f"/applications/{app['id']}/result").json()
    assert result["outcome"] == "decision" and result["decision"]["number"] == "D-2025-0101"
    assert result["signature"]["valid"] is True
    assert result["signature"]["signerIin"] == PROVIDER_HEAD_IDENTITY.employee_iin
    signed = desk.call("GET", f"/applications/{app['id']}/result.xml")
    assert signed.headers["content-type"].startswith("application/xml")
    verified = live.verifier().verify(signed.content, layout="enveloped")
    assert verified.valid and verified.signer.iin == result["signature"]["signerIin"]
    document = desk.call("GET", f"/applications/{app['id']}/result/document")
    assert document.content == b"%PDF decision" and document.headers["content-type"] == "application/pdf"

    issued = desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "applicant"})
    assert issued.status_code == 200, issued.text
    issued = issued.json()
    assert issued["status"] == "ISSUED" and issued["issued"]["receiverIin"] == app["applicant"]["iin"]
    assert [s for s in steps(issued) if s[0] in ("P6", "A2", "C2", "A4", "A5", "P8")] == [
        ("P6", "PROVIDER_REGISTERED"), ("A2", "PROVIDER_EXECUTOR_ASSIGNED"), ("C2", "PROVIDER_UNDER_REVIEW"),
        ("A4", "PROVIDER_AWAITING_SIGNATURE"), ("A5", "RESULT_RECEIVED"), ("P8", "RESULT_ISSUED")]
    assert desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "applicant"}).status_code == 409

    # the same result again (a retry of the АРМ) is acknowledged; another one is refused
    arm_send(live, service_result(app["id"], signer=head), correlation_id=correlation)
    with pytest.raises(ShepFault) as err:
        arm_send(live, service_result(app["id"], refusal=True, signer=head))
    assert err.value.sub_code == "CON004"


def test_a_reasoned_refusal_is_issued_to_the_representative(live, head):
    desk = Desk(live)
    app = desk.submit(guardian_application(POA_PRINCIPAL, representative=(POA_AGENT, "SIM-POA-000001")))
    arm_send(live, service_result(app["id"], refusal=True, signer=head))
    ready = desk.get(app["id"])
    assert ready["status"] == "RESULT_READY" and ready["result"]["outcome"] == "refusal"
    assert ready["result"]["refusal"]["violations"][0]["documentTypeCode"] == "GUARDIANSHIP_DECISION"
    assert steps(ready)[-1] == ("P7", "RESULT_RECEIVED")
    assert desk.call("GET", f"/applications/{app['id']}/result/document").status_code == 404
    issued = desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "representative"}).json()
    assert issued["status"] == "ISSUED" and issued["issued"]["receiverIin"] == POA_AGENT
    assert "мотивированный ответ об отказе" in issued["history"][-1]["message"]


def test_the_inbox_refuses_what_it_cannot_take(live, head):
    desk = Desk(live)
    app = desk.submit(guardian_application())

    with pytest.raises(ShepFault) as err:  # K13: an unsigned result
        arm_send(live, service_result(app["id"], signer=None))
    assert err.value.sub_code == "CON003"
    assert steps(desk.get(app["id"]))[-1] == ("P8", "RESULT_REJECTED")
    assert desk.get(app["id"])["status"] == "SENT"

    with pytest.raises(ShepFault) as err:
        arm_send(live, notification("CON-1999-0000001"))
    assert err.value.sub_code == "CON002"

    with pytest.raises(ShepFault) as err:
        arm_send(live, etree.fromstring("<data><requestId>x</requestId></data>"))
    assert err.value.sub_code == "CON001"

    with pytest.raises(ShepFault) as err:  # ШЭП itself lets only РШЭП post to the inbox
        arm_send(live, notification(app["id"]), sender=("EGOV_SIM_PORTAL", "portal-secret"))
    assert err.value.code == "SCE009"

    ended = desk.submit(guardian_application(NOT_REGISTERED))
    with pytest.raises(ShepFault) as err:
        arm_send(live, service_result(ended["id"], signer=head))
    assert err.value.sub_code == "CON004"
    r = desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "representative"})
    assert r.status_code == 409
