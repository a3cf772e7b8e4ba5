"""x-options providers for master data (see engine.options): a form field says
`"x-options": "rooms.available"` and shows these choices. They are for display only; the sales
flow's hooks check again inside the step."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from engine import options
from engine.ids import parse_id

from .access import company_id_of
from .models import Customer, PaymentMethod, Room, RoomStatus

MAX_CUSTOMERS = 500
_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts "3" before "10" (building, unit and room codes are text)."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(text or ""))


def project_filter(value: Any) -> Q:
    """Rooms of the project named by `value`: its code, its id or its name."""
    text = str(value).strip()
    condition = Q(project__code=text) | Q(project__name=text)
    if parse_id(text) is not None:
        condition |= Q(project_id=parse_id(text))
    return condition


@options.register("rooms.available", "可售房间 Rooms for sale (data.project narrows to one project)")
def available_rooms(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    company_id = company_id_of(user)
    if company_id is None:
        return []
    rooms = Room.objects.filter(company_id=company_id, status=RoomStatus.AVAILABLE).select_related(
        "project", "floor__unit__building"
    )
    project = (data or {}).get("project")
    if project not in (None, ""):
        rooms = rooms.filter(project_filter(project))
    ordered = sorted(
        rooms,
        key=lambda room: (
            room.project.code,
            natural_key(room.floor.unit.building.code),
            natural_key(room.floor.unit.code),
            room.floor.number,
            natural_key(room.name),
        ),
    )
    return [{"value": room.pk, "title": room.summary()} for room in ordered]


def customer_title(customer: Customer) -> str:
    """张三 · 138****8000 (the phone masked; the name alone when there is no phone)."""
    phone = customer.masked_phone()
    return f"{customer.name} · {phone}" if phone else customer.name


@options.register("customers", "客户 Customers of the company, most recent first (data.customer_id is kept)")
def customers(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    company_id = company_id_of(user)
    if company_id is None:
        return []
    fields = ("id", "name", "mobile", "office_phone", "home_phone")
    recent = list(
        Customer.objects.filter(company_id=company_id)
        .only(*fields)
        .order_by("-created_at", "-pk")[:MAX_CUSTOMERS]
    )
    wanted = (data or {}).get("customer_id")
    wanted = parse_id(wanted)
    if wanted is not None and all(c.pk != wanted for c in recent):
        current = Customer.objects.filter(company_id=company_id, pk=wanted).only(*fields).first()
        if current is not None:
            recent.insert(0, current)
    return [{"value": customer.pk, "title": customer_title(customer)} for customer in recent]


@options.register("payment_methods", "付款方式 Active payment methods of the company")
def payment_methods(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    company_id = company_id_of(user)
    if company_id is None:
        return []
    methods = PaymentMethod.objects.filter(company_id=company_id, active=True).order_by("pk")
    return [{"value": method.code, "title": method.name} for method in methods]
