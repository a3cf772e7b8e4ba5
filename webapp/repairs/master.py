"""The repair master data a company starts with: one team (维修一班, work group 维修班) that every
estate's catch-all dispatch rule sends repairs to. Idempotent; admins change it in the admin
(维修班组, 派工规则, 值班表)."""

from __future__ import annotations

from typing import Any

from .models import DispatchRule, RepairTeam

TEAM_NAME = "维修一班"
TEAM_GROUP = "维修班"


def ensure_repair_master(company: Any) -> RepairTeam | None:
    """The company's first team and a catch-all rule per estate; None when the work group is missing."""
    from webapp.accounts.models import Project, WorkGroup

    group = WorkGroup.objects.filter(company=company, name=TEAM_GROUP).first()
    if group is None:
        return None
    team, _ = RepairTeam.objects.get_or_create(
        company=company, name=TEAM_NAME, defaults={"work_group": group}
    )
    for project in Project.objects.filter(company=company):
        DispatchRule.objects.get_or_create(project=project, category="", defaults={"team": team})
    return team
