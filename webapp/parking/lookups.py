"""The lookup source `parking_space` (engine.lookups): a parking space picked in a form by its code,
narrowed to a picked estate; for people who see the parking directory or the rooms, of their company only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from engine import lookups
from engine.lookups import Item
from forms.text import clean_text
from webapp.common import rights
from webapp.realestate.models import Room

from . import access


def _spaces(user: Any, scope: dict[str, int]) -> QuerySet[Room]:
    if not (rights.holds(user, "parking") or rights.holds(user, "rooms")):
        return Room.objects.none()
    rows = access.spaces_of_company(user).select_related("project")
    if "project" in scope:
        rows = rows.filter(project_id=scope["project"])
    return rows


def _item(space: Room) -> Item:
    return Item(space.pk, space.code, f"{space.project.name} {space.code}")


@lookups.register("parking_space", "车位 Parking spaces: code, narrowed to a project", scopes=("project",))
class ParkingSpaceSource:
    def search(self, user: Any, q: str, scope: dict[str, int], limit: int) -> list[Item]:
        rows = _spaces(user, scope)
        q = clean_text(q, 40)
        if q:
            rows = rows.filter(code__icontains=q)
        return [_item(space) for space in rows.order_by("project__name", "code")[:limit]]

    def get(self, user: Any, pk: int, scope: dict[str, int]) -> Item | None:
        found = _spaces(user, scope).filter(pk=pk).first()
        return _item(found) if found is not None else None

    def named(self, user: Any, text: str, scope: dict[str, int]) -> Item | None:
        found = list(_spaces(user, scope).filter(code=text)[:2])
        return _item(found[0]) if len(found) == 1 else None
