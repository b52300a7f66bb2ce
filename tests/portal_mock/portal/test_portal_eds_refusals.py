"""Condition 2 (002 §11.6): each way the recipient's EDS can fail to be confirmed ends in the
notice of process 4, with the failed check in the request's history; nothing goes to ШЭП."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.reference import personas
from tests.support.portal import draft, guardian_draft, login, sign, submit

NOW = dt.datetime.now(dt.UTC)


def _expired(h):
    return h.cert(personas.GUARDIAN, tag="expired", not_before=NOW - dt.timedelta(days=30),
                  not_after=NOW - dt.timedelta(days=1))


def _revoked(h, tag):
    cert = h.cert(personas.GUARDIAN, tag=tag)
    if h.pki.record(cert.serial).status != "revoked":
        h.pki.revoke(cert.serial, "keyCompromise")
    return cert


def _tampered(xml: bytes, h) -> bytes:
    signed = sign(xml, h.cert(personas.GUARDIAN))
    return signed.replace(b"KZ000000000000000001", b"KZ999999999999999999")


CASES = {
    # name: (base path, make signed document, check, reason)
    "expired": ("/portal", lambda xml, h: sign(xml, _expired(h)), "K08", "CERT_EXPIRED"),
    "revoked-crl": ("/portal", lambda xml, h: sign(xml, _revoked(h, "revoked-crl")), "K09", "CERT_REVOKED"),
    "revoked-ocsp": ("/portal-ocsp", lambda xml, h: sign(xml, _revoked(h, "revoked-ocsp")), "K09",
                     "CERT_REVOKED"),
    "foreign-iin": ("/portal", lambda xml, h: sign(xml, h.cert(personas.WARD_TEEN)), "K10", "IIN_MISMATCH"),
    "tampered": ("/portal", _tampered, "K17", "SIGNATURE_INVALID"),
    "unsigned": ("/portal", lambda xml, h: xml, "K17", "UNSIGNED"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_condition_2_refuses_with_the_process_4_notice(harness, client, case):
    base, make, check, reason = CASES[case]
    auth = login(client, personas.GUARDIAN, base=base)
    d = draft(client, auth, guardian_draft(), base=base)
    sent_before = len(harness.standin.calls)

    r = submit(client, auth, make(d["xml"].encode(), harness), base=base)

    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "EDS_NOT_CONFIRMED" and error["requestId"] == d["requestId"]
    assert (error["check"], error["reasonCode"], error["step"]) == (check, reason, "C2")
    notice = error["notice"]
    assert notice["step"] == "P4" and "ЭЦП" in notice["ru"] and "ЭЦҚ" in notice["kk"]
    # the refusal is in the personal cabinet, with its reason
    request = client.get(f"{base}/requests/{d['requestId']}", headers=auth).json()
    assert request["status"] == "refused" and request["notice"]["code"] == "EDS_NOT_CONFIRMED"
    last = request["history"][-1]
    assert (last["event"], last["check"], last["reasonCode"]) == ("REFUSED", check, reason)
    assert last["detail"]["failures"][0]["code"] in (reason, "DIGEST_MISMATCH", "NO_SIGNATURE")
    assert request["resultAvailable"] is False
    assert len(harness.standin.calls) == sent_before  # never sent (process 5 not reached)


def test_revocation_method_is_recorded(harness, client):
    """The OCSP portal asks OCSP, the default one the CRL: the signer's revocations say which."""
    for base, method in (("/portal", "CRL"), ("/portal-ocsp", "OCSP")):
        auth = login(client, personas.GUARDIAN, base=base)
        d = draft(client, auth, guardian_draft(), base=base)
        r = submit(client, auth, sign(d["xml"].encode(), harness.cert(personas.GUARDIAN)), base=base)
        assert r.status_code == 201, r.text
        assert [x["by"] for x in r.json()["signer"]["revocations"]] == [method]
