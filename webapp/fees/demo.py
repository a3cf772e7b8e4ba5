"""Fee setup demo for `make run`: the fee items of 安居·滨海花园 (project binhai of company sz), set
up by the steward 钱进 through the same action as the page and the API. Loaded once (an item whose
code exists is left alone)."""

from __future__ import annotations

from typing import Any

from webapp.accounts.models import Project

from .actions import do_create_item
from .models import FeeItem

FROM = "2026-01-01"
LATE = {
    "late_fee_daily_rate": "0.05",
    "late_fee_grace_days": 5,
    "late_fee_cap_percent": "100",
    "due_days": 15,
}
ITEMS: list[dict[str, Any]] = [
    {"code": "wuye", "name": "物业费", "kind": "property",
     "version": {"unit_price": "2.85", "rules": [{"room_kind": "shop", "unit_price": "5.50"}], **LATE}},
    {"code": "tingche", "name": "停车费", "kind": "parking",
     "version": {"unit_price": "350.00", "owned_price": "120.00", **LATE}},
    {"code": "shui", "name": "水费", "kind": "water",
     "version": {"tiers": [{"up_to": "10", "unit_price": "3.45"}, {"up_to": "20", "unit_price": "4.83"},
                           {"up_to": None, "unit_price": "6.90"}], **LATE}},
    {"code": "dian", "name": "电费", "kind": "electricity",
     "version": {"tiers": [{"up_to": "200", "unit_price": "0.68"}, {"up_to": "400", "unit_price": "0.73"},
                           {"up_to": None, "unit_price": "0.98"}], **LATE}},
    {"code": "menjinka", "name": "门禁卡押金", "kind": "card_deposit",
     "version": {"unit_price": "50.00", "late_fee_waivable": False}},
    {"code": "zhuangxiu", "name": "装修垃圾清运费", "kind": "one_off", "version": {"unit_price": "300.00"}},
]  # fmt: skip


def load_demo_fees(users: dict[str, Any]) -> int:
    """The demo's fee items of 滨海花园; the number created now (0 when they exist)."""
    steward = users["steward"]
    project = Project.objects.filter(company_id=steward.company_id, code="binhai").first()
    if project is None:
        return 0
    created = 0
    for spec in ITEMS:
        if FeeItem.objects.filter(project=project, code=spec["code"]).exists():
            continue
        do_create_item(steward, project, {**spec, "version": {"effective_from": FROM, **spec["version"]}})
        created += 1
    return created
