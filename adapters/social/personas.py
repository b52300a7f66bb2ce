"""The register data of the Balkhash personas (``blh_*`` of egov_sim/reference/personas.py).

Installed once per persona on every start (``ensure_persona_registers``): a persona whose data
was installed is left alone (so a scenario may change it), ``egov-sim balkhash seed --reset``
puts it back. Incomes are given for the quarters applications of 2012-2013 (the seed's years)
and of 2026 (today's calendar) read: 2012 Q3-Q4, 2013 Q1 and 2025 Q4, 2026 Q1. Figures that
sit exactly at a threshold are derived from the thresholds in force, so the boundary holds
whatever the configuration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from egov_sim.core.database import to_db_time
from egov_sim.reference import personas as p

from .thresholds import Thresholds

ACTOR = "seed:personas"
QUARTERS_2012 = ("2012-07", "2012-08", "2012-09", "2012-10", "2012-11", "2012-12",
                 "2013-01", "2013-02", "2013-03")
QUARTERS_2026 = ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03")


def _by_year(amount_2012: str, amount_2026: str) -> Callable[[str, Thresholds], Decimal]:
    return lambda month, t: Decimal(amount_2012 if month < "2020" else amount_2026)


def _threshold(name: str, members: int) -> Callable[[str, Thresholds], Decimal]:
    """The threshold the month's income is compared with (the year after the month's quarter
    for Q4, when applications of Q1 read it), times the members: per capita exactly at it."""
    def amount(month: str, t: Thresholds) -> Decimal:
        year, mon = int(month[:4]), int(month[5:])
        applied = year + 1 if mon >= 10 else year
        years = t.years
        figure = getattr(years[applied] if applied in years else years[year], name)
        return figure * members
    return amount


@dataclass(frozen=True)
class HouseholdSeed:
    applicant: str
    activity: str
    members: tuple[tuple[str, str, str, str | None], ...] = ()
    """(iin, relation, activity, cares_for)"""
    incomes: tuple[tuple[str, str, Callable[[str, Thresholds], Decimal]], ...] = ()
    """(iin, kind, amount of the month)"""
    expenses: tuple[tuple[str, Callable[[str, Thresholds], Decimal]], ...] = ()


HOUSEHOLDS: dict[str, HouseholdSeed] = {
    "blh_mother_low": HouseholdSeed(
        p.BLH_MOTHER_LOW, "WORKING",
        ((p.BLH_FATHER_REGISTERED, "SPOUSE", "NOT_WORKING", None), (p.BLH_CHILD_A, "CHILD", "CHILD", None),
         (p.BLH_CHILD_A_SMALL, "CHILD", "CHILD", None)),
        ((p.BLH_MOTHER_LOW, "SALARY", _by_year("15000", "100000")),)),
    "blh_mother_high": HouseholdSeed(
        p.BLH_MOTHER_HIGH, "WORKING", ((p.BLH_CHILD_B, "CHILD", "CHILD", None),),
        ((p.BLH_MOTHER_HIGH, "SALARY", _by_year("90000", "600000")),)),
    "blh_mother_c": HouseholdSeed(
        p.BLH_MOTHER_C, "WORKING",
        ((p.BLH_FATHER_IDLE, "SPOUSE", "NOT_WORKING", None), (p.BLH_CHILD_C, "CHILD", "CHILD", None)),
        ((p.BLH_MOTHER_C, "SALARY", _by_year("12000", "80000")),)),
    "blh_single_at_line": HouseholdSeed(
        p.BLH_SINGLE_AT_LINE, "WORKING", (), ((p.BLH_SINGLE_AT_LINE, "SALARY", _threshold("poverty_line", 1)),)),
    "blh_mother_at_basket": HouseholdSeed(
        p.BLH_MOTHER_AT_BASKET, "WORKING", ((p.BLH_CHILD_D, "CHILD", "CHILD", None),),
        ((p.BLH_MOTHER_AT_BASKET, "SALARY", _threshold("food_basket", 2)),)),
    "blh_konyrat_resident": HouseholdSeed(
        p.BLH_KONYRAT_RESIDENT, "WORKING", (), ((p.BLH_KONYRAT_RESIDENT, "SALARY", _by_year("5000", "30000")),)),
    "blh_unemployed": HouseholdSeed(p.BLH_UNEMPLOYED, "NOT_WORKING"),
    "blh_pensioner_housing": HouseholdSeed(
        p.BLH_PENSIONER_HOUSING, "PENSIONER", (), ((p.BLH_PENSIONER_HOUSING, "PENSION", _by_year("25000", "120000")),),
        (("UTILITIES", _by_year("4000", "15000")), ("MAINTENANCE", _by_year("1000", "3000")))),
    "blh_sayak_mother": HouseholdSeed(
        p.BLH_SAYAK_MOTHER, "WORKING", ((p.BLH_SAYAK_CHILD, "CHILD", "CHILD", None),),
        ((p.BLH_SAYAK_MOTHER, "SALARY", _by_year("9000", "40000")),)),
    "blh_housing_at_share": HouseholdSeed(
        p.BLH_HOUSING_AT_SHARE, "WORKING", (), ((p.BLH_HOUSING_AT_SHARE, "SALARY", _by_year("30000", "200000")),),
        (("UTILITIES", _by_year("3000", "20000")),)),
    "blh_housing_within_share": HouseholdSeed(
        p.BLH_HOUSING_WITHIN_SHARE, "WORKING", (), ((p.BLH_HOUSING_WITHIN_SHARE, "SALARY", _by_year("150000", "900000")),),
        (("UTILITIES", _by_year("6000", "30000")), ("MAINTENANCE", _by_year("2000", "10000")))),
}

D = dt.date
UNEMPLOYED = {  # iin: registered on
    "blh_unemployed": (p.BLH_UNEMPLOYED, D(2012, 11, 12)),
    "blh_father_registered": (p.BLH_FATHER_REGISTERED, D(2012, 9, 3)),
}
EVENTS = {"blh_unemployed": (p.BLH_UNEMPLOYED, "OFFER_REFUSED", D(2012, 12, 20),
                             "отказ от предложенной работы (общественные работы) без уважительной причины")}
DISABILITY = {  # iin, group, cause, since, until
    "blh_disabled_prosthetic": (p.BLH_DISABLED_PROSTHETIC, "2", "GENERAL_ILLNESS", D(2010, 3, 1), None),
    "blh_contraindicated": (p.BLH_CONTRAINDICATED, "2", "GENERAL_ILLNESS", D(2009, 5, 5), None),
    "blh_hearing_impaired": (p.BLH_HEARING_IMPAIRED, "3", "GENERAL_ILLNESS", D(2005, 4, 4), None),
    "blh_disabled_mobility": (p.BLH_DISABLED_MOBILITY, "1", "GENERAL_ILLNESS", D(2008, 2, 2), None),
    "blh_disabled_child": (p.BLH_DISABLED_CHILD, "child", "SINCE_CHILDHOOD", D(2011, 1, 15), D(2028, 10, 9)),
    "blh_vov_veteran": (p.BLH_VOV_VETERAN, "2", "WAR", D(1946, 1, 10), None),
    "blh_work_injury": (p.BLH_WORK_INJURY, "3", "WORK_INJURY", D(2009, 11, 2), None),
}
IPR = {  # iin, number, issued on, measures
    "blh_disabled_prosthetic": (p.BLH_DISABLED_PROSTHETIC, "ИПР-2012-0457", D(2012, 6, 1),
                                ("PROSTHETIC", "WHEELCHAIR", "SANATORIUM")),
    "blh_contraindicated": (p.BLH_CONTRAINDICATED, "ИПР-2011-1290", D(2011, 12, 1),
                            ("PROSTHETIC", "SANATORIUM", "SOCIAL_CARE_INSTITUTION")),
    "blh_hearing_impaired": (p.BLH_HEARING_IMPAIRED, "ИПР-2012-0311", D(2012, 3, 15), ("SURDO", "SIGN_LANGUAGE")),
    "blh_disabled_mobility": (p.BLH_DISABLED_MOBILITY, "ИПР-2012-0098", D(2012, 2, 20),
                              ("PERSONAL_ASSISTANT", "HYGIENE", "WHEELCHAIR", "SOCIAL_CARE_HOME")),
    "blh_disabled_child": (p.BLH_DISABLED_CHILD, "ИПР-2011-0007", D(2011, 1, 20), ("SANATORIUM", "PROSTHETIC")),
    "blh_vov_veteran": (p.BLH_VOV_VETERAN, "ИПР-2010-0001", D(2010, 2, 1), ("PROSTHETIC", "SOCIAL_CARE_INSTITUTION")),
    "blh_work_injury": (p.BLH_WORK_INJURY, "ИПР-2010-0150", D(2010, 1, 15), ("PROSTHETIC", "HYGIENE", "WHEELCHAIR")),
}
CONTRAINDICATIONS = {
    "blh_contraindicated": ((p.BLH_CONTRAINDICATED, "PROSTHETIC", D(2012, 1, 10)),
                            (p.BLH_CONTRAINDICATED, "SANATORIUM", D(2012, 1, 10))),
}
STATUSES = {
    "blh_hearing_impaired": ((p.BLH_HEARING_IMPAIRED, "KNOWS_SIGN_LANGUAGE", D(2000, 1, 1)),),
    "blh_disabled_mobility": ((p.BLH_DISABLED_MOBILITY, "MOBILITY_DIFFICULTY", D(2008, 2, 2)),),
    "blh_disabled_child": ((p.BLH_DISABLED_CHILD, "HOME_EDUCATED", D(2012, 9, 1)),),
    "blh_vov_veteran": ((p.BLH_VOV_VETERAN, "VOV_PARTICIPANT", D(1945, 5, 9)),
                        (p.BLH_VOV_VETERAN, "PENSIONER", D(1985, 4, 9))),
    "blh_elderly_lone": ((p.BLH_ELDERLY_LONE, "PENSIONER", D(1985, 1, 20)),
                         (p.BLH_ELDERLY_LONE, "LONE_ELDERLY", D(2010, 3, 1))),
    "blh_semipalatinsk": ((p.BLH_SEMIPALATINSK, "SEMIPALATINSK_RESIDENT", D(1955, 1, 1)),),
    "blh_semipalatinsk_paid": ((p.BLH_SEMIPALATINSK_PAID, "SEMIPALATINSK_RESIDENT", D(1949, 1, 1)),),
    "blh_oralman": ((p.BLH_ORALMAN, "ORALMAN", D(2011, 8, 1)),),
}
COMPENSATIONS = {"blh_semipalatinsk_paid": (p.BLH_SEMIPALATINSK_PAID, D(2010, 5, 20), "65000.00", "ПП РК № 110, ведомость 14/2010")}

SEEDED_KEYS = tuple(dict.fromkeys((*HOUSEHOLDS, *UNEMPLOYED, *EVENTS, *DISABILITY, *IPR, *CONTRAINDICATIONS,
                                   *STATUSES, *COMPENSATIONS)))
"""The personas that have register data (each installed once, as one unit)."""


def _install(registers, key: str) -> None:
    t = registers.thresholds
    if key in UNEMPLOYED:
        iin, on = UNEMPLOYED[key]
        registers.unemployed.register(iin, on, actor=ACTOR)
    if key in EVENTS:
        iin, kind, on, note = EVENTS[key]
        registers.unemployed.add_event(iin, kind, on, actor=ACTOR, note=note)
    if key in HOUSEHOLDS:
        seed = HOUSEHOLDS[key]
        h = registers.households.create(seed.applicant, activity=seed.activity, actor=ACTOR)
        for iin, relation, activity, cares_for in seed.members:
            registers.households.add_member(h.id, iin, relation=relation, activity=activity, cares_for=cares_for,
                                            actor=ACTOR)
        months = QUARTERS_2012 + QUARTERS_2026
        for iin, kind, amount in seed.incomes:
            for month in months:
                registers.households.set_income(iin, month, kind, amount(month, t), actor=ACTOR)
        for kind, amount in seed.expenses:
            for month in months:
                registers.households.set_expense(h.id, month, kind, amount(month, t), actor=ACTOR)
    if key in DISABILITY:
        iin, group, cause, since, until = DISABILITY[key]
        registers.medical.add_disability(iin, group=group, cause=cause, since=since, until=until,
                                         certificate_number=f"МСЭ-{since.year}-{iin[-4:]}", actor=ACTOR)
    if key in IPR:
        iin, number, issued, measures = IPR[key]
        registers.medical.add_ipr(iin, number=number, issued_on=issued, measures=list(measures), actor=ACTOR)
    for iin, measure, since in CONTRAINDICATIONS.get(key, ()):
        registers.medical.add_contraindication(iin, measure=measure, since=since, actor=ACTOR,
                                               note="заключение ВКК (SYNTHETIC)")
    for iin, status, since in STATUSES.get(key, ()):
        registers.medical.add_status(iin, status=status, since=since, actor=ACTOR)
    if key in COMPENSATIONS:
        iin, paid_on, paid, reference = COMPENSATIONS[key]
        registers.payments.record_compensation(iin, paid_on=paid_on, amount=paid, reference=reference, actor=ACTOR)


def ensure_persona_registers(registers) -> list[str]:
    """Install the register data of every persona not installed yet; the keys installed now.

    Personas missing from ГБД ФЛ (a registry generated without them) are skipped."""
    installed = []
    db = registers.db
    done = {r["key"] for r in db.query("SELECT key FROM social_seeded")}
    for key in SEEDED_KEYS:
        if key in done:
            continue
        with db.transaction() as tx:  # one unit per persona; a concurrent start waits here
            if tx.scalar("SELECT 1 FROM social_seeded WHERE key = ?", (key,)):
                continue
            if registers.persons.get(p.PERSONAS[key].iin) is None:
                continue
            _install(registers, key)
            tx.execute("INSERT INTO social_seeded (key, at) VALUES (?, ?)", (key, to_db_time(registers.clock())))
        installed.append(key)
    return installed


def reset_persona_registers(registers) -> list[str]:
    """Delete every register entry of the seeded personas (and their households) and install them again."""
    iins = {p.PERSONAS[k].iin for k in SEEDED_KEYS}
    for seed in HOUSEHOLDS.values():
        iins.add(seed.applicant)
        iins.update(m[0] for m in seed.members)
    db = registers.db
    marks = ", ".join("?" for _ in iins)
    params = sorted(iins)
    with db.transaction() as tx:
        households = [int(r["household"]) for r in tx.query(
            f"SELECT DISTINCT household FROM social_members WHERE iin IN ({marks})", params)]
        for table in ("social_unemployed", "social_employment_events", "social_incomes", "social_disability",
                      "social_ipr", "social_contraindications", "social_statuses", "social_compensations"):
            tx.execute(f"DELETE FROM {table} WHERE iin IN ({marks})", params)
        for hid in households:
            tx.execute("DELETE FROM social_housing_expenses WHERE household = ?", (hid,))
            tx.execute("DELETE FROM social_members WHERE household = ?", (hid,))
            tx.execute("DELETE FROM social_households WHERE id = ?", (hid,))
        tx.execute("DELETE FROM social_seeded")
    return ensure_persona_registers(registers)
