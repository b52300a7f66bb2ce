"""A live Balkhash stack for the tests: ШЭП, the department (УО, akims, registers) and the 2012
ЦОН on loopback, on a clock the test moves; and desks that sign staff in and call the APIs.

The stack is what ``egov-sim serve`` mounts for seed 001, assembled by hand so the test
controls the clock, the readings and the home (a second stack on the same home is a restart).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.routing import Mount

from egov_sim.adapters.gbd_fl.registry import ensure_population
from egov_sim.app.server import builtin_config
from egov_sim.core.clock import ALMATY, fixed_clock
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.testing import free_port, serve_in_thread
from egov_sim.gateway.shep import build_gateway
from egov_sim.portal_mock.balkhash import registry_wire as wire
from egov_sim.portal_mock.balkhash.con import build_centre
from egov_sim.portal_mock.balkhash.department import build_department
from egov_sim.reference.balkhash_services import DEFAULT_READINGS, Readings
from egov_sim.signing.pki import TestPKI

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
UO_PASSWORD = "uo-secret"
CON_PASSWORD = "con2012-secret"
POPULATION = 30

MONDAY_2013 = dt.datetime(2013, 2, 4, 9, 0, tzinfo=ALMATY)
"""The spec's reference date (regulations-balkhash §20.1): Monday 4 February 2013, no holiday in
the weeks after it: +3 wd = Thu 7 Feb, +10 wd = Mon 18 Feb."""


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += dt.timedelta(**delta)

    def set(self, *args, hour: int = 10, minute: int = 0) -> None:
        self.at = dt.datetime(*args, hour, minute, tzinfo=ALMATY)


def make_pki(directory: Path) -> TestPKI:
    return TestPKI.init(directory, base_url="http://127.0.0.1:9",
                        clock=fixed_clock(dt.datetime(2026, 2, 1, 9, 0, tzinfo=ALMATY)))


@dataclass
class LiveBalkhash:
    url: str
    clock: Clock
    db: Database
    department: object
    centre: object
    gateway: object
    home: Path

    def uo(self, login: str) -> Desk:
        return Desk(self.url + "/balkhash/uo", login, UO_PASSWORD)

    def con(self, login: str) -> Desk:
        return Desk(self.url + "/balkhash/con", login, CON_PASSWORD)


@contextlib.contextmanager
def live_balkhash(home: Path, pki: TestPKI, clock: Clock, *, readings: Readings = DEFAULT_READINGS,
                  gateway_url: str | None = None, database_url: str | None = None) -> Iterator[LiveBalkhash]:
    """``gateway_url`` other than the stack's own: the systems reach no ШЭП (delivery fails);
    ``database_url``: another database than HOME/sim.db (PostgreSQL)."""
    home.mkdir(parents=True, exist_ok=True)
    db = Database.open(database_url or sqlite_url(home / "sim.db"), clock=clock)
    persons = ensure_population(db, count=POPULATION, seed=1, clock=clock)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    http = httpx.AsyncClient()
    department = build_department(db, persons, gateway_url=gateway_url or url, http=http, clock=clock,
                                  readings=readings, pki=pki, hasher=FAST_HASHER)
    centre = build_centre(db, gateway_url=gateway_url or url, http=http, clock=clock, readings=readings,
                          hasher=FAST_HASHER)
    gateway = build_gateway(config=builtin_config(), db=db, pki=pki, clock=clock,
                            builtin_providers={wire.UO_PROVIDER: department.inbox_provider,
                                               wire.CON_PROVIDER: centre.inbox_provider})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await http.aclose()
            await gateway.aclose()

    app = Starlette(routes=[*gateway.routes(), Mount("/balkhash/uo", routes=department.routes()),
                            Mount("/balkhash/con", routes=centre.routes())], lifespan=lifespan)
    try:
        with serve_in_thread(app, port=port):
            yield LiveBalkhash(url, clock, db, department, centre, gateway, home)
    finally:
        db.close()


class Desk:
    """One member of staff signed in to one of the APIs (signs in again after a 401)."""

    def __init__(self, base: str, login: str, password: str):
        self.base, self.login, self.password, self.token = base, login, password, None

    def sign_in(self) -> None:
        r = httpx.post(f"{self.base}/session", json={"login": self.login, "password": self.password}, timeout=30)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]

    def call(self, method: str, path: str, body=None, *, retry: bool = True) -> httpx.Response:
        if self.token is None:
            self.sign_in()
        r = httpx.request(method, f"{self.base}{path}", json=body, timeout=60,
                          headers={"Authorization": f"Bearer {self.token}"})
        if r.status_code == 401 and retry and r.json()["error"]["code"] == "UNAUTHENTICATED":
            self.sign_in()
            return self.call(method, path, body, retry=False)
        return r

    def get(self, path: str, expect: int = 200):
        r = self.call("GET", path)
        assert r.status_code == expect, r.text
        return r.json()

    def post(self, path: str, body=None, expect: int | None = 200):
        r = self.call("POST", path, body if body is not None else {})
        if expect is not None:
            assert r.status_code == expect, r.text
        return r.json()

    def put(self, path: str, body, expect: int = 200):
        r = self.call("PUT", path, body)
        assert r.status_code == expect, r.text
        return r.json()


def error(response_json: dict) -> dict:
    return response_json["error"]


S6_DOCUMENTS = ["APPLICATION", "CHILD_BIRTH_CERTIFICATES", "IDENTITY_DOCUMENT", "FAMILY_REGISTRATION",
                "FAMILY_COMPOSITION", "FAMILY_INCOME"]
S11_CON_DOCUMENTS = ["IDENTITY_DATA", "TITLE_DEED", "ADDRESS_CERTIFICATE", "FAMILY_INCOME", "MAINTENANCE_BILLS",
                     "UTILITY_BILLS"]
