"""Record against an external provider (a real HTTP server on loopback started here), replay after
it stops; turn the ШЭП journal into a stub set. Secrets never reach the saved files."""

from __future__ import annotations

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from egov_sim.core.clock import fixed_clock
from egov_sim.core.testing import serve_in_thread
from tests.support.rshep import TEST_MONDAY
from tests.support.shep import SOAP11, SYNC, assert_fault, new_id, request_info

from .conftest import live_gateway

SERVICE = "LAND_REGISTRY_SIM"
NS = "urn:land:v1"
FAULTY_IIN = "000000000000"


def external_provider() -> Starlette:
    """An integrator's provider: answers SendMessage with the parcel of an IIN, a fault for one."""

    async def send_message(request: Request) -> Response:
        root = etree.fromstring(await request.body())
        iin = root.findtext(f".//{{{NS}}}iin")
        if iin == FAULTY_IIN:
            body = (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>'
                    f"<faultstring>no</faultstring><detail><t:SendMessageFault1_SendMessageFault xmlns:t=\"{SYNC}\">"
                    "<errorCode>LAND-404</errorCode><errorMessage>Участок не найден</errorMessage>"
                    f"<errorData>no parcel for {iin}</errorData><errorDate>2026-02-02T09:00:00+05:00</errorDate>"
                    "</t:SendMessageFault1_SendMessageFault></detail></soap:Fault></soap:Body></soap:Envelope>")
            return Response(body, status_code=500, media_type="text/xml")
        body = (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><t:SendMessageResponse xmlns:t="{SYNC}">'
                f"<response><responseInfo><messageId>{new_id()}</messageId><responseDate>2026-02-02T09:00:00+05:00"
                "</responseDate><status><code>SCSS001</code><message>OK</message></status></responseInfo>"
                f'<responseData><data><l:parcel xmlns:l="{NS}"><l:iin>{iin}</l:iin><l:cadastre>01-{iin[-4:]}</l:cadastre>'
                "<l:accessToken>SECRET-TOKEN-123</l:accessToken></l:parcel></data></responseData></response>"
                "</t:SendMessageResponse></soap:Body></soap:Envelope>")
        return Response(body, media_type="text/xml")

    return Starlette(routes=[Route("/land", send_message, methods=["POST"])])


def _ask(gw, iin: str):
    data = (f'<data><l:parcelRequest xmlns:l="{NS}"><l:messageId>{new_id()}</l:messageId>'
            f"<l:requestDate>2026-02-0{len(new_id()) % 7 + 1}T10:00:00</l:requestDate>"
            f"<l:iin>{iin}</l:iin><l:password>hunter2</l:password></l:parcelRequest></data>")
    return gw.send("php", info=request_info(service_id=SERVICE), data=data)


def _cadastre(reply) -> str:
    assert reply.status == 200, reply.content[:500]
    return reply.data.findtext(f"{{{NS}}}parcel/{{{NS}}}cadastre")


def test_record_then_replay_after_the_provider_stops(tmp_path, stubs_pki, run_cli):
    recorded = tmp_path / "recorded"
    clock = fixed_clock(TEST_MONDAY)
    with serve_in_thread(external_provider()) as provider_url:
        config = (f'[[services]]\nservice_id = "{SERVICE}"\nprovider = "{provider_url}/land"\n'
                  f'record = "{recorded}"\ntimeout = 5\n')
        with live_gateway(tmp_path / "home-a", stubs_pki, config=config, clock=clock) as gw:
            assert _cadastre(_ask(gw, "880314312347")) == "01-2347"
            assert _cadastre(_ask(gw, "900101300017")) == "01-0017"
            assert _cadastre(_ask(gw, "900101300017")) == "01-0017"  # the same request: one file
            fault = assert_fault(_ask(gw, FAULTY_IIN), "SCE012")
            assert fault["subError"]["errorCode"] == "LAND-404"
    # the provider is gone: the recording gateway can no longer answer
    with live_gateway(tmp_path / "home-a", stubs_pki, config=config, clock=clock) as gw:
        assert "subError" not in assert_fault(_ask(gw, "880314312347"), "SCE012")

    files = sorted(recorded.glob("*.yaml"))
    assert len(files) == 3
    saved = "".join(f.read_text(encoding="utf-8") for f in files)
    for secret in ("test-secret", "hunter2", "SECRET-TOKEN-123"):
        assert secret not in saved
    assert "accessToken>***<" in saved and "password>***<" in saved

    replay = f'[[services]]\nservice_id = "{SERVICE}"\nprovider = "stubs:{recorded}"\n'
    with live_gateway(tmp_path / "home-b", stubs_pki, config=replay, clock=clock) as gw:
        assert _cadastre(_ask(gw, "880314312347")) == "01-2347"  # other messageId and dates
        reply = _ask(gw, "900101300017")
        assert _cadastre(reply) == "01-0017"
        assert reply.response_info["status"] == {"code": "SCSS001", "message": "OK"}
        fault = assert_fault(_ask(gw, FAULTY_IIN), "SCE012")
        assert (fault["subError"]["errorCode"], fault["subError"]["errorData"]) == \
            ("LAND-404", f"no parcel for {FAULTY_IIN}")
        miss = assert_fault(_ask(gw, "111111111111"), "SCE012")["subError"]
        assert miss["errorCode"] == "STUB_NO_MATCH" and "/data/parcelRequest/iin" in miss["errorData"]

    # the journal of the recording gateway, turned into a stub set
    out = tmp_path / "from-journal"
    code, stdout, stderr = run_cli("--home", tmp_path / "home-a", "stubs", "from-journal", "--out", out,
                                   "--service-id", SERVICE)
    assert code == 0, stderr
    assert "wrote 3 stubs" in stdout and "skipped 1: gateway fault SCE012" in stdout
    assert {f.name for f in out.glob("*.yaml")} == {f.name for f in files}
    request = tmp_path / "request.xml"
    request.write_bytes(_request_bytes("880314312347"))
    code, stdout, _ = run_cli("stubs", "test", request, "--stubs", out)
    assert code == 0 and "01-2347" in stdout


def _request_bytes(iin: str) -> bytes:
    from tests.support.shep import envelope

    data = (f'<data><l:parcelRequest xmlns:l="{NS}"><l:messageId>x</l:messageId>'
            f"<l:requestDate>2020-01-01T00:00:00</l:requestDate><l:iin>{iin}</l:iin>"
            "<l:password>other</l:password></l:parcelRequest></data>")
    return envelope("jaxws", info=request_info(service_id=SERVICE), data=data)
