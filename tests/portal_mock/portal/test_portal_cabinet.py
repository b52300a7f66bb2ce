"""The personal cabinet: a user sees only their own requests; a request ШЭП did not take is kept
("not_delivered", with the fault code) and can be sent again; a repeated submission is safe."""

from __future__ import annotations

import hashlib

import pytest

from egov_sim.gateway.fault_injection import FaultRule
from egov_sim.portal_mock.portal.requests_store import Event
from egov_sim.reference import personas
from tests.support.portal import GUARDIAN_SERVICE, draft, guardian_draft, login, result, sign, social_draft, submit


@pytest.fixture(scope="module")
def guardian_request(harness):
    with harness.http() as client:
        auth = login(client, personas.GUARDIAN)
        d = draft(client, auth, guardian_draft())
        r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.GUARDIAN)))
        assert r.status_code == 201
        harness.send_as_rshep(result(d["requestId"], signer=harness.provider_signer()))
        return auth, d["requestId"]


def test_another_users_request_is_404_everywhere(harness, client, guardian_request):
    _, rid = guardian_request
    other = login(client, personas.POA_AGENT_SCOPE_MISMATCH)  # a user with no requests
    for path in (f"/portal/requests/{rid}", f"/portal/requests/{rid}/result",
                 f"/portal/requests/{rid}/signed", f"/portal/requests/draft/{rid}"):
        r = client.get(path, headers=other)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", path
    assert client.post(f"/portal/requests/{rid}/resend", headers=other).status_code == 404
    assert client.get("/portal/requests", headers=other).json()["requests"] == []
    # nor can the other user submit a document under the guardian's draft number
    signed = client.get(f"/portal/requests/{rid}/signed", headers=guardian_request[0]).content
    assert submit(client, other, signed).status_code == 404


def test_the_cabinet_lists_the_users_requests(client, guardian_request):
    auth, rid = guardian_request
    listed = client.get("/portal/requests", headers=auth).json()["requests"]
    assert rid in [r["requestId"] for r in listed]
    assert all(r["serviceCode"] == GUARDIAN_SERVICE for r in listed) and "history" not in listed[0]


def test_submitting_the_same_document_again_is_safe(client, guardian_request):
    auth, rid = guardian_request
    signed = client.get(f"/portal/requests/{rid}/signed", headers=auth).content
    again = submit(client, auth, signed)
    assert again.status_code == 200 and again.json()["requestId"] == rid
    assert again.json()["status"] == "result_ready"
    r = submit(client, auth, signed.replace(b"SIM-123", b"SIM-124"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_SUBMITTED"


def test_a_shep_fault_leaves_the_request_not_delivered_until_resent(harness, client):
    auth = login(client, personas.NEEDY_APPLICANT)
    d = draft(client, auth, social_draft())
    rule = harness.gateway.injector.add(FaultRule(service_id=d["serviceCode"],
                                                  sender_id="EGOV_SIM_PORTAL", fault_code="SCE011",
                                                  times=1))
    try:
        r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.NEEDY_APPLICANT)))
    finally:
        harness.gateway.injector.remove(rule.id)
    assert r.status_code == 201
    request = r.json()
    assert request["status"] == "not_delivered" and request["notice"]["code"] == "NOT_DELIVERED"
    failed = request["history"][-1]
    assert (failed["event"], failed["step"], failed["reasonCode"]) == ("DELIVERY_FAILED", "P5", "SCE011")

    resent = client.post(f"/portal/requests/{d['requestId']}/resend", headers=auth)
    assert resent.status_code == 200 and resent.json()["status"] == "accepted"
    assert resent.json()["deliveryAttempts"] == 2
    again = client.post(f"/portal/requests/{d['requestId']}/resend", headers=auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "NOT_RESENDABLE"


def test_an_unreachable_route_is_kept_with_its_fault(harness, client):
    """A fault from behind ШЭП (here: the route's provider fails) is recorded, not lost."""
    auth = login(client, personas.GUARDIAN)
    d = draft(client, auth, guardian_draft())
    rule = harness.gateway.injector.add(FaultRule(service_id=GUARDIAN_SERVICE,
                                                  sender_id="EGOV_SIM_PORTAL", fault_code="SCE012"))
    try:
        r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.GUARDIAN)))
        assert r.json()["status"] == "not_delivered"
        r = client.post(f"/portal/requests/{d['requestId']}/resend", headers=auth)
        assert r.json()["status"] == "not_delivered" and r.json()["deliveryAttempts"] == 2
    finally:
        harness.gateway.injector.remove(rule.id)
    assert harness.portal.store.pending_delivery() == [d["requestId"]]


def test_a_request_whose_checks_were_cut_short_is_finished_on_resubmission(harness, client):
    """A crash after the commit and before the checks leaves 'submitted': the same document
    submitted again runs the checks and sends it."""
    auth = login(client, personas.GUARDIAN)
    d = draft(client, auth, guardian_draft())
    signed = sign(d["xml"].encode(), harness.cert(personas.GUARDIAN))
    store = harness.portal.store
    store.create(store.draft(d["requestId"]), "R_Pavlodar", signed, hashlib.sha256(signed).hexdigest(),
                 Event("SUBMITTED", "stored, then the process died", status="submitted", step="P3"))
    r = submit(client, auth, signed)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert [h["event"] for h in r.json()["history"]] == ["SUBMITTED", "EDS_CONFIRMED", "SENT"]
