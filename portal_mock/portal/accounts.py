"""Portal accounts: registration with IIN and password (002 §11.1) and authorization
(process 1, condition 1 / K07) with the refusal notice of process 2.

Passwords, sessions and the throttle on repeated failures are egov_sim.core.auth's realm "portal"
(Argon2id, expiring bearer tokens). Hashing is slow on purpose, so it runs in a worker thread
and never stalls the event loop that also serves ШЭП calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from egov_sim.core.auth import Accounts, AuthError, Session, Throttled
from egov_sim.core.database import Database, IntegrityError
from egov_sim.core.errors import InputError
from egov_sim.gateway.client import ShepClient
from egov_sim.reference.iin import InvalidNumber, parse_iin

from . import notices
from .errors import PortalError
from .registry_lookup import RegistryUnavailable, lookup_person
from .requests_store import PortalUser, RequestStore

REALM = "portal"
MIN_PASSWORD = 8


@dataclass(frozen=True)
class SignedIn:
    session: Session
    user: PortalUser


class PortalAccounts:
    def __init__(self, db: Database, store: RequestStore, accounts: Accounts, *,
                 client: ShepClient, registry_check: bool = True):
        self.db, self.store, self.accounts = db, store, accounts
        self.client, self.registry_check = client, registry_check

    async def register(self, iin: str, password: str, *, surname: str | None = None,
                       name: str | None = None, patronymic: str | None = None) -> PortalUser:
        try:
            info = parse_iin(iin)
        except InvalidNumber as exc:
            raise PortalError(422, "INVALID_IIN", str(exc), notice=notices.REGISTRATION_REFUSED) from None
        iin = info.iin
        if len(password or "") < MIN_PASSWORD:
            raise PortalError(422, "WEAK_PASSWORD",
                              f"the password must have at least {MIN_PASSWORD} characters")
        if self.accounts.get(iin) is not None:
            raise PortalError(409, "ACCOUNT_EXISTS", f"{iin} is already registered; sign in instead")
        message_id = None
        if self.registry_check:
            try:
                found = await lookup_person(self.client, iin)
            except RegistryUnavailable as exc:
                raise PortalError(503, "REGISTRY_UNAVAILABLE",
                                  f"ГБД ФЛ could not be asked about {iin}: {exc}; try again later") from None
            message_id = found.message_id
            if found.person is None:
                raise PortalError(422, "PERSON_NOT_FOUND",
                                  f"ГБД ФЛ has no person with IIN {iin} ({found.result_code}"
                                  f"{': ' + found.result_text if found.result_text else ''})",
                                  notice=notices.REGISTRATION_REFUSED, registryCode=found.result_code)
            if found.person.dead:
                raise PortalError(422, "PERSON_DECEASED",
                                  f"ГБД ФЛ records the person with IIN {iin} as deceased",
                                  notice=notices.REGISTRATION_REFUSED)
            p = found.person
            user = PortalUser(iin, p.surname, p.name, p.patronymic, p.birth_date)
        else:
            if not (surname and name):
                raise PortalError(422, "NAME_REQUIRED",
                                  "surname and name are required when ГБД ФЛ is not consulted")
            user = PortalUser(iin, surname.strip().upper(), name.strip().upper(),
                              patronymic.strip().upper() if patronymic else None,
                              info.birth_date.isoformat())
        await asyncio.to_thread(self._create, user, password, message_id)
        return user

    def _create(self, user: PortalUser, password: str, message_id: str | None) -> None:
        try:
            with self.db.transaction():
                self.accounts.create(user.iin, password)
                self.store.add_user(user, registry_message_id=message_id)
        except IntegrityError:
            raise PortalError(409, "ACCOUNT_EXISTS", f"{user.iin} is already registered") from None
        except InputError as exc:
            if exc.code == "ACCOUNT_EXISTS":
                raise PortalError(409, exc.code, str(exc)) from None
            raise PortalError(422, exc.code, str(exc)) from None

    async def login(self, iin: str, password: str) -> SignedIn:
        """Condition 1 (K07): a session, or the refusal of authorization (process 2)."""
        login = (iin or "").strip()
        try:
            session = await asyncio.to_thread(self.accounts.login, login, password or "")
        except Throttled as exc:
            raise PortalError(429, "AUTH_THROTTLED", str(exc), notice=notices.AUTH_REFUSED,
                              check="K07", step="P2") from None
        except AuthError:
            raise PortalError(401, "AUTH_REFUSED", "wrong IIN or password",
                              notice=notices.AUTH_REFUSED, check="K07", step="P2") from None
        user = self.store.user(session.account.login)
        if user is None:  # an account of the realm made without the portal (e.g. by a script)
            raise PortalError(401, "AUTH_REFUSED", "the account has no portal profile",
                              notice=notices.AUTH_REFUSED, check="K07", step="P2")
        return SignedIn(session, user)

    def user_for(self, token: str | None) -> PortalUser | None:
        account = self.accounts.session(token)
        return None if account is None else self.store.user(account.login)

    def logout(self, token: str) -> None:
        self.accounts.logout(token)
