"""Who may start the shipped flows by hand (FlowStartRule), created by `anju_setup` when a flow has
no rule yet; group admins change them on the roles page (集团管理 › 角色与权限)."""

from __future__ import annotations

from .models import FlowStartRule

DEFAULT_RULES: dict[str, dict[str, object]] = {
    "complaint": {"open_to_all": True},  # 全员参与: every employee records a customer's problem
    "sales": {"work_groups": ["销售部"]},
    "sales_change": {"work_groups": ["销售部"]},
    # started by their own work: a batch from 新建批次, rooms by the batch, defects from a room page
    "movein_batch": {},
    "movein_room": {},
    "movein_defect": {},
    "dunning": {},  # started by billing's hourly job for overdue payers (webapp/billing/dunning.py)
    "late_fee_waiver": {},  # started from a late fee (POST /api/billing/charges/{id}/waiver/)
    "repair": {"open_to_all": True},  # 24-hour hotline and front desk: any employee records a repair
    "parking_booking": {"work_groups": ["物业部", "客服中心"]},  # 物业 and the front desk, for a resident
    "owner_verification": {},  # started from the owner channel /my/verify/ (webapp/owner/verification.py)
}


def ensure_start_rules() -> int:
    """Create the shipped flows' rules that do not exist yet; returns how many were created."""
    created = 0
    for key, values in DEFAULT_RULES.items():
        _rule, made = FlowStartRule.objects.get_or_create(process_key=key, defaults=values)
        created += made
    return created
