"""Several hosts, one database (issue 16): two `egov-sim serve --workers 2` hosts, each in a
network namespace of its own, share one PostgreSQL; nginx balances between them. Under mixed load
through the balancer (ШЭП SendMessage, AsyncChannel send and pull, portal and ЦОН requests) one
host is killed with SIGKILL. Afterwards everything acknowledged is in the database, no
AsyncChannel message was handed out twice, and what one host accepted (a portal request, a fault
rule, failed sign-ins) is seen and worked on by the other, addressed directly.

Needs root, ``ip`` (iproute2), ``nginx`` and ``EGOV_SIM_TEST_POSTGRES_URL`` (``.ci/run`` provides
all of them); skipped with the reason otherwise. The figures it prints are in docs/deployment.md.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from egov_sim.core.database import DATABASE_URL_ENV, Database
from egov_sim.core.testing import free_port
from egov_sim.reference import personas
from egov_sim.signing.enveloped import sign_enveloped
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.pki_shared import SharedRegister
from tests.support.async_channel import PATH as ASYNC_PATH
from tests.support.async_channel import csharp_get_messages, csharp_notification, php_send_message, response
from tests.support.con import guardian_application
from tests.support.hosts import (
    POSTGRES_ENV,
    Host,
    TcpForwarder,
    host_environment,
    missing_tools,
    namespaces,
    nginx,
    postgres_schema,
    with_address,
)
from tests.support.portal import guardian_draft
from tests.support.shep import envelope, request_info

PORTAL_PASSWORD = "Qwerty-123"
SENDER, PULLER = ("HOSTS_SENDER", "hosts-send-secret"), ("HOSTS_PULLER", "hosts-pull-secret")
QUEUE = "HOSTS_QUEUE"
LOAD_SECONDS, KILL_AFTER = 6.0, 3.0


def gateway_config(admin_token: str) -> str:
    return f'''
[gateway]
admin_token = "{admin_token}"

[async]
lease = 4

[[participants]]
sender_id = "{SENDER[0]}"
password = "{SENDER[1]}"

[[participants]]
sender_id = "{PULLER[0]}"
password = "{PULLER[1]}"

[[services]]
service_id = "{QUEUE}"
provider = "builtin:echo"
recipient = "{PULLER[0]}"
'''


@pytest.fixture
def cluster(tmp_path):
    """PostgreSQL (a fresh schema), two hosts in their namespaces, nginx in front."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    admin_token, staff_password = secrets.token_urlsafe(24), secrets.token_urlsafe(16)
    with postgres_schema(os.environ[POSTGRES_ENV]) as url, namespaces(2) as links:
        target = urlsplit(url)
        db_port = target.port or 5432
        with TcpForwarder([link.peer for link in links], db_port, (target.hostname or "127.0.0.1", db_port)):
            config = tmp_path / "gateway.toml"
            config.write_text(gateway_config(admin_token), encoding="utf-8")
            port = free_port()
            hosts = [Host(name, link, port, tmp_path / name / "home") for name, link in zip("ab", links)]
            # one PKI for every host, as a deployment copies HOME/pki to each (docs/deployment.md)
            TestPKI.open_or_init(hosts[0].home / "pki", base_url=hosts[0].url)
            shutil.copytree(hosts[0].home / "pki", hosts[1].home / "pki")
            try:
                # both at the same moment: the first start's migrations and seeds run one host
                # after the other (Database.exclusive), whichever comes first
                for host in hosts:
                    host.launch(env=host_environment(with_address(url, host.link.peer, db_port), staff_password),
                                config=config)
                for host in hosts:
                    host.wait()
                with nginx(tmp_path / "nginx", free_port(), [f"{h.link.address}:{h.port}" for h in hosts]) as front:
                    yield {"front": front, "hosts": hosts, "admin": {"Authorization": f"Bearer {admin_token}"},
                           "staff_password": staff_password, "url": url}
            finally:
                for host in hosts:
                    host.stop()


def _token(client: httpx.Client, path: str, body: dict) -> dict:
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _soap(client: httpx.Client, path: str, body: bytes) -> httpx.Response:
    return client.post(path, content=body, headers={"Content-Type": "text/xml; charset=utf-8"})


def _ocsp(client: httpx.Client, cert: x509.Certificate, issuer: x509.Certificate) -> ocsp.OCSPCertStatus:
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    r = client.post("/pki/ocsp", content=request.public_bytes(Encoding.DER),
                    headers={"Content-Type": "application/ocsp-request"})
    assert r.status_code == 200, r.text
    return ocsp.load_der_ocsp_response(r.content).certificate_status


def _eventually(check, timeout: float = 20.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def test_two_hosts_share_one_database_and_survive_losing_one(cluster):
    front, (a, b), admin = cluster["front"], cluster["hosts"], cluster["admin"]
    staff_password = cluster["staff_password"]
    cert = TestPKI.open(a.home / "pki").issue(iin=personas.GUARDIAN, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ")

    with httpx.Client(base_url=front, timeout=60) as client:
        assert client.post("/portal/register", json={"iin": personas.GUARDIAN,
                                                     "password": PORTAL_PASSWORD}).status_code == 201
        portal = _token(client, "/portal/login", {"iin": personas.GUARDIAN, "password": PORTAL_PASSWORD})
        con = _token(client, "/con/session", {"login": "pvl1.operator", "password": staff_password})
        served_by = {client.get("/portal/services").headers["X-Upstream"] for _ in range(6)}
    assert served_by == {f"{a.link.address}:{a.port}", f"{b.link.address}:{b.port}"}  # round-robin

    def post_signed(c: httpx.Client, signer) -> tuple[str, httpx.Response]:
        draft = c.post("/portal/requests/draft", json=guardian_draft(), headers=portal).json()
        signed = sign_enveloped(draft["xml"].encode(), signer.private_key, signer.certificate)
        return draft["requestId"], c.post("/portal/requests", content=signed,
                                          headers={**portal, "Content-Type": "application/xml"})

    def submit(c: httpx.Client) -> str:
        request_id, r = post_signed(c, cert)
        assert r.status_code == 201, r.text
        return request_id

    # --- what one host accepted, the other sees and works on (each addressed directly) ---------
    with httpx.Client(base_url=a.url, timeout=60) as on_a, httpx.Client(base_url=b.url, timeout=60) as on_b:
        request_id = submit(on_a)
        assert on_b.get(f"/portal/requests/{request_id}", headers=portal).status_code == 200
        clerk = _token(on_b, "/arm/session", {"login": "pvl_pavlodar_city.clerk", "password": staff_password})

        def in_inbox():
            found = on_b.get("/arm/requests", headers=clerk).json()["requests"]
            return next((r for r in found if r["requestId"] == request_id), None)

        arm = _eventually(in_inbox)
        assert arm, f"{request_id} never reached the АРМ inbox seen from host b"
        assert on_b.post(f"/arm/requests/{arm['id']}/register", headers=clerk, json={}).status_code == 200

        def registered_on_a():
            history = on_a.get(f"/portal/requests/{request_id}", headers=portal).json().get("history", [])
            return any("REGISTERED" in str(h) for h in history)

        assert _eventually(registered_on_a), "host a never saw the registration made on host b"

        # a fault rule posted to host a applies on host b, once (its use is counted in the database)
        r = on_a.post("/admin/faults", headers=admin, json={"serviceId": "SIM_ECHO", "senderId": "EGOV_SIM_TEST_CLIENT",
                                                              "faultCode": "SCE909", "times": 1})
        assert r.status_code == 201, r.text
        first = _soap(on_b, "/bip-sync-wss-gost/", envelope("jaxws", info=request_info()))
        second = _soap(on_b, "/bip-sync-wss-gost/", envelope("jaxws", info=request_info()))
        assert b"SCE909" in first.content and b"SCSS001" in second.content, (first.text[:400], second.text[:400])
        assert on_b.delete("/admin/faults", headers=admin).status_code == 200

        # a certificate issued on host b is known to host a's OCSP responder; revoked with the
        # command line on host a's home (whose index never held it), host b refuses it
        with Database.open(cluster["url"]) as db:
            pki_b = TestPKI.open(b.home / "pki")
            pki_b.attach(SharedRegister(db))
            issued = pki_b.issue(iin=personas.GUARDIAN, surname="ЖУМАБАЕВА", given_name="АЙГЕРИМ",
                                 name="issued-on-b")
        known = _eventually(lambda: _ocsp(on_a, issued.certificate, pki_b.ca) == ocsp.OCSPCertStatus.GOOD, 10)
        assert known, "host a's OCSP responder never learnt of a certificate issued on host b"
        assert post_signed(on_b, issued)[1].status_code == 201
        revoked = subprocess.run([sys.executable, "-m", "egov_sim", "--home", str(a.home), "pki", "revoke",
                                  "issued-on-b"], env={**os.environ, DATABASE_URL_ENV: cluster["url"]},
                                 capture_output=True, text=True, timeout=60)
        assert revoked.returncode == 0, revoked.stderr
        def refused() -> bool:  # the register is read again within a second (docs/deployment.md)
            r = post_signed(on_b, issued)[1]
            assert r.status_code in (201, 422), r.text
            return r.status_code == 422 and r.json()["error"]["check"] == "K09"

        assert _eventually(refused, timeout=10), "host b still accepts a certificate revoked on host a"
        assert _eventually(lambda: _ocsp(on_a, issued.certificate, pki_b.ca) == ocsp.OCSPCertStatus.REVOKED, 10)

        # the login throttle is one count for both hosts
        executor = {"login": "pvl_pavlodar_city.executor"}
        failures = [on_a.post("/arm/session", json={**executor, "password": f"wrong-{i}"}).status_code
                    for i in range(5)]
        assert failures == [401] * 5, failures
        assert on_b.post("/arm/session", json={**executor, "password": staff_password}).status_code == 429

    # --- mixed load through the balancer; host a dies in the middle ----------------------------
    acknowledged: dict[str, list] = {"shep": [], "async-sent": [], "portal": [], "con": []}
    handed: list[str] = []
    acks_at: list[float] = []
    errors_after_kill: list[str] = []
    lock = threading.Lock()
    killed_at: list[float] = []
    stop = time.monotonic() + LOAD_SECONDS

    def record(kind: str, value) -> None:
        with lock:
            acknowledged[kind].append(value)
            acks_at.append(time.monotonic())

    def guarded(load):
        def run() -> None:
            with httpx.Client(base_url=front, timeout=30) as c:
                while time.monotonic() < stop:
                    try:
                        load(c)
                    except (httpx.HTTPError, AssertionError, KeyError, ValueError) as exc:
                        with lock:
                            if killed_at:
                                errors_after_kill.append(f"{load.__name__}: {type(exc).__name__}")
                            else:
                                raise
        return run

    def shep(c: httpx.Client) -> None:
        message_id = str(uuid.uuid4())
        r = _soap(c, "/bip-sync-wss-gost/", envelope("jaxws", info=request_info(message_id=message_id)))
        assert r.status_code == 200 and b"SCSS001" in r.content, r.status_code
        record("shep", message_id)

    def async_send(c: httpx.Client) -> None:
        r = _soap(c, ASYNC_PATH, php_send_message(QUEUE, SENDER))
        assert r.status_code == 200, r.status_code
        record("async-sent", response(r.content).findtext("messageId"))

    def async_pull(c: httpx.Client) -> None:
        r = _soap(c, ASYNC_PATH, csharp_get_messages(QUEUE, PULLER, 5))
        assert r.status_code == 200, r.status_code
        got = [m.findtext("messageInfo/messageId") for m in response(r.content).findall("messages")]
        with lock:
            handed.extend(got)
        for message_id in got:
            _acknowledge(c, message_id)
        if not got:
            time.sleep(0.05)

    def portal_load(c: httpx.Client) -> None:
        record("portal", submit(c))

    def con_load(c: httpx.Client) -> None:
        r = c.post("/con/applications", json=guardian_application(),
                   headers={**con, "Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.status_code
        record("con", r.json()["id"])

    loads = [shep, shep, async_send, async_pull, portal_load, con_load]
    with ThreadPoolExecutor(len(loads)) as pool:
        running = [pool.submit(guarded(load)) for load in loads]
        time.sleep(KILL_AFTER)
        with lock:
            killed_at.append(time.monotonic())
        a.kill()  # host a and both its workers, SIGKILL
        for done in running:
            done.result()

    kill = killed_at[0]
    after = [t for t in acks_at if t > kill]
    assert after, "nothing was acknowledged after host a died"
    first_after = min(after) - kill
    gap = max(later - earlier for earlier, later in zip(sorted(acks_at), sorted(acks_at)[1:]))
    assert all(acknowledged.values()), {k: len(v) for k, v in acknowledged.items()}

    # --- afterwards: the database has everything acknowledged; nothing was handed out twice ----
    with httpx.Client(base_url=front, timeout=60) as c:
        def drained() -> bool:  # messages whose getMessages answer died with host a come back after the lease
            async_pull(c)
            with lock:
                return set(acknowledged["async-sent"]) <= set(handed)
        assert _eventually(drained, timeout=20, step=0.1), "acknowledged AsyncChannel messages never handed out"

    import psycopg

    with psycopg.connect(cluster["url"]) as conn:
        rows = conn.execute("SELECT message_id, status_code FROM shep_journal WHERE message_id = ANY(%s)",
                            (acknowledged["shep"],)).fetchall()
    journaled: dict[str, list[str]] = {}
    for message_id, status in rows:
        journaled.setdefault(message_id, []).append(status)
    lost_shep = [m for m in acknowledged["shep"] if journaled.get(m) != ["SCSS001"]]
    assert not lost_shep, lost_shep[:5]
    duplicates = len(handed) - len(set(handed))
    assert duplicates == 0, "an AsyncChannel message was handed out twice"

    with httpx.Client(base_url=b.url, timeout=60) as on_b:
        mine = [r["requestId"] for r in on_b.get("/portal/requests", headers=portal).json()["requests"]]
        assert len(mine) == len(set(mine))
        lost_portal = set(acknowledged["portal"]) - set(mine)
        assert not lost_portal, lost_portal
        lost_con = [n for n in acknowledged["con"]
                    if on_b.get(f"/con/applications/{n}", headers=con).status_code != 200]
        assert not lost_con, lost_con
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{a.url}/portal/services", timeout=2)

    total = sum(len(v) for v in acknowledged.values())
    print(f"\nseveral hosts: acknowledged {total} "
          + ", ".join(f"{k} {len(v)}" for k, v in acknowledged.items())
          + f"; handed out {len(handed)}; lost 0; duplicates 0; "
          f"first acknowledgement {first_after * 1000:.0f} ms after the kill; longest gap {gap * 1000:.0f} ms; "
          f"requests cut by the kill {len(errors_after_kill)}")


def _acknowledge(c: httpx.Client, message_id: str) -> None:
    """sendDeliveryNotification, retried through the balancer when a host dies under it."""
    for _ in range(5):
        try:
            r = _soap(c, ASYNC_PATH, csharp_notification(message_id, QUEUE, PULLER))
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{message_id} could not be acknowledged")
