"""Accounts, password hashing and API sessions for the simulator's users.

Portal users, ЦОН operators and АРМ staff all sign in the same way: a password hashed with
Argon2id (argon2-cffi: a maintained implementation of the password-hashing competition winner,
with safe defaults and rehash checks), a bearer token that expires, and a throttle on repeated
failures. Each realm ("portal", "con", "arm") keeps its own accounts in the shared database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database, Schema, from_db_time, to_db_time
from egov_sim.core.errors import InputError

AUTH_SCHEMA = Schema("auth", (
    ("""CREATE TABLE auth_accounts (
            realm TEXT NOT NULL, login TEXT NOT NULL, password_hash TEXT NOT NULL,
            roles TEXT NOT NULL DEFAULT '', owner TEXT, created_at TEXT NOT NULL,
            PRIMARY KEY (realm, login))""",
     """CREATE TABLE auth_sessions (
            token_hash TEXT PRIMARY KEY, realm TEXT NOT NULL, login TEXT NOT NULL,
            expires_at TEXT NOT NULL)""",
     """CREATE TABLE auth_failures (
            realm TEXT NOT NULL, login TEXT NOT NULL, failed_at TEXT NOT NULL)""",
     "CREATE INDEX auth_failures_login ON auth_failures (realm, login, failed_at)"),
))

# Interactive-login parameters; tests pass a cheaper hasher (same algorithm, fewer rounds).
DEFAULT_HASHER = PasswordHasher()


class AuthError(InputError):
    code = "AUTH_FAILED"


class Throttled(AuthError):
    code = "AUTH_THROTTLED"


@dataclass(frozen=True)
class Account:
    realm: str
    login: str
    roles: tuple[str, ...]
    owner: str | None
    """What the account belongs to: a provider code for staff, a ЦОН office for operators."""


@dataclass(frozen=True)
class Session:
    token: str
    account: Account
    expires_at: dt.datetime


@dataclass(frozen=True)
class Throttle:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """The accounts and sessions of one realm."""

    def __init__(self, db: Database, realm: str, *, clock: Clock = system_clock,
                 session_ttl: dt.timedelta = dt.timedelta(hours=1), throttle: Throttle = Throttle(),
                 hasher: PasswordHasher = DEFAULT_HASHER, retired_passwords: Mapping[str, str] | None = None):
        db.migrate(AUTH_SCHEMA)
        self.db, self.realm, self.clock = db, realm, clock
        self.session_ttl, self.throttle, self.hasher = session_ttl, throttle, hasher
        self.retired = dict(retired_passwords or {})
        """Well-known seed passwords → the ones configured instead (``serve --staff-passwords``):
        accounts are created with the configured one, an account made earlier with the
        well-known one takes the configured one at its next sign-in, and the well-known one
        never signs in again."""

    def create(self, login: str, password: str, *, roles: tuple[str, ...] = (),
               owner: str | None = None, replace: bool = False) -> Account:
        password = self.retired.get(password, password)
        if not password or len(password) < 8:
            raise InputError("the password must have at least 8 characters", code="WEAK_PASSWORD")
        row = {"realm": self.realm, "login": login, "hash": self.hasher.hash(password),
               "roles": ",".join(roles), "owner": owner, "at": to_db_time(self.clock())}
        with self.db.transaction() as tx:
            tx.serialize(f"auth|{self.realm}|{login}")  # hosts seeding the same account at once
            exists = tx.scalar("SELECT 1 FROM auth_accounts WHERE realm = :realm AND login = :login", row)
            if exists and not replace:
                raise InputError(f"{login} is already registered", code="ACCOUNT_EXISTS")
            tx.execute("DELETE FROM auth_accounts WHERE realm = :realm AND login = :login", row)
            tx.execute("INSERT INTO auth_accounts (realm, login, password_hash, roles, owner, created_at)"
                       " VALUES (:realm, :login, :hash, :roles, :owner, :at)", row)
        return Account(self.realm, login, tuple(roles), owner)

    def get(self, login: str) -> Account | None:
        row = self.db.query_one("SELECT login, roles, owner FROM auth_accounts"
                                " WHERE realm = ? AND login = ?", (self.realm, login))
        return None if row is None else self._account(row)

    def _account(self, row) -> Account:
        roles = tuple(r for r in (row["roles"] or "").split(",") if r)
        return Account(self.realm, row["login"], roles, row["owner"])

    def login(self, login: str, password: str) -> Session:
        """A new session, or AuthError (wrong login or password) / Throttled (too many failures).

        The attempt is counted **before** the password is checked, in one transaction with the
        count (serialised per login across workers and hosts), and stays counted unless the
        password is right: forty parallel guesses get at most ``max_failures`` checks, the
        rest 429, however many workers serve them."""
        now = self.clock()
        since = to_db_time(now - self.throttle.window)
        with self.db.transaction() as tx:
            tx.serialize(f"auth|{self.realm}|{login}")
            failures = tx.scalar("SELECT COUNT(*) FROM auth_failures WHERE realm = ? AND login = ?"
                                 " AND failed_at > ?", (self.realm, login, since))
            if failures >= self.throttle.max_failures:
                raise Throttled(f"too many failed sign-ins for {login}; try again later")
            tx.execute("INSERT INTO auth_failures (realm, login, failed_at) VALUES (?, ?, ?)",
                       (self.realm, login, to_db_time(now)))  # counted now; forgiven on success
        row = self.db.query_one("SELECT login, password_hash, roles, owner FROM auth_accounts"
                                " WHERE realm = ? AND login = ?", (self.realm, login))
        try:
            if row is None:
                raise VerificationError("no such account")
            if password in self.retired:
                raise VerificationError("a retired well-known password")
            self._verify(row, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong login or password") from None
        if self.hasher.check_needs_rehash(row["password_hash"]):
            self.db.execute("UPDATE auth_accounts SET password_hash = ? WHERE realm = ? AND login = ?",
                            (self.hasher.hash(password), self.realm, login))
        self.db.execute("DELETE FROM auth_failures WHERE realm = ? AND login = ?", (self.realm, login))
        token = secrets.token_urlsafe(32)
        expires = now + self.session_ttl
        self.db.execute("INSERT INTO auth_sessions (token_hash, realm, login, expires_at)"
                        " VALUES (?, ?, ?, ?)", (_token_hash(token), self.realm, login, to_db_time(expires)))
        return Session(token, self._account(row), expires)

    def _verify(self, row, password: str) -> None:
        """The password against the stored hash; an account still on a retired well-known
        password takes the configured one now, if that is what was typed."""
        try:
            self.hasher.verify(row["password_hash"], password)
            return
        except (VerificationError, InvalidHashError):
            retired = [old for old, new in self.retired.items() if new == password]
            if not retired:
                raise
        self.hasher.verify(row["password_hash"], retired[0])  # raises when it is not on it either
        self.db.execute("UPDATE auth_accounts SET password_hash = ? WHERE realm = ? AND login = ?",
                        (self.hasher.hash(password), self.realm, row["login"]))

    def session(self, token: str | None) -> Account | None:
        """The account behind a bearer token, or None when unknown or expired."""
        if not token:
            return None
        row = self.db.query_one(
            "SELECT a.login, a.roles, a.owner, s.expires_at FROM auth_sessions s JOIN auth_accounts a"
            " ON a.realm = s.realm AND a.login = s.login WHERE s.token_hash = ? AND s.realm = ?",
            (_token_hash(token), self.realm))
        expires = from_db_time(row["expires_at"]) if row is not None else None
        if row is None or expires is None or expires <= self.clock():
            return None
        return self._account(row)

    def logout(self, token: str) -> None:
        self.db.execute("DELETE FROM auth_sessions WHERE token_hash = ?", (_token_hash(token),))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
