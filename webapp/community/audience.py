"""Who a notice or a questionnaire reaches: the current residents (业主, 租户, 家庭成员; not moved
out) of the rooms of an estate, or of some of its buildings, by their mobile numbers, written
the way the owner's channel signs them in (the 11 digits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from webapp.realestate.customers import normalize_phone
from webapp.residents.models import Residency


def mobile_of(text: str) -> str | None:
    """A mainland mobile as its 11 digits, or None (a fixed line, an empty or invalid value)."""
    try:
        phone = normalize_phone(str(text or "").strip()[:40])
    except Exception:  # phonenumbers refuses what it cannot parse at all
        return None
    if phone is None or len(phone) != 11 or not phone.isdigit() or not phone.startswith("1"):
        return None
    return phone


@dataclass(frozen=True)
class Person:
    mobile: str
    customer_id: int
    name: str


def residents_of(project_id: int, building_ids: Iterable[int] = ()) -> list[Person]:
    """The current residents of the estate (or of the buildings), one per mobile, sorted by mobile."""
    rows = Residency.objects.filter(room__project_id=project_id, ended_on__isnull=True)
    building_ids = list(building_ids)
    if building_ids:
        rows = rows.filter(room__floor__unit__building_id__in=building_ids)
    found: dict[str, Person] = {}
    for customer_id, name, text in rows.order_by("role", "customer_id").values_list(
        "customer_id", "customer__name", "customer__mobile"
    ):
        mobile = mobile_of(text)
        if mobile is not None and mobile not in found:
            found[mobile] = Person(mobile, customer_id, name)
    return [found[m] for m in sorted(found)]


@dataclass(frozen=True)
class Places:
    """Where a resident lives: the estates and the buildings of their current rooms."""

    project_ids: frozenset[int]
    building_ids: frozenset[int]


def places_of(customer_ids: Sequence[int]) -> Places:
    rows = Residency.objects.filter(customer_id__in=list(customer_ids), ended_on__isnull=True).values_list(
        "room__project_id", "room__floor__unit__building_id"
    )
    projects, buildings = set(), set()
    for project_id, building_id in rows:
        projects.add(project_id)
        buildings.add(building_id)
    return Places(frozenset(projects), frozenset(buildings))
