"""Chinese licence plates (GA 36-2018), read where a plate enters (API, pages, demo).

A plate is the province's one-character abbreviation (粤), the issuing authority's letter (B) and:
- an ordinary plate (蓝牌/黄牌): 5 letters or digits, e.g. 粤B12345, 粤BD3A21;
- a new-energy plate (绿牌), 6 characters: a small car's D (pure electric) or F (other new energy),
  then a letter or digit and 4 digits (粤BD12345, 粤BF1A234 is refused: the last four are digits);
  a large car's 5 digits then D or F (粤B12345D).
Letters I and O are never used (they read as 1 and 0). Plates are normalised first: full-width
characters to half-width (NFKC), upper case, without spaces, dots, middle dots or hyphens, so
"粤b·123 45" is stored as 粤B12345. Anything else (police, embassy, trailer, Hong Kong/Macao plates
and typos) is refused with a message saying what a plate looks like.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTER = "[A-HJ-NP-Z]"  # no I, no O
CHAR = "[A-HJ-NP-Z0-9]"
ORDINARY = re.compile(rf"^[{PROVINCES}]{LETTER}{CHAR}{{5}}$")
NEW_ENERGY_SMALL = re.compile(rf"^[{PROVINCES}]{LETTER}[DF]{CHAR}[0-9]{{4}}$")
NEW_ENERGY_LARGE = re.compile(rf"^[{PROVINCES}]{LETTER}[0-9]{{5}}[DF]$")
SEPARATORS = re.compile(r"[\s.·•・\-]+")
MAX_INPUT = 30


class PlateError(ValueError):
    """The text is not a plate; the message says why, for the person typing it."""


def normalise(text: str) -> str:
    """Half-width, upper case, no separators ("粤b·123 45" → "粤B12345")."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def parse_plate(value: object) -> str:
    """The normalised plate; PlateError when `value` is not a plate of the mainland."""
    if not isinstance(value, str) or not value.strip():
        raise PlateError(_("Enter the plate number, e.g. 粤B12345."))
    if len(value) > MAX_INPUT:
        raise PlateError(_("A plate number has 7 or 8 characters, e.g. 粤B12345 or 粤BD12345."))
    plate = normalise(value)
    if plate[:1] not in PROVINCES:
        raise PlateError(_("A plate starts with the province's abbreviation, e.g. 粤 or 京."))
    if len(plate) < 2 or not re.match(LETTER, plate[1]):
        raise PlateError(_("The second character of a plate is a letter other than I and O, e.g. 粤B."))
    if "I" in plate or "O" in plate:
        raise PlateError(_("Plates use no letter I or O: type 1 or 0 instead."))
    if len(plate) == 7:
        if ORDINARY.match(plate):
            return plate
        raise PlateError(_("An ordinary plate has 5 letters or digits after the letter, e.g. 粤B12345."))
    if len(plate) == 8:
        if NEW_ENERGY_SMALL.match(plate) or NEW_ENERGY_LARGE.match(plate):
            return plate
        raise PlateError(
            _(
                "A new-energy plate has D or F and then a letter or digit and 4 digits (粤BD12345), "
                "or 5 digits and then D or F (粤B12345D)."
            )
        )
    raise PlateError(_("A plate number has 7 or 8 characters, e.g. 粤B12345 or 粤BD12345."))
