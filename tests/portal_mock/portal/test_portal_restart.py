"""Requests, their history and results live in the database: a restarted portal shows them all,
and a request ШЭП never acknowledged is sent again by the start-up hook."""

from __future__ import annotations

import asyncio

import httpx

from egov_sim.gateway.fault_injection import FaultRule
from egov_sim.portal_mock.portal import PortalSettings, build_portal
from egov_sim.reference import personas
from tests.support.portal import (
    FAST_HASHER,
    GUARDIAN_SERVICE,
    draft,
    guardian_draft,
    live_portal,
    login,
    result,
    sign,
    submit,
)


def test_a_restart_keeps_every_request(tmp_path):
    home = tmp_path / "home"
    with live_portal(home) as first, first.http() as client:
        auth = login(client, personas.GUARDIAN)
        d = draft(client, auth, guardian_draft())
        signed = sign(d["xml"].encode(), first.cert(personas.GUARDIAN))
        assert submit(client, auth, signed).status_code == 201
        first.send_as_rshep(result(d["requestId"], signer=first.provider_signer()))
        done = client.get(f"/portal/requests/{d['requestId']}", headers=auth).json()
        result_xml = client.get(f"/portal/requests/{d['requestId']}/result", headers=auth).content

        d2 = draft(client, auth, guardian_draft())
        rule = first.gateway.injector.add(FaultRule(service_id=GUARDIAN_SERVICE,
                                                    sender_id="EGOV_SIM_PORTAL", fault_code="SCE011"))
        r = submit(client, auth, sign(d2["xml"].encode(), first.cert(personas.GUARDIAN)))
        assert r.json()["status"] == "not_delivered"
        first.gateway.injector.remove(rule.id)
        pki = first.pki

    with live_portal(home, pki=pki) as second, second.http() as client:
        # the session survives too (it is in the database and has not expired)
        assert client.get("/portal/me", headers=auth).status_code == 200
        auth = login(client, personas.GUARDIAN)
        again = client.get(f"/portal/requests/{d['requestId']}", headers=auth).json()
        assert again == done
        assert client.get(f"/portal/requests/{d['requestId']}/result", headers=auth).content == result_xml
        assert client.get(f"/portal/requests/{d2['requestId']}", headers=auth).json()["status"] == "not_delivered"

        async def startup_hook():
            async with httpx.AsyncClient() as http:
                portal = build_portal(second.db, second.pki, gateway_url=second.url, http=http,
                                      settings=PortalSettings(hasher=FAST_HASHER))
                return await portal.redeliver_pending()

        delivered = asyncio.run(startup_hook())
        assert [(r.request_id, r.status) for r in delivered] == [(d2["requestId"], "accepted")]
        history = client.get(f"/portal/requests/{d2['requestId']}", headers=auth).json()["history"]
        assert [h["event"] for h in history][-2:] == ["DELIVERY_FAILED", "SENT"]
