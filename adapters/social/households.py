"""Households: members, their occupation, their incomes per month, the housing expenses.

Services 6 and 7 ask for "сведения о составе семьи" and "сведения о доходах членов семьи",
service 11 for the documents of the family's income and the bills for maintenance, utilities,
telephone and rent. The specialist enters them here; income.py computes from them. A person
belongs to at most one household; the applicant is its first member.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from egov_sim.core.clock import Clock
from egov_sim.core.database import Database, IntegrityError, to_db_time

from .schema import (
    PersonLookup,
    RegisterConflict,
    RegisterError,
    check_amount,
    check_choice,
    check_iin,
    check_month,
    day,
    optional_date,
    person_of,
    record,
)

RELATIONS = ("APPLICANT", "SPOUSE", "CHILD", "ADOPTED_CHILD", "WARD", "PARENT", "OTHER")
PARENT_RELATIONS = ("APPLICANT", "SPOUSE")
"""The members whose employment service 6 §10 item 1 checks ("трудоспособные родители
(усыновители)"), when they are adults: the applicant and the spouse [inferred]."""
CHILD_RELATIONS = ("CHILD", "ADOPTED_CHILD", "WARD")

ACTIVITIES = {
    "WORKING": "работает",
    "STUDENT_FULL_TIME": "учится по дневной (очной) форме обучения",
    "MILITARY_SERVICE": "служит в армии",
    "CARING": "занят уходом (за инвалидом I, II группы, ребенком-инвалидом, лицом старше 80 лет, ребенком)",
    "INPATIENT": "находится на стационарном лечении",
    "PENSIONER": "пенсионер",
    "CHILD": "ребенок (не достиг трудоспособного возраста)",
    "NOT_WORKING": "не работает",
}
INCOME_KINDS = ("SALARY", "PENSION", "BENEFIT", "UNEMPLOYMENT", "ALIMONY", "SUBSIDIARY_FARM", "OTHER")
EXPENSE_KINDS = {
    "MAINTENANCE": "взносы на содержание жилого дома",
    "UTILITIES": "коммунальные услуги",
    "TELECOM": "повышение абонентской платы за телефон",
    "RENT": "арендная плата за жилище, арендованное местным исполнительным органом",
    "METER": "стоимость однофазного счетчика электрической энергии",
}
"""Service 11 §1: what housing assistance partly reimburses (amounts within the маслихат's norms)."""


@dataclass(frozen=True)
class Member:
    iin: str
    relation: str
    activity: str
    cares_for: str | None
    activity_since: dt.date | None

    def to_json(self) -> dict:
        return {"iin": self.iin, "relation": self.relation, "activity": self.activity,
                "activityRu": ACTIVITIES[self.activity], "caresFor": self.cares_for,
                "activitySince": self.activity_since.isoformat() if self.activity_since else None}


@dataclass(frozen=True)
class Income:
    iin: str
    month: str
    kind: str
    amount: Decimal

    def to_json(self) -> dict:
        return {"iin": self.iin, "month": self.month, "kind": self.kind, "amount": str(self.amount)}


@dataclass(frozen=True)
class Expense:
    month: str
    kind: str
    amount: Decimal

    def to_json(self) -> dict:
        return {"month": self.month, "kind": self.kind, "kindRu": EXPENSE_KINDS[self.kind],
                "amount": str(self.amount)}


@dataclass(frozen=True)
class Household:
    id: int
    applicant_iin: str
    address: str | None
    members: tuple[Member, ...]
    incomes: tuple[Income, ...]
    expenses: tuple[Expense, ...]

    def member(self, iin: str) -> Member | None:
        return next((m for m in self.members if m.iin == iin), None)

    def to_json(self) -> dict:
        return {"id": self.id, "applicantIin": self.applicant_iin, "address": self.address,
                "members": [m.to_json() for m in self.members],
                "incomes": [i.to_json() for i in self.incomes],
                "housingExpenses": [e.to_json() for e in self.expenses]}


class Households:
    def __init__(self, db: Database, persons: PersonLookup, clock: Clock):
        self.db, self.persons, self.clock = db, persons, clock

    # --- reading -----------------------------------------------------------------------------

    def get(self, household_id: int) -> Household | None:
        row = self.db.query_one("SELECT * FROM social_households WHERE id = ?", (household_id,))
        if row is None:
            return None
        members = tuple(
            Member(r["iin"], r["relation"], r["activity"], r["cares_for"], day(r["activity_since"]))
            for r in self.db.query("SELECT * FROM social_members WHERE household = ? ORDER BY recorded_at, iin",
                                   (household_id,)))
        iins = [m.iin for m in members]
        incomes: list[Income] = []
        if iins:
            marks = ", ".join("?" for _ in iins)
            incomes = [Income(r["iin"], r["month"], r["kind"], Decimal(r["amount"])) for r in self.db.query(
                f"SELECT * FROM social_incomes WHERE iin IN ({marks}) ORDER BY month, iin, kind", iins)]
        expenses = tuple(Expense(r["month"], r["kind"], Decimal(r["amount"])) for r in self.db.query(
            "SELECT * FROM social_housing_expenses WHERE household = ? ORDER BY month, kind", (household_id,)))
        return Household(int(row["id"]), row["applicant_iin"], row["address"], members, tuple(incomes), expenses)

    def household_of(self, iin: str) -> Household | None:
        found = self.db.scalar("SELECT household FROM social_members WHERE iin = ?", (iin,))
        return None if found is None else self.get(int(found))

    def list(self, *, limit: int = 200, offset: int = 0) -> list[Household]:
        ids = [int(r["id"]) for r in self.db.query("SELECT id FROM social_households ORDER BY id LIMIT ? OFFSET ?",
                                                   (limit, offset))]
        return [h for h in (self.get(i) for i in ids) if h is not None]

    # --- writing -----------------------------------------------------------------------------

    def create(self, applicant_iin: str, *, actor: str, activity: str = "WORKING", address: str | None = None,
               cares_for: str | None = None, activity_since=None) -> Household:
        person = person_of(self.persons, applicant_iin, "applicantIin")
        check_choice(activity, "activity", tuple(ACTIVITIES))
        since = optional_date(activity_since, "activitySince")
        if address is None and person.reg_address is not None:
            a = person.reg_address
            address = ", ".join(p for p in (a.city, a.street, a.building and f"д. {a.building}",
                                            a.flat and f"кв. {a.flat}") if p)
        now = self.clock()
        try:
            with self.db.transaction() as tx:
                if tx.scalar("SELECT household FROM social_members WHERE iin = ?", (applicant_iin,)) is not None:
                    raise RegisterConflict("applicantIin", f"{applicant_iin} already belongs to a household",
                                           code="ALREADY_IN_HOUSEHOLD")
                hid = tx.insert("INSERT INTO social_households (applicant_iin, address, created_by, created_at)"
                                " VALUES (?, ?, ?, ?)", (applicant_iin, address, actor, to_db_time(now)))
                self._insert_member(tx, hid, applicant_iin, "APPLICANT", activity, cares_for, since, actor)
                record(tx, "households", applicant_iin, "create", actor, now, {"household": hid})
        except IntegrityError:
            raise RegisterConflict("applicantIin", f"{applicant_iin} already belongs to a household",
                                   code="ALREADY_IN_HOUSEHOLD") from None
        return self.get(hid)

    def _insert_member(self, tx, hid: int, iin: str, relation: str, activity: str, cares_for: str | None,
                       since: dt.date | None, actor: str) -> None:
        tx.execute("INSERT INTO social_members (iin, household, relation, activity, cares_for, activity_since,"
                   " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (iin, hid, relation, activity, cares_for, since.isoformat() if since else None, actor,
                    to_db_time(self.clock())))

    def _check_member(self, relation, activity, cares_for):
        check_choice(relation, "relation", RELATIONS)
        check_choice(activity, "activity", tuple(ACTIVITIES))
        if cares_for is not None:
            person_of(self.persons, cares_for, "caresFor")
            if activity != "CARING":
                raise RegisterError("caresFor", "is only for activity CARING")
        elif activity == "CARING":
            raise RegisterError("caresFor", "is required for activity CARING (whom the member cares for)")

    def add_member(self, household_id: int, iin: str, *, relation: str, activity: str, actor: str,
                   cares_for: str | None = None, activity_since=None) -> Household:
        person_of(self.persons, iin)
        if relation == "APPLICANT":
            raise RegisterError("relation", "a household has one APPLICANT, its creator")
        self._check_member(relation, activity, cares_for)
        since = optional_date(activity_since, "activitySince")
        try:
            with self.db.transaction() as tx:
                if tx.scalar("SELECT id FROM social_households WHERE id = ?", (household_id,)) is None:
                    raise RegisterError("household", f"no household {household_id}", code="NOT_FOUND", status=404)
                other = tx.scalar("SELECT household FROM social_members WHERE iin = ?", (iin,))
                if other is not None:
                    raise RegisterConflict("iin", f"{iin} already belongs to household {other}",
                                           code="ALREADY_IN_HOUSEHOLD")
                self._insert_member(tx, household_id, iin, relation, activity, cares_for, since, actor)
                record(tx, "households", iin, "add_member", actor, self.clock(),
                       {"household": household_id, "relation": relation, "activity": activity})
        except IntegrityError:
            raise RegisterConflict("iin", f"{iin} already belongs to a household", code="ALREADY_IN_HOUSEHOLD") from None
        return self.get(household_id)

    def update_member(self, iin: str, *, actor: str, activity: str, cares_for: str | None = None,
                      activity_since=None) -> Household:
        check_iin(iin)
        since = optional_date(activity_since, "activitySince")
        with self.db.transaction() as tx:
            row = tx.query_one("SELECT * FROM social_members WHERE iin = ?", (iin,))
            if row is None:
                raise RegisterError("iin", f"{iin} belongs to no household", code="NOT_FOUND", status=404)
            self._check_member(row["relation"], activity, cares_for)
            tx.execute("UPDATE social_members SET activity = ?, cares_for = ?, activity_since = ? WHERE iin = ?",
                       (activity, cares_for, since.isoformat() if since else None, iin))
            record(tx, "households", iin, "update_member", actor, self.clock(),
                   {"activity": activity, "caresFor": cares_for})
        return self.get(int(row["household"]))

    def remove_member(self, iin: str, *, actor: str) -> Household:
        check_iin(iin)
        with self.db.transaction() as tx:
            row = tx.query_one("SELECT * FROM social_members WHERE iin = ?", (iin,))
            if row is None:
                raise RegisterError("iin", f"{iin} belongs to no household", code="NOT_FOUND", status=404)
            if row["relation"] == "APPLICANT":
                raise RegisterError("iin", "the applicant cannot leave the household")
            tx.execute("DELETE FROM social_members WHERE iin = ?", (iin,))
            record(tx, "households", iin, "remove_member", actor, self.clock(), {"household": row["household"]})
        return self.get(int(row["household"]))

    def set_income(self, iin: str, month: str, kind: str, amount, *, actor: str) -> Income:
        """Enter (or correct) one member's income of one kind for one month."""
        check_iin(iin)
        month = check_month(month, "month")
        check_choice(kind, "kind", INCOME_KINDS)
        value = check_amount(amount, "amount")
        with self.db.transaction() as tx:
            if tx.scalar("SELECT household FROM social_members WHERE iin = ?", (iin,)) is None:
                raise RegisterError("iin", f"{iin} belongs to no household: add the member first", code="NOT_FOUND",
                                    status=404)
            tx.execute("DELETE FROM social_incomes WHERE iin = ? AND month = ? AND kind = ?", (iin, month, kind))
            tx.execute("INSERT INTO social_incomes (iin, month, kind, amount, recorded_by, recorded_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)", (iin, month, kind, str(value), actor, to_db_time(self.clock())))
            record(tx, "incomes", iin, "set_income", actor, self.clock(),
                   {"month": month, "kind": kind, "amount": str(value)})
        return Income(iin, month, kind, value)

    def set_expense(self, household_id: int, month: str, kind: str, amount, *, actor: str) -> Expense:
        """Enter a housing expense within the маслихат's norms for one month (service 11)."""
        month = check_month(month, "month")
        check_choice(kind, "kind", tuple(EXPENSE_KINDS))
        value = check_amount(amount, "amount")
        with self.db.transaction() as tx:
            if tx.scalar("SELECT id FROM social_households WHERE id = ?", (household_id,)) is None:
                raise RegisterError("household", f"no household {household_id}", code="NOT_FOUND", status=404)
            tx.execute("DELETE FROM social_housing_expenses WHERE household = ? AND month = ? AND kind = ?",
                       (household_id, month, kind))
            tx.execute("INSERT INTO social_housing_expenses (household, month, kind, amount, recorded_by, recorded_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (household_id, month, kind, str(value), actor, to_db_time(self.clock())))
            record(tx, "expenses", str(household_id), "set_expense", actor, self.clock(),
                   {"month": month, "kind": kind, "amount": str(value)})
        return Expense(month, kind, value)
