"""The ЕНИС register of notarised powers of attorney, and the notaries who certified them.

A power of attorney keeps the parties' names as the notary recorded them (ЕНИС does not read
ГБД ФЛ when it answers), so the provider needs only this register. Status is not stored: it is
a function of the date asked about (``checkDate``), so one row answers correctly for any day.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any, Literal, Mapping

from egov_sim.core.database import Database, IntegrityError, Schema
from egov_sim.core.errors import InputError

from .notaries import Notary
from .scope import Scope, ServiceRef

PoaStatus = Literal["ACTIVE", "REVOKED", "EXPIRED"]

POA_SCHEMA = Schema(
    component="enis",
    steps=(
        (
            """CREATE TABLE notaries (
                license_number TEXT PRIMARY KEY,
                full_name TEXT NOT NULL,
                notarial_district TEXT NOT NULL,
                iin TEXT
            )""",
            """CREATE TABLE powers_of_attorney (
                poa_number TEXT PRIMARY KEY,
                registration_date TEXT NOT NULL,
                notary_license TEXT NOT NULL REFERENCES notaries (license_number),
                principal_iin TEXT NOT NULL,
                principal_surname TEXT NOT NULL,
                principal_name TEXT NOT NULL,
                principal_patronymic TEXT,
                principal_birth_date TEXT,
                attorney_iin TEXT NOT NULL,
                attorney_surname TEXT NOT NULL,
                attorney_name TEXT NOT NULL,
                attorney_patronymic TEXT,
                attorney_birth_date TEXT,
                valid_from TEXT NOT NULL,
                valid_to TEXT NOT NULL,
                revocation_date TEXT,
                general INTEGER NOT NULL,
                actions TEXT NOT NULL,
                services TEXT NOT NULL,
                substitution_allowed INTEGER NOT NULL,
                persona TEXT
            )""",
            "CREATE INDEX powers_of_attorney_parties ON powers_of_attorney (principal_iin, attorney_iin)",
            "CREATE INDEX powers_of_attorney_attorney ON powers_of_attorney (attorney_iin)",
            """CREATE TABLE enis_seeding (
                id INTEGER PRIMARY KEY,
                seed INTEGER NOT NULL,
                poa_count INTEGER NOT NULL,
                anchor_date TEXT NOT NULL,
                seeded_at TEXT NOT NULL
            )""",
        ),
    ),
)


class PoaNotFound(InputError):
    code = "POA_NOT_FOUND"


@dataclass(frozen=True)
class Party:
    """The principal (доверитель) or the attorney (поверенный), as the notary recorded them."""

    iin: str
    surname: str
    name: str
    patronymic: str | None = None
    birth_date: dt.date | None = None

    @classmethod
    def of(cls, person) -> Party:
        """From a ГБД ФЛ ``Person``."""
        return cls(person.iin, person.surname, person.name, person.patronymic,
                   _as_date(person.birth_date))


@dataclass(frozen=True)
class PowerOfAttorney:
    number: str
    registration_date: dt.date
    notary: Notary
    principal: Party
    attorney: Party
    valid_from: dt.date
    valid_to: dt.date
    scope: Scope
    substitution_allowed: bool = False
    revocation_date: dt.date | None = None
    persona: str | None = None
    """Key of the scenario persona this record was seeded for (None for the population)."""

    def status_on(self, day: dt.date) -> PoaStatus | None:
        """The status on ``day``; None when the power of attorney did not exist yet."""
        if day < self.registration_date or day < self.valid_from:
            return None
        if self.revocation_date is not None and self.revocation_date <= day:
            return "REVOKED"
        if day > self.valid_to:
            return "EXPIRED"
        return "ACTIVE"


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value))


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


_SELECT = ("SELECT p.*, n.full_name AS notary_full_name, n.notarial_district AS notary_district,"
           " n.iin AS notary_iin FROM powers_of_attorney p"
           " JOIN notaries n ON n.license_number = p.notary_license")


def _party(row: Mapping[str, Any], role: str) -> Party:
    return Party(row[f"{role}_iin"], row[f"{role}_surname"], row[f"{role}_name"],
                 row[f"{role}_patronymic"], _as_date(row[f"{role}_birth_date"]))


def _from_row(row: Mapping[str, Any]) -> PowerOfAttorney:
    services = tuple(ServiceRef(s["code"], s.get("name")) for s in json.loads(row["services"]))
    return PowerOfAttorney(
        number=row["poa_number"],
        registration_date=_as_date(row["registration_date"]),
        notary=Notary(row["notary_license"], row["notary_full_name"], row["notary_district"],
                      row["notary_iin"]),
        principal=_party(row, "principal"),
        attorney=_party(row, "attorney"),
        valid_from=_as_date(row["valid_from"]),
        valid_to=_as_date(row["valid_to"]),
        scope=Scope(bool(row["general"]), tuple(json.loads(row["actions"])), services),
        substitution_allowed=bool(row["substitution_allowed"]),
        revocation_date=_as_date(row["revocation_date"]),
        persona=row["persona"],
    )


def _to_row(poa: PowerOfAttorney) -> dict[str, Any]:
    row = {
        "poa_number": poa.number,
        "registration_date": _iso(poa.registration_date),
        "notary_license": poa.notary.license_number,
        "valid_from": _iso(poa.valid_from),
        "valid_to": _iso(poa.valid_to),
        "revocation_date": _iso(poa.revocation_date),
        "general": poa.scope.general,
        "actions": json.dumps(list(poa.scope.actions), ensure_ascii=False),
        "services": json.dumps([{"code": s.code, "name": s.name} for s in poa.scope.services],
                               ensure_ascii=False),
        "substitution_allowed": poa.substitution_allowed,
        "persona": poa.persona,
    }
    for role, party in (("principal", poa.principal), ("attorney", poa.attorney)):
        row.update({f"{role}_iin": party.iin, f"{role}_surname": party.surname,
                    f"{role}_name": party.name, f"{role}_patronymic": party.patronymic,
                    f"{role}_birth_date": _iso(party.birth_date)})
    return row


def _insert_sql(row: Mapping[str, Any]) -> str:
    return (f"INSERT INTO powers_of_attorney ({', '.join(row)})"
            f" VALUES ({', '.join(':' + c for c in row)})")


class PoaRegistry:
    """Reads and writes the register on a :class:`Database` the caller opens and closes."""

    def __init__(self, db: Database):
        self.db = db
        db.migrate(POA_SCHEMA)

    # -- notaries ------------------------------------------------------------------------------

    def put_notary(self, notary: Notary) -> None:
        """Register a notary, or update the name and district of a registered licence."""
        self.db.execute(
            "INSERT INTO notaries (license_number, full_name, notarial_district, iin)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (license_number) DO UPDATE SET"
            " full_name = excluded.full_name, notarial_district = excluded.notarial_district,"
            " iin = excluded.iin",
            (notary.license_number, notary.full_name, notary.notarial_district, notary.iin))

    def notary(self, license_number: str) -> Notary | None:
        row = self.db.query_one("SELECT * FROM notaries WHERE license_number = ?", (license_number,))
        return None if row is None else Notary(row["license_number"], row["full_name"],
                                               row["notarial_district"], row["iin"])

    def notaries(self) -> list[Notary]:
        return [Notary(r["license_number"], r["full_name"], r["notarial_district"], r["iin"])
                for r in self.db.query("SELECT * FROM notaries ORDER BY license_number")]

    # -- powers of attorney --------------------------------------------------------------------

    def add(self, poa: PowerOfAttorney) -> PowerOfAttorney:
        """Register a new power of attorney (its notary must be registered)."""
        _check(poa)
        row = _to_row(poa)
        try:
            with self.db.transaction() as tx:
                if not tx.query_one("SELECT 1 AS x FROM notaries WHERE license_number = ?",
                                    (poa.notary.license_number,)):
                    raise InputError(f"notary licence {poa.notary.license_number} is not registered",
                                     code="NOTARY_NOT_FOUND")
                tx.execute(_insert_sql(row), row)
        except IntegrityError:
            raise InputError(f"power of attorney {poa.number} already exists",
                             code="POA_EXISTS") from None
        return poa

    def get(self, number: str) -> PowerOfAttorney | None:
        row = self.db.query_one(f"{_SELECT} WHERE p.poa_number = ?", (number.strip(),))
        return None if row is None else _from_row(row)

    def between(self, principal_iin: str, attorney_iin: str) -> list[PowerOfAttorney]:
        """Every power of attorney from ``principal_iin`` to ``attorney_iin``, newest first."""
        rows = self.db.query(f"{_SELECT} WHERE p.principal_iin = ? AND p.attorney_iin = ?"
                             " ORDER BY p.registration_date DESC, p.poa_number DESC",
                             (principal_iin, attorney_iin))
        return [_from_row(r) for r in rows]

    def list(self, *, iin: str | None = None, persona_only: bool = False, limit: int = 50,
             offset: int = 0) -> list[PowerOfAttorney]:
        """Newest first; ``iin`` matches either party."""
        clauses, params = [], []
        if iin:
            clauses.append("(p.principal_iin = ? OR p.attorney_iin = ?)")
            params += [iin, iin]
        if persona_only:
            clauses.append("p.persona IS NOT NULL")
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.db.query(f"{_SELECT}{where} ORDER BY p.registration_date DESC, p.poa_number"
                             " LIMIT ? OFFSET ?", [*params, limit, offset])
        return [_from_row(r) for r in rows]

    def count(self) -> int:
        return int(self.db.scalar("SELECT COUNT(*) AS n FROM powers_of_attorney"))

    def revoke(self, number: str, on: dt.date) -> PowerOfAttorney:
        """Record the principal's revocation (отмена доверенности) as of ``on``."""
        with self.db.transaction():
            poa = self.get(number)
            if poa is None:
                raise PoaNotFound(f"no power of attorney {number}")
            if poa.revocation_date is not None:
                raise InputError(f"power of attorney {number} was already revoked on "
                                 f"{poa.revocation_date}", code="POA_ALREADY_REVOKED")
            if on < poa.registration_date:
                raise InputError(f"revocation date {on} is before the registration date "
                                 f"{poa.registration_date}", code="BAD_DATE")
            self.db.execute("UPDATE powers_of_attorney SET revocation_date = ? WHERE poa_number = ?",
                            (on.isoformat(), poa.number))
        return replace(poa, revocation_date=on)

    # -- seeding marker ------------------------------------------------------------------------

    def seeding(self) -> dict[str, Any] | None:
        """How the register was seeded (seed, count, anchor date), or None when it was not."""
        return self.db.query_one("SELECT seed, poa_count, anchor_date, seeded_at FROM enis_seeding"
                                 " WHERE id = 1")


def _check(poa: PowerOfAttorney) -> None:
    from egov_sim.reference.iin import is_valid_iin

    for role, party in (("principal", poa.principal), ("attorney", poa.attorney)):
        if not is_valid_iin(party.iin):
            raise InputError(f"{role} IIN {party.iin!r} is not a valid IIN", code="INVALID_IIN")
    if poa.principal.iin == poa.attorney.iin:
        raise InputError("the principal and the attorney must be different persons",
                         code="SAME_PARTY")
    if poa.valid_to < poa.valid_from:
        raise InputError(f"valid to {poa.valid_to} is before valid from {poa.valid_from}",
                         code="BAD_DATE")
    if not poa.number.strip():
        raise InputError("a power of attorney needs a number", code="BAD_POA_NUMBER")
