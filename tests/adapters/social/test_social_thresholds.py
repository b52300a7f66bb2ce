"""Thresholds are configuration: defaults with their source, replaced or extended by a file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egov_sim.adapters.social.thresholds import DEFAULTS, Thresholds, ThresholdsError, load_thresholds


def test_the_defaults_cover_the_seeds_years_and_today_with_a_source():
    for year in (2012, 2013, 2025, 2026):
        t = Thresholds().for_year(year)
        assert t.source and t.food_basket > 0 and t.poverty_line > 0
    assert DEFAULTS[2013].child_benefit == Decimal("1731")
    with pytest.raises(ThresholdsError, match="no Balkhash thresholds configured for 2019"):
        Thresholds().for_year(2019)


def test_a_file_replaces_a_figure_and_adds_a_year(tmp_path):
    path = tmp_path / "balkhash-thresholds.toml"
    full = ("mrp = 1500\nsubsistence_minimum = 15000\nfood_basket = 9000\npoverty_line = 6000\n"
            "housing_share = \"0.15\"\nchild_benefit_mrp = 1\nhome_education_mrp = 6\n"
            "pension_age_men = 63\npension_age_women = 58\n")
    path.write_text("[years.2013]\npoverty_line = \"7500.50\"\nsource = \"маслихат, решение 12/3\"\n\n"
                    "[years.2011]\n" + full, encoding="utf-8")
    t = load_thresholds(path)
    assert t.for_year(2013).poverty_line == Decimal("7500.50") and t.for_year(2013).food_basket == DEFAULTS[2013].food_basket
    assert t.for_year(2013).source == "маслихат, решение 12/3"
    assert t.for_year(2011).housing_share == Decimal("0.15") and t.origin == str(path)


@pytest.mark.parametrize("text, message", [
    ("[years.2013]\npoverty_line = \"many\"\n", "years.2013.poverty_line: not a number"),
    ("[years.2013]\ncolour = 1\n", "unknown field 'colour'"),
    ("[years.2010]\nmrp = 1\n", "a new year needs every field"),
    ("[years.2013]\npension_age_men = \"63\"\n", "pension_age_men: must be an integer"),
    ("[levels]\n", "unknown key(s) levels"),
    ("[years.2013\n", "balkhash-thresholds.toml"),
])
def test_a_bad_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "balkhash-thresholds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThresholdsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_thresholds(path)
