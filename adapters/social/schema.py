"""The social registers' tables (component ``social``), and the errors every register raises.

Dates are ISO ``YYYY-MM-DD`` text, months ``YYYY-MM``, money decimal text in tenge ("15000.00")
so sums are exact; every write also goes to ``social_history`` with its actor and time.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from egov_sim.core.database import Schema, Transaction, to_db_time
from egov_sim.core.errors import InputError
from egov_sim.reference.iin import InvalidNumber, parse_iin
from egov_sim.reference.person import Person

SOCIAL_SCHEMA = Schema("social", (
    ("""CREATE TABLE social_unemployed (
            id {id},
            iin TEXT NOT NULL,
            card_number TEXT NOT NULL UNIQUE,
            registered_on TEXT NOT NULL,
            category TEXT NOT NULL,
            case_number TEXT,
            registered_by TEXT NOT NULL,
            deregistered_on TEXT,
            deregistration_reason TEXT,
            deregistered_by TEXT,
            created_at TEXT NOT NULL)""",
     "CREATE INDEX social_unemployed_iin ON social_unemployed (iin, registered_on)",
     """CREATE TABLE social_employment_events (
            id {id}, iin TEXT NOT NULL, kind TEXT NOT NULL, on_date TEXT NOT NULL,
            note TEXT, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_employment_events_iin ON social_employment_events (iin, on_date)",
     """CREATE TABLE social_households (
            id {id}, applicant_iin TEXT NOT NULL UNIQUE, address TEXT, created_by TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
     """CREATE TABLE social_members (
            iin TEXT PRIMARY KEY, household INTEGER NOT NULL REFERENCES social_households (id),
            relation TEXT NOT NULL, activity TEXT NOT NULL, cares_for TEXT, activity_since TEXT,
            recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_members_household ON social_members (household)",
     """CREATE TABLE social_incomes (
            id {id}, iin TEXT NOT NULL, month TEXT NOT NULL, kind TEXT NOT NULL, amount TEXT NOT NULL,
            recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE UNIQUE INDEX social_incomes_key ON social_incomes (iin, month, kind)",
     """CREATE TABLE social_housing_expenses (
            id {id}, household INTEGER NOT NULL REFERENCES social_households (id), month TEXT NOT NULL,
            kind TEXT NOT NULL, amount TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE UNIQUE INDEX social_housing_expenses_key ON social_housing_expenses (household, month, kind)",
     """CREATE TABLE social_disability (
            id {id}, iin TEXT NOT NULL, disability_group TEXT NOT NULL, cause TEXT NOT NULL,
            since TEXT NOT NULL, until TEXT, certificate_number TEXT,
            recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_disability_iin ON social_disability (iin, since)",
     """CREATE TABLE social_ipr (
            id {id}, iin TEXT NOT NULL, number TEXT NOT NULL, issued_on TEXT NOT NULL, valid_until TEXT,
            measures TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_ipr_iin ON social_ipr (iin, issued_on)",
     """CREATE TABLE social_contraindications (
            id {id}, iin TEXT NOT NULL, measure TEXT NOT NULL, since TEXT NOT NULL, until TEXT, note TEXT,
            recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_contraindications_iin ON social_contraindications (iin, measure)",
     """CREATE TABLE social_statuses (
            id {id}, iin TEXT NOT NULL, status TEXT NOT NULL, since TEXT NOT NULL, until TEXT,
            document TEXT, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_statuses_iin ON social_statuses (iin, status)",
     """CREATE TABLE social_compensations (
            id {id}, iin TEXT NOT NULL, kind TEXT NOT NULL, paid_on TEXT NOT NULL, amount TEXT NOT NULL,
            reference TEXT, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE INDEX social_compensations_iin ON social_compensations (iin, kind)",
     """CREATE TABLE social_assignments (
            id {id}, number TEXT NOT NULL UNIQUE, service INTEGER NOT NULL, iin TEXT NOT NULL,
            case_number TEXT, starts_on TEXT NOT NULL, ends_on TEXT, monthly_amount TEXT,
            status TEXT NOT NULL, status_on TEXT NOT NULL, ground TEXT, detail TEXT NOT NULL DEFAULT '{}',
            recorded_by TEXT NOT NULL, created_at TEXT NOT NULL)""",
     "CREATE INDEX social_assignments_iin ON social_assignments (iin, service)",
     "CREATE UNIQUE INDEX social_assignments_case ON social_assignments (case_number)",
     """CREATE TABLE social_confirmations (
            id {id}, assignment INTEGER NOT NULL REFERENCES social_assignments (id), quarter TEXT NOT NULL,
            confirmed_on TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}',
            recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
     "CREATE UNIQUE INDEX social_confirmations_key ON social_confirmations (assignment, quarter)",
     """CREATE TABLE social_history (
            id {id}, register TEXT NOT NULL, subject TEXT NOT NULL, action TEXT NOT NULL,
            actor TEXT NOT NULL, at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}')""",
     "CREATE INDEX social_history_subject ON social_history (subject, id)",
     """CREATE TABLE social_counters (
            kind TEXT NOT NULL, year INTEGER NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (kind, year))""",
     """CREATE TABLE social_seeded (key TEXT PRIMARY KEY, at TEXT NOT NULL)"""),
))


class RegisterError(InputError):
    """Bad input to a register; ``field`` names the JSON field (``incomes[2].amount``)."""

    code = "REGISTER_INPUT"
    status = 422

    def __init__(self, field: str, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(f"{field}: {message}", code=code)
        self.field = field
        if status is not None:
            self.status = status


class RegisterConflict(RegisterError):
    code = "REGISTER_CONFLICT"
    status = 409


class PersonLookup(Protocol):
    """Where the registers find persons by IIN: ГБД ФЛ (``adapters.gbd_fl.PersonRegistry``)."""

    def get(self, iin: str) -> Person | None: ...


def check_iin(value: Any, field: str = "iin") -> str:
    if not isinstance(value, str):
        raise RegisterError(field, "must be a 12-digit IIN string", code="INVALID_IIN")
    try:
        return parse_iin(value).iin
    except InvalidNumber as exc:
        raise RegisterError(field, str(exc), code="INVALID_IIN") from None


def person_of(persons: PersonLookup, iin: Any, field: str = "iin") -> Person:
    """The ГБД ФЛ record of a valid IIN, or an error naming the field."""
    iin = check_iin(iin, field)
    person = persons.get(iin)
    if person is None:
        raise RegisterError(field, f"{iin} is not in ГБД ФЛ", code="PERSON_NOT_FOUND", status=404)
    return person


def check_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RegisterError(field, f"must be a date YYYY-MM-DD, got {value!r}", code="INVALID_DATE") from None


def optional_date(value: Any, field: str) -> dt.date | None:
    return None if value in (None, "") else check_date(value, field)


def check_month(value: Any, field: str) -> str:
    text = str(value)
    try:
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise RegisterError(field, f"must be a month YYYY-MM, got {value!r}", code="INVALID_MONTH") from None
    if len(text) != 7:
        raise RegisterError(field, f"must be a month YYYY-MM, got {value!r}", code="INVALID_MONTH")
    return text


def check_amount(value: Any, field: str) -> Decimal:
    if isinstance(value, bool):
        raise RegisterError(field, "must be an amount in tenge", code="INVALID_AMOUNT")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RegisterError(field, f"must be an amount in tenge, got {value!r}", code="INVALID_AMOUNT") from None
    if not amount.is_finite() or amount < 0:
        raise RegisterError(field, "must be a non-negative amount in tenge", code="INVALID_AMOUNT")
    if amount != amount.quantize(Decimal("0.01")):
        raise RegisterError(field, "has more than two decimals (tiyn)", code="INVALID_AMOUNT")
    return amount.quantize(Decimal("0.01"))


def check_choice(value: Any, field: str, choices) -> str:
    if value not in choices:
        raise RegisterError(field, f"must be one of {', '.join(choices)}, got {value!r}", code="INVALID_CHOICE")
    return value


def record(tx: Transaction, register: str, subject: str, action: str, actor: str, at: dt.datetime,
           detail: dict | None = None) -> None:
    """One line of the registers' history: who changed what, when."""
    tx.execute("INSERT INTO social_history (register, subject, action, actor, at, detail)"
               " VALUES (?, ?, ?, ?, ?, ?)",
               (register, subject, action, actor, to_db_time(at),
                json.dumps(detail or {}, ensure_ascii=False, default=str)))


def next_number(tx: Transaction, kind: str, year: int) -> int:
    """The next number of ``kind`` in ``year`` (the UPDATE first, so PostgreSQL locks the row)."""
    # Create the row if it is missing without racing another writer (both engines know ON CONFLICT),
    # then increment it: the UPDATE holds the row until the commit, so no two get one number.
    tx.execute("INSERT INTO social_counters (kind, year, value) VALUES (?, ?, 0) ON CONFLICT (kind, year) DO NOTHING",
               (kind, year))
    tx.execute("UPDATE social_counters SET value = value + 1 WHERE kind = ? AND year = ?", (kind, year))
    return int(tx.scalar("SELECT value FROM social_counters WHERE kind = ? AND year = ?", (kind, year)))


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
