"""Demo residents of company sz (安居·滨海花园 5栋, as if imported from the sales system): owners,
a co-owner, a person with two rooms, a tenant household and a past tenant. Idempotent: a company
that has residents already is left alone. For `anju_setup` (after ensure_master_demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import clock
from webapp.realestate.models import Customer, Room

from .models import Residency, Role, Source

# (room index, customer name, role, householder's name or "", relation, from, until)
PLAN = [
    (0, "张三", Role.OWNER, "", "", "2025-03-01", ""),
    (0, "王芳", Role.OWNER, "", "", "2025-03-01", ""),
    (0, "刘洋洋", Role.MEMBER, "张三", "子女", "2025-03-01", ""),
    (1, "李四", Role.OWNER, "", "", "2025-03-01", ""),
    (1, "陈志强", Role.TENANT, "", "", "2026-01-01", ""),
    (1, "赵敏", Role.MEMBER, "陈志强", "配偶", "2026-01-01", ""),
    (2, "曾国华", Role.OWNER, "", "", "2025-03-01", ""),
    (3, "曾国华", Role.OWNER, "", "", "2025-03-01", ""),
    (3, "黄晓明", Role.TENANT, "", "", "2025-06-01", "2026-06-30"),
    (4, "周雪", Role.OWNER, "", "", "2025-03-01", ""),
    (5, "吴建国", Role.OWNER, "", "", "2025-03-01", ""),
]


def ensure_demo_residents(company: Any) -> int:
    """The demo residents of sz; returns how many were created this time."""
    if company.code != "sz" or Residency.objects.filter(company=company).exists():
        return 0
    rooms = list(
        Room.objects.filter(
            company=company, project__code="binhai", floor__unit__building__code="5"
        ).order_by("floor__unit__code", "floor__number", "name")[:6]
    )
    people = {c.name: c for c in Customer.objects.filter(company=company, name__in={p[1] for p in PLAN})}
    if len(rooms) < 6 or len(people) < len({p[1] for p in PLAN}):
        return 0
    now = clock.now()
    made: dict[tuple[int, str], Residency] = {}
    for index, name, role, head, relation, since, until in PLAN:
        made[(index, name)] = Residency.objects.create(
            company=company, room=rooms[index], customer=people[name], role=role,
            householder=made[(index, head)] if head else None, relation=relation,
            started_on=dt.date.fromisoformat(since), ended_on=dt.date.fromisoformat(until) if until else None,
            end_reason="退租" if until else "", ended_at=now if until else None, source=Source.IMPORT, created_at=now,
        )  # fmt: skip
    return len(made)
