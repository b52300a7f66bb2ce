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

_PAVLODAR, _EKIBASTUZ, _TALGAR_DISTRICT, _ENBEKSHI, _ALMATY_BOSTANDYK, _ASTANA_ESIL = (
    "5501", "5502", "1909", "1903", "7504", "7103")
_GUARDIAN_HOME = _address(_PAVLODAR, "ПАВЛОДАР", "УЛ. ТОРАЙГЫРОВА", "64", "12", date(2009, 4, 2))


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
