"""Revocation is checked wherever a signature is verified (issue 16, defect 1).

A certificate revoked with the real ``egov-sim pki revoke`` (a child process on the simulator's
home) is refused at once by every verifier of a running simulator: the gateway answers SCE005
under ``if-present`` and ``required`` (CRL and OCSP alike), the АРМ records the request's
signature as invalid (CERT_REVOKED), the ЦОН refuses a registry answer signed with a revoked
key, the portal refuses the request (K09), and the NCALayer emulator no longer signs with the
key. A source that cannot answer fails closed unless the policy says ``accept``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest

from egov_sim.core.errors import InputError
from egov_sim.gateway.journal import JournalFilter
from egov_sim.reference import personas
from egov_sim.reference.iin import make_bin, make_iin
from egov_sim.signing.ncalayer.assembly import build_ncalayer
from egov_sim.signing.ncalayer.keystore import NoKey, Wanted
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.revocation import RevocationChecker, RevocationPolicy
from tests.support import rshep as arm
from tests.support.rshep import TEST_MONDAY
from tests.support.security import (
    bearer,
    egov_sim_cli,
    error_code,
    issue,
    portal_token,
    sign_in,
    signed_envelope,
    signed_guardian_request,
    whole_simulator,
)

TEST_CLIENT = ("EGOV_SIM_TEST_CLIENT", "test-secret")      # wsse if-present
SIGNED_CLIENT = ("EGOV_SIM_SIGNED_CLIENT", "signed-secret")  # wsse required
BEFORE_NOW = (TEST_MONDAY - dt.timedelta(days=1)).isoformat()


def revoke(home, name: str) -> None:
    result = egov_sim_cli(home, "pki", "revoke", name, "--at", BEFORE_NOW)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("revocation")) as sim:
        yield sim


@pytest.fixture(scope="module")
def ocsp_sim(tmp_path_factory):
    with whole_simulator(tmp_path_factory.mktemp("revocation-ocsp"),
                         config='[gateway]\nrevocation = ["OCSP"]\n') as sim:
        yield sim


def _verdict(sim, message_id: str):
    (entry,) = sim.journal.list(JournalFilter(message_id=message_id))
    return entry.request_signature, sim.journal.get(entry.id).signature_details


@pytest.mark.parametrize("which", ["sim", "ocsp_sim"], ids=["CRL", "OCSP"])
def test_the_gateway_refuses_a_revoked_transport_certificate_under_both_policies(request, which):
    sim = request.getfixturevalue(which)
    name = f"transport-{which}"
    cert = issue(sim.pki, name=name)
    for sender in (TEST_CLIENT, SIGNED_CLIENT):
        assert sim.shep(signed_envelope(cert, sender=sender)).status_code == 200
    revoke(sim.home, name)
    for sender in (TEST_CLIENT, SIGNED_CLIENT):
        message_id = str(uuid.uuid4())
        reply = sim.shep(signed_envelope(cert, sender=sender, message_id=message_id))
        assert reply.status_code == 500 and error_code(reply) == "SCE005", reply.text[:600]
        verdict, details = _verdict(sim, message_id)
        assert verdict == "not-current" and details["codes"] == ["CERT_REVOKED"]
    # and a certificate nobody revoked still passes, on the same server
    assert sim.shep(signed_envelope(issue(sim.pki, name=f"{name}-good"), sender=SIGNED_CLIENT)).status_code == 200


def test_a_trusted_ca_whose_crl_cannot_be_had_fails_closed_or_open_as_configured(tmp_path_factory):
    """A client's own CA (``[gateway] trust``) without a CRL file: its distribution point does not
    answer, so by default the signature is refused (SCE006, REVOCATION_UNAVAILABLE); with
    ``revocation_unavailable = "accept"`` it passes and the journal says why."""
    foreign = TestPKI.init(tmp_path_factory.mktemp("foreign-pki"), base_url="http://127.0.0.1:9")
    cert = foreign.issue(iin=personas.GUARDIAN, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ",
                         not_before=TEST_MONDAY - dt.timedelta(days=1), not_after=TEST_MONDAY + dt.timedelta(days=9))
    for policy, status in (("fail", 500), ("accept", 200)):
        home = tmp_path_factory.mktemp(f"foreign-{policy}")
        (home / "client-ca.pem").write_bytes(foreign.trust_pem())
        config = f'[gateway]\ntrust = ["client-ca.pem"]\nrevocation_unavailable = "{policy}"\n'
        with whole_simulator(home, config=config) as sim:
            message_id = str(uuid.uuid4())
            reply = sim.shep(signed_envelope(cert, sender=SIGNED_CLIENT, message_id=message_id))
            assert reply.status_code == status, reply.text[:600]
            verdict, details = _verdict(sim, message_id)
            if policy == "fail":
                assert error_code(reply) == "SCE006" and details["codes"] == ["REVOCATION_UNAVAILABLE"]
            else:
                assert verdict == "valid" and "cannot fetch" in details["revocationUnavailable"]


def test_the_arm_records_a_revoked_signature_as_invalid(sim):
    """РШЭП files the request (the seeds describe no refusal there) but records the verdict."""
    operator_iin = arm.CON_OPERATOR
    cert = sim.pki.issue(iin=operator_iin, surname="АБДРАХМАНОВА", given_name="МАДИНА", bin=make_bin(2016, 3, 21),
                         organization='НАО "Государственная корпорация" (SIM)', name="con-operator-revoked",
                         not_before=TEST_MONDAY - dt.timedelta(days=30), not_after=TEST_MONDAY + dt.timedelta(days=30))
    revoke(sim.home, "con-operator-revoked")
    signer = type("Signer", (), {"key": cert.private_key, "certificate": cert.certificate})
    request_id = f"CON-REVOKED-{uuid.uuid4().hex[:8]}"
    reply = arm.send(sim, arm.signed(arm.service_request(request_id), signer),
                     sender=("EGOV_SIM_IIS_CON", "con-secret"))
    assert reply.status_code == "SCSS001"
    staff = sign_in(sim, "arm", "pvl_pavlodar_city.clerk", "arm-secret")
    listed = sim.http.get("/arm/requests", headers=bearer(staff)).json()
    found = next(r for r in listed["requests"] if r["requestId"] == request_id)
    detail = sim.http.get(f"/arm/requests/{found['id']}", headers=bearer(staff)).json()
    signature = detail["checks"]["signature"]
    assert signature["verdict"] == "invalid" and "CERT_REVOKED" in signature["codes"]


def test_the_portal_refuses_a_request_signed_with_a_revoked_key(sim):
    cert = issue(sim.pki, iin=personas.GUARDIAN, name="portal-revoked")
    revoke(sim.home, "portal-revoked")
    token = portal_token(sim)
    _, signed = signed_guardian_request(sim, token, cert)
    reply = sim.http.post("/portal/requests", content=signed,
                          headers={**bearer(token), "Content-Type": "application/xml"})
    assert reply.status_code == 422 and reply.json()["error"]["check"] == "K09", reply.text


def test_the_ncalayer_emulator_does_not_sign_with_a_revoked_key(tmp_path):
    pki = TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9", clock=lambda: TEST_MONDAY)
    emulator = build_ncalayer(pki, personas=["guardian"], clock=lambda: TEST_MONDAY)
    sign_key = emulator.keys.pick(Wanted(usage="SIGN"))
    pki.revoke(sign_key.certificate.serial_number, "keyCompromise", at=TEST_MONDAY - dt.timedelta(hours=1))
    with pytest.raises(NoKey, match="revoked"):
        emulator.keys.pick(Wanted(usage="SIGN"))
    assert emulator.keys.pick(Wanted(usage="AUTH")).info.key_usage == "AUTH"  # the other key still signs


def test_the_con_refuses_a_registry_answer_signed_with_a_revoked_key(tmp_path):
    """ГБД ФЛ's own certificate revoked: its answers no longer count (condition 1 not met)."""
    with whole_simulator(tmp_path / "home") as sim:
        revoke(sim.home, "gbdfl-registry")
        from tests.support.con import guardian_application

        token = sign_in(sim, "con", "pvl1.operator", "operator-secret")
        reply = sim.http.post("/con/applications", json=guardian_application(), headers=bearer(token))
        assert reply.status_code == 201, reply.text
        application = reply.json()
        assert application["status"] == "DATA_UNAVAILABLE"
        checks = {c["registry"]: c for c in application["registryChecks"]}
        assert checks["GBDFL"]["reason"] == "SIGNATURE_INVALID"
        assert "CERT_REVOKED" in checks["GBDFL"]["signature"]["codes"]


def test_the_policy_is_checked_when_it_is_made():
    with pytest.raises(InputError):
        RevocationPolicy(("CRL", "LDAP"))
    with pytest.raises(InputError):
        RevocationPolicy(unavailable="maybe")
    assert RevocationPolicy(("crl", "ocsp")).methods == ("CRL", "OCSP")


def test_a_silent_ocsp_responder_fails_closed_and_the_accept_policy_lets_it_pass(tmp_path):
    """OCSP for a certificate whose responder is not reachable (a foreign CA): unavailable."""
    foreign = TestPKI.init(tmp_path / "pki", base_url="http://127.0.0.1:9", clock=lambda: TEST_MONDAY)
    cert = foreign.issue(iin=make_iin(dt.date(1980, 1, 1), "M", 7), surname="А", given_name="Б")
    with RevocationChecker(methods=("OCSP",)) as closed:
        with pytest.raises(InputError) as err:
            closed.check(cert.certificate, foreign.ca)
        assert err.value.code == "REVOCATION_UNAVAILABLE"
    with RevocationChecker(methods=("OCSP",), unavailable="accept") as open_:
        (answer,) = open_.check(cert.certificate, foreign.ca)
        assert not answer.revoked and "OCSP responder" in answer.unavailable


def test_the_local_pki_is_asked_directly_whatever_its_certificates_say(tmp_path):
    """A certificate of the simulator's own PKI is checked against that PKI even when the
    addresses written in it point elsewhere (a changed --public-url)."""
    pki = TestPKI.init(tmp_path / "pki", base_url="http://192.0.2.1:1", clock=lambda: TEST_MONDAY)
    cert = pki.issue(iin=make_iin(dt.date(1980, 1, 1), "F", 8), surname="А", given_name="Б")
    for methods in (("CRL",), ("OCSP",)):
        with RevocationChecker(methods=methods, local_pki=pki, clock=lambda: TEST_MONDAY) as checker:
            assert not checker.check(cert.certificate, pki.ca)[0].revoked
    pki.revoke(cert.serial, at=TEST_MONDAY - dt.timedelta(minutes=1))
    for methods in (("CRL",), ("OCSP",)):
        with RevocationChecker(methods=methods, local_pki=pki, clock=lambda: TEST_MONDAY) as checker:
            assert checker.check(cert.certificate, pki.ca)[0].revoked


def test_eight_concurrent_checks_see_one_revocation(sim):
    """The cache is shared by the event loop's threads: concurrent requests agree."""
    cert = issue(sim.pki, name="concurrent-revoked")
    revoke(sim.home, "concurrent-revoked")

    async def go():
        import httpx

        async with httpx.AsyncClient(base_url=sim.url, timeout=60) as http:
            replies = await asyncio.gather(*(http.post(
                "/bip-sync-wss-gost/", content=signed_envelope(cert, sender=SIGNED_CLIENT),
                headers={"Content-Type": "text/xml"}) for _ in range(8)))
        return [error_code(r) for r in replies]

    assert asyncio.run(go()) == ["SCE005"] * 8
