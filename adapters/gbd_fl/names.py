"""Names and places of the synthetic population: who is called what, and where people live.

Name pools per ethnic group, with the gender rules the registry must respect:

* surnames are stored in the masculine form; :func:`female_surname` gives the feminine one
  (-ов/-ев/-ин/-ын + а, -ский/-цкий → -ская/-цкая; Ukrainian -ко/-ук, Belarusian -ич, German and
  Korean surnames do not change);
* patronymics come from the father's first name: Russian style (:func:`russian_patronymic`,
  -ович/-овна, -евич/-евна, with the irregular forms of the Russian pool spelled out) or Kazakh
  style (:func:`kazakh_patronymic`: -ұлы/-қызы, or -улы/-кызы as typed on a Russian keyboard).

Everything is upper case, as ГБД ФЛ stores it. :func:`translit` gives the Latin form printed on
identity documents (ICAO 9303 table, with Kazakh letters folded to their base letters).
Places: the settlements and streets of each district in :mod:`.dictionaries`; Pavlodar oblast
(seed 002) and Almaty oblast (seed 000) village by village, the rest by their centres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from egov_sim.reference import dictionaries as dic


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.upper() for w in text.split())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``"Канат/Қанат Марат"`` → ((КАНАТ, ҚАНАТ), (МАРАТ, МАРАТ)): Russian and Kazakh spelling."""
    out = []
    for word in text.split():
        ru, _, kz = word.partition("/")
        out.append((ru.upper(), (kz or ru).upper()))
    return tuple(out)


# -- Kazakh ------------------------------------------------------------------------------------

KAZAKH_MALE = _pairs("""
    Нурлан/Нұрлан Ержан Айдос Бауыржан Даурен/Дәурен Ерлан Асхат Марат Арман Серик/Серік
    Канат/Қанат Жандос Ерболат Нуржан/Нұржан Талгат/Талғат Алмас Азамат Руслан Данияр Ерасыл
    Алихан/Әлихан Нурсултан/Нұрсұлтан Медет Болат Габит/Ғабит Дархан Жанибек/Жәнібек Мирас
    Олжас Санжар Тимур Еркебулан/Еркебұлан Бекзат Адиль/Әділ Айбек Максат/Мақсат Кайрат/Қайрат
    Мухтар/Мұхтар Аскар/Асқар Берик/Берік Бахыт/Бақыт Жаксылык/Жақсылық Галым/Ғалым Ерик/Ерік
    Куаныш/Қуаныш Мейрам Нурбол/Нұрбол Рахат Самат Темирлан/Темірлан Улан/Ұлан Шынгыс/Шыңғыс
    Ильяс/Ілияс Аян Абылай Арсен Диас Рамазан Айдар Ермек Жасулан/Жасұлан Досжан Бекболат
    Мади/Мәди Али/Әли Муса/Мұса
""")
KAZAKH_FEMALE = _pairs("""
    Айгерим/Айгерім Айгуль/Айгүл Гульнара/Гүлнара Динара Жанар Салтанат Асель/Әсел Айжан Мадина
    Камила Дана Аружан Жулдыз/Жұлдыз Сауле/Сәуле Гульмира/Гүлмира Назерке Томирис Малика Айару
    Карлыгаш/Қарлығаш Алия/Әлия Индира Маржан Акбота/Ақбота Балжан Шолпан Ботагоз/Ботагөз
    Меруерт Анар Раушан Куралай/Құралай Зарина Акмарал/Ақмарал Гаухар/Гауһар Жибек/Жібек Сабина
    Айым Аяжан Толкын/Толқын Улжан/Ұлжан Багила/Бағила Эльмира Алтынай Асем/Әсем Дильназ/Ділназ
    Нургуль/Нұргүл Роза Сандугаш/Сандуғаш Гульжан/Гүлжан Айнур Дария Жансая Аягоз/Аягөз Кунсулу/Күнсұлу
""")
KAZAKH_SURNAMES = _words("""
    Ахметов Жумабаев Сериков Нурланов Касымов Искаков Сатпаев Омаров Утепов Абенов Бекмуханов
    Мусин Абишев Калиев Есенов Байжанов Тулегенов Жунусов Амангельдин Кенжебеков Садыков Ибраев
    Оспанов Смагулов Жаксылыков Нургалиев Шаймерденов Ермеков Мукашев Сулейменов Ахметжанов
    Жакупов Каирбеков Кудайбергенов Абдрахманов Тлеубаев Бейсенов Рахимжанов Алимжанов
    Досмухамбетов Мамырбаев Турсынбаев Исабеков Сагындыков Габдуллин Кабдулов Есимов Аубакиров
    Токтаров Абилов Жолдасбеков Муканов Берикбаев Альжанов Балтабаев Даулетов Ержанов Иманбаев
    Калиаскаров Кенесов Кожахметов Мухамеджанов Нуртазин Оразбаев Сейтказин Таженов Умбетов
    Шаяхметов Жанибеков Есмагамбетов Аханов Бекенов Дюсенбаев Ескендиров Жумагулов Кенжин
    Касенов Кулманов Мырзахметов Нуркенов Сарсенбаев Тажибаев Утегенов Байгалиев Жусупов
    Кабылбеков Нурпеисов Сыздыков Толеуов Усенов Шакенов Ыбраев Айтжанов Бекетов Жетписов
    Молдабеков Сапаров Тулеубаев Абдиров Байтенов Карибжанов Мусабеков Рыскулов Тастанов
""")

# -- Russian (also Ukrainian, Belarusian, German and Korean first names) -------------------------

# (name, patronymic of a son, patronymic of a daughter): the Russian forms are irregular enough
# (Илья → Ильич/Ильинична, Никита → Никитич) to spell out.
RUSSIAN_MALE = tuple((n.upper(), m.upper(), f.upper()) for n, m, f in (
    (line.split()) for line in """
    Александр Александрович Александровна
    Сергей Сергеевич Сергеевна
    Андрей Андреевич Андреевна
    Дмитрий Дмитриевич Дмитриевна
    Алексей Алексеевич Алексеевна
    Владимир Владимирович Владимировна
    Евгений Евгеньевич Евгеньевна
    Николай Николаевич Николаевна
    Игорь Игоревич Игоревна
    Виктор Викторович Викторовна
    Юрий Юрьевич Юрьевна
    Олег Олегович Олеговна
    Михаил Михайлович Михайловна
    Павел Павлович Павловна
    Иван Иванович Ивановна
    Константин Константинович Константиновна
    Денис Денисович Денисовна
    Максим Максимович Максимовна
    Артем Артемович Артемовна
    Роман Романович Романовна
    Вадим Вадимович Вадимовна
    Вячеслав Вячеславович Вячеславовна
    Геннадий Геннадьевич Геннадьевна
    Валерий Валерьевич Валерьевна
    Анатолий Анатольевич Анатольевна
    Борис Борисович Борисовна
    Василий Васильевич Васильевна
    Петр Петрович Петровна
    Григорий Григорьевич Григорьевна
    Илья Ильич Ильинична
    Кирилл Кириллович Кирилловна
    Никита Никитич Никитична
    Егор Егорович Егоровна
    Станислав Станиславович Станиславовна
    Антон Антонович Антоновна
    Владислав Владиславович Владиславовна
    Федор Федорович Федоровна
    Леонид Леонидович Леонидовна
    Степан Степанович Степановна
    Тимофей Тимофеевич Тимофеевна
    Георгий Георгиевич Георгиевна
    Даниил Даниилович Данииловна
    Артур Артурович Артуровна
    """.strip().splitlines()
))
RUSSIAN_FEMALE = _words("""
    Елена Ольга Наталья Татьяна Ирина Светлана Анна Мария Екатерина Юлия Людмила Галина Марина
    Надежда Валентина Любовь Оксана Виктория Анастасия Дарья Ксения Алена Полина Софья Вера
    Лариса Нина Тамара Жанна Алина Кристина Евгения Валерия Маргарита Елизавета Александра Яна
    Инна Олеся Вероника
""")
RUSSIAN_SURNAMES = _words("""
    Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Федоров Морозов Волков
    Алексеев Лебедев Семенов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин
    Захаров Зайцев Соловьев Борисов Яковлев Григорьев Романов Воробьев Сергеев Кузьмин Фролов
    Александров Дмитриев Королев Гусев Киселев Ильин Максимов Поляков Сорокин Виноградов Ковалев
    Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов
    Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников
    Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов
    Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышев Быков Маслов Родионов
    Коновалов Лазарев Воронин Климов Филатов Пономарев Голубев Кудрявцев Прохоров Наумов Потапов
    Журавлев Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров
    Грачев Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов
    Покровский Вишневский Ковальский Соболевский Левицкий Троицкий
""")
UKRAINIAN_SURNAMES = _words("""
    Шевченко Бондаренко Коваленко Ткаченко Кравченко Олейник Ковальчук Мельник Бойко Савченко
    Марченко Руденко Лысенко Гончаренко Кириленко Петренко Павленко Литвиненко Полищук Романюк
""")
BELARUSIAN_SURNAMES = _words("Короткевич Лукашевич Михалевич Новик Жук Костюкевич Ярошевич Климович")
GERMAN_SURNAMES = _words("""
    Шмидт Миллер Вебер Шнайдер Фишер Майер Вагнер Беккер Шульц Гофман Кох Рихтер Клейн Вольф
    Нейман Циммерман Браун Гартман Шефер Эрлих
""")
KOREAN_SURNAMES = _words("Ким Пак Цой Ли Тен Хан Югай Шин Нам Огай")

# -- other Turkic groups (Russian-style patronymics by rule) --------------------------------------

TATAR_MALE = _words("Ринат Ильдар Рустам Марат Айдар Рафаэль Тимур Ильшат Азат Фарид Ренат Рашид")
TATAR_FEMALE = _words("Гульнара Альфия Резеда Алсу Лилия Венера Гузель Эльвира Диляра Ляйсан")
TATAR_SURNAMES = _words("""
    Хабибуллин Галиев Сафин Закиров Гарипов Валиев Шарипов Хасанов Мухаметов Нуриев Гайнуллин
    Ахмадеев Сабиров Юнусов
""")
UZBEK_MALE = _words("Бахтиёр Шухрат Фаррух Рустам Улугбек Жасур Бекзод Азиз Дилшод Фуркат Шерзод Икром")
UZBEK_FEMALE = _words("Дилноза Нилуфар Гулноза Мадина Шахло Феруза Зарина Мохира Нодира Гулчехра")
UZBEK_SURNAMES = _words("""
    Юсупов Каримов Рахимов Усманов Алимов Мирзаев Исмаилов Хасанов Турсунов Абдуллаев Назаров
    Ташпулатов Эргашев Султанов
""")
UIGHUR_MALE = _words("Азат Ильхам Мурат Дилшат Абдулла Шухрат Ильяр Арслан Ахмет Нурахмет")
UIGHUR_FEMALE = _words("Гульнур Патигуль Зульфия Мадина Назугум Айгуль Динара Мухаббат Рукия")
UIGHUR_SURNAMES = _words("""
    Масимов Исмаилов Турдиев Аблимитов Юсупов Розахунов Касымов Мамутов Садыров Кадыров Абдуллин
""")


@dataclass(frozen=True)
class Ethnicity:
    """A group's name pools. ``male`` holds (name, son's patronymic, daughter's patronymic) where
    the pool spells the patronymics out, else (name, None, None) and the rule applies."""

    key: str
    nationality: str  # dictionaries.NATIONALITIES code
    male: tuple[tuple[str, str | None, str | None], ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    kazakh: bool = False  # Kazakh name spellings and the Kazakh patronymic styles apply
    kz_spelling: Mapping[str, str] = field(default_factory=dict)  # Russian → Kazakh spelling


def _plain(names: tuple[str, ...]) -> tuple[tuple[str, None, None], ...]:
    return tuple((n, None, None) for n in names)


ETHNICITIES: Mapping[str, Ethnicity] = MappingProxyType({e.key: e for e in (
    Ethnicity("kazakh", "005", _plain(tuple(ru for ru, _ in KAZAKH_MALE)),
              tuple(ru for ru, _ in KAZAKH_FEMALE), KAZAKH_SURNAMES, kazakh=True,
              kz_spelling=MappingProxyType(dict(KAZAKH_MALE + KAZAKH_FEMALE))),
    Ethnicity("russian", "001", RUSSIAN_MALE, RUSSIAN_FEMALE, RUSSIAN_SURNAMES),
    Ethnicity("ukrainian", "002", RUSSIAN_MALE, RUSSIAN_FEMALE, UKRAINIAN_SURNAMES),
    Ethnicity("belarusian", "003", RUSSIAN_MALE, RUSSIAN_FEMALE, BELARUSIAN_SURNAMES),
    Ethnicity("german", "007", RUSSIAN_MALE, RUSSIAN_FEMALE, GERMAN_SURNAMES),
    Ethnicity("korean", "009", RUSSIAN_MALE, RUSSIAN_FEMALE, KOREAN_SURNAMES),
    Ethnicity("tatar", "006", _plain(TATAR_MALE), TATAR_FEMALE, TATAR_SURNAMES),
    Ethnicity("uzbek", "004", _plain(UZBEK_MALE), UZBEK_FEMALE, UZBEK_SURNAMES),
    Ethnicity("uighur", "008", _plain(UIGHUR_MALE), UIGHUR_FEMALE, UIGHUR_SURNAMES),
)})


# -- gender forms --------------------------------------------------------------------------------

_FEMININE_BY_SUFFIX = (("СКИЙ", "СКАЯ"), ("ЦКИЙ", "ЦКАЯ"))
_ADD_A = ("ОВ", "ЕВ", "ЁВ", "ИН", "ЫН")


def female_surname(masculine: str) -> str:
    """The feminine form of a surname stored in the masculine form (invariant ones unchanged)."""
    for male, female in _FEMININE_BY_SUFFIX:
        if masculine.endswith(male):
            return masculine[: -len(male)] + female
    if masculine.endswith(_ADD_A):
        return masculine + "А"
    return masculine


_VOWELS = frozenset("АЕЁИОУЫЭЮЯӘӨҮҰІ")


def russian_patronymic(father: str, female: bool) -> str:
    """-ович/-овна after a consonant, -евич/-евна after й, ь or a vowel (Мади → Мадиевич)."""
    last = father[-1]
    if last in "ЙЬ":
        stem, soft = father[:-1], True
    else:
        stem, soft = father, last in _VOWELS
    return stem + ("ЕВНА" if female else "ЕВИЧ") if soft else stem + ("ОВНА" if female else "ОВИЧ")


def kazakh_patronymic(father: str, female: bool, *, kazakh_letters: bool = True) -> str:
    """Нұрланұлы / Нұрланқызы, or Нурланулы / Нурланкызы without the Kazakh letters."""
    if kazakh_letters:
        return father + ("ҚЫЗЫ" if female else "ҰЛЫ")
    return father + ("КЫЗЫ" if female else "УЛЫ")


PATRONYMIC_SUFFIXES_MALE = ("ОВИЧ", "ЕВИЧ", "ИЧ", "ҰЛЫ", "УЛЫ")
PATRONYMIC_SUFFIXES_FEMALE = ("ОВНА", "ЕВНА", "ИЧНА", "ҚЫЗЫ", "КЫЗЫ")


# -- places --------------------------------------------------------------------------------------


def _streets(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split("|"))


PAVLODAR_STREETS = _streets("""
    УЛ. ТОРАЙГЫРОВА|УЛ. ЛОМОВА|УЛ. ЕСТАЯ|УЛ. КУТУЗОВА|УЛ. АКАДЕМИКА САТПАЕВА|УЛ. КАТАЕВА|
    УЛ. ЛЕРМОНТОВА|УЛ. 1 МАЯ|УЛ. КОРОЛЕНКО|УЛ. АКАДЕМИКА БЕКЕТОВА|УЛ. КАМЗИНА|УЛ. ТОЛСТОГО|
    УЛ. АКАДЕМИКА ЧОКИНА|УЛ. МАЙРЫ|УЛ. ГОГОЛЯ|УЛ. АБАЯ|УЛ. ЛУНАЧАРСКОГО|УЛ. КРИВЕНКО|
    УЛ. ЩЕДРИНА|УЛ. СУВОРОВА|УЛ. ДЮСЕНОВА|УЛ. МАЛАЙСАРЫ БАТЫРА|УЛ. БАЙТУРСЫНОВА|УЛ. ЖАЯУ МУСЫ
""")
EKIBASTUZ_STREETS = _streets("""
    УЛ. МАШХУР ЖУСУПА|УЛ. АУЭЗОВА|УЛ. ЭНЕРГЕТИКОВ|УЛ. САТПАЕВА|УЛ. КУНАЕВА|УЛ. ТОРАЙГЫРОВА|
    УЛ. ЛУНАЧАРСКОГО|УЛ. МОМЫШУЛЫ|УЛ. ПОБЕДЫ|УЛ. ИНДУСТРИАЛЬНАЯ
""")
ASTANA_STREETS = _streets("""
    ПР. РЕСПУБЛИКИ|ПР. АБАЯ|УЛ. КЕНЕСАРЫ|ПР. КАБАНБАЙ БАТЫРА|ПР. ТУРАН|ПР. САРЫАРКА|
    УЛ. БЕЙБИТШИЛИК|ПР. МАНГИЛИК ЕЛ|УЛ. ДОСТЫК|УЛ. ИМАНОВА|УЛ. СЫГАНАК|ПР. БОГЕНБАЙ БАТЫРА|
    ПР. КУДАЙБЕРДЫУЛЫ|УЛ. ПУШКИНА|УЛ. БАЙТУРСЫНОВА|ПР. ТАУЕЛСИЗДИК|УЛ. ЖУБАНОВА|ПР. КОШКАРБАЕВА
""")
ALMATY_STREETS = _streets("""
    ПР. АБАЯ|ПР. ДОСТЫК|УЛ. ТОЛЕ БИ|УЛ. ЖАНДОСОВА|ПР. АЛЬ-ФАРАБИ|ПР. РАЙЫМБЕКА|УЛ. ЖИБЕК ЖОЛЫ|
    УЛ. САТПАЕВА|ПР. СЕЙФУЛЛИНА|УЛ. ТИМИРЯЗЕВА|УЛ. РОЗЫБАКИЕВА|УЛ. ГОГОЛЯ|УЛ. МАКАТАЕВА|
    МКР. САМАЛ-2|МКР. АКСАЙ-4|МКР. ОРБИТА-3|МКР. МАМЫР-1|УЛ. МОМЫШУЛЫ|УЛ. БАЙЗАКОВА|УЛ. ФУРМАНОВА
""")
SHYMKENT_STREETS = _streets("""
    ПР. ТАУКЕ ХАНА|УЛ. БАЙТУРСЫНОВА|ПР. РЕСПУБЛИКИ|УЛ. КАЗЫБЕК БИ|ПР. КУНАЕВА|УЛ. ТОЛЕ БИ|
    МКР. НУРСАТ|МКР. САМАЛ-1|УЛ. ЖИБЕК ЖОЛЫ|ПР. БАЙДИБЕК БИ|УЛ. МАДЕЛИ КОЖА
""")
KARAGANDA_STREETS = _streets("""
    ПР. БУХАР ЖЫРАУ|ПР. НУРКЕНА АБДИРОВА|УЛ. ЕРУБАЕВА|УЛ. ГОГОЛЯ|ПР. СТРОИТЕЛЕЙ|УЛ. КАЗЫБЕК БИ|
    УЛ. АЛИХАНОВА|УЛ. ТЕРЕШКОВОЙ|ПР. ШАХТЕРОВ|УЛ. ЖАМБЫЛА
""")
TOWN_STREETS = _streets("""
    УЛ. АБАЯ|УЛ. АУЭЗОВА|УЛ. БАЙТУРСЫНОВА|УЛ. ЖАМБЫЛА|УЛ. СЕЙФУЛЛИНА|УЛ. КУНАЕВА|УЛ. ПУШКИНА|
    УЛ. ГАГАРИНА|УЛ. МИРА|УЛ. ТОЛЕ БИ|УЛ. КАЗЫБЕК БИ|УЛ. АЙТЕКЕ БИ|УЛ. АБЫЛАЙ ХАНА|
    УЛ. БОГЕНБАЙ БАТЫРА|УЛ. ЖЕЛТОКСАН|УЛ. НЕЗАВИСИМОСТИ|УЛ. САТПАЕВА|УЛ. МОЛОДЕЖНАЯ|МКР. 1|МКР. 5
""")
VILLAGE_STREETS = _streets("""
    УЛ. ЦЕНТРАЛЬНАЯ|УЛ. ШКОЛЬНАЯ|УЛ. АБАЯ|УЛ. МОЛОДЕЖНАЯ|УЛ. НАБЕРЕЖНАЯ|УЛ. САДОВАЯ|УЛ. ЖАМБЫЛА|
    УЛ. ЛЕСНАЯ|УЛ. ПОБЕДЫ|УЛ. ДОСТЫК
""")


@dataclass(frozen=True)
class Place:
    """Where people of one district live: settlements (the centre first), streets, a weight."""

    district: str  # dictionaries.DISTRICTS code
    settlements: tuple[str, ...]  # a city without prefix; "С. …" village, "П. …" settlement
    streets: tuple[str, ...]
    weight: int  # relative population inside the region
    flats: float  # share of households living in a flat (apartment blocks)


def _place(code: str, settlements: str, streets: tuple[str, ...], weight: int, flats: float) -> Place:
    return Place(code, tuple(s.strip() for s in settlements.split("|")), streets, weight, flats)


_V, _T = VILLAGE_STREETS, TOWN_STREETS
_PLACE_LIST = (
    # Pavlodar oblast (seed 002)
    _place("5501", "ПАВЛОДАР", PAVLODAR_STREETS, 340, 0.8),
    _place("5502", "ЭКИБАСТУЗ", EKIBASTUZ_STREETS, 150, 0.75),
    _place("5503", "АКСУ", _T, 70, 0.6),
    _place("5504", "С. АКТОГАЙ|С. ШОЛАКСОР|С. КАРАОБА", _V, 15, 0),
    _place("5505", "С. БАЯНАУЛ|П. МАЙКАИН|С. ТОРАЙГЫР|С. КУРКЕЛЕС", _V, 27, 0.1),
    _place("5506", "С. ЖЕЛЕЗИНКА|С. БАШМАЧНОЕ|С. ВАЛИХАНОВО|С. МИХАЙЛОВКА", _V, 20, 0),
    _place("5507", "С. ИРТЫШСК|С. КОСКОЛЬ|С. ПАНФИЛОВО|С. ГОЛУБОВКА", _V, 18, 0),
    _place("5508", "С. ТЕРЕНКОЛЬ|С. ФЕДОРОВКА|С. БОБРОВКА|С. ИВАНОВКА", _V, 20, 0),
    _place("5509", "С. АККУЛЫ|С. ЖАМБЫЛ", _V, 11, 0),
    _place("5510", "С. КОКТОБЕ", _V, 10, 0),
    _place("5511", "С. ПАВЛОДАРСКОЕ|С. МИЧУРИНО|С. ГРИГОРЬЕВКА|С. РОЗОВКА", _V, 25, 0),
    _place("5512", "С. УСПЕНКА|С. КОНСТАНТИНОВКА|С. ЛОЗОВОЕ", _V, 14, 0),
    _place("5513", "С. ШАРБАКТЫ|С. АЛЕКСАНДРОВКА|С. ГАЛКИНО", _V, 20, 0),
    # Almaty oblast (seed 000)
    _place("1901", "КОНАЕВ", _T, 60, 0.6),
    _place("1902", "С. БАКАНАС|С. ТОПАР", _V, 30, 0),
    _place("1903", "ЕСИК|С. ШЕЛЕК|С. ТУРГЕНЬ|С. БАЙТЕРЕК|С. АВАТ", _V, 310, 0.1),
    _place("1904", "С. УЗЫНАГАШ|С. КАРГАЛЫ|С. САМСЫ", _V, 140, 0),
    _place("1905", "С. ОТЕГЕН БАТЫР|С. БОРАЛДАЙ|С. ЖЕТЫГЕН|С. БАЙСЕРКЕ", _V, 240, 0.1),
    _place("1906", "КАСКЕЛЕН|С. ШАМАЛГАН|С. ИРГЕЛИ", _T, 330, 0.2),
    _place("1907", "С. КЕГЕН", _V, 30, 0),
    _place("1908", "С. НАРЫНКОЛ", _V, 40, 0),
    _place("1909", "ТАЛГАР|С. БЕСАГАШ|С. ТУЗДЫБАСТАУ|С. ПАНФИЛОВО", _T, 200, 0.2),
    _place("1910", "С. ЧУНДЖА", _V, 65, 0),
    # the other regions: the centre of each district
    _place("1001", "СЕМЕЙ", _T, 350, 0.7), _place("1002", "КУРЧАТОВ", _T, 12, 0.8),
    _place("1003", "АЯГОЗ", _T, 70, 0.3), _place("1004", "С. БОРОДУЛИХА", _V, 40, 0),
    _place("1005", "П. КАЛБАТАУ", _V, 40, 0),
    _place("1101", "КОКШЕТАУ", _T, 170, 0.7), _place("1102", "СТЕПНОГОРСК", _T, 65, 0.7),
    _place("1103", "ЩУЧИНСК", _T, 70, 0.3), _place("1104", "С. АКМОЛ", _V, 80, 0.1),
    _place("1105", "П. АРШАЛЫ", _V, 30, 0),
    _place("1501", "АКТОБЕ", _T, 580, 0.7), _place("1502", "ХРОМТАУ", _T, 45, 0.4),
    _place("1503", "АЛГА", _T, 40, 0.3), _place("1504", "С. МАРТУК", _V, 30, 0),
    _place("2301", "АТЫРАУ", _T, 400, 0.6), _place("2302", "КУЛЬСАРЫ", _T, 80, 0.3),
    _place("2303", "П. МАКАТ", _V, 30, 0),
    _place("2701", "УРАЛЬСК", _T, 330, 0.6), _place("2702", "АКСАЙ", _T, 60, 0.5),
    _place("2703", "С. ПЕРЕМЕТНОЕ", _V, 60, 0),
    _place("3101", "ТАРАЗ", _T, 430, 0.6), _place("3102", "С. АСА", _V, 130, 0),
    _place("3103", "С. МЕРКЕ", _V, 90, 0), _place("3104", "С. КОРДАЙ", _V, 130, 0),
    _place("3301", "ТАЛДЫКОРГАН", _T, 170, 0.6), _place("3302", "ТЕКЕЛИ", _T, 25, 0.6),
    _place("3303", "П. КАРАБУЛАК", _V, 55, 0), _place("3304", "ЖАРКЕНТ", _T, 120, 0.2),
    _place("3305", "САРКАНД", _T, 40, 0.1),
    _place("3501", "КАРАГАНДА", KARAGANDA_STREETS, 500, 0.8), _place("3502", "ТЕМИРТАУ", _T, 180, 0.8),
    _place("3503", "БАЛХАШ", _T, 80, 0.8), _place("3504", "САРАНЬ", _T, 45, 0.7),
    _place("3505", "ШАХТИНСК", _T, 55, 0.7), _place("3506", "ПРИОЗЕРСК", _T, 12, 0.9),
    _place("3507", "П. БОТАКАРА", _V, 60, 0), _place("3508", "АБАЙ", _T, 50, 0.5),
    _place("3509", "КАРКАРАЛИНСК", _T, 35, 0.2), _place("3510", "С. АКТОГАЙ", _V, 15, 0),
    _place("3901", "КОСТАНАЙ", _T, 260, 0.7), _place("3902", "РУДНЫЙ", _T, 130, 0.8),
    _place("3903", "ЛИСАКОВСК", _T, 40, 0.8), _place("3904", "ТОБЫЛ", _T, 60, 0.2),
    _place("3905", "С. ФЕДОРОВКА", _V, 25, 0),
    _place("4301", "КЫЗЫЛОРДА", _T, 330, 0.5), _place("4302", "АРАЛЬСК", _T, 80, 0.2),
    _place("4303", "П. АЙТЕКЕ БИ", _V, 80, 0),
    _place("4701", "АКТАУ", _T, 270, 0.8), _place("4702", "ЖАНАОЗЕН", _T, 160, 0.6),
    _place("4703", "С. МАНГИСТАУ", _V, 140, 0), _place("4704", "С. БЕЙНЕУ", _V, 80, 0),
    _place("5901", "ПЕТРОПАВЛОВСК", _T, 220, 0.7), _place("5902", "С. БЕСКОЛЬ", _V, 40, 0),
    _place("5903", "С. ЯВЛЕНКА", _V, 25, 0),
    _place("6101", "ТУРКЕСТАН", _T, 200, 0.3), _place("6102", "КЕНТАУ", _T, 70, 0.5),
    _place("6103", "С. АКСУКЕНТ", _V, 330, 0), _place("6104", "ЛЕНГЕР", _T, 130, 0.1),
    _place("6105", "П. МЫРЗАКЕНТ", _V, 320, 0),
    _place("6201", "ЖЕЗКАЗГАН", _T, 90, 0.8), _place("6202", "САТПАЕВ", _T, 70, 0.8),
    _place("6203", "С. УЛЫТАУ", _V, 15, 0),
    _place("6301", "УСТЬ-КАМЕНОГОРСК", _T, 330, 0.8), _place("6302", "РИДДЕР", _T, 50, 0.7),
    _place("6303", "П. ГЛУБОКОЕ", _V, 55, 0), _place("6304", "АЛТАЙ", _T, 60, 0.4),
    # the cities of republican significance, district by district
    *(_place(f"71{n:02d}", "АСТАНА", ASTANA_STREETS, w, 0.9)
      for n, w in zip(range(1, 6), (400, 300, 350, 300, 70))),
    *(_place(f"75{n:02d}", "АЛМАТЫ", ALMATY_STREETS, w, 0.85)
      for n, w in zip(range(1, 9), (330, 230, 310, 340, 180, 230, 150, 240))),
    *(_place(f"79{n:02d}", "ШЫМКЕНТ", SHYMKENT_STREETS, w, 0.6)
      for n, w in zip(range(1, 6), (280, 300, 270, 200, 170))),
)
PLACES: Mapping[str, Place] = MappingProxyType({p.district: p for p in _PLACE_LIST})

# Kazakh share (percent) of each region's population and the mix of the others, roughly as in the
# 2021 census: more Russians, Germans and Ukrainians in the north, Uzbeks in the south, Uighurs
# around Almaty. The generator draws a household's group from these.
KAZAKH_SHARE = MappingProxyType({
    "10": 72, "11": 53, "15": 84, "19": 66, "23": 93, "27": 78, "31": 76, "33": 70, "35": 55,
    "39": 44, "43": 95, "47": 92, "55": 55, "59": 38, "61": 74, "62": 85, "63": 60, "71": 79,
    "75": 62, "79": 68,
})
_NORTH_MIX = (("russian", 75), ("ukrainian", 7), ("german", 7), ("tatar", 5), ("belarusian", 3),
              ("korean", 1), ("uzbek", 1), ("uighur", 1))
_SOUTH_MIX = (("uzbek", 60), ("russian", 25), ("tatar", 4), ("korean", 3), ("uighur", 4),
              ("ukrainian", 2), ("german", 2))
_ALMATY_MIX = (("russian", 55), ("uighur", 25), ("korean", 6), ("tatar", 5), ("uzbek", 3),
               ("ukrainian", 3), ("german", 3))
OTHER_MIX = MappingProxyType({
    **{r: _NORTH_MIX for r in dic.REGIONS},
    "61": _SOUTH_MIX, "79": _SOUTH_MIX, "31": _SOUTH_MIX,
    "19": _ALMATY_MIX, "75": _ALMATY_MIX, "33": _ALMATY_MIX,
})

# Foreign birthplaces of people born before 1991 in another Soviet republic (region, city).
FOREIGN_BIRTHPLACES = (
    ("643", "ОМСКАЯ ОБЛАСТЬ", "ОМСК"), ("643", "НОВОСИБИРСКАЯ ОБЛАСТЬ", "НОВОСИБИРСК"),
    ("643", "АЛТАЙСКИЙ КРАЙ", "БАРНАУЛ"), ("643", "ОРЕНБУРГСКАЯ ОБЛАСТЬ", "ОРЕНБУРГ"),
    ("804", "ХАРЬКОВСКАЯ ОБЛАСТЬ", "ХАРЬКОВ"), ("112", "МИНСКАЯ ОБЛАСТЬ", "МИНСК"),
    ("860", "ТАШКЕНТСКАЯ ОБЛАСТЬ", "ТАШКЕНТ"), ("417", "ЧУЙСКАЯ ОБЛАСТЬ", "БИШКЕК"),
)
# Birthplaces of foreign citizens, by country (also the ones above).
FOREIGN_BIRTHPLACES_OTHER = (
    ("156", "СИНЬЦЗЯН-УЙГУРСКИЙ АВТОНОМНЫЙ РАЙОН", "УРУМЧИ"),
    ("156", "СИНЬЦЗЯН-УЙГУРСКИЙ АВТОНОМНЫЙ РАЙОН", "КУЛЬДЖА"),
    ("496", "БАЯН-УЛЬГИЙСКИЙ АЙМАК", "УЛЬГИЙ"), ("410", "СЕУЛ", "СЕУЛ"),
    ("276", "СЕВЕРНЫЙ РЕЙН-ВЕСТФАЛИЯ", "КЕЛЬН"), ("762", "СОГДИЙСКАЯ ОБЛАСТЬ", "ХУДЖАНД"),
    ("792", "СТАМБУЛ", "СТАМБУЛ"), ("795", "АХАЛСКИЙ ВЕЛАЯТ", "АШХАБАД"),
)


def _check_places() -> None:
    missing = set(dic.DISTRICTS) ^ set(PLACES)
    if missing:  # a programming error: every district needs a place and vice versa
        raise AssertionError(f"districts and places differ: {sorted(missing)}")


_check_places()
