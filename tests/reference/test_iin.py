"""IIN / BIN validation and generation (egov_sim/reference/iin.py). Check digits below are worked by hand."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from egov_sim.core.errors import InputError
from egov_sim.reference.iin import (
    check_digit,
    is_valid_bin,
    is_valid_iin,
    make_bin,
    make_iin,
    parse_bin,
    parse_iin,
    random_bin,
    random_iin,
)


def test_known_good_iin_decodes():
    # 8·1+8·2+0·3+1·4+0·5+1·6+3·7+0·8+0·9+0·10+4·11 = 99 ≡ 0 (mod 11)
    info = parse_iin("880101300040")
    assert info.birth_date == dt.date(1988, 1, 1)
    assert info.sex == "M"


def test_known_good_iin_female_2000s():
    # 0·1+5·2+0·3+3·4+1·5+2·6+6·7+0·8+0·9+1·10+2·11 = 113 ≡ 3 (mod 11)
    info = parse_iin("050312600123")
    assert (info.birth_date, info.sex) == (dt.date(2005, 3, 12), "F")


def test_second_weights_give_the_check_digit():
    # first pass: 8·1+8·2+1·4+1·6+3·7+1·10+1·11 = 76 ≡ 10, so weights 3..11,1,2:
    # 8·3+8·4+1·6+1·8+3·9+1·1+1·2 = 100 ≡ 1
    assert check_digit("88010130011") == 1
    assert is_valid_iin("880101300111")
    assert not is_valid_iin("880101300110")


def test_ten_twice_is_never_issued():
    # first pass 65 ≡ 10, second pass 98 ≡ 10: no 12th digit makes this prefix valid
    assert check_digit("88010130010") is None
    assert make_iin(dt.date(1988, 1, 1), "M", 10) is None
    assert not any(is_valid_iin(f"88010130010{d}") for d in range(10))


def test_bad_check_digit():
    with pytest.raises(InputError, match="check digit") as err:
        parse_iin("880101300041")
    assert err.value.code == "INVALID_IIN"


@pytest.mark.parametrize("first11, why", [
    ("88130130004", "birth date"),   # month 13
    ("88023030004", "birth date"),   # 30 February
    ("88010170004", "century"),      # 7th digit 7
    ("88010100004", "century"),      # 7th digit 0
])
def test_bad_date_or_century_with_a_right_check_digit(first11, why):
    digit = check_digit(first11)
    assert digit is not None
    with pytest.raises(InputError, match=why) as err:
        parse_iin(first11 + str(digit))
    assert err.value.code == "INVALID_IIN"


@pytest.mark.parametrize("text", ["", "88010130004", "8801013000400", "88010130004a", None])
def test_bad_shape(text):
    with pytest.raises(InputError, match="12 digits"):
        parse_iin(text)


def test_make_iin_round_trip():
    iin = make_iin(dt.date(1990, 2, 15), "F", 1)
    assert iin == "900215400013"
    assert parse_iin(iin).birth_date == dt.date(1990, 2, 15)


def test_known_good_bin():
    # 0·1+4·2+0·3+5·4+4·5+0·6+0·7+0·8+1·9+2·10+3·11 = 110 ≡ 0
    info = parse_bin("040540001230")
    assert info.registered == (4, 5)
    assert info.entity_type == "resident legal entity"
    assert info.division == "head office"
    assert make_bin(2004, 5, 123) == "040540001230"


@pytest.mark.parametrize("first11, why", [
    ("04134000123", "month"),
    ("04057000123", "entity type"),
    ("04054700123", "division"),
])
def test_bad_bin(first11, why):
    digit = check_digit(first11)
    assert digit is not None
    with pytest.raises(InputError, match=why) as err:
        parse_bin(first11 + str(digit))
    assert err.value.code == "INVALID_BIN"


def test_bin_bad_check_digit():
    assert not is_valid_bin("040540001231")


def test_random_numbers_are_valid_and_reproducible():
    first = [random_iin(random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1
    rng = random.Random(42)
    assert all(is_valid_iin(random_iin(rng)) for _ in range(200))
    assert all(is_valid_bin(random_bin(rng)) for _ in range(200))
