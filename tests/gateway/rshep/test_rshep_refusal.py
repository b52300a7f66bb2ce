"""K06 false: a reasoned refusal, through the head's signature (refusal_via_head, the default)
or signed by the executor alone (refusal_via_head=False); and seed 000's term extension."""

from __future__ import annotations

import pytest

from egov_sim.gateway.rshep.staff import STAFF
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier, reroot
from tests.support.rshep import Clock, Staff, live_rshep, next_monday_morning, send, service_request

REFUSAL = {"documentsConform": False, "reasonText": "Копия решения об опеке не читается",
           "violations": [{"documentTypeCode": "GUARDIANSHIP_DECISION", "description": "не читается"}]}


def _to_executor(live, request_id: str) -> int:
    rid = int(send(live, service_request(request_id)).data.findtext("inboxId"))
    Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
    Staff(live, "pvl_pavlodar_city.head").act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})
    return rid


def _signer_iin(live, pki, data) -> str:
    result = Verifier(TrustStore.from_pem(pki.trust_pem()), clock=live.clock).verify(reroot(data))
    assert result.valid, result.codes
    return result.signer.subject.iin


def test_refusal_passes_through_the_head_by_default(live, rshep_pki):
    rid = _to_executor(live, "CON-REF-1")
    executor = Staff(live, "pvl_pavlodar_city.executor")
    assert executor.act(rid, "draft", REFUSAL)["request"]["state"] == "AWAITING_SIGNATURE"
    Staff(live, "pvl_pavlodar_city.head").act(rid, "sign")
    executor.act(rid, "issue")
    result = live.inbox.calls[-1].data
    assert result.findtext("outcome/refusal/reasonCode") == "DOCUMENT_VIOLATIONS"
    assert result.findtext("outcome/refusal/violations/violation/documentTypeCode") == "GUARDIANSHIP_DECISION"
    assert _signer_iin(live, rshep_pki, result) == STAFF["pvl_pavlodar_city.head"].iin


def test_decision_needs_conforming_documents(live):
    rid = _to_executor(live, "CON-REF-2")
    r = Staff(live, "pvl_pavlodar_city.executor").call("POST", f"/requests/{rid}/draft",
                                                        {"documentsConform": False})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reasonText"


@pytest.fixture(scope="module")
def live_without_head(tmp_path_factory, rshep_pki):
    clock = Clock(next_monday_morning())
    with live_rshep(tmp_path_factory.mktemp("no-head"), rshep_pki, clock, refusal_via_head=False) as stack:
        yield stack


def test_refusal_without_the_head(live_without_head, rshep_pki):
    live = live_without_head
    rid = _to_executor(live, "CON-REF-3")
    executor = Staff(live, "pvl_pavlodar_city.executor")
    drafted = executor.act(rid, "draft", REFUSAL)["request"]
    assert drafted["state"] == "SIGNED" and drafted["signedBy"] == "pvl_pavlodar_city.executor"
    assert "sign" not in drafted["nextActions"]
    r = Staff(live, "pvl_pavlodar_city.head").call("POST", f"/requests/{rid}/sign")
    assert r.status_code == 409
    executor.act(rid, "issue")
    history = [e["action"] for e in executor.call("GET", f"/requests/{rid}/history").json()["entries"]]
    assert history == ["receive", "register", "assign", "draft", "issue"]
    result = live.inbox.calls[-1].data
    assert _signer_iin(live, rshep_pki, result) == STAFF["pvl_pavlodar_city.executor"].iin
    assert live.inbox.statuses("CON-REF-3") == ["REGISTERED", "EXECUTOR_ASSIGNED", "RESULT"]


def test_decisions_still_go_to_the_head_without_refusal_via_head(live_without_head):
    live = live_without_head
    rid = _to_executor(live, "CON-REF-4")
    assert Staff(live, "pvl_pavlodar_city.executor").act(
        rid, "draft", {"documentsConform": True})["request"]["state"] == "AWAITING_SIGNATURE"
