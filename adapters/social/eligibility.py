"""The substantive checks of the fifteen services, read from the registers.

Each check answers one refusal (or entitlement) condition of a regulation from what the
registers hold on the day of application: the register of unemployed (services 3, 6, 7),
households and incomes against the thresholds (6, 7, 11), compensations paid (2), disability,
ИПР, contraindications and statuses (4, 5, 8-10, 12-15), ГБД ФЛ's record (age, residence in
Balkhash). A failed check names the ground of the service it triggers; the department's
workstation refuses to draft a grant against a failed check, or a refusal on a substantive
ground the registers do not bear out.

The documents presented are checked too, when the case gives them (``Facts.documents``): a
required document missing for the applicant's category, channel, sub-type and flags, a document
presented with an error in its drafting (the form's ``documentDefects``: {code: what is wrong},
as the applicant brought it), and the facts the applicant declares in the application (the
form's ``declared``: ``birthDate``, ``disabilityGroup``, ``registeredUnemployed``) against what the
registers hold — the "неполные и (или) недостоверные сведения" of the regulations, found in
the data rather than asserted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from egov_sim.reference.balkhash_services import IPR_MEASURES, SUBTYPE_MEASURES, BalkhashService, Readings
from egov_sim.reference.person import Person

from .households import CHILD_RELATIONS, PARENT_RELATIONS, Household
from .income import HousingShare, PerCapita, housing_share, money, per_capita_income, previous_quarter
from .medical import MedicalRegister
from .payments import Payments
from .schema import PersonLookup
from .thresholds import MASLIKHAT_CATEGORIES, Thresholds
from .unemployed import UnemployedRegister

BALKHASH_DISTRICT = "3503"
"""Г. БАЛХАШ (Karaganda oblast) in the districts dictionary; the settlements under the city
(Конырат, Гульшат, Саяк) are in it."""
EMPLOYMENT_LOOKBACK_DAYS = 365
"""Service 7 п.10 item 3: refusals of offered work or training count within the year before the
application [inferred: the seed gives no period]."""
EMPLOYED_ACTIVITIES = ("WORKING", "STUDENT_FULL_TIME", "MILITARY_SERVICE")


@dataclass(frozen=True)
class Facts:
    """What the department knows of a case when it is assessed."""

    service: BalkhashService
    applicant_iin: str
    on: dt.date
    subject_iin: str | None = None
    """The person the service is for, when not the applicant (a disabled child, service 14's child)."""
    subtype: str | None = None
    flags: frozenset[str] = frozenset()
    form: dict = field(default_factory=dict)
    documents: tuple[str, ...] | None = None
    """The documents presented (codes); None: not part of this assessment (a register view)."""
    category: str = "citizen"
    channel: str = "uo"

    @property
    def subject(self) -> str:
        return self.subject_iin or self.applicant_iin


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    ground: str | None
    """The service's ground this check triggers when it fails (None: informational)."""
    text: str
    detail: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"code": self.code, "passed": self.passed, "ground": self.ground, "text": self.text,
                "detail": self.detail}


@dataclass(frozen=True)
class Assessment:
    service: int
    on: dt.date
    checks: tuple[Check, ...]
    amount: Decimal | None = None
    amount_basis: str | None = None
    computation: dict = field(default_factory=dict)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed and c.ground)

    @property
    def refusal_grounds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.ground for c in self.failed))

    @property
    def eligible(self) -> bool:
        return not self.failed

    def to_json(self) -> dict:
        return {"service": self.service, "on": self.on.isoformat(), "eligible": self.eligible,
                "refusalGrounds": list(self.refusal_grounds), "checks": [c.to_json() for c in self.checks],
                "amount": str(self.amount) if self.amount is not None else None, "amountBasis": self.amount_basis,
                "computation": self.computation}


def age_on(person: Person, on: dt.date) -> int:
    return person.age_on(on)


def older_than(person: Person, years: int, on: dt.date) -> bool:
    """"старше N лет": the N-th birthday has passed."""
    b = person.birth_date
    try:
        birthday = b.replace(year=b.year + years)
    except ValueError:
        birthday = dt.date(b.year + years, 3, 1)
    return on > birthday


def younger_than(person: Person, years: int, on: dt.date) -> bool:
    """"до N лет": before the N-th birthday."""
    return age_on(person, on) < years


class Assessor:
    def __init__(self, persons: PersonLookup, unemployed: UnemployedRegister, households, medical: MedicalRegister,
                 payments: Payments, thresholds: Thresholds, readings: Readings):
        self.persons, self.unemployed, self.households = persons, unemployed, households
        self.medical, self.payments, self.thresholds, self.readings = medical, payments, thresholds, readings
        self._by_service: dict[int, Callable[[Facts], Assessment]] = {
            1: self._s1, 2: self._s2, 3: self._s3, 4: self._s4, 5: self._s5, 6: self._s6, 7: self._s7,
            8: self._s8, 9: self._s9, 10: self._s10, 11: self._s11, 12: self._s12, 13: self._s13,
            14: self._s14, 15: self._s15}

    def assess(self, facts: Facts) -> Assessment:
        a = self._by_service[facts.service.number](facts)
        extra = self._documents(facts) + self._declared(facts)
        if not extra:
            return a
        return Assessment(a.service, a.on, (*a.checks, *extra), a.amount, a.amount_basis, a.computation)

    # --- documents and declared facts ---------------------------------------------------------

    @staticmethod
    def _document_ground(service: BalkhashService) -> str | None:
        """The service's refusal ground for an incomplete or erroneous package, if §10 names one."""
        for code in ("MISSING_DOCUMENTS", "INCOMPLETE_OR_UNRELIABLE"):
            if service.ground(code) is not None:
                return code
        return None

    @staticmethod
    def _unreliable_ground(service: BalkhashService) -> str | None:
        """The service's refusal ground for unreliable (or knowingly false) information."""
        for code in ("UNRELIABLE_INFORMATION", "INCOMPLETE_OR_UNRELIABLE", "FALSE_DOCUMENTS"):
            if service.ground(code) is not None:
                return code
        return None

    def _documents(self, facts: Facts) -> tuple[Check, ...]:
        if facts.documents is None:
            return ()
        service, ground = facts.service, self._document_ground(facts.service)
        missing = service.missing_documents(facts.documents, category=facts.category, channel=facts.channel,
                                            subtype=facts.subtype, flags=facts.flags)
        defects = facts.form.get("documentDefects") or {}
        defects = {k: v for k, v in defects.items() if k in facts.documents} if isinstance(defects, dict) else {}
        return (
            Check("DOCUMENTS_COMPLETE", not missing, ground,
                  "представлены все необходимые документы" if not missing else
                  "не представлены: " + "; ".join(d.name_ru for d in missing),
                  {"missing": [d.code for d in missing], "presented": list(facts.documents)}),
            Check("DOCUMENTS_IN_ORDER", not defects, ground,
                  "ошибок в оформлении документов не выявлено" if not defects else
                  "выявлены ошибки в оформлении документов: " + "; ".join(f"{k}: {v}" for k, v in defects.items()),
                  {"defects": defects}),
        )

    def _declared(self, facts: Facts) -> tuple[Check, ...]:
        declared = facts.form.get("declared")
        if not isinstance(declared, dict) or not declared:
            return ()
        found: dict[str, tuple[object, object]] = {}
        person = self._person(facts.subject)
        if "birthDate" in declared:
            held = person.birth_date.isoformat() if person else None
            if declared["birthDate"] != held:
                found["birthDate"] = (declared["birthDate"], held)
        if "disabilityGroup" in declared:
            d = self.medical.disability_on(facts.subject, facts.on)
            group = d.group if d else None
            if str(declared["disabilityGroup"]) != str(group):
                found["disabilityGroup"] = (declared["disabilityGroup"], group)
        if "registeredUnemployed" in declared:
            registered = self.unemployed.status_on(facts.applicant_iin, facts.on) is not None
            if bool(declared["registeredUnemployed"]) != registered:
                found["registeredUnemployed"] = (declared["registeredUnemployed"], registered)
        return (Check("DECLARED_FACTS", not found, self._unreliable_ground(facts.service),
                      "заявленные сведения подтверждаются реестрами" if not found else
                      "сведения не соответствуют реестрам: " + "; ".join(
                          f"{k}: заявлено {a!r}, в реестре {b!r}" for k, (a, b) in found.items()),
                      {"declared": declared, "mismatches": {k: {"declared": a, "held": b}
                                                           for k, (a, b) in found.items()}}),)

    # --- common checks -----------------------------------------------------------------------------

    def _person(self, iin: str) -> Person | None:
        return self.persons.get(iin)

    def _resides(self, facts: Facts, ground: str = "NOT_ENTITLED") -> Check:
        person = self._person(facts.applicant_iin)
        address = person.reg_address if person else None
        ok = address is not None and address.district == BALKHASH_DISTRICT and address.end_date is None
        where = f"{address.city}, {address.street or ''} {address.building or ''}".strip() if address else "—"
        return Check("RESIDES_IN_BALKHASH", ok, ground,
                     "постоянно проживает в городе Балхаше (регистрация по ГБД ФЛ)" if ok
                     else f"не зарегистрирован(а) по месту жительства в городе Балхаше (ГБД ФЛ: {where})",
                     {"district": address.district if address else None})

    def _contraindication(self, facts: Facts, measure: str) -> Check:
        found = self.medical.contraindicated(facts.subject, measure, facts.on)
        return Check("CONTRAINDICATIONS", found is None, "MEDICAL_CONTRAINDICATIONS",
                     "медицинских противопоказаний нет" if found is None
                     else f"медицинские противопоказания ({measure}) с {found.since.isoformat()}",
                     {"measure": measure, "contraindication": found.to_json() if found else None})

    def _ipr(self, facts: Facts, measures: tuple[str, ...]) -> Check:
        ipr = self.medical.ipr_on(facts.subject, facts.on)
        have = set(ipr.measures) if ipr else set()
        ok = bool(have.intersection(measures))
        return Check("IPR_PROVIDES", ok, "NOT_ENTITLED",
                     f"ИПР № {ipr.number} предусматривает {', '.join(sorted(have.intersection(measures)))}" if ok
                     else ("ИПР не предусматривает " + " / ".join(measures) if ipr
                           else "индивидуальной программы реабилитации на дату обращения нет"),
                     {"ipr": ipr.to_json() if ipr else None, "needs": list(measures)})

    def _disabled(self, facts: Facts, groups: tuple[str, ...] = ("1", "2", "3", "child"),
                  *, code: str = "DISABLED", vov_counts: bool = False) -> Check:
        d = self.medical.disability_on(facts.subject, facts.on)
        vov = vov_counts and any(self.medical.has_status(facts.subject, s, facts.on)
                                 for s in ("VOV_PARTICIPANT", "VOV_INVALID", "VOV_EQUATED"))
        ok = (d is not None and d.group in groups) or vov
        if work_injury := ("work_injury" in facts.flags and d is not None and d.cause == "WORK_INJURY"):
            ok = True
        text = (f"инвалидность: группа {d.group} ({d.cause}) с {d.since.isoformat()}" if d else "инвалидность не установлена")
        if vov:
            text += "; статус участника (инвалида) ВОВ или приравненного лица"
        return Check(code, ok, "NOT_ENTITLED", text,
                     {"disability": d.to_json() if d else None, "groups": list(groups), "workInjury": work_injury})

    def _employer(self, facts: Facts) -> Check | None:
        if "work_injury" not in facts.flags:
            return None
        terminated = facts.form.get("employerTerminated")
        ok = terminated is True
        return Check("EMPLOYER_TERMINATED", ok, "EMPLOYER_NOT_TERMINATED",
                     "деятельность работодателя прекращена (ликвидирован) в установленном порядке" if ok
                     else "деятельность работодателя не прекращена в установленном законодательством порядке",
                     {"employerTerminated": terminated})

    # --- services ------------------------------------------------------------------------------

    def _s1(self, facts: Facts) -> Assessment:
        current = self.unemployed.status_on(facts.applicant_iin, facts.on)
        checks = (Check("CENTRAL_DATABASE", True, None,
                        "в картотеке не состоит" if current is None else
                        f"уже состоит на учете: карточка {current.card_number} от {current.registered_on.isoformat()}",
                        {"registration": current.to_json() if current else None}),)
        return Assessment(1, facts.on, checks)

    def _s2(self, facts: Facts) -> Assessment:
        paid = self.payments.compensations(facts.applicant_iin, "SEMIPALATINSK")
        periods = facts.form.get("residencePeriods") or []
        in_zone = [p for p in periods if int(p["from"]) <= 1990 and int(p["to"]) >= 1949]
        checks = (
            Check("COMPENSATION_NOT_PAID", not paid, "ALREADY_COMPENSATED",
                  "компенсационные выплаты не производились" if not paid else
                  f"компенсация уже выплачена {paid[0].paid_on.isoformat()} ({paid[0].amount} тг)",
                  {"compensations": [c.to_json() for c in paid]}),
            Check("RESIDENCE_PERIOD", bool(in_zone), "INCOMPLETE_OR_UNRELIABLE",
                  "период проживания на территории полигона приходится на 1949-1990 годы" if in_zone else
                  "заявленные периоды проживания не приходятся на 1949-1965 / 1966-1990 годы",
                  {"residencePeriods": periods}),
        )
        return Assessment(2, facts.on, checks)

    def _s3(self, facts: Facts) -> Assessment:
        current = self.unemployed.status_on(facts.applicant_iin, facts.on)
        check = Check("REGISTERED_UNEMPLOYED", current is not None, "NOT_REGISTERED_UNEMPLOYED",
                      f"зарегистрирован в качестве безработного: карточка {current.card_number} с "
                      f"{current.registered_on.isoformat()}" if current else
                      "в качестве безработного в уполномоченном органе не зарегистрирован",
                      {"registration": current.to_json() if current else None})
        return Assessment(3, facts.on, (check,))

    def _s4(self, facts: Facts) -> Assessment:
        checks = [self._disabled(facts, vov_counts=True), self._ipr(facts, ("PROSTHETIC",)),
                  self._contraindication(facts, "PROSTHETIC")]
        if (employer := self._employer(facts)) is not None:
            checks.append(employer)
        return Assessment(4, facts.on, tuple(checks))

    def _s5(self, facts: Facts) -> Assessment:
        measure = SUBTYPE_MEASURES.get(facts.subtype or "", "")
        groups = {"surdo": ("1", "2", "3", "child"), "tiflo": ("1", "2", "child"),
                  "hygiene": ("1", "2", "3", "child")}.get(facts.subtype or "", ())
        checks = [self._disabled(facts, groups, code="GROUP_ENTITLED", vov_counts=facts.subtype == "surdo"),
                  self._ipr(facts, (measure,)), self._contraindication(facts, measure)]
        if (employer := self._employer(facts)) is not None:
            checks.append(employer)
        return Assessment(5, facts.on, tuple(checks))

    def _s8(self, facts: Facts) -> Assessment:
        if facts.subtype == "sign_language":
            status = Check("KNOWS_SIGN_LANGUAGE", self.medical.has_status(facts.subject, "KNOWS_SIGN_LANGUAGE", facts.on),
                           "NOT_ENTITLED", "инвалид по слуху, владеющий жестовым языком")
            checks = [self._disabled(facts), status, self._ipr(facts, ("SIGN_LANGUAGE",)),
                      self._contraindication(facts, "SIGN_LANGUAGE")]
        else:
            status = Check("MOBILITY_DIFFICULTY", self.medical.has_status(facts.subject, "MOBILITY_DIFFICULTY", facts.on),
                           "NOT_ENTITLED", "инвалид первой группы, имеющий затруднение в передвижении")
            checks = [self._disabled(facts, ("1",), code="GROUP_ENTITLED"), status,
                      self._ipr(facts, ("PERSONAL_ASSISTANT",)), self._contraindication(facts, "PERSONAL_ASSISTANT")]
        return Assessment(8, facts.on, tuple(checks), amount_basis="30 часов в год (ПП No. 754)")

    def _s9(self, facts: Facts) -> Assessment:
        checks = [self._disabled(facts), self._ipr(facts, ("WHEELCHAIR",)), self._contraindication(facts, "WHEELCHAIR")]
        if (employer := self._employer(facts)) is not None:
            checks.append(employer)
        return Assessment(9, facts.on, tuple(checks))

    def _s10(self, facts: Facts) -> Assessment:
        return Assessment(10, facts.on, (self._disabled(facts), self._ipr(facts, ("SANATORIUM",)),
                                         self._contraindication(facts, "SANATORIUM")))

    def _care(self, facts: Facts, measure: str, number: int) -> Assessment:
        person = self._person(facts.subject)
        t = self.thresholds.for_year(facts.on.year)
        pension_age = t.pension_age_men if person and person.sex == "M" else t.pension_age_women
        elderly = person is not None and age_on(person, facts.on) >= pension_age
        if "elderly" in facts.flags:
            need = Check("ELDERLY", elderly, "NOT_ENTITLED",
                         f"достиг пенсионного возраста ({age_on(person, facts.on)} лет)" if elderly and person else
                         "не достиг пенсионного возраста", {"pensionAge": pension_age})
        else:
            need = self._ipr(facts, (measure,))
        return Assessment(number, facts.on, (need, self._contraindication(facts, measure)))

    def _s12(self, facts: Facts) -> Assessment:
        return self._care(facts, "SOCIAL_CARE_INSTITUTION", 12)

    def _s13(self, facts: Facts) -> Assessment:
        return self._care(facts, "SOCIAL_CARE_HOME", 13)

    def _s14(self, facts: Facts) -> Assessment:
        child = self._person(facts.subject)
        t = self.thresholds.for_year(facts.on.year)
        checks = [self._resides(facts),
                  self._disabled(facts, ("child",), code="DISABLED_CHILD"),
                  Check("HOME_EDUCATED", self.medical.has_status(facts.subject, "HOME_EDUCATED", facts.on),
                        "NOT_ENTITLED", "обучается и воспитывается на дому (заключение ПМПК)"),
                  Check("REPRESENTATIVE", child is not None and (facts.applicant_iin in child.parents
                                                                 or facts.applicant_iin in child.guardians),
                        "NOT_ENTITLED", "заявитель — родитель (законный представитель) ребенка по ГБД ФЛ")]
        return Assessment(14, facts.on, tuple(checks), amount=money(t.home_education_allowance),
                          amount_basis=f"{t.home_education_mrp} МРП за квартал ({t.mrp} тг)")

    def _s15(self, facts: Facts) -> Assessment:
        status = facts.form.get("socialStatus")
        t = self.thresholds.for_year(facts.on.year)
        in_list = status in MASLIKHAT_CATEGORIES
        holds = in_list and self.medical.has_status(facts.applicant_iin, status, facts.on)
        checks = (self._resides(facts),
                  Check("MASLIKHAT_CATEGORY", holds, "NOT_IN_MASLIKHAT_CATEGORY",
                        f"социальный статус {status} отнесен маслихатом к категориям и подтвержден" if holds else
                        (f"социальный статус {status!r} не отнесен решением маслихата к категориям получателей"
                         if not in_list else f"статус {status} в реестре на дату обращения не значится"),
                        {"socialStatus": status, "categories": sorted(MASLIKHAT_CATEGORIES)}))
        amount = money(t.mrp * MASLIKHAT_CATEGORIES[status]) if in_list else None
        return Assessment(15, facts.on, checks, amount=amount,
                          amount_basis=f"{MASLIKHAT_CATEGORIES[status]} МРП единовременно (SYNTHETIC)" if in_list else None)

    # --- after a grant: service 6's termination grounds (§10) ----------------------------------------

    def termination_review(self, assignment, on: dt.date) -> Assessment:
        """Service 6 §10: the grounds that end a benefit, as the registers hold them on ``on``, one
        check each: no child of the family deceased (ГБД ФЛ, ``CHILD_DEATH``), none placed on full
        state support (``FULL_STATE_SUPPORT``), the applicant not deprived of (restricted in)
        parental rights (``PARENTAL_RIGHTS``; the social statuses). An unlawful grant (a finding
        on the documents) is the head's judgement and is not here."""
        household = self.households.household_of(assignment.iin)
        children = [m.iin for m in household.members if m.relation in CHILD_RELATIONS] if household else []
        dead = [iin for iin in children if (c := self._person(iin)) is not None and not c.alive]
        supported = [iin for iin in children if self.medical.has_status(iin, "FULL_STATE_SUPPORT", on)]
        restricted = self.medical.has_status(assignment.iin, "PARENTAL_RIGHTS_RESTRICTED", on)
        checks = (
            Check("CHILD_ALIVE", not dead, "CHILD_DEATH",
                  "дети семьи живы (ГБД ФЛ)" if not dead else f"смерть ребенка: {', '.join(dead)} (ГБД ФЛ)",
                  {"children": children, "childIin": dead[0] if dead else None}),
            Check("NOT_ON_STATE_SUPPORT", not supported, "FULL_STATE_SUPPORT",
                  "дети не находятся на полном государственном обеспечении" if not supported else
                  f"ребенок помещен на полное государственное обеспечение: {', '.join(supported)}",
                  {"childIin": supported[0] if supported else None}),
            Check("PARENTAL_RIGHTS_HELD", not restricted, "PARENTAL_RIGHTS",
                  "заявитель не лишен родительских прав" if not restricted else
                  "заявитель лишен (ограничен) родительских прав", {}),
        )
        return Assessment(assignment.service, on, checks)

    # --- households: services 6, 7, 11 -------------------------------------------------------------

    def _household(self, facts: Facts) -> tuple[Household | None, Check | None]:
        h = self.households.household_of(facts.applicant_iin)
        if h is None:
            return None, Check("HOUSEHOLD_ON_FILE", False, "NOT_ENTITLED",
                               "сведения о составе семьи и доходах не внесены в реестр", {})
        return h, None

    def _income_check(self, facts: Facts, h: Household, threshold: Decimal, *, name: str, ground: str,
                      equal_refused: bool) -> tuple[Check, PerCapita]:
        pc = per_capita_income(h, previous_quarter(facts.on))
        cmp = pc.compare(threshold)
        ok = cmp < 0 or (cmp == 0 and not equal_refused)
        relation = {-1: "ниже", 0: "равен", 1: "превышает"}[cmp]
        text = f"среднедушевой доход {pc.per_capita} тг {relation} ({name} {money(threshold)} тг)"
        if cmp == 0:
            text += "; равенство: " + ("основание для отказа" if equal_refused else "не основание для отказа")
        return Check("PER_CAPITA_INCOME", ok, ground, text,
                     {**pc.to_json(), "threshold": str(money(threshold)), "thresholdName": name,
                      "comparison": relation}), pc

    def _caring_exempt(self, member, on: dt.date, *, child_age: int) -> tuple[bool, str]:
        if member.activity != "CARING" or not member.cares_for:
            return False, ""
        cared = self._person(member.cares_for)
        if cared is None:
            return False, ""
        d = self.medical.disability_on(member.cares_for, on)
        if d is not None and d.group in ("1", "2"):
            return True, f"уход за инвалидом {d.group} группы"
        if d is not None and d.group == "child":
            return True, "уход за ребенком-инвалидом"
        if older_than(cared, 80, on):
            return True, "уход за лицом старше 80 лет"
        if younger_than(cared, child_age, on):
            return True, f"уход за ребенком до {child_age} лет"
        return False, "уход за лицом, не дающим освобождения"

    def _able_bodied(self, person: Person, on: dt.date) -> bool:
        t = self.thresholds.for_year(on.year)
        age = age_on(person, on)
        pension = t.pension_age_men if person.sex == "M" else t.pension_age_women
        d = self.medical.disability_on(person.iin, on)
        return 18 <= age < pension and not (d is not None and d.group in ("1", "2"))

    def _s6(self, facts: Facts) -> Assessment:
        h, missing = self._household(facts)
        checks: list[Check] = [self._resides(facts)]
        if h is None:
            return Assessment(6, facts.on, (*checks, missing))
        t = self.thresholds.for_year(facts.on.year)
        income, pc = self._income_check(facts, h, t.food_basket, name="стоимость продовольственной корзины",
                                        ground="INCOME_ABOVE_FOOD_BASKET",
                                        equal_refused=self.readings.s6_income_equal == "refuse")
        children = [m for m in h.members if m.relation in CHILD_RELATIONS
                    and (p := self._person(m.iin)) is not None and age_on(p, facts.on) < 18]
        checks.append(Check("CHILDREN_UNDER_18", bool(children), "NOT_ENTITLED",
                            f"детей до 18 лет в семье: {len(children)}", {"children": [c.iin for c in children]}))
        checks.append(income)
        problems, notes = [], []
        for m in h.members:
            if m.relation not in PARENT_RELATIONS:
                continue
            person = self._person(m.iin)
            if person is None or not self._able_bodied(person, facts.on):
                notes.append(f"{m.iin}: нетрудоспособен")
                continue
            if m.activity in EMPLOYED_ACTIVITIES:
                notes.append(f"{m.iin}: {m.activity}")
                continue
            if (reg := self.unemployed.status_on(m.iin, facts.on)) is not None:
                notes.append(f"{m.iin}: зарегистрирован безработным (карточка {reg.card_number})")
                continue
            exempt, why = self._caring_exempt(m, facts.on, child_age=3)
            if exempt:
                notes.append(f"{m.iin}: {why}")
                continue
            problems.append(m.iin)
        checks.append(Check("EMPLOYMENT_CONDITION", not problems, "EMPLOYMENT_CONDITION",
                            "трудоспособные родители работают, учатся, служат, зарегистрированы безработными либо "
                            "заняты уходом" if not problems else
                            "трудоспособный родитель не работает, не учится, не служит и не зарегистрирован в "
                            "качестве безработного: " + ", ".join(problems),
                            {"notRegistered": problems, "members": notes}))
        amount = money(t.child_benefit * len(children))
        return Assessment(6, facts.on, tuple(checks), amount=amount,
                          amount_basis=f"{t.child_benefit_mrp} МРП ({t.mrp} тг) на каждого из {len(children)} детей в месяц",
                          computation={"perCapita": pc.to_json(), "foodBasket": str(t.food_basket)})

    def _s7(self, facts: Facts) -> Assessment:
        h, missing = self._household(facts)
        checks: list[Check] = [self._resides(facts)]
        if h is None:
            return Assessment(7, facts.on, (*checks, missing))
        t = self.thresholds.for_year(facts.on.year)
        income, pc = self._income_check(facts, h, t.poverty_line, name="черта бедности",
                                        ground="INCOME_ABOVE_POVERTY_LINE",
                                        equal_refused=self.readings.s7_income_equal == "refuse")
        checks.append(income)
        unregistered, refused_measures, refused_offers, notes = [], [], [], []
        since = facts.on - dt.timedelta(days=EMPLOYMENT_LOOKBACK_DAYS)
        for m in h.members:
            person = self._person(m.iin)
            if person is None:
                continue
            events = self.unemployed.events(m.iin, since=since, until=facts.on)
            if any(e.kind in ("OFFER_REFUSED", "TRAINING_REFUSED", "QUIT_WITHOUT_REASON") for e in events):
                refused_offers.append(m.iin)
            if not self._able_bodied(person, facts.on) or m.activity in ("WORKING", "MILITARY_SERVICE", "CHILD"):
                continue
            disability = self.medical.disability_on(m.iin, facts.on)
            if disability is not None:
                notes.append(f"{m.iin}: инвалид")
                continue
            if m.activity == "STUDENT_FULL_TIME":
                notes.append(f"{m.iin}: учится по очной форме")
                continue
            if m.activity == "INPATIENT" and m.activity_since and (facts.on - m.activity_since).days > 30:
                notes.append(f"{m.iin}: на стационарном лечении более одного месяца")
                continue
            exempt, why = self._caring_exempt(m, facts.on, child_age=7)
            if exempt:
                notes.append(f"{m.iin}: {why}")
                continue
            if any(e.kind == "MEASURES_REFUSED_IN_WRITING" for e in events):
                refused_measures.append(m.iin)
            elif self.unemployed.status_on(m.iin, facts.on) is None:
                unregistered.append(m.iin)
        checks.append(Check("REGISTERED_OR_EXEMPT", not (unregistered or refused_measures),
                            "NOT_REGISTERED_OR_REFUSED_MEASURES",
                            "безработные члены семьи зарегистрированы либо освобождены" if not (unregistered or refused_measures)
                            else "не зарегистрированы безработными: " + ", ".join(unregistered or ["—"])
                            + "; письменно отказались от активных мер: " + ", ".join(refused_measures or ["—"]),
                            {"notRegistered": unregistered, "refusedMeasures": refused_measures, "exempt": notes}))
        checks.append(Check("NO_REFUSED_EMPLOYMENT", not refused_offers, "REFUSED_OFFERED_EMPLOYMENT",
                            "отказов от предложенной работы (обучения) нет" if not refused_offers else
                            "отказались без уважительных причин от предложенной работы (обучения): " + ", ".join(refused_offers),
                            {"members": refused_offers, "since": since.isoformat()}))
        gap = max(t.poverty_line - pc.per_capita, Decimal(0))
        amount = money(gap * len(pc.members))
        return Assessment(7, facts.on, tuple(checks), amount=amount,
                          amount_basis=f"(черта бедности {t.poverty_line} − среднедушевой доход {pc.per_capita}) × "
                                       f"{len(pc.members)} членов семьи в месяц",
                          computation={"perCapita": pc.to_json(), "povertyLine": str(t.poverty_line)})

    def _s11(self, facts: Facts) -> Assessment:
        h, missing = self._household(facts)
        checks: list[Check] = [self._resides(facts)]
        if h is None:
            return Assessment(11, facts.on, (*checks, missing))
        t = self.thresholds.for_year(facts.on.year)
        hs: HousingShare = housing_share(h, previous_quarter(facts.on), t.housing_share)
        cmp = hs.compare()
        ok = cmp > 0 or (cmp == 0 and self.readings.s11_share_equal == "assistance")
        relation = {1: "превышают", 0: "равны", -1: "не превышают"}[cmp]
        checks.append(Check("HOUSING_SHARE", ok, "HOUSING_SHARE_NOT_EXCEEDED",
                            f"расходы на содержание жилища {money(hs.expenses)} тг {relation} допустимую долю "
                            f"{money(hs.permissible)} тг ({t.housing_share * 100:.0f}% дохода семьи "
                            f"{money(hs.family_income)} тг)", hs.to_json()))
        return Assessment(11, facts.on, tuple(checks), amount=hs.excess if ok else Decimal("0.00"),
                          amount_basis="расходы в пределах норм − допустимая доля дохода семьи, в месяц",
                          computation={"housing": hs.to_json()})


def ipr_measure(service: BalkhashService, subtype: str | None) -> str | None:
    """The ИПР measure a disability service provides (for the registers' views)."""
    if subtype and subtype in SUBTYPE_MEASURES:
        return SUBTYPE_MEASURES[subtype]
    measures = IPR_MEASURES.get(service.number)
    return measures[0] if measures else None
