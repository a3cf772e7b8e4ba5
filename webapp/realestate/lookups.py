"""Lookup sources of master data (engine.lookups): customers, projects and rooms picked in forms
with `"x-lookup"`. Each reads through the permission-checked getters of .access, so a user finds
only what they may see (never another company's rows).

- customer: name, pinyin or initials (zs), phone, ID number, address, or the number of a room the
  customer has a case about (their purchase, move-in or complaints) or lives in now (webapp.residents);
- project: name, code or pinyin initials;
- room: code, label (3栋1单元1502) or room number, or the name, pinyin or initials of a current
  resident (owner, tenant or member, webapp.residents) — a hotline agent finds the caller's room
  by the owner's name; narrowed to a picked project; the picked customer's rooms come first. The
  list names each room's current owners (or tenants).
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Concat

from engine import lookups
from engine.lookups import Item
from engine.models import ProcessInstance
from forms.text import clean_text
from webapp.common import rights

from . import access, customers
from .models import Customer, Room
from .options import customer_title
from .pinyin import name_initials, name_pinyin


def _linked(user: Any, **refs: Any) -> QuerySet[ProcessInstance]:
    """The company's cases (instances) about a customer or room, for linking the two."""
    return ProcessInstance.objects.filter(company_id=access.company_id_of(user) or 0, **refs)


def _rooms_matching(rooms: QuerySet[Room], q: str) -> QuerySet[Room]:
    rooms = rooms.annotate(
        _label=Concat("floor__unit__building__name", "floor__unit__name", "name", output_field=CharField())
    )
    condition = Q()
    for word in q.split():
        condition &= (
            Q(code__icontains=word)
            | Q(_label__icontains=word)
            | Q(name__icontains=word)
            | Q(project__name__icontains=word)
        )
    return rooms.filter(condition)


def _rooms_of_residents(user: Any, q: str) -> QuerySet[Room]:
    """Rooms whose current residents (webapp.residents, through the reverse relation) match `q`
    by name, pinyin, initials or phone; only for users who see customers."""
    people = customers.filter_customers(access.visible_customers(user), q).values("pk")
    return Room.objects.filter(residencies__ended_on__isnull=True, residencies__customer__in=people).values(
        "pk"
    )


def _residents_of(rooms: list[Room]) -> dict[int, list[str]]:
    """room id → names of its current owners (else tenants), for the picker's lines."""
    names: dict[int, dict[str, list[str]]] = {}
    rows = Room.objects.filter(
        pk__in=[room.pk for room in rooms],
        residencies__ended_on__isnull=True,
        residencies__role__in=("owner", "tenant"),
    ).values_list("pk", "residencies__role", "residencies__customer__name")
    for pk, role, name in rows.order_by("pk", "residencies__pk"):
        names.setdefault(pk, {}).setdefault(role, []).append(name)
    return {pk: roles.get("owner") or roles.get("tenant") or [] for pk, roles in names.items()}


@lookups.register("customer", "客户 Customers: name, pinyin, initials, phone, ID number, room")
class CustomerSource:
    def search(self, user: Any, q: str, scope: dict[str, int], limit: int) -> list[Item]:
        visible = access.visible_customers(user)
        q = clean_text(q, 100)
        found = customers.filter_customers(visible, q)
        if q:
            rooms = _rooms_matching(access.visible_rooms(user), q).values("pk")
            owners = _linked(user, room_ref__in=rooms, customer_ref__isnull=False).values("customer_ref")
            living = visible.filter(residencies__room__in=rooms, residencies__ended_on__isnull=True).values(
                "pk"
            )
            found = visible.filter(
                Q(pk__in=found.values("pk")) | Q(pk__in=owners) | Q(pk__in=living)
            ).order_by("-created_at", "-pk")
        return [self._item(c) for c in found[:limit]]

    def get(self, user: Any, pk: int, scope: dict[str, int]) -> Item | None:
        customer = access.visible_customers(user).filter(pk=pk).first()
        return self._item(customer) if customer is not None else None

    def named(self, user: Any, text: str, scope: dict[str, int]) -> Item | None:
        return None  # people share names: a typed name is a caller not (yet) on file

    @staticmethod
    def _item(customer: Customer) -> Item:
        return Item(customer.pk, customer.name, customer_title(customer))


@lookups.register("project", "项目 Projects: name, code, pinyin initials")
class ProjectSource:
    def search(self, user: Any, q: str, scope: dict[str, int], limit: int) -> list[Item]:
        q = clean_text(q, 100).lower().replace(" ", "")
        found = []
        for project in access.visible_projects(user).order_by("name", "pk"):
            if q:
                keys = (project.name.lower(), project.code.lower())
                spoken = (
                    name_pinyin(project.name, individual=False),
                    name_initials(project.name, individual=False),
                )
                if not any(q in key for key in (*keys, *spoken)):
                    continue
            found.append(Item(project.pk, project.name, project.name))
        return found[:limit]

    def get(self, user: Any, pk: int, scope: dict[str, int]) -> Item | None:
        project = access.visible_projects(user).filter(pk=pk).first()
        return Item(project.pk, project.name, project.name) if project is not None else None

    def named(self, user: Any, text: str, scope: dict[str, int]) -> Item | None:
        found = list(access.visible_projects(user).filter(Q(name=text) | Q(code=text))[:2])
        return Item(found[0].pk, found[0].name, found[0].name) if len(found) == 1 else None


@lookups.register(
    "room", "房间 Rooms: code, 楼栋单元房号, narrowed to a project", scopes=("project", "customer")
)
class RoomSource:
    def search(self, user: Any, q: str, scope: dict[str, int], limit: int) -> list[Item]:
        rooms = access.visible_rooms(user).select_related("project", "floor__unit__building")
        if "project" in scope:
            rooms = rooms.filter(project_id=scope["project"])
        q = clean_text(q, 100)
        if q:
            matching = _rooms_matching(rooms, q).values("pk")
            rooms = rooms.filter(Q(pk__in=matching) | Q(pk__in=_rooms_of_residents(user, q)))
        first: list[Room] = []
        if "customer" in scope:
            theirs = _linked(user, customer_ref=scope["customer"], room_ref__isnull=False).values("room_ref")
            first = list(rooms.filter(pk__in=theirs).order_by("project__name", "code")[:limit])
            rooms = rooms.exclude(pk__in=[room.pk for room in first])
        rest = list(rooms.order_by("project__name", "code")[: max(0, limit - len(first))])
        found = [*first, *rest]
        residents = _residents_of(found) if rights.holds(user, "customers") else {}
        return [self._item(room, residents.get(room.pk)) for room in found]

    def get(self, user: Any, pk: int, scope: dict[str, int]) -> Item | None:
        room = access.visible_rooms(user).select_related("project", "floor__unit__building").filter(pk=pk)
        if "project" in scope:
            room = room.filter(project_id=scope["project"])
        found = room.first()
        return self._item(found) if found is not None else None

    def named(self, user: Any, text: str, scope: dict[str, int]) -> Item | None:
        rooms = access.visible_rooms(user).select_related("project", "floor__unit__building")
        if "project" in scope:
            rooms = rooms.filter(project_id=scope["project"])
        label = Concat("floor__unit__building__name", "floor__unit__name", "name", output_field=CharField())
        found = list(rooms.annotate(_label=label).filter(Q(code=text) | Q(_label=text))[:2])
        return self._item(found[0]) if len(found) == 1 else None

    @staticmethod
    def _item(room: Room, residents: list[str] | None = None) -> Item:
        label = f"{room.project.name} {room.label()}"
        return Item(room.pk, room.label(), f"{label} · {'、'.join(residents)}" if residents else label)
