"""Moments as the people of the tests say them: Shanghai wall-clock time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-12-07 19:05' in Shanghai, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def shanghai(value: str) -> datetime:
    """An ISO time from the API, converted to Shanghai time for comparing with `at`."""
    return datetime.fromisoformat(value).astimezone(SH)
