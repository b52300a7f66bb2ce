"""The fifteen social-protection services of seed 001 (Balkhash, 2012) as data.

Seed ``001_cc989bdf98f04d58.txt`` (akimat resolution No. 35/01 of 4 October 2012) approves the
regulations of one provider, ГУ «Отдел занятости и социальных программ города Балхаша» (the
УО), served directly, through the 2012 ЦОН (services 2–6, 11–13) and, for services 6 and 7,
through the settlement akims. The analysis is ``regulations-balkhash.md``; section numbers
below (§9, §10, §13 …) are the regulations' own paragraphs, ``D..`` the defect register (§19).

Shared by the department's workstation (``portal_mock/balkhash/department``), the 2012 ЦОН
(``portal_mock/balkhash/con``) and the registers (``adapters/social``): who may apply (the
applicant categories), which documents each category brings through each channel, the
grounds for refusal, return, suspension and termination, the terms, the schedules and the
queue norms. What is not in the seed is marked **SYNTHETIC** (codes, unit names) or
**[inferred]** (a reading, documented in docs/balkhash.md).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping

from egov_sim.core.days_off import DaysOff, kazakhstan

SEED = "001"
UO, CON, AKIM = "uo", "con", "akim"
CHANNELS = (UO, CON, AKIM)
"""uo: the department itself (the main process); con: the 2012 ЦОН, "на альтернативной
основе"; akim: a settlement akim (аким поселка / сельского округа, services 6 and 7)."""

CITIZEN, ORALMAN, FOREIGNER, STATELESS, REFUGEE = "citizen", "oralman", "foreigner", "stateless", "refugee"
CATEGORIES = (CITIZEN, ORALMAN, FOREIGNER, STATELESS, REFUGEE)
CATEGORY_NAMES_RU = MappingProxyType({
    CITIZEN: "гражданин Республики Казахстан", ORALMAN: "оралман",
    FOREIGNER: "иностранец, постоянно проживающий в Республике Казахстан",
    STATELESS: "лицо без гражданства, постоянно проживающее в Республике Казахстан",
    REFUGEE: "лицо, имеющее статус беженца",
})


# ---------------------------------------------------------------------------------------------
# Terms: egov_sim/reference/regulations/001.yaml, through egov_sim/reference/balkhash_terms.py
# (the talon's and the расписка's dates, the returns, the department's chains, the engine's
# verdicts all count on the one term model).


# ---------------------------------------------------------------------------------------------
# Schedules and queues


@dataclass(frozen=True)
class Schedule:
    """Opening hours: ``weekdays`` (Monday = 0), ``opens``-``closes``, an optional lunch break;
    public holidays and decree-transferred days off are closed, decree working Saturdays open."""

    name: str
    weekdays: frozenset[int]
    opens: dt.time
    closes: dt.time
    lunch: tuple[dt.time, dt.time] | None = None

    def is_open_day(self, day: dt.date, days_off: DaysOff | None = None) -> bool:
        days_off = days_off or kazakhstan()
        if days_off.holiday(day) is not None:
            return False
        if day.weekday() in self.weekdays:
            return True
        return days_off.is_transferred_working_day(day)

    def is_open_at(self, moment: dt.datetime, days_off: DaysOff | None = None) -> bool:
        if not self.is_open_day(moment.date(), days_off):
            return False
        t = moment.time()
        if not self.opens <= t < self.closes:
            return False
        return not (self.lunch and self.lunch[0] <= t < self.lunch[1])

    def next_open_day(self, day: dt.date, days_off: DaysOff | None = None) -> dt.date:
        """``day`` itself if the office opens that day, else the next day it does."""
        while not self.is_open_day(day, days_off):
            day += dt.timedelta(days=1)
        return day

    def to_json(self) -> dict:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        return {"name": self.name, "days": [names[d] for d in sorted(self.weekdays)],
                "opens": self.opens.strftime("%H:%M"), "closes": self.closes.strftime("%H:%M"),
                "lunch": [t.strftime("%H:%M") for t in self.lunch] if self.lunch else None}


_T = dt.time
UO_SCHEDULE = Schedule("УО: Mon-Fri 9:00-18:00, lunch 13:00-14:00 (§7)", frozenset(range(5)),
                       _T(9), _T(18), (_T(13), _T(14)))
AKIM_SCHEDULE = Schedule("akim: Mon-Fri 9:00-18:00, lunch 13:00-14:00 (service 7 §7)",
                         frozenset(range(5)), _T(9), _T(18), (_T(13), _T(14)))
CON_SCHEDULE = Schedule("ЦОН: Mon-Fri 9:00-20:00 without a break (§0.3)", frozenset(range(5)),
                        _T(9), _T(20))
CON_MON_SAT = Schedule("ЦОН: Mon-Sat 9:00-20:00 without a break (service 11 §7)",
                       frozenset(range(6)), _T(9), _T(20))


@dataclass(frozen=True)
class QueueNorm:
    """How long an applicant may wait and be served on the day (§9 items 2-3).

    ``per_person_minutes``: "зависит от количества человек в очереди из расчета N минут на
    обслуживание одного заявителя" — the wait allowed is N × persons ahead. ``max_wait_minutes``:
    a fixed maximum ("не более 30 минут"). ``collect_wait_minutes``: the wait when collecting the
    result (service 11)."""

    service_minutes: int
    per_person_minutes: int | None = None
    max_wait_minutes: int | None = None
    collect_wait_minutes: int | None = None

    def allowed_wait(self, persons_ahead: int) -> int | None:
        if self.per_person_minutes is not None:
            return self.per_person_minutes * persons_ahead
        return self.max_wait_minutes

    def to_json(self) -> dict:
        return {"serviceMinutes": self.service_minutes, "perPersonMinutes": self.per_person_minutes,
                "maxWaitMinutes": self.max_wait_minutes, "collectWaitMinutes": self.collect_wait_minutes}


# ---------------------------------------------------------------------------------------------
# Documents


@dataclass(frozen=True)
class DocumentRule:
    """One item of §13: required for an application when its conditions hold.

    ``categories``/``channels``/``subtypes`` restrict it (empty = all); ``flags`` must all be
    declared on the application, ``unless`` exempts (any one declared). ``one_of`` lists the
    documents that satisfy it (default: ``code`` alone)."""

    code: str
    name_ru: str
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()

    def applies(self, *, category: str, channel: str, subtype: str | None,
                flags: frozenset[str]) -> bool:
        if self.categories and category not in self.categories:
            return False
        if self.channels and channel not in self.channels:
            return False
        if self.subtypes and subtype not in self.subtypes:
            return False
        if any(f not in flags for f in self.flags):
            return False
        return not any(f in flags for f in self.unless)

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.one_of or (self.code,)

    def to_json(self) -> dict:
        return {"code": self.code, "nameRu": self.name_ru, "categories": list(self.categories),
                "channels": list(self.channels), "subtypes": list(self.subtypes),
                "flags": list(self.flags), "unless": list(self.unless), "oneOf": list(self.accepted)}


FLAGS: Mapping[str, str] = MappingProxyType({
    "proxy": "applies through a representative under a power of attorney",
    "minor": "the applicant (the disabled person) is a minor child, represented by a parent or guardian",
    "no_iin": "the applicant has no ИИН (РНН and СИК are then required: 'при наличии ИИН')",
    "vov_participant": "participant or invalid of the Great Patriotic War (ВОВ)",
    "vov_equated": "person equated to ВОВ invalids in benefits",
    "disability_group": "disabled person of group I, II or III (service 5: pension certificate)",
    "work_injury": "disabled by a work injury or occupational disease through the employer's fault",
    "adoptive_or_guardian": "adoptive parent, guardian or trustee of the child (service 6)",
    "employment_measures": "takes part in active employment-promotion measures (service 7)",
    "pension_age": "of pension age (services 12, 13)",
    "elderly": "an elderly person without disability (services 12, 13: no disability documents)",
    "incapable_adult": "an adult declared legally incapable (service 12)",
    "no_archive_documents": "archive documents have not survived (service 2: a court decision instead)",
    "other_person_with_consent": "another person applies with the disabled person's written consent (service 10)",
    "has_telephone": "the family pays a telephone subscription (service 11)",
    "rents_from_akimat": "the family rents housing the local executive body rents in the private stock (service 11)",
})
"""The application flags the document lists depend on (declared at intake)."""


def _id_documents(prefix: str = "") -> tuple[DocumentRule, ...]:
    """Services 1 and 3, §13 item 1: the identity document by applicant category. Foreigners
    and stateless persons: "вид на жительство … и удостоверение лица без гражданства с отметкой
    о регистрации" — both, read literally (regulations-balkhash §20 idea 2)."""
    return (
        DocumentRule("ID_CARD", "удостоверение личности (паспорт)", categories=(CITIZEN,),
                     one_of=("ID_CARD", "PASSPORT")),
        DocumentRule("RESIDENCE_PERMIT", "вид на жительство иностранца в Республике Казахстан",
                     categories=(FOREIGNER, STATELESS)),
        DocumentRule("STATELESS_ID", "удостоверение лица без гражданства с отметкой о регистрации в "
                     "органах внутренних дел", categories=(FOREIGNER, STATELESS)),
        DocumentRule("ORALMAN_ID", "удостоверение оралмана", categories=(ORALMAN,)),
    )


_IDENTITY = DocumentRule("IDENTITY_DOCUMENT", "документ, удостоверяющий личность",
                         one_of=("IDENTITY_DOCUMENT", "ID_CARD", "PASSPORT", "RESIDENCE_PERMIT",
                                 "STATELESS_ID", "ORALMAN_ID"))
_IDENTITY_COPY = DocumentRule("IDENTITY_DOCUMENT", "копия документа, удостоверяющего личность",
                              one_of=_IDENTITY.one_of, unless=("minor",))
_CHILD_ID = (
    DocumentRule("BIRTH_CERTIFICATE", "копия свидетельства о рождении ребенка", flags=("minor",)),
    DocumentRule("PARENT_ID", "копия документа, удостоверяющего личность одного из родителей "
                 "(опекуна, попечителя)", flags=("minor",)),
)
_WORK_INJURY = (
    DocumentRule("ACCIDENT_REPORT", "копия акта о несчастном случае", flags=("work_injury",)),
    DocumentRule("EMPLOYER_TERMINATION", "документ о прекращении деятельности работодателя "
                 "(ликвидации юридического лица)", flags=("work_injury",)),
)
_PROXY = DocumentRule("POWER_OF_ATTORNEY", "доверенность", flags=("proxy",))
_REGISTRATION = DocumentRule(
    "ADDRESS_CERTIFICATE", "документ, подтверждающий постоянную регистрацию (адресная справка либо "
    "справка сельских и (или) аульных акимов)",
    one_of=("ADDRESS_CERTIFICATE", "AKIM_CERTIFICATE", "HOUSEHOLD_BOOK"))


# ---------------------------------------------------------------------------------------------
# Grounds and checks


class GroundKind(enum.Enum):
    REFUSAL = "refusal"
    RETURN = "return"
    SUSPENSION = "suspension"
    TERMINATION = "termination"


@dataclass(frozen=True)
class Ground:
    """A ground the regulation names (or, ``inferred``, one its definitions imply)."""

    code: str
    kind: GroundKind
    text_ru: str
    source: str
    inferred: bool = False

    def to_json(self) -> dict:
        return {"code": self.code, "kind": self.kind.value, "textRu": self.text_ru,
                "source": self.source, "inferred": self.inferred}


def _refusal(code: str, text: str, source: str, *, inferred: bool = False) -> Ground:
    return Ground(code, GroundKind.REFUSAL, text, source, inferred)


MISSING_DOCUMENTS = "MISSING_DOCUMENTS"
UNRELIABLE = "UNRELIABLE_INFORMATION"
NOT_ENTITLED = "NOT_ENTITLED"
CONTRAINDICATIONS = "MEDICAL_CONTRAINDICATIONS"
RETURN_ERRORS = "RETURN_TO_CON"

_NOT_ENTITLED = _refusal(
    NOT_ENTITLED, "заявитель не является потребителем государственной услуги в смысле пунктов 1-2 "
    "Регламента", "§1-§2 (definitions)", inferred=True)
_RETURN = Ground(RETURN_ERRORS, GroundKind.RETURN,
                 "ошибки в оформлении документов, неполный пакет документов, поступивших из центра: "
                 "возврат в центр с письменным обоснованием в течение 3 рабочих дней", "§10")


# ---------------------------------------------------------------------------------------------
# Services


@dataclass(frozen=True)
class BalkhashService:
    number: int
    slug: str
    name_ru: str
    result_ru: str
    """The positive result ("уведомление …", "справка …"); the negative one is always the
    мотивированный ответ об отказе."""
    result_kind: str
    """registration | certificate | notice | decision_notice | contract_notice"""
    channels: tuple[str, ...]
    categories: tuple[str, ...]
    queues: Mapping[str, QueueNorm]
    documents: tuple[DocumentRule, ...]
    grounds: tuple[Ground, ...]
    unit: str
    """The department's structural unit that renders it (staff.py)."""
    seed_lines: str
    form: str = "не автоматизированная"
    subtypes: tuple[str, ...] = ()
    quarterly_confirmation: bool = False
    phone: str = ""
    schedules: Mapping[str, Schedule] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """SYNTHETIC: the service's code in the simulator (``BLH-S06``)."""
        return f"BLH-S{self.number:02d}"

    def schedule(self, channel: str) -> Schedule:
        if channel in self.schedules:
            return self.schedules[channel]
        return {UO: UO_SCHEDULE, CON: CON_SCHEDULE, AKIM: AKIM_SCHEDULE}[channel]

    def ground(self, code: str) -> Ground | None:
        return next((g for g in self.grounds if g.code == code), None)

    def grounds_of(self, kind: GroundKind) -> tuple[Ground, ...]:
        return tuple(g for g in self.grounds if g.kind is kind)

    def required_documents(self, *, category: str, channel: str, subtype: str | None = None,
                           flags: Iterable[str] = ()) -> list[DocumentRule]:
        flags = frozenset(flags)
        return [d for d in self.documents
                if d.applies(category=category, channel=channel, subtype=subtype, flags=flags)]

    def missing_documents(self, presented: Iterable[str], *, category: str, channel: str,
                          subtype: str | None = None, flags: Iterable[str] = ()) -> list[DocumentRule]:
        """The required items none of whose accepted documents was presented."""
        have = set(presented)
        return [d for d in self.required_documents(category=category, channel=channel, subtype=subtype,
                                                   flags=flags)
                if not have.intersection(d.accepted)]

    def known_document_codes(self) -> set[str]:
        return {c for d in self.documents for c in d.accepted}

    def to_json(self) -> dict:
        return {
            "number": self.number, "code": self.code, "slug": self.slug, "nameRu": self.name_ru,
            "resultRu": self.result_ru, "resultKind": self.result_kind, "form": self.form,
            "channels": list(self.channels), "categories": list(self.categories),
            "subtypes": list(self.subtypes), "unit": self.unit, "seedLines": self.seed_lines,
            "queues": {c: q.to_json() for c, q in self.queues.items()},
            "schedules": {c: self.schedule(c).to_json() for c in self.channels},
            "documents": [d.to_json() for d in self.documents],
            "grounds": [g.to_json() for g in self.grounds],
            "quarterlyConfirmation": self.quarterly_confirmation, "phone": self.phone,
        }


_UO_15 = QueueNorm(15, per_person_minutes=15)
_UO_30 = QueueNorm(15, max_wait_minutes=30)
_CON_30 = QueueNorm(30, max_wait_minutes=30)
_ALL_RESIDENTS = (CITIZEN, ORALMAN, FOREIGNER, STATELESS)
_NO_ORALMAN = (CITIZEN, FOREIGNER, STATELESS)
# Medical measures of the individual rehabilitation programme (ИПР) a disability service needs
# (adapters/social/medical.py keeps them per person).
IPR_MEASURES: Mapping[int, tuple[str, ...]] = MappingProxyType({
    4: ("PROSTHETIC",), 8: ("PERSONAL_ASSISTANT", "SIGN_LANGUAGE"), 9: ("WHEELCHAIR",),
    10: ("SANATORIUM",), 12: ("SOCIAL_CARE_INSTITUTION",), 13: ("SOCIAL_CARE_HOME",),
})
SUBTYPE_MEASURES: Mapping[str, str] = MappingProxyType({
    "surdo": "SURDO", "tiflo": "TIFLO", "hygiene": "HYGIENE",
    "personal_assistant": "PERSONAL_ASSISTANT", "sign_language": "SIGN_LANGUAGE",
})


def _services() -> tuple[BalkhashService, ...]:
    s1 = BalkhashService(
        1, "unemployed-registration", "Регистрация и постановка на учет безработных граждан",
        "регистрация и постановка на учет в качестве безработного в электронном виде", "registration",
        (UO,), _ALL_RESIDENTS,
        {UO: _UO_15},
        (*_id_documents(),
         DocumentRule("LABOUR_DOCUMENTS", "документы, подтверждающие трудовую деятельность"),
         DocumentRule("SIK_CERTIFICATE", "свидетельство о присвоении СИК"),
         DocumentRule("RNN", "регистрационный номер налогоплательщика (РНН)"),
         DocumentRule("INCOME_DECLARATION", "сведения о полученных доходах за последний год")),
        (_refusal(MISSING_DOCUMENTS, "непредставление необходимых документов", "§10"),
         _refusal(UNRELIABLE, "представление ложных сведений и документов", "§10")),
        "employment", "39-150", phone="8 (71036) 46068")
    s2 = BalkhashService(
        2, "semipalatinsk-victims-registration",
        "Регистрация и учет граждан, пострадавших вследствие ядерных испытаний на Семипалатинском "
        "испытательном ядерном полигоне",
        "уведомление о решении о регистрации и учете гражданина, пострадавшего вследствие ядерных "
        "испытаний", "notice", (UO, CON), (CITIZEN,),
        {UO: _UO_30, CON: _CON_30},
        (DocumentRule("APPLICATION", "заявление установленного образца"), _IDENTITY,
         DocumentRule("RESIDENCE_REGISTRATION", "документ, подтверждающий регистрацию по месту жительства",
                      one_of=("RESIDENCE_REGISTRATION", "ADDRESS_CERTIFICATE", "HOUSEHOLD_BOOK")),
         DocumentRule("TAXPAYER_CERTIFICATE", "свидетельство налогоплательщика (при отсутствии ИИН)",
                      flags=("no_iin",)),
         DocumentRule("SIK_CERTIFICATE", "временное свидетельство СИК (при отсутствии ИИН)", flags=("no_iin",)),
         DocumentRule("SAVINGS_BOOK", "сберегательная книжка либо договор с уполномоченной организацией "
                      "по выплате компенсации", one_of=("SAVINGS_BOOK", "PAYMENT_AGENT_CONTRACT")),
         DocumentRule("RESIDENCE_PROOF", "документы, подтверждающие факт и период проживания на территории "
                      "СИЯП (архивные справки, трудовая книжка, военный билет, …)",
                      unless=("no_archive_documents",),
                      one_of=("RESIDENCE_PROOF", "ARCHIVE_CERTIFICATE", "EMPLOYMENT_RECORD_BOOK",
                              "MILITARY_ID", "SCHOOL_CERTIFICATE", "VICTIM_CERTIFICATE")),
         DocumentRule("COURT_DECISION", "решение суда об установлении юридического факта и периода "
                      "проживания", flags=("no_archive_documents",))),
        (_refusal("ALREADY_COMPENSATED", "проверкой выявлено, что компенсационные выплаты гражданину уже "
                  "выплачены", "§10 item 1"),
         _refusal("INCOMPLETE_OR_UNRELIABLE", "предоставление неполных и (или) недостоверных сведений",
                  "§10 item 2"),
         _RETURN),
        "veterans", "152-705", phone="8 (71036) 42325")
    s3 = BalkhashService(
        3, "unemployed-certificate", "Выдача справок безработным гражданам",
        "справка о регистрации в качестве безработного", "certificate", (UO, CON),
        (CITIZEN, ORALMAN, FOREIGNER, STATELESS),
        {UO: QueueNorm(10, max_wait_minutes=10), CON: QueueNorm(30, max_wait_minutes=30,
                                                                collect_wait_minutes=30)},
        (*_id_documents(),
         DocumentRule("APPLICATION", "заполненная форма заявления, выдаваемая по месту обращения")),
        (_refusal("NOT_REGISTERED_UNEMPLOYED", "потребитель не зарегистрирован в качестве безработного в "
                  "уполномоченном органе", "§11"),),
        "employment", "707-942", form="частично автоматизированная", phone="8 (71036) 46068")
    prosthetic_docs = (
        DocumentRule("APPLICATION", "заявление по форме приложения 1 (реквизиты документа, удостоверяющего "
                     "личность, номер СИК)"),
        _IDENTITY_COPY, *_CHILD_ID,
        DocumentRule("IPR_EXTRACT", "копия выписки из индивидуальной программы реабилитации инвалида"),
        DocumentRule("VOV_CERTIFICATE", "копия удостоверения установленного образца (участники, инвалиды ВОВ "
                     "и приравненные к ним лица)", flags=("vov_participant",)),
        DocumentRule("VOV_CERTIFICATE", "копия удостоверения установленного образца (лица, приравненные к "
                     "инвалидам ВОВ)", flags=("vov_equated",)),
        DocumentRule("MEDICAL_CONCLUSION", "копия заключения медицинской организации по месту жительства о "
                     "нуждаемости в протезно-ортопедической помощи", flags=("vov_participant",)),
        *_WORK_INJURY)
    disability_grounds = (
        _refusal(CONTRAINDICATIONS, "наличие медицинских противопоказаний", "§10 item 1"),
        _refusal(MISSING_DOCUMENTS, "отсутствие одного из необходимых документов либо выявление ошибок в "
                 "оформлении документов, поступающих из центра", "§10 item 2"),
        _refusal(UNRELIABLE, "недостоверность сведений и документов", "§10 item 3"),
        _refusal("EMPLOYER_NOT_TERMINATED", "деятельность работодателя (инвалидность вследствие трудового "
                 "увечья) не прекращена в установленном законодательством порядке", "§10 item 4"),
        _NOT_ENTITLED)
    s4 = BalkhashService(
        4, "disability-prosthetic-orthopedic",
        "Оформление документов на инвалидов для предоставления им протезно-ортопедической помощи",
        "уведомление об оформлении документов на протезно-ортопедическую помощь", "notice", (UO, CON),
        _NO_ORALMAN, {UO: _UO_30, CON: _CON_30}, prosthetic_docs, disability_grounds, "veterans", "944-1640",
        phone="8 (71036) 42325")
    s5 = BalkhashService(
        5, "disability-surdo-tiflo-hygiene",
        "Оформление документов на инвалидов для обеспечения их сурдо-тифлотехническими и обязательными "
        "гигиеническими средствами",
        "уведомление об оформлении документов на сурдо-тифлотехнические и обязательные гигиенические "
        "средства", "notice", (UO, CON), _NO_ORALMAN,
        {UO: _UO_30, CON: _CON_30},
        (DocumentRule("APPLICATION", "заявление по форме приложения 1"),
         DocumentRule("IPR_EXTRACT", "копия выписки из ИПР"), _IDENTITY_COPY, *_CHILD_ID,
         DocumentRule("VOV_CERTIFICATE", "копия удостоверения установленного образца (участники и инвалиды ВОВ)",
                      subtypes=("surdo",), flags=("vov_participant",)),
         DocumentRule("PENSION_CERTIFICATE_BENEFIT_MARK", "копия пенсионного удостоверения с отметкой о праве на "
                      "льготы (лица, приравненные к инвалидам ВОВ)", subtypes=("surdo",), flags=("vov_equated",)),
         DocumentRule("PENSION_CERTIFICATE", "копия пенсионного удостоверения (инвалиды I-III групп)",
                      subtypes=("surdo",), flags=("disability_group",)),
         *_WORK_INJURY,
         DocumentRule("DISABILITY_CERTIFICATE", "справка об инвалидности", subtypes=("hygiene",))),
        disability_grounds, "veterans", "1642-2344", subtypes=("surdo", "tiflo", "hygiene"),
        phone="8 (71036) 42325")
    s6 = BalkhashService(
        6, "child-benefit-under-18", "Назначение государственных пособий семьям, имеющим детей до 18 лет",
        "уведомление о назначении пособия на детей", "notice", (UO, CON, AKIM), (CITIZEN, ORALMAN),
        {UO: _UO_15, AKIM: _UO_15, CON: _CON_30},
        (DocumentRule("APPLICATION", "заявление на назначение пособия на детей установленного образца"),
         DocumentRule("CHILD_BIRTH_CERTIFICATES", "копии свидетельств о рождении детей либо записей акта о "
                      "рождении", one_of=("CHILD_BIRTH_CERTIFICATES", "BIRTH_RECORDS")),
         DocumentRule("IDENTITY_DOCUMENT", "копия документа, удостоверяющего личность заявителя",
                      one_of=_IDENTITY.one_of),
         DocumentRule("FAMILY_REGISTRATION", "копия документа, подтверждающего регистрацию семьи по месту "
                      "жительства (книга регистрации граждан, справка адресного бюро либо акима)",
                      one_of=("FAMILY_REGISTRATION", "HOUSEHOLD_BOOK", "ADDRESS_CERTIFICATE", "AKIM_CERTIFICATE")),
         DocumentRule("FAMILY_COMPOSITION", "сведения о составе семьи установленного образца"),
         DocumentRule("FAMILY_INCOME", "сведения о доходах членов семьи установленного образца"),
         DocumentRule("ADOPTION_EXTRACT", "выписка из решения об усыновлении (установлении опеки, "
                      "попечительства)", flags=("adoptive_or_guardian",)),
         _PROXY),
        (_refusal("EMPLOYMENT_CONDITION", "трудоспособные родители (усыновители) не работают, не учатся по "
                  "дневной форме обучения, не служат в армии и не зарегистрированы в органах занятости в "
                  "качестве безработных", "§10 refusal item 1"),
         _refusal("INCOME_ABOVE_FOOD_BASKET", "среднедушевой доход семьи превышает стоимость продовольственной "
                  "корзины, установленной в области", "§10 refusal item 2; §1 'ниже'"),
         _NOT_ENTITLED, _RETURN,
         Ground("CHILD_DEATH", GroundKind.TERMINATION, "смерть ребенка", "§10 termination item 1"),
         Ground("FULL_STATE_SUPPORT", GroundKind.TERMINATION, "помещение ребенка на полное государственное "
                "обеспечение", "§10 termination item 2"),
         Ground("UNLAWFUL_GRANT", GroundKind.TERMINATION, "представление недостоверных сведений, повлекших "
                "незаконное назначение пособия", "§10 termination item 3"),
         Ground("PARENTAL_RIGHTS", GroundKind.TERMINATION, "лишение (ограничение) родительских прав, отмена "
                "усыновления, освобождение (отстранение) опекунов", "§10 termination item 4"),
         Ground("QUARTER_NOT_CONFIRMED", GroundKind.TERMINATION, "право на пособие не подтверждено документами "
                "о доходах за квартал", "§13 ('ежеквартально подтверждается') [inferred consequence]",
                inferred=True)),
        "benefits", "2346-3604", quarterly_confirmation=True, phone="8 (71036) 44061")
    s7 = BalkhashService(
        7, "targeted-social-assistance", "Назначение государственной адресной социальной помощи",
        "уведомление о назначении государственной адресной социальной помощи", "notice", (UO, AKIM),
        (CITIZEN, ORALMAN, REFUGEE, FOREIGNER, STATELESS), {UO: _UO_15, AKIM: _UO_15},
        (DocumentRule("APPLICATION", "заявление установленного образца (реквизиты документа, удостоверяющего "
                      "личность, СИК)"),
         DocumentRule("FAMILY_COMPOSITION", "сведения о составе семьи"),
         DocumentRule("FAMILY_INCOME", "сведения о полученных доходах"),
         DocumentRule("SUBSIDIARY_FARM", "сведения о наличии личного подсобного хозяйства"),
         DocumentRule("FAMILY_REGISTRATION", "копия документа, подтверждающего регистрацию по постоянному месту "
                      "жительства, либо адресная справка, либо справка акима",
                      one_of=("FAMILY_REGISTRATION", "HOUSEHOLD_BOOK", "ADDRESS_CERTIFICATE", "AKIM_CERTIFICATE")),
         DocumentRule("SOCIAL_CONTRACT", "копия социального контракта", flags=("employment_measures",))),
        (_refusal("INCOME_ABOVE_POVERTY_LINE", "среднедушевой доход превышает черту бедности", "п.10 item 1"),
         _refusal("NOT_REGISTERED_OR_REFUSED_MEASURES", "безработные, не зарегистрированные в уполномоченных "
                  "органах по вопросам занятости, и трудоспособные граждане, письменно отказавшиеся от участия "
                  "в активных мерах содействия занятости", "п.10 item 2"),
         _refusal("REFUSED_OFFERED_EMPLOYMENT", "безработные, без уважительных причин отказавшиеся от "
                  "предложенной работы, обучения либо самовольно прекратившие их", "п.10 item 3"),
         Ground("QUARTER_NOT_CONFIRMED", GroundKind.TERMINATION, "право на АСП не подтверждено документами о "
                "доходах за квартал", "п.13 ('ежеквартально подтверждается') [inferred consequence]",
                inferred=True)),
        "benefits", "3612-4331", quarterly_confirmation=True, phone="8 (71036) 44061")
    three_grounds = (
        _refusal(CONTRAINDICATIONS, "наличие медицинских противопоказаний", "§10 item 1"),
        _refusal(MISSING_DOCUMENTS, "отсутствие одного из необходимых документов либо выявление ошибок в "
                 "оформлении документов", "§10 item 2"),
        _refusal(UNRELIABLE, "недостоверность сведений и документов", "§10 item 3"),
        _NOT_ENTITLED)
    s8 = BalkhashService(
        8, "disabled-personal-assistant-sign-language",
        "Оформление документов на инвалидов для предоставления им услуг индивидуального помощника для инвалидов "
        "первой группы, имеющих затруднение в передвижении, и специалиста жестового языка для инвалидов по слуху",
        "решение о предоставлении социальных услуг и уведомление об оформлении документов", "decision_notice",
        (UO,), _NO_ORALMAN, {UO: _UO_15},
        (DocumentRule("APPLICATION", "заявление по форме приложения 1"),
         DocumentRule("IPR_EXTRACT", "копия выписки из ИПР"), _IDENTITY_COPY,
         DocumentRule("DISABILITY_CERTIFICATE", "справка об инвалидности"), _PROXY),
        three_grounds, "veterans", "4332-4588", subtypes=("personal_assistant", "sign_language"),
        phone="8 (71036) 42325")
    s9 = BalkhashService(
        9, "disabled-wheelchair", "Оформление документов на инвалидов для предоставления им кресла-коляски",
        "уведомление об оформлении документов для предоставления кресла-коляски", "notice", (UO,), _NO_ORALMAN,
        {UO: _UO_15},
        (DocumentRule("APPLICATION", "заявление по форме приложения 1"),
         DocumentRule("IPR", "индивидуальная программа реабилитации инвалида",
                      one_of=("IPR", "IPR_EXTRACT")), *_WORK_INJURY, _PROXY),
        three_grounds, "veterans", "4589-4828", phone="8 (71036) 42325")
    s10 = BalkhashService(
        10, "disabled-sanatorium-treatment",
        "Оформление документов на инвалидов для обеспечения их санаторно-курортным лечением",
        "уведомление об оформлении документов для обеспечения санаторно-курортным лечением", "notice", (UO,),
        _NO_ORALMAN, {UO: _UO_15},
        (DocumentRule("APPLICATION", "заявление установленного образца"), _IDENTITY_COPY,
         DocumentRule("BIRTH_CERTIFICATE", "копия свидетельства о рождении ребенка", flags=("minor",)),
         DocumentRule("REPRESENTATIVE_ID", "копия документа, удостоверяющего личность законного представителя",
                      flags=("minor",)),
         DocumentRule("SANATORIUM_CARD", "копия санаторно-курортной карты"), _REGISTRATION,
         DocumentRule("DISABILITY_CERTIFICATE_EXTRACT", "копия выписки из справки об инвалидности"),
         DocumentRule("IPR_EXTRACT", "копия выписки из ИПР"),
         DocumentRule("OTHER_PERSON_ID", "копия документа, удостоверяющего личность другого лица (по письменному "
                      "согласию инвалида)", flags=("other_person_with_consent",))),
        three_grounds, "veterans", "4829-5033", phone="8 (71036) 42325")
    housing_common = (
        DocumentRule("FAMILY_INCOME", "документы, подтверждающие доходы семьи"),
        DocumentRule("MAINTENANCE_BILLS", "счета о размерах ежемесячных взносов на содержание жилого дома"),
        DocumentRule("UTILITY_BILLS", "счета на потребление коммунальных услуг"),
        DocumentRule("TELECOM_BILL", "квитанция-счет за услуги телекоммуникаций или копия договора на оказание "
                     "услуг связи", flags=("has_telephone",), one_of=("TELECOM_BILL", "TELECOM_CONTRACT")),
        DocumentRule("RENT_BILL", "счет о размере арендной платы за жилище, арендованное местным исполнительным "
                     "органом в частном жилищном фонде", flags=("rents_from_akimat",)))
    s11 = BalkhashService(
        11, "housing-assistance", "Назначение жилищной помощи",
        "договор о назначении и уведомление о назначении жилищной помощи", "contract_notice", (UO, CON),
        (CITIZEN,), {UO: QueueNorm(20, max_wait_minutes=20, collect_wait_minutes=20),
         CON: QueueNorm(20, max_wait_minutes=20, collect_wait_minutes=20)},
        (DocumentRule("IDENTITY_DOCUMENT", "копия документа, удостоверяющего личность", channels=(UO,),
                      one_of=_IDENTITY.one_of),
         DocumentRule("IDENTITY_DATA", "сведения документа, удостоверяющего личность", channels=(CON,),
                      one_of=("IDENTITY_DATA",) + _IDENTITY.one_of),
         DocumentRule("TITLE_DEED", "правоустанавливающий документ на жилище (копия)"),
         DocumentRule("HOUSEHOLD_BOOK", "копия книги регистрации граждан", channels=(UO,)),
         DocumentRule("ADDRESS_CERTIFICATE", "сведения о регистрации граждан (адресная справка)", channels=(CON,),
                      one_of=("ADDRESS_CERTIFICATE", "HOUSEHOLD_BOOK")),
         *housing_common),
        (Ground("HOUSING_SHARE_NOT_EXCEEDED", GroundKind.REFUSAL, "расходы на содержание жилища в пределах норм не "
                "превышают установленную долю предельно допустимых расходов в бюджете семьи",
                "§1 definition of жилищная помощь (no refusal ground is listed in §10)", inferred=True),
         _refusal(MISSING_DOCUMENTS, "непредставление документов, определенных решением маслихата",
                  "§10, §13 (the exhaustive list is the маслихат's)", inferred=True),
         _NOT_ENTITLED, _RETURN,
         Ground("MASLIKHAT_SUSPENSION", GroundKind.SUSPENSION, "основание приостановления, определенное решением "
                "местного представительного органа (маслихата)", "§10", inferred=True)),
        "benefits", "5034-5679", schedules={CON: CON_MON_SAT}, phone="8 (71036) 44061")
    care_docs = lambda extra: (  # noqa: E731 — services 12 and 13 share most of §13
        DocumentRule("APPLICATION", "письменное заявление потребителя (для несовершеннолетних и недееспособных — "
                     "законного представителя) либо ходатайство медицинской организации",
                     one_of=("APPLICATION", "REPRESENTATIVE_APPLICATION", "MEDICAL_PETITION")),
        DocumentRule("IDENTITY_DOCUMENT", "копия свидетельства о рождении ребенка либо удостоверения личности",
                     one_of=("BIRTH_CERTIFICATE",) + _IDENTITY.one_of),
        *extra,
        DocumentRule("DISABILITY_CERTIFICATE", "копия справки об инвалидности", unless=("elderly",)),
        DocumentRule("MEDICAL_CARD", "медицинская карта установленной формы"),
        DocumentRule("IPR_EXTRACT", "копия выписки из ИПР", unless=("elderly",)),
        DocumentRule("PENSION_CERTIFICATE", "пенсионное удостоверение", flags=("pension_age",)),
        DocumentRule("VOV_CERTIFICATE", "удостоверение участника, инвалида ВОВ и лиц, приравненных к ним",
                     flags=("vov_participant",)))
    care_grounds = (
        _refusal(CONTRAINDICATIONS, "наличие медицинских противопоказаний к принятию на социальное обслуживание",
                 "§10 item 1"),
        _refusal(MISSING_DOCUMENTS, "отсутствие одного из необходимых документов", "§10 item 2"),
        _refusal("FALSE_DOCUMENTS", "представление заведомо ложной документации", "§10 item 3"),
        _NOT_ENTITLED)
    s12 = BalkhashService(
        12, "social-care-residential-institution",
        "Оформление документов на социальное обслуживание в государственных и негосударственных "
        "медико-социальных учреждениях (организациях)",
        "уведомление об оформлении документов на социальное обслуживание в медико-социальном учреждении",
        "notice", (UO, CON), _ALL_RESIDENTS, {UO: _UO_30, CON: _CON_30},
        care_docs((DocumentRule("RNN", "свидетельство РНН (при отсутствии ИИН)", flags=("no_iin",)),
                   DocumentRule("SIK_CERTIFICATE", "СИК (при отсутствии ИИН)", flags=("no_iin",)),
                   DocumentRule("INCAPACITY_COURT_DECISION", "решение суда о признании недееспособным",
                                flags=("incapable_adult",)))),
        care_grounds, "care", "5680-6147", phone="8 (71036) 48773")
    s13 = BalkhashService(
        13, "social-care-at-home",
        "Оформление документов на социальное обслуживание на дому для одиноких, одиноко проживающих престарелых, "
        "инвалидов и детей-инвалидов, нуждающихся в постороннем уходе и помощи",
        "уведомление об оформлении документов на социальное обслуживание на дому", "notice", (UO, CON),
        _ALL_RESIDENTS, {UO: _UO_30, CON: _CON_30}, care_docs((_REGISTRATION,)), care_grounds, "care", "6148-6624",
        phone="8 (71036) 48773")
    s14 = BalkhashService(
        14, "disabled-children-home-education-allowance",
        "Оформление документов для материального обеспечения детей-инвалидов, обучающихся и воспитывающихся на дому",
        "уведомление об оформлении документов для материального обеспечения детей-инвалидов", "notice", (UO,),
        _NO_ORALMAN, {UO: _UO_15},
        (DocumentRule("APPLICATION", "заявление по форме приложения 3 (СИК (ИИН), РНН, банк, номер счета, квартал)"),
         DocumentRule("IDENTITY_DOCUMENT", "копия удостоверения личности заявителя", one_of=_IDENTITY.one_of),
         DocumentRule("CHILD_BIRTH_CERTIFICATE", "копия свидетельства о рождении ребенка"), _REGISTRATION,
         DocumentRule("PMPK_CONCLUSION", "заключение психолого-медико-педагогической консультации"),
         DocumentRule("DISABILITY_CERTIFICATE", "копия справки об инвалидности"),
         DocumentRule("BANK_ACCOUNT", "копия документа о наличии банковского счета"),
         DocumentRule("RNN_SIK", "РНН и СИК")),
        (_refusal(MISSING_DOCUMENTS, "отсутствие одного из необходимых документов либо выявление ошибок в "
                  "оформлении документов", "§10 item 1"),
         _refusal(UNRELIABLE, "недостоверность сведений и документов", "§10 item 2"), _NOT_ENTITLED),
        "benefits", "6625-6917", form="частично автоматизированная", phone="8 (71036) 44061")
    s15 = BalkhashService(
        15, "local-social-assistance-maslikhat",
        "Назначение и выплата социальной помощи отдельным категориям нуждающихся граждан по решениям местных "
        "представительных органов",
        "уведомление о назначении социальной помощи", "notice", (UO,), _ALL_RESIDENTS, {UO: _UO_30},
        (DocumentRule("APPLICATION", "письменное заявление по форме приложения 3 (социальный статус)"),
         DocumentRule("MASLIKHAT_DOCUMENTS", "документы исчерпывающего перечня, определенного решением маслихата")),
        (_refusal("INCOMPLETE_OR_UNRELIABLE", "предоставление неполных и (или) недостоверных сведений",
                  "п.10 ('отказа (приостановления)')"),
         Ground("INCOMPLETE_OR_UNRELIABLE_SUSPENSION", GroundKind.SUSPENSION, "предоставление неполных и (или) "
                "недостоверных сведений (приостановление)", "п.10 ('отказа (приостановления)'), D41"),
         _refusal("NOT_IN_MASLIKHAT_CATEGORY", "социальный статус заявителя не отнесен решением маслихата к "
                  "категориям получателей социальной помощи", "§1 definition of потребитель", inferred=True)),
        "benefits", "6918-7200", phone="8 (71036) 44061")
    return (s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)


SERVICES: Mapping[int, BalkhashService] = MappingProxyType({s.number: s for s in _services()})
"""The fifteen services by number (1-15)."""


class UnknownService(LookupError):
    pass


def service(ref: int | str) -> BalkhashService:
    """A service by number (6, "6"), code ("BLH-S06") or slug ("child-benefit-under-18")."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        found = SERVICES.get(int(ref))
    else:
        found = next((s for s in SERVICES.values() if ref in (s.code, s.slug)), None)
    if found is None:
        raise UnknownService(f"no service {ref!r} in seed 001 (numbers 1-15, codes BLH-S01..BLH-S15)")
    return found


# ---------------------------------------------------------------------------------------------
# Readings


@dataclass(frozen=True)
class Readings:
    """Where seed 001 is ambiguous, the reading applied; each default is the regulation's own
    words (docs/balkhash.md, "Readings"). Shared by the department and the 2012 ЦОН."""

    issue_day: str = "after_term"
    """ЦОН terms "(день приема и выдачи … не входит в срок)": ``after_term`` (default, literal:
    the N days start after the day of acceptance and the issue day comes after them, on the next
    day the ЦОН opens) or ``last_day`` (issue on the N-th day, as regulations-balkhash §20.1
    counts: +3 wd from Monday = Thursday)."""
    uo_incomplete: str = "refuse_at_intake"
    """An incomplete package handed in at the УО: ``refuse_at_intake`` (default: the талон is
    given "после сдачи всех необходимых документов", and a missing document is a refusal ground,
    so the reasoned refusal is handed at acceptance, D09) or ``accept`` (registered; the chain
    must end in a refusal on ground MISSING_DOCUMENTS)."""
    s6_income_equal: str = "refuse"
    """Service 6, per-capita income equal to the food basket (D20): ``refuse`` (default: §1
    defines the benefit for income "ниже" the basket) or ``grant`` (§10 refuses only "превышает")."""
    s7_income_equal: str = "grant"
    """Service 7, income equal to the poverty line (D25): ``grant`` (default: the applicant is
    defined as "не превышающим", and §10 refuses only "превышает") or ``refuse`` ("ниже")."""
    s11_share_equal: str = "no_assistance"
    """Service 11, expenses exactly at the permissible share: ``no_assistance`` (default: paid
    "если … превышают") or ``assistance``."""
    s6_akim_issuer: str = "uo"
    """Service 6 via the akim (D17): ``uo`` (default: Table 1 has the УО specialist notify) or
    ``akim`` (§11 stage 7: the akim issues)."""
    s15_incomplete: str = "refusal"
    """Service 15, "отказа (приостановления)" (D41): ``refusal`` (default) or ``suspension``."""
    cumulative_milestones: bool = True
    """The term file's reading ``cumulative_milestones``: a cell stated "N дней с момента
    регистрации" ends by that day from the registration (default), or lasts N days as a step."""
    s12_action3_as_variant2: bool = True
    """The term file's reading ``s12_action3_as_variant2`` (D34): service 12's missing action 3
    takes variant 2's 10 wd (default), or no time of its own."""
    electronic_results: frozenset[int] = frozenset()
    """Services whose results are also issued as an XML document signed with the head's EDS (a
    later regulation's electronic form). Empty by default: seed 001's results are paper."""

    _CHOICES = {"issue_day": ("after_term", "last_day"), "uo_incomplete": ("refuse_at_intake", "accept"),
                "s6_income_equal": ("refuse", "grant"), "s7_income_equal": ("grant", "refuse"),
                "s11_share_equal": ("no_assistance", "assistance"), "s6_akim_issuer": ("uo", "akim"),
                "s15_incomplete": ("refusal", "suspension")}

    def __post_init__(self) -> None:
        for name, choices in self._CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(f"reading {name} must be one of {', '.join(choices)}, got {getattr(self, name)!r}")
        bad = [n for n in self.electronic_results if n not in SERVICES]
        if bad:
            raise ValueError(f"electronic_results: no services {bad}")

    def to_json(self) -> dict:
        out = {name: getattr(self, name) for name in self._CHOICES}
        out["electronic_results"] = sorted(self.electronic_results)
        out.update(self.term_options())
        return out

    def term_options(self) -> dict[str, bool]:
        """The options of seed 001's term file (egov_sim/reference/regulations/001.yaml) these
        readings choose: the due dates are counted with them."""
        return {"issue_day_excluded": self.issue_day == "after_term",
                "cumulative_milestones": self.cumulative_milestones,
                "s12_action3_as_variant2": self.s12_action3_as_variant2}

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None) -> Readings:
        """Readings from names and values (``egov-sim serve`` settings, a scenario's options): a
        field of this class, or a term-file option (``issue_day_excluded`` chooses ``issue_day``)."""
        kwargs: dict[str, object] = {}
        for name, value in (values or {}).items():
            if name == "issue_day_excluded":
                if not isinstance(value, bool):
                    raise ValueError("issue_day_excluded must be true or false")
                kwargs["issue_day"] = "after_term" if value else "last_day"
            elif name == "electronic_results":
                kwargs[name] = frozenset(int(n) for n in value)  # type: ignore[attr-defined]
            elif name in ("cumulative_milestones", "s12_action3_as_variant2"):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                kwargs[name] = value
            elif name in cls._CHOICES:
                kwargs[name] = value
            else:
                known = (*cls._CHOICES, "issue_day_excluded", "cumulative_milestones", "s12_action3_as_variant2",
                         "electronic_results")
                raise ValueError(f"no Balkhash reading {name!r} (readings: {', '.join(known)})")
        return cls(**kwargs)  # type: ignore[arg-type]


DEFAULT_READINGS = Readings()
