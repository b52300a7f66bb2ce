"""The offices, structural units and staff of the Balkhash department and its settlement akims.

Seed 001 names the structural-functional units (СФЕ) per service: the head of the УО
(руководитель; for service 2 "руководитель рабочего органа специальной комиссии"), the heads
of sector (заведующий сектором по работе с ветеранами, инвалидами и малообеспеченными
гражданами; заведующий сектором назначения и выплаты социальных пособий), the specialists /
ответственные исполнители, the specialist of records and citizens' applications (специалист по
документоведению и работе с обращениями граждан), the special commission (service 2), the
участковые комиссии of the city akim and of the settlement akims (services 6, 7) and the
settlement akims themselves (аким поселка: Конырат, Гульшат, Саяк, §0.2).

SYNTHETIC: every person, IIN, login and the password; the names of the units the seed leaves
unnamed (the employment unit of services 1 and 3 — "ответственный исполнитель", кабинет 6;
the unit of services 12 and 13); the deputy head, who may impose resolutions and give survey
instructions but signs nothing [inferred: the seed gives the deputy no act].
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.auth import Account, Accounts
from egov_sim.core.errors import InputError
from egov_sim.reference.iin import make_bin, make_iin

REALM = "balkhash_uo"
PASSWORD = "uo-secret"
"""SYNTHETIC: the password of every seeded account (docs/balkhash.md)."""

HEAD, DEPUTY, SECTOR_HEAD, OFFICER, RECORDS = "head", "deputy", "sector_head", "officer", "records"
COMMISSION, SPECIAL_COMMISSION, AKIM, AKIM_COMMISSION = "commission", "special_commission", "akim", "akim_commission"
ROLES = (HEAD, DEPUTY, SECTOR_HEAD, OFFICER, RECORDS, COMMISSION, SPECIAL_COMMISSION, AKIM, AKIM_COMMISSION)

UO = "BLH_UO"


@dataclass(frozen=True)
class Office:
    code: str
    name_ru: str
    address: str
    phone: str
    kind: str  # "uo" | "akim"
    bin: str


def _bin(serial: int) -> str:
    while (value := make_bin(1999, 3, serial, entity_type=4)) is None:
        serial += 1
    return value


OFFICES: Mapping[str, Office] = MappingProxyType({o.code: o for o in (
    Office(UO, "ГУ «Отдел занятости и социальных программ города Балхаша»",
           "100300, Карагандинская область, г. Балхаш, ул. Уалиханова, 5", "8 (71036) 41411 (факс)", "uo",
           "030740000017"),
    Office("AKIM_KONYRAT", "ГУ «Аппарат акима поселка Конырат»", "п. Конырат, ул. Зайцева, 15",
           "8 (71036) 64416, 64418", "akim", _bin(7301)),
    Office("AKIM_GULSHAT", "ГУ «Аппарат акима поселка Гульшат»", "п. Гульшат, ул. Агыбай батыра, б/н",
           "8 (71036) 53953, 53974", "akim", _bin(7302)),
    Office("AKIM_SAYAK", "ГУ «Аппарат акима поселка Саяк»", "п. Саяк, ул. Парковая, 5",
           "8 (71041) 35308, 35223", "akim", _bin(7303)),
)})
"""The УО's BIN is the catalogue's (egov_sim/reference/catalogue.py, BLH_EMPLOYMENT_SOCIAL): the
same institution as on the regional gateway R_Karaganda."""

UNITS: Mapping[str, str] = MappingProxyType({
    "management": "руководство",
    "records": "специалист по документоведению и работе с обращениями граждан",
    "employment": "ответственный исполнитель по регистрации безработных (кабинет N 6) [SYNTHETIC unit]",
    "veterans": "сектор по работе с ветеранами, инвалидами и малообеспеченными гражданами",
    "benefits": "сектор назначения и выплаты социальных пособий",
    "care": "ответственный исполнитель по специальным социальным услугам [SYNTHETIC unit]",
    "city_commission": "участковая комиссия, созданная решением акима города Балхаша",
    "special_commission": "специальная комиссия (рабочий орган — ГУ «Отдел занятости и социальных программ»)",
    "akim": "аким поселка",
    "akim_commission": "участковая комиссия, созданная решением акима поселка",
})


@dataclass(frozen=True)
class StaffMember:
    login: str
    role: str
    office: str
    unit: str
    position_ru: str
    surname: str
    given_name: str
    patronymic: str
    iin: str

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.given_name} {self.patronymic}"

    @property
    def short_name(self) -> str:
        """Surname and initials, as the талон and the расписка print them."""
        return f"{self.surname} {self.given_name[0]}.{self.patronymic[0]}."

    def to_json(self) -> dict:
        return {"login": self.login, "role": self.role, "office": self.office, "officeName": OFFICES[self.office].name_ru,
                "unit": self.unit, "unitName": UNITS[self.unit], "position": self.position_ru,
                "fullName": self.full_name, "iin": self.iin}


def _iin(login: str, born: dt.date, sex: str) -> str:
    serial = 7000 + int.from_bytes(hashlib.sha256(login.encode()).digest()[:2], "big") % 2000
    while (iin := make_iin(born, sex, serial)) is None:
        serial += 1
    return iin


_ROWS = (
    # login, role, office, unit, position, surname, name, patronymic, born, sex
    ("blh.head", HEAD, UO, "management", "Начальник ГУ «Отдел занятости и социальных программ города Балхаша»",
     "АМАНТАЕВ", "СЕРИК", "БОЛАТОВИЧ", dt.date(1966, 3, 12), "M"),
    ("blh.deputy", DEPUTY, UO, "management", "Заместитель начальника отдела", "ЕСЕНОВА", "ГАУХАР", "ТЕМИРХАНОВНА",
     dt.date(1974, 8, 2), "F"),
    ("blh.records", RECORDS, UO, "records", "Специалист по документоведению и работе с обращениями граждан",
     "ЖУНУСОВА", "АСЕЛЬ", "КАНАТОВНА", dt.date(1988, 1, 30), "F"),
    ("blh.employment.officer", OFFICER, UO, "employment", "Ответственный исполнитель (регистрация безработных)",
     "ИБРАЕВ", "ТИМУР", "АСКАРОВИЧ", dt.date(1985, 5, 5), "M"),
    ("blh.veterans.head", SECTOR_HEAD, UO, "veterans",
     "Заведующий сектором по работе с ветеранами, инвалидами и малообеспеченными гражданами",
     "КОВАЛЬ", "НАТАЛЬЯ", "ПЕТРОВНА", dt.date(1970, 11, 11), "F"),
    ("blh.veterans.specialist", OFFICER, UO, "veterans", "Специалист сектора по работе с ветеранами, инвалидами",
     "МУСИНА", "ЖАНАР", "ЕРКЕНОВНА", dt.date(1990, 6, 18), "F"),
    ("blh.veterans.specialist2", OFFICER, UO, "veterans", "Специалист сектора по работе с ветеранами, инвалидами",
     "ОСПАНОВ", "АЙДАР", "МАРАТОВИЧ", dt.date(1992, 2, 9), "M"),
    ("blh.benefits.head", SECTOR_HEAD, UO, "benefits", "Заведующий сектором назначения и выплаты социальных пособий",
     "БЕКТУРОВА", "САУЛЕ", "АМАНОВНА", dt.date(1972, 4, 4), "F"),
    ("blh.benefits.specialist", OFFICER, UO, "benefits", "Специалист сектора назначения и выплаты социальных пособий",
     "ДЮСЕНОВА", "АЙГЕРИМ", "БАХЫТОВНА", dt.date(1989, 9, 19), "F"),
    ("blh.care.officer", OFFICER, UO, "care", "Ответственный исполнитель (специальные социальные услуги)",
     "ПАК", "ЕЛЕНА", "ВЛАДИМИРОВНА", dt.date(1983, 12, 1), "F"),
    ("blh.commission", COMMISSION, UO, "city_commission", "Председатель участковой комиссии города Балхаша",
     "ТОКСАНБАЕВ", "ЕРБОЛ", "КУАНЫШЕВИЧ", dt.date(1969, 7, 7), "M"),
    ("blh.special_commission", SPECIAL_COMMISSION, UO, "special_commission", "Секретарь специальной комиссии",
     "ГАББАСОВА", "МАДИНА", "СЕРИКОВНА", dt.date(1986, 10, 10), "F"),
    ("konyrat.akim", AKIM, "AKIM_KONYRAT", "akim", "Аким поселка Конырат", "САРСЕНБАЕВ", "НУРЛАН", "ЖАКСЫЛЫКОВИЧ",
     dt.date(1968, 1, 8), "M"),
    ("konyrat.commission", AKIM_COMMISSION, "AKIM_KONYRAT", "akim_commission",
     "Председатель участковой комиссии поселка Конырат", "АБДИЕВА", "ГУЛЬМИРА", "ОРАЗОВНА", dt.date(1975, 3, 3), "F"),
    ("gulshat.akim", AKIM, "AKIM_GULSHAT", "akim", "Аким поселка Гульшат", "КУАНДЫКОВ", "БАУРЖАН", "ТУЛЕУОВИЧ",
     dt.date(1971, 5, 25), "M"),
    ("gulshat.commission", AKIM_COMMISSION, "AKIM_GULSHAT", "akim_commission",
     "Председатель участковой комиссии поселка Гульшат", "ИСАЕВА", "ЛЯЗЗАТ", "ЕРЛАНОВНА", dt.date(1980, 8, 8), "F"),
    ("sayak.akim", AKIM, "AKIM_SAYAK", "akim", "Аким поселка Саяк", "ОМАРОВ", "КАЙРАТ", "ДУЙСЕНОВИЧ",
     dt.date(1970, 2, 2), "M"),
    ("sayak.commission", AKIM_COMMISSION, "AKIM_SAYAK", "akim_commission",
     "Председатель участковой комиссии поселка Саяк", "ЖАКУПОВА", "РОЗА", "КАСЫМОВНА", dt.date(1977, 9, 9), "F"),
)

STAFF: Mapping[str, StaffMember] = MappingProxyType({
    r[0]: StaffMember(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], _iin(r[0], r[8], r[9])) for r in _ROWS})

SERVICE_UNITS: Mapping[str, tuple[int, ...]] = MappingProxyType({
    "employment": (1, 3), "veterans": (2, 4, 5, 8, 9, 10), "benefits": (6, 7, 11, 14, 15), "care": (12, 13),
})
"""Which services each unit renders (the §14 СФЕ lists; the service catalogue's ``unit``)."""


def head() -> StaffMember:
    return STAFF["blh.head"]


def ensure_account(accounts: Accounts, login: str) -> Account | None:
    """The account of ``login``, created from :data:`STAFF` on first use (hashing all at start
    would cost seconds)."""
    account = accounts.get(login)
    if account is None and login in STAFF:
        m = STAFF[login]
        try:
            account = accounts.create(m.login, PASSWORD, roles=(m.role,), owner=m.office)
        except InputError:  # another worker created it meanwhile
            account = accounts.get(login)
    return account
