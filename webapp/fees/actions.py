"""Writes of fee setup: `do_create_item` (an item with its first version) and `do_add_version` (a
new price from a date). Bodies are checked whole first (`check_*`, FormInvalid with every field's
error); nothing is saved unless all of it is valid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid, checked_text
from webapp.accounts.models import Project
from webapp.realestate.models import Building, RoomKind

from .models import BASIS_OF_KIND, Basis, FeeItem, FeeKind, FeeVersion, PriceRule, Tier
from .money import MoneyError, parse_decimal, parse_money

MAX_RULES = 200
MAX_TIERS = 20


@dataclass
class VersionInput:
    effective_from: date
    effective_to: date | None
    unit_price: Decimal | None
    owned_price: Decimal | None
    due_days: int
    late_fee_daily_rate: Decimal
    late_fee_grace_days: int
    late_fee_cap_percent: Decimal
    late_fee_waivable: bool
    note: str
    rules: list[dict[str, Any]] = field(default_factory=list)
    tiers: list[tuple[Decimal | None, Decimal]] = field(default_factory=list)


class _Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def _date(body: dict[str, Any], name: str, errors: _Errors, required: bool = True) -> date | None:
    value = body.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, _("Enter a date such as 2026-01-01."))
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(name, _("Enter a date such as 2026-01-01."))
        return None


def _count(body: dict[str, Any], name: str, default: int, errors: _Errors, maximum: int = 3650) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit())
    ):
        errors.add(name, _("Enter a whole number of days."))
        return default
    if not 0 <= int(value) <= maximum:
        errors.add(name, _("Enter a whole number of days."))
        return default
    return int(value)


def _money(body: dict[str, Any], name: str, errors: _Errors, required: bool) -> Decimal | None:
    value = body.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, _("Enter an amount in yuan such as 2.85."))
        return None
    try:
        return parse_money(value)
    except MoneyError as exc:
        errors.add(name, str(exc))
        return None


def _percent(
    body: dict[str, Any], name: str, default: str, errors: _Errors, places: int, maximum: str
) -> Decimal:
    value = body.get(name, default)
    try:
        return parse_decimal(value, places, maximum=Decimal(maximum))
    except MoneyError as exc:
        errors.add(name, str(exc))
        return Decimal(default)


def _tiers(raw: Any, errors: _Errors) -> list[tuple[Decimal | None, Decimal]]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_TIERS:
        errors.add("tiers", _('List the tiers, e.g. [{"up_to": "10", "unit_price": "3.45"}, …].'))
        return []
    tiers: list[tuple[Decimal | None, Decimal]] = []
    for index, tier in enumerate(raw, 1):
        try:
            if not isinstance(tier, dict):
                raise MoneyError(_("Each tier is an object with up_to and unit_price."))
            last = index == len(raw)
            up_to = None if last and tier.get("up_to") in (None, "") else parse_decimal(tier.get("up_to"), 2)
            price = parse_money(tier.get("unit_price"))
        except MoneyError as exc:
            errors.add("tiers", _("Tier %(n)d: %(problem)s") % {"n": index, "problem": exc})
            continue
        tiers.append((up_to, price))
    bounds = [up for up, _price in tiers]
    if len(tiers) == len(raw):
        if bounds[-1] is not None:
            errors.add("tiers", _("The last tier has no upper bound (up_to empty)."))
        finite = [b for b in bounds if b is not None]
        if None in bounds[:-1] or any(b <= a for a, b in zip([Decimal("0"), *finite], finite, strict=False)):
            errors.add("tiers", _("Tier bounds must be ascending and above 0."))
    return tiers


def _rules(raw: Any, project: Project, errors: _Errors) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_RULES:
        errors.add("rules", _("List the prices per building, layout or room kind."))
        return []
    rules, seen = [], set()
    for index, rule in enumerate(raw, 1):
        try:
            if not isinstance(rule, dict):
                raise MoneyError(_("Each rule is an object."))
            price = parse_money(rule.get("unit_price"))
        except MoneyError as exc:
            errors.add("rules", _("Rule %(n)d: %(problem)s") % {"n": index, "problem": exc})
            continue
        keys = [k for k in ("building", "layout", "room_kind") if rule.get(k) not in (None, "")]
        if len(keys) != 1:
            errors.add(
                "rules", _("Rule %(n)d: give exactly one of building, layout or room kind.") % {"n": index}
            )
            continue
        key, value = keys[0], rule[keys[0]]
        row: dict[str, Any] = {"unit_price": price}
        if key == "building":
            number = int(value) if str(value).isascii() and str(value).isdigit() else 0
            building = Building.objects.filter(pk=number, phase__project=project).first()
            if building is None:
                errors.add("rules", _("Rule %(n)d: no such building in this estate.") % {"n": index})
                continue
            row["building"] = building
        elif key == "room_kind":
            if value not in RoomKind.values:
                errors.add("rules", _("Rule %(n)d: unknown room kind.") % {"n": index})
                continue
            row["room_kind"] = value
        else:
            row["layout"] = checked_text(value, "rules", 40)
        if (key, str(value)) in seen:
            errors.add("rules", _("Rule %(n)d: this price is given twice.") % {"n": index})
            continue
        seen.add((key, str(value)))
        rules.append(row)
    return rules


def check_version(body: Any, kind: str, project: Project, errors: _Errors) -> VersionInput | None:
    """The version part of a body (prices, dates, late-fee rule) checked for an item of `kind`."""
    if not isinstance(body, dict):
        errors.add("version", _("Send the version as an object."))
        return None
    basis = BASIS_OF_KIND[FeeKind(kind)]
    start = _date(body, "effective_from", errors)
    end = _date(body, "effective_to", errors, required=False)
    if start and end and end < start:
        errors.add("effective_to", _("The end date is before the effective date."))
    unit_price = _money(body, "unit_price", errors, required=basis != Basis.METERED)
    owned_price = _money(body, "owned_price", errors, required=False)
    version = VersionInput(
        effective_from=start or date.min,
        effective_to=end,
        unit_price=unit_price,
        owned_price=owned_price if kind == FeeKind.PARKING else None,
        due_days=_count(body, "due_days", 15, errors),
        late_fee_daily_rate=_percent(body, "late_fee_daily_rate", "0", errors, 4, "100"),
        late_fee_grace_days=_count(body, "late_fee_grace_days", 0, errors),
        late_fee_cap_percent=_percent(body, "late_fee_cap_percent", "100", errors, 2, "1000"),
        late_fee_waivable=body.get("late_fee_waivable", True) is not False,
        note=checked_text(body.get("note"), "note", 200),
        rules=_rules(body.get("rules"), project, errors) if basis == Basis.AREA else [],
        tiers=_tiers(body.get("tiers"), errors) if basis == Basis.METERED else [],
    )
    return version


def check_new_version_dates(item: FeeItem, version: VersionInput, errors: _Errors) -> None:
    """A new version starts after every existing version's start (never in the middle of the
    past) and after an existing explicit end."""
    latest = item.versions.order_by("-effective_from").first()
    if latest is None:
        return
    if version.effective_from <= latest.effective_from:
        errors.add(
            "effective_from",
            _("Overlaps the version in force from %(day)s; a new version starts after it.")
            % {"day": latest.effective_from.isoformat()},
        )
    elif latest.effective_to is not None and latest.effective_to >= version.effective_from:
        errors.add(
            "effective_from",
            _("Overlaps the version valid until %(day)s.") % {"day": latest.effective_to.isoformat()},
        )


def _save_version(user: Any, item: FeeItem, version: VersionInput) -> FeeVersion:
    row = FeeVersion.objects.create(
        item=item,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        unit_price=version.unit_price,
        owned_price=version.owned_price,
        due_days=version.due_days,
        late_fee_daily_rate=version.late_fee_daily_rate,
        late_fee_grace_days=version.late_fee_grace_days,
        late_fee_cap_percent=version.late_fee_cap_percent,
        late_fee_waivable=version.late_fee_waivable,
        note=version.note,
        created_at=clock.now(),
        created_by=user,
    )
    PriceRule.objects.bulk_create(PriceRule(version=row, **rule) for rule in version.rules)
    Tier.objects.bulk_create(Tier(version=row, up_to=up, unit_price=price) for up, price in version.tiers)
    return row


def do_create_item(user: Any, project: Project, body: dict[str, Any]) -> FeeItem:
    """A fee item of `project` with its first version (body: code, name, kind, version)."""
    errors = _Errors()
    code = checked_text(body.get("code"), "code", 40)
    name = checked_text(body.get("name"), "name", 60)
    kind = str(body.get("kind") or "")
    if not code or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        errors.add("code", _("A code of letters, digits, - and _, e.g. wuye."))
    elif FeeItem.objects.filter(project=project, code=code).exists():
        errors.add("code", _("This estate already has a fee item with this code."))
    if not name:
        errors.add("name", _("Give the fee item a name."))
    if kind not in FeeKind.values:
        errors.add("kind", _("Choose a kind of fee."))
        kind = ""
    version = check_version(body.get("version"), kind, project, errors) if kind else None
    if errors:
        raise FormInvalid(errors)
    assert version is not None
    try:
        with transaction.atomic():
            item = _save_item(user, project, code, name, kind, version)
    except IntegrityError:  # the same code saved by someone else a moment ago
        raise FormInvalid({"code": [_("This estate already has a fee item with this code.")]}) from None
    return item


def _save_item(
    user: Any, project: Project, code: str, name: str, kind: str, version: VersionInput
) -> FeeItem:
    item = FeeItem.objects.create(
        company=project.company,
        project=project,
        code=code,
        name=name,
        kind=kind,
        refundable=kind == FeeKind.CARD_DEPOSIT,
        created_at=clock.now(),
        created_by=user,
    )
    _save_version(user, item, version)
    return item


def do_add_version(user: Any, item: FeeItem, body: dict[str, Any]) -> FeeVersion:
    """A new version of `item` from its effective date (the older ones stay as they were)."""
    errors = _Errors()
    version = check_version(body, item.kind, item.project, errors)
    if version is not None and "effective_from" not in errors:
        with transaction.atomic():
            FeeItem.objects.select_for_update().filter(pk=item.pk).first()  # one new version at a time
            check_new_version_dates(item, version, errors)
            if errors:
                raise FormInvalid(errors)
            return _save_version(user, item, version)
    raise FormInvalid(errors)
