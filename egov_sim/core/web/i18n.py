"""Kazakh and Russian, the regulations' languages: message catalogues and the chosen language.

A catalogue maps a key to its two texts, ``{"login": ("Войти", "Кіру")}`` (Russian first, as
the catalogue and the regulations' tables list it). Each system has its own catalogue beside
its pages; :data:`COMMON` holds the words of the page chrome. A key missing from a catalogue is
a bug, not a blank on the page: :meth:`Messages.text` raises.

The language is ``?lang=kk`` / ``?lang=ru`` on any page (remembered in a cookie), else the
cookie, else the site's default.
"""

from __future__ import annotations

from typing import Mapping

LANGUAGES = ("kk", "ru")
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский"}
COOKIE = "egov_lang"


class Messages:
    def __init__(self, *catalogues: Mapping[str, tuple[str, str]]):
        merged: dict[str, tuple[str, str]] = {}
        for catalogue in catalogues:
            for key, texts in catalogue.items():
                if len(texts) != 2 or not all(isinstance(t, str) and t for t in texts):
                    raise ValueError(f"message {key!r} needs a Russian and a Kazakh text")
                merged[key] = texts
        self.catalogue = merged

    def text(self, key: str, lang: str) -> str:
        try:
            ru, kk = self.catalogue[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the catalogue") from None
        return kk if lang == "kk" else ru

    def __contains__(self, key: str) -> bool:
        return key in self.catalogue


def choose(query_value: str | None, cookie_value: str | None, default: str) -> tuple[str, bool]:
    """(language, whether to remember it in the cookie)."""
    if query_value in LANGUAGES:
        return query_value, query_value != cookie_value
    if cookie_value in LANGUAGES:
        return cookie_value, False
    return default, False


COMMON: Mapping[str, tuple[str, str]] = {
    "site_name": ("egov-sim: тестовый контур электронного правительства",
                  "egov-sim: электрондық үкіметтің тестілік контуры"),
    "skip_to_content": ("Перейти к содержимому", "Мазмұнға өту"),
    "main_navigation": ("Разделы симулятора", "Симулятор бөлімдері"),
    "language": ("Язык", "Тіл"),
    "nav_overview": ("Обзор симулятора", "Симулятор шолуы"),
    "nav_portal": ("Портал egov.kz", "egov.kz порталы"),
    "nav_con": ("АРМ оператора ЦОН", "ХҚО операторының АЖО"),
    "nav_arm": ("АРМ услугодателя (РШЭП)", "Көрсетілетін қызметті берушінің АЖО (ӨЭҮШ)"),
    "nav_balkhash_uo": ("Отдел занятости г. Балхаша", "Балқаш қ. жұмыспен қамту бөлімі"),
    "nav_balkhash_con": ("ЦОН г. Балхаша (2012)", "Балқаш қ. ХҚО (2012)"),
    "login": ("Войти", "Кіру"),
    "logout": ("Выйти", "Шығу"),
    "password": ("Пароль", "Құпиясөз"),
    "signed_in_as": ("Вы вошли как", "Сіз кірдіңіз:"),
    "submit": ("Отправить", "Жіберу"),
    "back": ("Назад", "Артқа"),
    "download": ("Скачать", "Жүктеп алу"),
    "print": ("Печать", "Басып шығару"),
    "yes": ("да", "иә"),
    "no": ("нет", "жоқ"),
    "none": ("нет", "жоқ"),
    "status": ("Статус", "Мәртебе"),
    "date": ("Дата", "Күні"),
    "time": ("Время", "Уақыты"),
    "details": ("Подробнее", "Толығырақ"),
    "history": ("История", "Тарих"),
    "newer": ("Новее", "Жаңарақ"),
    "older": ("Старше", "Ескірек"),
    "filter": ("Отобрать", "Сүзу"),
    "error": ("Ошибка", "Қате"),
    "error_not_found": ("Страница не найдена", "Бет табылмады"),
    "error_forbidden": ("Доступ запрещён", "Кіруге тыйым салынған"),
    "error_csrf": ("Форма устарела или отправлена с другой страницы: откройте её заново и "
                   "отправьте ещё раз.",
                   "Нысанның мерзімі өтті немесе басқа беттен жіберілді: оны қайта ашып, қайтадан "
                   "жіберіңіз."),
    "error_too_large": ("Слишком большой запрос", "Сұрау тым үлкен"),
    "error_conflict": ("Эта форма уже отправлена и ещё обрабатывается, или отправлена с другими "
                       "данными: откройте её заново.",
                       "Бұл нысан жіберіліп, әлі өңделуде немесе басқа деректермен жіберілген: оны "
                       "қайта ашыңыз."),
    "error_internal": ("Внутренняя ошибка симулятора; подробности в журнале сервера.",
                       "Симулятордың ішкі қатесі; толығырақ сервер журналында."),
    "error_unavailable": ("База данных недоступна; повторите позже.",
                          "Дерекқор қолжетімсіз; кейінірек қайталаңыз."),
    "sign_in_first": ("Войдите, чтобы продолжить.", "Жалғастыру үшін кіріңіз."),
    "synthetic_footer": ("Тестовая среда: все лица, организации и документы вымышлены (SYNTHETIC).",
                         "Тестілік орта: барлық тұлғалар, ұйымдар мен құжаттар ойдан шығарылған (SYNTHETIC)."),
}
