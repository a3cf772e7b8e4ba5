"""The property register (房产管理): the seed's four-level directory 管理区 → 大楼 → (单元 or 楼层,
per estate) → 房间 read off the one master-data tree (Project → Phase → Building → Unit → Floor →
Room), what each room still lacks of the required register data (readiness.py sums it up per
estate; webapp/movein/batches.py refuses a batch over incomplete rooms), and the 车位目录. Rooms
and estate settings are written here, through the model's validation (the room-code prefix rule
is Room.clean)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine.errors import FormInvalid, checked_text
from engine.ids import parse_id
from webapp.accounts.models import Project, ThirdLevel

from .models import REGISTER_FIELDS, Building, Floor, PlanKind, RegisterPlan, Room, RoomKind, Unit
from .options import natural_key

FIELD_LABELS = {
    "code": gettext_lazy("Room code"),
    "name": gettext_lazy("Room name"),
    "built_area": gettext_lazy("Built area"),
    "chargeable_area": gettext_lazy("Chargeable area"),
    "layout": gettext_lazy("Layout"),
    "orientation": gettext_lazy("Orientation"),
}
# A parking space has no layout nor orientation: its register is complete without them.
NOT_FOR_PARKING = {"layout", "orientation"}
AREAS = ("built_area", "chargeable_area")
TEXTS = {"code": 40, "name": 60, "layout": 40, "orientation": 20}
EDITABLE = ("code", "name", "kind", "built_area", "chargeable_area", "layout", "orientation")
MAX_AREA = Decimal("99999999.99")
CONTRACTED = "contracted"  # webapp.sales SubscriptionStatus.CONTRACTED: the buyer is the owner
MAX_PRICE = Decimal("999999999999.99")


def required_fields(kind: str) -> tuple[str, ...]:
    return tuple(f for f in REGISTER_FIELDS if kind != RoomKind.PARKING or f not in NOT_FOR_PARKING)


def missing_fields(room: Room) -> list[str]:
    """The required register fields the room lacks (empty: complete), in the seed's order."""
    return [name for name in required_fields(room.kind) if getattr(room, name) in (None, "")]


def missing_labels(room: Room) -> list[str]:
    return [str(FIELD_LABELS[name]) for name in missing_fields(room)]


def incomplete(rooms: QuerySet[Room]) -> QuerySet[Room]:
    """The rooms of `rooms` that lack some required register data."""
    lacking = Q(code="") | Q(name="") | Q(built_area__isnull=True) | Q(chargeable_area__isnull=True)
    lacking |= ~Q(kind=RoomKind.PARKING) & (Q(layout="") | Q(orientation=""))
    return rooms.filter(lacking)


def incomplete_message(rooms: list[Room]) -> list[str]:
    """One line per room, e.g. "BH-3-1-1502（3栋1单元1502）：收费面积、朝向" (the batch refusal)."""
    return [
        _("%(code)s (%(label)s): lacks %(fields)s")
        % {"code": room.code, "label": room.label(), "fields": "、".join(missing_labels(room))}
        for room in rooms
    ]


# --- the four-level tree -------------------------------------------------------------------------


@dataclass
class Group:
    """A third-level directory (a unit, or a floor across the building's units) and its rooms."""

    key: str
    name: str
    rooms: int = 0
    incomplete: int = 0


@dataclass
class BuildingNode:
    building: Building
    groups: list[Group] = field(default_factory=list)
    rooms: int = 0
    incomplete: int = 0
    parking: int = 0
    has_plan: bool = False


@dataclass
class Tree:
    project: Project
    buildings: list[BuildingNode]
    rooms: int
    incomplete: int
    parking: int
    has_site_plan: bool

    @property
    def third_level_label(self) -> str:
        return self.project.get_third_level_display()


def _group_key(room: dict[str, Any], level: str) -> tuple[Any, str, str]:
    if level == ThirdLevel.FLOOR:
        number = room["floor__number"]
        return (number, str(number), f"{number}层")
    return (natural_key(room["floor__unit__code"]), room["floor__unit__code"], room["floor__unit__name"])


def tree(project: Project) -> Tree:
    """管理区 (the project) → 大楼 → the project's third level → 房间, with counts of rooms,
    incomplete rooms and parking spaces at each level."""
    buildings = sorted(
        Building.objects.filter(phase__project=project).select_related("phase"),
        key=lambda b: (natural_key(b.phase.code), natural_key(b.code)),
    )
    nodes = {b.pk: BuildingNode(b) for b in buildings}
    planned = set(
        RegisterPlan.objects.filter(project=project, kind=PlanKind.BUILDING).values_list(
            "building_id", flat=True
        )
    )
    rooms = Room.objects.filter(project=project)
    lacking = set(incomplete(rooms).values_list("pk", flat=True))
    groups: dict[int, dict[tuple[Any, str, str], Group]] = defaultdict(dict)
    rows = rooms.values("pk", "kind", "floor__number", "floor__unit__code", "floor__unit__name",
                        "floor__unit__building_id")  # fmt: skip
    for row in rows:
        node = nodes.get(row["floor__unit__building_id"])
        if node is None:
            continue
        key = _group_key(row, project.third_level)
        group = groups[node.building.pk].setdefault(key, Group(key[1], key[2]))
        group.rooms += 1
        node.rooms += 1
        if row["pk"] in lacking:
            group.incomplete += 1
            node.incomplete += 1
        if row["kind"] == RoomKind.PARKING:
            node.parking += 1
    for pk, node in nodes.items():
        ordered = sorted(
            groups[pk].items(), key=lambda item: item[0][0], reverse=project.third_level == ThirdLevel.FLOOR
        )
        node.groups = [group for _key, group in ordered]
        node.has_plan = pk in planned
    return Tree(
        project=project,
        buildings=list(nodes.values()),
        rooms=sum(n.rooms for n in nodes.values()),
        incomplete=len(lacking),
        parking=sum(n.parking for n in nodes.values()),
        has_site_plan=RegisterPlan.objects.filter(project=project, kind=PlanKind.SITE).exists(),
    )


def building_rooms(building: Building, level: str) -> list[tuple[str, list[Room]]]:
    """A building's rooms grouped by the estate's third level (units in code order, floors from the
    top down), each room with `missing` (the labels of what it lacks)."""
    groups: dict[tuple[Any, str], list[Room]] = defaultdict(list)
    rooms = Room.objects.filter(floor__unit__building=building).select_related("floor__unit__building")
    for room in rooms:
        room.missing = missing_labels(room)
        if level == ThirdLevel.FLOOR:
            key: tuple[Any, str] = (-room.floor.number, f"{room.floor.number}层")
        else:
            key = (natural_key(room.floor.unit.code), room.floor.unit.name)
        groups[key].append(room)
    return [(key[1], sorted(its, key=lambda r: natural_key(r.name))) for key, its in sorted(groups.items())]


# --- writing rooms and estate settings ------------------------------------------------------------


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _area(
    value: Any, name: str, errors: dict[str, list[str]], *, limit: Decimal = MAX_AREA
) -> Decimal | None:
    """An area (or, with its limit, a price) as Decimal with two places; None when left empty."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[name] = [_("Enter a number.")]
        return None
    if not amount.is_finite():
        errors[name] = [_("Enter a number.")]
    elif amount < 0:
        errors[name] = [
            _("The area cannot be negative.")
            if limit == MAX_AREA
            else _("The price must be greater than zero.")
        ]
    elif amount > limit:
        errors[name] = [_("This number is too large.")]
    elif amount != amount.quantize(Decimal("0.01")):
        errors[name] = [_("Enter at most two decimal places.")]
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _apply_room_fields(room: Room, body: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, limit in TEXTS.items():
        if name in body:
            text = checked_text(body[name], name)
            if len(text) > limit:
                errors[name] = [_("Ensure this value has at most %(max)d characters.") % {"max": limit}]
            setattr(room, name, text[:limit])
    for name in AREAS:
        if name in body:
            setattr(room, name, _area(body[name], name, errors))
    if "kind" in body:
        if body["kind"] not in RoomKind.values:
            errors["kind"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(RoomKind.values)}]
        else:
            room.kind = body["kind"]


def _floor_for(user: Any, body: dict[str, Any], errors: dict[str, list[str]]) -> Floor | None:
    """The floor a new room goes on: {"unit": unit id, "floor": floor number} (made when new)."""
    unit_id = parse_id(body.get("unit"))
    unit = (
        Unit.objects.select_related("building__phase__project")
        .filter(pk=unit_id, building__phase__project__company_id=user.company_id)
        .first()
        if unit_id is not None
        else None
    )
    if unit is None:
        errors["unit"] = [_("Choose a unit of your company (its id).")]
    try:
        number = int(str(body.get("floor", "")).strip())
    except ValueError:
        number = 0
    if not -20 <= number <= 300 or number == 0:
        errors["floor"] = [_("Enter the floor as a whole number, negative for basements (no floor 0).")]
    if unit is None or "floor" in errors:
        return None
    floor, _created = Floor.objects.get_or_create(unit=unit, number=number, defaults={"name": f"{number}层"})
    return floor


def save_room(user: Any, body: dict[str, Any], room: Room | None = None) -> Room:
    """Create a room ({unit, floor, code, name, list_price, kind?, areas?, layout?, orientation?})
    or change one's register data; FormInvalid with field errors, nothing saved on any error."""
    if not isinstance(body, dict):
        raise FormInvalid({"non_field_errors": [_("Send the room as a JSON object.")]})
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        if room is None:
            floor = _floor_for(user, body, errors)
            price = _area(body.get("list_price"), "list_price", errors, limit=MAX_PRICE)
            if price is None and "list_price" not in errors:
                errors["list_price"] = [_("This field is required.")]
            elif price is not None and price <= 0:
                errors["list_price"] = [_("The price must be greater than zero.")]
            room = Room(company_id=user.company_id, list_price=price or Decimal("0"))
            if floor is not None:
                room.floor = floor
                room.project = floor.unit.building.phase.project
        _apply_room_fields(room, body, errors)
        if not errors:
            try:
                room.full_clean(validate_constraints=False)
            except ValidationError as exc:
                errors.update(_validation_errors(exc))
        if (
            not errors
            and Room.objects.filter(project=room.project, code=room.code).exclude(pk=room.pk).exists()
        ):
            errors["code"] = [_("A room with this code already exists in the project.")]
        if errors:
            transaction.set_rollback(True)
            raise FormInvalid(errors)
        try:
            room.save()
        except IntegrityError:
            transaction.set_rollback(True)
            raise FormInvalid({"code": [_("A room with this code already exists in the project.")]}) from None
    return room


def update_project(project: Project, body: dict[str, Any]) -> Project:
    """Change the estate's register settings (property_org_name, room_code_prefix, third_level).
    A prefix that existing room codes do not start with is refused, naming a few of them."""
    if not isinstance(body, dict):
        raise FormInvalid({"non_field_errors": [_("Send the settings as a JSON object.")]})
    if "property_org_name" in body:
        project.property_org_name = checked_text(body["property_org_name"] or "", "property_org_name", 100)
    if "room_code_prefix" in body:
        project.room_code_prefix = checked_text(
            body["room_code_prefix"] or "", "room_code_prefix", 10
        ).upper()
    if "third_level" in body:
        project.third_level = str(body["third_level"] or "")
    try:
        project.full_clean(exclude=["company"])
    except ValidationError as exc:
        raise FormInvalid(_validation_errors(exc)) from None
    prefix = project.room_code_prefix
    if prefix:
        wrong = list(
            Room.objects.filter(project=project).exclude(code__startswith=prefix).order_by("code").values_list("code", flat=True)[:6]
        )  # fmt: skip
        if wrong:
            raise FormInvalid({"room_code_prefix": [
                _("Some room codes of the project do not start with %(prefix)s: %(codes)s. Correct them first.")
                % {"prefix": prefix, "codes": "、".join(wrong[:5]) + ("…" if len(wrong) > 5 else "")}
            ]})  # fmt: skip
    project.save(update_fields=["property_org_name", "room_code_prefix", "third_level"])
    return project


# --- parking spaces ------------------------------------------------------------------------------


def parking_spaces(project: Project) -> list[dict[str, Any]]:
    """The estate's 车位目录: every parking space with its area, sales status and owner (the buyer
    of its contract) when known."""
    spaces = sorted(
        Room.objects.filter(project=project, kind=RoomKind.PARKING).select_related("floor__unit__building"),
        key=lambda r: natural_key(r.code),
    )
    # The sales app (a layer above) links its subscriptions to the room (Room.subscriptions).
    owners = dict(
        Room.objects.filter(pk__in=[s.pk for s in spaces], subscriptions__status=CONTRACTED).values_list(
            "pk", "subscriptions__customer__name"
        )
    )
    return [
        {
            "room": space, "id": space.pk, "code": space.code, "name": space.name,
            "building": space.floor.unit.building.name, "floor": space.floor.number,
            "built_area": space.built_area, "chargeable_area": space.chargeable_area,
            "status": space.status, "status_display": space.get_status_display(), "owner": owners.get(space.pk, ""),
        }
        for space in spaces
    ]  # fmt: skip
