"""Writes of parking: contracts (`do_create_contract`, `do_end_contract`) and vehicles
(`do_add_vehicle`, `do_remove_vehicle`). Bodies are checked whole first (`check_*`: FormInvalid
with every field's error, a 400); nothing is saved unless all of it is valid.

One space, one holder a day: a new contract is checked against the space's contracts while holding
the space's row lock (`select_for_update` on the register's room; on PostgreSQL two clerks saving
contracts for one space at once are serialised there, and the second one sees the first's
contract and is refused). The vehicle rules (at most ANJU_PARKING_MAX_VEHICLES current cars per
space) are checked under the same lock. Callers outside a transaction get one; a flow hook runs in
the engine step's transaction and the lock lasts until that step commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid, checked_text
from engine.ids import parse_id
from webapp.accounts.models import Project
from webapp.realestate.models import Customer, Room, RoomKind

from .models import ContractKind, ParkingContract, Vehicle, holding_between
from .plates import PlateError, parse_plate

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def today() -> date:
    """Today in the site's time zone (Shanghai), by the engine clock."""
    return timezone.localdate(clock.now())


def max_vehicles() -> int:
    """How many current cars one space may have (setting ANJU_PARKING_MAX_VEHICLES, default 2)."""
    return int(getattr(settings, "ANJU_PARKING_MAX_VEHICLES", 2))


class Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def read_date(body: dict[str, Any], name: str, errors: Errors, *, required: bool = True) -> date | None:
    """A date field (YYYY-MM-DD) between 2000 and 2100; None (with an error when required) if absent."""
    value = body.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, _("Enter a date such as 2026-12-01."))
        return None
    try:
        day = date.fromisoformat(str(value)[:10]) if isinstance(value, str | date) else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST or (isinstance(value, str) and len(value) != 10):
        errors.add(name, _("Enter a date such as 2026-12-01."))
        return None
    return day


@dataclass(frozen=True)
class ContractInput:
    space: Room
    customer: Customer
    kind: str
    start_on: date
    end_on: date | None


def check_period(body: dict[str, Any], kind: str, errors: Errors) -> tuple[date | None, date | None]:
    """start_on, and end_on: required for a rented space, empty for a sold one (open-ended)."""
    start_on = read_date(body, "start_on", errors)
    end_on = read_date(body, "end_on", errors, required=kind == ContractKind.RENTED)
    if kind == ContractKind.SOLD and end_on is not None:
        errors.add("end_on", _("A sold space is held without an end date: leave it empty."))
        end_on = None
    if start_on and end_on and end_on < start_on:
        errors.add("end_on", _("The end date is before the start date."))
    return start_on, end_on


def read_space(project: Project, value: Any, errors: Errors, name: str = "space") -> Room | None:
    """A parking space of the estate by id; a field error otherwise."""
    number = parse_id(value)
    if value in (None, ""):
        errors.add(name, _("Choose a parking space."))
        return None
    space = Room.objects.filter(pk=number, project=project, kind=RoomKind.PARKING).first() if number else None
    if space is None:
        errors.add(name, _("No parking space of this estate has this id."))
    return space


def read_customer(company_id: int, value: Any, errors: Errors, name: str = "customer") -> Customer | None:
    number = parse_id(value)
    if value in (None, ""):
        errors.add(name, _("Choose the customer."))
        return None
    customer = Customer.objects.filter(pk=number, company_id=company_id).first() if number else None
    if customer is None:
        errors.add(name, _("No customer of your company has this id."))
    return customer


def check_contract(project: Project, body: dict[str, Any]) -> ContractInput:
    """The contract the body describes (space, customer, kind, start_on, end_on); FormInvalid
    otherwise. Whether the space is free is checked when saving, under the space's lock."""
    errors = Errors()
    space = read_space(project, body.get("space"), errors)
    customer = read_customer(project.company_id, body.get("customer"), errors)
    kind = str(body.get("kind") or "")
    if kind not in ContractKind.values:
        errors.add("kind", _("Choose 出售 (sold) or 出租 (rented)."))
    start_on, end_on = check_period(body, kind, errors)
    if errors:
        raise FormInvalid(errors)
    assert space is not None and customer is not None and start_on is not None
    return ContractInput(space, customer, kind, start_on, end_on)


def holder_between(space_id: int, first: date, last: date | None) -> ParkingContract | None:
    """The earliest contract holding the space on some day of [first, last] (last None: for ever)."""
    return (
        ParkingContract.objects.filter(space_id=space_id)
        .filter(holding_between(first, last))
        .select_related("customer")
        .order_by("start_on", "pk")
        .first()
    )


def taken_message(found: ParkingContract) -> str:
    last = found.last_day()
    return _("The space is %(kind)s to %(customer)s from %(start)s %(until)s.") % {
        "kind": found.get_kind_display(),
        "customer": found.customer.name,
        "start": found.start_on.isoformat(),
        "until": _("until %(day)s") % {"day": last.isoformat()} if last else _("without end"),
    }


def lock_space(space_id: int) -> None:
    """Take the space's row lock (PostgreSQL; SQLite serialises writers by itself) until commit."""
    Room.objects.select_for_update().filter(pk=space_id).values_list("pk", flat=True).first()


def do_create_contract(
    user: Any, project: Project, body: dict[str, Any], *, instance: Any = None
) -> ParkingContract:
    """A contract of the body's space for its customer; FormInvalid (field `space`) when another
    contract holds the space on a day of the period."""
    found = check_contract(project, body)
    with transaction.atomic():
        lock_space(found.space.pk)
        taken = holder_between(found.space.pk, found.start_on, found.end_on)
        if taken is not None:
            raise FormInvalid({"space": [taken_message(taken)]})
        return ParkingContract.objects.create(
            company_id=project.company_id, project=project, space=found.space, customer=found.customer,
            kind=found.kind, start_on=found.start_on, end_on=found.end_on, booking_instance=instance,
            created_at=clock.now(), created_by=user if getattr(user, "pk", None) else None,
        )  # fmt: skip


def do_end_contract(user: Any, contract: ParkingContract, body: dict[str, Any]) -> ParkingContract:
    """End a contract early (提前终止): ended_on, the last day held, and a reason; the contract's
    current vehicles are removed with it."""
    errors = Errors()
    ended_on = read_date(body, "ended_on", errors)
    reason = checked_text(body.get("reason"), "reason", 200)
    if not reason:
        errors.add("reason", _("Say why the contract ends early."))
    with transaction.atomic():
        lock_space(contract.space_id)
        contract = ParkingContract.objects.select_related("customer").get(pk=contract.pk)
        if contract.ended_on is not None:
            errors.add(
                "ended_on",
                _("The contract already ended on %(day)s.") % {"day": contract.ended_on.isoformat()},
            )
        elif ended_on is not None:
            if ended_on < contract.start_on:
                errors.add("ended_on", _("The contract starts after this day."))
            elif contract.end_on is not None and ended_on >= contract.end_on:
                errors.add(
                    "ended_on",
                    _("The contract ends on %(day)s anyway: an early end is before it.")
                    % {"day": contract.end_on.isoformat()},
                )
        if errors:
            raise FormInvalid(errors)
        contract.ended_on, contract.end_reason, contract.ended_by = ended_on, reason, user
        contract.save(update_fields=["ended_on", "end_reason", "ended_by"])
        Vehicle.objects.filter(contract=contract, removed_at__isnull=True).update(
            removed_at=clock.now(), removed_by=user
        )
    return contract


def _current_contract(space: Room, wanted: Any, errors: Errors) -> ParkingContract | None:
    """The contract a car is registered under: the one named, else the one holding the space today
    (else the next one that will)."""
    contracts = ParkingContract.objects.filter(space=space).filter(holding_between(today(), None))
    if wanted not in (None, ""):
        found = contracts.filter(pk=parse_id(wanted) or 0).first()
        if found is None:
            errors.add("contract", _("No current contract of this space has this id."))
        return found
    found = contracts.order_by("start_on", "pk").first()
    if found is None:
        errors.add("space", _("Nobody holds this space: register its contract first."))
    return found


def do_add_vehicle(user: Any, space: Room, body: dict[str, Any]) -> Vehicle:
    """Register a car (plate, brand, colour) to the space for its holder."""
    errors = Errors()
    plate = ""
    try:
        plate = parse_plate(body.get("plate"))
    except PlateError as exc:
        errors.add("plate", str(exc))
    brand = checked_text(body.get("brand"), "brand", 40)
    colour = checked_text(body.get("colour"), "colour", 20)
    with transaction.atomic():
        lock_space(space.pk)
        contract = _current_contract(space, body.get("contract"), errors)
        current = Vehicle.objects.filter(space=space, removed_at__isnull=True)
        if current.count() >= max_vehicles():
            errors.add(
                "plate",
                _("This space already has %(count)d cars, the most one space may have.")
                % {"count": max_vehicles()},
            )
        if (
            plate
            and Vehicle.objects.filter(
                project_id=space.project_id, plate=plate, removed_at__isnull=True
            ).exists()
        ):
            errors.add("plate", _("A car with this plate is already registered in this estate."))
        if errors:
            raise FormInvalid(errors)
        assert contract is not None
        try:
            with transaction.atomic():
                return Vehicle.objects.create(
                    company_id=space.company_id, project_id=space.project_id, space=space, contract=contract,
                    customer_id=contract.customer_id, plate=plate, brand=brand, colour=colour,
                    added_at=clock.now(), added_by=user,
                )  # fmt: skip
        except IntegrityError:  # the same plate registered for another space a moment ago
            raise FormInvalid(
                {"plate": [_("A car with this plate is already registered in this estate.")]}
            ) from None


def do_remove_vehicle(user: Any, vehicle: Vehicle) -> Vehicle:
    """Deregister a car (its row stays, with the time and who)."""
    if vehicle.removed_at is not None:
        raise FormInvalid({"vehicle": [_("This car was removed already.")]})
    vehicle.removed_at, vehicle.removed_by = clock.now(), user
    vehicle.save(update_fields=["removed_at", "removed_by"])
    return vehicle
