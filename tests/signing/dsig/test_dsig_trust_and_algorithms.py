"""The trust store (chain building, caching, validity, key usage) and the algorithm registry."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from egov_sim.core.errors import InputError
from egov_sim.signing import algorithms as alg
from egov_sim.signing.trust import TrustStore, key_usage_problem, validity_problems


def test_store_sorts_roots_intermediates_and_others(pki, signer):
    store = TrustStore.from_pem(pki.trust_pem() + signer.cert_pem)
    assert store.anchors == [pki.root] and store.intermediates == [pki.ca] and store.others == [signer.cert]


def test_chain_is_built_to_the_root_and_cached(trust, pki, signer):
    result = trust.chain(signer.cert)
    assert result.trusted and result.chain == (signer.cert, pki.ca, pki.root)
    assert result.issuer == pki.ca
    assert trust.chain(signer.cert) is result


def test_root_only_store_cannot_build_the_chain(pki, signer):
    store = TrustStore.from_pem(pki.root.public_bytes(Encoding.PEM))
    result = store.chain(signer.cert)
    assert not result.trusted and "not in the trust store" in result.problem


def test_intermediate_alone_is_not_an_anchor(pki, signer):
    store = TrustStore.from_pem(pki.ca.public_bytes(Encoding.PEM))
    assert not store.chain(signer.cert).trusted


def test_validity_checked_for_every_certificate_of_the_chain(trust, signer, pki):
    chain = trust.chain(signer.cert).chain
    assert validity_problems(chain, dt.datetime.now(dt.UTC)) == []
    far = pki.root.not_valid_after_utc + dt.timedelta(days=1)
    codes = [p.code for p in validity_problems(chain, far)]
    assert codes == ["CERT_EXPIRED"] * 3


def test_key_usage_for_purpose(signer, auth_signer):
    assert key_usage_problem(signer.cert, None) is None
    assert key_usage_problem(signer.cert, "SIGN") is None
    assert "the key is for SIGN, the purpose requires AUTH" in key_usage_problem(signer.cert, "AUTH")
    assert key_usage_problem(auth_signer.cert, "AUTH") is None
    assert key_usage_problem(auth_signer.cert, "SIGN") is not None


def test_issuer_serial_lookup_ignores_dn_order_and_case(pki, signer):
    store = TrustStore.from_pem(pki.trust_pem() + signer.cert_pem)
    serial = signer.cert.serial_number
    assert store.find_by_issuer_serial("CN=ҰКО 3.0 (RSA SIM TEST),C=KZ", serial) == signer.cert
    assert store.find_by_issuer_serial("c=kz, cn=ұко 3.0 (rsa sim test)", serial) == signer.cert
    assert store.find_by_issuer_serial("CN=other,C=KZ", serial) is None


def test_bundle_without_certificates_is_an_input_error():
    with pytest.raises(InputError) as err:
        TrustStore.from_pem(b"not a pem")
    assert err.value.code == "NOT_A_CERTIFICATE"


@pytest.mark.parametrize("uri", [alg.GOST_34310, alg.GOST_2015_256, alg.GOST_2015_512])
def test_gost_signature_uris_are_supported_without_sha1(uri):
    method = alg.signature_method(uri, allow_sha1=False)
    assert method.family == "GOST" and method.supported


@pytest.mark.parametrize("uri, empty_digest", [
    (alg.GOST_DIGEST_34311, "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d"),
    (alg.GOST_DIGEST_2015_256, "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb"),
    (alg.GOST_DIGEST_2015_512, "8e945da209aa869f0455928529bcae4679e9873ab707b55315f56ceb98bef0a7"
                               "362f715528356ee83cda5f2aac4c6ad2ba3a715c1bcd81cb8e9f90bf4c1c1a8a"),
])
def test_gost_digest_uris_compute_their_hash(uri, empty_digest):
    """Empty-message answers: RFC 5831 §7.3 (Test S-box) and RFC 6986 / GOST R 34.11-2012."""
    assert alg.digest_method(uri, allow_sha1=False).compute(b"").hex() == empty_digest


@pytest.mark.parametrize("signature_uri, digest_uri", [(alg.RSA_SHA1_KALKAN, alg.SHA1_KALKAN),
                                                       (alg.RSA_SHA1_W3C, alg.SHA1_W3C)])
def test_both_sha1_spellings_only_when_enabled(signature_uri, digest_uri):
    for check, uri in ((alg.signature_method, signature_uri), (alg.digest_method, digest_uri)):
        with pytest.raises(alg.AlgorithmError) as err:
            check(uri, allow_sha1=False)
        assert err.value.code == "ALGORITHM_FORBIDDEN"
        assert check(uri, allow_sha1=True).hash_name == "sha1"


def test_unknown_uris_are_not_supported():
    for check in (alg.signature_method, alg.digest_method):
        with pytest.raises(alg.AlgorithmError):
            check("urn:unknown", allow_sha1=True)
        with pytest.raises(alg.AlgorithmError):
            check(None, allow_sha1=True)
    with pytest.raises(alg.AlgorithmError):
        alg.canonicalization("http://www.w3.org/2006/12/xml-c14n11")


def test_kalkan_signing_uris():
    assert alg.signing_methods(sha1=False) == (alg.RSA_SHA256, alg.SHA256)
    assert alg.signing_methods(sha1=True) == (alg.RSA_SHA1_KALKAN, alg.SHA1_KALKAN)
