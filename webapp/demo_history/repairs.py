"""The demo repairs as part of the history (webapp/repairs/demo.py: one in each status a person sees,
recorded in the past hours): each case records its repair at its moment and acts at the people's
pace, in time order with the rest of the history, so the audit trail stays in time order."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

from engine import clock
from webapp.repairs.demo import CASES, Setting, prepare, record, steps

from .sim import Simulation


def repair_cases(sim: Simulation, users: dict[str, Any]) -> list[Generator[datetime, None, None]]:
    """The cases to add to the simulation; none when the repair demo cannot run or ran before."""
    setting = prepare(users)
    return [] if setting is None else [_case(sim, users, case, setting) for case in CASES]


def _case(
    sim: Simulation, users: dict[str, Any], case: tuple[Any, ...], setting: Setting
) -> Generator[datetime, None, None]:
    yield sim.end - timedelta(hours=case[0])
    repair = record(users, case, setting)
    for act in steps(users, case, repair):
        yield clock.now() + timedelta(minutes=sim.minutes(15, 35))
        act()
