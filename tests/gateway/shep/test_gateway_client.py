"""The participant client talks to a real gateway over HTTP: answers, faults, signed requests."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from lxml import etree

from egov_sim.app.server import build_app
from egov_sim.core.settings import Settings
from egov_sim.core.testing import free_port, refused_port, serve_in_thread
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory):
    port = free_port()
    app = build_app(Settings(home=tmp_path_factory.mktemp("client") / "home", port=port))
    with serve_in_thread(app, port=port) as url:
        yield url


def run(coro_fn):
    async def main():
        async with httpx.AsyncClient() as http:
            return await coro_fn(http)
    return asyncio.run(main())


def test_send_echo_returns_the_data(gateway_url):
    data = etree.fromstring("<data><hello>сәлем</hello></data>")

    async def go(http):
        client = ShepClient(gateway_url, "EGOV_SIM_TEST_CLIENT", "test-secret", http=http)
        return await client.send("SIM_ECHO", data)

    reply = run(go)
    assert reply.status_code == "SCSS001" and reply.correlation_id == reply.request_message_id
    assert reply.data.findtext("hello") == "сәлем"
    assert reply.session_id.startswith("{") and reply.session_id.endswith("}")


def test_fault_is_raised_with_its_code(gateway_url):
    async def go(http):
        client = ShepClient(gateway_url, "EGOV_SIM_TEST_CLIENT", "wrong", http=http)
        return await client.send("SIM_ECHO")

    with pytest.raises(ShepFault) as err:
        run(go)
    assert err.value.code == "SCE008" and "password" in err.value.data


def test_unreachable_gateway_is_a_shep_error():
    async def go(http):
        with refused_port() as port:
            client = ShepClient(f"http://127.0.0.1:{port}", "X", None, http=http, timeout=2)
            return await client.send("SIM_ECHO")

    with pytest.raises(ShepError):
        run(go)
