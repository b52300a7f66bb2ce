"""Name gender forms, patronymics, transliteration, and the place and code dictionaries."""

from __future__ import annotations

import pytest

from egov_sim.adapters.gbd_fl import names as nm
from egov_sim.reference import dictionaries as dic
from egov_sim.reference.person import translit


@pytest.mark.parametrize("male, female", [
    ("ЖУМАБАЕВ", "ЖУМАБАЕВА"), ("АХМЕТОВ", "АХМЕТОВА"), ("МУСИН", "МУСИНА"), ("ИВАНОВ", "ИВАНОВА"),
    ("СОЛОВЬЕВ", "СОЛОВЬЕВА"), ("ИЛЬИН", "ИЛЬИНА"), ("ПОКРОВСКИЙ", "ПОКРОВСКАЯ"),
    ("ТРОИЦКИЙ", "ТРОИЦКАЯ"), ("ШЕВЧЕНКО", "ШЕВЧЕНКО"), ("КОВАЛЬЧУК", "КОВАЛЬЧУК"),
    ("КОРОТКЕВИЧ", "КОРОТКЕВИЧ"), ("ШМИДТ", "ШМИДТ"), ("КИМ", "КИМ"),
])
def test_female_surnames(male, female):
    assert nm.female_surname(male) == female


@pytest.mark.parametrize("father, son, daughter", [
    ("НУРЛАН", "НУРЛАНОВИЧ", "НУРЛАНОВНА"), ("СЕРГЕЙ", "СЕРГЕЕВИЧ", "СЕРГЕЕВНА"),
    ("МАДИ", "МАДИЕВИЧ", "МАДИЕВНА"), ("МУСА", "МУСАЕВИЧ", "МУСАЕВНА"),
])
def test_russian_patronymic_by_rule(father, son, daughter):
    assert nm.russian_patronymic(father, False) == son
    assert nm.russian_patronymic(father, True) == daughter


def test_russian_pool_spells_out_the_irregular_patronymics():
    forms = {name: (m, f) for name, m, f in nm.RUSSIAN_MALE}
    assert forms["ИЛЬЯ"] == ("ИЛЬИЧ", "ИЛЬИНИЧНА")
    assert forms["НИКИТА"] == ("НИКИТИЧ", "НИКИТИЧНА")
    assert forms["ЮРИЙ"] == ("ЮРЬЕВИЧ", "ЮРЬЕВНА")
    for _name, male, female in nm.RUSSIAN_MALE:
        assert male.endswith(nm.PATRONYMIC_SUFFIXES_MALE) and female.endswith(nm.PATRONYMIC_SUFFIXES_FEMALE)


def test_kazakh_patronymics_both_spellings():
    assert nm.kazakh_patronymic("ҚАНАТ", False) == "ҚАНАТҰЛЫ"
    assert nm.kazakh_patronymic("ҚАНАТ", True) == "ҚАНАТҚЫЗЫ"
    assert nm.kazakh_patronymic("КАНАТ", False, kazakh_letters=False) == "КАНАТУЛЫ"
    assert nm.kazakh_patronymic("КАНАТ", True, kazakh_letters=False) == "КАНАТКЫЗЫ"


def test_kazakh_spellings_pair_with_russian_ones():
    spelling = nm.ETHNICITIES["kazakh"].kz_spelling
    assert spelling["КАНАТ"] == "ҚАНАТ" and spelling["АСЕЛЬ"] == "ӘСЕЛ" and spelling["МАРАТ"] == "МАРАТ"


def test_translit_covers_russian_and_kazakh_letters():
    assert translit("ЖУМАБАЕВА") == "ZHUMABAEVA"
    assert translit("ӘСЕЛ ҚАНАТҰЛЫ") == "ASEL KANATULY"
    assert translit("ЩЕРБАКОВ ЮРИЙ") == "SHCHERBAKOV IURII"
    every_letter = "".join(sorted({c for e in nm.ETHNICITIES.values() for n in e.female for c in n}
                                  | {c for s in nm.KAZAKH_SURNAMES + nm.RUSSIAN_SURNAMES for c in s}))
    assert translit(every_letter).isascii()


def test_every_district_has_places_and_real_regions():
    assert set(dic.DISTRICTS) == set(nm.PLACES)
    assert len(dic.REGIONS) == 20  # 17 oblasts + Astana, Almaty, Shymkent
    for code, district in dic.DISTRICTS.items():
        assert district.region in dic.REGIONS and code.startswith(district.region)
        assert nm.PLACES[code].settlements and nm.PLACES[code].streets


def test_seed_regions_are_detailed():
    pavlodar = {d.name_ru for d in dic.districts_of(dic.PAVLODAR_OBLAST)}
    assert {"Г. ПАВЛОДАР", "Г. ЭКИБАСТУЗ", "Г. АКСУ", "БАЯНАУЛЬСКИЙ РАЙОН"} <= pavlodar
    assert len(pavlodar) == 13
    almaty = {d.name_ru for d in dic.districts_of(dic.ALMATY_OBLAST)}
    assert {"Г. КОНАЕВ", "ТАЛГАРСКИЙ РАЙОН", "ЕНБЕКШИКАЗАХСКИЙ РАЙОН", "КАРАСАЙСКИЙ РАЙОН"} <= almaty
    balkhash = next(d for d in dic.DISTRICTS.values() if d.name_ru == "Г. БАЛХАШ")
    assert balkhash.region == dic.KARAGANDA_OBLAST
    assert {dic.REGIONS[c].name_ru for c in (dic.ASTANA, dic.ALMATY_CITY, dic.SHYMKENT)} == {
        "Г. АСТАНА", "Г. АЛМАТЫ", "Г. ШЫМКЕНТ"}


def test_dictionaries_mark_real_and_synthetic_codes():
    assert dic.DOCUMENT_STATUSES["00"].name_ru == "ДОКУМЕНТ ДЕЙСТВИТЕЛЕН" and not dic.DOCUMENT_STATUSES["00"].synthetic
    assert dic.DOCUMENT_STATUSES["17"].name_ru == "ВЫПУСК НОВОГО ДОКУМЕНТА" and not dic.DOCUMENT_STATUSES["17"].synthetic
    assert dic.DOCUMENT_STATUSES[dic.DOC_LOST].synthetic
    assert dic.DOCUMENT_ORGANIZATIONS["002"].name_ru == "МВД РК"
    assert not dic.DOCUMENT_TYPES["001"].synthetic and not dic.DOCUMENT_TYPES["002"].synthetic
    assert dic.DOCUMENT_TYPES[dic.BIRTH_CERTIFICATE].synthetic
    assert dic.entry("region", "55").name_ru == "ПАВЛОДАРСКАЯ ОБЛАСТЬ"
    assert dic.entry("district", "5501").name_kz == "ПАВЛОДАР Қ."
    assert dic.entry("life_status", "0").name_ru == "Нормальный"
    assert dic.entry("document_status", "99").synthetic  # unknown: a placeholder, not an error
    assert dic.entry("gender", None) is None
