"""The registers the Balkhash regulations (seed 001) read and write.

The department of employment and social programmes keeps them in its own database (in 2012
the "компьютерная база данных" of service 1); persons in them are ГБД ФЛ's, by IIN. One
facade, :class:`SocialRegisters`, holds:

- ``unemployed``: the register of unemployed citizens and the events of employment measures;
- ``households``: members, their occupation, incomes per month, housing expenses;
- ``medical``: disability, ИПР, contraindications, social statuses;
- ``payments``: compensations paid and assignments (periods, quarterly confirmations,
  suspension, termination);
- ``assessor``: the substantive checks of each service computed from all of them.

Every write is committed before it returns and is kept in ``social_history`` with its actor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database, from_db_time
from egov_sim.reference.balkhash_services import DEFAULT_READINGS, Readings

from .eligibility import Assessment, Assessor, Check, Facts
from .households import Households
from .medical import MedicalRegister
from .payments import Payments
from .schema import SOCIAL_SCHEMA, PersonLookup, RegisterConflict, RegisterError
from .thresholds import Thresholds, load_thresholds
from .unemployed import UnemployedRegister

__all__ = ["SocialRegisters", "build_social_registers", "Assessment", "Check", "Facts", "RegisterError",
           "RegisterConflict", "Thresholds", "load_thresholds"]


@dataclass
class SocialRegisters:
    db: Database
    persons: PersonLookup
    clock: Clock
    thresholds: Thresholds
    readings: Readings
    unemployed: UnemployedRegister
    households: Households
    medical: MedicalRegister
    payments: Payments
    assessor: Assessor

    def history(self, subject: str, *, limit: int = 200) -> list[dict]:
        rows = self.db.query("SELECT * FROM social_history WHERE subject = ? ORDER BY id DESC LIMIT ?",
                             (subject, limit))
        return [{"register": r["register"], "action": r["action"], "actor": r["actor"],
                 "at": from_db_time(r["at"]).isoformat(), "detail": json.loads(r["detail"] or "{}")}
                for r in reversed(rows)]

    def person_summary(self, iin: str, on) -> dict:
        """Everything the registers hold on one person (the CLI's and the API's view)."""
        reg = self.unemployed.status_on(iin, on)
        household = self.households.household_of(iin)
        return {
            "iin": iin, "on": on.isoformat(),
            "unemployed": {"inForce": reg.to_json() if reg else None,
                           "registrations": [r.to_json() for r in self.unemployed.registrations(iin)],
                           "events": [e.to_json() for e in self.unemployed.events(iin)]},
            "household": household.to_json() if household else None,
            "medical": self.medical.profile(iin),
            "compensations": [c.to_json() for c in self.payments.compensations(iin)],
            "assignments": [a.to_json() for a in self.payments.for_person(iin)],
        }


def build_social_registers(db: Database, persons: PersonLookup, *, clock: Clock = system_clock,
                           thresholds: Thresholds | None = None,
                           readings: Readings = DEFAULT_READINGS) -> SocialRegisters:
    db.migrate(SOCIAL_SCHEMA)
    thresholds = thresholds or Thresholds()
    unemployed = UnemployedRegister(db, persons, clock)
    households = Households(db, persons, clock)
    medical = MedicalRegister(db, persons, clock)
    payments = Payments(db, persons, clock)
    assessor = Assessor(persons, unemployed, households, medical, payments, thresholds, readings)
    return SocialRegisters(db, persons, clock, thresholds, readings, unemployed, households, medical, payments,
                           assessor)
