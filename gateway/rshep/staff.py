"""The provider staff who work in the АРМ: who they are, their logins, and their signing keys.

Seed 002 §7 and seed 000 §6 name three kinds of employees, which become the АРМ's roles:

- ``clerk``: the office employee (кеңсе қызметкері) who accepts and registers requests;
- ``head``: the head of the provider (басшы), who assigns the responsible executor and signs
  the result; at a rural akim's office the akim himself assigns (000 §5.2), while the result
  is signed by the head of the district akimat above it (000 §5.4);
- ``executor``: the responsible executor (жауапты орындаушы), who checks the documents, drafts
  the result, registers it in the accounting journal and issues it.

Every person, login and password here is **SYNTHETIC**, except that the Pavlodar city office
uses the ГБД ФЛ personas ``provider_head`` and ``provider_executor``. Logins are
``<office code in lower case>.<role>``; every password is :data:`STAFF_PASSWORD`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.auth import Account, Accounts
from egov_sim.core.errors import InputError
from egov_sim.reference.catalogue import PROVIDERS, ProviderOffice
from egov_sim.reference.iin import make_iin
from egov_sim.reference.person import PersonName
from egov_sim.reference.personas import PROVIDER_EXECUTOR, PROVIDER_HEAD
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import ServiceIdentity, ServiceSigner, service_signer

ROLES = ("clerk", "head", "executor")
STAFF_PASSWORD = "arm-secret"
"""SYNTHETIC: the password of every seeded staff account (documented in docs/rshep.md)."""


@dataclass(frozen=True)
class StaffMember:
    login: str
    role: str
    provider: str
    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    position_ru: str

    @property
    def person_name(self) -> PersonName:
        return PersonName(self.surname, self.given_name, self.patronymic)

    @property
    def full_name(self) -> str:
        return self.person_name.full


_SURNAMES = (("ЖУМАБАЕВ", "ЖУМАБАЕВА"), ("ОМАРОВ", "ОМАРОВА"), ("ТОКТАРОВ", "ТОКТАРОВА"),
             ("ИСКАКОВ", "ИСКАКОВА"), ("БЕКОВ", "БЕКОВА"), ("КАСЫМОВ", "КАСЫМОВА"),
             ("СЕРИКБАЕВ", "СЕРИКБАЕВА"), ("АХМЕТОВ", "АХМЕТОВА"))
_GIVEN = {"M": ("ЕРЛАН", "ДАНИЯР", "АСХАТ", "БАУЫРЖАН"), "F": ("АЙГУЛЬ", "ГУЛЬНАРА", "САУЛЕ", "ЖАНАР")}
_PATRONYMIC = {"M": ("СЕРИКОВИЧ", "НУРЛАНОВИЧ"), "F": ("БОЛАТОВНА", "ЕРЖАНОВНА")}

_POSITIONS = {
    "clerk": "Специалист канцелярии",
    "head": "Руководитель",
    "executor": "Ответственный исполнитель",
}
_AKIM_POSITIONS = {"clerk": "Специалист канцелярии аппарата акима", "head": "Аким сельского округа",
                   "executor": "Ответственный исполнитель аппарата акима"}

# The named personas of ГБД ФЛ (egov_sim/reference/personas.py) work at the Pavlodar city office.
_PERSONAS = {
    ("PVL_PAVLODAR_CITY", "head"): (PROVIDER_HEAD, "САДЫКОВ", "КАЙРАТ", "БЕРИКОВИЧ"),
    ("PVL_PAVLODAR_CITY", "executor"): (PROVIDER_EXECUTOR, "НУРГАЛИЕВ", "АЗАМАТ", "МАРАТОВИЧ"),
}


def _synthetic_person(login: str) -> tuple[str, str, str, str]:
    """A deterministic valid IIN and name for ``login`` (SYNTHETIC)."""
    h = int.from_bytes(hashlib.sha256(login.encode()).digest()[:8], "big")
    sex = "MF"[h % 2]
    born = dt.date(1970, 1, 1) + dt.timedelta(days=(h >> 8) % (365 * 25))
    serial = 7000 + (h >> 20) % 2000
    while (iin := make_iin(born, sex, serial)) is None:
        serial += 1
    k = 0 if sex == "M" else 1
    return (iin, _SURNAMES[(h >> 32) % len(_SURNAMES)][k], _GIVEN[sex][(h >> 40) % 4],
            _PATRONYMIC[sex][(h >> 48) % 2])


def login_for(office_code: str, role: str, n: int = 1) -> str:
    return f"{office_code.lower()}.{role}" + (str(n) if n > 1 else "")


def _member(office: ProviderOffice, role: str, n: int = 1) -> StaffMember:
    login = login_for(office.code, role, n)
    persona = _PERSONAS.get((office.code, role)) if n == 1 else None
    iin, surname, given, patronymic = persona or _synthetic_person(login)
    positions = _AKIM_POSITIONS if office.kind == "rural_akim" else _POSITIONS
    return StaffMember(login, role, office.code, iin, surname, given, patronymic, positions[role])


def _build() -> tuple[StaffMember, ...]:
    members = []
    for office in PROVIDERS.values():
        members += [_member(office, role) for role in ROLES]
    # A second executor at the Pavlodar city office: scenarios where the head picks one of two.
    members.append(_member(PROVIDERS["PVL_PAVLODAR_CITY"], "executor", 2))
    return tuple(members)


STAFF: Mapping[str, StaffMember] = MappingProxyType({m.login: m for m in _build()})


def head_of(office_code: str) -> StaffMember:
    return STAFF[login_for(office_code, "head")]


def ensure_account(accounts: Accounts, login: str) -> Account | None:
    """The account of ``login``, created from :data:`STAFF` the first time it is needed.

    Staff accounts are made on first use rather than all at start: Argon2id costs about 0.1 s
    a hash, and a fresh simulator would otherwise spend seconds hashing 34 passwords."""
    account = accounts.get(login)
    if account is None and login in STAFF:
        m = STAFF[login]
        try:
            account = accounts.create(m.login, STAFF_PASSWORD, roles=(m.role,), owner=m.provider)
        except InputError:  # another worker created it meanwhile
            account = accounts.get(login)
    return account


def seed_staff(accounts: Accounts) -> int:
    """Create every missing staff account (realm "arm") now; existing ones are left as they are."""
    created = 0
    for m in STAFF.values():
        if accounts.get(m.login) is None:
            ensure_account(accounts, m.login)
            created += 1
    return created


def signing_identity(member: StaffMember) -> ServiceIdentity:
    """The legal-entity employee certificate of ``member``: their IIN, the office's BIN."""
    office = PROVIDERS[member.provider]
    return ServiceIdentity(name=f"arm-{member.login.replace('.', '-')}", organization=office.name_ru,
                           bin=office.bin, employee_iin=member.iin, surname=member.surname,
                           given_name=member.given_name)


class Signers:
    """Staff signing keys, issued from the PKI on first use and then kept (as key files are)."""

    def __init__(self, pki: TestPKI):
        self.pki = pki
        self._cache: dict[str, ServiceSigner] = {}

    def __call__(self, member: StaffMember) -> ServiceSigner:
        if member.login not in self._cache:
            self._cache[member.login] = service_signer(self.pki, signing_identity(member))
        return self._cache[member.login]
