"""String formats for form fields: mainland resident ID, mobile and phone numbers, and the
standard JSON Schema formats we check ourselves.

The resident-ID helpers are reused outside forms (customer records, imports), so they raise
`FormatProblem`, a ValueError whose text is a human, translated message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from stdnum.cn import ric

CN_RESIDENT_ID = "cn-resident-id"
CN_MOBILE = "cn-mobile"
CN_PHONE = "cn-phone"
DOMAIN_FORMATS = frozenset({CN_RESIDENT_ID, CN_MOBILE, CN_PHONE})

# Every format name defined by draft 2020-12; a name outside these and ours is a typo in a form.
STANDARD_FORMATS = frozenset(
    {
        "date-time",
        "date",
        "time",
        "duration",
        "email",
        "idn-email",
        "hostname",
        "idn-hostname",
        "ipv4",
        "ipv6",
        "uri",
        "uri-reference",
        "iri",
        "iri-reference",
        "uuid",
        "uri-template",
        "json-pointer",
        "relative-json-pointer",
        "regex",
    }
)

# Anything longer is certainly not an ID or a phone number; checking stops early so a
# megabyte-long submission costs nothing.
_MAX_NUMBER_LENGTH = 64

# Birth dates are checked against the date in mainland China, not UTC, so a baby registered
# on the morning of its birthday is not "born in the future".
_CHINA = ZoneInfo("Asia/Shanghai")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_RESIDENT_ID_SHAPE = re.compile(r"\d{17}[\dX]", re.ASCII)


class FormatProblem(ValueError):
    """A value does not have its declared format; str() of it is a translated message."""


def _china_today() -> dt.date:
    return dt.datetime.now(_CHINA).date()


def normalize_resident_id(value: object, *, today: dt.date | None = None) -> str:
    """The 18-character resident ID (GB 11643-1999) in canonical form, or raise FormatProblem.

    Spaces are dropped and a lower-case check character x becomes X. The check digit must be right
    and the embedded birth date must be a real day between 1900 and `today` (China's date by
    default). The region code is not looked up: county codes change and a stale table would turn
    away real people, while a typo in them is almost always caught by the check digit.
    """
    if not isinstance(value, str) or len(value) > _MAX_NUMBER_LENGTH:
        raise FormatProblem(_("Enter a valid resident ID number."))
    number = value.replace(" ", "").upper()
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise FormatProblem(
            _("Old 15-digit resident ID numbers are not accepted; enter the 18-digit number.")
        )
    if len(number) != 18 or not _RESIDENT_ID_SHAPE.fullmatch(number):
        raise FormatProblem(_("A resident ID number has 18 characters: 17 digits, then a digit or X."))
    if number[17] != ric.calc_check_digit(number):
        raise FormatProblem(_("The check digit of this resident ID number is wrong."))
    try:
        born = ric.get_birth_date(number)
    except ValueError:  # stdnum's InvalidComponent is a ValueError
        born = None
    if born is None or not _EARLIEST_BIRTH <= born <= (today or _china_today()):
        raise FormatProblem(_("This resident ID number does not contain a valid birth date."))
    return number


def resident_id_gender(value: str) -> Literal["male", "female"]:
    """The gender encoded in a valid resident ID: its 17th digit is odd for men."""
    number = normalize_resident_id(value)
    return "male" if int(number[16]) % 2 else "female"


def resident_id_birth_date(value: str) -> dt.date:
    """The birth date encoded in a valid resident ID."""
    return ric.get_birth_date(normalize_resident_id(value))


def _parse_cn_number(value: object) -> phonenumbers.PhoneNumber | None:
    """A valid mainland China number, or None; never raises."""
    if not isinstance(value, str) or len(value) > _MAX_NUMBER_LENGTH:
        return None
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, "CN"):
        return None
    return number


def is_cn_mobile(value: object) -> bool:
    """A valid mainland mobile number, with or without +86 and separators."""
    number = _parse_cn_number(value)
    return number is not None and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def is_cn_phone(value: object) -> bool:
    """Any valid mainland number: fixed line with area code, mobile, 400/800 service numbers."""
    return _parse_cn_number(value) is not None


# --- checkers for the format keyword --------------------------------------------------------
# Each returns True for non-strings: the type keyword, not format, reports those.

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
# Lenient on purpose: HTML time inputs send "HH:MM", and a time of day in a form is local time.
_TIME = re.compile(r"(\d{2}:\d{2}(?::\d{2})?)(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII)
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*", re.ASCII)


def _check_resident_id(value: object) -> bool:
    if isinstance(value, str):
        normalize_resident_id(value)  # raises FormatProblem with the precise reason
    return True


def _check_mobile(value: object) -> bool:
    return not isinstance(value, str) or is_cn_mobile(value)


def _check_phone(value: object) -> bool:
    return not isinstance(value, str) or is_cn_phone(value)


def _check_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def _check_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _TIME.fullmatch(value)
    if not match:
        return False
    try:
        dt.time.fromisoformat(match.group(1))
    except ValueError:
        return False
    return True


def _check_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(value)
    except DjangoValidationError:
        return False
    return True


def _check_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    try:
        scheme = urlsplit(value).scheme
    except ValueError:
        return False
    return bool(scheme) and bool(_URI_SCHEME.fullmatch(scheme))


def _build_format_checker() -> FormatChecker:
    # Start from jsonschema's draft 2020-12 checkers (date, ipv4, uuid, regex ...), then add ours and
    # replace those that need optional packages we do not install (date-time, time, uri) or that
    # are too weak for people's input (email only looks for an "@").
    checker = FormatChecker(formats=())
    checker.checkers.update(Draft202012Validator.FORMAT_CHECKER.checkers)
    own: dict[str, Callable[[object], bool]] = {
        CN_RESIDENT_ID: _check_resident_id,
        CN_MOBILE: _check_mobile,
        CN_PHONE: _check_phone,
        "date-time": _check_date_time,
        "time": _check_time,
        "email": _check_email,
        "uri": _check_uri,
    }
    for name, func in own.items():
        checker.checks(name, raises=FormatProblem)(func)
    return checker


FORMAT_CHECKER = _build_format_checker()
