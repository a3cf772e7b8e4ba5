"""Fee items and versions as JSON (amounts as strings with two places, never numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .models import FeeItem, FeeVersion


def _yuan(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def version_data(version: FeeVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "unit_price": _yuan(version.unit_price),
        "owned_price": _yuan(version.owned_price),
        "due_days": version.due_days,
        "late_fee_daily_rate": str(version.late_fee_daily_rate.normalize()),
        "late_fee_grace_days": version.late_fee_grace_days,
        "late_fee_cap_percent": str(version.late_fee_cap_percent.normalize()),
        "late_fee_waivable": version.late_fee_waivable,
        "note": version.note,
        "rules": [
            {
                "building": rule.building_id,
                "layout": rule.layout,
                "room_kind": rule.room_kind,
                "unit_price": _yuan(rule.unit_price),
            }
            for rule in version.rules.all()
        ],
        "tiers": [{"up_to": _yuan(t.up_to), "unit_price": _yuan(t.unit_price)} for t in version.tiers.all()],
    }


def item_data(item: FeeItem, with_versions: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.pk,
        "project": item.project_id,
        "code": item.code,
        "name": item.name,
        "kind": item.kind,
        "kind_display": item.get_kind_display(),
        "basis": item.basis,
        "refundable": item.refundable,
    }
    if with_versions:
        data["versions"] = [version_data(v) for v in item.versions.prefetch_related("rules", "tiers")]
    return data
