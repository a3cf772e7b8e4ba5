"""Working calendars and the SLA policies shipped for the complaint, move-in defect and repair flows
(a company's admins change them in the admin: SLA 策略, 工作日历)."""

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


# Defect rectification (整改) keeps the deadline the dispatcher gives (dueIn, in working days).
MOVEIN_DEFECT_POLICIES: list[dict[str, Any]] = [
    {"order": 110, "name": "验房问题分派", "element_id": "Task_Dispatch", "response_target": "2h", "resolution_target": "1d"},
    {"order": 120, "name": "验房问题复验", "element_id": "Task_Reinspect", "response_target": "4h", "resolution_target": "1d"},
]  # fmt: skip

# Repairs: emergencies (漏水、停电、电梯困人) count in calendar time, day and night, holidays too; the
# others on the business calendar. The first matching policy wins, so the emergency ones come first.
REPAIR_POLICIES: list[dict[str, Any]] = [
    {"order": 210, "name": "紧急报修派工", "element_id": "Task_Dispatch", "conditions": {"urgency": "emergency"},
     "response_target": "5m", "resolution_target": "10m", "mode": "calendar", "escalate_every_percent": 50},
    {"order": 211, "name": "紧急报修接单", "element_id": "Task_Accept", "conditions": {"urgency": "emergency"},
     "response_target": "5m", "resolution_target": "10m", "mode": "calendar", "escalate_every_percent": 50},
    {"order": 212, "name": "紧急报修到场", "element_id": "Task_Arrive", "conditions": {"urgency": "emergency"},
     "resolution_target": "30m", "mode": "calendar", "escalate_every_percent": 50},
    {"order": 213, "name": "紧急报修完工", "element_id": "Task_Done", "conditions": {"urgency": "emergency"},
     "resolution_target": "4h", "mode": "calendar"},
    {"order": 220, "name": "报修派工", "element_id": "Task_Dispatch", "response_target": "30m", "resolution_target": "2h"},
    {"order": 221, "name": "报修接单", "element_id": "Task_Accept", "response_target": "1h", "resolution_target": "2h"},
    {"order": 222, "name": "报修上门", "element_id": "Task_Arrive", "resolution_target": "1d"},
    {"order": 223, "name": "报修完工", "element_id": "Task_Done", "resolution_target": "2d"},
    {"order": 230, "name": "维修回访", "element_id": "Task_Callback", "response_target": "4h", "resolution_target": "1d"},
    {"order": 240, "name": "维修结案", "element_id": "Task_Close", "resolution_target": "1d"},
]  # fmt: skip

DEFAULT_POLICIES = {
    "complaint": COMPLAINT_POLICIES, "movein_defect": MOVEIN_DEFECT_POLICIES, "repair": REPAIR_POLICIES,
}  # fmt: skip


def ensure_sla_setup(company: Any) -> None:
    """The company's working calendar (holidays from chinesecalendar) and, for each shipped flow
    the company has no policy for yet, that flow's default policies. Idempotent."""
    from .models import SlaPolicy
    from .row_caches import POLICIES

    seed_from_package(company.pk)
    for process_key, policies in DEFAULT_POLICIES.items():
        if not SlaPolicy.objects.filter(company=company, process_key=process_key).exists():
            SlaPolicy.objects.bulk_create(
                SlaPolicy(company=company, process_key=process_key, **p) for p in policies
            )
            POLICIES.forget(company.pk)  # bulk_create sends no signal
