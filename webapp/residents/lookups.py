"""The "resident" lookup (engine.lookups): the current residents of a room, for a form's person
field, e.g. the repair flow's reporter:

    "reporter_name": {"type": "string", "title": "报修人",
                      "x-lookup": {"source": "resident", "id": "reporter_id", "freeText": true,
                                   "scope": {"room": "room_id"}}}

With a room picked (scope "room") it lists that room's current owners, tenants and members
matching the typed name, pinyin, initials or phone; without one, current residents of the company
matching the text or their room's code or label. The id is the person's customer id (so the case
joins the person's history); the label shows the role, the room and the masked phone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Concat

from engine import lookups
from engine.lookups import Item
from forms.text import clean_text
from webapp.realestate import access as master
from webapp.realestate import customers

from .models import Residency


def _current(user: Any, scope: dict[str, int]) -> QuerySet[Residency]:
    rooms = master.visible_rooms(user)
    people = master.visible_customers(user)
    found = Residency.objects.filter(
        ended_on__isnull=True, room__in=rooms.values("pk"), customer__in=people.values("pk")
    ).select_related("customer", "room__floor__unit__building")
    if "room" in scope:
        found = found.filter(room_id=scope["room"])
    return found


def _item(residency: Residency) -> Item:
    person = residency.customer
    phone = person.masked_phone()
    label = f"{person.name} · {residency.get_role_display()} · {residency.room.label()}"
    return Item(person.pk, person.name, f"{label} · {phone}" if phone else label)


@lookups.register(
    "resident", "住户 Residents: current owners, tenants and members, narrowed to a room", scopes=("room",)
)
class ResidentSource:
    def search(self, user: Any, q: str, scope: dict[str, int], limit: int) -> list[Item]:
        found = _current(user, scope)
        q = clean_text(q, 100)
        if q:
            people = customers.filter_customers(master.visible_customers(user), q).values("pk")
            condition = Q(customer__in=people)
            if "room" not in scope:
                label = Concat(
                    "room__floor__unit__building__name", "room__floor__unit__name", "room__name",
                    output_field=CharField(),
                )  # fmt: skip
                found = found.annotate(_label=label)
                condition |= Q(room__code__icontains=q) | Q(_label__icontains=q)
            found = found.filter(condition)
        items: dict[int, Item] = {}
        for residency in found.order_by("room__code", "role", "pk")[: limit * 3]:
            items.setdefault(residency.customer_id, _item(residency))  # one line per person
        return list(items.values())[:limit]

    def get(self, user: Any, pk: int, scope: dict[str, int]) -> Item | None:
        residency = _current(user, scope).filter(customer_id=pk).order_by("role", "pk").first()
        return _item(residency) if residency is not None else None

    def named(self, user: Any, text: str, scope: dict[str, int]) -> Item | None:
        if "room" not in scope:
            return None  # people share names: only within one room does a name identify
        found = list(_current(user, scope).filter(customer__name=text)[:2])
        return _item(found[0]) if len(found) == 1 and len({r.customer_id for r in found}) == 1 else None
