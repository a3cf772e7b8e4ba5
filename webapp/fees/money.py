"""Money for fees: `Decimal` yuan, to the fen (0.01), never float.

The one rounding rule (docs/fees.md): a line is computed at full precision — area × unit price ×
days ÷ days in month, each tier's usage × price summed, principal × daily rate × days — and rounded
once, at the end, to the fen with ROUND_HALF_UP (四舍五入). Intermediate values are never rounded.

Parsing refuses what is not exactly a decimal number written as text or an integer: floats (a JSON
number such as 2.85 arrives as a float and may already be 2.8499999…), NaN, infinities, exponents
and more decimal places than the field allows.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
_PLAIN = re.compile(r"^-?\d{1,10}(\.\d+)?$")  # what a DecimalField(12, 2) holds


class MoneyError(ValueError):
    """A value that is not an amount the field accepts; the message is for the user."""


def to_fen(value: Decimal) -> Decimal:
    """The end-of-line rounding: ROUND_HALF_UP to 0.01."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_decimal(
    value: Any, places: int = 2, *, minimum: Decimal | None = ZERO, maximum: Decimal | None = None
) -> Decimal:
    """A decimal from text ("2.85") or an int; refuses floats, NaN, exponents, more than `places`
    decimal places and values below `minimum` / above `maximum` (MoneyError with a message)."""
    if isinstance(value, (bool, float)):
        raise MoneyError(_('Write the amount as text, e.g. "2.85" (not a floating-point number).'))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        raise MoneyError(_("Enter a number such as 2.85."))
    if not _PLAIN.match(text):
        raise MoneyError(_("Enter a number such as 2.85."))
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise MoneyError(_("Enter a number such as 2.85.")) from None
    if -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise MoneyError(_("At most %(places)d decimal places.") % {"places": places})
    if minimum is not None and number < minimum:
        raise MoneyError(_("Must not be less than %(minimum)s.") % {"minimum": minimum})
    if maximum is not None and number > maximum:
        raise MoneyError(_("Must not be more than %(maximum)s.") % {"maximum": maximum})
    return number


def parse_money(value: Any) -> Decimal:
    """A price or amount in yuan: not negative, at most two decimals (to the fen)."""
    return parse_decimal(value, 2)


def yuan(value: Decimal) -> str:
    """¥1,234.50 for pages."""
    return f"¥{value:,.2f}"
