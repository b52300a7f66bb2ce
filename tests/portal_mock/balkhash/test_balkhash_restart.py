"""What the department and the ЦОН acknowledged survives a restart; a реестр that could not be
sent (ШЭП down) stays FAILED, then goes out after the restart."""

from __future__ import annotations

from egov_sim.core.testing import refused_port
from egov_sim.reference import personas as p
from tests.support.balkhash import S6_DOCUMENTS, live_balkhash


def test_cases_applications_registers_and_unsent_registries_survive_a_restart(tmp_path, balkhash_pki, clock):
    home = tmp_path / "home"
    with refused_port() as dead:
        with live_balkhash(home, balkhash_pki, clock, gateway_url=f"http://127.0.0.1:{dead}") as live:
            spec = live.uo("blh.benefits.specialist")
            case = spec.post("/cases", {"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "documents": S6_DOCUMENTS},
                             expect=201)
            live.uo("blh.head").post(f"/cases/{case['number']}/order_survey")
            live.uo("blh.employment.officer").post("/registers/unemployed", {"iin": p.BLH_JOBSEEKER,
                                                                             "registeredOn": "2013-02-01"}, expect=201)
            inspector, accumulation = live.con("blh.con.inspector"), live.con("blh.con.accumulation")
            app = inspector.post("/applications", {
                "service": 6, "documents": S6_DOCUMENTS,
                "applicant": {"iin": p.BLH_MOTHER_HIGH, "surname": "СЕМЕНОВА", "name": "ИРИНА"}}, expect=201)
            inspector.post(f"/applications/{app['number']}/handover")
            sent = accumulation.post("/transfers", {"applications": [app["number"]]}, expect=201)
            assert sent["transfer"]["status"] == "FAILED" and "unreachable" in sent["transfer"]["error"]
            registry = sent["transfer"]["number"]

    with live_balkhash(home, balkhash_pki, clock) as live:
        spec = live.uo("blh.benefits.specialist")
        again = spec.get(f"/cases/{case['number']}")
        assert again["nextStep"]["verb"] == "survey" and again["talon"] == case["talon"]
        assert [e["verb"] for e in spec.get(f"/cases/{case['number']}/history")["entries"]] == ["accept", "order_survey"]
        person = spec.get(f"/registers/persons/{p.BLH_JOBSEEKER}?on=2013-02-04")
        assert person["unemployed"]["inForce"]["registeredOn"] == "2013-02-01"
        accumulation = live.con("blh.con.accumulation")
        kept = accumulation.get(f"/applications/{app['number']}")
        assert kept["status"] == "SENT" and kept["receipt"] == app["receipt"]
        assert accumulation.get(f"/transfers/{registry}")["status"] == "FAILED"
        # Sent again (what 'egov-sim serve' also does for every unsent реестр after a start).
        result = accumulation.post(f"/transfers/{registry}/send")
        assert result["status"] == "SENT" and result["error"] is None
        incoming = spec.get("/transfers?direction=INCOMING")["transfers"]
        assert [t["number"] for t in incoming] == [registry]
        # A resend of the same реестр (its acknowledgement lost) is the same реестр for the УО.
        live.centre.centre.store.mark_transfer(registry, status="FAILED")
        assert accumulation.post(f"/transfers/{registry}/send")["status"] == "SENT"
        assert len(spec.get("/transfers?direction=INCOMING")["transfers"]) == 1
        # The persona data was installed once: the restart did not add a second household.
        assert len(spec.get(f"/registers/households?iin={p.BLH_MOTHER_LOW}")["households"]) == 1
