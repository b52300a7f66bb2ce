"""Seed 002 end to end with the real РШЭП and its АРМ: the guardian applies on the portal, the
provider's staff work through the chain A1…A5 in the АРМ (its /arm API), and the decision signed
by the head arrives in the personal cabinet, verifiable with ``egov-sim verify``."""

from __future__ import annotations

import httpx
import pytest

from egov_sim.app.cli import main
from egov_sim.reference import personas
from tests.support.portal import draft, guardian_draft, live_portal, login, sign, submit
from tests.support.rshep import arm_request

rshep = pytest.importorskip("gateway.rshep.assembly")
STAFF_PASSWORD = pytest.importorskip("gateway.rshep.staff").STAFF_PASSWORD


class Staff:
    def __init__(self, url: str, login_: str):
        r = httpx.post(f"{url}/arm/session", json={"login": login_, "password": STAFF_PASSWORD})
        assert r.status_code == 200, r.text
        self.url, self.auth = url, {"Authorization": f"Bearer {r.json()['token']}"}

    def act(self, inbox_id: int, action: str, body: dict | None = None) -> dict:
        r = httpx.post(f"{self.url}/arm/requests/{inbox_id}/{action}", json=body, headers=self.auth,
                       timeout=30)
        assert r.status_code == 200, r.text
        return r.json()


def test_guardian_allowance_ends_with_a_signed_decision_in_the_cabinet(tmp_path, capsys):
    with live_portal(tmp_path / "home", real_rshep=True) as h, h.http() as client:
        auth = login(client, personas.GUARDIAN)
        d = draft(client, auth, guardian_draft())
        rid = d["requestId"]
        r = submit(client, auth, sign(d["xml"].encode(), h.cert(personas.GUARDIAN)))
        assert r.status_code == 201 and r.json()["status"] == "accepted", r.text
        arm = arm_request(h.url, "pvl_pavlodar_city.clerk", rid)  # sent over the AsyncChannel
        assert arm["checks"]["signature"]["verdict"] == "valid"
        inbox_id = arm["id"]

        def status() -> dict:
            return client.get(f"/portal/requests/{rid}", headers=auth).json()

        clerk = Staff(h.url, "pvl_pavlodar_city.clerk")
        head = Staff(h.url, "pvl_pavlodar_city.head")
        executor = Staff(h.url, "pvl_pavlodar_city.executor")
        clerk.act(inbox_id, "register")                                            # A1
        assert status()["status"] == "registered" and status()["registration"]["number"]
        head.act(inbox_id, "assign", {"executor": "pvl_pavlodar_city.executor"})  # A2
        executor.act(inbox_id, "review")                                           # C3
        assert status()["status"] == "in_review"
        executor.act(inbox_id, "draft", {"documentsConform": True,                 # A3
                                         "decisionText": "Назначить пособие опекуну", "amount": 45000})
        head.act(inbox_id, "sign")                                                 # A4
        executor.act(inbox_id, "issue")                                            # A5 → P7

        done = status()
        assert done["status"] == "result_ready" and done["notice"]["code"] == "RESULT_READY"
        assert [e["event"] for e in done["history"]][:3] == ["SUBMITTED", "EDS_CONFIRMED", "SENT"]
        assert [e["step"] for e in done["history"]][-1] == "P7"
        summary = done["history"][-1]["detail"]["summary"]
        assert summary["decision"]["amount"] == "45000.00" and summary["signerBin"] == "010340000011"

        xml = client.get(f"/portal/requests/{rid}/result", headers=auth).content
        path = tmp_path / "result.xml"
        path.write_bytes(xml)
        with pytest.raises(SystemExit) as exit_:
            main(["--home", str(h.home), "verify", str(path)])
        assert exit_.value.code == 0, capsys.readouterr().out
