"""The data as stored, one click away from the readable panel: for those who see every instance
and for the instance's participants (who started it, who held or did one of its tasks). Personal
data stays masked (the caller passes masked data)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q

from engine import access
from engine.models import ProcessInstance


def may_see_raw(user: Any, instance: ProcessInstance) -> bool:
    if user.has_perm(access.VIEW_ALL) or instance.started_by_id == user.pk:
        return True
    return instance.tasks.filter(Q(assignee=user) | Q(completed_by=user)).exists()


def raw_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
