"""The space directory (车位目录) of an estate: every parking space with its state on a day (空闲 /
已售 / 已租, from the contract holding it), its holder and current cars; filtered by state and by a
text matching the space code, the holder's name or a plate. The filters run in the database
(subqueries), the page's holders and cars are read in two queries: a page costs the same for an
estate of 50 or 20,000 spaces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from forms.text import clean_text
from webapp.realestate.models import Customer, Room

from .models import ContractKind, ParkingContract, SpaceState, Vehicle, holding_between
from .plates import normalise

STATES = {SpaceState.FREE, SpaceState.SOLD, SpaceState.RENTED}


@dataclass
class Filters:
    state: str = ""
    q: str = ""


def read_filters(params: Any) -> tuple[Filters, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    state = clean_text(params.get("state") or "", 20)
    if state and state not in STATES:
        errors["state"] = [_("Choose 空闲 (free), 已售 (sold) or 已租 (rented).")]
        state = ""
    return Filters(state=state, q=clean_text(params.get("q") or "", 60)), errors


def spaces(base: QuerySet[Room], filters: Filters, day: date) -> QuerySet[Room]:
    """The spaces of `base` annotated with the contract holding each on `day` (held_kind,
    contract_pk, holder_pk), filtered; ordered by code."""
    holding = ParkingContract.objects.filter(space=OuterRef("pk")).filter(holding_between(day, day))
    rows = base.annotate(
        held_kind=Subquery(holding.values("kind")[:1]),
        contract_pk=Subquery(holding.values("pk")[:1]),
        holder_pk=Subquery(holding.values("customer_id")[:1]),
    )
    if filters.state == SpaceState.FREE:
        rows = rows.filter(held_kind__isnull=True)
    elif filters.state in (SpaceState.SOLD, SpaceState.RENTED):
        rows = rows.filter(held_kind=filters.state)
    for word in filters.q.split():
        holders = ParkingContract.objects.filter(holding_between(day, day), customer__name__icontains=word)
        plates = Vehicle.objects.filter(removed_at__isnull=True, plate__icontains=normalise(word))
        rows = rows.filter(
            Q(code__icontains=word)
            | Q(pk__in=holders.values("space_id"))
            | Q(pk__in=plates.values("space_id"))
        )
    return rows.select_related("project", "floor__unit__building").order_by("code", "pk")


@dataclass
class Row:
    space: Room
    state: str
    state_display: str
    contract_id: int | None
    holder: Customer | None
    vehicles: list[Vehicle] = field(default_factory=list)


def rows_of(page: list[Room]) -> list[Row]:
    """The page's spaces with their holders and current cars (two queries)."""
    holders = Customer.objects.in_bulk({s.holder_pk for s in page if s.holder_pk})  # type: ignore[attr-defined]
    cars: dict[int, list[Vehicle]] = {}
    for car in Vehicle.objects.filter(space__in=page, removed_at__isnull=True).order_by("added_at", "pk"):
        cars.setdefault(car.space_id, []).append(car)
    labels = dict(SpaceState.choices)
    out = []
    for space in page:
        kind = space.held_kind or SpaceState.FREE  # type: ignore[attr-defined]
        state = SpaceState.SOLD if kind == ContractKind.SOLD else kind
        out.append(
            Row(
                space=space, state=state, state_display=str(labels[state]),
                contract_id=space.contract_pk,  # type: ignore[attr-defined]
                holder=holders.get(space.holder_pk),  # type: ignore[attr-defined]
                vehicles=cars.get(space.pk, []),
            )
        )  # fmt: skip
    return out


def state_on(space: Room, day: date) -> tuple[str, ParkingContract | None]:
    """One space's state on `day` and the contract holding it."""
    contract = (
        ParkingContract.objects.filter(space=space)
        .filter(holding_between(day, day))
        .select_related("customer")
        .first()
    )
    if contract is None:
        return SpaceState.FREE, None
    return (SpaceState.SOLD if contract.kind == ContractKind.SOLD else SpaceState.RENTED), contract
