"""What a room would be charged for a month by each fee item in force (报价): for staff to check
the setup before billing runs exist. Reads the register (收费面积, kind, layout, building) and the
residents (which days of the month a householder holds the room; owner or tenant of a space)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from webapp.realestate.models import Room, RoomKind
from webapp.residents.models import HOUSEHOLDER_ROLES, Residency, Role

from . import pricing
from .models import Basis, FeeItem, FeeVersion


@dataclass
class Line:
    item: FeeItem
    version: FeeVersion
    basis: str
    unit_price: Decimal | None
    quantity: Decimal | None  # ㎡, spaces or usage
    days: int | None
    amount: Decimal | None
    note: str = ""
    error: str = ""


def area_price(version: FeeVersion, room: Room) -> Decimal:
    """The ㎡ price for `room`: a rule for its building, else its layout, else its kind, else the
    version's default."""
    rules = list(version.rules.all())
    building_id = room.floor.unit.building_id
    for matches in (
        lambda r: r.building_id == building_id,
        lambda r: bool(r.layout) and r.layout == room.layout,
        lambda r: bool(r.room_kind) and r.room_kind == room.kind,
    ):
        for rule in rules:
            if matches(rule):
                return rule.unit_price
    assert version.unit_price is not None
    return version.unit_price


def occupancy(room: Room, year: int, month: int) -> tuple[int, str | None]:
    """Days of the month a householder (owner or tenant) holds the room, and the role of the one
    holding it last ("owner"/"tenant"; None: nobody registered, the whole month is quoted)."""
    first, last = pricing.month_bounds(year, month)
    rows = list(
        Residency.objects.filter(room=room, role__in=HOUSEHOLDER_ROLES, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .order_by("started_on")
    )
    if not rows:
        return pricing.days_in_month(year, month), None
    covered: set[date] = set()
    for row in rows:
        lo, hi = max(first, row.started_on), min(last, row.ended_on or last)
        covered.update(date.fromordinal(d) for d in range(lo.toordinal(), hi.toordinal() + 1))
    tenant = any(r.role == Role.TENANT for r in rows)
    return len(covered), (Role.TENANT if tenant else Role.OWNER)


def quote_room(room: Room, year: int, month: int, usage: dict[str, Decimal]) -> list[Line]:
    """One line per item of the room's estate in force on the month's first day."""
    first, _last = pricing.month_bounds(year, month)
    in_month = pricing.days_in_month(year, month)
    days, holder = occupancy(room, year, month)
    lines = []
    items = FeeItem.objects.filter(project_id=room.project_id).order_by("kind", "code")
    for item in items:
        version = item.version_on(first)
        if version is None:
            continue
        line = Line(item, version, item.basis, version.unit_price, None, None, None)
        try:
            _price(line, room, days, in_month, holder, usage)
        except pricing.PricingError as exc:
            line.error = str(exc)
        if line.note != "skip":
            lines.append(line)
    return lines


def _price(
    line: Line, room: Room, days: int, in_month: int, holder: str | None, usage: dict[str, Decimal]
) -> None:
    version, parking = line.version, room.kind == RoomKind.PARKING
    if line.basis == Basis.AREA:
        if parking:
            line.note = "skip"
            return
        line.unit_price = area_price(version, room)
        line.quantity, line.days = room.chargeable_area, days
        line.amount = pricing.area_amount(room.chargeable_area, line.unit_price, days, in_month, room.code)
    elif line.basis == Basis.SPACE:
        if not parking:
            line.note = "skip"
            return
        owned = holder == Role.OWNER and version.owned_price is not None
        line.unit_price = version.owned_price if owned else version.unit_price
        line.note = _("Owned space") if owned else _("Rented space") if holder else ""
        line.quantity, line.days = Decimal("1"), days
        assert line.unit_price is not None
        line.amount = pricing.space_amount(line.unit_price, days, in_month)
    elif line.basis == Basis.METERED:
        used = usage.get(line.item.kind)
        if used is None:
            line.note = _("Charged by meter readings; give a usage to quote it.")
            return
        line.quantity = used
        line.amount = pricing.metered_amount(used, [(t.up_to, t.unit_price) for t in version.tiers.all()])
    else:
        line.amount = version.unit_price
        line.note = _("Refundable deposit, charged once") if line.item.refundable else _("Charged once")


def line_data(line: Line) -> dict[str, Any]:
    return {
        "item": line.item.pk,
        "code": line.item.code,
        "name": line.item.name,
        "kind": line.item.kind,
        "basis": line.basis,
        "version": line.version.pk,
        "effective_from": line.version.effective_from.isoformat(),
        "unit_price": None if line.unit_price is None else f"{line.unit_price:.2f}",
        "quantity": None if line.quantity is None else str(line.quantity),
        "days": line.days,
        "amount": None if line.amount is None else f"{line.amount:.2f}",
        "monthly": line.basis in (Basis.AREA, Basis.SPACE, Basis.METERED),
        "note": line.note,
        "error": line.error,
    }
