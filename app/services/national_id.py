"""National identity numbers: Kazakhstan IIN (ИИН/ЖСН) and Kyrgyzstan PIN (ПИН/ЖИН).

The seeds use the number as the login of students and parents
(003_f6fbeccaf212fa4b.txt, §28 of the Russian part: "В качестве логина используется
персональный идентификационный номер (ПИН)"). They do not describe its structure: the
structure below is the public national format, as given in the product brief.

Pure functions on strings and dates; errors are ``ValidationError`` with
``field="national_id"`` and a stable ``code``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from flask_babel import lazy_gettext as _l

from app.services.errors import ValidationError

FIELD = "national_id"
Sex = Literal["M", "F"]

IIN_LENGTH = 12
PIN_LENGTH = 14
_FIRST_WEIGHTS = tuple(range(1, 12))  # 1..11
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# IIN digit 7: century and sex. 0 (foreigners, legal cases) is not accepted for persons.
_IIN_CENTURY: dict[str, tuple[int, Sex]] = {
    "1": (1800, "M"),
    "2": (1800, "F"),
    "3": (1900, "M"),
    "4": (1900, "F"),
    "5": (2000, "M"),
    "6": (2000, "F"),
}
# Kyrgyz PIN digit 1: 1 = female, 2 = male.
_PIN_SEX: dict[str, Sex] = {"1": "F", "2": "M"}
_DIGITS = re.compile(r"[0-9]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class IdentityInfo:
    """What a valid identifier tells: the normalised value, country, birth date, sex."""

    value: str
    country: str
    birth_date: date
    sex: Sex


def _error(message: object, code: str) -> ValidationError:
    return ValidationError(message, field=FIELD, code=code)


def normalise(value: str) -> str:
    """Remove spaces; refuse an empty value or any non-digit (code ``id_not_digits``).

    Rule from the product brief: the identifier is typed with optional spaces and is
    made of ASCII digits only.
    """
    cleaned = _SPACES.sub("", value or "")
    if not _DIGITS.fullmatch(cleaned):
        raise _error(_l("The national ID must contain digits only"), "id_not_digits")
    return cleaned


def iin_check_digit(first11: str) -> int | None:
    """Return the IIN control digit for the first 11 digits, or None if there is none.

    Rule (IIN format, product brief): sum of digit * weight (1..11) mod 11; if that is
    10, a second pass with weights 3,4,5,6,7,8,9,10,11,1,2 mod 11; if still 10, no
    control digit exists and such an IIN is never issued.
    """
    if len(first11) != IIN_LENGTH - 1 or not _DIGITS.fullmatch(first11):
        raise ValueError("first11 must be 11 ASCII digits")
    digits = [int(c) for c in first11]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return check
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def validate_iin(value: str, today: date | None = None) -> IdentityInfo:
    """Validate a Kazakh IIN and return what it encodes.

    Rule (IIN format, product brief): 12 digits (``iin_length``); digits 1-6 YYMMDD a
    real birth date not in the future (``iin_date``); digit 7 century and sex, 1-6
    only (``iin_century``); digits 8-11 serial; digit 12 the control digit of
    :func:`iin_check_digit` (``iin_checksum``). ``today`` defaults to ``date.today()``.
    """
    iin = normalise(value)
    if len(iin) != IIN_LENGTH:
        raise _error(_l("The IIN must have %(n)s digits", n=IIN_LENGTH), "iin_length")
    century_sex = _IIN_CENTURY.get(iin[6])
    if century_sex is None:
        raise _error(
            _l("The 7th digit of the IIN (century and sex) must be 1 to 6"),
            "iin_century",
        )
    century, sex = century_sex
    birth = _safe_date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    if birth is None or birth > (today or date.today()):
        raise _error(
            _l("The first 6 digits of the IIN must be a real birth date (YYMMDD)"),
            "iin_date",
        )
    if iin_check_digit(iin[:11]) != int(iin[11]):
        raise _error(_l("The IIN check digit is wrong"), "iin_checksum")
    return IdentityInfo(value=iin, country="KZ", birth_date=birth, sex=sex)


def validate_pin(value: str, today: date | None = None) -> IdentityInfo:
    """Validate a Kyrgyz PIN and return what it encodes.

    Rule (PIN format, product brief; PIN as login: 003_f6fbeccaf212fa4b.txt §28):
    14 digits (``pin_length``); digit 1 sex, 1 = female, 2 = male (``pin_sex``);
    digits 2-9 DDMMYYYY a real birth date not in the future (``pin_date``); digits
    10-14 a serial without a check digit.
    """
    pin = normalise(value)
    if len(pin) != PIN_LENGTH:
        raise _error(_l("The PIN must have %(n)s digits", n=PIN_LENGTH), "pin_length")
    sex = _PIN_SEX.get(pin[0])
    if sex is None:
        raise _error(
            _l("The 1st digit of the PIN (sex) must be 1 (female) or 2 (male)"),
            "pin_sex",
        )
    birth = _safe_date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    if birth is None or birth > (today or date.today()):
        raise _error(
            _l("Digits 2 to 9 of the PIN must be a real past birth date (DDMMYYYY)"),
            "pin_date",
        )
    return IdentityInfo(value=pin, country="KG", birth_date=birth, sex=sex)


def validate_national_id(
    value: str, country: str, today: date | None = None
) -> IdentityInfo:
    """Validate the national ID of ``country``: "KZ" -> IIN, "KG" -> PIN.

    Rule (product brief): the organisation's country decides the format; any other
    country is refused with ``field="country"``, code ``country_unknown``.
    """
    code = (country or "").strip().upper()
    if code == "KZ":
        return validate_iin(value, today)
    if code == "KG":
        return validate_pin(value, today)
    raise ValidationError(
        _l("Country %(country)s is not supported; use KZ or KG", country=country),
        field="country",
        code="country_unknown",
    )


def make_iin(birth_date: date, sex: Sex, serial: int) -> str:
    """Build a valid IIN for demo data.

    Rule (IIN format, product brief): YYMMDD + century/sex digit + 4-digit serial +
    control digit. A serial with no control digit (10 in both passes) is skipped:
    the next serial is tried. Raises ``ValueError`` on bad arguments (programmer
    error, not user input).
    """
    if sex not in ("M", "F"):
        raise ValueError("sex must be 'M' or 'F'")
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError("IIN years run from 1800 to 2099")
    base = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100]
    digit7 = base + (0 if sex == "M" else 1)
    prefix = f"{birth_date:%y%m%d}{digit7}"
    for candidate in range(serial, 10_000):
        if candidate < 0:
            raise ValueError("serial must be 0..9999")
        first11 = f"{prefix}{candidate:04d}"
        check = iin_check_digit(first11)
        if check is not None:
            return f"{first11}{check}"
    raise ValueError("no valid serial left from this one up to 9999")


def make_pin(birth_date: date, sex: Sex, serial: int) -> str:
    """Build a valid Kyrgyz PIN for demo data: sex digit + DDMMYYYY + 5-digit serial.

    Rule (PIN format, product brief): 1 = female, 2 = male. Raises ``ValueError`` on
    bad arguments (programmer error, not user input).
    """
    if sex not in ("M", "F"):
        raise ValueError("sex must be 'M' or 'F'")
    if not 0 <= serial <= 99_999:
        raise ValueError("serial must be 0..99999")
    digit1 = "2" if sex == "M" else "1"
    return f"{digit1}{birth_date:%d%m}{birth_date.year:04d}{serial:05d}"
