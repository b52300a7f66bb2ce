"""The nginx example of docs/deployment.md, run as written in front of a live simulator.

The several-hosts test runs the same example between network namespaces (root, PostgreSQL);
this one needs only nginx and loopback, so the example's promises are checked wherever nginx is
installed: a host that refuses connections is passed over for the next one, the body limit lets
the JSON APIs' own 413 through (8 MiB in front of the 6 MiB ``--max-body``), pages and SOAP
pass unchanged. Skipped with the reason when nginx is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from egov_sim.core.testing import free_port
from tests.support.hosts import nginx
from tests.support.web import live_simulator

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(NGINX is None or os.geteuid() != 0,
                                reason="needs nginx (apt-get install nginx) and root (its workers run as root)")

ECHO = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope'
        ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        '<echo xmlns="urn:test">сәлем</echo></soapenv:Body></soapenv:Envelope>').encode()


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """nginx with the documented site: first a host whose port is closed, then the simulator."""
    with live_simulator(tmp_path_factory.mktemp("nginx-doc") / "home") as live:
        host = urlsplit(live.url).netloc
        dead = f"127.0.0.1:{free_port()}"
        with nginx(tmp_path_factory.mktemp("nginx-run"), free_port(), [dead, host]) as url:
            yield url, host, dead


def test_a_host_that_refuses_connections_is_passed_over(front):
    url, host, _ = front
    with httpx.Client(base_url=url, timeout=30) as client:
        answers = [client.get("/web/portal/") for _ in range(4)]
    assert all(a.status_code == 200 and 'id="main"' in a.text for a in answers), answers[0].text[:300]
    # nginx names every host it tried; the simulator answered each time
    assert all(a.headers["X-Upstream"].split(", ")[-1] == host for a in answers)


def test_soap_passes_unchanged(front):
    url, host, _ = front
    answer = httpx.post(f"{url}/sim/echo", content=ECHO, timeout=30,
                        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    assert answer.status_code == 200 and "сәлем" in answer.text


def test_the_body_limit_lets_the_apis_own_refusal_through(front):
    url, _, _ = front
    seven = b'{"x": "' + b"a" * (7 * 1024 * 1024) + b'"}'
    answer = httpx.post(f"{url}/con/session", content=seven, timeout=60,
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "BODY_TOO_LARGE"
    nine = b'{"x": "' + b"a" * (9 * 1024 * 1024) + b'"}'
    refused = httpx.post(f"{url}/con/session", content=nine, timeout=60,
                         headers={"Content-Type": "application/json"})
    assert refused.status_code == 413 and "nginx" in refused.text  # nginx's own page: over 8m
