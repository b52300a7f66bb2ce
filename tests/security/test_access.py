"""Access: users see only their own data, a role cannot do another's step, and admin is closed
to the network by default (issue 16, the access class of the hostile suite).

IDOR: another person's portal request, another office's ЦОН application, another provider's
АРМ request and another user's draft are *not found* (404), never "forbidden", so their
existence does not leak. Role escalation: a clerk or an executor cannot do the head's step
(403 WRONG_ROLE), an operator cannot use an АРМ token. Admin: the journal, fault injection,
the stubs and the journal page answer a non-loopback client 403, and with a token configured
every client must show it.
"""

from __future__ import annotations

import httpx
import pytest

from egov_sim.core.asgi_transport import SyncASGITransport
from egov_sim.reference import personas
from tests.support.con import guardian_application
from tests.support.security import (
    bearer,
    issue,
    portal_token,
    sign_in,
    signed_guardian_request,
    whole_simulator,
)

OUTSIDER = ("203.0.113.7", 50000)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("access")) as sim:
        yield sim


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("access-token"),
                         config='[gateway]\nadmin_token = "s3cr3t-admin-token"\n') as sim:
        yield sim


@pytest.fixture(scope="module")
def submitted(sim):
    """The guardian's request, accepted and in the АРМ's inbox."""
    token = portal_token(sim)
    request_id, xml = signed_guardian_request(sim, token, issue(sim.pki, name="access-guardian"))
    r = sim.http.post("/portal/requests", content=xml, headers={**bearer(token), "Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    clerk = sign_in(sim, "arm", "pvl_pavlodar_city.clerk", "arm-secret")
    arm_id = next(x["id"] for x in sim.http.get("/arm/requests", headers=bearer(clerk)).json()["requests"]
                  if x["requestId"] == request_id)
    return request_id, arm_id


def test_another_persons_portal_request_is_not_found(sim, submitted):
    request_id, _ = submitted
    stranger = portal_token(sim, iin=personas.NEEDY_APPLICANT)
    for path in (f"/portal/requests/{request_id}", f"/portal/requests/{request_id}/signed",
                 f"/portal/requests/{request_id}/result", f"/portal/requests/draft/{request_id}"):
        r = sim.http.get(path, headers=bearer(stranger))
        assert r.status_code == 404, (path, r.text)
    r = sim.http.post(f"/portal/requests/{request_id}/resend", headers=bearer(stranger))
    assert r.status_code == 404
    listed = sim.http.get("/portal/requests", headers=bearer(stranger)).json()["requests"]
    assert request_id not in {x["requestId"] for x in listed}


def test_another_offices_con_application_is_not_found(sim):
    mine = sign_in(sim, "con", "pvl1.operator", "operator-secret")
    number = sim.http.post("/con/applications", json=guardian_application(), headers=bearer(mine)).json()["id"]
    other = sign_in(sim, "con", "blh.operator", "operator-secret")  # another ЦОН office
    for path in (f"/con/applications/{number}", f"/con/applications/{number}/package.xml"):
        assert sim.http.get(path, headers=bearer(other)).status_code == 404, path
    assert sim.http.post(f"/con/applications/{number}/send", headers=bearer(other), json={}).status_code == 404


def test_another_providers_arm_request_is_not_found_and_steps_are_by_role(sim, submitted):
    _, arm_id = submitted
    stranger = sign_in(sim, "arm", "alm_talgar_district.clerk", "arm-secret")
    assert sim.http.get(f"/arm/requests/{arm_id}", headers=bearer(stranger)).status_code == 404
    assert sim.http.post(f"/arm/requests/{arm_id}/register", json={}, headers=bearer(stranger)).status_code == 404
    executor = sign_in(sim, "arm", "pvl_pavlodar_city.executor", "arm-secret")
    r = sim.http.post(f"/arm/requests/{arm_id}/register", json={}, headers=bearer(executor))
    assert r.status_code == 403 and r.json()["error"]["code"] == "WRONG_ROLE"
    r = sim.http.post(f"/arm/requests/{arm_id}/sign", json={}, headers=bearer(executor))
    assert r.status_code == 403 and r.json()["error"]["requiredRole"] == "head"


def test_a_token_of_one_system_opens_no_other(sim):
    operator = sign_in(sim, "con", "pvl1.operator", "operator-secret")
    assert sim.http.get("/arm/requests", headers=bearer(operator)).status_code == 401
    assert sim.http.get("/balkhash/uo/cases", headers=bearer(operator)).status_code == 401
    assert sim.http.get("/portal/requests", headers=bearer(operator)).status_code == 401


@pytest.mark.parametrize("method, path", [
    ("GET", "/admin/journal"), ("GET", "/admin/journal/export"), ("DELETE", "/admin/journal"),
    ("GET", "/admin/faults"), ("POST", "/admin/faults"), ("GET", "/admin/stubs"), ("GET", "/admin/persons"),
    ("GET", "/overview/journal"),
])
def test_admin_is_closed_to_the_network(sim, method, path):
    with httpx.Client(transport=SyncASGITransport(sim.app, client=OUTSIDER), base_url="http://sim.test") as outsider:
        r = outsider.request(method, path, json={} if method == "POST" else None)
    assert r.status_code == 403, (path, r.status_code, r.text[:200])
    assert sim.http.get("/admin/journal").status_code == 200  # loopback still is the admin


def test_a_configured_admin_token_is_asked_of_everyone(guarded):
    assert guarded.http.get("/admin/journal").status_code == 401
    assert guarded.http.get("/admin/journal", headers=bearer("wrong")).status_code == 401
    assert guarded.http.get("/admin/journal", headers=bearer("s3cr3t-admin-token")).status_code == 200
    with httpx.Client(transport=SyncASGITransport(guarded.app, client=OUTSIDER), base_url="http://sim.test") as outsider:
        assert outsider.get("/admin/journal", headers=bearer("s3cr3t-admin-token")).status_code == 200
        assert outsider.get("/admin/faults").status_code == 401
