"""Every accept is idempotent under concurrency; the login throttle cannot be raced; a staff
certificate is issued once however many workers ask for it (issue 16, defects 3-5).

Each test fires its copies at once (threads against a real server on loopback, or processes
against one PKI directory) and then counts what the systems did: ШЭП messages in the journal,
history entries, applications, cases, hash checks.
"""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from egov_sim.core.claims import Claims, IdempotencyConflict
from egov_sim.core.database import Database, sqlite_url
from egov_sim.gateway.journal import JournalFilter
from egov_sim.reference import personas
from egov_sim.reference import personas as p
from egov_sim.reference.iin import make_bin, make_iin
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import ServiceIdentity, service_signer
from tests.support.balkhash import S6_DOCUMENTS
from tests.support.con import guardian_application
from tests.support.security import (
    bearer,
    issue,
    portal_token,
    sign_in,
    signed_guardian_request,
    whole_simulator,
)
from tests.support.web import Browserless

COPIES = 8


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("concurrency")) as sim:
        yield sim


def at_once(count: int, call):
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: call(), range(count)))


def test_eight_concurrent_posts_of_one_signed_document_send_one_message(sim):
    token = portal_token(sim)
    request_id, signed = signed_guardian_request(sim, token, issue(sim.pki, name="eight-posts"))
    headers = {**bearer(token), "Content-Type": "application/xml"}
    with httpx.Client(base_url=sim.url, timeout=90) as http:
        replies = at_once(COPIES, lambda: http.post("/portal/requests", content=signed, headers=headers))
    assert sorted(r.status_code for r in replies) == [200] * (COPIES - 1) + [201], [r.text for r in replies]
    assert {r.json()["requestId"] for r in replies} == {request_id}
    assert {r.json()["status"] for r in replies} == {"accepted"}
    assert sim.journal.count(JournalFilter(sender_id="EGOV_SIM_PORTAL", text=request_id)) == 1
    history = [h["event"] for h in sim.http.get(f"/portal/requests/{request_id}", headers=bearer(token)).json()["history"]]
    assert history.count("SUBMITTED") == 1 and history.count("EDS_CONFIRMED") == 1 and history.count("SENT") == 1


def test_the_con_form_with_one_idempotency_key_makes_one_application(sim):
    token = sign_in(sim, "con", "pvl1.operator", "operator-secret")
    key = str(uuid.uuid4())
    body = guardian_application()
    headers = {**bearer(token), "Idempotency-Key": key}
    before = sim.http.get("/con/applications", headers=bearer(token)).json()["total"]
    with httpx.Client(base_url=sim.url, timeout=90) as http:
        replies = at_once(COPIES, lambda: http.post("/con/applications", json=body, headers=headers))
    assert {r.status_code for r in replies} == {201}, [r.text for r in replies]
    assert len({r.json()["id"] for r in replies}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in replies) == COPIES - 1
    assert sim.http.get("/con/applications", headers=bearer(token)).json()["total"] == before + 1
    # the same key with another entry is a mistake, said as such
    other = sim.http.post("/con/applications", json=guardian_application(documents=("APPLICATION",)),
                          headers=headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_the_con_desk_form_posted_twice_makes_one_application(sim):
    desk = Browserless(sim.url)
    try:
        desk.post("/web/con/login", {"login": "pvl1.operator", "password": "operator-secret"})
        form = desk.get("/web/con/new?service=SIM_GUARDIAN_ALLOWANCE_PAVLODAR").text
        import re

        key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', form).group(1)
        token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', form).group(1)
        fields = {"csrf_token": token, "idempotency_key": key, "service": "SIM_GUARDIAN_ALLOWANCE_PAVLODAR",
                  "provider": "PVL_PAVLODAR_CITY", "applicant_iin": personas.GUARDIAN,
                  **{f"form-{k}": v for k, v in guardian_application()["form"].items()},
                  **{f"present-{d}": "on" for d in ("APPLICATION", "GUARDIAN_ID", "GUARDIANSHIP_DECISION",
                                                    "CHILD_BIRTH_CERTIFICATE", "PARENTS_STATUS", "BANK_ACCOUNT")}}
        files = {"unused": ("", b"", "application/octet-stream")}
        landed = at_once(2, lambda: desk.http.post("/web/con/new", data=fields, files=files).url.path)
        assert landed[0] == landed[1] and landed[0].startswith("/web/con/applications/"), landed
    finally:
        desk.close()


def test_the_arm_takes_one_register_and_one_intake_per_key(sim):
    clerk = sign_in(sim, "arm", "pvl_pavlodar_city.clerk", "arm-secret")
    body = {"serviceCode": "SIM_GUARDIAN_ALLOWANCE_PAVLODAR",
            "applicant": {"iin": personas.GUARDIAN, "surname": "ЖУМАБАЕВА", "name": "АЙГЕРИМ"},
            "documents": ["APPLICATION"]}
    headers = {**bearer(clerk), "Idempotency-Key": str(uuid.uuid4())}
    with httpx.Client(base_url=sim.url, timeout=60) as http:
        replies = at_once(COPIES, lambda: http.post("/arm/requests", json=body, headers=headers))
    assert {r.status_code for r in replies} == {201}, [r.text for r in replies]
    assert len({r.json()["request"]["id"] for r in replies}) == 1
    # a request that came through ШЭП, registered by eight clicks at once: one registration
    token = portal_token(sim)
    request_id, signed = signed_guardian_request(sim, token, issue(sim.pki, name="arm-register"))
    assert sim.http.post("/portal/requests", content=signed, headers={**bearer(token), "Content-Type": "application/xml"}
                         ).status_code == 201
    listed = sim.http.get("/arm/requests", headers=bearer(clerk)).json()["requests"]
    arm_id = next(r["id"] for r in listed if r["requestId"] == request_id)
    with httpx.Client(base_url=sim.url, timeout=60) as http:
        codes = sorted(r.status_code for r in at_once(COPIES, lambda: http.post(
            f"/arm/requests/{arm_id}/register", json={}, headers=bearer(clerk))))
    assert codes == [200] + [409] * (COPIES - 1)
    history = sim.http.get(f"/arm/requests/{arm_id}/history", headers=bearer(clerk)).json()
    entries = history["entries"] if isinstance(history, dict) else history
    assert [e["action"] for e in entries].count("register") == 1
    outbox = sim.http.get(f"/arm/requests/{arm_id}/outbox", headers=bearer(clerk)).json()
    messages = outbox["messages"] if isinstance(outbox, dict) else outbox
    assert sum(1 for m in messages if m.get("status") == "REGISTERED") == 1


@pytest.mark.parametrize("api, login, password, path, body", [
    ("balkhash_uo", "blh.benefits.specialist", "uo-secret", "/balkhash/uo/cases",
     {"service": 6, "applicant": {"iin": p.BLH_MOTHER_LOW}, "documents": S6_DOCUMENTS}),
    ("balkhash_con", "blh.con.inspector", "con2012-secret", "/balkhash/con/applications",
     {"service": 6, "documents": S6_DOCUMENTS, "applicant": {"iin": p.BLH_MOTHER_HIGH, "surname": "X", "name": "Y"}}),
], ids=["department-case", "con-2012-application"])
def test_balkhash_accepts_once_per_key(sim, api, login, password, path, body):
    token = sign_in(sim, api, login, password)
    headers = {**bearer(token), "Idempotency-Key": str(uuid.uuid4())}
    with httpx.Client(base_url=sim.url, timeout=60) as http:
        replies = at_once(COPIES, lambda: http.post(path, json=body, headers=headers))
    assert len({r.status_code for r in replies}) == 1, [r.text for r in replies]
    assert len({r.content for r in replies}) == 1  # the same answer, byte for byte
    assert replies[0].status_code in (201, 422), replies[0].text  # (a refusal is replayed as well)


def test_forty_parallel_wrong_passwords_check_the_hash_at_most_five_times(sim):
    login = {"login": "pvl2.operator", "password": "not-the-password"}
    with httpx.Client(base_url=sim.url, timeout=60) as http:
        codes = at_once(40, lambda: http.post("/con/session", json=login).status_code)
    assert codes.count(401) <= 5 and codes.count(401) + codes.count(429) == 40, codes
    right = sim.http.post("/con/session", json={"login": "pvl2.operator", "password": "operator-secret"})
    assert right.status_code == 429  # still locked out: the window has not passed


def _issue_staff_certificate(directory: str, barrier) -> int:
    pki = TestPKI.open(Path(directory))
    who = ServiceIdentity(name="arm-head-race", organization="ГУ (SIM)", bin=make_bin(2001, 3, 77),
                          employee_iin=make_iin(__import__("datetime").date(1971, 2, 14), "M", 953),
                          surname="САДЫКОВ", given_name="КАЙРАТ")
    barrier.wait()
    return service_signer(pki, who).certificate.serial_number


def test_two_workers_issuing_one_staff_certificate_share_it(tmp_path):
    """As the АРМ head's first signature under serve --workers 2: both get the winner's."""
    TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9")
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(4)
    with context.Pool(4) as pool:
        serials = pool.starmap(_issue_staff_certificate, [(str(tmp_path / "pki"), barrier)] * 4)
    assert len(set(serials)) == 1
    assert [r.name for r in TestPKI.open(tmp_path / "pki").certificates()].count("arm-head-race") == 1


def test_a_claim_of_a_dead_holder_is_taken_over(tmp_path):
    """A worker killed mid-work does not block the work: its claim is taken over at once on its
    host (its process is gone), elsewhere when the lease runs out."""
    import asyncio

    with Database.open(sqlite_url(tmp_path / "claims.db")) as db:
        claims = Claims(db)
        db.execute("INSERT INTO work_claims (scope, claim_key, holder, fingerprint, result, lease_until, created_at)"
                   " VALUES ('t', 'dead', ?, NULL, NULL, ?, 0)", (f"{claims._host}|999999999|x", claims.now() + 600))
        db.execute("INSERT INTO work_claims (scope, claim_key, holder, fingerprint, result, lease_until, created_at)"
                   " VALUES ('t', 'expired', 'another-host|1|x', NULL, NULL, ?, 0)", (claims.now() - 1,))

        async def run():
            async def work():
                return "done"
            return [await claims.once("t", key, work) for key in ("dead", "expired")]

        assert asyncio.run(run()) == [("done", False), ("done", False)]

        async def again():
            async def other():
                return "other"
            return await claims.once("t", "dead", other, fingerprint="x")

        assert asyncio.run(again()) == ("done", True)  # replayed, not run again

        async def conflict():
            async def work():
                return "x"
            await claims.once("t", "k", work, fingerprint="one")
            await claims.once("t", "k", work, fingerprint="two")

        with pytest.raises(IdempotencyConflict):
            asyncio.run(conflict())
