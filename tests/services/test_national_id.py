"""Kazakh IIN and Kyrgyz PIN validation (app/services/national_id.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.services.errors import ValidationError
from app.services.national_id import (
    IdentityInfo,
    iin_check_digit,
    make_iin,
    make_pin,
    validate_iin,
    validate_national_id,
    validate_pin,
)

TODAY = date(2025, 9, 1)

# Hand-checked IIN 900101300017 (1 January 1990, male, serial 0001):
#   first 11 digits 9 0 0 1 0 1 3 0 0 0 1, weights 1..11
#   9*1 + 0*2 + 0*3 + 1*4 + 0*5 + 1*6 + 3*7 + 0*8 + 0*9 + 0*10 + 1*11
#   = 9 + 4 + 6 + 21 + 11 = 51;  51 mod 11 = 7  -> check digit 7
HAND_IIN = "900101300017"

# Hand-checked second pass, IIN 080515500808 (15 May 2008, male, serial 0080):
#   first pass  0*1+8*2+0*3+5*4+1*5+5*6+5*7+0*8+0*9+8*10+0*11 = 186; 186 mod 11 = 10
#   second pass weights 3,4,5,6,7,8,9,10,11,1,2:
#               0*3+8*4+0*5+5*6+1*7+5*8+5*9+0*10+0*11+8*1+0*2 = 162; 162 mod 11 = 8
SECOND_PASS_IIN = "080515500808"
# 08051550081 gives 10 in both passes: no IIN exists with that serial.
NO_CHECK_DIGIT_PREFIX = "08051550081"


def refused(func: Callable[..., object], *args: object) -> ValidationError:
    """Call ``func`` and return the ValidationError it must raise."""
    with pytest.raises(ValidationError) as info:
        func(*args)
    return info.value


def test_hand_checked_iin_is_valid() -> None:
    """Is the hand-checked IIN 900101300017 accepted with its birth date and sex?"""
    assert iin_check_digit(HAND_IIN[:11]) == 7
    assert validate_iin(HAND_IIN, TODAY) == IdentityInfo(
        value=HAND_IIN, country="KZ", birth_date=date(1990, 1, 1), sex="M"
    )


def test_second_pass_check_digit() -> None:
    """Is the second weight pass used when the first pass gives 10?"""
    assert iin_check_digit(SECOND_PASS_IIN[:11]) == 8
    assert validate_iin(SECOND_PASS_IIN, TODAY).birth_date == date(2008, 5, 15)


def test_no_check_digit_when_both_passes_give_10() -> None:
    """Does iin_check_digit return None when both passes give 10?"""
    assert iin_check_digit(NO_CHECK_DIGIT_PREFIX) is None
    for last in "0123456789":
        assert (
            refused(validate_iin, NO_CHECK_DIGIT_PREFIX + last, TODAY).code
            == "iin_checksum"
        )


def test_make_iin_skips_serial_without_check_digit() -> None:
    """Does make_iin move to the next serial when a serial has no check digit?"""
    assert make_iin(date(2008, 5, 15), "M", 81) == "080515500821"
    assert make_iin(date(2008, 5, 15), "M", 80) == SECOND_PASS_IIN


@pytest.mark.parametrize(
    ("birth", "sex", "digit7"),
    [
        (date(1899, 12, 31), "M", "1"),
        (date(1850, 6, 1), "F", "2"),
        (date(1975, 3, 8), "M", "3"),
        (date(1990, 1, 1), "F", "4"),
        (date(2012, 2, 29), "M", "5"),
        (date(2016, 11, 30), "F", "6"),
    ],
)
def test_generated_iins_are_valid(birth: date, sex: str, digit7: str) -> None:
    """Are IINs made by make_iin accepted, with century digit, date and sex read back?"""
    for serial in (0, 17, 4321, 9998):
        iin = make_iin(birth, sex, serial)  # type: ignore[arg-type]
        assert iin[6] == digit7
        info = validate_iin(iin, TODAY)
        assert (info.birth_date, info.sex, info.country) == (birth, sex, "KZ")


def test_wrong_check_digit_is_refused() -> None:
    """Is an IIN with a wrong check digit refused?"""
    error = refused(validate_iin, "900101300018", TODAY)
    assert (error.code, error.field) == ("iin_checksum", "national_id")


@pytest.mark.parametrize("iin", ["900230300017", "901301300017", "900100300017"])
def test_bad_iin_date_is_refused(iin: str) -> None:
    """Is an IIN whose first six digits are not a real date (30 Feb, month 13, day 0) refused?"""
    assert refused(validate_iin, iin, TODAY).code == "iin_date"


def test_future_iin_date_is_refused() -> None:
    """Is an IIN with a birth date after today refused?"""
    iin = make_iin(date(2025, 9, 2), "F", 1)
    assert refused(validate_iin, iin, TODAY).code == "iin_date"


@pytest.mark.parametrize("digit7", ["0", "7", "8", "9"])
def test_bad_century_digit_is_refused(digit7: str) -> None:
    """Is an IIN whose 7th digit is not 1-6 (0 = foreigner/legal case included) refused?"""
    first11 = f"900101{digit7}0001"
    check = iin_check_digit(first11)
    assert refused(validate_iin, f"{first11}{check or 0}", TODAY).code == "iin_century"


@pytest.mark.parametrize(
    "value", ["90010130001A", "9001-0130-0017", "", "   ", "９００１０１３０００１７"]
)
def test_non_digits_are_refused(value: str) -> None:
    """Are letters, dashes, empty input and non-ASCII digits refused as not digits?"""
    error = refused(validate_national_id, value, "KZ")
    assert (error.code, error.field) == ("id_not_digits", "national_id")


@pytest.mark.parametrize("value", ["90010130001", "9001013000170", "1"])
def test_wrong_iin_length_is_refused(value: str) -> None:
    """Is an IIN of other than 12 digits refused?"""
    assert refused(validate_iin, value, TODAY).code == "iin_length"


def test_spaces_are_stripped() -> None:
    """Is an IIN typed with spaces accepted and normalised?"""
    assert validate_national_id(" 900101 300017 ", "kz", TODAY).value == HAND_IIN


def test_pin_valid() -> None:
    """Is a PIN with sex digit 2 (male) and a real date accepted?"""
    info = validate_national_id("2 15052008 00123", "KG", TODAY)
    assert info == IdentityInfo("21505200800123", "KG", date(2008, 5, 15), "M")
    assert validate_pin("10101199012345", TODAY).sex == "F"


def test_make_pin_round_trip() -> None:
    """Are PINs made by make_pin accepted with the same date and sex?"""
    for birth, sex in ((date(2010, 12, 31), "F"), (date(1985, 1, 1), "M")):
        pin = make_pin(birth, sex, 42)  # type: ignore[arg-type]
        assert len(pin) == 14
        info = validate_pin(pin, TODAY)
        assert (info.birth_date, info.sex) == (birth, sex)


@pytest.mark.parametrize("digit1", ["0", "3", "9"])
def test_pin_bad_sex_digit_is_refused(digit1: str) -> None:
    """Is a PIN whose first digit is not 1 or 2 refused?"""
    assert refused(validate_pin, f"{digit1}1505200800123", TODAY).code == "pin_sex"


def test_pin_31_february_is_refused() -> None:
    """Is a PIN with birth date 31 February refused?"""
    assert refused(validate_pin, "23102201000123", TODAY).code == "pin_date"


def test_pin_future_date_is_refused() -> None:
    """Is a PIN with a birth date after today refused?"""
    assert refused(validate_pin, "20209202500123", TODAY).code == "pin_date"


@pytest.mark.parametrize("value", ["2150520080012", "215052008001234"])
def test_wrong_pin_length_is_refused(value: str) -> None:
    """Is a PIN of other than 14 digits refused?"""
    assert refused(validate_pin, value, TODAY).code == "pin_length"


def test_unknown_country_is_refused() -> None:
    """Is a country other than KZ or KG refused on the country field?"""
    error = refused(validate_national_id, HAND_IIN, "RU")
    assert (error.code, error.field) == ("country_unknown", "country")
