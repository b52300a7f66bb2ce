"""Seed 002 through the portal, end to end with a stand-in АРМ: process 1 → condition 1 →
process 3 → condition 2 → process 5 → (A1…A5 at the provider) → process 7: the signed decision
in the personal cabinet, downloadable and verifiable with ``egov-sim verify``."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from egov_sim.app.cli import main
from egov_sim.gateway.client import ShepClient, ShepFault
from egov_sim.gateway.providers import ProviderCall, ProviderFault
from egov_sim.gateway.request_info import RequestInfo
from egov_sim.reference import personas
from egov_sim.signing.verify import reroot
from egov_sim.wsdl.schemas import RSHEP_NS
from tests.support.portal import (
    GUARDIAN_OFFICE,
    GUARDIAN_SERVICE,
    SOCIAL_OFFICE,
    draft,
    guardian_draft,
    login,
    notification,
    result,
    sign,
    submit,
)


def _statuses(request: dict) -> list[str]:
    return [h["status"] for h in request["history"]]


@pytest.fixture(scope="module")
def accepted(harness):
    """The guardian's request, signed and accepted by ШЭП (status 'accepted')."""
    with harness.http() as client:
        auth = login(client, personas.GUARDIAN)
        d = draft(client, auth, guardian_draft())
        signed = sign(d["xml"].encode(), harness.cert(personas.GUARDIAN))
        r = submit(client, auth, signed)
        assert r.status_code == 201, r.text
        return auth, r.json(), signed


@pytest.fixture(scope="module")
def completed(harness, accepted):
    """The АРМ's notifications (A1, A2, C3, A4), then the signed decision (P7); the cabinet
    as it was in between and at the end. Each test gets the whole story (xdist-safe)."""
    auth, request, _ = accepted
    rid = request["requestId"]
    with harness.http() as client:
        for n in (notification(rid, "REGISTERED", number="PVL-2024-000314", due="2024-02-19"),
                  notification(rid, "EXECUTOR_ASSIGNED"), notification(rid, "UNDER_REVIEW"),
                  notification(rid, "AWAITING_SIGNATURE")):
            assert harness.send_as_rshep(n).status_code == "SCSS001"
        mid = client.get(f"/portal/requests/{rid}", headers=auth).json()
        no_result = client.get(f"/portal/requests/{rid}/result", headers=auth).json()
        signed_result = result(rid, signer=harness.provider_signer())
        assert harness.send_as_rshep(signed_result).status_code == "SCSS001"
        done = client.get(f"/portal/requests/{rid}", headers=auth).json()
    return auth, rid, mid, no_result, done


def test_the_request_reaches_the_arm_signed_by_the_applicant(harness, accepted):
    _, request, signed = accepted
    assert request["status"] == "accepted" and request["notice"]["code"] == "REQUEST_ACCEPTED"
    assert _statuses(request) == ["submitted", "sending", "accepted"]
    steps = [(h["event"], h["step"]) for h in request["history"]]
    assert steps == [("SUBMITTED", "P3"), ("EDS_CONFIRMED", "C2"), ("SENT", "P5")]
    assert request["signer"]["subject"]["iin"] == personas.GUARDIAN
    assert request["routeId"] == GUARDIAN_OFFICE.route_id

    # the very document the applicant signed, in ШЭП data, sent as the portal with the route
    call = next(c for c in harness.standin.calls
                if c.data[0].findtext("requestId") == request["requestId"])
    assert call.info.sender_id == "EGOV_SIM_PORTAL" and call.info.service_id == GUARDIAN_SERVICE
    assert call.route_id == "R_Pavlodar"
    payload = call.data[0]
    assert payload.tag == f"{{{RSHEP_NS}}}ServiceRequest"
    assert payload.findtext("channel") == "PORTAL" and payload.findtext("applicant/iin") == personas.GUARDIAN
    assert payload.findtext("provider/bin") == GUARDIAN_OFFICE.bin
    verdict = harness.portal.submissions.verifier.verify(reroot(payload), expect_iin=personas.GUARDIAN)
    assert verdict.valid, verdict.codes


def test_statuses_follow_the_arm_then_the_signed_decision_arrives(completed):
    _, _, mid, no_result, done = completed
    assert mid["status"] == "in_review" and mid["statusKk"] == "Қаралуда"
    assert mid["registration"]["number"] == "PVL-2024-000314" and mid["resultDueDate"] == "2024-02-19"
    assert mid["resultAvailable"] is False
    assert no_result["error"]["code"] == "NO_RESULT"

    assert done["status"] == "result_ready" and done["notice"]["code"] == "RESULT_READY"
    assert done["resultAvailable"] is True
    assert _statuses(done) == ["submitted", "sending", "accepted", "registered", "in_review",
                               "in_review", "in_review", "result_ready"]
    assert [h["step"] for h in done["history"]] == ["P3", "C2", "P5", "A1", "A2", "C3", "A4", "P7"]
    last = done["history"][-1]
    assert last["event"] == "RESULT" and last["check"] == "K13"
    assert last["detail"]["summary"]["decision"]["number"] == "D-2024-0101"
    assert last["detail"]["summary"]["signerBin"] == GUARDIAN_OFFICE.bin


def test_the_result_downloads_as_signed_xml_that_egov_sim_verify_accepts(harness, client, completed,
                                                                          tmp_path, capsys):
    auth, rid, *_ = completed
    r = client.get(f"/portal/requests/{rid}/result", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    assert f"result-{rid}.xml" in r.headers["content-disposition"]
    path = tmp_path / "result.xml"
    path.write_bytes(r.content)
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(harness.home), "verify", str(path), "--purpose", "sign"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0, out
    summary = client.get(f"/portal/requests/{rid}/result", headers={**auth, "Accept": "application/json"})
    assert summary.json()["outcome"] == "decision" and summary.json()["signer"]["subject"]["bin"] == GUARDIAN_OFFICE.bin

    # a second delivery of the same result changes nothing
    assert harness.send_as_rshep(result(rid, signer=harness.provider_signer())).status_code == "SCSS001"
    again = client.get(f"/portal/requests/{rid}", headers=auth).json()
    assert again["status"] == "result_ready" and again["history"][-1]["event"] == "RESULT_DUPLICATE"
    # and the status never goes back
    harness.send_as_rshep(notification(rid, "UNDER_REVIEW"))
    assert client.get(f"/portal/requests/{rid}", headers=auth).json()["status"] == "result_ready"


def test_the_provider_refusal_is_the_process_6_notice(harness, client):
    auth = login(client, personas.GUARDIAN)
    d = draft(client, auth, guardian_draft())
    r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.GUARDIAN)))
    rid = r.json()["requestId"]
    assert harness.send_as_rshep(result(rid, refusal=True, signer=harness.provider_signer())).status_code == "SCSS001"
    refused = client.get(f"/portal/requests/{rid}", headers=auth).json()
    assert refused["status"] == "refused" and refused["notice"]["code"] == "DOCUMENTS_REFUSED"
    assert refused["notice"]["step"] == "P6" and refused["resultAvailable"] is True
    assert refused["history"][-1]["reasonCode"] == "DOCUMENT_VIOLATIONS"
    assert client.get(f"/portal/requests/{rid}/result", headers=auth).status_code == 200


def test_a_result_without_the_providers_signature_is_refused_and_noted(harness, client):
    auth = login(client, personas.GUARDIAN)
    d = draft(client, auth, guardian_draft())
    rid = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.GUARDIAN))).json()["requestId"]
    with pytest.raises(ShepFault) as fault:
        harness.send_as_rshep(result(rid))  # unsigned
    assert fault.value.sub_code == "PORTAL_RESULT_NOT_SIGNED"
    # signed, but by a person, not by the provider's authorised person
    with pytest.raises(ShepFault):
        harness.send_as_rshep(result(rid, signer=_person(harness)))
    # signed by the head of another provider
    with pytest.raises(ShepFault):
        harness.send_as_rshep(result(rid, signer=harness.provider_signer(SOCIAL_OFFICE)))
    request = client.get(f"/portal/requests/{rid}", headers=auth).json()
    assert request["status"] == "accepted"
    rejected = [h for h in request["history"] if h["event"] == "RESULT_REJECTED"]
    assert [h["reasonCode"] for h in rejected] == ["NO_SIGNATURE", "NOT_AN_ORGANISATION",
                                                   "SIGNER_NOT_PROVIDER"]
    assert all(h["check"] == "K13" for h in rejected)
    with pytest.raises(ShepFault) as fault:
        harness.send_as_rshep(notification("PRT-1999-0000001", "REGISTERED", number="X"))
    assert fault.value.sub_code == "PORTAL_UNKNOWN_REQUEST"


def test_only_rshep_may_write_to_the_inbox(harness):
    """The gateway's allowed_senders keeps others out (SCE009); the inbox checks again."""
    async def as_portal():
        async with httpx.AsyncClient() as http:
            client = ShepClient(harness.url, "EGOV_SIM_PORTAL", "portal-secret", http=http)
            return await client.send("SIM_PORTAL_INBOX", notification("PRT-1999-0000001", "REGISTERED"))

    with pytest.raises(ShepFault) as fault:
        asyncio.run(as_portal())
    assert fault.value.code == "SCE009"
    call = ProviderCall(RequestInfo("m", "SIM_PORTAL_INBOX", "2024-01-01T00:00:00Z", "EGOV_SIM_IIS_CON"),
                        notification("PRT-1999-0000001", "REGISTERED"), "s")
    with pytest.raises(ProviderFault) as refused:
        asyncio.run(harness.portal.inbox_provider(call))
    assert refused.value.code == "PORTAL_FORBIDDEN_SENDER"


def _person(harness):
    cert = harness.cert(personas.PROVIDER_EXECUTOR)

    class Signer:
        key, certificate = cert.private_key, cert.certificate
    return Signer
