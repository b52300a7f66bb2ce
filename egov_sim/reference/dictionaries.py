"""ГБД ФЛ dictionaries (справочники): every code the registry stores, with its Russian and Kazakh name.

A :class:`Person` carries codes only; the SOAP provider turns a code into the wire's dictionary
shape (``code``, ``nameRu``, ``nameKz``) with :func:`entry`. Each value says whether it was seen in
a real ГБД ФЛ response (``wire-formats.md`` §4.4) or is **SYNTHETIC** (invented here, because the
real dictionaries are not public): integrators must not rely on a SYNTHETIC code meaning the same
thing in the real registry.

Geography: :data:`REGIONS` are the 17 oblasts and the three cities of republican significance,
keyed by their real KATO prefix (Pavlodar ``55``, Almaty oblast ``19``, Astana ``71``…); that
ГБД ФЛ itself uses KATO is UNVERIFIED. :data:`DISTRICTS` are the real districts (аудан/район) and
cities of oblast significance (their administrations), keyed by SYNTHETIC 4-digit codes: the
region's code plus a serial. Note the wire's naming: ГБД ФЛ's ``<district>`` element (dictionary
``District``) holds the **oblast** and ``<region>`` (dictionary ``Region``) the **district**, the
reverse of :class:`~adapters.gbd_fl.registry.Address` (``region`` = oblast, ``district`` = район).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class DictEntry:
    """One dictionary value in the ГБД ФЛ shape; ``synthetic`` when egov-sim invented the code."""

    code: str
    name_ru: str
    name_kz: str
    synthetic: bool = True


def _table(*rows: tuple[str, str, str] | tuple[str, str, str, bool]) -> Mapping[str, DictEntry]:
    return MappingProxyType({r[0]: DictEntry(*r) for r in rows})


REAL = False  # readability: DictEntry(code, ru, kz, REAL) marks a code seen in a real response

GENDERS = _table(
    ("1", "Мужской", "Ер", REAL),
    ("2", "Женский", "Әйел", REAL),
)
MALE, FEMALE = "1", "2"

LIFE_STATUSES = _table(
    ("0", "Нормальный", "Қалыпты", REAL),
    ("1", "Умер", "Қайтыс болды"),
    ("2", "Объявлен умершим (решение суда)", "Сот шешімімен қайтыс болды деп жарияланды"),
    ("3", "Признан безвестно отсутствующим", "Хабар-ошарсыз кетті деп танылды"),
)
LIFE_NORMAL, LIFE_DECEASED, LIFE_DECLARED_DEAD, LIFE_MISSING = "0", "1", "2", "3"
DEAD_STATUSES = frozenset({LIFE_DECEASED, LIFE_DECLARED_DEAD})

# ISO 3166 numeric codes are real (citizenship 398 was seen); the names are ours.
COUNTRIES = _table(
    ("398", "КАЗАХСТАН", "ҚАЗАҚСТАН", REAL),
    ("643", "РОССИЯ", "РЕСЕЙ", REAL),
    ("860", "УЗБЕКИСТАН", "ӨЗБЕКСТАН", REAL),
    ("417", "КЫРГЫЗСТАН", "ҚЫРҒЫЗСТАН", REAL),
    ("762", "ТАДЖИКИСТАН", "ТӘЖІКСТАН", REAL),
    ("795", "ТУРКМЕНИСТАН", "ТҮРІКМЕНСТАН", REAL),
    ("804", "УКРАИНА", "УКРАИНА", REAL),
    ("112", "БЕЛАРУСЬ", "БЕЛАРУСЬ", REAL),
    ("156", "КИТАЙ", "ҚЫТАЙ", REAL),
    ("276", "ГЕРМАНИЯ", "ГЕРМАНИЯ", REAL),
    ("410", "КОРЕЯ, РЕСПУБЛИКА", "КОРЕЯ РЕСПУБЛИКАСЫ", REAL),
    ("496", "МОНГОЛИЯ", "МОҢҒОЛИЯ", REAL),
    ("792", "ТУРЦИЯ", "ТҮРКИЯ", REAL),
)
KAZAKHSTAN = "398"

# "005" is the placeholder of docs/contracts.md's example; every nationality code is SYNTHETIC.
NATIONALITIES = _table(
    ("005", "КАЗАХ", "ҚАЗАҚ"),
    ("001", "РУССКИЙ", "ОРЫС"),
    ("002", "УКРАИНЕЦ", "УКРАИН"),
    ("003", "БЕЛОРУС", "БЕЛОРУС"),
    ("004", "УЗБЕК", "ӨЗБЕК"),
    ("006", "ТАТАРИН", "ТАТАР"),
    ("007", "НЕМЕЦ", "НЕМІС"),
    ("008", "УЙГУР", "ҰЙҒЫР"),
    ("009", "КОРЕЕЦ", "КӘРІС"),
    ("010", "КЫРГЫЗ", "ҚЫРҒЫЗ"),
    ("011", "ТАДЖИК", "ТӘЖІК"),
    ("099", "НЕ УКАЗАНА", "КӨРСЕТІЛМЕГЕН"),
)
KAZAKH_NATIONALITY = "005"

DOCUMENT_TYPES = _table(
    ("001", "ПАСПОРТ РК", "ҚР ПАСПОРТЫ", REAL),
    ("002", "УДОСТОВЕРЕНИЕ РК", "ҚР ЖЕКЕ КУӘЛІГІ", REAL),
    ("015", "ПАСПОРТ ИНОСТРАННОГО ГОСУДАРСТВА", "ШЕТ МЕМЛЕКЕТТІҢ ПАСПОРТЫ", REAL),
    ("009", "СВИДЕТЕЛЬСТВО О РОЖДЕНИИ", "ТУУ ТУРАЛЫ КУӘЛІК"),
    ("010", "ВИД НА ЖИТЕЛЬСТВО ИНОСТРАНЦА", "ШЕТЕЛДІКТІҢ ТҰРУҒА ЫҚТИЯРХАТЫ"),
)
PASSPORT, ID_CARD, FOREIGN_PASSPORT, BIRTH_CERTIFICATE, RESIDENCE_PERMIT = (
    "001", "002", "015", "009", "010")

DOCUMENT_ORGANIZATIONS = _table(
    ("002", "МВД РК", "ҚР ІІМ", REAL),
    ("001", "МЮ РК (РЕГИСТРАЦИЯ АКТОВ ГРАЖДАНСКОГО СОСТОЯНИЯ)", "ҚР ӘМ (АЗАМАТТЫҚ ХАЛ АКТІЛЕРІН ТІРКЕУ)"),
    ("099", "ИНОСТРАННОЕ ГОСУДАРСТВО", "ШЕТ МЕМЛЕКЕТ"),
)
MVD, REGISTRY_OFFICE, FOREIGN_ISSUER = "002", "001", "099"

# DocumentInvalidity: 00 and 17 are real; 07 and 18 were seen in real responses with an unknown
# meaning (kept so a record carrying them validates; the generator never uses them).
DOCUMENT_STATUSES = _table(
    ("00", "ДОКУМЕНТ ДЕЙСТВИТЕЛЕН", "ҚҰЖАТ ЖАРАМДЫ", REAL),
    ("17", "ВЫПУСК НОВОГО ДОКУМЕНТА", "ЖАҢА ҚҰЖАТТЫҢ ШЫҒАРЫЛУЫ", REAL),
    ("07", "КОД 07 (ЗНАЧЕНИЕ НЕИЗВЕСТНО)", "07 КОДЫ (МӘНІ БЕЛГІСІЗ)", REAL),
    ("18", "КОД 18 (ЗНАЧЕНИЕ НЕИЗВЕСТНО)", "18 КОДЫ (МӘНІ БЕЛГІСІЗ)", REAL),
    ("01", "ИСТЕК СРОК ДЕЙСТВИЯ", "ҚОЛДАНЫЛУ МЕРЗІМІ ӨТТІ"),
    ("02", "УТЕРЯН", "ЖОҒАЛҒАН"),
    ("03", "ПОХИЩЕН", "ҰРЛАНҒАН"),
    ("04", "ИСПОРЧЕН", "БҮЛІНГЕН"),
    ("05", "СМЕРТЬ ВЛАДЕЛЬЦА", "ИЕСІНІҢ ҚАЙТЫС БОЛУЫ"),
    ("06", "ПРИЗНАН НЕДЕЙСТВИТЕЛЬНЫМ", "ЖАРАМСЫЗ ДЕП ТАНЫЛДЫ"),
)
DOC_VALID, DOC_REPLACED, DOC_EXPIRED, DOC_LOST, DOC_STOLEN, DOC_DAMAGED, DOC_OWNER_DEAD, DOC_INVALIDATED = (
    "00", "17", "01", "02", "03", "04", "05", "06")

ADDRESS_STATUSES = _table(
    ("1", "Зарегистрирован", "Тіркелген", REAL),
    ("2", "Снят с регистрации", "Тіркеуден шығарылды"),
)
ADDRESS_REGISTERED, ADDRESS_DEREGISTERED = "1", "2"

ADDRESS_TYPES = _table(
    ("1", "ПОСТОЯННАЯ РЕГИСТРАЦИЯ", "ТҰРАҚТЫ ТІРКЕУ"),
    ("2", "ВРЕМЕННАЯ РЕГИСТРАЦИЯ", "УАҚЫТША ТІРКЕУ"),
)
ADDRESS_PERMANENT, ADDRESS_TEMPORARY = "1", "2"

# "1" with court "000" is the placeholder of docs/contracts.md's example; "2"/"3" are SYNTHETIC.
CAPABLE_STATUSES = _table(
    ("1", "Дееспособный", "Әрекетке қабілетті"),
    ("2", "Недееспособный", "Әрекетке қабілетсіз"),
    ("3", "Ограниченно дееспособный", "Әрекет қабілеттілігі шектеулі"),
)
CAPABLE, INCAPABLE, LIMITED_CAPACITY = "1", "2", "3"


@dataclass(frozen=True)
class Region:
    """An oblast or a city of republican significance (KATO prefix)."""

    code: str
    name_ru: str
    name_kz: str
    genitive_ru: str  # "ПАВЛОДАРСКОЙ ОБЛАСТИ": for court and prosecutor names
    population: int  # thousands, rounded (2024): the generator's weights


@dataclass(frozen=True)
class District:
    """A district (аудан/район), a city of oblast significance, or a district of a republican city."""

    code: str
    region: str
    name_ru: str
    name_kz: str
    kind: str  # "city" (city of oblast significance), "rural" (аудан), "urban" (district of a city)


_REGIONS = (
    Region("10", "ОБЛАСТЬ АБАЙ", "АБАЙ ОБЛЫСЫ", "ОБЛАСТИ АБАЙ", 610),
    Region("11", "АКМОЛИНСКАЯ ОБЛАСТЬ", "АҚМОЛА ОБЛЫСЫ", "АКМОЛИНСКОЙ ОБЛАСТИ", 790),
    Region("15", "АКТЮБИНСКАЯ ОБЛАСТЬ", "АҚТӨБЕ ОБЛЫСЫ", "АКТЮБИНСКОЙ ОБЛАСТИ", 920),
    Region("19", "АЛМАТИНСКАЯ ОБЛАСТЬ", "АЛМАТЫ ОБЛЫСЫ", "АЛМАТИНСКОЙ ОБЛАСТИ", 1520),
    Region("23", "АТЫРАУСКАЯ ОБЛАСТЬ", "АТЫРАУ ОБЛЫСЫ", "АТЫРАУСКОЙ ОБЛАСТИ", 700),
    Region("27", "ЗАПАДНО-КАЗАХСТАНСКАЯ ОБЛАСТЬ", "БАТЫС ҚАЗАҚСТАН ОБЛЫСЫ",
           "ЗАПАДНО-КАЗАХСТАНСКОЙ ОБЛАСТИ", 690),
    Region("31", "ЖАМБЫЛСКАЯ ОБЛАСТЬ", "ЖАМБЫЛ ОБЛЫСЫ", "ЖАМБЫЛСКОЙ ОБЛАСТИ", 1220),
    Region("33", "ОБЛАСТЬ ЖЕТІСУ", "ЖЕТІСУ ОБЛЫСЫ", "ОБЛАСТИ ЖЕТІСУ", 700),
    Region("35", "КАРАГАНДИНСКАЯ ОБЛАСТЬ", "ҚАРАҒАНДЫ ОБЛЫСЫ", "КАРАГАНДИНСКОЙ ОБЛАСТИ", 1130),
    Region("39", "КОСТАНАЙСКАЯ ОБЛАСТЬ", "ҚОСТАНАЙ ОБЛЫСЫ", "КОСТАНАЙСКОЙ ОБЛАСТИ", 830),
    Region("43", "КЫЗЫЛОРДИНСКАЯ ОБЛАСТЬ", "ҚЫЗЫЛОРДА ОБЛЫСЫ", "КЫЗЫЛОРДИНСКОЙ ОБЛАСТИ", 830),
    Region("47", "МАНГИСТАУСКАЯ ОБЛАСТЬ", "МАҢҒЫСТАУ ОБЛЫСЫ", "МАНГИСТАУСКОЙ ОБЛАСТИ", 780),
    Region("55", "ПАВЛОДАРСКАЯ ОБЛАСТЬ", "ПАВЛОДАР ОБЛЫСЫ", "ПАВЛОДАРСКОЙ ОБЛАСТИ", 750),
    Region("59", "СЕВЕРО-КАЗАХСТАНСКАЯ ОБЛАСТЬ", "СОЛТҮСТІК ҚАЗАҚСТАН ОБЛЫСЫ",
           "СЕВЕРО-КАЗАХСТАНСКОЙ ОБЛАСТИ", 530),
    Region("61", "ТУРКЕСТАНСКАЯ ОБЛАСТЬ", "ТҮРКІСТАН ОБЛЫСЫ", "ТУРКЕСТАНСКОЙ ОБЛАСТИ", 2100),
    Region("62", "ОБЛАСТЬ ҰЛЫТАУ", "ҰЛЫТАУ ОБЛЫСЫ", "ОБЛАСТИ ҰЛЫТАУ", 220),
    Region("63", "ВОСТОЧНО-КАЗАХСТАНСКАЯ ОБЛАСТЬ", "ШЫҒЫС ҚАЗАҚСТАН ОБЛЫСЫ",
           "ВОСТОЧНО-КАЗАХСТАНСКОЙ ОБЛАСТИ", 720),
    Region("71", "Г. АСТАНА", "АСТАНА ҚАЛАСЫ", "Г. АСТАНЫ", 1420),
    Region("75", "Г. АЛМАТЫ", "АЛМАТЫ ҚАЛАСЫ", "Г. АЛМАТЫ", 2230),
    Region("79", "Г. ШЫМКЕНТ", "ШЫМКЕНТ ҚАЛАСЫ", "Г. ШЫМКЕНТА", 1220),
)
REGIONS: Mapping[str, Region] = MappingProxyType({r.code: r for r in _REGIONS})
PAVLODAR_OBLAST, ALMATY_OBLAST, KARAGANDA_OBLAST = "55", "19", "35"
ASTANA, ALMATY_CITY, SHYMKENT = "71", "75", "79"

# (region, kind, Russian name, Kazakh name) in a fixed order: the code is region + 2-digit serial
# in this order, so never reorder or delete a row (append new ones at the end of their region).
_DISTRICT_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "55": (  # Pavlodar oblast (seed 002): three cities of oblast significance and ten districts
        ("city", "Г. ПАВЛОДАР", "ПАВЛОДАР Қ."),
        ("city", "Г. ЭКИБАСТУЗ", "ЕКІБАСТҰЗ Қ."),
        ("city", "Г. АКСУ", "АҚСУ Қ."),
        ("rural", "АКТОГАЙСКИЙ РАЙОН", "АҚТОҒАЙ АУДАНЫ"),
        ("rural", "БАЯНАУЛЬСКИЙ РАЙОН", "БАЯНАУЫЛ АУДАНЫ"),
        ("rural", "ЖЕЛЕЗИНСКИЙ РАЙОН", "ЖЕЛЕЗИН АУДАНЫ"),
        ("rural", "ИРТЫШСКИЙ РАЙОН", "ЕРТІС АУДАНЫ"),
        ("rural", "ТЕРЕНКОЛЬСКИЙ РАЙОН", "ТЕРЕҢКӨЛ АУДАНЫ"),
        ("rural", "АККУЛИНСКИЙ РАЙОН", "АҚҚУЛЫ АУДАНЫ"),
        ("rural", "МАЙСКИЙ РАЙОН", "МАЙ АУДАНЫ"),
        ("rural", "ПАВЛОДАРСКИЙ РАЙОН", "ПАВЛОДАР АУДАНЫ"),
        ("rural", "УСПЕНСКИЙ РАЙОН", "УСПЕН АУДАНЫ"),
        ("rural", "ЩЕРБАКТИНСКИЙ РАЙОН", "ШАРБАҚТЫ АУДАНЫ"),
    ),
    "19": (  # Almaty oblast (seed 000), borders since 2022 (the north-east became Жетісу)
        ("city", "Г. КОНАЕВ", "ҚОНАЕВ Қ."),
        ("rural", "БАЛХАШСКИЙ РАЙОН", "БАЛҚАШ АУДАНЫ"),
        ("rural", "ЕНБЕКШИКАЗАХСКИЙ РАЙОН", "ЕҢБЕКШІҚАЗАҚ АУДАНЫ"),
        ("rural", "ЖАМБЫЛСКИЙ РАЙОН", "ЖАМБЫЛ АУДАНЫ"),
        ("rural", "ИЛИЙСКИЙ РАЙОН", "ІЛЕ АУДАНЫ"),
        ("rural", "КАРАСАЙСКИЙ РАЙОН", "ҚАРАСАЙ АУДАНЫ"),
        ("rural", "КЕГЕНСКИЙ РАЙОН", "КЕГЕН АУДАНЫ"),
        ("rural", "РАЙЫМБЕКСКИЙ РАЙОН", "РАЙЫМБЕК АУДАНЫ"),
        ("rural", "ТАЛГАРСКИЙ РАЙОН", "ТАЛҒАР АУДАНЫ"),
        ("rural", "УЙГУРСКИЙ РАЙОН", "ҰЙҒЫР АУДАНЫ"),
    ),
    "10": (
        ("city", "Г. СЕМЕЙ", "СЕМЕЙ Қ."),
        ("city", "Г. КУРЧАТОВ", "КУРЧАТОВ Қ."),
        ("rural", "АЯГОЗСКИЙ РАЙОН", "АЯГӨЗ АУДАНЫ"),
        ("rural", "БОРОДУЛИХИНСКИЙ РАЙОН", "БОРОДУЛИХА АУДАНЫ"),
        ("rural", "ЖАРМИНСКИЙ РАЙОН", "ЖАРМА АУДАНЫ"),
    ),
    "11": (
        ("city", "Г. КОКШЕТАУ", "КӨКШЕТАУ Қ."),
        ("city", "Г. СТЕПНОГОРСК", "СТЕПНОГОР Қ."),
        ("rural", "БУРАБАЙСКИЙ РАЙОН", "БУРАБАЙ АУДАНЫ"),
        ("rural", "ЦЕЛИНОГРАДСКИЙ РАЙОН", "ЦЕЛИНОГРАД АУДАНЫ"),
        ("rural", "АРШАЛЫНСКИЙ РАЙОН", "АРШАЛЫ АУДАНЫ"),
    ),
    "15": (
        ("city", "Г. АКТОБЕ", "АҚТӨБЕ Қ."),
        ("rural", "ХРОМТАУСКИЙ РАЙОН", "ХРОМТАУ АУДАНЫ"),
        ("rural", "АЛГИНСКИЙ РАЙОН", "АЛҒА АУДАНЫ"),
        ("rural", "МАРТУКСКИЙ РАЙОН", "МАРТӨК АУДАНЫ"),
    ),
    "23": (
        ("city", "Г. АТЫРАУ", "АТЫРАУ Қ."),
        ("rural", "ЖЫЛЫОЙСКИЙ РАЙОН", "ЖЫЛЫОЙ АУДАНЫ"),
        ("rural", "МАКАТСКИЙ РАЙОН", "МАҚАТ АУДАНЫ"),
    ),
    "27": (
        ("city", "Г. УРАЛЬСК", "ОРАЛ Қ."),
        ("rural", "БУРЛИНСКИЙ РАЙОН", "БӨРЛІ АУДАНЫ"),
        ("rural", "ЗЕЛЕНОВСКИЙ РАЙОН", "БӘЙТЕРЕК АУДАНЫ"),
    ),
    "31": (
        ("city", "Г. ТАРАЗ", "ТАРАЗ Қ."),
        ("rural", "ЖАМБЫЛСКИЙ РАЙОН", "ЖАМБЫЛ АУДАНЫ"),
        ("rural", "МЕРКЕНСКИЙ РАЙОН", "МЕРКІ АУДАНЫ"),
        ("rural", "КОРДАЙСКИЙ РАЙОН", "ҚОРДАЙ АУДАНЫ"),
    ),
    "33": (
        ("city", "Г. ТАЛДЫКОРГАН", "ТАЛДЫҚОРҒАН Қ."),
        ("city", "Г. ТЕКЕЛИ", "ТЕКЕЛІ Қ."),
        ("rural", "ЕСКЕЛЬДИНСКИЙ РАЙОН", "ЕСКЕЛДІ АУДАНЫ"),
        ("rural", "ПАНФИЛОВСКИЙ РАЙОН", "ПАНФИЛОВ АУДАНЫ"),
        ("rural", "САРКАНДСКИЙ РАЙОН", "САРҚАН АУДАНЫ"),
    ),
    "35": (  # Karaganda oblast: Balkhash (seed 001) is a city of oblast significance here
        ("city", "Г. КАРАГАНДА", "ҚАРАҒАНДЫ Қ."),
        ("city", "Г. ТЕМИРТАУ", "ТЕМІРТАУ Қ."),
        ("city", "Г. БАЛХАШ", "БАЛҚАШ Қ."),
        ("city", "Г. САРАНЬ", "САРАНЬ Қ."),
        ("city", "Г. ШАХТИНСК", "ШАХТИНСК Қ."),
        ("city", "Г. ПРИОЗЕРСК", "ПРИОЗЕРСК Қ."),
        ("rural", "БУХАР-ЖЫРАУСКИЙ РАЙОН", "БҰХАР-ЖЫРАУ АУДАНЫ"),
        ("rural", "АБАЙСКИЙ РАЙОН", "АБАЙ АУДАНЫ"),
        ("rural", "КАРКАРАЛИНСКИЙ РАЙОН", "ҚАРҚАРАЛЫ АУДАНЫ"),
        ("rural", "АКТОГАЙСКИЙ РАЙОН", "АҚТОҒАЙ АУДАНЫ"),
    ),
    "39": (
        ("city", "Г. КОСТАНАЙ", "ҚОСТАНАЙ Қ."),
        ("city", "Г. РУДНЫЙ", "РУДНЫЙ Қ."),
        ("city", "Г. ЛИСАКОВСК", "ЛИСАКОВ Қ."),
        ("rural", "КОСТАНАЙСКИЙ РАЙОН", "ҚОСТАНАЙ АУДАНЫ"),
        ("rural", "ФЕДОРОВСКИЙ РАЙОН", "ФЕДОРОВ АУДАНЫ"),
    ),
    "43": (
        ("city", "Г. КЫЗЫЛОРДА", "ҚЫЗЫЛОРДА Қ."),
        ("rural", "АРАЛЬСКИЙ РАЙОН", "АРАЛ АУДАНЫ"),
        ("rural", "КАЗАЛИНСКИЙ РАЙОН", "ҚАЗАЛЫ АУДАНЫ"),
    ),
    "47": (
        ("city", "Г. АКТАУ", "АҚТАУ Қ."),
        ("city", "Г. ЖАНАОЗЕН", "ЖАҢАӨЗЕН Қ."),
        ("rural", "МУНАЙЛИНСКИЙ РАЙОН", "МҰНАЙЛЫ АУДАНЫ"),
        ("rural", "БЕЙНЕУСКИЙ РАЙОН", "БЕЙНЕУ АУДАНЫ"),
    ),
    "59": (
        ("city", "Г. ПЕТРОПАВЛОВСК", "ПЕТРОПАВЛ Қ."),
        ("rural", "КЫЗЫЛЖАРСКИЙ РАЙОН", "ҚЫЗЫЛЖАР АУДАНЫ"),
        ("rural", "ЕСИЛЬСКИЙ РАЙОН", "ЕСІЛ АУДАНЫ"),
    ),
    "61": (
        ("city", "Г. ТУРКЕСТАН", "ТҮРКІСТАН Қ."),
        ("city", "Г. КЕНТАУ", "КЕНТАУ Қ."),
        ("rural", "САЙРАМСКИЙ РАЙОН", "САЙРАМ АУДАНЫ"),
        ("rural", "ТОЛЕБИЙСКИЙ РАЙОН", "ТӨЛЕ БИ АУДАНЫ"),
        ("rural", "МАКТААРАЛЬСКИЙ РАЙОН", "МАҚТААРАЛ АУДАНЫ"),
    ),
    "62": (
        ("city", "Г. ЖЕЗКАЗГАН", "ЖЕЗҚАЗҒАН Қ."),
        ("city", "Г. САТПАЕВ", "СӘТБАЕВ Қ."),
        ("rural", "УЛЫТАУСКИЙ РАЙОН", "ҰЛЫТАУ АУДАНЫ"),
    ),
    "63": (
        ("city", "Г. УСТЬ-КАМЕНОГОРСК", "ӨСКЕМЕН Қ."),
        ("city", "Г. РИДДЕР", "РИДДЕР Қ."),
        ("rural", "ГЛУБОКОВСКИЙ РАЙОН", "ГЛУБОКОЕ АУДАНЫ"),
        ("rural", "АЛТАЙСКИЙ РАЙОН", "АЛТАЙ АУДАНЫ"),
    ),
    "71": (
        ("urban", "РАЙОН АЛМАТЫ", "АЛМАТЫ АУДАНЫ"),
        ("urban", "РАЙОН БАЙКОНУР", "БАЙҚОҢЫР АУДАНЫ"),
        ("urban", "РАЙОН ЕСИЛЬ", "ЕСІЛ АУДАНЫ"),
        ("urban", "РАЙОН САРЫАРКА", "САРЫАРҚА АУДАНЫ"),
        ("urban", "РАЙОН НУРА", "НҰРА АУДАНЫ"),
    ),
    "75": (
        ("urban", "АЛАТАУСКИЙ РАЙОН", "АЛАТАУ АУДАНЫ"),
        ("urban", "АЛМАЛИНСКИЙ РАЙОН", "АЛМАЛЫ АУДАНЫ"),
        ("urban", "АУЭЗОВСКИЙ РАЙОН", "ӘУЕЗОВ АУДАНЫ"),
        ("urban", "БОСТАНДЫКСКИЙ РАЙОН", "БОСТАНДЫҚ АУДАНЫ"),
        ("urban", "ЖЕТЫСУСКИЙ РАЙОН", "ЖЕТІСУ АУДАНЫ"),
        ("urban", "МЕДЕУСКИЙ РАЙОН", "МЕДЕУ АУДАНЫ"),
        ("urban", "НАУРЫЗБАЙСКИЙ РАЙОН", "НАУРЫЗБАЙ АУДАНЫ"),
        ("urban", "ТУРКСИБСКИЙ РАЙОН", "ТҮРКСІБ АУДАНЫ"),
    ),
    "79": (
        ("urban", "АБАЙСКИЙ РАЙОН", "АБАЙ АУДАНЫ"),
        ("urban", "АЛЬ-ФАРАБИЙСКИЙ РАЙОН", "ӘЛ-ФАРАБИ АУДАНЫ"),
        ("urban", "ЕНБЕКШИНСКИЙ РАЙОН", "ЕҢБЕКШІ АУДАНЫ"),
        ("urban", "КАРАТАУСКИЙ РАЙОН", "ҚАРАТАУ АУДАНЫ"),
        ("urban", "РАЙОН ТУРАН", "ТҰРАН АУДАНЫ"),
    ),
}

DISTRICTS: Mapping[str, District] = MappingProxyType({
    f"{region}{n:02d}": District(f"{region}{n:02d}", region, ru, kz, kind)
    for region, rows in _DISTRICT_ROWS.items()
    for n, (kind, ru, kz) in enumerate(rows, start=1)
})


def districts_of(region: str) -> tuple[District, ...]:
    return tuple(d for d in DISTRICTS.values() if d.region == region)


# Courts (incapacity decisions) and prosecutors' territorial offices (missing-person decisions):
# SYNTHETIC codes, one per region ("000" is the contract example's placeholder).
COURTS = MappingProxyType({
    "000": DictEntry("000", "НЕ ПРИМЕНИМО", "ҚОЛДАНЫЛМАЙДЫ"),
    **{f"C{r.code}": DictEntry(f"C{r.code}", f"РАЙОННЫЙ (ГОРОДСКОЙ) СУД {r.genitive_ru}",
                               f"{r.name_kz} АУДАНДЫҚ (ҚАЛАЛЫҚ) СОТЫ") for r in _REGIONS},
})
GP_TERRITORIAL = MappingProxyType({
    f"P{r.code}": DictEntry(f"P{r.code}", f"ПРОКУРАТУРА {r.genitive_ru}", f"{r.name_kz} ПРОКУРАТУРАСЫ")
    for r in _REGIONS
})


def court_of(region: str) -> str:
    return f"C{region}" if region in REGIONS else "000"


def prosecutor_of(region: str) -> str:
    return f"P{region}" if region in REGIONS else f"P{ASTANA}"


def _geo_tables() -> dict[str, Mapping[str, DictEntry]]:
    regions = {r.code: DictEntry(r.code, r.name_ru, r.name_kz) for r in _REGIONS}
    districts = {d.code: DictEntry(d.code, d.name_ru, d.name_kz) for d in DISTRICTS.values()}
    return {"region": MappingProxyType(regions), "district": MappingProxyType(districts)}


DICTIONARIES: Mapping[str, Mapping[str, DictEntry]] = MappingProxyType({
    "gender": GENDERS,
    "life_status": LIFE_STATUSES,
    "country": COUNTRIES,
    "nationality": NATIONALITIES,
    "document_type": DOCUMENT_TYPES,
    "document_organization": DOCUMENT_ORGANIZATIONS,
    "document_status": DOCUMENT_STATUSES,
    "address_status": ADDRESS_STATUSES,
    "address_type": ADDRESS_TYPES,
    "capable_status": CAPABLE_STATUSES,
    "court": COURTS,
    "gp_territorial": GP_TERRITORIAL,
    **_geo_tables(),
})
"""Every dictionary by kind; ``region`` is the oblast (wire ``<district>``), ``district`` the
district (wire ``<region>``)."""


def entry(kind: str, code: str | None) -> DictEntry | None:
    """The dictionary value for ``code`` (None for None); an unknown code gets a placeholder name.

    Unknown codes are not an error here: a record may legitimately carry a code egov-sim does not
    know (e.g. from an import); the provider still has to put a name on the wire.
    """
    if code is None:
        return None
    table = DICTIONARIES[kind]
    found = table.get(code)
    return found if found is not None else DictEntry(code, code, code, True)


def is_known(kind: str, code: str) -> bool:
    return code in DICTIONARIES[kind]
