"""Billing benchmark: a monthly billing run of one estate of 20,000 rooms × 4 fee items, computed
(preview) and posted, with the process's memory watched.

    DJANGO_SETTINGS_MODULE=webapp.settings python -m bench.billing [--rooms 20000]

The estate: 19,000 flats and 1,000 parking spaces; every flat has an owner (a tenth of them moved
in mid-month, prorated) and a water and an electricity meter read at the start and the end of the
month; the spaces are rented. Fee items: 物业费 (by area, a building price rule), 水费 and 电费
(tiered), 停车费 (per space). So a flat has 3 lines, a space 1: 58,000 lines.

Runs on the configured database vendor (DATABASE_URL → PostgreSQL, the target; else SQLite) in a
throw-away test database; the real database's data is never touched. Goal (issue 15): the run
(compute + post) in ≤ 60 s on PostgreSQL, memory flat (the peak RSS growth during the run does
not grow with the rooms: the run works in chunks of 500 rooms).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bench.complaint import (
    BenchError,
    create_test_database,
    destroy_test_database,
    force_eager,
    goal,
    vendor_and_version,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
PERIOD = "2026-11"
GOAL_S = 60.0
GOAL_ROOMS = 20_000
BATCH = 5000


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def load(rooms: int) -> tuple[Any, Any]:
    """The estate, its rooms, owners, meters with two readings, rented spaces, the fee items (bulk)."""
    from django.conf import settings

    from webapp.accounts.demo import ensure_people
    from webapp.accounts.models import Project
    from webapp.fees.models import FeeItem, FeeVersion, PriceRule, Tier
    from webapp.meters.models import Meter, Reading
    from webapp.parking.models import ParkingContract
    from webapp.realestate.models import Building, Customer, Floor, Phase, Room, Unit
    from webapp.residents.models import Residency

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = ensure_people()
    steward = users["steward"]
    company = steward.company
    assert company is not None
    project = Project.objects.get(company=company, code="binhai")
    phase = Phase.objects.create(project=project, name="九期", code="9")
    spaces = max(1, rooms // 20)
    flats = rooms - spaces
    buildings = [Building.objects.create(phase=phase, name=f"B{n}栋", code=f"B{n}") for n in range(20)]
    floors = []
    for building in buildings:
        unit = Unit.objects.create(building=building, code="1", name="1单元")
        floors.append(Floor.objects.create(unit=unit, number=1, name="1层"))
    basement_unit = Unit.objects.create(building=buildings[0], code="P", name="车库")
    basement = Floor.objects.create(unit=basement_unit, number=-1, name="负一层")
    now = NOW
    Room.objects.bulk_create(
        [Room(floor=floors[i % 20], project=project, company=company, code=f"BN-{i:06d}", name=f"{i}",
              kind="residential", chargeable_area=Decimal("89.37") + i % 40, list_price=Decimal("0"),
              layout="三室两厅" if i % 2 else "两室一厅") for i in range(flats)]
        + [Room(floor=basement, project=project, company=company, code=f"BP-{i:05d}", name=f"P{i}", kind="parking",
                list_price=Decimal("0")) for i in range(spaces)],
        batch_size=BATCH,
    )  # fmt: skip
    room_rows = list(
        Room.objects.filter(project=project, code__startswith="B").order_by("pk").values_list("pk", "kind")
    )
    Customer.objects.bulk_create(
        [Customer(company=company, name=f"业主{i}", customer_type="individual", nationality="中国", id_type="passport",
                  id_number=f"BN{i:07d}", address="深圳", created_at=now) for i in range(len(room_rows))],
        batch_size=BATCH,
    )  # fmt: skip
    customers = list(
        Customer.objects.filter(id_number__startswith="BN").order_by("pk").values_list("pk", flat=True)
    )
    residencies, meters, contracts = [], [], []
    for n, ((room_id, kind), customer_id) in enumerate(zip(room_rows, customers, strict=True)):
        if kind == "parking":
            contracts.append(ParkingContract(company=company, project=project, space_id=room_id, customer_id=customer_id,
                                             kind="rented", start_on=date(2026, 1, 1), end_on=date(2027, 12, 31),
                                             created_at=now, created_by=steward))  # fmt: skip
            continue
        started = date(2026, 11, 16) if n % 10 == 0 else date(2026, 1, 1)
        residencies.append(Residency(company=company, room_id=room_id, customer_id=customer_id, role="owner",
                                     started_on=started, source="manual", created_at=now))  # fmt: skip
        for meter_kind in ("water", "electricity"):
            meters.append(Meter(company=company, room_id=room_id, kind=meter_kind, number=f"{meter_kind[0]}{room_id}",
                                installed_on=date(2026, 1, 1), created_at=now, created_by=steward))  # fmt: skip
    Residency.objects.bulk_create(residencies, batch_size=BATCH)
    ParkingContract.objects.bulk_create(contracts, batch_size=BATCH)
    Meter.objects.bulk_create(meters, batch_size=BATCH)
    readings = []
    for meter_id, meter_kind in (
        Meter.objects.filter(room__project=project).values_list("pk", "kind").iterator()
    ):
        base = Decimal(meter_id % 500)
        used = Decimal("12.5") if meter_kind == "water" else Decimal("215.0")
        readings.append(Reading(company=company, meter_id=meter_id, kind="period", period="2026-10", value=base,
                                read_on=date(2026, 10, 31), source="manual", created_at=now))  # fmt: skip
        readings.append(Reading(company=company, meter_id=meter_id, kind="period", period=PERIOD, value=base + used,
                                read_on=date(2026, 11, 30), source="manual", created_at=now))  # fmt: skip
        if len(readings) >= BATCH:
            Reading.objects.bulk_create(readings)
            readings = []
    Reading.objects.bulk_create(readings)

    def item(code: str, name: str, kind: str, **version: Any) -> FeeVersion:
        fee = FeeItem.objects.create(company=company, project=project, code=code, name=name, kind=kind,
                                     created_at=now, created_by=steward)  # fmt: skip
        return FeeVersion.objects.create(item=fee, effective_from=date(2026, 1, 1), created_at=now, created_by=steward,
                                         late_fee_daily_rate=Decimal("0.05"), **version)  # fmt: skip

    area = item("wuye", "物业费", "property", unit_price=Decimal("2.85"))
    PriceRule.objects.create(version=area, building=buildings[0], unit_price=Decimal("3.20"))
    water = item("water", "水费", "water")
    for up_to, price in ((Decimal("10"), "3.45"), (Decimal("20"), "4.83"), (None, "6.90")):
        Tier.objects.create(version=water, up_to=up_to, unit_price=Decimal(price))
    power = item("power", "电费", "electricity")
    for up_to, price in ((Decimal("200"), "0.68"), (None, "0.73")):
        Tier.objects.create(version=power, up_to=up_to, unit_price=Decimal(price))
    item("parking", "停车费", "parking", unit_price=Decimal("350.00"), owned_price=Decimal("80.00"))
    return project, steward


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.billing", description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=GOAL_ROOMS, help="rooms of the estate (default 20000)")
    args = parser.parse_args(argv)
    if args.rooms < 20:
        parser.error("--rooms must be at least 20")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from engine import clock

    mode = force_eager()
    old_name = create_test_database("billingbench")
    try:
        return run(args, mode)
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        clock.set_time(None)
        destroy_test_database(old_name)


def run(args: argparse.Namespace, mode: str) -> int:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Sum

    from engine import clock
    from webapp.billing.models import BillingRun, Charge
    from webapp.billing.runs import compute_run, do_post_run

    pg = connection.vendor == "postgresql"
    print(f"Anju billing benchmark: {vendor_and_version()}; one estate of {args.rooms:,} rooms × 4 fee items")
    if not pg or args.rooms != GOAL_ROOMS:
        print(f"  NOTE: the goal is set for PostgreSQL at {GOAL_ROOMS:,} rooms; this run is for information.")
    print(f"  {mode}")
    clock.set_time(NOW)
    settings.ANJU_BACKGROUND_THREADS = False
    began = time.perf_counter()
    project, steward = load(args.rooms)
    print(f"  loaded in {time.perf_counter() - began:.1f} s (not timed)")
    run_row = BillingRun.objects.create(company=project.company, project=project, period=PERIOD, created_at=NOW,
                                        updated_at=NOW, created_by=steward)  # fmt: skip
    before = current_rss_mb()
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            samples.append(current_rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    compute_run(run_row.pk)
    t1 = time.perf_counter()
    run_row.refresh_from_db()
    if run_row.status != "preview":
        raise BenchError(f"the run ended {run_row.status}: {run_row.detail}")
    do_post_run(steward, run_row)
    t2 = time.perf_counter()
    stop.set()
    sampler.join()
    peak_growth = max(samples, default=before) - before
    lines = Charge.objects.filter(run=run_row, status="open").aggregate(n=Count("pk"), s=Sum("amount"))
    expected = (args.rooms - max(1, args.rooms // 20)) * 3 + max(1, args.rooms // 20)
    if lines["n"] != expected or run_row.problem_count:
        raise BenchError(f"{lines['n']} lines posted, {expected} expected; problems {run_row.problems[:3]}")
    again = BillingRun.objects.create(company=project.company, project=project, period=PERIOD, created_at=NOW,
                                      updated_at=NOW, created_by=steward)  # fmt: skip
    t3 = time.perf_counter()
    compute_run(again.pk)
    t4 = time.perf_counter()
    again.refresh_from_db()
    if again.line_count or again.already_count != expected:
        raise BenchError(f"the second run made {again.line_count} lines, found {again.already_count} billed")
    total = t2 - t0
    print(f"\n  {'step':<34}{'seconds':>10}")
    print(f"  {'compute (preview, drafts)':<34}{t1 - t0:>10.1f}")
    print(f"  {'post':<34}{t2 - t1:>10.1f}")
    print(f"  {'run again (creates nothing)':<34}{t4 - t3:>10.1f}")
    print(f"\n  {lines['n']:,} lines, ¥{lines['s']:,.2f}; {run_row.total_rooms / (t1 - t0):,.0f} rooms/s")
    print(f"  memory: RSS {before:.0f} MB before the run, peak growth {peak_growth:.0f} MB during it")
    met = total <= GOAL_S
    print("  " + goal(met, f"billing run of {args.rooms:,} rooms × 4 items {total:.1f} s (goal ≤ {GOAL_S:.0f} s on "
                           "PostgreSQL)"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
