"""HTTP face of the test PKI, mounted at ``/pki``: what CDP, FreshestCRL and AIA point at.

CRLs and OCSP answers are made per request from the PKI as it is on disk at that moment,
so a revocation entered by ``egov-sim pki revoke`` in another process shows up at once.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from cryptography.hazmat.primitives.serialization import Encoding
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.clock import Clock

from . import pki_gost
from .ocsp_responder import MAX_REQUEST_BYTES
from .pki import CA_CERT_PATH, DELTA_CRL_PATH, FULL_CRL_PATH, OCSP_PATH, ROOT_CERT_PATH, ROOT_CRL_PATH, TestPKI

CRL_TYPE = "application/pkix-crl"
CERT_TYPE = "application/pkix-cert"
OCSP_REQUEST_TYPE = "application/ocsp-request"
OCSP_RESPONSE_TYPE = "application/ocsp-response"
_NO_STORE = {"Cache-Control": "no-cache"}


def endpoints(pki: TestPKI) -> list[tuple[str, str]]:
    """(human name, path under /pki) for the start-up banner."""
    return [
        ("Root CA certificate", ROOT_CERT_PATH),
        ("Issuing CA certificate", CA_CERT_PATH),
        ("Full CRL", FULL_CRL_PATH),
        ("Delta CRL", DELTA_CRL_PATH),
        ("Root CRL", ROOT_CRL_PATH),
        ("OCSP responder", OCSP_PATH),
    ]


def routes(pki: TestPKI, *, clock: Clock) -> list[BaseRoute]:
    def crl(make):
        async def endpoint(request: Request) -> Response:
            return Response(make(clock()), media_type=CRL_TYPE, headers=_NO_STORE)
        return endpoint

    def certificate(pick):
        async def endpoint(request: Request) -> Response:
            return Response(pick().public_bytes(Encoding.DER), media_type=CERT_TYPE)
        return endpoint

    async def ocsp_post(request: Request) -> Response:
        body = await _read_capped(request)
        return _ocsp(pki.ocsp_response(body, at=clock()))

    async def ocsp_get(request: Request) -> Response:
        """RFC 6960 appendix A.1: GET {url}/{url-encoded base64 of the DER request}."""
        encoded = unquote(request.path_params["encoded"])
        try:
            der = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            der = b""
        return _ocsp(pki.ocsp_response(der, at=clock()))

    def gost_crl(family: str, delta: bool):
        async def endpoint(request: Request) -> Response:
            if pki.gost_authority() is None:
                return Response("no GOST certificate has been issued yet", status_code=404)
            make = pki.delta_crl if delta else pki.full_crl
            return Response(make(clock(), ca=family), media_type=CRL_TYPE, headers=_NO_STORE)
        return endpoint

    def gost_certificate(pick):
        async def endpoint(request: Request) -> Response:
            gost = pki.gost_authority()
            if gost is None:
                return Response("no GOST certificate has been issued yet", status_code=404)
            return Response(pick(gost).public_bytes(Encoding.DER), media_type=CERT_TYPE)
        return endpoint

    gost_routes: list[BaseRoute] = [Route(pki_gost.ROOT_CERT_PATH, gost_certificate(lambda g: g.root), methods=["GET"])]
    for family, ca in pki_gost.CAS.items():
        gost_routes += [
            Route(ca.crl_path, gost_crl(family, False), methods=["GET"]),
            Route(ca.delta_crl_path, gost_crl(family, True), methods=["GET"]),
            Route(ca.cert_path, gost_certificate(lambda g, f=family: g.ca(f)), methods=["GET"]),
        ]

    return gost_routes + [
        Route(FULL_CRL_PATH, crl(pki.full_crl), methods=["GET"]),
        Route(DELTA_CRL_PATH, crl(pki.delta_crl), methods=["GET"]),
        Route(ROOT_CRL_PATH, crl(pki.root_crl), methods=["GET"]),
        Route(CA_CERT_PATH, certificate(lambda: pki.ca), methods=["GET"]),
        Route(ROOT_CERT_PATH, certificate(lambda: pki.root), methods=["GET"]),
        Route(OCSP_PATH, ocsp_post, methods=["POST"]),
        Route(OCSP_PATH + "/", ocsp_post, methods=["POST"]),
        Route(OCSP_PATH + "/{encoded:path}", ocsp_get, methods=["GET"]),
    ]


async def _read_capped(request: Request) -> bytes:
    """The body, or b"" (→ malformedRequest) once it grows past any sane OCSP request."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            return b""
    return bytes(body)


def _ocsp(der: bytes) -> Response:
    return Response(der, media_type=OCSP_RESPONSE_TYPE, headers=_NO_STORE)
