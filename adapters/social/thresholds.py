"""The figures seed 001 leaves to other acts: thresholds, shares, amounts, pension ages.

The regulations compare incomes with "стоимость продовольственной корзины, установленной в
области" (service 6), "черта бедности, установленная в области" (service 7) and "установленная
доля предельно допустимых расходов" (service 11, маслихат), and leave amounts to the Law, the
akimat and the маслихат. None of the values is in the seed, so they are configuration: the
defaults below, per year, each with its source; a file ``balkhash-thresholds.toml`` in the
simulator's home replaces them (docs/balkhash.md, "Thresholds"). Every default is
**UNVERIFIED** against the Karaganda oblast's published figure of the year: the national
subsistence minimum (прожиточный минимум, ПМ) and the shares the law of the time set are used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from egov_sim.core.errors import InputError


@dataclass(frozen=True)
class YearThresholds:
    """The figures in force in one calendar year (tenge per month unless said otherwise)."""

    year: int
    mrp: Decimal
    """Месячный расчетный показатель (МРП) of the year (Law on the republican budget)."""
    subsistence_minimum: Decimal
    """Прожиточный минимум per person per month (national figure)."""
    food_basket: Decimal
    """Service 6: the cost of the food basket (стоимость продовольственной корзины)."""
    poverty_line: Decimal
    """Service 7: the poverty line (черта бедности)."""
    housing_share: Decimal
    """Service 11: the permissible share of housing expenses in the family's income (0.10 = 10%)."""
    child_benefit_mrp: Decimal
    """Service 6: the monthly benefit per child under 18, in МРП."""
    home_education_mrp: Decimal
    """Service 14: the allowance per quarter, in МРП (akimat resolution)."""
    pension_age_men: int
    pension_age_women: int
    source: str

    @property
    def child_benefit(self) -> Decimal:
        return self.mrp * self.child_benefit_mrp

    @property
    def home_education_allowance(self) -> Decimal:
        return self.mrp * self.home_education_mrp

    def to_json(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in out.items()}


def _d(value: str) -> Decimal:
    return Decimal(value)


DEFAULTS: Mapping[int, YearThresholds] = MappingProxyType({t.year: t for t in (
    YearThresholds(
        2012, mrp=_d("1618"), subsistence_minimum=_d("16815"), food_basket=_d("10089"),
        poverty_line=_d("6726"), housing_share=_d("0.10"), child_benefit_mrp=_d("1"),
        home_education_mrp=_d("6"), pension_age_men=63, pension_age_women=58,
        source="UNVERIFIED: МРП 1618 and ПМ 16815 (Law on the 2012-2014 republican budget); food basket "
               "60% and poverty line 40% of the ПМ; housing share 10% (typical маслихат decision); child "
               "benefit 1 МРП per child (Law of 28 Jun 2005, art. 11); home-education allowance 6 МРП a "
               "quarter (SYNTHETIC: akimat resolution)"),
    YearThresholds(
        2013, mrp=_d("1731"), subsistence_minimum=_d("18660"), food_basket=_d("11196"),
        poverty_line=_d("7464"), housing_share=_d("0.10"), child_benefit_mrp=_d("1"),
        home_education_mrp=_d("6"), pension_age_men=63, pension_age_women=58,
        source="UNVERIFIED: МРП 1731 and ПМ 18660 (Law on the 2013-2015 republican budget); shares as 2012"),
    YearThresholds(
        2025, mrp=_d("3932"), subsistence_minimum=_d("46228"), food_basket=_d("25425"),
        poverty_line=_d("32360"), housing_share=_d("0.10"), child_benefit_mrp=_d("1"),
        home_education_mrp=_d("6"), pension_age_men=63, pension_age_women=61,
        source="UNVERIFIED: МРП 3932 and ПМ 46228 (Law on the 2025-2027 republican budget); food basket "
               "55% and poverty line 70% of the ПМ; other figures as 2012 (the seed's rules played in "
               "today's calendar)"),
    YearThresholds(
        2026, mrp=_d("4325"), subsistence_minimum=_d("50851"), food_basket=_d("27968"),
        poverty_line=_d("35596"), housing_share=_d("0.10"), child_benefit_mrp=_d("1"),
        home_education_mrp=_d("6"), pension_age_men=63, pension_age_women=61,
        source="UNVERIFIED: МРП 4325 and ПМ 50851 (Law on the 2026-2028 republican budget); shares as 2025"),
)})


class ThresholdsError(InputError):
    code = "THRESHOLDS"


@dataclass(frozen=True)
class Thresholds:
    """The figures by year; a year without figures is an error that names it."""

    years: Mapping[int, YearThresholds] = field(default_factory=lambda: DEFAULTS)
    origin: str = "built-in defaults"

    def for_year(self, year: int) -> YearThresholds:
        try:
            return self.years[year]
        except KeyError:
            known = ", ".join(str(y) for y in sorted(self.years))
            raise ThresholdsError(f"no Balkhash thresholds configured for {year} (configured: {known});"
                                  " add the year to balkhash-thresholds.toml", code="NO_THRESHOLDS") from None

    def to_json(self) -> dict:
        return {"origin": self.origin, "years": [t.to_json() for _, t in sorted(self.years.items())]}


_DECIMALS = {"mrp", "subsistence_minimum", "food_basket", "poverty_line", "housing_share",
             "child_benefit_mrp", "home_education_mrp"}
_INTS = {"pension_age_men", "pension_age_women"}


def load_thresholds(path: Path) -> Thresholds:
    """The defaults with the years of a TOML file replacing or extending them.

    ``[years.2013]`` with any of the fields of :class:`YearThresholds` (a year not among the
    defaults must give them all); decimals may be strings or numbers."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ThresholdsError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ThresholdsError(f"{path}: not UTF-8 text (offset {exc.start}); TOML files are UTF-8") from None
    except OSError as exc:
        raise ThresholdsError(f"cannot read {path}: {exc.strerror}") from None
    years = dict(DEFAULTS)
    unknown = set(data) - {"years"}
    if unknown:
        raise ThresholdsError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; expected [years.YYYY]")
    for key, table in (data.get("years") or {}).items():
        where = f"{path}: years.{key}"
        if not str(key).isdigit() or not isinstance(table, dict):
            raise ThresholdsError(f"{where}: expected a table named by a year")
        year = int(key)
        values: dict = {}
        for name, raw in table.items():
            if name in _DECIMALS:
                try:
                    values[name] = Decimal(str(raw))
                except InvalidOperation:
                    raise ThresholdsError(f"{where}.{name}: not a number: {raw!r}") from None
                if values[name] < 0:
                    raise ThresholdsError(f"{where}.{name}: must not be negative")
            elif name in _INTS:
                if not isinstance(raw, int):
                    raise ThresholdsError(f"{where}.{name}: must be an integer")
                values[name] = raw
            elif name == "source":
                values[name] = str(raw)
            else:
                raise ThresholdsError(f"{where}: unknown field {name!r}")
        if year in years:
            years[year] = replace(years[year], **{**values, "source": values.get("source", str(path))})
        else:
            missing = (_DECIMALS | _INTS) - set(values)
            if missing:
                raise ThresholdsError(f"{where}: a new year needs every field; missing {', '.join(sorted(missing))}")
            years[year] = YearThresholds(year=year, source=values.pop("source", str(path)), **values)
    return Thresholds(MappingProxyType(years), origin=str(path))


MASLIKHAT_CATEGORIES: Mapping[str, Decimal] = MappingProxyType({
    "VOV_PARTICIPANT": Decimal("10"), "VOV_INVALID": Decimal("10"), "VOV_EQUATED": Decimal("5"),
    "LONE_ELDERLY": Decimal("3"), "LOW_INCOME": Decimal("3"), "LARGE_FAMILY": Decimal("3"),
})
"""Service 15: the categories the маслихат's decision names and the one-time amount of each, in
МРП. SYNTHETIC (the seed leaves both to the маслихат's decisions; the statuses are those of
medical.STATUSES)."""
