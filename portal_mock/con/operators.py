"""ЦОН offices, their operators and the operator's EDS (process 1 / K02, process 5 / K05).

The seed says only that "the State Corporation operator enters login and password into the
ИИС ЦОН АРМ" (002 §9.2). Everything concrete here is **SYNTHETIC**: the offices, the seeded
operator accounts and their passwords (documented in docs/con.md so QA can sign in), the State
Corporation's BIN. Accounts live in the shared ``Accounts`` realm ``con`` with the office code
as the account's ``owner``: the office decides which applications an operator may see.

The operator certifies the package with the EDS of a legal-entity employee of the State
Corporation (signatures.md §1, K05); the certificate is issued from the simulator's test PKI
the first time the operator signs and reused afterwards, as a real key file would be.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.auth import Account, Accounts
from egov_sim.core.database import Database, Schema
from egov_sim.reference.iin import make_bin, make_iin
from egov_sim.reference.person import PersonName
from egov_sim.reference.personas import CON_OPERATOR
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import ServiceIdentity, ServiceSigner, service_signer

REALM = "con"
ROLE = "operator"

STATE_CORPORATION_RU = 'НАО «Государственная корпорация «Правительство для граждан»» (SIM)'
STATE_CORPORATION_KZ = '«Азаматтарға арналған үкімет» мемлекеттік корпорациясы» КЕАҚ (SIM)'
STATE_CORPORATION_BIN = make_bin(2016, 3, 9101)
"""SYNTHETIC BIN of the State Corporation (a valid BIN, not the real one)."""


@dataclass(frozen=True)
class ConOffice:
    """A front office (отдел / ЦОН) of the State Corporation. SYNTHETIC codes and names."""

    code: str
    name_ru: str
    name_kz: str
    address: str
    region: str


OFFICES: Mapping[str, ConOffice] = MappingProxyType({o.code: o for o in (
    ConOffice("PVL-01", "ЦОН №1 города Павлодара (отдел филиала Госкорпорации по Павлодарской области)",
              "Павлодар қаласының №1 ХҚО (Мемлекеттік корпорацияның Павлодар облысы бойынша филиалының бөлімі)",
              "г. Павлодар, ул. Академика Бекетова, 61", "Павлодарская область"),
    ConOffice("PVL-02", "ЦОН №2 города Павлодара (отдел филиала Госкорпорации по Павлодарской области)",
              "Павлодар қаласының №2 ХҚО (Мемлекеттік корпорацияның Павлодар облысы бойынша филиалының бөлімі)",
              "г. Павлодар, ул. Кривенко, 25", "Павлодарская область"),
    ConOffice("KRG-BLH", "ЦОН города Балхаша (отдел филиала Госкорпорации по Карагандинской области)",
              "Балқаш қаласының ХҚО (Мемлекеттік корпорацияның Қарағанды облысы бойынша филиалының бөлімі)",
              "г. Балхаш, ул. Ленина, 10", "Карагандинская область"),
)})


@dataclass(frozen=True)
class Operator:
    """An operator of one ЦОН office and the identity their EDS certificate carries."""

    login: str
    office: str
    iin: str
    surname: str
    given_name: str
    patronymic: str | None = None

    @property
    def person_name(self) -> PersonName:
        return PersonName(self.surname, self.given_name, self.patronymic)

    @property
    def full_name(self) -> str:
        return self.person_name.full

    def to_json(self) -> dict:
        office = OFFICES.get(self.office)
        return {"login": self.login, "office": self.office, "iin": self.iin,
                "fullName": self.full_name,
                "officeName": office.name_ru if office else None}


def _iin(born: dt.date, sex: str, serial: int) -> str:
    """A valid IIN with a serial below 1000 (never generated for the ГБД ФЛ population)."""
    while (value := make_iin(born, sex, serial)) is None:
        serial += 1
    return value


@dataclass(frozen=True)
class SeedOperator:
    operator: Operator
    password: str


SEED_PASSWORD = "operator-secret"
"""SYNTHETIC password of every seeded operator account (docs/con.md)."""

SEED_OPERATORS: tuple[SeedOperator, ...] = (
    # The persona ``con_operator`` of ГБД ФЛ: the IIN of the operator's signing certificate.
    SeedOperator(Operator("pvl1.operator", "PVL-01", CON_OPERATOR, "АБДРАХМАНОВА", "МАДИНА",
                          "ЕРБОЛАТОВНА"), SEED_PASSWORD),
    SeedOperator(Operator("pvl2.operator", "PVL-02", _iin(dt.date(1991, 3, 14), "M", 951),
                          "ОСПАНОВ", "НУРЛАН", "КАИРБЕКОВИЧ"), SEED_PASSWORD),
    SeedOperator(Operator("blh.operator", "KRG-BLH", _iin(dt.date(1987, 11, 2), "F", 952),
                          "ЛИ", "ЕЛЕНА", "ВИКТОРОВНА"), SEED_PASSWORD),
)

OPERATORS_SCHEMA = Schema("con.operators", (
    """CREATE TABLE con_operators (
           login TEXT PRIMARY KEY, office TEXT NOT NULL, iin TEXT NOT NULL,
           surname TEXT NOT NULL, given_name TEXT NOT NULL, patronymic TEXT)""",
))


class Operators:
    """Operator profiles (office, IIN, name) beside their ``con`` accounts."""

    def __init__(self, db: Database, accounts: Accounts):
        db.migrate(OPERATORS_SCHEMA)
        self.db, self.accounts = db, accounts

    def add(self, operator: Operator, password: str, *, replace: bool = False) -> Operator:
        if operator.office not in OFFICES:
            raise ValueError(f"unknown ЦОН office {operator.office!r}")
        self.accounts.create(operator.login, password, roles=(ROLE,), owner=operator.office,
                             replace=replace)
        with self.db.transaction() as tx:
            tx.serialize(f"con_operators|{operator.login}")  # hosts seeding the same operator at once
            tx.execute("DELETE FROM con_operators WHERE login = ?", (operator.login,))
            tx.execute("INSERT INTO con_operators (login, office, iin, surname, given_name, patronymic)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (operator.login, operator.office, operator.iin, operator.surname,
                        operator.given_name, operator.patronymic))
        return operator

    def ensure_seeded(self, seeds: tuple[SeedOperator, ...] = SEED_OPERATORS) -> None:
        """Create the seeded operators that are missing; an existing account keeps its password."""
        for seed in seeds:
            if self.accounts.get(seed.operator.login) is None:
                self.add(seed.operator, seed.password, replace=True)

    def get(self, login: str) -> Operator | None:
        row = self.db.query_one("SELECT * FROM con_operators WHERE login = ?", (login,))
        if row is None:
            return None
        return Operator(row["login"], row["office"], row["iin"], row["surname"],
                        row["given_name"], row["patronymic"])

    def for_account(self, account: Account) -> Operator | None:
        """The operator behind a session's account; None for an account without a profile or role."""
        if ROLE not in account.roles:
            return None
        operator = self.get(account.login)
        if operator is None or operator.office != account.owner:
            return None
        return operator


def operator_identity(operator: Operator) -> ServiceIdentity:
    """The operator's certificate subject: an employee (IIN) of the State Corporation (BIN)."""
    stem = re.sub(r"[^a-z0-9-]+", "-", operator.login.lower()).strip("-")
    given = " ".join(p for p in (operator.given_name, operator.patronymic) if p)
    return ServiceIdentity(name=f"con-operator-{stem}-{operator.iin}",
                           organization=STATE_CORPORATION_RU, bin=STATE_CORPORATION_BIN,
                           employee_iin=operator.iin, surname=operator.surname, given_name=given)


def operator_signer(pki: TestPKI, operator: Operator) -> ServiceSigner:
    """The operator's SIGN key and certificate (issued on first use; blocking: call in a thread)."""
    return service_signer(pki, operator_identity(operator))
