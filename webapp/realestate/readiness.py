"""Readiness of an estate's property register ("新建小区入伙前一个月" the register must be complete):
what it still lacks, per building: the rooms without their required register data (and what each
lacks), the 小区平面图, the building plans and the homes' 户型图, and the 管理区's full name. The
readiness report pages show it; webapp/movein/batches.py refuses a batch over incomplete rooms
(register.missing_fields)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from webapp.accounts.models import Project

from .models import Building, PlanKind, RegisterPlan, Room, RoomKind
from .options import natural_key
from .register import missing_fields, missing_labels


@dataclass
class BuildingReadiness:
    building: Building
    rooms: int
    incomplete: list[tuple[Room, list[str]]]
    has_plan: bool
    without_layout_plan: list[Room]


@dataclass
class Readiness:
    project: Project
    buildings: list[BuildingReadiness]
    has_site_plan: bool
    has_org_name: bool

    @property
    def incomplete_rooms(self) -> int:
        return sum(len(b.incomplete) for b in self.buildings)

    @property
    def missing_plans(self) -> int:
        return (
            (not self.has_site_plan)
            + sum(not b.has_plan for b in self.buildings)
            + sum(len(b.without_layout_plan) for b in self.buildings)
        )

    @property
    def complete(self) -> bool:
        return not self.incomplete_rooms and not self.missing_plans and self.has_org_name


def readiness(project: Project) -> Readiness:
    """What the estate's register still lacks: incomplete rooms per building (and what each lacks),
    the 小区平面图, the buildings without a plan, the homes without a 户型图 (not parking spaces)."""
    buildings = sorted(
        Building.objects.filter(phase__project=project).select_related("phase"),
        key=lambda b: (natural_key(b.phase.code), natural_key(b.code)),
    )
    rooms = Room.objects.filter(project=project).select_related("floor__unit__building")
    with_plan = set(
        RegisterPlan.objects.filter(project=project, kind=PlanKind.LAYOUT).values_list("room_id", flat=True)
    )
    planned = set(RegisterPlan.objects.filter(project=project, kind=PlanKind.BUILDING).values_list("building_id", flat=True))  # fmt: skip
    per_building: dict[int, list[Room]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: natural_key(r.code)):
        per_building[room.floor.unit.building_id].append(room)
    report = []
    for building in buildings:
        its = per_building.get(building.pk, [])
        report.append(
            BuildingReadiness(
                building=building,
                rooms=len(its),
                incomplete=[(r, missing_labels(r)) for r in its if missing_fields(r)],
                has_plan=building.pk in planned,
                without_layout_plan=[r for r in its if r.kind != RoomKind.PARKING and r.pk not in with_plan],
            )
        )
    return Readiness(
        project=project,
        buildings=report,
        has_site_plan=RegisterPlan.objects.filter(project=project, kind=PlanKind.SITE).exists(),
        has_org_name=bool(project.property_org_name),
    )


def readiness_data(report: Readiness) -> dict[str, Any]:
    """The report as the API answers it."""
    return {
        "project": {"id": report.project.pk, "code": report.project.code, "name": report.project.name},
        "complete": report.complete,
        "property_org_name_set": report.has_org_name,
        "has_site_plan": report.has_site_plan,
        "incomplete_rooms": report.incomplete_rooms,
        "missing_plans": report.missing_plans,
        "buildings": [
            {
                "id": b.building.pk, "code": b.building.code, "name": b.building.name, "rooms": b.rooms,
                "has_plan": b.has_plan,
                "incomplete": [
                    {"id": r.pk, "code": r.code, "label": r.label(), "missing": missing_fields(r), "missing_labels": labels}
                    for r, labels in b.incomplete
                ],
                "without_layout_plan": [r.code for r in b.without_layout_plan],
            }
            for b in report.buildings
        ],
    }  # fmt: skip
