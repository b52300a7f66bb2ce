"""Medical and social data the disability services check: disability, ИПР, contraindications,
and the social statuses (ВОВ participant, pensioner, lone elderly …).

Services 4, 5, 8, 9, 10, 12, 13 refuse on "медицинские противопоказания"; the aids and services
are given "в соответствии с индивидуальной программой реабилитации инвалида" (ИПР: "конкретные
объемы, виды и сроки проведения реабилитации"); service 5 gives tiflo aids to groups I and II
only. These facts come from the medical-social expertise (МСЭ) outside the seed; the register
holds what the department has on file, dated, so a check reads them as of the application.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from egov_sim.core.clock import Clock
from egov_sim.core.database import Database, to_db_time

from .schema import PersonLookup, RegisterError, check_choice, check_date, day, optional_date, person_of, record

GROUPS = ("1", "2", "3", "child")
"""Disability group I, II, III, or a disabled child (ребенок-инвалид)."""
CAUSES = ("GENERAL_ILLNESS", "SINCE_CHILDHOOD", "WORK_INJURY", "WAR", "MILITARY_SERVICE", "OTHER")
MEASURES = {
    "PROSTHETIC": "протезно-ортопедическая помощь (услуга 4)",
    "SURDO": "сурдотехнические средства (услуга 5)",
    "TIFLO": "тифлотехнические средства (услуга 5)",
    "HYGIENE": "обязательные гигиенические средства (услуга 5)",
    "PERSONAL_ASSISTANT": "индивидуальный помощник (услуга 8)",
    "SIGN_LANGUAGE": "специалист жестового языка (услуга 8)",
    "WHEELCHAIR": "кресло-коляска (услуга 9)",
    "SANATORIUM": "санаторно-курортное лечение (услуга 10)",
    "SOCIAL_CARE_INSTITUTION": "социальное обслуживание в медико-социальном учреждении (услуга 12)",
    "SOCIAL_CARE_HOME": "социальное обслуживание на дому (услуга 13)",
}
STATUSES = {
    "VOV_PARTICIPANT": "участник Великой Отечественной войны",
    "VOV_INVALID": "инвалид Великой Отечественной войны",
    "VOV_EQUATED": "лицо, приравненное к инвалидам ВОВ",
    "PENSIONER": "пенсионер",
    "LONE_ELDERLY": "одиноко проживающий престарелый, нуждающийся в постороннем уходе",
    "MOBILITY_DIFFICULTY": "имеет затруднение в передвижении",
    "KNOWS_SIGN_LANGUAGE": "владеет жестовым языком",
    "HOME_EDUCATED": "обучается и воспитывается на дому (заключение ПМПК)",
    "LOW_INCOME": "малообеспеченный",
    "LARGE_FAMILY": "многодетная семья",
    "SEMIPALATINSK_RESIDENT": "проживал на территории, подвергшейся воздействию ядерных испытаний",
    "ORALMAN": "оралман",
    "FULL_STATE_SUPPORT": "ребенок помещен на полное государственное обеспечение",
    "PARENTAL_RIGHTS_RESTRICTED": "лишен (ограничен) родительских прав; усыновление отменено; опекун освобожден",
}


def _in_force(since: dt.date, until: dt.date | None, on: dt.date) -> bool:
    return since <= on and (until is None or on <= until)


@dataclass(frozen=True)
class Disability:
    id: int
    iin: str
    group: str
    cause: str
    since: dt.date
    until: dt.date | None
    certificate_number: str | None

    def in_force_on(self, on: dt.date) -> bool:
        return _in_force(self.since, self.until, on)

    def to_json(self) -> dict:
        return {"id": self.id, "iin": self.iin, "group": self.group, "cause": self.cause,
                "since": self.since.isoformat(), "until": self.until.isoformat() if self.until else None,
                "certificateNumber": self.certificate_number}


@dataclass(frozen=True)
class Ipr:
    id: int
    iin: str
    number: str
    issued_on: dt.date
    valid_until: dt.date | None
    measures: tuple[str, ...]

    def in_force_on(self, on: dt.date) -> bool:
        return _in_force(self.issued_on, self.valid_until, on)

    def to_json(self) -> dict:
        return {"id": self.id, "iin": self.iin, "number": self.number, "issuedOn": self.issued_on.isoformat(),
                "validUntil": self.valid_until.isoformat() if self.valid_until else None,
                "measures": list(self.measures)}


@dataclass(frozen=True)
class Contraindication:
    id: int
    iin: str
    measure: str
    since: dt.date
    until: dt.date | None
    note: str | None

    def in_force_on(self, on: dt.date) -> bool:
        return _in_force(self.since, self.until, on)

    def to_json(self) -> dict:
        return {"id": self.id, "iin": self.iin, "measure": self.measure, "since": self.since.isoformat(),
                "until": self.until.isoformat() if self.until else None, "note": self.note}


@dataclass(frozen=True)
class Status:
    id: int
    iin: str
    status: str
    since: dt.date
    until: dt.date | None
    document: str | None

    def in_force_on(self, on: dt.date) -> bool:
        return _in_force(self.since, self.until, on)

    def to_json(self) -> dict:
        return {"id": self.id, "iin": self.iin, "status": self.status, "statusRu": STATUSES[self.status],
                "since": self.since.isoformat(), "until": self.until.isoformat() if self.until else None,
                "document": self.document}


def _period(since, until, names=("since", "until")) -> tuple[dt.date, dt.date | None]:
    start = check_date(since, names[0])
    end = optional_date(until, names[1])
    if end is not None and end < start:
        raise RegisterError(names[1], f"is before {names[0]}")
    return start, end


class MedicalRegister:
    def __init__(self, db: Database, persons: PersonLookup, clock: Clock):
        self.db, self.persons, self.clock = db, persons, clock

    def add_disability(self, iin: str, *, group: str, cause: str, since, until=None,
                       certificate_number: str | None = None, actor: str) -> Disability:
        person_of(self.persons, iin)
        check_choice(group, "group", GROUPS)
        check_choice(cause, "cause", CAUSES)
        start, end = _period(since, until)
        with self.db.transaction() as tx:
            new_id = tx.insert("INSERT INTO social_disability (iin, disability_group, cause, since, until,"
                               " certificate_number, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (iin, group, cause, start.isoformat(), end.isoformat() if end else None,
                                certificate_number, actor, to_db_time(self.clock())))
            record(tx, "medical", iin, "add_disability", actor, self.clock(), {"group": group, "cause": cause})
        return Disability(new_id, iin, group, cause, start, end, certificate_number)

    def add_ipr(self, iin: str, *, number: str, issued_on, measures, valid_until=None, actor: str) -> Ipr:
        person_of(self.persons, iin)
        if not number or not str(number).strip():
            raise RegisterError("number", "is required")
        if not isinstance(measures, (list, tuple)) or not measures:
            raise RegisterError("measures", f"must be a non-empty list of {', '.join(MEASURES)}")
        for i, m in enumerate(measures):
            check_choice(m, f"measures[{i}]", tuple(MEASURES))
        start, end = _period(issued_on, valid_until, ("issuedOn", "validUntil"))
        with self.db.transaction() as tx:
            new_id = tx.insert("INSERT INTO social_ipr (iin, number, issued_on, valid_until, measures, recorded_by,"
                               " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (iin, number, start.isoformat(), end.isoformat() if end else None,
                                ",".join(measures), actor, to_db_time(self.clock())))
            record(tx, "medical", iin, "add_ipr", actor, self.clock(), {"number": number, "measures": list(measures)})
        return Ipr(new_id, iin, number, start, end, tuple(measures))

    def add_contraindication(self, iin: str, *, measure: str, since, until=None, note: str | None = None,
                             actor: str) -> Contraindication:
        person_of(self.persons, iin)
        check_choice(measure, "measure", tuple(MEASURES))
        start, end = _period(since, until)
        with self.db.transaction() as tx:
            new_id = tx.insert("INSERT INTO social_contraindications (iin, measure, since, until, note, recorded_by,"
                               " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (iin, measure, start.isoformat(), end.isoformat() if end else None, note, actor,
                                to_db_time(self.clock())))
            record(tx, "medical", iin, "add_contraindication", actor, self.clock(), {"measure": measure})
        return Contraindication(new_id, iin, measure, start, end, note)

    def add_status(self, iin: str, *, status: str, since, until=None, document: str | None = None,
                   actor: str) -> Status:
        person_of(self.persons, iin)
        check_choice(status, "status", tuple(STATUSES))
        start, end = _period(since, until)
        with self.db.transaction() as tx:
            new_id = tx.insert("INSERT INTO social_statuses (iin, status, since, until, document, recorded_by,"
                               " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (iin, status, start.isoformat(), end.isoformat() if end else None, document, actor,
                                to_db_time(self.clock())))
            record(tx, "medical", iin, "add_status", actor, self.clock(), {"status": status})
        return Status(new_id, iin, status, start, end, document)

    # --- reading -----------------------------------------------------------------------------

    def disabilities(self, iin: str) -> list[Disability]:
        return [Disability(int(r["id"]), r["iin"], r["disability_group"], r["cause"], day(r["since"]), day(r["until"]),
                           r["certificate_number"])
                for r in self.db.query("SELECT * FROM social_disability WHERE iin = ? ORDER BY since, id", (iin,))]

    def disability_on(self, iin: str, on: dt.date) -> Disability | None:
        return next((d for d in reversed(self.disabilities(iin)) if d.in_force_on(on)), None)

    def iprs(self, iin: str) -> list[Ipr]:
        return [Ipr(int(r["id"]), r["iin"], r["number"], day(r["issued_on"]), day(r["valid_until"]),
                    tuple(m for m in r["measures"].split(",") if m))
                for r in self.db.query("SELECT * FROM social_ipr WHERE iin = ? ORDER BY issued_on, id", (iin,))]

    def ipr_on(self, iin: str, on: dt.date) -> Ipr | None:
        return next((p for p in reversed(self.iprs(iin)) if p.in_force_on(on)), None)

    def contraindications(self, iin: str) -> list[Contraindication]:
        return [Contraindication(int(r["id"]), r["iin"], r["measure"], day(r["since"]), day(r["until"]), r["note"])
                for r in self.db.query("SELECT * FROM social_contraindications WHERE iin = ? ORDER BY since, id",
                                       (iin,))]

    def contraindicated(self, iin: str, measure: str, on: dt.date) -> Contraindication | None:
        return next((c for c in self.contraindications(iin) if c.measure == measure and c.in_force_on(on)), None)

    def statuses(self, iin: str) -> list[Status]:
        return [Status(int(r["id"]), r["iin"], r["status"], day(r["since"]), day(r["until"]), r["document"])
                for r in self.db.query("SELECT * FROM social_statuses WHERE iin = ? ORDER BY since, id", (iin,))]

    def has_status(self, iin: str, status: str, on: dt.date) -> bool:
        return any(s.status == status and s.in_force_on(on) for s in self.statuses(iin))

    def profile(self, iin: str) -> dict:
        return {"iin": iin, "disabilities": [d.to_json() for d in self.disabilities(iin)],
                "iprs": [p.to_json() for p in self.iprs(iin)],
                "contraindications": [c.to_json() for c in self.contraindications(iin)],
                "statuses": [s.to_json() for s in self.statuses(iin)]}
