"""The engine's one clock.

Everything in the engine asks `now()` for the time, SpiffWorkflow's timer code included (see
`install_spiff_clock`). Tests move the clock with `frozen_clock()` instead of sleeping.
All values are aware UTC datetimes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo

_lock = threading.Lock()
_frozen: datetime | None = None


def now() -> datetime:
    """The current time as an aware UTC datetime (frozen in tests)."""
    frozen = _frozen
    if frozen is not None:
        return frozen
    return datetime.now(UTC)


def set_time(value: datetime | None) -> None:
    """Freeze the clock at `value` (aware), or unfreeze it with None."""
    global _frozen
    if value is not None and value.tzinfo is None:
        raise ValueError("the engine clock only takes aware datetimes")
    with _lock:
        _frozen = value.astimezone(UTC) if value is not None else None


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward; returns the new time."""
    with _lock:
        global _frozen
        if _frozen is None:
            raise RuntimeError("advance() needs a frozen clock (use frozen_clock())")
        _frozen = _frozen + delta
        return _frozen


@contextmanager
def frozen_clock(start: datetime | None = None) -> Iterator[None]:
    """Freeze the clock for the duration of a block (tests)."""
    previous = _frozen
    set_time(start or datetime.now(UTC))
    try:
        yield
    finally:
        set_time(previous)


class _EngineDatetime(datetime):
    """`datetime` whose now() is the engine clock; substituted into SpiffWorkflow's timer module."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = now()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


def install_spiff_clock() -> None:
    """Make SpiffWorkflow's timer events read the engine clock instead of the system clock."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _EngineDatetime
