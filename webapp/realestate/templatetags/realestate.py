"""Money and area as the sales office writes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """¥2,350,000.00"""
    return f"¥{Decimal(value):,.2f}" if value not in (None, "") else ""


@register.filter
def wan(value: Any) -> str:
    """A price in 万元 with two places, for tight cells: 2350000 → 235.00万."""
    return f"{Decimal(value) / 10000:,.2f}万" if value not in (None, "") else ""


@register.filter
def area(value: Any) -> str:
    """89.50㎡"""
    return f"{Decimal(value):.2f}㎡" if value not in (None, "") else ""
