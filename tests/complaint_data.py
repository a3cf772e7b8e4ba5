"""Form data that completes the complaint flow (docs/bpmn/complaint.md), shared by the tests."""

from typing import Any

INTAKE: dict[str, Any] = {
    "customer_name": "张三",
    "customer_mobile": "13800138000",
    "project": "安居·滨海花园",
    "room": "3栋2单元1502",
    "channel": "hotline",
    "issue_type": "complaint",
    "issue_class": "construction_quality",
    "description": "主卧飘窗下墙面雨后渗水，墙纸起鼓。",
    "group_complaint": False,
    "answered_on_spot": False,
}
TRIAGE = {"department": "engineering", "priority": "normal", "dispatch_note": "请工程部三日内上门查看。"}
HANDLE = {
    "handling_result": "已上门修补外墙防水并更换墙纸。",
    "measures_taken": "外墙打胶、墙纸更换",
    "compensation_needed": False,
}
ACCEPT = {"supervision_result": "accept"}
SATISFIED = {"customer_reached": True, "satisfaction": "satisfied", "customer_comments": "处理及时。"}
