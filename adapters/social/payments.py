"""Payments and decisions already made: compensations paid, and assignments with their periods.

Service 2 refuses "если проверкой выявлено, что компенсационные выплаты … уже выплачены": the
one-time compensation (ПП No. 110, outside the seed) is recorded here when paid. Services 6,
7, 11, 14 and 15 assign a benefit for a period; services 6 and 7 are re-confirmed every quarter
("ежеквартально подтверждается представлением документов о доходах"); service 6 names the
grounds that terminate a benefit; services 11 and 15 can suspend one. Each assignment refers
to the department's case that decided it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from egov_sim.core.clock import Clock
from egov_sim.core.database import Database, IntegrityError, to_db_time

from .schema import (
    PersonLookup,
    RegisterConflict,
    RegisterError,
    check_amount,
    check_choice,
    check_date,
    day,
    next_number,
    optional_date,
    person_of,
    record,
)

ACTIVE, SUSPENDED, TERMINATED, NOT_CONFIRMED = "ACTIVE", "SUSPENDED", "TERMINATED", "NOT_CONFIRMED"
STATUSES = (ACTIVE, SUSPENDED, TERMINATED, NOT_CONFIRMED)
COMPENSATION_KINDS = ("SEMIPALATINSK",)


def quarter_of(day_: dt.date) -> str:
    return f"{day_.year}Q{(day_.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of "2013Q1"."""
    try:
        year, q = int(quarter[:4]), int(quarter[5:])
        if quarter[4] != "Q" or not 1 <= q <= 4 or len(quarter) != 6:
            raise ValueError
    except (ValueError, IndexError):
        raise RegisterError("quarter", f"must be like 2013Q1, got {quarter!r}", code="INVALID_QUARTER") from None
    first = dt.date(year, 3 * q - 2, 1)
    last = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return first, last


@dataclass(frozen=True)
class Compensation:
    id: int
    iin: str
    kind: str
    paid_on: dt.date
    amount: Decimal
    reference: str | None

    def to_json(self) -> dict:
        return {"id": self.id, "iin": self.iin, "kind": self.kind, "paidOn": self.paid_on.isoformat(),
                "amount": str(self.amount), "reference": self.reference}


@dataclass(frozen=True)
class Assignment:
    id: int
    number: str
    service: int
    iin: str
    case_number: str | None
    starts_on: dt.date
    ends_on: dt.date | None
    monthly_amount: Decimal | None
    status: str
    status_on: dt.date
    ground: str | None
    detail: dict
    confirmations: tuple[dict, ...] = ()

    def to_json(self) -> dict:
        return {"number": self.number, "service": self.service, "iin": self.iin, "caseNumber": self.case_number,
                "startsOn": self.starts_on.isoformat(), "endsOn": self.ends_on.isoformat() if self.ends_on else None,
                "monthlyAmount": str(self.monthly_amount) if self.monthly_amount is not None else None,
                "status": self.status, "statusOn": self.status_on.isoformat(), "ground": self.ground,
                "detail": self.detail, "confirmations": list(self.confirmations)}


class Payments:
    def __init__(self, db: Database, persons: PersonLookup, clock: Clock):
        self.db, self.persons, self.clock = db, persons, clock

    # --- compensations -------------------------------------------------------------------------

    def record_compensation(self, iin: str, *, paid_on, amount, actor: str, kind: str = "SEMIPALATINSK",
                            reference: str | None = None) -> Compensation:
        person_of(self.persons, iin)
        check_choice(kind, "kind", COMPENSATION_KINDS)
        paid = check_date(paid_on, "paidOn")
        value = check_amount(amount, "amount")
        with self.db.transaction() as tx:
            new_id = tx.insert("INSERT INTO social_compensations (iin, kind, paid_on, amount, reference, recorded_by,"
                               " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (iin, kind, paid.isoformat(), str(value), reference, actor, to_db_time(self.clock())))
            record(tx, "payments", iin, "compensation", actor, self.clock(),
                   {"kind": kind, "paidOn": paid.isoformat(), "amount": str(value)})
        return Compensation(new_id, iin, kind, paid, value, reference)

    def compensations(self, iin: str, kind: str | None = None) -> list[Compensation]:
        rows = self.db.query("SELECT * FROM social_compensations WHERE iin = ? ORDER BY paid_on, id", (iin,))
        out = [Compensation(int(r["id"]), r["iin"], r["kind"], day(r["paid_on"]), Decimal(r["amount"]), r["reference"])
               for r in rows]
        return [c for c in out if kind is None or c.kind == kind]

    # --- assignments ---------------------------------------------------------------------------

    def _assignment(self, row: dict, executor=None) -> Assignment:
        confirmations = tuple(
            {"quarter": c["quarter"], "confirmedOn": c["confirmed_on"], "outcome": c["outcome"],
             "detail": json.loads(c["detail"] or "{}"), "recordedBy": c["recorded_by"]}
            for c in (executor or self.db).query(
                "SELECT * FROM social_confirmations WHERE assignment = ? ORDER BY quarter", (row["id"],)))
        return Assignment(int(row["id"]), row["number"], int(row["service"]), row["iin"], row["case_number"],
                          day(row["starts_on"]), day(row["ends_on"]),
                          Decimal(row["monthly_amount"]) if row["monthly_amount"] is not None else None,
                          row["status"], day(row["status_on"]), row["ground"], json.loads(row["detail"] or "{}"),
                          confirmations)

    def assign(self, *, service: int, iin: str, case_number: str, starts_on, ends_on=None, monthly_amount=None,
               detail: dict | None = None, actor: str) -> Assignment:
        """Record what a decision granted; the same case assigns once (a retry returns it)."""
        person_of(self.persons, iin)
        start = check_date(starts_on, "startsOn")
        end = optional_date(ends_on, "endsOn")
        amount = None if monthly_amount is None else check_amount(monthly_amount, "monthlyAmount")
        try:
            with self.db.transaction() as tx:
                row = tx.query_one("SELECT * FROM social_assignments WHERE case_number = ?", (case_number,))
                if row is not None:
                    return self._assignment(row, tx)
                number = f"BLH-NZN-{start.year}-{next_number(tx, 'assignment', start.year):06d}"
                new_id = tx.insert(
                    "INSERT INTO social_assignments (number, service, iin, case_number, starts_on, ends_on,"
                    " monthly_amount, status, status_on, detail, recorded_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (number, service, iin, case_number, start.isoformat(), end.isoformat() if end else None,
                     str(amount) if amount is not None else None, ACTIVE, start.isoformat(),
                     json.dumps(detail or {}, ensure_ascii=False, default=str), actor, to_db_time(self.clock())))
                record(tx, "payments", iin, "assign", actor, self.clock(),
                       {"number": number, "service": service, "caseNumber": case_number})
                return self._assignment(tx.query_one("SELECT * FROM social_assignments WHERE id = ?", (new_id,)), tx)
        except IntegrityError:
            existing = self.by_case(case_number)
            if existing is None:
                raise
            return existing

    def get(self, number: str) -> Assignment | None:
        row = self.db.query_one("SELECT * FROM social_assignments WHERE number = ?", (number,))
        return None if row is None else self._assignment(row)

    def by_case(self, case_number: str) -> Assignment | None:
        row = self.db.query_one("SELECT * FROM social_assignments WHERE case_number = ?", (case_number,))
        return None if row is None else self._assignment(row)

    def for_person(self, iin: str) -> list[Assignment]:
        return [self._assignment(r) for r in self.db.query(
            "SELECT * FROM social_assignments WHERE iin = ? ORDER BY starts_on, id", (iin,))]

    def list(self, *, service: int | None = None, status: str | None = None, limit: int = 200,
             offset: int = 0) -> list[Assignment]:
        sql, params = "SELECT * FROM social_assignments WHERE 1 = 1", list[Any]()
        if service is not None:
            sql += " AND service = ?"
            params.append(service)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        sql += " ORDER BY id LIMIT ? OFFSET ?"
        return [self._assignment(r) for r in self.db.query(sql, [*params, limit, offset])]

    def _change(self, number: str, *, expect: tuple[str, ...], status: str, on: dt.date, ground: str | None,
                actor: str, action: str, ends_on: dt.date | None = None, detail: dict | None = None) -> Assignment:
        with self.db.transaction() as tx:
            row = tx.query_one("SELECT * FROM social_assignments WHERE number = ?", (number,))
            if row is None:
                raise RegisterError("number", f"no assignment {number}", code="NOT_FOUND", status=404)
            if row["status"] not in expect:
                raise RegisterConflict("status", f"assignment {number} is {row['status']}; {action} needs "
                                       f"{' or '.join(expect)}", code="WRONG_STATUS")
            if on < day(row["starts_on"]):
                raise RegisterError("on", f"is before the assignment starts ({row['starts_on']})")
            tx.execute("UPDATE social_assignments SET status = ?, status_on = ?, ground = ?, ends_on = ?"
                       " WHERE id = ?", (status, on.isoformat(), ground,
                                         (ends_on or on).isoformat() if status in (TERMINATED, NOT_CONFIRMED)
                                         else row["ends_on"], row["id"]))
            record(tx, "payments", row["iin"], action, actor, self.clock(),
                   {"number": number, "on": on.isoformat(), "ground": ground, **(detail or {})})
            return self._assignment(tx.query_one("SELECT * FROM social_assignments WHERE id = ?", (row["id"],)), tx)

    def terminate(self, number: str, *, on, ground: str, actor: str, detail: dict | None = None) -> Assignment:
        return self._change(number, expect=(ACTIVE, SUSPENDED), status=TERMINATED, on=check_date(on, "on"),
                            ground=ground, actor=actor, action="terminate", detail=detail)

    def suspend(self, number: str, *, on, ground: str, actor: str) -> Assignment:
        return self._change(number, expect=(ACTIVE,), status=SUSPENDED, on=check_date(on, "on"), ground=ground,
                            actor=actor, action="suspend")

    def resume(self, number: str, *, on, actor: str) -> Assignment:
        return self._change(number, expect=(SUSPENDED,), status=ACTIVE, on=check_date(on, "on"), ground=None,
                            actor=actor, action="resume")

    def confirm_quarter(self, number: str, *, quarter: str, confirmed_on, confirmed: bool, detail: dict,
                        actor: str) -> Assignment:
        """The quarterly re-confirmation: confirmed extends the assignment to the quarter's end;
        not confirmed ends it the day before the quarter begins (status NOT_CONFIRMED)."""
        first, last = quarter_bounds(quarter)
        on = check_date(confirmed_on, "confirmedOn")
        with self.db.transaction() as tx:
            row = tx.query_one("SELECT * FROM social_assignments WHERE number = ?", (number,))
            if row is None:
                raise RegisterError("number", f"no assignment {number}", code="NOT_FOUND", status=404)
            if row["status"] != ACTIVE:
                raise RegisterConflict("status", f"assignment {number} is {row['status']}", code="WRONG_STATUS")
            if tx.scalar("SELECT 1 FROM social_confirmations WHERE assignment = ? AND quarter = ?",
                         (row["id"], quarter)):
                raise RegisterConflict("quarter", f"{quarter} is already confirmed for {number}",
                                       code="ALREADY_CONFIRMED")
            tx.execute("INSERT INTO social_confirmations (assignment, quarter, confirmed_on, outcome, detail,"
                       " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (row["id"], quarter, on.isoformat(), "CONFIRMED" if confirmed else "NOT_CONFIRMED",
                        json.dumps(detail, ensure_ascii=False, default=str), actor, to_db_time(self.clock())))
            if confirmed:
                tx.execute("UPDATE social_assignments SET ends_on = ? WHERE id = ?", (last.isoformat(), row["id"]))
            else:
                end = max(first - dt.timedelta(days=1), day(row["starts_on"]))
                tx.execute("UPDATE social_assignments SET status = ?, status_on = ?, ground = ?, ends_on = ?"
                           " WHERE id = ?", (NOT_CONFIRMED, on.isoformat(), "QUARTER_NOT_CONFIRMED",
                                             end.isoformat(), row["id"]))
            record(tx, "payments", row["iin"], "confirm_quarter", actor, self.clock(),
                   {"number": number, "quarter": quarter, "confirmed": confirmed})
            return self._assignment(tx.query_one("SELECT * FROM social_assignments WHERE id = ?", (row["id"],)), tx)
