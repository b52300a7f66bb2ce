"""A live gateway for the AsyncChannel tests: a pull recipient, a push participant served by the
test, a sender that is told of state changes, a built-in recipient; a clock the tests move.

The test PKI is made on the same clock (a month before it), so nothing depends on today."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.database import DATABASE_URL_ENV
from egov_sim.gateway.shep import gateway_signer
from egov_sim.signing.pki import TestPKI
from tests.support.async_channel import push_participant
from tests.support.rshep import TEST_MONDAY, Clock
from tests.support.shep import live_gateway

SENDER = ("ASYNC_SENDER", "s-secret")
PULLER = ("ASYNC_PULLER", "p-secret")
PUSHED = ("ASYNC_PUSHED", "x-secret")
WATCHER = ("ASYNC_WATCHER", "w-secret")


def config(push_url: str) -> str:
    return f'''
[async]
batch_size = 3
max_attempts = 3
retry_backoff = 60
retry_max = 600
lease = 120
expiry = 86400
poll_interval = 0.05
push_timeout = 5

[[participants]]
sender_id = "{SENDER[0]}"
password = "{SENDER[1]}"

[[participants]]
sender_id = "{PULLER[0]}"
password = "{PULLER[1]}"

[[participants]]
sender_id = "{PUSHED[0]}"
password = "{PUSHED[1]}"
push_url = "{push_url}"

[[participants]]
sender_id = "{WATCHER[0]}"
password = "{WATCHER[1]}"
push_url = "{push_url}"

[[services]]
service_id = "ASYNC_PULL_SERVICE"
provider = "builtin:echo"
recipient = "{PULLER[0]}"

[[services]]
service_id = "ASYNC_PUSH_SERVICE"
provider = "builtin:echo"
recipient = "{PUSHED[0]}"

[[services]]
service_id = "ASYNC_BUILTIN_SERVICE"
provider = "builtin:echo"

[[routes]]
route_id = "R_NurSultan"
provider = "builtin:echo"
recipient = "{PULLER[0]}"
region = "г. Астана"
'''


@pytest.fixture(scope="module", autouse=True)
def _journal_per_home():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DATABASE_URL_ENV, raising=False)
        yield


@pytest.fixture(scope="session")
def async_pki(tmp_path_factory) -> TestPKI:
    start = TEST_MONDAY - dt.timedelta(days=30)
    pki = TestPKI.init(tmp_path_factory.mktemp("async-pki"), base_url="http://127.0.0.1:9",
                       clock=lambda: start)
    gateway_signer(pki)
    return pki


@pytest.fixture(scope="module")
def participant():
    with push_participant() as p:
        yield p


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(TEST_MONDAY)


@pytest.fixture(scope="module")
def agw(tmp_path_factory, async_pki, participant, clock):
    with live_gateway(tmp_path_factory.mktemp("async-home"), async_pki, config=config(participant.url),
                      clock=clock) as live:
        yield live
