"""The rules of residents: registering an owner, tenant or household member of a room, moving
out, and the owners a handover brings. `check_*` validates, `do_*` writes.

Rules (field errors, HTTP 400, nothing saved):
- the role is 业主 / 租户 / 家庭成员; the start date is a real day, not after today;
- a household member names its householder: a current owner or tenant of the same room, whose
  residency began no later than the member's; owners and tenants name none;
- a person holds one role in a room once at a time (a second current owner row of the same person
  is a "duplicate owner"), and a new period of the same person, role and room may not overlap an
  earlier one (a tenant who moved out on 3-31 can come back from 4-1, not from 3-15);
- an owner of the room is not also its tenant;
- moving out: a current residency, an end date not before its start, not after today, and not
  before the start of a member still living there; the householder's current members move out
  with it (same day). Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from engine.ids import parse_id
from forms.text import control_message
from webapp.realestate import customers as customer_rules
from webapp.realestate.models import Customer, Room

from .models import HOUSEHOLDER_ROLES, Residency, Role, Source

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
ROLE_ALIASES = {"业主": Role.OWNER, "租户": Role.TENANT, "家庭成员": Role.MEMBER, "成员": Role.MEMBER,
                "户主": Role.OWNER}  # fmt: skip
MAX_RELATION = 20
MAX_REASON = 100


def today() -> dt.date:
    """Today in China (the engine clock)."""
    return clock.now().astimezone(_SHANGHAI).date()


def parse_day(value: Any) -> dt.date | None:
    """A calendar day from a date, a datetime (Excel) or text in a common format; None if unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = customer_rules.as_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar day, no time)
        except ValueError:
            continue
    return None


def parse_role(value: Any) -> str | None:
    """The stored role of a value or its Chinese label; None when unknown."""
    text = customer_rules.as_text(value)
    if text.lower() in Role.values:
        return text.lower()
    return ROLE_ALIASES.get(text)


@dataclass
class NewResidency:
    """A checked registration, ready to save."""

    room: Room
    customer: Customer | None  # None: the person is created from `person` when saved
    role: str
    householder: Residency | None
    relation: str
    started_on: dt.date
    person: dict[str, Any] | None = None


def check_period(
    errors: dict[str, list[str]],
    *,
    role: str,
    started_on: dt.date,
    householder: Residency | None,
    history: list[Residency],
    field: str = "customer_id",
) -> None:
    """Add the errors of a period of one person in one room, given `history`: that person's
    residencies of the room (current and past). Shared by the API, the page and the import."""
    for held in history:
        if held.role == role and held.ended_on is None:
            errors.setdefault(field, []).append(
                _("This person is already a current %(role)s of this room.")
                % {"role": held.get_role_display()}
            )
            return
    for held in history:
        if held.role == role and held.ended_on is not None and held.ended_on >= started_on:
            errors.setdefault("started_on", []).append(
                _("This overlaps the person's earlier period in this room, which ended on %(day)s.")
                % {"day": held.ended_on.isoformat()}
            )
            return
    if role == Role.TENANT and any(h.role == Role.OWNER and h.ended_on is None for h in history):
        errors.setdefault(field, []).append(_("An owner of the room cannot also be its tenant."))
    if householder is not None and started_on < householder.started_on:
        errors.setdefault("started_on", []).append(
            _("A member cannot move in before the householder (%(day)s).")
            % {"day": householder.started_on.isoformat()}
        )


def check_householder(room: Room, role: str, raw_id: Any) -> tuple[Residency | None, list[str]]:
    """The householder a member names (or errors); owners and tenants name none."""
    given = raw_id not in (None, "")
    if role != Role.MEMBER:
        return None, ([_("Only a household member names a householder.")] if given else [])
    if not given:
        return None, [_("A household member needs the householder (an owner or tenant of this room).")]
    pk = parse_id(raw_id)
    householder = (
        Residency.objects.filter(pk=pk, room=room, role__in=HOUSEHOLDER_ROLES, ended_on__isnull=True).first()
        if pk is not None
        else None
    )
    if householder is None:
        return None, [_("The householder must be a current owner or tenant of this room.")]
    return householder, []


def check_start(raw: Any, errors: dict[str, list[str]], field: str = "started_on") -> dt.date:
    """The start date (today when empty); errors for an unreadable or future day."""
    if raw in (None, ""):
        return today()
    day = parse_day(raw)
    if day is None or day.year < 1900:
        errors.setdefault(field, []).append(_("Enter a date such as 2026-12-01."))
        return today()
    if day > today():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
    return day


def check_new_residency(room: Room, raw: dict[str, Any]) -> NewResidency:
    """Check a registration for `room` (FormInvalid with every problem at once).

    `raw`: role, customer_id (an existing customer of the company) or customer (a new person's
    fields, checked by the customer rules), householder_id for a member, relation, started_on."""
    errors: dict[str, list[str]] = {}
    role = parse_role(raw.get("role"))
    if role is None:
        errors["role"] = [_("Choose 业主 (owner), 租户 (tenant) or 家庭成员 (household member).")]
    relation = customer_rules.as_text(raw.get("relation"))
    if control_message(relation) or len(relation) > MAX_RELATION:
        errors["relation"] = [_("Ensure this value has at most %(max)d characters.") % {"max": MAX_RELATION}]
    started_on = check_start(raw.get("started_on"), errors)
    householder, problems = check_householder(room, role or "", raw.get("householder_id"))
    if problems and role is not None:
        errors["householder_id"] = problems
    customer: Customer | None = None
    person: dict[str, Any] | None = None
    if raw.get("customer_id") not in (None, ""):
        pk = parse_id(raw.get("customer_id"))
        customer = Customer.objects.filter(pk=pk, company_id=room.company_id).first() if pk else None
        if customer is None:
            errors["customer_id"] = [_("Pick a customer of your company.")]
    elif isinstance(raw.get("customer"), dict):
        person, person_errors = customer_rules.normalize_customer(raw["customer"])
        for name, messages in person_errors.items():
            errors[f"customer.{name}"] = messages
        if not person_errors:
            existing = customer_rules.duplicate_of(room.company_id, person["id_type"], person["id_number"])
            if existing is not None:
                customer, person = existing, None  # a known person: link, do not create twice
    else:
        errors["customer_id"] = [_("Pick the person (customer_id) or give a new person's data (customer).")]
    if customer is not None and role is not None:
        history = list(Residency.objects.filter(room=room, customer=customer))
        check_period(errors, role=role, started_on=started_on, householder=householder, history=history)
    elif householder is not None and started_on < householder.started_on:
        check_period(errors, role=role or "", started_on=started_on, householder=householder, history=[])
    if errors:
        raise FormInvalid(errors)
    assert role is not None
    return NewResidency(room, customer, role, householder, relation, started_on, person)


def do_add_residency(user: Any, room: Room, raw: dict[str, Any], source: str = Source.MANUAL) -> Residency:
    """Register a resident of `room` (check_new_residency); a new person is created with it, in
    one transaction."""
    new = check_new_residency(room, raw)
    try:
        with transaction.atomic():
            customer = new.customer
            if customer is None:
                assert new.person is not None
                customer = customer_rules.save_customer(room.company, user, new.person)
            return Residency.objects.create(
                company_id=room.company_id, room=room, customer=customer, role=new.role,
                householder=new.householder, relation=new.relation, started_on=new.started_on,
                source=source, created_at=clock.now(), created_by=_user(user),
            )  # fmt: skip
    except FormInvalid as exc:  # the new person's ID was taken meanwhile
        raise FormInvalid({f"customer.{k}": v for k, v in exc.field_errors.items()}) from None
    except IntegrityError:  # the same registration saved at the same moment
        raise FormInvalid(
            {"customer_id": [_("This person is already a current resident of this room in that role.")]}
        ) from None


def check_move_out(residency: Residency, raw: dict[str, Any]) -> tuple[dt.date, str]:
    """(end date, reason) of a move-out (FormInvalid with every problem)."""
    errors: dict[str, list[str]] = {}
    if residency.ended_on is not None:
        errors["non_field_errors"] = [
            _("This residency already ended on %(day)s.") % {"day": residency.ended_on.isoformat()}
        ]
    ended_on = check_start(raw.get("ended_on"), errors, "ended_on")
    if "ended_on" not in errors and ended_on < residency.started_on:
        errors["ended_on"] = [
            _("The move-out date cannot be before the start (%(day)s).")
            % {"day": residency.started_on.isoformat()}
        ]
    if "ended_on" not in errors and residency.is_householder():
        late = residency.members.filter(ended_on__isnull=True, started_on__gt=ended_on).first()
        if late is not None:
            errors["ended_on"] = [
                _("Member %(name)s moved in on %(day)s, after this date.")
                % {"name": late.customer.name, "day": late.started_on.isoformat()}
            ]
    reason = customer_rules.as_text(raw.get("reason"))
    if control_message(reason) or len(reason) > MAX_REASON:
        errors["reason"] = [_("Ensure this value has at most %(max)d characters.") % {"max": MAX_REASON}]
    if errors:
        raise FormInvalid(errors)
    return ended_on, reason


def do_move_out(user: Any, residency: Residency, raw: dict[str, Any]) -> list[Residency]:
    """End the residency (and, for a householder, its current members) on the same day; returns
    the residencies ended. A conditional update, so two clerks cannot both end it."""
    ended_on, reason = check_move_out(residency, raw)
    now = clock.now()
    with transaction.atomic():
        ids = [residency.pk]
        if residency.is_householder():
            ids += list(residency.members.filter(ended_on__isnull=True).values_list("pk", flat=True))
        ended = Residency.objects.filter(pk__in=ids, ended_on__isnull=True).update(
            ended_on=ended_on, end_reason=reason, ended_at=now, ended_by=_user(user)
        )
        if not ended:
            raise FormInvalid({"non_field_errors": [_("This residency already ended.")]})
    return list(Residency.objects.filter(pk__in=ids).select_related("customer").order_by("pk"))


def do_owners_at_handover(room_id: int, customer_ids: list[int], delivered_on: dt.date, actor: Any) -> int:
    """The contracted buyers become current owners of the handed-over room (source 交付) unless
    they already are: idempotent, running twice creates nothing twice. Returns how many were added.
    Call inside the handover step's transaction."""
    room = Room.objects.get(pk=room_id)
    already = set(
        Residency.objects.filter(room=room, role=Role.OWNER, ended_on__isnull=True).values_list(
            "customer_id", flat=True
        )
    )
    added = 0
    for customer_id in dict.fromkeys(customer_ids):
        if customer_id in already:
            continue
        with transaction.atomic():
            Residency.objects.create(
                company_id=room.company_id, room=room, customer_id=customer_id, role=Role.OWNER,
                started_on=delivered_on, source=Source.HANDOVER, created_at=clock.now(), created_by=_user(actor),
            )  # fmt: skip
        added += 1
    return added


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
