"""The fee setup pages' form fields turned into the API's body (actions.check_version reads both):
tiers and per-building / layout / kind prices are written one per line on the page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from engine.errors import FormInvalid
from webapp.accounts.models import Project
from webapp.realestate.models import Building, RoomKind

VERSION_FIELDS = (
    "effective_from", "effective_to", "unit_price", "owned_price", "due_days", "late_fee_daily_rate",
    "late_fee_grace_days", "late_fee_cap_percent", "note",
)  # fmt: skip
OPEN_ENDED = {"", "-", "以上", "及以上"}
RULE_WORDS = {"楼栋": "building", "户型": "layout", "类型": "room_kind"}


def _lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.replace("\r", "").split("\n") if line.strip()][:200]


def tiers_of(text: str) -> list[dict[str, str]]:
    """ "10 3.45" / "20 4.83" / "以上 6.90" → [{"up_to": "10", "unit_price": "3.45"}, …]."""
    tiers = []
    for parts in _lines(text):
        if len(parts) == 1:
            parts = ["", parts[0]]
        up_to = "" if parts[0] in OPEN_ENDED else parts[0]
        tiers.append({"up_to": up_to, "unit_price": parts[-1]})
    return tiers


def rules_of(text: str, project: Project) -> list[dict[str, Any]]:
    """ "楼栋 3栋 2.50" / "户型 三室两厅两卫 3.00" / "类型 商铺 5.00" → API rules."""
    rules: list[dict[str, Any]] = []
    kinds = {label: value for value, label in RoomKind.choices}
    for number, parts in enumerate(_lines(text), 1):
        key = RULE_WORDS.get(parts[0]) if len(parts) == 3 else None
        if key is None:
            raise FormInvalid(
                {"rules": [_("Line %(n)d: write 楼栋/户型/类型, the name and the price.") % {"n": number}]}
            )
        value: Any = parts[1]
        if key == "building":
            building = Building.objects.filter(phase__project=project, name=value).first()
            if building is None:
                raise FormInvalid(
                    {"rules": [_("Line %(n)d: no such building in this estate.") % {"n": number}]}
                )
            value = building.pk
        elif key == "room_kind":
            if value not in kinds:
                raise FormInvalid({"rules": [_("Line %(n)d: unknown room kind.") % {"n": number}]})
            value = kinds[value]
        rules.append({key: value, "unit_price": parts[2]})
    return rules


def version_body(post: Any, project: Project) -> dict[str, Any]:
    body: dict[str, Any] = {name: post.get(name, "") for name in VERSION_FIELDS}
    for name, default in (("due_days", "15"), ("late_fee_daily_rate", "0"), ("late_fee_grace_days", "0"),
                          ("late_fee_cap_percent", "100")):  # fmt: skip
        body[name] = body[name].strip() or default
    body["late_fee_waivable"] = post.get("late_fee_waivable") == "on"
    body["tiers"] = tiers_of(post.get("tiers", ""))
    body["rules"] = rules_of(post.get("rules", ""), project)
    return body
