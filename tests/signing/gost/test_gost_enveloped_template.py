"""The SignedInfo template of the enveloped signer with a Streebog-512 digest, which Santuario
wraps with a CR: the template must write the CR as c14n does (``&#xD;``)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from egov_sim.reference.iin import make_iin
from egov_sim.signing import algorithms as alg
from egov_sim.signing.dsig import canonicalize
from egov_sim.signing.enveloped import sign_enveloped, signed_info_c14n
from egov_sim.signing.pki import TestPKI

NOW = dt.datetime(2024, 2, 5, 10, 0, tzinfo=dt.UTC)


def test_wrapped_streebog_digest_goes_into_the_template_as_c14n_writes_it(tmp_path):
    pki = TestPKI.init(tmp_path / "pki", base_url="http://sim.test", algorithm="gost2015-512",
                       clock=lambda: NOW)
    issued = pki.issue(iin=make_iin(dt.date(1980, 1, 1), "M", 7), surname="ТЕСТ", given_name="ГОСТ",
                       name="gost512", algorithm="gost2015-512")
    signed = sign_enveloped('<a xmlns:x="urn:x"><b>ж</b></a>'.encode(), issued.private_key, issued.certificate)
    signature = etree.fromstring(signed).find(f"{{{alg.DS_NS}}}Signature")
    assert "\r" in signature[0][2][2].text  # the 88-character digest is wrapped
    method, digest = signature[0][1].get("Algorithm"), signature[0][2][1].get("Algorithm")
    assert signed_info_c14n(signature, method, digest) == canonicalize(
        signature[0], alg.CANONICALIZATIONS[alg.C14N])
