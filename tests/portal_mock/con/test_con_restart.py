"""Applications, their history, notices and packages live in the embedded database: a restart
of the simulator (a new process on the same home) keeps them, and the operator carries on."""

from __future__ import annotations

from egov_sim.reference.personas import NOT_REGISTERED
from tests.support.con import (
    Clock,
    Desk,
    arm_send,
    guardian_application,
    live_con,
    next_monday_morning,
    provider_head,
    service_result,
)


def test_a_restart_keeps_applications_and_their_state(tmp_path, con_pki):
    clock = Clock(next_monday_morning())
    home = tmp_path / "home"
    with live_con(home, con_pki, clock) as first:
        desk = Desk(first)
        sent = desk.submit(guardian_application())
        refused = desk.submit(guardian_application(documents=("APPLICATION",)))
        no_data = desk.submit(guardian_application(NOT_REGISTERED))
        before = {a["id"]: desk.get(a["id"]) for a in (sent, refused, no_data)}
        package = desk.call("GET", f"/applications/{sent['id']}/package").content

    with live_con(home, con_pki, clock) as second:  # a new process: new objects, same database
        desk = Desk(second)
        for number, old in before.items():
            new = desk.get(number)
            assert (new["status"], new["history"], new["notices"]) == \
                   (old["status"], old["history"], old["notices"])
        assert desk.call("GET", f"/applications/{sent['id']}/package").content == package
        # the application sent before the restart still receives its result and is issued
        arm_send(second, service_result(sent["id"], signer=provider_head(con_pki)))
        r = desk.call("POST", f"/applications/{sent['id']}/issue", {"receivedBy": "applicant"})
        assert r.status_code == 200 and r.json()["status"] == "ISSUED"
        # numbering continues
        assert desk.submit(guardian_application())["id"] > max(before)
