"""Who a repair goes to: the team by the estate's dispatch rules (类别 first, then the estate's
catch-all rule) and, for an emergency, the team's technician on duty now (值班表)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import DispatchRule, DutyShift, RepairTeam


@dataclass(frozen=True)
class Route:
    team: RepairTeam | None
    technician: Any = None  # a User on duty (emergencies only)

    @property
    def mode(self) -> str:
        """on_duty (straight to the technician, SMS), rule (to the team) or manual (调度)."""
        if self.technician is not None:
            return "on_duty"
        return "rule" if self.team is not None else "manual"


def team_for(project_id: int, category: str) -> RepairTeam | None:
    """The active team the estate's rules send this category to (a category rule beats the
    estate's catch-all rule)."""
    rules = (
        DispatchRule.objects.select_related("team__work_group")
        .filter(project_id=project_id, category__in=[category, ""], team__active=True)
        .order_by("-category")  # the category's own rule sorts before "" (catch-all)
    )
    rule = rules.first()
    return rule.team if rule else None


def on_duty(team: RepairTeam, at: datetime) -> Any:
    """The technician of `team` on duty at `at` (the shift that started last), or None."""
    shift = (
        DutyShift.objects.select_related("technician")
        .filter(team=team, starts_at__lte=at, ends_at__gt=at, technician__is_active=True)
        .order_by("-starts_at", "-id")
        .first()
    )
    return shift.technician if shift else None


def route(project_id: int, category: str, emergency: bool, at: datetime) -> Route:
    team = team_for(project_id, category)
    if team is None:
        return Route(None)
    if emergency:
        return Route(team, on_duty(team, at))
    return Route(team)


def is_member(user: Any, team: RepairTeam) -> bool:
    return user.work_groups.filter(pk=team.work_group_id).exists()
