"""A few weeks of history for the demo company, so that `make run` opens on a product in use: closed
and open complaints (some late, breached and escalated), sales from reception to mortgage with
discounts and changes, a move-in batch delivered with its defects and callbacks, and repairs in
every status (webapp/demo_history/repairs.py).

Everything is made by running the flows through the engine with its clock moved (see `sim`): the
people of the demo complete their tasks through the same actions the pages call, timers fire and
SLA alerts are raised by the sweeps at the moments they fall due, and the audit trail records it
all at those moments. Seeded: the same day gives the same history.

Loaded once, and only into a company without work of its own: the history precedes everything
else, so a company that has any process instance (the history's own, on a second run) is left
alone. Its audit events are dated in the past but written now: the chain (engine.auditchain) seals
a company's events in id order once they are older than a lag, so the history may only follow
events of the company that are sealed already (on a fresh database the company has none).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

from engine import clock
from engine.models import Alert, AuditEvent, ProcessInstance, ProcessVersion
from engine.services import calls_in_process
from webapp.movein.demo import ensure_movein_master

from . import movein, sales
from .complaints import CALLERS, ISSUES, issue_case
from .repairs import repair_cases
from .sim import Simulation

FLOWS = ("complaint", "sales", "sales_change", "movein_batch", "movein_room", "movein_defect", "repair")
SEED = 2026

# The customers of the history's complaints and sales: the demo of today tells its own work from theirs.
HISTORY_CALLERS = sorted(CALLERS)
HISTORY_BUYERS = sorted(sales.BUYERS | movein.OWNER_NAMES)

__all__ = ["HISTORY_BUYERS", "HISTORY_CALLERS", "History", "load_demo_history"]


@dataclass(frozen=True)
class History:
    instances: int
    alerts: int
    seconds: float
    sweeps: int


@contextmanager
def quick_commits() -> Iterator[None]:
    """Commit without waiting for the disk while the history loads (hundreds of small engine steps:
    on a busy disk the waits were most of the time). An interrupted load leaves a company whose
    history is partial or, on SQLite after a power cut, a demo database to make again; the setting
    is the connection's and is put back afterwards. Inside a transaction (tests) nothing changes."""
    if connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            previous = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA synchronous = {int(previous)}")
            elif connection.vendor == "postgresql":
                cursor.execute("RESET synchronous_commit")


def load_demo_history(users: dict[str, Any]) -> History | None:
    """Run the history up to now for the demo company (of the agent); None when skipped."""
    company = users["agent"].company
    if ProcessVersion.objects.filter(key__in=FLOWS).values("key").distinct().count() < len(FLOWS):
        return None
    if ProcessInstance.objects.filter(company=company).exists():
        return None
    if AuditEvent.objects.filter(company=company, chain_hash="").exists():
        return None  # older events would be passed over by the sealer once the history's are sealed
    began = time.monotonic()
    ensure_movein_master(company)  # the standards library and contractors the batch needs
    sim = Simulation(company.pk, users, end=clock.now(), seed=SEED)
    for issue in ISSUES:
        sim.add(issue_case(sim, issue))
    # New buyers get resident IDs with serials after those of the master data's customers.
    for serial, sale in enumerate([*movein.SALES, *sales.SALES], start=21):
        sim.add(sales.sale_case(sim, sale, serial))
    sim.add(movein.movein_case(sim))
    for case in repair_cases(sim, users):
        sim.add(case)
    with calls_in_process(), quick_commits():
        sim.run()
    return History(
        instances=ProcessInstance.objects.filter(company=company).count(),
        alerts=Alert.objects.filter(company=company).count(),
        seconds=round(time.monotonic() - began, 1),
        sweeps=sim.sweeps,
    )
