"""Working calendars and the SLA policies shipped for the complaint flow (a company's admins
change them in the admin: SLA 策略, 工作日历)."""

from __future__ import annotations

from typing import Any

from .calendar import seed_from_package

HANDLING = "Task_HandleEngineering,Task_HandleDesign,Task_HandleMarketing,Task_HandleProperty"

COMPLAINT_POLICIES: list[dict[str, Any]] = [
    {"order": 10, "name": "群诉：公司领导立即处置", "element_id": "Task_GroupComplaint", "response_target": "30m",
     "resolution_target": "2h", "escalate_immediately": True},
    {"order": 20, "name": "派单", "element_id": "Task_Triage", "response_target": "30m", "resolution_target": "2h"},
    {"order": 30, "name": "高优先级处理", "element_id": HANDLING, "conditions": {"priority": "high"},
     "response_target": "2h", "resolution_target": "8h"},
    {"order": 40, "name": "普通优先级处理", "element_id": HANDLING, "conditions": {"priority": "normal"},
     "response_target": "4h", "resolution_target": "3d"},
    {"order": 50, "name": "低优先级处理", "element_id": HANDLING, "conditions": {"priority": "low"},
     "response_target": "1d", "resolution_target": "5d"},
    {"order": 60, "name": "督办、赔付、回访", "element_id": "Task_Supervise,Task_Compensation,Task_Callback",
     "response_target": "4h", "resolution_target": "1d"},
]  # fmt: skip


def ensure_sla_setup(company: Any) -> None:
    """The company's working calendar (holidays from chinesecalendar) and, when it has no policy
    yet, the complaint flow's policies. Idempotent."""
    from .models import SlaPolicy

    seed_from_package(company.pk)
    if not SlaPolicy.objects.filter(company=company).exists():
        SlaPolicy.objects.bulk_create(
            SlaPolicy(company=company, process_key="complaint", **p) for p in COMPLAINT_POLICIES
        )
