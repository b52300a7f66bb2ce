"""002, State Corporation channel, end to end with the real РШЭП and its АРМ (egov_sim.gateway.rshep):
the operator accepts, ГБД ФЛ and ЕНИС answer through ШЭП, the signed package reaches the
provider's АРМ, its staff play A1..A5 (or P7), the progress and the result come back to the ЦОН
inbox through ШЭП, and the operator issues the result (P8)."""

from __future__ import annotations

import httpx
import pytest

from egov_sim.gateway.rshep.staff import STAFF_PASSWORD, head_of
from egov_sim.reference.personas import CON_OPERATOR, GUARDIAN, POA_AGENT, POA_PRINCIPAL
from tests.support.con import ENIS, GBDFL, Clock, Desk, guardian_application, live_con, next_monday_morning, steps
from tests.support.rshep import arm_request


@pytest.fixture(scope="module")
def stack(tmp_path_factory, con_pki):
    clock = Clock(next_monday_morning())
    with live_con(tmp_path_factory.mktemp("con-e2e"), con_pki, clock, real_rshep=True) as live:
        yield live


class Staff:
    def __init__(self, live, login: str):
        self.live, self.login = live, login

    def act(self, rid: int, action: str, body=None) -> dict:
        token = httpx.post(f"{self.live.url}/arm/session",
                           json={"login": self.login, "password": STAFF_PASSWORD}).json()["token"]
        r = httpx.post(f"{self.live.url}/arm/requests/{rid}/{action}", json=body, timeout=30,
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        return r.json()


def _inbox_id(live, app: dict) -> int:
    """The АРМ's id of the package (sent over the AsyncChannel: found in the office's inbox)."""
    return arm_request(live.url, "pvl_pavlodar_city.clerk", app["id"])["id"]


def test_decision_with_a_representative_end_to_end(stack):
    live, clock = stack, stack.clock
    desk = Desk(live)
    inbox_calls = live.journal.count_calls("SIM_CON_INBOX", sender_id="EGOV_SIM_RSHEP")
    app = desk.submit(guardian_application(POA_PRINCIPAL, representative=(POA_AGENT, "SIM-POA-000001")))
    assert app["status"] == "SENT", app
    assert live.journal.count_calls(GBDFL, iin=POA_PRINCIPAL) == 1
    assert live.journal.count_calls(ENIS, iin=POA_AGENT) == 1
    sent = next(h for h in app["history"] if h["event"] == "PACKAGE_SENT")["detail"]
    assert sent["status"] == "SCSS001"  # delivered to РШЭП over the AsyncChannel
    rid = _inbox_id(live, app)
    assert arm_request(live.url, "pvl_pavlodar_city.clerk", app["id"])["checks"]["signature"]["verdict"] == "valid"  # K05

    clerk, head = Staff(live, "pvl_pavlodar_city.clerk"), Staff(live, "pvl_pavlodar_city.head")
    executor = Staff(live, "pvl_pavlodar_city.executor")
    clock.advance(minutes=20)
    clerk.act(rid, "register")
    registered = desk.get(app["id"])
    assert registered["status"] == "AT_PROVIDER" and registered["providerStatus"] == "REGISTERED"
    assert registered["registration"]["number"].startswith("PVL-PAVLODAR-CITY-")
    assert registered["resultDueDate"]
    clock.advance(hours=3)
    head.act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})
    clock.advance(days=1)
    executor.act(rid, "review")
    clock.advance(days=3)
    executor.act(rid, "draft", {"documentsConform": True, "decisionText": "Назначить пособие",
                                "amount": 45000})
    clock.advance(hours=5)
    head.act(rid, "sign")
    clock.advance(hours=2)
    executor.act(rid, "issue")
    assert live.journal.count_calls("SIM_CON_INBOX", sender_id="EGOV_SIM_RSHEP") - inbox_calls == 5

    ready = desk.get(app["id"])  # the operator's session of Monday has expired: Desk signs in again
    assert ready["status"] == "RESULT_READY" and ready["result"]["outcome"] == "decision"
    assert ready["result"]["decision"]["amount"] == "45000.00"
    assert ready["result"]["signature"]["valid"] is True
    assert ready["result"]["signature"]["signerIin"] == head_of("PVL_PAVLODAR_CITY").iin  # K13
    # the AsyncChannel conversation: РШЭП's RESPONSE carries the REQUEST's correlationId
    assert ready["result"]["delivery"]["correlationId"] == app["shep"]["correlationId"]
    signed = desk.call("GET", f"/applications/{app['id']}/result.xml").content
    assert live.verifier().verify(signed, layout="enveloped").valid

    issued = desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "representative"}).json()
    assert issued["status"] == "ISSUED" and issued["issued"]["receiverIin"] == POA_AGENT
    assert [s for s, _ in steps(issued)] == ["X1", "C0", "P1", "P2", "P3", "P3", "C1", "P5", "P5",
                                             "P6", "A2", "C2", "A4", "A5", "P8"]


def test_reasoned_refusal_end_to_end(stack):
    live = stack
    desk = Desk(live)
    app = desk.submit(guardian_application(GUARDIAN))
    rid = _inbox_id(live, app)
    clerk, head = Staff(live, "pvl_pavlodar_city.clerk"), Staff(live, "pvl_pavlodar_city.head")
    executor = Staff(live, "pvl_pavlodar_city.executor")
    clerk.act(rid, "register")
    head.act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})
    executor.act(rid, "review")
    executor.act(rid, "draft", {"documentsConform": False, "reasonText": "Копия решения не читается",
                                "violations": [{"documentTypeCode": "GUARDIANSHIP_DECISION",
                                                "description": "Копия решения не читается"}]})
    head.act(rid, "sign")
    executor.act(rid, "issue")
    ready = desk.get(app["id"])
    assert ready["status"] == "RESULT_READY" and ready["result"]["outcome"] == "refusal"
    assert steps(ready)[-1] == ("P7", "RESULT_RECEIVED")
    issued = desk.call("POST", f"/applications/{app['id']}/issue", {"receivedBy": "applicant"}).json()
    assert issued["status"] == "ISSUED"
    assert live.verifier().verify(desk.call("GET", f"/applications/{app['id']}/package").content,
                                  expect_iin=CON_OPERATOR).valid
