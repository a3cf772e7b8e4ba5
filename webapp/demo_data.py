"""Demo work for `make run`: a few customer issues in different steps of the complaint flow, so
that every demo login finds something in the inbox. Loaded once (skipped when work exists)."""

from __future__ import annotations

from typing import Any

from engine.actions import do_claim_task, do_complete_task, do_start_instance
from engine.models import ProcessInstance, ProcessVersion, Task

BASE = {"channel": "hotline", "issue_type": "complaint", "group_complaint": False, "answered_on_spot": False}
ISSUES: list[dict[str, Any]] = [
    {
        **BASE, "customer_name": "张伟", "customer_mobile": "13800138100", "project": "安居·滨海花园",
        "room": "3栋2单元1502", "issue_class": "construction_quality",
        "description": "主卧飘窗下墙面雨后渗水，墙纸起鼓发霉。",
    },
    {
        **BASE, "customer_name": "王芳", "customer_mobile": "13900139200", "project": "安居·山语城",
        "room": "8栋1单元0603", "issue_class": "property", "channel": "visit",
        "description": "地下车库照明长期不亮，夜间出入不安全。",
    },
    {
        **BASE, "customer_name": "刘洋（业主代表）", "customer_mobile": "13700137300", "project": "安居·滨海花园",
        "room": "5栋", "issue_class": "planning_design", "group_complaint": True, "group_households": 15,
        "description": "5栋多户业主反映小区规划的幼儿园改为商业用途，要求说明。",
    },
    {
        **BASE, "customer_name": "陈静", "customer_mobile": "13600136400", "project": "安居·山语城",
        "room": "2栋3单元1101", "issue_type": "consultation", "issue_class": "sales", "channel": "web",
        "description": "咨询办理房产证需要准备哪些材料。", "answered_on_spot": True,
        "on_spot_answer": "已告知所需材料清单，并短信发送办理指南。",
    },
]  # fmt: skip


def load_demo_work(users: dict[str, Any]) -> int:
    """Record the demo issues (once) and move the first one on to the engineering department."""
    if not ProcessVersion.objects.filter(key="complaint").exists():
        return 0
    agent = users["agent"]
    if ProcessInstance.objects.filter(company=agent.company).exists():
        return 0
    started = [do_start_instance(agent, "complaint", data) for data in ISSUES]
    triage = Task.objects.get(instance=started[0], state="ready")
    do_claim_task(agent, triage)
    do_complete_task(agent, triage, {"department": "engineering", "priority": "high",
                                     "dispatch_note": "请工程部24小时内上门查看渗水原因。"})  # fmt: skip
    return len(started)
