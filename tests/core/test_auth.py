"""Accounts: Argon2id hashes, expiring sessions, throttled sign-in, realms kept apart."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from egov_sim.core.auth import Accounts, AuthError, Throttle, Throttled, bearer_token
from egov_sim.core.database import Database, sqlite_url
from egov_sim.core.errors import InputError

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def env(tmp_path):
    db = Database.open(sqlite_url(tmp_path / "a.db"))
    clock = Clock()
    yield db, clock
    db.close()


def test_password_is_stored_as_an_argon2id_hash(env):
    db, clock = env
    accounts = Accounts(db, "portal", clock=clock, hasher=FAST)
    accounts.create("780314401012", "Secret-pass1")
    stored = db.scalar("SELECT password_hash FROM auth_accounts")
    assert stored.startswith("$argon2id$") and "Secret-pass1" not in stored


def test_login_session_and_expiry(env):
    db, clock = env
    accounts = Accounts(db, "portal", clock=clock, hasher=FAST, session_ttl=dt.timedelta(minutes=30))
    accounts.create("u", "Secret-pass1", roles=("applicant",))
    session = accounts.login("u", "Secret-pass1")
    assert accounts.session(session.token).roles == ("applicant",)
    clock.now = T0 + dt.timedelta(minutes=31)
    assert accounts.session(session.token) is None


def test_wrong_password_and_throttle(env):
    db, clock = env
    accounts = Accounts(db, "portal", clock=clock, hasher=FAST, throttle=Throttle(3, dt.timedelta(minutes=10)))
    accounts.create("u", "Secret-pass1")
    for _ in range(3):
        with pytest.raises(AuthError):
            accounts.login("u", "nope-nope")
    with pytest.raises(Throttled):
        accounts.login("u", "Secret-pass1")  # even the right password, while throttled
    clock.now = T0 + dt.timedelta(minutes=11)
    assert accounts.login("u", "Secret-pass1").account.login == "u"


def test_realms_do_not_share_accounts_or_sessions(env):
    db, clock = env
    portal = Accounts(db, "portal", clock=clock, hasher=FAST)
    arm = Accounts(db, "arm", clock=clock, hasher=FAST)
    portal.create("u", "Secret-pass1")
    token = portal.login("u", "Secret-pass1").token
    assert arm.session(token) is None
    with pytest.raises(AuthError):
        arm.login("u", "Secret-pass1")


def test_weak_and_duplicate(env):
    db, clock = env
    accounts = Accounts(db, "portal", clock=clock, hasher=FAST)
    with pytest.raises(InputError):
        accounts.create("u", "short")
    accounts.create("u", "Secret-pass1")
    with pytest.raises(InputError):
        accounts.create("u", "Secret-pass2")


def test_bearer_token():
    assert bearer_token("Bearer abc") == "abc" and bearer_token("Basic abc") is None
    assert bearer_token(None) is None
