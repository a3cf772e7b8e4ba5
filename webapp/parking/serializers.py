"""Parking spaces, contracts and vehicles as JSON (dates as YYYY-MM-DD; a holder's phone masked)."""

from __future__ import annotations

from typing import Any

from .models import ParkingContract, Vehicle
from .spaces import Row


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def vehicle_data(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "id": vehicle.pk,
        "space": vehicle.space_id,
        "contract": vehicle.contract_id,
        "customer": vehicle.customer_id,
        "plate": vehicle.plate,
        "brand": vehicle.brand,
        "colour": vehicle.colour,
        "added_at": vehicle.added_at.isoformat(),
        "removed_at": vehicle.removed_at.isoformat() if vehicle.removed_at else None,
        "current": vehicle.is_current(),
    }


def contract_data(contract: ParkingContract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "project": contract.project_id,
        "space": contract.space_id,
        "space_code": contract.space.code,
        "customer": contract.customer_id,
        "customer_name": contract.customer.name,
        "kind": contract.kind,
        "kind_display": contract.get_kind_display(),
        "start_on": _day(contract.start_on),
        "end_on": _day(contract.end_on),
        "ended_on": _day(contract.ended_on),
        "end_reason": contract.end_reason,
        "last_day": _day(contract.last_day()),
        "booking_instance": contract.booking_instance_id,
    }


def row_data(row: Row) -> dict[str, Any]:
    space = row.space
    return {
        "id": space.pk,
        "code": space.code,
        "name": space.name,
        "project": space.project_id,
        "building": space.floor.unit.building.name,
        "floor": space.floor.number,
        "state": row.state,
        "state_display": row.state_display,
        "contract": row.contract_id,
        "holder": (
            {"id": row.holder.pk, "name": row.holder.name, "phone": row.holder.masked_phone()}
            if row.holder is not None
            else None
        ),
        "vehicles": [
            {"id": v.pk, "plate": v.plate, "brand": v.brand, "colour": v.colour} for v in row.vehicles
        ],
    }
