"""The service catalogue: which state services exist, who renders them, through which channels,
with which documents, form and deadlines.

One catalogue is shared by the portal, the ЦОН operator's workstation and the regional gateway
РШЭП, so a request built by a front office always names a service and a provider that the АРМ
knows. Sources: seed 002 (Pavlodar oblast, guardian allowance), seed 000 (Almaty oblast, social
assistance by maslikhat decisions) and two services of seed 001 (Balkhash, Karaganda oblast);
see docs/rshep.md.

What is **SYNTHETIC** here (designed for egov-sim, not in the seeds):

- every service code (the ШЭП ``serviceId``), route id and provider office code;
- the provider offices' names, BINs and the choice of districts (the seeds name only "the local
  executive bodies of the cities and districts" / "of districts and cities of oblast
  significance" and "the rural district akims");
- the document lists of seeds 002 and 000 — the seeds refer to item 9 of the Standards
  (No. 198 of 13.04.2015 and No. 279 of 28.04.2015), which are not in the seeds [inferred];
- the request forms (field names, labels, choices) of every service;
- working hours of the seed 002 and 000 offices (seed 001 states 09:00–18:00 with lunch
  13:00–14:00 for its department; the same schedule is assumed elsewhere).

Terms are not here: each regulation's terms are defined once, in its term file
(egov_sim/reference/terms.py, ``regulations/<seed>.yaml``), for the АРМ, the ЦОН's receipt, the
portal and the scenario engine alike. ``deadline_wd`` remains only for services whose regulation
has no term file yet (seed 001 §9: 10 wd for service 4, 14 wd for service 13), and the term
model turns it into a stated term.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.errors import InputError
from egov_sim.reference.iin import make_bin

CHANNELS = ("portal", "con", "office", "akim")
"""portal: egov.kz (ИС ПЭП); con: State Corporation (ИИС ЦОН); office: the provider's office
(кеңсе); akim: the rural district akim (000 §1.2)."""

WORKING_HOURS = "09:00-18:00, lunch 13:00-14:00"


@dataclass(frozen=True)
class RequiredDocument:
    """One document of the package (the Standard's item 9, or seed 001 §13)."""

    code: str
    """documentTypeCode of the ServiceRequest attachment carrying this document."""
    name_ru: str
    name_kz: str
    required: bool = True
    channels: tuple[str, ...] = ("portal", "con", "office")


@dataclass(frozen=True)
class FormField:
    """One field of the request form (ServiceRequest form/field name)."""

    name: str
    label_ru: str
    label_kz: str
    type: str  # "iin" | "text" | "date" | "number" | "choice"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProviderOffice:
    """A provider (услугодатель) and its workstation on its region's РШЭП."""

    code: str
    name_ru: str
    name_kz: str
    bin: str
    region: str
    route_id: str
    working_hours: str = WORKING_HOURS
    kind: str = "akimat"
    """"akimat" (a city or district local executive body or its department) or "rural_akim"
    (000 §1.2: the akim of a settlement, village or rural district)."""
    parent: str | None = None
    """For a rural akim: the district akimat whose head signs its results (000 §5.4, §7 item 21)."""
    region_code: str = ""
    """The oblast's KATO prefix, sent as ServiceRequest provider/regionCode."""


@dataclass(frozen=True)
class StateService:
    """A state service as the front offices offer it and the АРМ processes it."""

    code: str
    """The ШЭП serviceId (SYNTHETIC), also the ServiceRequest serviceCode."""
    seed: str  # "000" | "001" | "002"
    name_ru: str
    name_kz: str
    route_id: str
    providers: tuple[str, ...]
    channels: tuple[str, ...]
    documents: tuple[RequiredDocument, ...]
    form: tuple[FormField, ...]
    result_kind: str  # "decision" | "notice"
    deadline_wd: int | None = None
    """Working days from registration, for a service whose regulation has no term file
    (egov_sim/reference/terms.py); None where the term file defines the terms."""
    extended_deadline_wd: int | None = None
    portal_eligibility: str | None = None

    def documents_for(self, channel: str) -> list[RequiredDocument]:
        return [d for d in self.documents if channel in d.channels]


def _bin(year: int, month: int, serial: int) -> str:
    """A valid BIN of a state institution (SYNTHETIC); skips serials without a check digit."""
    while (value := make_bin(year, month, serial, entity_type=4)) is None:
        serial += 1
    return value


# --- routes ----------------------------------------------------------------------------------

R_PAVLODAR, R_ALMATY_OBL, R_KARAGANDA = "R_Pavlodar", "R_Almaty_obl", "R_Karaganda"

ROUTES: Mapping[str, str] = MappingProxyType({
    R_PAVLODAR: "Павлодарская область",
    R_ALMATY_OBL: "Алматинская область",
    R_KARAGANDA: "Карагандинская область",
})
"""routeId → region. Each route leads to its region's РШЭП instance (SYNTHETIC route ids)."""

_REGION_CODES = {R_PAVLODAR: "55", R_ALMATY_OBL: "19", R_KARAGANDA: "35"}  # KATO oblast prefixes


def _office(code: str, name_ru: str, name_kz: str, bin_: str, route_id: str, **kw) -> ProviderOffice:
    return ProviderOffice(code, name_ru, name_kz, bin_, ROUTES[route_id], route_id,
                          region_code=_REGION_CODES[route_id], **kw)


# --- provider offices (SYNTHETIC names and BINs; the kinds of bodies are the seeds') ----------

_OFFICES = (
    # Seed 002 §1: "local executive bodies of the cities and districts of Pavlodar oblast".
    _office("PVL_PAVLODAR_CITY", "ГУ «Отдел образования города Павлодара» (акимат города Павлодара)",
            "«Павлодар қаласының білім беру бөлімі» ММ (Павлодар қаласының әкімдігі)",
            _bin(2001, 3, 1), R_PAVLODAR),
    _office("PVL_EKIBASTUZ_CITY", "ГУ «Отдел образования города Экибастуза» (акимат города Экибастуза)",
            "«Екібастұз қаласының білім беру бөлімі» ММ (Екібастұз қаласының әкімдігі)",
            _bin(2001, 3, 2), R_PAVLODAR),
    _office("PVL_AKSU_CITY", "ГУ «Отдел образования города Аксу» (акимат города Аксу)",
            "«Ақсу қаласының білім беру бөлімі» ММ (Ақсу қаласының әкімдігі)",
            _bin(2001, 3, 3), R_PAVLODAR),
    _office("PVL_PAVLODAR_DISTRICT", "ГУ «Отдел образования Павлодарского района» (акимат Павлодарского района)",
            "«Павлодар ауданының білім беру бөлімі» ММ (Павлодар ауданының әкімдігі)",
            _bin(2001, 3, 4), R_PAVLODAR),
    # Seed 000 §1: "local executive bodies of districts and of cities of oblast significance",
    # plus rural district akims (§1.2) whose results the district's head signs (§5.4).
    _office("ALM_TALDYKORGAN_CITY", "ГУ «Отдел занятости и социальных программ города Талдыкорган»",
            "«Талдықорған қаласының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі» ММ",
            _bin(2002, 5, 1), R_ALMATY_OBL),
    _office("ALM_KAPSHAGAY_CITY", "ГУ «Отдел занятости и социальных программ города Капшагай»",
            "«Қапшағай қаласының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі» ММ",
            _bin(2002, 5, 2), R_ALMATY_OBL),
    _office("ALM_KARASAY_DISTRICT", "ГУ «Отдел занятости и социальных программ Карасайского района»",
            "«Қарасай ауданының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі» ММ",
            _bin(2002, 5, 3), R_ALMATY_OBL),
    _office("ALM_TALGAR_DISTRICT", "ГУ «Отдел занятости и социальных программ Талгарского района»",
            "«Талғар ауданының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі» ММ",
            _bin(2002, 5, 4), R_ALMATY_OBL),
    _office("ALM_IRGELI_RURAL_AKIM", "ГУ «Аппарат акима Иргелинского сельского округа Карасайского района»",
            "«Қарасай ауданы Іргелі ауылдық округі әкімінің аппараты» ММ",
            _bin(2002, 5, 5), R_ALMATY_OBL, kind="rural_akim", parent="ALM_KARASAY_DISTRICT"),
    _office("ALM_BESKAINAR_RURAL_AKIM", "ГУ «Аппарат акима Бескайнарского сельского округа Талгарского района»",
            "«Талғар ауданы Бесқайнар ауылдық округі әкімінің аппараты» ММ",
            _bin(2002, 5, 6), R_ALMATY_OBL, kind="rural_akim", parent="ALM_TALGAR_DISTRICT"),
    # Seed 001: the one authorized body of all fifteen Balkhash services (§0.2).
    _office("BLH_EMPLOYMENT_SOCIAL", "ГУ «Отдел занятости и социальных программ города Балхаша»",
            "«Балқаш қаласының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі» ММ",
            _bin(2003, 7, 1), R_KARAGANDA),
)

PROVIDERS: Mapping[str, ProviderOffice] = MappingProxyType({o.code: o for o in _OFFICES})


# --- seed 002: allowance to guardians (Pavlodar oblast) -----------------------------------------

_ALL = ("portal", "con", "office")
_PAPER = ("con", "office")  # on the portal the e-request form and the EDS take their place

_GUARDIAN_DOCUMENTS = (  # SYNTHETIC [inferred]: Standard No. 198 item 9 is not in the seed
    RequiredDocument("APPLICATION", "Заявление по форме приложения 2 к Стандарту",
                     "Стандарттың 2-қосымшасына сәйкес нысандағы өтініш", True, _PAPER),
    RequiredDocument("GUARDIAN_ID", "Документ, удостоверяющий личность опекуна (попечителя)",
                     "Қамқоршының (қорғаншының) жеке басын куәландыратын құжат", True, _PAPER),
    RequiredDocument("GUARDIANSHIP_DECISION", "Решение органа опеки и попечительства об установлении опеки (попечительства)",
                     "Қорғаншылық және қамқоршылық органының қамқоршылық (қорғаншылық) белгілеу туралы шешімі"),
    RequiredDocument("CHILD_BIRTH_CERTIFICATE", "Свидетельство о рождении ребенка",
                     "Баланың туу туралы куәлігі"),
    RequiredDocument("PARENTS_STATUS", "Свидетельства о смерти родителей либо решение суда о лишении "
                     "родительских прав (признании безвестно отсутствующими, недееспособными)",
                     "Ата-анасының қайтыс болуы туралы куәліктер не сот шешімі (ата-ана құқықтарынан айыру, "
                     "хабар-ошарсыз кетті деп тану, әрекетке қабілетсіз деп тану)"),
    RequiredDocument("BANK_ACCOUNT", "Справка банка о реквизитах счета опекуна (попечителя)",
                     "Қамқоршының (қорғаншының) шот деректемелері туралы банк анықтамасы"),
    RequiredDocument("SCHOOL_CERTIFICATE", "Справка с места учебы (для детей старше 14 лет)",
                     "Оқу орнынан анықтама (14 жастан асқан балалар үшін)", False),
)

_GUARDIAN_FORM = (  # SYNTHETIC
    FormField("guardianIin", "ИИН опекуна (попечителя)", "Қамқоршының (қорғаншының) ЖСН", "iin"),
    FormField("childIin", "ИИН ребенка", "Баланың ЖСН", "iin"),
    FormField("childFullName", "ФИО ребенка", "Баланың аты-жөні", "text"),
    FormField("guardianRole", "Статус заявителя", "Өтініш берушінің мәртебесі", "choice",
              choices=("guardian", "custodian")),
    FormField("guardianshipDecisionNumber", "Номер решения об установлении опеки",
              "Қамқоршылық белгілеу туралы шешімнің нөмірі", "text"),
    FormField("guardianshipDecisionDate", "Дата решения об установлении опеки",
              "Қамқоршылық белгілеу туралы шешімнің күні", "date"),
    FormField("accountIban", "Номер банковского счета (IBAN)", "Банк шотының нөмірі (IBAN)", "text"),
)

GUARDIAN_ALLOWANCE = StateService(
    code="SIM_GUARDIAN_ALLOWANCE_PAVLODAR", seed="002",
    name_ru="Назначение пособия опекунам или попечителям на содержание ребенка-сироты (детей-сирот) "
            "и ребенка (детей), оставшегося без попечения родителей",
    name_kz="Қамқоршыларға немесе қорғаншыларға жетім баланы (жетім балаларды) және ата-анасының "
            "қамқорлығынсыз қалған баланы (балаларды) асырап-бағуға жәрдемақы тағайындау",
    route_id=R_PAVLODAR,
    providers=("PVL_PAVLODAR_CITY", "PVL_EKIBASTUZ_CITY", "PVL_AKSU_CITY", "PVL_PAVLODAR_DISTRICT"),
    channels=("office", "con", "portal"),
    documents=_GUARDIAN_DOCUMENTS, form=_GUARDIAN_FORM, result_kind="decision")  # terms: regulations/002.yaml


# --- seed 000: social assistance by maslikhat decisions (Almaty oblast) -----------------------

_SOCIAL_DOCUMENTS = (  # SYNTHETIC [inferred]: Standard No. 279 item 9 is not in the seed
    RequiredDocument("APPLICATION", "Заявление о назначении социальной помощи",
                     "Әлеуметтік көмек тағайындау туралы өтініш", True, ("office", "akim")),
    RequiredDocument("ID_DOCUMENT", "Документ, удостоверяющий личность", "Жеке басын куәландыратын құжат",
                     True, ("office", "akim")),
    RequiredDocument("CATEGORY_PROOF", "Документ, подтверждающий принадлежность к категории "
                     "(справка об инвалидности, о социально значимом заболевании и т.п.)",
                     "Санатқа жататынын растайтын құжат (мүгедектігі, әлеуметтік маңызы бар ауруы "
                     "туралы анықтама және т.б.)", True, ("office", "akim", "portal")),
    RequiredDocument("INCOME_STATEMENT", "Сведения о доходах семьи", "Отбасы табысы туралы мәліметтер",
                     True, ("office", "akim", "portal")),
    RequiredDocument("BANK_ACCOUNT", "Справка банка о реквизитах счета", "Шот деректемелері туралы банк анықтамасы",
                     True, ("office", "akim", "portal")),
    RequiredDocument("RESIDENCE_CERTIFICATE", "Адресная справка", "Мекенжай анықтамасы",
                     False, ("office", "akim", "portal")),
)

_SOCIAL_FORM = (  # SYNTHETIC
    FormField("applicantIin", "ИИН заявителя", "Өтініш берушінің ЖСН", "iin"),
    FormField("category", "Категория получателя", "Алушының санаты", "choice",
              choices=("disability", "socially_significant_disease", "low_income", "veteran",
                       "large_family", "other")),
    FormField("familySize", "Количество членов семьи", "Отбасы мүшелерінің саны", "number"),
    FormField("monthlyIncome", "Среднемесячный доход семьи, тенге", "Отбасының орташа айлық табысы, теңге",
              "number", required=False),
    FormField("accountIban", "Номер банковского счета (IBAN)", "Банк шотының нөмірі (IBAN)", "text"),
)

SOCIAL_ASSISTANCE = StateService(
    code="SIM_SOCIAL_ASSISTANCE_ALMATY_OBL", seed="000",
    name_ru="Назначение социальной помощи отдельным категориям нуждающихся граждан по решениям "
            "местных представительных органов",
    name_kz="Жергілікті өкілді органдардың шешімдері бойынша мұқтаж азаматтардың жекелеген "
            "санаттарына әлеуметтік көмек тағайындау",
    route_id=R_ALMATY_OBL,
    providers=("ALM_TALDYKORGAN_CITY", "ALM_KAPSHAGAY_CITY", "ALM_KARASAY_DISTRICT",
               "ALM_TALGAR_DISTRICT", "ALM_IRGELI_RURAL_AKIM", "ALM_BESKAINAR_RURAL_AKIM"),
    channels=("office", "akim", "portal"),  # no State Corporation channel (§1; §7 item 17)
    documents=_SOCIAL_DOCUMENTS, form=_SOCIAL_FORM, result_kind="notice",  # terms: regulations/000.yaml
    portal_eligibility="persons with disabilities and persons with socially significant diseases "
                       "(000 §1.3, K16)")


# --- seed 001: two Balkhash services that also go through the ЦОН (Karaganda oblast) -----------

_PROSTHETIC_DOCUMENTS = (  # seed 001, service 4 §13
    RequiredDocument("APPLICATION", "Заявление установленного образца", "Белгіленген үлгідегі өтініш",
                     True, _PAPER),
    RequiredDocument("ID_DOCUMENT", "Копия документа, удостоверяющего личность (для детей — свидетельство "
                     "о рождении и документ одного из родителей)", "Жеке басын куәландыратын құжаттың көшірмесі",
                     True, _PAPER),
    RequiredDocument("IPR_EXTRACT", "Копия выписки из индивидуальной программы реабилитации инвалида",
                     "Мүгедекті оңалтудың жеке бағдарламасынан үзінді көшірмесі", True, _PAPER),
    RequiredDocument("WAR_VETERAN_CERTIFICATE", "Копия удостоверения участника (инвалида) ВОВ",
                     "ҰОС қатысушысы (мүгедегі) куәлігінің көшірмесі", False, _PAPER),
    RequiredDocument("MEDICAL_CONCLUSION", "Заключение медицинской организации о нуждаемости",
                     "Медициналық ұйымның мұқтаждық туралы қорытындысы", False, _PAPER),
    RequiredDocument("ACCIDENT_REPORT", "Акт о несчастном случае и документ о прекращении деятельности работодателя",
                     "Жазатайым оқиға туралы акт және жұмыс берушінің қызметін тоқтату туралы құжат",
                     False, _PAPER),
)

_HOME_CARE_DOCUMENTS = (  # seed 001, service 13 §13
    RequiredDocument("APPLICATION", "Письменное заявление (законного представителя)", "Жазбаша өтініш",
                     True, _PAPER),
    RequiredDocument("ID_DOCUMENT", "Копия удостоверения личности или свидетельства о рождении ребенка",
                     "Жеке куәліктің немесе баланың туу туралы куәлігінің көшірмесі", True, _PAPER),
    RequiredDocument("RESIDENCE_CERTIFICATE", "Документ о постоянной регистрации (адресная справка)",
                     "Тұрақты тіркелу туралы құжат (мекенжай анықтамасы)", True, _PAPER),
    RequiredDocument("DISABILITY_CERTIFICATE", "Копия справки об инвалидности", "Мүгедектік туралы анықтаманың көшірмесі",
                     False, _PAPER),
    RequiredDocument("MEDICAL_CARD", "Медицинская карта установленной формы", "Белгіленген нысандағы медициналық карта",
                     True, _PAPER),
    RequiredDocument("IPR_EXTRACT", "Копия выписки из ИПР", "ОЖБ-дан үзінді көшірмесі", False, _PAPER),
    RequiredDocument("PENSION_CERTIFICATE", "Пенсионное удостоверение", "Зейнеткерлік куәлік", False, _PAPER),
)

_BALKHASH_FORM = (  # SYNTHETIC
    FormField("applicantIin", "ИИН получателя", "Алушының ЖСН", "iin"),
    FormField("legalRepresentativeIin", "ИИН законного представителя", "Заңды өкілдің ЖСН", "iin",
              required=False),
)

PROSTHETIC_AID = StateService(
    code="SIM_PROSTHETIC_AID_BALKHASH", seed="001",
    name_ru="Оформление документов на инвалидов для предоставления им протезно-ортопедической помощи",
    name_kz="Мүгедектерге протездік-ортопедиялық көмек көрсету үшін құжаттарды ресімдеу",
    route_id=R_KARAGANDA, providers=("BLH_EMPLOYMENT_SOCIAL",), channels=("office", "con"),
    documents=_PROSTHETIC_DOCUMENTS, form=_BALKHASH_FORM, result_kind="notice",
    deadline_wd=10, extended_deadline_wd=None, portal_eligibility=None)

HOME_SOCIAL_CARE = StateService(
    code="SIM_HOME_SOCIAL_CARE_BALKHASH", seed="001",
    name_ru="Оформление документов на социальное обслуживание на дому для одиноких, одиноко проживающих "
            "престарелых, инвалидов и детей-инвалидов, нуждающихся в постороннем уходе и помощи",
    name_kz="Бөгде адамның күтіміне және көмегіне мұқтаж жалғызілікті, жалғыз тұратын қарттарға, "
            "мүгедектерге және мүгедек балаларға үйде әлеуметтік қызмет көрсетуге құжаттарды ресімдеу",
    route_id=R_KARAGANDA, providers=("BLH_EMPLOYMENT_SOCIAL",), channels=("office", "con"),
    documents=_HOME_CARE_DOCUMENTS, form=_BALKHASH_FORM, result_kind="notice",
    deadline_wd=14, extended_deadline_wd=None, portal_eligibility=None)


SERVICES: Mapping[str, StateService] = MappingProxyType({s.code: s for s in (
    GUARDIAN_ALLOWANCE, SOCIAL_ASSISTANCE, PROSTHETIC_AID, HOME_SOCIAL_CARE)})


# --- look-ups ------------------------------------------------------------------------------------

def service(code: str) -> StateService:
    """The service with this code (serviceId), or InputError UNKNOWN_SERVICE."""
    try:
        return SERVICES[code]
    except KeyError:
        raise InputError(f"service {code!r} is not in the catalogue", code="UNKNOWN_SERVICE") from None


def services_for(channel: str) -> list[StateService]:
    """The services a front office of this channel offers, in catalogue order."""
    return [s for s in SERVICES.values() if channel in s.channels]


def provider(code: str) -> ProviderOffice:
    """The provider office with this code, or InputError UNKNOWN_PROVIDER."""
    try:
        return PROVIDERS[code]
    except KeyError:
        raise InputError(f"provider {code!r} is not in the catalogue", code="UNKNOWN_PROVIDER") from None


def provider_by_bin(bin_: str) -> ProviderOffice | None:
    return next((o for o in PROVIDERS.values() if o.bin == bin_), None)


def offices_for(service_: StateService, channel: str) -> list[ProviderOffice]:
    """The offices that accept ``service_`` through ``channel``: rural akims for "akim",
    the akimats for every other channel."""
    offices = [PROVIDERS[c] for c in service_.providers]
    if channel == "akim":
        return [o for o in offices if o.kind == "rural_akim"]
    return [o for o in offices if o.kind != "rural_akim"]


def _check() -> None:
    """Import-time consistency: every code referenced exists, every channel is known."""
    for s in SERVICES.values():
        assert s.route_id in ROUTES and set(s.channels) <= set(CHANNELS), s.code
        for code in s.providers:
            assert PROVIDERS[code].route_id == s.route_id, (s.code, code)
    for o in PROVIDERS.values():
        assert o.parent is None or PROVIDERS[o.parent].route_id == o.route_id, o.code


_check()
