"""The pytest plugin as an integrator uses it: run in a separate pytest process (pytester)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

INTEGRATOR_TESTS = '''
import httpx
import respx
from lxml import etree


def test_zeep_client_calls_the_echo_service(shep_client, egov_sim_clean, egov_sim_journal):
    response = shep_client.SendMessage(request={
        "requestInfo": {"messageId": "m-1", "serviceId": "SIM_ECHO",
                        "messageDate": "2026-03-02T10:00:00+05:00",
                        "sender": {"senderId": "EGOV_SIM_TEST_CLIENT", "password": "test-secret"}},
        "requestData": {"data": None}})
    assert response.responseInfo.status.code == "SCSS001"
    assert egov_sim_journal.count_calls("SIM_ECHO") == 1


def test_sync_httpx_without_sockets_and_respx_in_front(egov_sim_transport):
    with respx.mock(using="httpx") as router:
        router.get("https://external.example/rate").respond(200, json={"usd": 1})
        router.route(host="simulator").pass_through()
        with httpx.Client(transport=egov_sim_transport, base_url="http://simulator") as client:
            wsdl = client.get("/bip-sync-wss-gost/?wsdl")
            assert wsdl.status_code == 200 and b"ISyncChannelHttpService" in wsdl.content
        assert httpx.get("https://external.example/rate").json() == {"usd": 1}


def test_certificates_for_personas(egov_sim_certificate, egov_sim_personas):
    cert = egov_sim_certificate("guardian", state="revoked")
    assert egov_sim_personas["guardian"].iin in cert.certificate.subject.rfc4514_string()
'''


def test_plugin_fixtures_work_in_an_integrators_suite(pytester):
    pytester.makepyfile(test_integrator=INTEGRATOR_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3)
