"""The provider's internal chain (002 App.1 A1..A5) by the three roles, with times recorded;
the head's signature on the result verifies, and the result reaches the origin through ШЭП."""

from __future__ import annotations

from egov_sim.core.working_time import PROVIDER_HOURS, WorkingTime, parse_duration
from egov_sim.gateway.rshep.staff import head_of
from egov_sim.reference.terms import procedure_for
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier, reroot
from egov_sim.wsdl.schemas import payload_validator
from tests.support.rshep import Staff, send, service_request


def test_decision_chain_end_to_end(live, rshep_pki):
    arrived = live.clock()
    reply = send(live, service_request("CON-CHAIN-1"))
    rid = int(reply.data.findtext("inboxId"))
    clerk = Staff(live, "pvl_pavlodar_city.clerk")
    head = Staff(live, "pvl_pavlodar_city.head")
    executor = Staff(live, "pvl_pavlodar_city.executor")
    journal = live.gateway.journal
    before = journal.count_calls("SIM_CON_INBOX")

    live.clock.advance(minutes=20)
    done = clerk.act(rid, "register")
    req = done["request"]
    assert req["state"] == "REGISTERED" and req["registrationNumber"].startswith("PVL-PAVLODAR-CITY-")
    # the term model's date, counted from the package's arrival: the transfer from the ЦОН
    # (App.4, within 1 wd) and App.1's 9 wd 30 min, on the provider's working time
    expected = procedure_for("SIM_GUARDIAN_ALLOWANCE_PAVLODAR").result_due("con", arrived)
    assert expected.term.id == "at_provider"
    assert req["dueAt"] == expected.due.isoformat() and req["dueDate"] == expected.date.isoformat()
    assert expected.due == WorkingTime(PROVIDER_HOURS).add(arrived, parse_duration("10 wd 30 min"))
    assert [d["state"] for d in done["deliveries"]] == ["sent"]

    live.clock.advance(hours=3)
    assert head.act(rid, "assign", {"executor": "pvl_pavlodar_city.executor"})["request"]["executor"] \
        == "pvl_pavlodar_city.executor"
    live.clock.advance(days=1)
    executor.act(rid, "review")
    live.clock.advance(days=3)
    drafted = executor.act(rid, "draft", {"documentsConform": True, "decisionText": "Назначить пособие",
                                          "amount": 45000})
    assert drafted["request"]["state"] == "AWAITING_SIGNATURE"
    live.clock.advance(hours=5)
    signed = head.act(rid, "sign")["request"]
    assert signed["state"] == "SIGNED" and signed["signedBy"] == "pvl_pavlodar_city.head"
    live.clock.advance(hours=2)
    issued = executor.act(rid, "issue")
    assert issued["request"]["state"] == "COMPLETED"
    assert issued["deliveries"][-1]["kind"] == "RESPONSE" and issued["deliveries"][-1]["state"] == "sent"

    # every step with its actor and time
    history = executor.call("GET", f"/requests/{rid}/history").json()["entries"]
    assert [(e["action"], e["actor"]) for e in history] == [
        ("receive", "РШЭП"), ("register", "pvl_pavlodar_city.clerk"), ("assign", "pvl_pavlodar_city.head"),
        ("review", "pvl_pavlodar_city.executor"), ("draft", "pvl_pavlodar_city.executor"),
        ("sign", "pvl_pavlodar_city.head"), ("issue", "pvl_pavlodar_city.executor")]
    assert [e["elapsedSeconds"] for e in history[1:]] == [1200, 3 * 3600, 86400, 3 * 86400, 5 * 3600, 7200]
    assert history[1]["norm"] == "30 min" and history[4]["norm"] == "<= 6 wd"

    # the origin got REGISTERED .. the result, through ШЭП, in order
    assert live.inbox.statuses("CON-CHAIN-1") == ["REGISTERED", "EXECUTOR_ASSIGNED", "UNDER_REVIEW",
                                                   "AWAITING_SIGNATURE", "RESULT"]
    assert journal.count_calls("SIM_CON_INBOX", sender_id="EGOV_SIM_RSHEP") - before == 5
    delivered = live.inbox.calls[-1]
    assert delivered.info.sender_id == "EGOV_SIM_RSHEP"
    assert delivered.info.correlation_id == reply.request_message_id

    # K13: the result is signed by the head's legal-entity certificate and matches the contract
    data = delivered.data
    assert payload_validator("rshep-response").validate(data)
    result = Verifier(TrustStore.from_pem(rshep_pki.trust_pem()), clock=live.clock).verify(reroot(data))
    assert result.valid, result.codes
    assert result.signer.subject.iin == head_of("PVL_PAVLODAR_CITY").iin
    assert data.findtext("outcome/decision/amount") == "45000.00"
    assert data.findtext("journal/number") == issued["request"]["journalNumber"]
    assert data.findtext("registration/number") == req["registrationNumber"]
    fetched = executor.call("GET", f"/requests/{rid}/result")
    assert fetched.headers["content-type"].startswith("application/xml") and b"ds:Signature" in fetched.content


def test_portal_request_result_goes_to_the_portal_inbox(live):
    from tests.support.rshep import PORTAL

    reply = send(live, service_request("PORTAL-CHAIN-1", channel="PORTAL", operator=None), sender=PORTAL)
    rid = int(reply.data.findtext("inboxId"))
    Staff(live, "pvl_pavlodar_city.clerk").act(rid, "register")
    Staff(live, "pvl_pavlodar_city.head").act(rid, "assign", {"executor": "pvl_pavlodar_city.executor2"})
    ex = Staff(live, "pvl_pavlodar_city.executor2")
    ex.act(rid, "draft", {"documentsConform": True})
    Staff(live, "pvl_pavlodar_city.head").act(rid, "sign")
    ex.act(rid, "issue")
    portal = [c for c in live.inbox.calls if c.info.service_id == "SIM_PORTAL_INBOX"
              and c.data.findtext("requestId") == "PORTAL-CHAIN-1"]
    assert [c.data.findtext("status") or "RESULT" for c in portal] == [
        "REGISTERED", "EXECUTOR_ASSIGNED", "AWAITING_SIGNATURE", "RESULT"]
