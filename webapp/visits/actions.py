"""Sales staff's writes of 云通行: issue a 看房通行证 to a prospective buyer (`do_issue_visit_pass`),
open visit slots for a day range (`do_create_slots`), record a visit (`do_record_visit`: the gate
admitted the pass, or staff pressed 已到访).

Bodies are checked whole first (`check_*`: FormInvalid with every field's error, a 400); each
write is one transaction with its audit event (engine.models.AuditEvent, action 修改数据,
process_key "visits"); SMS and alerts go with the commit. The caller's getter or the area
"visits" (webapp/common/rights.py) has checked that the person holds the sales right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.errors import FormInvalid, NotAllowed
from engine.models import Alert, AlertRecipient, AuditEvent
from engine.models.audit import AuditAction
from webapp.accounts.models import Project
from webapp.common import rights
from webapp.passes import actions as passes
from webapp.passes.models import Pass, PassKind
from webapp.realestate import customers as customer_rules
from webapp.realestate.models import Customer

from .models import Booking, BookingStatus, VisitSlot, VisitSource
from .sms import send_after_commit
from .tokens import booking_token

Errors = dict[str, list[str]]
MAX_SLOT_DAYS = 62  # one request opens slots for at most this many days
MAX_SLOTS = 400  # … and at most this many slots
MAX_CAPACITY = 200
NEW_CUSTOMER_FIELDS = ("name", "mobile", "id_type", "id_number", "address", "gender", "birth_date")


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> dt.date:
    """Today in the site's time zone (Shanghai), by the engine clock."""
    return timezone.localdate(clock.now())


def record_audit(company_id: int, element: str, change: str, *, user: Any = None, actor_name: str = "",
                 **details: Any) -> None:  # fmt: skip
    """One audit event of 云通行 (修改数据, process_key "visits", element "booking:<id>" etc.)."""
    AuditEvent.objects.create(
        at=clock.now(),
        company_id=company_id,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=actor_name or audit.actor_name(user),
        action=AuditAction.UPDATE_DATA,
        process_key="visits",
        element_id=element,
        details={"change": change, **details},
    )


def booking_link(visit_pass: Pass, site_url: str = "") -> str:
    """The public booking page of a pass, absolute: ANJU_PUBLIC_URL, else `site_url` (the request's
    own address), else the path alone."""
    path = reverse("visits:book", args=[booking_token(visit_pass.code)])
    base = settings.ANJU_PUBLIC_URL or site_url
    return base.rstrip("/") + path if base else path


def _read_id(body: Any, field: str, errors: Errors) -> int | None:
    value = body.get(field)
    if value in (None, ""):
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or len(text) > 12:
        errors.setdefault(field, []).append(_("Choose a valid option."))
        return None
    return int(text)


# --- issuing a pass ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueInput:
    project: Project
    customer: Customer | None  # None: `new_customer` is created
    new_customer: dict[str, Any] | None
    holder: passes.HolderInput


def _new_customer_values(body: Any) -> dict[str, Any] | None:
    """The new customer's fields (`customer.<field>` in forms, or a `customer` object in JSON)."""
    nested = body.get("customer") if hasattr(body, "get") else None
    if isinstance(nested, dict):
        values = {k: nested.get(k, "") for k in NEW_CUSTOMER_FIELDS}
    else:
        values = {k: body.get(f"customer.{k}", "") for k in NEW_CUSTOMER_FIELDS}
    if not any(str(v or "").strip() for v in values.values()):
        return None
    return {"customer_type": "individual", "nationality": customer_rules.CHINA, **values}


def check_issue(user: Any, body: Any) -> IssueInput:
    """The issue form: project, the buyer (an existing customer, or a new one with the 考核要点
    fields), first and last day, number of visits. Every field's error at once."""
    errors: Errors = {}
    company_id: int = getattr(user, "company_id", None) or 0
    project = None
    project_id = _read_id(body, "project", errors)
    if project_id is not None:
        project = Project.objects.filter(pk=project_id, company_id=company_id).first()
        if project is None:
            errors["project"] = [_("Choose a project of your company.")]
    customer = None
    new_values = _new_customer_values(body)
    if new_values is None:
        customer_id = _read_id(body, "customer_id", errors)
        if customer_id is not None:
            customer = Customer.objects.filter(pk=customer_id, company_id=company_id).first()
            if customer is None:
                errors["customer_id"] = [_("Choose a customer of your company.")]
            elif not customer.mobile:
                errors["customer_id"] = [_("The customer has no mobile number for the SMS.")]
        holder_name, holder_mobile = (customer.name, customer.mobile) if customer else ("-", "13800000000")
    else:
        if not user.has_perm(rights.ADD_CUSTOMERS):
            raise NotAllowed(_("Creating a customer needs the new customer permission."))
        values, problems = customer_rules.normalize_customer(new_values)
        for field, messages in problems.items():
            errors[f"customer.{field}"] = messages
        if not problems:
            existing = customer_rules.duplicate_of(company_id, values["id_type"], values["id_number"])
            if existing is not None:
                errors["customer.id_number"] = [customer_rules.duplicate_message(existing)]
            elif not values["mobile"]:
                errors["customer.mobile"] = [_("Enter the mobile number for the SMS.")]
        holder_name, holder_mobile = values.get("name") or "-", values.get("mobile") or "13800000000"
    holder = None
    try:
        holder = passes.check_visitor(
            {**_plain(body), "holder_name": holder_name, "holder_mobile": holder_mobile}
        )
    except FormInvalid as exc:
        for field, messages in exc.field_errors.items():
            errors[field] = messages
    if errors:
        raise FormInvalid(errors)
    assert project is not None and holder is not None
    return IssueInput(project, customer, new_values, holder)


def _plain(body: Any) -> dict[str, Any]:
    return {k: body.get(k) for k in ("valid_from", "valid_until", "max_entries")}


def do_issue_visit_pass(user: Any, body: Any, *, site_url: str = "") -> Pass:
    """Issue the buyer's 看房通行证 (creating the customer when new): a SALES_VISIT pass through
    passes.do_issue_pass, audited there; the buyer's SMS carries the booking link."""
    checked = check_issue(user, body)
    with transaction.atomic():
        customer = checked.customer
        if customer is None:
            assert checked.new_customer is not None
            customer = customer_rules.save_customer(user.company, user, checked.new_customer)
            record_audit(user.company_id, f"customer:{customer.pk}", "customer_created", user=user,
                         customer=customer.name)  # fmt: skip
        holder = passes.HolderInput(
            holder_name=customer.name,
            holder_mobile=customer.mobile,
            valid_from=checked.holder.valid_from,
            valid_until=checked.holder.valid_until,
            max_entries=checked.holder.max_entries,
        )
        visit_pass = passes.do_issue_pass(
            kind=PassKind.SALES_VISIT, project=checked.project, holder=holder, issued_by_user=user,
            customer=customer, notify=False, site_url=site_url,
        )  # fmt: skip
        entries = "不限" if visit_pass.max_entries is None else str(visit_pass.max_entries)
        send_after_commit(
            f"visit-pass:{visit_pass.pk}", visit_pass.company_id, visit_pass.holder_mobile, "VISIT_PASS_ISSUED",
            {"customer_name": customer.name, "salesperson": audit.actor_name(user),
             "project": checked.project.name, "valid_from": f"{visit_pass.valid_from:%Y-%m-%d}",
             "valid_until": f"{visit_pass.valid_until:%Y-%m-%d}", "entries": entries,
             "link": booking_link(visit_pass, site_url)},
        )  # fmt: skip
    return visit_pass


# --- slots ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotPlan:
    project: Project
    starts: list[tuple[dt.datetime, dt.datetime]]
    capacity: int


def _read_date(body: Any, field: str, errors: Errors) -> dt.date | None:
    text = str(body.get(field) or "").strip()
    if not text:
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) <= 10 else None
    except ValueError:
        pass
    errors.setdefault(field, []).append(_("Enter a valid date."))
    return None


def _read_time(body: Any, field: str, errors: Errors) -> dt.time | None:
    text = str(body.get(field) or "").strip()
    if not text:
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        if len(text) <= 8:
            return dt.time.fromisoformat(text)
    except ValueError:
        pass
    errors.setdefault(field, []).append(_("Enter a valid time such as 09:30."))
    return None


def _read_number(
    body: Any, field: str, low: int, high: int, errors: Errors, default: int | None = None
) -> int:
    text = str(body.get(field) if body.get(field) not in (None, "") else ("" if default is None else default))
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 6 and low <= int(text) <= high):
        errors.setdefault(field, []).append(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return low
    return int(text)


def check_slots(user: Any, body: Any) -> SlotPlan:
    """Slots for each day from `date_from` to `date_to`: from `start_time` to `end_time` in periods of
    `minutes` (default 60), each for `capacity` visitors; days from today on, at most 62 days."""
    errors: Errors = {}
    project = None
    project_id = _read_id(body, "project", errors)
    if project_id is not None:
        project = Project.objects.filter(
            pk=project_id, company_id=getattr(user, "company_id", None) or 0
        ).first()
        if project is None:
            errors["project"] = [_("Choose a project of your company.")]
    first, last = _read_date(body, "date_from", errors), _read_date(body, "date_to", errors)
    begin, end = _read_time(body, "start_time", errors), _read_time(body, "end_time", errors)
    minutes = _read_number(body, "minutes", 15, 480, errors, default=60)
    capacity = _read_number(body, "capacity", 1, MAX_CAPACITY, errors)
    if first is not None and first < today():
        errors.setdefault("date_from", []).append(_("The first day is today or later."))
    if first is not None and last is not None:
        if last < first:
            errors.setdefault("date_to", []).append(_("The last day cannot be before the first day."))
        elif (last - first).days + 1 > MAX_SLOT_DAYS:
            errors.setdefault("date_to", []).append(
                _("At most %(days)d days at once.") % {"days": MAX_SLOT_DAYS}
            )
    if begin is not None and end is not None and end <= begin:
        errors.setdefault("end_time", []).append(_("The end must be after the start."))
    if errors:
        raise FormInvalid(errors)
    assert project and first and last and begin and end
    zone, starts = local_zone(), []
    day = first
    while day <= last:
        moment = dt.datetime.combine(day, begin, tzinfo=zone)
        closing = dt.datetime.combine(day, end, tzinfo=zone)
        while moment + dt.timedelta(minutes=minutes) <= closing:
            starts.append(
                (moment.astimezone(dt.UTC), (moment + dt.timedelta(minutes=minutes)).astimezone(dt.UTC))
            )
            moment += dt.timedelta(minutes=minutes)
        day += dt.timedelta(days=1)
    if not starts:
        raise FormInvalid({"minutes": [_("No period of this length fits between the start and the end.")]})
    if len(starts) > MAX_SLOTS:
        raise FormInvalid({"date_to": [_("At most %(count)d slots at once.") % {"count": MAX_SLOTS}]})
    return SlotPlan(project, starts, capacity)


def do_create_slots(user: Any, body: Any) -> list[VisitSlot]:
    """Open the planned slots; a period that already has a slot of the project is left as it is.
    Returns the new slots."""
    plan = check_slots(user, body)
    now = clock.now()
    created: list[VisitSlot] = []
    with transaction.atomic():
        taken = set(
            VisitSlot.objects.filter(
                project=plan.project, starts_at__in=[start for start, _end in plan.starts]
            ).values_list("starts_at", flat=True)
        )
        for start, end in plan.starts:
            if start in taken:
                continue
            try:
                with transaction.atomic():
                    created.append(
                        VisitSlot.objects.create(
                            company_id=plan.project.company_id,
                            project=plan.project,
                            starts_at=start,
                            ends_at=end,
                            capacity=plan.capacity,
                            created_by=user,
                            created_at=now,
                        )
                    )
            except IntegrityError:  # another clerk opened the same period just now
                continue
        record_audit(
            plan.project.company_id, f"project:{plan.project.pk}", "slots_created", user=user,
            project=plan.project.name, slots=len(created), capacity=plan.capacity,
            first=str(body.get("date_from")), last=str(body.get("date_to")),
        )  # fmt: skip
    return created


# --- the visit --------------------------------------------------------------------------------


def do_record_visit(booking: Booking, *, source: str, user: Any = None) -> Booking:
    """Record the visit of an open (or already past, not cancelled) booking: VISITED, audited; the
    buyer's consultant is told to receive them (客户接待). FormInvalid when it is cancelled."""
    with transaction.atomic():
        now = clock.now()
        changed = Booking.objects.filter(
            pk=booking.pk, status__in=[BookingStatus.BOOKED, BookingStatus.NO_SHOW]
        ).update(status=BookingStatus.VISITED, visited_at=now, visit_source=source, visit_recorded_by=user)
        booking.refresh_from_db()
        if not changed:
            if booking.status == BookingStatus.VISITED:
                return booking  # recorded already (the gate and staff both): once
            raise FormInvalid({"booking": [_("This booking was cancelled.")]})
        _visited(booking, source, user)
    return booking


def record_walk_in(visit_pass: Pass, *, source: str, user: Any = None) -> Booking:
    """A visit without a booking of the day (the gate admitted the pass): recorded as a booking
    without slot, VISITED at once."""
    assert visit_pass.customer_id is not None  # the receiver skips passes without a buyer
    with transaction.atomic():
        now = clock.now()
        booking = Booking.objects.create(
            company_id=visit_pass.company_id, project_id=visit_pass.project_id, visit_pass=visit_pass,
            customer_id=visit_pass.customer_id, slot=None, status=BookingStatus.VISITED, booked_at=now,
            visited_at=now, visit_source=source, visit_recorded_by=user,
        )  # fmt: skip
        _visited(booking, source, user)
    return booking


def _visited(booking: Booking, source: str, user: Any) -> None:
    record_audit(
        booking.company_id, f"booking:{booking.pk}", "visited", user=user,
        source=source, pass_id=booking.visit_pass_id, customer_id=booking.customer_id,
    )  # fmt: skip
    _tell_consultant(booking)


def _tell_consultant(booking: Booking) -> None:
    """客户接待: the consultant who issued the pass gets an alert (the bell) to receive the buyer
    through the sales flow's reception (start page of flow "sales")."""
    visit_pass = Pass.objects.select_related("customer", "project").get(pk=booking.visit_pass_id)
    consultant_id = visit_pass.issued_by_user_id
    if consultant_id is None:
        return
    message = _("Visit pass: %(customer)s has arrived at %(project)s; receive them (customer reception).") % {
        "customer": visit_pass.customer.name if visit_pass.customer else visit_pass.holder_name,
        "project": visit_pass.project.name,
    }
    alert, created = Alert.objects.get_or_create(
        key=f"visit:{booking.pk}",
        defaults={"company_id": booking.company_id, "kind": "notice", "level": 0, "message": message[:500],
                  "lane": "销售部", "category": "云通行", "created_at": clock.now()},
    )  # fmt: skip
    if created:
        AlertRecipient.objects.create(alert=alert, user_id=consultant_id)


def admitted_at_gate(visit_pass: Pass, guard: Any = None) -> Booking:
    """The gate admitted a 看房通行证: today's open booking becomes VISITED, else a walk-in visit
    is recorded. Called after the gate's commit (passes.signals.entry_admitted)."""
    zone = local_zone()
    day = today()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    booking = (
        Booking.objects.filter(
            visit_pass=visit_pass,
            status=BookingStatus.BOOKED,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + dt.timedelta(days=1),
        )
        .order_by("slot__starts_at")
        .first()
    )
    if booking is not None:
        return do_record_visit(booking, source=VisitSource.GATE, user=guard)
    return record_walk_in(visit_pass, source=VisitSource.GATE, user=guard)


def release_place(slot_id: int | None) -> None:
    """Give a slot's place back (a booking cancelled or moved away)."""
    if slot_id is not None:
        VisitSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)
