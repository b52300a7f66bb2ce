"""node-soap's WSSecurityCert layout: reproduced byte for byte, and verified.

``tests/support/nodesoap/signed-request.xml`` was written by node-soap itself (its README says
how); the Python reproduction must produce the very same bytes, so any message it signs is a
message node-soap would send.
"""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from tests.support.nodesoap import HERE, VECTOR_TIME, node_soap_sign, reproduce_vector, vector


@pytest.fixture(scope="module")
def nodesoap_trust() -> TrustStore:
    return TrustStore.from_pem((HERE / "ca-chain.pem").read_bytes())


def test_reproduction_is_byte_for_byte_node_soaps_output():
    assert reproduce_vector() == vector()[1]


@pytest.mark.parametrize("engine", ["strict", "signxml"])
def test_node_soap_vector_verifies(nodesoap_trust, engine):
    result = Verifier(nodesoap_trust, engine=engine,
                      clock=lambda: VECTOR_TIME + dt.timedelta(minutes=1)).verify(vector()[1].encode())
    assert result.valid, result.all_failures
    assert result.signer.subject.iin == "880314312347"
    assert len(result.signatures) == 1


def test_node_soap_timestamp_expires_after_ten_minutes(nodesoap_trust):
    late = VECTOR_TIME + dt.timedelta(minutes=10) + dt.timedelta(minutes=5, seconds=1)
    result = Verifier(nodesoap_trust, clock=lambda: late).verify(vector()[1].encode())
    assert result.codes == ("TIMESTAMP_EXPIRED",)


def test_tampered_node_soap_body_fails(nodesoap_trust):
    forged = vector()[1].replace("880314312347</iin>", "880314312348</iin>")
    result = Verifier(nodesoap_trust, clock=lambda: VECTOR_TIME).verify(forged.encode())
    assert result.codes == ("DIGEST_MISMATCH",)


def test_other_messages_in_the_node_soap_layout_verify(nodesoap_trust):
    request = vector()[0].replace("SIM_ECHO", "GBDFL_UniversalServiceSync")
    signed = node_soap_sign(request, (HERE / "client-key.pem").read_bytes(),
                            (HERE / "client-cert.pem").read_bytes(),
                            now=VECTOR_TIME + dt.timedelta(hours=1), x509_id="x509-abc")
    assert Verifier(nodesoap_trust, clock=lambda: VECTOR_TIME + dt.timedelta(hours=1)).verify(
        signed.encode()).valid
