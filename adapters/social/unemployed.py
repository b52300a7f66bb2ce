"""The register of unemployed citizens: the картотека of service 1.

Service 1 (§11, Table 1): the officer checks the applicant "по картотеке в системе центральной
базы данных" and enters the "карточка персонального учета" into the "компьютерная база данных";
the registration is the result "в электронном виде". Service 3 refuses a certificate to a
person who is not in it (§11); services 6 and 7 read it for the employment condition (S6 §10
item 1, S7 п.10 items 2-3), together with the events of active employment-promotion measures
kept here (offers refused, training quit, a written refusal, a social contract).

A person has at most one open registration (a card without a deregistration date). A
registration is in force from ``registered_on`` up to the day before ``deregistered_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from egov_sim.core.clock import Clock
from egov_sim.core.database import Database, to_db_time
from egov_sim.reference.balkhash_services import CATEGORIES

from .schema import (
    PersonLookup,
    RegisterConflict,
    RegisterError,
    check_choice,
    check_date,
    day,
    next_number,
    person_of,
    record,
)

EVENT_KINDS = {
    "OFFER_REFUSED": "отказ без уважительных причин от предложенной работы (в т.ч. социальное рабочее место, "
                     "общественные работы)",
    "TRAINING_REFUSED": "отказ от профессиональной подготовки, переподготовки, повышения квалификации",
    "QUIT_WITHOUT_REASON": "самовольное прекращение участия в работе или обучении",
    "MEASURES_REFUSED_IN_WRITING": "письменный отказ от участия в активных мерах содействия занятости",
    "SOCIAL_CONTRACT": "заключен социальный контракт (участие в активных мерах содействия занятости)",
}
"""Service 7 п.10 items 2-3 and п.13 item 6 (kinds SYNTHETIC, wording the seed's)."""


@dataclass(frozen=True)
class Registration:
    id: int
    iin: str
    card_number: str
    registered_on: dt.date
    category: str
    case_number: str | None
    registered_by: str
    deregistered_on: dt.date | None
    deregistration_reason: str | None

    def in_force_on(self, on: dt.date) -> bool:
        return self.registered_on <= on and (self.deregistered_on is None or on < self.deregistered_on)

    def to_json(self) -> dict:
        return {"iin": self.iin, "cardNumber": self.card_number, "registeredOn": self.registered_on.isoformat(),
                "category": self.category, "caseNumber": self.case_number, "registeredBy": self.registered_by,
                "deregisteredOn": self.deregistered_on.isoformat() if self.deregistered_on else None,
                "deregistrationReason": self.deregistration_reason}


@dataclass(frozen=True)
class EmploymentEvent:
    id: int
    iin: str
    kind: str
    on_date: dt.date
    note: str | None
    recorded_by: str

    def to_json(self) -> dict:
        return {"id": self.id, "iin": self.iin, "kind": self.kind, "textRu": EVENT_KINDS[self.kind],
                "onDate": self.on_date.isoformat(), "note": self.note, "recordedBy": self.recorded_by}


def _registration(row: dict) -> Registration:
    return Registration(int(row["id"]), row["iin"], row["card_number"], day(row["registered_on"]),
                        row["category"], row["case_number"], row["registered_by"], day(row["deregistered_on"]),
                        row["deregistration_reason"])


class UnemployedRegister:
    def __init__(self, db: Database, persons: PersonLookup, clock: Clock):
        self.db, self.persons, self.clock = db, persons, clock

    def register(self, iin: str, registered_on, *, actor: str, category: str = "citizen",
                 case_number: str | None = None) -> Registration:
        """Enter the карточка персонального учета; a person already registered is a conflict."""
        person_of(self.persons, iin)
        on = check_date(registered_on, "registeredOn")
        check_choice(category, "category", CATEGORIES)
        with self.db.transaction() as tx:
            current = self._open(tx, iin)
            if current is not None:
                raise RegisterConflict("iin", f"{iin} is already registered as unemployed (card "
                                       f"{current.card_number} of {current.registered_on.isoformat()})",
                                       code="ALREADY_REGISTERED")
            card = f"BLH-KPU-{on.year}-{next_number(tx, 'unemployed_card', on.year):06d}"
            new_id = tx.insert(
                "INSERT INTO social_unemployed (iin, card_number, registered_on, category, case_number,"
                " registered_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (iin, card, on.isoformat(), category, case_number, actor, to_db_time(self.clock())))
            record(tx, "unemployed", iin, "register", actor, self.clock(),
                   {"cardNumber": card, "registeredOn": on.isoformat(), "caseNumber": case_number})
            return _registration(tx.query_one("SELECT * FROM social_unemployed WHERE id = ?", (new_id,)))

    def deregister(self, iin: str, on, *, reason: str, actor: str) -> Registration:
        on = check_date(on, "deregisteredOn")
        if not reason or not str(reason).strip():
            raise RegisterError("reason", "is required")
        with self.db.transaction() as tx:
            current = self._open(tx, iin)
            if current is None:
                raise RegisterError("iin", f"{iin} is not registered as unemployed", code="NOT_REGISTERED",
                                    status=404)
            if on < current.registered_on:
                raise RegisterError("deregisteredOn", f"is before the registration ({current.registered_on})")
            tx.execute("UPDATE social_unemployed SET deregistered_on = ?, deregistration_reason = ?,"
                       " deregistered_by = ? WHERE id = ?", (on.isoformat(), reason, actor, current.id))
            record(tx, "unemployed", iin, "deregister", actor, self.clock(),
                   {"cardNumber": current.card_number, "deregisteredOn": on.isoformat(), "reason": reason})
            return _registration(tx.query_one("SELECT * FROM social_unemployed WHERE id = ?", (current.id,)))

    @staticmethod
    def _open(executor, iin: str) -> Registration | None:
        row = executor.query_one("SELECT * FROM social_unemployed WHERE iin = ? AND deregistered_on IS NULL",
                                 (iin,))
        return None if row is None else _registration(row)

    def registrations(self, iin: str) -> list[Registration]:
        rows = self.db.query("SELECT * FROM social_unemployed WHERE iin = ? ORDER BY registered_on, id", (iin,))
        return [_registration(r) for r in rows]

    def status_on(self, iin: str, on: dt.date) -> Registration | None:
        """The registration in force on ``on``, or None (the check of services 3, 6, 7)."""
        return next((r for r in self.registrations(iin) if r.in_force_on(on)), None)

    def all(self, *, on: dt.date | None = None, limit: int = 200, offset: int = 0) -> list[Registration]:
        rows = self.db.query("SELECT * FROM social_unemployed ORDER BY id LIMIT ? OFFSET ?", (limit, offset))
        found = [_registration(r) for r in rows]
        return [r for r in found if r.in_force_on(on)] if on else found

    # --- active employment-promotion measures ------------------------------------------------------

    def add_event(self, iin: str, kind: str, on_date, *, actor: str, note: str | None = None) -> EmploymentEvent:
        person_of(self.persons, iin)
        check_choice(kind, "kind", tuple(EVENT_KINDS))
        on = check_date(on_date, "onDate")
        with self.db.transaction() as tx:
            new_id = tx.insert("INSERT INTO social_employment_events (iin, kind, on_date, note, recorded_by,"
                               " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                               (iin, kind, on.isoformat(), note, actor, to_db_time(self.clock())))
            record(tx, "unemployed", iin, "event", actor, self.clock(), {"kind": kind, "onDate": on.isoformat()})
        return EmploymentEvent(new_id, iin, kind, on, note, actor)

    def events(self, iin: str, *, since: dt.date | None = None, until: dt.date | None = None) -> list[EmploymentEvent]:
        rows = self.db.query("SELECT * FROM social_employment_events WHERE iin = ? ORDER BY on_date, id", (iin,))
        out = [EmploymentEvent(int(r["id"]), r["iin"], r["kind"], day(r["on_date"]), r["note"], r["recorded_by"])
               for r in rows]
        return [e for e in out if (since is None or e.on_date >= since) and (until is None or e.on_date <= until)]
