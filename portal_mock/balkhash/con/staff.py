"""The 2012 ЦОН of seed 001 and its staff.

«Отдел города Балхаш филиала РГП на ПХВ «Центр обслуживания населения» по Карагандинской
области», ул. Бокейханова 20а (§0.2). The regulations name its units (СФЕ): the консультант
центра, the инспектор операционного зала (the "окна"), the специалист (инспектор) накопительного
сектора and the инспектор сектора выдачи документов. SYNTHETIC: the persons, IINs, logins, the
password and the head of the department, who reads everything and acts on nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.auth import Account, Accounts
from egov_sim.core.errors import InputError
from egov_sim.reference.iin import make_iin

REALM = "balkhash_con"
PASSWORD = "con2012-secret"
"""SYNTHETIC: the password of every seeded ЦОН account (docs/balkhash.md)."""

CONSULTANT, INSPECTOR, ACCUMULATION, ISSUING, SUPERVISOR = "consultant", "inspector", "accumulation", "issuing", "head"
ROLES = (CONSULTANT, INSPECTOR, ACCUMULATION, ISSUING, SUPERVISOR)
ROLE_NAMES = MappingProxyType({
    CONSULTANT: "консультант центра", INSPECTOR: "инспектор операционного зала центра",
    ACCUMULATION: "специалист накопительного сектора центра", ISSUING: "инспектор сектора выдачи документов центра",
    SUPERVISOR: "начальник отдела центра",
})

CENTRE_NAME = ("Отдел города Балхаш филиала РГП на ПХВ «Центр обслуживания населения» по Карагандинской области")
CENTRE_ADDRESS = "г. Балхаш, ул. Бокейханова, 20а"
CENTRE_PHONE = "8 (71036) 68349, 68347, 68339; факс 68337; balkhashcon@mail.ru"


@dataclass(frozen=True)
class Employee:
    login: str
    role: str
    window: int | None
    surname: str
    given_name: str
    patronymic: str
    iin: str

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.given_name} {self.patronymic}"

    @property
    def position(self) -> str:
        return ROLE_NAMES[self.role]

    def to_json(self) -> dict:
        return {"login": self.login, "role": self.role, "position": self.position, "window": self.window,
                "fullName": self.full_name, "iin": self.iin}


def _iin(login: str, born: dt.date, sex: str) -> str:
    serial = 7000 + int.from_bytes(hashlib.sha256(login.encode()).digest()[:2], "big") % 2000
    while (iin := make_iin(born, sex, serial)) is None:
        serial += 1
    return iin


_ROWS = (
    ("blh.con.consultant", CONSULTANT, None, "ЛИ", "ЕЛЕНА", "ВИКТОРОВНА", dt.date(1987, 11, 2), "F"),
    ("blh.con.inspector", INSPECTOR, 1, "САГЫНДЫКОВА", "ДИНАРА", "АСКАРОВНА", dt.date(1991, 4, 14), "F"),
    ("blh.con.inspector2", INSPECTOR, 2, "ГРИШИН", "ПАВЕЛ", "СЕРГЕЕВИЧ", dt.date(1989, 7, 21), "M"),
    ("blh.con.accumulation", ACCUMULATION, None, "НУРБЕКОВА", "АЛИЯ", "МАРАТОВНА", dt.date(1985, 2, 27), "F"),
    ("blh.con.issuing", ISSUING, 5, "ТЕМИРБАЕВ", "АСЕТ", "ЖАНАТОВИЧ", dt.date(1990, 10, 5), "M"),
    ("blh.con.head", SUPERVISOR, None, "ВАСИЛЬЕВА", "ОЛЬГА", "НИКОЛАЕВНА", dt.date(1976, 6, 6), "F"),
)

STAFF: Mapping[str, Employee] = MappingProxyType({
    r[0]: Employee(r[0], r[1], r[2], r[3], r[4], r[5], _iin(r[0], r[6], r[7])) for r in _ROWS})


def ensure_account(accounts: Accounts, login: str) -> Account | None:
    account = accounts.get(login)
    if account is None and login in STAFF:
        e = STAFF[login]
        try:
            account = accounts.create(e.login, PASSWORD, roles=(e.role,), owner="BLH_CON")
        except InputError:
            account = accounts.get(login)
    return account
