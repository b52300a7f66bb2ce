"""IIN (ЖСН/ИИН) and BIN (БСН/БИН): generation and validation.

Both are 12 digits whose last digit is a check digit computed the same way: the weighted sum
of the first 11 digits with weights 1..11, modulo 11; if that gives 10, a second pass with
weights 3..11,1,2; if that gives 10 again the number is never issued (it is invalid).

IIN layout: YYMMDD, then a digit for century and sex (1/2: 1800s male/female, 3/4: 1900s,
5/6: 2000s), a 4-digit registration number, the check digit.
BIN layout: YYMM of registration, entity type (4 resident legal entity, 5 non-resident legal
entity, 6 individual entrepreneur (joint)), division (0 head office, 1 branch, 2 representative
office, 3 peasant farm), a 5-digit serial, the check digit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from egov_sim.core.errors import InputError

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

_CENTURY_SEX = {1: (1800, "M"), 2: (1800, "F"), 3: (1900, "M"), 4: (1900, "F"),
                5: (2000, "M"), 6: (2000, "F")}
BIN_ENTITY_TYPES = {4: "resident legal entity", 5: "non-resident legal entity",
                    6: "individual entrepreneur (joint)"}
BIN_DIVISIONS = {0: "head office", 1: "branch", 2: "representative office", 3: "peasant farm"}


class InvalidNumber(InputError):
    code = "INVALID_IIN"


def check_digit(first11: str) -> int | None:
    """The 12th digit for these 11, or None when no valid number has this prefix."""
    digits = [int(c) for c in first11]
    s = sum(d * w for d, w in zip(digits, _W1)) % 11
    if s == 10:
        s = sum(d * w for d, w in zip(digits, _W2)) % 11
        if s == 10:
            return None
    return s


def _checksum_ok(number: str) -> bool:
    return check_digit(number[:11]) == int(number[11])


@dataclass(frozen=True)
class IinInfo:
    iin: str
    birth_date: dt.date
    sex: str  # "M" or "F"


@dataclass(frozen=True)
class BinInfo:
    bin: str
    registered: tuple[int, int]  # (year within century, month)
    entity_type: str
    division: str


def _shape(number: str, kind: str, code: str) -> str:
    number = (number or "").strip()
    if len(number) != 12 or not number.isdigit():
        raise InvalidNumber(f"{kind} must be 12 digits, got {number!r}", code=code)
    return number


def parse_iin(iin: str) -> IinInfo:
    """Validate an IIN (shape, date, century/sex digit, check digit) and decode it."""
    iin = _shape(iin, "IIN", "INVALID_IIN")
    cs = int(iin[6])
    if cs not in _CENTURY_SEX:
        raise InvalidNumber(f"IIN {iin}: 7th digit {cs} is not a century/sex code (1-6)",
                            code="INVALID_IIN")
    century, sex = _CENTURY_SEX[cs]
    try:
        born = dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidNumber(f"IIN {iin}: {iin[:6]} is not a birth date (YYMMDD)",
                            code="INVALID_IIN") from None
    if not _checksum_ok(iin):
        raise InvalidNumber(f"IIN {iin}: check digit is wrong", code="INVALID_IIN")
    return IinInfo(iin, born, sex)


def parse_bin(bin_: str) -> BinInfo:
    """Validate a BIN (shape, month, entity type, division, check digit) and decode it."""
    bin_ = _shape(bin_, "BIN", "INVALID_BIN")
    month, etype, div = int(bin_[2:4]), int(bin_[4]), int(bin_[5])
    if not 1 <= month <= 12:
        raise InvalidNumber(f"BIN {bin_}: month {bin_[2:4]} is not 01-12", code="INVALID_BIN")
    if etype not in BIN_ENTITY_TYPES:
        raise InvalidNumber(f"BIN {bin_}: 5th digit {etype} is not an entity type (4, 5, 6)",
                            code="INVALID_BIN")
    if div not in BIN_DIVISIONS:
        raise InvalidNumber(f"BIN {bin_}: 6th digit {div} is not a division code (0-3)",
                            code="INVALID_BIN")
    if not _checksum_ok(bin_):
        raise InvalidNumber(f"BIN {bin_}: check digit is wrong", code="INVALID_BIN")
    return BinInfo(bin_, (int(bin_[:2]), month), BIN_ENTITY_TYPES[etype], BIN_DIVISIONS[div])


def is_valid_iin(iin: str) -> bool:
    try:
        parse_iin(iin)
    except InvalidNumber:
        return False
    return True


def is_valid_bin(bin_: str) -> bool:
    try:
        parse_bin(bin_)
    except InvalidNumber:
        return False
    return True


def make_iin(birth_date: dt.date, sex: str, serial: int) -> str | None:
    """The IIN for this birth date, sex and 4-digit serial, or None if the serial is unusable."""
    if sex not in ("M", "F"):
        raise ValueError("sex must be 'M' or 'F'")
    century = (birth_date.year // 100) * 100
    code = next((c for c, (cen, sx) in _CENTURY_SEX.items() if cen == century and sx == sex), None)
    if code is None:
        raise ValueError(f"no IIN century code for year {birth_date.year}")
    first11 = f"{birth_date:%y%m%d}{code}{serial % 10000:04d}"
    check = check_digit(first11)
    return None if check is None else first11 + str(check)


def make_bin(year: int, month: int, serial: int, *, entity_type: int = 4, division: int = 0) -> str | None:
    """The BIN for this registration month and 5-digit serial, or None if the serial is unusable."""
    first11 = f"{year % 100:02d}{month:02d}{entity_type}{division}{serial % 100000:05d}"
    check = check_digit(first11)
    return None if check is None else first11 + str(check)


def random_iin(rng: random.Random, *, birth_date: dt.date | None = None, sex: str | None = None) -> str:
    """A valid IIN drawn from ``rng`` (deterministic for a seeded rng)."""
    if birth_date is None:
        birth_date = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
    sex = sex or rng.choice("MF")
    while True:
        iin = make_iin(birth_date, sex, rng.randrange(1, 10000))
        if iin:
            return iin


def random_bin(rng: random.Random, *, entity_type: int = 4, division: int = 0) -> str:
    """A valid BIN drawn from ``rng``."""
    while True:
        b = make_bin(rng.randrange(1995, 2025), rng.randrange(1, 13), rng.randrange(1, 100000),
                     entity_type=entity_type, division=division)
        if b:
            return b
