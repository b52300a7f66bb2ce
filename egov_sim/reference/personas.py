"""Named persons with stable IINs, for scenarios, integrators and the other registries.

A persona is the same on every simulator: its IIN is a literal here (a valid IIN whose serial is
below 1000, a range the generator never uses, so no generated person can collide with it), and
its record does not depend on the seed or the population size. The person registry's
``install_personas`` (adapters/gbd_fl/registry.py) puts them on top of any population (``ensure_population`` does it at every start, restoring edited
personas); ``not_registered`` is the exception: a valid IIN that is kept **out** of the registry.

The keys are an interface: ЕНИС seeds its powers of attorney between ``poa_principal`` and the
``poa_agent*`` personas; scenarios of seed 002 use ``guardian``/``ward``/``ward_teen``, of seed
000 ``needy_applicant``/``needy_applicant_rural``. ``docs/gbd_fl.md`` has the table (also
``egov-sim persons personas`` and ``GET /admin/persons/personas``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Mapping

from egov_sim.reference import dictionaries as dic
from egov_sim.reference.iin import parse_iin
from egov_sim.reference.person import (
    PERSONA_DOCUMENT_BASE,
    Address,
    CourtDecision,
    Document,
    Person,
    document_number,
    gender_of,
    ten_year_end,
    translit,
    validate,
)


@dataclass(frozen=True)
class Persona:
    """A named person: ``person`` is its record (None for ``not_registered``)."""

    key: str
    iin: str
    role: str  # short title for tables
    description: str  # what a scenario uses it for
    person: Person | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.person.full_name if self.person else "—"


# ---------------------------------------------------------------------------------------------
# Building blocks

def _id_card(begin: date, *, end: date | None = None, status: str = dic.DOC_VALID,
             invalid: date | None = None, kind: str = dic.ID_CARD, issuer: str = dic.MVD) -> Document:
    """A document valid 10 years by default; :func:`_person` gives it its number."""
    return Document(kind, "", None, begin, end or ten_year_end(begin), issuer, status, invalid)


def _birth_certificate(begin: date) -> Document:
    return Document(dic.BIRTH_CERTIFICATE, "", None, begin, None, dic.REGISTRY_OFFICE,
                    dic.DOC_VALID, None)


def _address(district: str, city: str, street: str | None, building: str | None, flat: str | None,
             begin: date, *, end: date | None = None, status: str = dic.ADDRESS_REGISTERED,
             kind: str | None = None) -> Address:
    region = dic.DISTRICTS[district].region
    premises = zlib.crc32(f"{city}|{street}|{building}|{flat}".encode())  # one code per flat
    ar_code = f"{district}{premises:012d}"  # 16 digits, SYNTHETIC
    return Address(kind, dic.KAZAKHSTAN, region, district, city, street, building, None, flat,
                   begin, end, status, ar_code)


def _born(district: str, city: str) -> Address:
    return Address(None, dic.KAZAKHSTAN, dic.DISTRICTS[district].region, district, city, None,
                   None, None, None, None, None, None, None)


def _person(iin: str, surname: str, name: str, patronymic: str | None, *, home: Address | None,
            born: Address | None = None, documents: tuple[Document, ...] = (),
            nationality: str = dic.KAZAKH_NATIONALITY, citizenship: str = dic.KAZAKHSTAN,
            life_status: str = dic.LIFE_NORMAL, death: date | None = None, eng: bool = True,
            **extra) -> Person:
    birth = parse_iin(iin).birth_date
    serial = int(iin[7:11])  # below 1000: the personas' own range of document numbers
    documents = tuple(replace(d, number=document_number(d.type, PERSONA_DOCUMENT_BASE + serial * 4 + k))
                      for k, d in enumerate(documents))
    if born is None:
        if home is None:
            raise ValueError(f"persona {iin}: give a birth place or a home")
        born = _born(home.district or "", home.city or "")
    return Person(
        iin=iin, surname=surname, name=name, patronymic=patronymic,
        eng_surname=translit(surname) if eng else None, eng_first_name=translit(name) if eng else None,
        birth_date=birth, death_date=death, gender=gender_of(iin), nationality=nationality,
        citizenship=citizenship, life_status=life_status, birth_place=born, reg_address=home,
        addresses=extra.pop("addresses", ()), documents=documents,
        capable_status=extra.pop("capable_status", None), missing=extra.pop("missing", False),
        removed=extra.pop("removed", False), parents=extra.pop("parents", ()),
        children=extra.pop("children", ()), guardians=extra.pop("guardians", ()),
        wards=extra.pop("wards", ()), **extra)


# ---------------------------------------------------------------------------------------------
# The personas (IINs are literals: never change one)

GUARDIAN = "780314401012"
WARD = "180722501110"
WARD_TEEN = "111005601218"
DECEASED = "850930401314"
NOT_REGISTERED = "900101301411"
ID_EXPIRED = "750505301514"
INCAPABLE = "481201401612"
INCAPABLE_GUARDIAN = "720819301714"
MISSING = "691010301814"
DOC_INVALID = "880202301911"
DOC_REPLACED = "821111402018"
NEEDY_APPLICANT = "830418402117"
NEEDY_APPLICANT_RURAL = "610125302211"
POA_PRINCIPAL = "560630302314"
POA_AGENT = "900909402419"
POA_AGENT_EXPIRED = "790303302511"
POA_AGENT_REVOKED = "871212402612"
POA_AGENT_SCOPE_MISMATCH = "700707302711"
CON_OPERATOR = "940520402818"
PROVIDER_EXECUTOR = "891130302911"
PROVIDER_HEAD = "710214303016"
REMOVED = "660404303116"
FOREIGN_CITIZEN = "910808403211"
DECLARED_DEAD = "520321303315"

# Seed 001 (Balkhash, Karaganda oblast): the applicants of the fifteen social-protection services.
# Their register data (unemployed register, households and incomes, disability and ИПР,
# compensations) is in adapters/social/personas.py; ages matter for 2013 and for 2026.
BLH_UNEMPLOYED = "850614304017"
BLH_JOBSEEKER = "900322404117"
BLH_ORALMAN = "790902304217"
BLH_FOREIGNER = "821205304318"
BLH_MOTHER_LOW = "860410404412"
BLH_FATHER_REGISTERED = "840819304515"
BLH_CHILD_A = "090211504613"
BLH_CHILD_A_SMALL = "110503604712"
BLH_MOTHER_HIGH = "880125404813"
BLH_CHILD_B = "100730504917"
BLH_MOTHER_C = "871108405017"
BLH_FATHER_IDLE = "830214305116"
BLH_CHILD_C = "080909505218"
BLH_SINGLE_AT_LINE = "581010405310"
BLH_MOTHER_AT_BASKET = "910505405419"
BLH_CHILD_D = "120115605515"
BLH_KONYRAT_RESIDENT = "750303305618"
BLH_PENSIONER_HOUSING = "480202405717"
BLH_HOUSING_WITHIN_SHARE = "700404305816"
BLH_DISABLED_PROSTHETIC = "650707305910"
BLH_CONTRAINDICATED = "600909406012"
BLH_HEARING_IMPAIRED = "711121306117"
BLH_DISABLED_MOBILITY = "680630406219"
BLH_DISABLED_CHILD = "101010606313"
BLH_PARENT_OF_DISABLED_CHILD = "841212406411"
BLH_SEMIPALATINSK = "500517306619"
BLH_SEMIPALATINSK_PAID = "470808406718"
BLH_VOV_VETERAN = "250409306816"
BLH_ELDERLY_LONE = "300120406912"
BLH_WORK_INJURY = "620517309905"
BLH_HOUSING_AT_SHARE = "571103409911"
BLH_SAYAK_MOTHER = "850814409923"
BLH_SAYAK_CHILD = "110602509933"

_PAVLODAR, _EKIBASTUZ, _TALGAR_DISTRICT, _ENBEKSHI, _ALMATY_BOSTANDYK, _ASTANA_ESIL = (
    "5501", "5502", "1909", "1903", "7504", "7103")
_GUARDIAN_HOME = _address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ТОРАЙГЫРОВА", "64", "12", date(2009, 4, 2))


_BALKHASH = "3503"  # Г. БАЛХАШ, Karaganda oblast (35)


def _blh(street: str, building: str, flat: str | None, since: date, *, city: str = "БАЛХАШ") -> Address:
    return _address(_BALKHASH, city, street, building, flat, since)


def _balkhash_rows() -> list[tuple[str, str, str, Person | None]]:
    """Seed 001's applicants: every case the scenario ideas of regulations-balkhash §20 need.
    Their register entries (who is registered as unemployed, incomes, ИПР …) are the social
    registers' (adapters/social/personas.py), not ГБД ФЛ's."""
    card = lambda y, m, d: (_id_card(date(y, m, d)),)  # noqa: E731
    bc = lambda y, m, d: (_birth_certificate(date(y, m, d)),)  # noqa: E731
    home_a = _blh("УЛ. САБИТОВОЙ", "12", "34", date(2008, 5, 5))
    home_c = _blh("УЛ. СЕЙФУЛЛИНА", "7", "15", date(2007, 9, 1))
    return [
        ("blh_unemployed", "Registered unemployed (seed 001)",
         "Registered as unemployed at the Balkhash УО since 2012-11-12 (service 1 register): service 3 "
         "certificate, service 7 condition met.",
         _person(BLH_UNEMPLOYED, "ТАЖИБАЕВ", "ЕРЖАН", "СЕРИКОВИЧ", home=_blh("УЛ. ЛЕНИНА", "25", "8", date(2006, 3, 1)),
                 documents=card(2024, 9, 16))),
        ("blh_jobseeker", "Not registered as unemployed (seed 001)",
         "Out of work, not in the register: applicant of service 1; refused under service 3 until registered.",
         _person(BLH_JOBSEEKER, "КУРМАНОВА", "АЙНУР", "БОЛАТОВНА", home=_blh("УЛ. АЛИМЖАНОВА", "4", "51", date(2012, 2, 1)),
                 documents=card(2025, 3, 3))),
        ("blh_oralman", "Oralman (seed 001)",
         "Ethnic Kazakh from Uzbekistan (citizenship 860) with an oralman certificate: service 1 for an oralman.",
         _person(BLH_ORALMAN, "ТУРСУНБАЕВ", "БАХЫТЖАН", "АБДУЛЛАЕВИЧ", citizenship="860",
                 home=_blh("УЛ. ЖЕЛТОКСАН", "19", "2", date(2011, 8, 15)),
                 born=Address(None, "860", "ТАШКЕНТСКАЯ ОБЛАСТЬ", None, "ЧИНАЗ", None, None, None, None,
                              None, None, None, None),
                 documents=(_id_card(date(2024, 10, 1), kind=dic.RESIDENCE_PERMIT),))),
        ("blh_foreigner", "Foreigner with a residence permit (seed 001)",
         "Citizen of Russia (643) living in Balkhash with a residence permit: service 1 for a foreigner.",
         _person(BLH_FOREIGNER, "ПЕТРЕНКО", "АНДРЕЙ", "ВИКТОРОВИЧ", nationality="001", citizenship="643",
                 home=_blh("УЛ. ГАГАРИНА", "3", "27", date(2010, 4, 20)),
                 born=Address(None, "643", "НОВОСИБИРСКАЯ ОБЛАСТЬ", None, "НОВОСИБИРСК", None, None, None,
                              None, None, None, None, None),
                 documents=(_id_card(date(2024, 2, 2), kind=dic.FOREIGN_PASSPORT, issuer=dic.FOREIGN_ISSUER),
                            _id_card(date(2024, 6, 6), kind=dic.RESIDENCE_PERMIT)))),
        ("blh_mother_low", "Mother, low-income family (seed 001)",
         "Household A (4 persons) under the food basket and the poverty line: services 6 and 7 granted. "
         "Works; her husband `blh_father_registered` is registered as unemployed.",
         _person(BLH_MOTHER_LOW, "АБЕНОВА", "ГУЛЬЖАН", "ТАЛГАТОВНА", home=home_a, documents=card(2024, 4, 11),
                 children=(BLH_CHILD_A, BLH_CHILD_A_SMALL))),
        ("blh_father_registered", "Father, registered unemployed (seed 001)",
         "Household A: able-bodied, not working, registered as unemployed (service 6 condition met).",
         _person(BLH_FATHER_REGISTERED, "АБЕНОВ", "ДАУРЕН", "КАЙРАТОВИЧ", home=home_a, documents=card(2024, 8, 20),
                 children=(BLH_CHILD_A, BLH_CHILD_A_SMALL))),
        ("blh_child_a", "Child, household A (seed 001)",
         "Born 2009-02-11: under 18 in 2013 and until February 2027.",
         _person(BLH_CHILD_A, "АБЕНОВ", "АЛИХАН", "ДАУРЕНОВИЧ", eng=False,
                 home=_blh("УЛ. САБИТОВОЙ", "12", "34", date(2009, 2, 20)), documents=bc(2009, 2, 20),
                 parents=(BLH_MOTHER_LOW, BLH_FATHER_REGISTERED))),
        ("blh_child_a_small", "Small child, household A (seed 001)",
         "Born 2011-05-03: under 3 in 2013 (a parent caring for her is exempt in service 6).",
         _person(BLH_CHILD_A_SMALL, "АБЕНОВА", "АЙЯ", "ДАУРЕНОВНА", eng=False,
                 home=_blh("УЛ. САБИТОВОЙ", "12", "34", date(2011, 5, 12)),
                 documents=bc(2011, 5, 12), parents=(BLH_MOTHER_LOW, BLH_FATHER_REGISTERED))),
        ("blh_mother_high", "Mother, income over the thresholds (seed 001)",
         "Household B (2 persons) over the food basket and the poverty line: services 6 and 7 refused.",
         _person(BLH_MOTHER_HIGH, "СЕМЕНОВА", "ИРИНА", "ПАВЛОВНА", nationality="001",
                 home=_blh("ПР. АБАЯ", "44", "10", date(2012, 1, 10)), documents=card(2025, 1, 26),
                 children=(BLH_CHILD_B,))),
        ("blh_child_b", "Child, household B (seed 001)", "Born 2010-07-30.",
         _person(BLH_CHILD_B, "СЕМЕНОВ", "МАКСИМ", "ИГОРЕВИЧ", nationality="001", eng=False,
                 home=_blh("ПР. АБАЯ", "44", "10", date(2012, 1, 10)), documents=bc(2010, 8, 6),
                 parents=(BLH_MOTHER_HIGH,))),
        ("blh_mother_c", "Mother, idle father not registered (seed 001)",
         "Household C: low income, but the able-bodied father `blh_father_idle` neither works nor is "
         "registered as unemployed: service 6 refused (employment condition), service 7 refused.",
         _person(BLH_MOTHER_C, "ЖАКСЫЛЫКОВА", "МАРЖАН", "ЕРЛАНОВНА", home=home_c, documents=card(2024, 11, 9),
                 children=(BLH_CHILD_C,))),
        ("blh_father_idle", "Able-bodied father, not registered (seed 001)",
         "Household C: does not work, study or serve, not registered as unemployed, cares for no one.",
         _person(BLH_FATHER_IDLE, "ЖАКСЫЛЫКОВ", "НУРЛАН", "АМАНОВИЧ", home=home_c, documents=card(2024, 2, 15),
                 children=(BLH_CHILD_C,))),
        ("blh_child_c", "Child, household C (seed 001)", "Born 2008-09-09.",
         _person(BLH_CHILD_C, "ЖАКСЫЛЫКОВ", "АРМАН", "НУРЛАНОВИЧ", eng=False,
                 home=_blh("УЛ. СЕЙФУЛЛИНА", "7", "15", date(2008, 9, 19)), documents=bc(2008, 9, 19),
                 parents=(BLH_MOTHER_C, BLH_FATHER_IDLE))),
        ("blh_single_at_line", "Household of one exactly at the poverty line (seed 001)",
         "Lives alone; her monthly income equals the poverty line of the year (boundary of service 7).",
         _person(BLH_SINGLE_AT_LINE, "ОМАРОВА", "КУЛЯШ", "ЖУМАБЕКОВНА", home=_blh("УЛ. ТОКТАРОВА", "8", "3", date(1990, 6, 1)),
                 documents=card(2024, 10, 11))),
        ("blh_mother_at_basket", "Family exactly at the food basket (seed 001)",
         "Household D (mother and daughter): per-capita income equals the food basket (boundary of service 6).",
         _person(BLH_MOTHER_AT_BASKET, "ИСМАИЛОВА", "ДАНА", "СЕРИКОВНА", home=_blh("УЛ. ЛЕНИНА", "61", "77", date(2011, 11, 11)),
                 documents=card(2025, 5, 6), children=(BLH_CHILD_D,))),
        ("blh_child_d", "Child, household D (seed 001)", "Born 2012-01-15.",
         _person(BLH_CHILD_D, "ИСМАИЛОВА", "АЛИНА", "ЕРЛАНОВНА", eng=False,
                 home=_blh("УЛ. ЛЕНИНА", "61", "77", date(2012, 1, 20)), documents=bc(2012, 1, 25),
                 parents=(BLH_MOTHER_AT_BASKET,))),
        ("blh_konyrat_resident", "Resident of the settlement Konyrat (seed 001)",
         "Low income, lives in п. Конырат: service 7 through the settlement akim.",
         _person(BLH_KONYRAT_RESIDENT, "КАЛИЕВ", "БОЛАТ", "ТУРСУНОВИЧ",
                 home=_blh("УЛ. ЗАЙЦЕВА", "21", None, date(1999, 7, 7), city="П. КОНЫРАТ"),
                 documents=card(2024, 3, 4))),
        ("blh_pensioner_housing", "Pensioner, housing costs over the share (seed 001)",
         "Lives alone on a pension; housing costs exceed the permissible share: service 11 granted.",
         _person(BLH_PENSIONER_HOUSING, "СМАГУЛОВА", "РАУШАН", "АХМЕТОВНА", home=_blh("УЛ. УАЛИХАНОВА", "16", "5", date(1975, 2, 2)),
                 documents=card(2024, 12, 2))),
        ("blh_housing_within_share", "Housing costs within the share (seed 001)",
         "High income, housing costs within the permissible share: service 11 refused.",
         _person(BLH_HOUSING_WITHIN_SHARE, "ТЕН", "ВИКТОР", "ЛЕОНИДОВИЧ", nationality="009",
                 home=_blh("УЛ. БОКЕЙХАНОВА", "2", "40", date(2001, 1, 15)), documents=card(2025, 4, 5))),
        ("blh_disabled_prosthetic", "Disabled, group II (seed 001)",
         "Group II (general illness); ИПР: prosthetic aid, wheelchair, sanatorium treatment; no "
         "contraindications: services 4, 9, 10 granted.",
         _person(BLH_DISABLED_PROSTHETIC, "ГРИГОРЬЕВ", "СЕРГЕЙ", "ИВАНОВИЧ", nationality="001",
                 home=_blh("УЛ. ЛЕНИНА", "9", "14", date(1994, 9, 9)), documents=card(2024, 7, 8))),
        ("blh_contraindicated", "Disabled with contraindications (seed 001)",
         "Group II; ИПР as for prosthetic aid and sanatorium treatment, but with medical contraindications "
         "to both: services 4 and 10 refused.",
         _person(BLH_CONTRAINDICATED, "ДЖАКУПОВА", "САУЛЕ", "КАМЗИНОВНА", home=_blh("УЛ. САБИТОВОЙ", "3", "9", date(1988, 3, 3)),
                 documents=card(2024, 9, 10))),
        ("blh_hearing_impaired", "Hearing-impaired, group III (seed 001)",
         "Group III, knows sign language; ИПР: surdo aids and a sign-language specialist: service 5 "
         "(surdo) and 8 granted, tiflo aids refused (groups I-II only).",
         _person(BLH_HEARING_IMPAIRED, "ЛИ", "ВАЛЕРИЙ", "ПАВЛОВИЧ", nationality="009",
                 home=_blh("УЛ. ГАГАРИНА", "17", "60", date(2000, 10, 10)), documents=card(2024, 11, 22))),
        ("blh_disabled_mobility", "Disabled, group I, mobility (seed 001)",
         "Group I with difficulty moving; ИПР: individual assistant, hygiene aids, wheelchair, social care "
         "at home: services 8, 5 (hygiene), 9, 13.",
         _person(BLH_DISABLED_MOBILITY, "БАЙМУХАНОВА", "АЛМА", "СЕИТОВНА", home=_blh("ПР. АБАЯ", "5", "1", date(1996, 6, 30)),
                 documents=card(2025, 6, 30))),
        ("blh_disabled_child", "Disabled child educated at home (seed 001)",
         "Born 2010-10-10, disabled child, educated at home (ПМПК): services 14 and 10 (child).",
         _person(BLH_DISABLED_CHILD, "НУРЛАНОВА", "ЖАНЕЛЬ", "БЕКОВНА", eng=False,
                 home=_blh("УЛ. АЛИМЖАНОВА", "30", "12", date(2010, 10, 20)), documents=bc(2010, 10, 19),
                 parents=(BLH_PARENT_OF_DISABLED_CHILD,))),
        ("blh_parent_of_disabled_child", "Mother of a disabled child (seed 001)",
         "Applies for `blh_disabled_child` (services 14, 10, 4 for a child).",
         _person(BLH_PARENT_OF_DISABLED_CHILD, "НУРЛАНОВА", "АЙГУЛЬ", "МАРАТОВНА",
                 home=_blh("УЛ. АЛИМЖАНОВА", "30", "12", date(2005, 5, 5)), documents=card(2024, 12, 13),
                 children=(BLH_DISABLED_CHILD,))),
        ("blh_semipalatinsk", "Semipalatinsk test-site victim (seed 001)",
         "Lived in the contaminated zone in 1955-1968; not compensated yet: service 2 granted.",
         _person(BLH_SEMIPALATINSK, "АУЕЗОВ", "КАНАТ", "МУХТАРОВИЧ", home=_blh("УЛ. ТОКТАРОВА", "40", "6", date(1992, 2, 2)),
                 born=_born("1001", "СЕМЕЙ"), documents=card(2024, 5, 18))),
        ("blh_semipalatinsk_paid", "Semipalatinsk victim already compensated (seed 001)",
         "Lived in the zone in 1949-1962; the one-time compensation was paid in 2010: service 2 refused.",
         _person(BLH_SEMIPALATINSK_PAID, "ЕРГАЛИЕВА", "ЗАУРЕШ", "КАСЫМОВНА", home=_blh("УЛ. ЛЕНИНА", "2", "2", date(1980, 8, 8)),
                 born=_born("1001", "СЕМЕЙ"), documents=card(2024, 8, 9))),
        ("blh_vov_veteran", "Great Patriotic War participant (seed 001)",
         "ВОВ participant, born 1925: services 4 (with the medical conclusion), 12 and 15 (маслихат category).",
         _person(BLH_VOV_VETERAN, "КАРИМОВ", "ЖАКСЫБЕК", None, home=_blh("УЛ. УАЛИХАНОВА", "1", "1", date(1960, 5, 9)),
                 documents=card(2024, 4, 9))),
        ("blh_elderly_lone", "Lone elderly person (seed 001)",
         "Born 1930, lives alone, needs outside care (no disability): services 13 and 12 without disability "
         "documents.",
         _person(BLH_ELDERLY_LONE, "ПАНОВА", "ЕВДОКИЯ", "ИВАНОВНА", nationality="001",
                 home=_blh("УЛ. СЕЙФУЛЛИНА", "22", "4", date(1970, 1, 20)), documents=card(2024, 1, 22))),
        ("blh_work_injury", "Disabled by a work injury (seed 001)",
         "Group III after a work injury in 2009 through the employer's fault; ИПР: prosthetic aid, hygiene "
         "aids, a wheelchair: services 4, 5, 9 in the work-injury category (the employer terminated or not).",
         _person(BLH_WORK_INJURY, "СЕРИКБАЕВ", "МАРАТ", "ЖУМАБАЕВИЧ",
                 home=_blh("УЛ. ЖАМБЫЛА", "11", "23", date(1990, 3, 1)), documents=card(2024, 3, 3))),
        ("blh_sayak_mother", "Mother in the settlement Sayak (seed 001)",
         "Lives in п. Саяк with her son, works for a low wage: service 6 through the settlement akim.",
         _person(BLH_SAYAK_MOTHER, "ТОКТАРОВА", "ДИНАРА", "СЕРИКОВНА",
                 home=_blh("УЛ. ПАРКОВАЯ", "9", "3", date(2009, 4, 4), city="П. САЯК"), documents=card(2024, 2, 14),
                 children=(BLH_SAYAK_CHILD,))),
        ("blh_sayak_child", "Child in the settlement Sayak (seed 001)", "Born 2011-06-02; `blh_sayak_mother`'s son.",
         _person(BLH_SAYAK_CHILD, "ТОКТАРОВ", "АРМАН", "ЕРЛАНОВИЧ", eng=False,
                 home=_blh("УЛ. ПАРКОВАЯ", "9", "3", date(2011, 6, 10), city="П. САЯК"), documents=bc(2011, 6, 9),
                 parents=(BLH_SAYAK_MOTHER,))),
        ("blh_housing_at_share", "Housing costs exactly at the share (seed 001)",
         "Housing costs within the norms exactly at the permissible share of the family's income: service 11 "
         "under the reading s11_share_equal.",
         _person(BLH_HOUSING_AT_SHARE, "ОМАРОВА", "РАУШАН", "ТАЛГАТОВНА",
                 home=_blh("УЛ. ЛЕНИНА", "44", "8", date(1985, 6, 6)), documents=card(2024, 6, 7))),
    ]


def _build() -> tuple[Persona, ...]:
    home = _GUARDIAN_HOME
    rows: list[tuple[str, str, str, Person | None]] = [
        ("guardian", "Guardian of orphans (seed 002)",
         "Applicant for the allowance to guardians (Pavlodar); guardian (қамқоршы) of `ward` and "
         "custodian of `ward_teen`, her late sister's children; valid ID card.",
         _person(GUARDIAN, "ЖУМАБАЕВА", "АЙГЕРИМ", "НУРЛАНОВНА", home=home,
                 documents=(_id_card(date(2025, 2, 10)),), wards=(WARD, WARD_TEEN))),
        ("ward", "Orphan under 14 (seed 002)",
         "Born 2018; his mother (`deceased`) died, his father is not in the registry; birth "
         "certificate; lives with his guardian (опека, under 14 until 2032).",
         _person(WARD, "СЕРИКОВ", "АЛИХАН", "ДАНИЯРОВИЧ", eng=False,
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ТОРАЙГЫРОВА", "64", "12", date(2022, 12, 1)),
                 born=_born(_PAVLODAR, "ПАВЛОДАР"), documents=(_birth_certificate(date(2018, 7, 30)),),
                 parents=(DECEASED,), guardians=(GUARDIAN,))),
        ("ward_teen", "Orphan 14–18 (custodianship)",
         "Sister of `ward`, born 2011 (попечительство, 14–18, until 2029); birth certificate.",
         _person(WARD_TEEN, "СЕРИКОВА", "АРУЖАН", "ДАНИЯРОВНА", eng=False,
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ТОРАЙГЫРОВА", "64", "12", date(2022, 12, 1)),
                 born=_born(_PAVLODAR, "ПАВЛОДАР"), documents=(_birth_certificate(date(2011, 10, 12)),),
                 parents=(DECEASED,), guardians=(GUARDIAN,))),
        ("deceased", "Deceased",
         "Mother of `ward` and `ward_teen`, died 2022-11-03: lifeStatus 1, deathDate, ID card "
         "status 05, registration ended.",
         _person(DECEASED, "СЕРИКОВА", "ГУЛЬНАРА", "НУРЛАНОВНА", life_status=dic.LIFE_DECEASED,
                 death=date(2022, 11, 3),
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ЕСТАЯ", "134", "45", date(2010, 6, 15),
                               end=date(2022, 11, 3), status=dic.ADDRESS_DEREGISTERED),
                 documents=(_id_card(date(2018, 10, 1), status=dic.DOC_OWNER_DEAD,
                                     invalid=date(2022, 11, 3)),),
                 children=(WARD_TEEN, WARD))),
        ("not_registered", "Not in the registry",
         "A valid IIN that ГБД ФЛ does not know (check K03: \"data cannot be obtained\"). Never "
         "inserted; install_personas removes it if someone added it.", None),
        ("id_expired", "ID card expired",
         "His only identity document expired on 2022-04-09 (status 01).",
         _person(ID_EXPIRED, "ОМАРОВ", "ЕРЛАН", "СЕРИКОВИЧ",
                 home=_address(_EKIBASTUZ, "ЭКИБАСТУЗ", "УЛ. МАШХУР ЖУСУПА", "21", "7", date(2001, 3, 1)),
                 documents=(_id_card(date(2012, 4, 10), end=date(2022, 4, 9), status=dic.DOC_EXPIRED,
                                     invalid=date(2022, 4, 10)),))),
        ("incapable", "Legally incapable",
         "Declared incapable by a court in 2019 (capableStatus 2); her son `incapable_guardian` "
         "is her guardian.",
         _person(INCAPABLE, "ПЕТРОВА", "НИНА", "ВАСИЛЬЕВНА", nationality="001",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ЛОМОВА", "18", "3", date(1996, 2, 20)),
                 documents=(_id_card(date(2024, 12, 5)),),
                 capable_status=dic.INCAPABLE,
                 capable_decision=CourtDecision(date(2019, 3, 15), "2-1234/19", dic.court_of("55")),
                 children=(INCAPABLE_GUARDIAN,), guardians=(INCAPABLE_GUARDIAN,))),
        ("incapable_guardian", "Guardian of an incapable adult",
         "Son and guardian of `incapable`; valid ID card.",
         _person(INCAPABLE_GUARDIAN, "ПЕТРОВ", "ИГОРЬ", "ВИКТОРОВИЧ", nationality="001",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ЛОМОВА", "18", "3", date(1996, 2, 20)),
                 documents=(_id_card(date(2024, 8, 25)),),
                 parents=(INCAPABLE,), wards=(INCAPABLE,))),
        ("missing", "Missing person",
         "Declared missing (безвестно отсутствующий) in 2021: missing, lifeStatus 3.",
         _person(MISSING, "ТУЛЕГЕНОВ", "МАРАТ", "БОЛАТОВИЧ", life_status=dic.LIFE_MISSING, missing=True,
                 home=_address("3501", "КАРАГАНДА", "ПР. БУХАР ЖЫРАУ", "47", "90", date(2005, 9, 9)),
                 documents=(_id_card(date(2018, 1, 20)),),
                 missing_decision=CourtDecision(date(2021, 5, 20), "1457-21", dic.prosecutor_of("35")))),
        ("doc_invalid", "Document invalid (lost)",
         "His ID card was declared lost on 2024-06-01 (status 02) and not replaced yet.",
         _person(DOC_INVALID, "КИМ", "ДЕНИС", "ОЛЕГОВИЧ", nationality="009",
                 home=_address(_ALMATY_BOSTANDYK, "АЛМАТЫ", "ПР. АЛЬ-ФАРАБИ", "77", "154", date(2015, 5, 5)),
                 documents=(_id_card(date(2019, 3, 11), status=dic.DOC_LOST, invalid=date(2024, 6, 1)),))),
        ("doc_replaced", "Document replaced",
         "Old ID card status 17 (new one issued 2024-03-01), new card valid: search by either number.",
         _person(DOC_REPLACED, "ВОЛКОВА", "ЕЛЕНА", "ИГОРЕВНА", nationality="001",
                 home=_address(_ASTANA_ESIL, "АСТАНА", "ПР. МАНГИЛИК ЕЛ", "8", "31", date(2013, 7, 1)),
                 documents=(_id_card(date(2014, 2, 27), end=date(2024, 2, 26), status=dic.DOC_REPLACED,
                                     invalid=date(2024, 3, 1)),
                            _id_card(date(2024, 3, 1))))),
        ("needy_applicant", "Needy citizen (seed 000)",
         "Applicant for social assistance by the maslikhat's decision, Almaty oblast (Talgar, "
         "provider channel); valid ID card.",
         _person(NEEDY_APPLICANT, "ИСАБЕКОВА", "САУЛЕ", "МАРАТОВНА",
                 home=_address(_TALGAR_DISTRICT, "ТАЛГАР", "УЛ. ЛЕРМОНТОВА", "5", None, date(2011, 10, 3)),
                 documents=(_id_card(date(2025, 4, 14)),))),
        ("needy_applicant_rural", "Needy citizen, village (seed 000)",
         "Applicant through the rural district akim (Enbekshikazakh district, village Shelek); "
         "valid ID card.",
         _person(NEEDY_APPLICANT_RURAL, "АХМЕТОВ", "БЕРИК", "КАНАТОВИЧ",
                 home=_address(_ENBEKSHI, "С. ШЕЛЕК", "УЛ. ЦЕНТРАЛЬНАЯ", "112", None, date(1985, 5, 1)),
                 documents=(_id_card(date(2025, 1, 28)),))),
        ("poa_principal", "Principal of powers of attorney",
         "Recipient represented under notarised powers of attorney (ЕНИС): one to each `poa_agent*`.",
         _person(POA_PRINCIPAL, "ЖАКУПОВ", "ТАЛГАТ", "АСКАРОВИЧ",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. КУТУЗОВА", "204", "16", date(1990, 11, 11)),
                 documents=(_id_card(date(2024, 7, 1)),))),
        ("poa_agent", "Attorney, valid power",
         "Representative of `poa_principal` under a valid power of attorney.",
         _person(POA_AGENT, "МУКАНОВА", "ДИНАРА", "ЕРЛАНОВНА",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. КАТАЕВА", "33", "58", date(2014, 3, 14)),
                 documents=(_id_card(date(2025, 3, 9)),))),
        ("poa_agent_expired", "Attorney, expired power",
         "Representative of `poa_principal` whose power of attorney has expired.",
         _person(POA_AGENT_EXPIRED, "СМИРНОВ", "ОЛЕГ", "ПЕТРОВИЧ", nationality="001",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. КОРОЛЕНКО", "9", "2", date(2008, 8, 8)),
                 documents=(_id_card(date(2024, 10, 19)),))),
        ("poa_agent_revoked", "Attorney, revoked power",
         "Representative of `poa_principal` whose power of attorney was revoked.",
         _person(POA_AGENT_REVOKED, "ЕСЕНОВА", "АЙЖАН", "БОЛАТОВНА",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ЩЕДРИНА", "40", "77", date(2016, 1, 25)),
                 documents=(_id_card(date(2024, 6, 30)),))),
        ("poa_agent_scope_mismatch", "Attorney, other scope",
         "Representative of `poa_principal` whose power of attorney does not cover the service.",
         _person(POA_AGENT_SCOPE_MISMATCH, "КОВАЛЕНКО", "ВИКТОР", "ИВАНОВИЧ", nationality="002",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. СУВОРОВА", "2", "10", date(1999, 4, 1)),
                 documents=(_id_card(date(2025, 1, 17)),))),
        ("con_operator", "ЦОН operator",
         "State Corporation operator (ИИС ЦОН АРМ) in Pavlodar: the IIN of the operator's "
         "signing certificate (K05).",
         _person(CON_OPERATOR, "АБДРАХМАНОВА", "МАДИНА", "ЕРБОЛАТОВНА",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. АКАДЕМИКА БЕКЕТОВА", "61", "5", date(2018, 9, 1)),
                 documents=(_id_card(date(2024, 5, 21)),))),
        ("provider_executor", "Provider's executor",
         "Responsible executor of the provider (Pavlodar city akimat): prepares decisions.",
         _person(PROVIDER_EXECUTOR, "НУРГАЛИЕВ", "АЗАМАТ", "МАРАТОВИЧ",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. МАЙРЫ", "17", "44", date(2015, 12, 1)),
                 documents=(_id_card(date(2024, 11, 30)),))),
        ("provider_head", "Provider's head",
         "Head of the provider: signs decisions and results (K13, K14, K19).",
         _person(PROVIDER_HEAD, "САДЫКОВ", "КАЙРАТ", "БЕРИКОВИЧ",
                 home=_address(_PAVLODAR, "ПАВЛОДАР", "УЛ. АКАДЕМИКА САТПАЕВА", "3", "1", date(2003, 6, 6)),
                 documents=(_id_card(date(2025, 2, 14)),))),
        ("removed", "Removed from the registry",
         "Record excluded from ГБД ФЛ (removed = true), e.g. after emigration.",
         _person(REMOVED, "ШМИДТ", "АЛЕКСАНДР", "ФЕДОРОВИЧ", nationality="007", removed=True,
                 home=_address("5901", "ПЕТРОПАВЛОВСК", "УЛ. ГАГАРИНА", "12", "8", date(1994, 1, 1),
                               end=date(2015, 6, 30), status=dic.ADDRESS_DEREGISTERED),
                 documents=(_id_card(date(2012, 4, 4), end=date(2022, 4, 3), status=dic.DOC_INVALIDATED,
                                     invalid=date(2015, 6, 30)),))),
        ("foreign_citizen", "Foreign citizen",
         "Citizen of Russia (643) living in Kazakhstan: foreign passport (015) and residence permit (010).",
         _person(FOREIGN_CITIZEN, "ИВАНОВА", "ОЛЬГА", "СЕРГЕЕВНА", nationality="001", citizenship="643",
                 home=_address(_ALMATY_BOSTANDYK, "АЛМАТЫ", "УЛ. ТИМИРЯЗЕВА", "42", "19", date(2019, 5, 5)),
                 born=Address(None, "643", "ОМСКАЯ ОБЛАСТЬ", None, "ОМСК", None, None, None, None,
                              None, None, None, None),
                 documents=(_id_card(date(2023, 8, 20), kind=dic.FOREIGN_PASSPORT, issuer=dic.FOREIGN_ISSUER),
                            _id_card(date(2024, 4, 30), kind=dic.RESIDENCE_PERMIT)))),
        ("declared_dead", "Declared dead by a court",
         "Declared dead by a court decision (lifeStatus 2), deathDate the date of the decision.",
         _person(DECLARED_DEAD, "БАЙЖАНОВ", "СЕРИК", "ОРАЗОВИЧ", life_status=dic.LIFE_DECLARED_DEAD,
                 death=date(2018, 2, 1),
                 home=_address("1501", "АКТОБЕ", "УЛ. АБАЯ", "5", "5", date(1980, 1, 1),
                               end=date(2018, 2, 1), status=dic.ADDRESS_DEREGISTERED),
                 documents=(_id_card(date(2009, 9, 9), end=date(2019, 9, 8), status=dic.DOC_OWNER_DEAD,
                                     invalid=date(2018, 2, 1)),))),
    ]
    rows += _balkhash_rows()
    iins = {
        "guardian": GUARDIAN, "ward": WARD, "ward_teen": WARD_TEEN, "deceased": DECEASED,
        "not_registered": NOT_REGISTERED, "id_expired": ID_EXPIRED, "incapable": INCAPABLE,
        "incapable_guardian": INCAPABLE_GUARDIAN, "missing": MISSING, "doc_invalid": DOC_INVALID,
        "doc_replaced": DOC_REPLACED, "needy_applicant": NEEDY_APPLICANT,
        "needy_applicant_rural": NEEDY_APPLICANT_RURAL, "poa_principal": POA_PRINCIPAL,
        "poa_agent": POA_AGENT, "poa_agent_expired": POA_AGENT_EXPIRED,
        "poa_agent_revoked": POA_AGENT_REVOKED, "poa_agent_scope_mismatch": POA_AGENT_SCOPE_MISMATCH,
        "con_operator": CON_OPERATOR, "provider_executor": PROVIDER_EXECUTOR,
        "provider_head": PROVIDER_HEAD, "removed": REMOVED, "foreign_citizen": FOREIGN_CITIZEN,
        "declared_dead": DECLARED_DEAD,
        **{key: globals()[key.upper()] for key, *_ in _balkhash_rows()},
    }
    personas = []
    for key, role, description, person in rows:
        if person is not None:
            validate(person)
        personas.append(Persona(key, iins[key], role, description, person))
    return tuple(personas)


PERSONAS: Mapping[str, Persona] = MappingProxyType({p.key: p for p in _build()})
"""Every persona by key (see the module docstring)."""


def persona_persons() -> list[Person]:
    """The records a person registry holds for the personas (every persona but ``not_registered``)."""
    return [p.person for p in PERSONAS.values() if p.person is not None]
