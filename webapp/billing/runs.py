"""Monthly billing runs (收费计算): compute a month's charges of an estate as drafts, then post them.

A run walks the estate's rooms in chunks of `CHUNK` (a few queries per chunk, never per room, so
memory stays flat and 20,000 rooms take seconds), and for every fee item in force on the month's
first day writes one draft `Charge` per room, item and payer:

- 物业费 (AREA): the room's 收费面积 × its ㎡ price, for the days an owner holds the room. Each day
  is paid by the owner who held the room first that day (co-owners pay once; a sale mid-month
  splits the month between seller and buyer); with no owner registered, the tenant pays.
  A room nobody holds is not billed (the developer's vacant stock).
- 停车费 / 车位使用费 (SPACE): per parking space and day of its contract (webapp/parking): the owned
  price for a sold space, the rented price for a rented one.
- 水费 / 电费 (METERED): the month's consumption (webapp/meters) × tiered price, paid by whoever lives
  there on the month's last day (tenant before owner). A meter without the month's reading is
  a problem of the run ("待抄表"): the next run of the month bills it once the reading is in.
- Deposits and one-off items are charged at the desk, never by a run.

A room × item × month is billed by one run: a later run of the month skips every room and item
billed already (even when the residents have changed since: a correction is a credit note and a
charge at the desk) and counts them as `already_count`, so running a month twice creates nothing
twice; a unique constraint (room, item, month, payer) guards the rows themselves.
Only one run of a month may be active (queued, running, in preview or posting) at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from webapp.fees import pricing
from webapp.fees.models import Basis, FeeItem, FeeVersion
from webapp.fees.quote import area_price
from webapp.meters import periods
from webapp.realestate.models import Room, RoomKind
from webapp.residents.models import HOUSEHOLDER_ROLES, Residency, Role

from . import background
from .models import ACTIVE_RUN, BillingRun, Charge, ChargeKind, ChargeStatus, RunStatus

logger = logging.getLogger(__name__)
CHUNK = 500
MAX_PROBLEMS_KEPT = 200  # the run keeps the first problems to show; it counts them all


# --- starting, posting, discarding ----------------------------------------------------------------


def check_new_run(project: Any, body: dict[str, Any]) -> str:
    errors: dict[str, list[str]] = {}
    period = periods.check_period(body.get("period"), errors)
    if errors:
        raise FormInvalid(errors)
    assert period is not None
    if BillingRun.objects.filter(project=project, period=period, status__in=ACTIVE_RUN).exists():
        raise FormInvalid({"period": [_("A run of this month is already in progress for this estate.")]})
    return period


def do_start_run(user: Any, project: Any, body: dict[str, Any]) -> BillingRun:
    """Queue a run of the month for the estate; it computes in the background."""
    period = check_new_run(project, body)
    now = clock.now()
    try:
        with transaction.atomic():
            run = BillingRun.objects.create(
                company_id=project.company_id, project=project, period=period, created_at=now,
                updated_at=now, created_by=user, total_rooms=Room.objects.filter(project=project).count(),
            )  # fmt: skip
            from .tasks import compute_run_task

            background.start(compute_run_task, compute_run, run.pk, translation.get_language())
    except IntegrityError:  # another clerk started the same month at the same moment
        raise FormInvalid(
            {"period": [_("A run of this month is already in progress for this estate.")]}
        ) from None
    run.refresh_from_db()  # computed already when the background runs inline
    return run


def do_post_run(user: Any, run: BillingRun) -> BillingRun:
    """Preview → posted: the drafts become open bills issued today, due after each item's days."""
    today = periods.today()
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.PREVIEW:
            raise FormInvalid({"status": [_("Only a run in preview can be posted.")]})
        due_days = set(
            Charge.objects.filter(run=locked, status=ChargeStatus.DRAFT).values_list(
                "version__due_days", flat=True
            )
        )
        for days in due_days:
            Charge.objects.filter(run=locked, status=ChargeStatus.DRAFT, version__due_days=days).update(
                status=ChargeStatus.OPEN, issued_on=today, due_on=today + dt.timedelta(days=days)
            )
        now = clock.now()
        BillingRun.objects.filter(pk=locked.pk).update(
            status=RunStatus.POSTED, posted_at=now, posted_by=user, updated_at=now
        )
        from .notices import send_run_notices
        from .tasks import send_run_notices_task

        background.start(send_run_notices_task, send_run_notices, locked.pk)
    locked.refresh_from_db()
    return locked


def do_discard_run(user: Any, run: BillingRun) -> BillingRun:
    """Preview (or failed) → discarded: its drafts are deleted; nothing was ever posted."""
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status not in (RunStatus.PREVIEW, RunStatus.FAILED):
            raise FormInvalid({"status": [_("Only a run in preview can be discarded.")]})
        Charge.objects.filter(run=locked, status=ChargeStatus.DRAFT).delete()
        now = clock.now()
        BillingRun.objects.filter(pk=locked.pk).update(status=RunStatus.DISCARDED, updated_at=now)
    locked.refresh_from_db()
    return locked


# --- computing ----------------------------------------------------------------------------------


@dataclass
class Holder:
    customer_id: int
    name: str
    role: str
    start: dt.date
    end: dt.date


def compute_run(run_id: int, language: str | None = None) -> None:
    """Compute a queued run (the background task); a no-op for a run that is not queued, so a
    redelivered task never computes twice. Call outside any transaction."""
    now = clock.now()
    if not BillingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, updated_at=now
    ):
        return
    run = BillingRun.objects.select_related("project").get(pk=run_id)
    with translation.override(language or "zh-hans"):
        try:
            _compute(run)
        except Exception:
            logger.exception("billing run %s failed", run_id)
            Charge.objects.filter(run_id=run_id, status=ChargeStatus.DRAFT).delete()
            BillingRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED, updated_at=clock.now(), finished_at=clock.now(),
                detail=_("The run failed unexpectedly; nothing was charged. Start it again."),
            )  # fmt: skip


class _Items:
    """The estate's items in force on the month's first day, with rules and tiers loaded once."""

    def __init__(self, project_id: int, first: dt.date) -> None:
        self.monthly: list[tuple[FeeItem, FeeVersion]] = []
        items = FeeItem.objects.filter(project_id=project_id).order_by("kind", "code")
        for item in items:
            if item.basis == Basis.FIXED:
                continue
            version = (
                FeeVersion.objects.filter(item=item, effective_from__lte=first)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=first))
                .order_by("-effective_from")
                .prefetch_related("rules", "tiers")
                .first()
            )
            if version is not None:
                self.monthly.append((item, version))
        self.metered = any(item.basis == Basis.METERED for item, _v in self.monthly)
        self.spaces = any(item.basis == Basis.SPACE for item, _v in self.monthly)


def _compute(run: BillingRun) -> None:
    year, month = int(run.period[:4]), int(run.period[5:])
    first, last = pricing.month_bounds(year, month)
    items = _Items(run.project_id, first)
    today = periods.today()
    problems: list[dict[str, str]] = []
    totals: dict[str, Any] = {"lines": 0, "already": 0, "problems": 0, "amount": Decimal("0.00"), "done": 0}
    room_ids = list(
        Room.objects.filter(project_id=run.project_id).order_by("pk").values_list("pk", flat=True)
    )
    BillingRun.objects.filter(pk=run.pk).update(total_rooms=len(room_ids))
    for start in range(0, len(room_ids), CHUNK):
        chunk = room_ids[start : start + CHUNK]
        drafts = _chunk(run, chunk, items, first, last, today, problems, totals)
        with transaction.atomic():
            Charge.objects.bulk_create(drafts, batch_size=1000)
        totals["done"] += len(chunk)
        BillingRun.objects.filter(pk=run.pk).update(
            done_rooms=totals["done"], line_count=totals["lines"], amount=totals["amount"],
            updated_at=clock.now(),
        )  # fmt: skip
    now = clock.now()
    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PREVIEW, done_rooms=len(room_ids), line_count=totals["lines"],
        already_count=totals["already"], amount=totals["amount"], problems=problems[:MAX_PROBLEMS_KEPT],
        problem_count=totals["problems"], finished_at=now, updated_at=now,
    )  # fmt: skip


def _householders(room_ids: list[int], first: dt.date, last: dt.date) -> dict[int, list[Holder]]:
    found: dict[int, list[Holder]] = defaultdict(list)
    rows = (
        Residency.objects.filter(room_id__in=room_ids, role__in=HOUSEHOLDER_ROLES, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .order_by("started_on", "pk")
        .values_list("room_id", "customer_id", "customer__name", "role", "started_on", "ended_on")
    )
    for room_id, customer_id, name, role, started, ended in rows:
        found[room_id].append(Holder(customer_id, name, role, max(first, started), min(last, ended or last)))
    return found


def _space_holders(space_ids: list[int], first: dt.date, last: dt.date) -> dict[int, list[Holder]]:
    from webapp.parking.holding import space_holdings

    names = {}
    holdings = space_holdings(space_ids, first, last)
    customer_ids = {h.customer_id for rows in holdings.values() for h in rows}
    if customer_ids:
        from webapp.realestate.models import Customer

        names = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "name"))
    return {
        space: [Holder(h.customer_id, names.get(h.customer_id, ""), h.kind, h.start, h.end) for h in rows]
        for space, rows in holdings.items()
    }


def days_by_payer(
    holders: Iterable[Holder], first: dt.date, last: dt.date, prefer: tuple[str, ...]
) -> dict[int, int]:
    """Days of [first, last] each customer pays for: on each day the holder of the first role in
    `prefer` present that day, the earliest-started among equals (co-owners pay once)."""
    rows = sorted(holders, key=lambda h: (prefer.index(h.role) if h.role in prefer else len(prefer), h.start))
    days: dict[int, int] = defaultdict(int)
    day = first
    while day <= last:
        for holder in rows:
            if holder.start <= day <= holder.end:
                days[holder.customer_id] += 1
                break
        day += dt.timedelta(days=1)
    return dict(days)


def _chunk(
    run: BillingRun,
    room_ids: list[int],
    items: _Items,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    problems: list[dict[str, str]],
    totals: dict[str, Any],
) -> list[Charge]:
    rooms = list(
        Room.objects.filter(pk__in=room_ids)
        .select_related("floor__unit")
        .only("pk", "code", "kind", "layout", "chargeable_area", "floor__unit__building_id")
    )
    holders = _householders(room_ids, first, last)
    parking_ids = [r.pk for r in rooms if r.kind == RoomKind.PARKING]
    spaces = _space_holders(parking_ids, first, last) if items.spaces and parking_ids else {}
    usage = _usage(room_ids, run.period) if items.metered else {}
    already = set(
        Charge.objects.filter(room_id__in=room_ids, period=run.period, kind=ChargeKind.REGULAR)
        .exclude(run=run)
        .values_list("room_id", "item_id")
    )
    in_month = (last - first).days + 1
    now = clock.now()
    drafts: list[Charge] = []
    names = {h.customer_id: h.name for rows in (*holders.values(), *spaces.values()) for h in rows}

    def problem(room: Room, item: FeeItem, reason: str) -> None:
        totals["problems"] += 1
        if len(problems) < MAX_PROBLEMS_KEPT:
            problems.append({"room": room.code, "item": item.name, "reason": reason})

    for room in rooms:
        for item, version in items.monthly:
            if (room.pk, item.pk) in already:
                totals["already"] += 1
                continue
            for customer_id, fields in _lines(room, item, version, holders, spaces, usage, first, last, in_month,
                                              problem):  # fmt: skip
                if fields["amount"] <= 0:
                    continue
                drafts.append(Charge(
                    company_id=run.company_id, project_id=run.project_id, room_id=room.pk,
                    customer_id=customer_id, payer_name=names.get(customer_id, ""), item=item,
                    version=version, kind=ChargeKind.REGULAR, period=run.period, run=run,
                    status=ChargeStatus.DRAFT, issued_on=today,
                    due_on=today + dt.timedelta(days=version.due_days), created_at=now, **fields,
                ))  # fmt: skip
                totals["lines"] += 1
                totals["amount"] += fields["amount"]
    return drafts


def _usage(room_ids: list[int], period: str) -> dict[int, dict[str, Decimal | None]]:
    from webapp.meters.readings import rooms_consumption

    return rooms_consumption(room_ids, period)


def _lines(
    room: Room,
    item: FeeItem,
    version: FeeVersion,
    holders: dict[int, list[Holder]],
    spaces: dict[int, list[Holder]],
    usage: dict[int, dict[str, Decimal | None]],
    first: dt.date,
    last: dt.date,
    in_month: int,
    problem: Any,
) -> list[tuple[int, dict[str, Any]]]:
    """(payer, fields of the charge) for one room and item; problems reported, not raised."""
    parking = room.kind == RoomKind.PARKING
    basis = item.basis
    try:
        if basis == Basis.AREA and not parking:
            payers = days_by_payer(holders.get(room.pk, []), first, last, (Role.OWNER, Role.TENANT))
            price = area_price(version, room)
            return [
                (
                    customer,
                    {
                        "amount": pricing.area_amount(room.chargeable_area, price, days, in_month, room.code),
                        "quantity": room.chargeable_area,
                        "unit_price": price,
                        "days": days,
                        "note": _note_days(days, in_month),
                    },
                )
                for customer, days in payers.items()
            ]
        if basis == Basis.SPACE and parking:
            rows = spaces.get(room.pk, [])
            lines = []
            for kind in ("owned", "rented"):
                space_price = (
                    version.owned_price
                    if kind == "owned" and version.owned_price is not None
                    else version.unit_price
                )
                assert space_price is not None
                for customer, days in days_by_payer(
                    [h for h in rows if h.role == kind], first, last, (kind,)
                ).items():
                    lines.append((customer, {"amount": pricing.space_amount(space_price, days, in_month),
                                             "quantity": Decimal("1"), "unit_price": space_price, "days": days,
                                             "note": _("Owned space") if kind == "owned" else _("Rented space")}))  # fmt: skip
            return lines
        if basis == Basis.METERED and not parking:
            payers = days_by_payer(holders.get(room.pk, []), last, last, (Role.TENANT, Role.OWNER))
            if not payers:
                return []
            kinds = usage.get(room.pk, {})
            if item.kind not in kinds:
                return []  # the room has no such meter
            used = kinds[item.kind]
            if used is None:
                problem(room, item, _("No reading for the month yet (待抄表)."))
                return []
            if used == 0:
                return []
            amount = pricing.metered_amount(used, [(t.up_to, t.unit_price) for t in version.tiers.all()])
            customer = next(iter(payers))
            return [(customer, {"amount": amount, "quantity": used, "unit_price": None, "days": None,
                                "note": _("Usage %(usage)s") % {"usage": used}})]  # fmt: skip
    except pricing.PricingError as exc:
        problem(room, item, str(exc))
    return []


def _note_days(days: int, in_month: int) -> str:
    if days == in_month:
        return ""
    return _("%(days)d of %(in_month)d days") % {"days": days, "in_month": in_month}
