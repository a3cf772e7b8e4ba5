"""What the sales flow's hooks do: reception, subscription, discount, contract, loan service.

Every `do_*` function here runs *inside* the engine step that completes a task (engine.hooks): it
may refuse the submission with FormInvalid (400, field errors), Conflict (409) or NotAllowed
(403), and then nothing of the step is saved. Room status changes are conditional UPDATEs
(`… WHERE status = 'available'`), so of two salespeople subscribing one room at once exactly one
wins and the other gets a clear conflict.

Data keys read and written are listed in docs/bpmn/sales.md ("数据 / Data keys").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import Conflict, FormInvalid
from engine.hooks import HookContext, HookResult

from .models import (
    Contract,
    DiscountStatus,
    LoanKind,
    LoanService,
    SalesChange,
    ScheduleLine,
    ScheduleRun,
    Subscription,
    SubscriptionStatus,
    VisitRecord,
    late_flags,
)

QUESTION_PREFIX = "q_"  # questionnaire fields of the reception form
MAX_LOAN_YEARS = 30


# --- small readers of submitted data ---------------------------------------------------------


def shanghai_date(moment: dt.datetime) -> dt.date:
    """The calendar date in the site's time zone (Asia/Shanghai) of an aware datetime."""
    return timezone.localdate(moment)


def money_text(amount: Decimal) -> str:
    return f"{amount:.2f}"


def read_id(data: dict[str, Any], field: str) -> int:
    """A chosen id (x-options value) as int; FormInvalid naming the field otherwise."""
    value = data.get(field)
    if isinstance(value, bool) or value in (None, ""):
        raise FormInvalid({field: [_("This field is required.")]})
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FormInvalid({field: [_("Choose a valid option.")]}) from None


def read_date(data: dict[str, Any], field: str, errors: dict[str, list[str]]) -> dt.date | None:
    value = data.get(field)
    if value in (None, ""):
        errors[field] = [_("This field is required.")]
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("Enter a valid date.")]
        return None


def read_money(
    data: dict[str, Any], field: str, errors: dict[str, list[str]], *, required: bool = True
) -> Decimal:
    """An amount in yuan as Decimal (floats through their repr); 0 when optional and empty."""
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors[field] = [_("This field is required.")]
        return Decimal(0)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter an amount in yuan.")]
        return Decimal(0)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        errors[field] = [_("Enter an amount in yuan with at most two decimals.")]
        return Decimal(0)
    return amount


def read_text(data: dict[str, Any], field: str, errors: dict[str, list[str]], max_length: int) -> str:
    text = str(data.get(field) or "").strip()
    if not text:
        errors[field] = [_("This field is required.")]
    return text[:max_length]


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise FormInvalid(errors)


# --- customers, rooms, schedules -------------------------------------------------------------


def customer_for_sale(company_id: int, customer_id: Any, field: str = "customer_id") -> Any:
    """The company's customer, refused (FormInvalid on `field`) unless the 考核要点 audit passes
    and a mobile number is on file (the touchpoint SMS go to it)."""
    from webapp.realestate.customers import audit_problems
    from webapp.realestate.models import Customer

    customer = Customer.objects.filter(pk=read_id({field: customer_id}, field), company_id=company_id).first()
    if customer is None:
        raise FormInvalid({field: [_("Choose a customer of this company.")]})
    problems = audit_problems(customer)
    messages = []
    for name, texts in problems.items():
        label = _field_label(Customer, name)
        messages += [
            _("Customer data fails the audit: %(field)s: %(problem)s") % {"field": label, "problem": text}
            for text in texts
        ]
    if not customer.mobile:
        messages.append(
            _("The customer has no mobile number on file; the subscription reminders are sent by SMS.")
        )
    if messages:
        raise FormInvalid({field: messages})
    return customer


def _field_label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


# ScheduleError fields (webapp.realestate.schedule) → the form field a salesperson fixes.
SCHEDULE_FIELDS = {
    "deposit": "deposit_due",
    "commercial_loan": "commercial_loan",
    "fund_loan": "fund_loan",
    "planned_signing_date": "planned_signing_date",
    "payment_method": "payment_method",
    "discount_percent": "discount_percent",
}


def schedule_message(exc: Exception, total: Decimal | None = None) -> str:
    field = getattr(exc, "field", "")
    text = str(exc)
    known = {
        "this payment method takes no commercial loan": _("This payment method takes no commercial loan."),
        "this payment method takes no housing-fund loan": _(
            "This payment method takes no housing-fund loan."
        ),
        "this payment method needs the commercial loan amount": _(
            "This payment method needs the commercial loan amount."
        ),
        "this payment method needs the housing-fund loan amount": _(
            "This payment method needs the housing-fund loan amount."
        ),
        "signing cannot come before the agreement date": _("Signing cannot come before the agreement date."),
        "the payment method's installments must add up to 100 %": _(
            "The payment method's installments do not add up to 100 %; ask the sales admin to fix it."
        ),
        "the discount must be at least 0 % and less than 100 %": _(
            "The discount must be at least 0 % and less than 100 %."
        ),
    }
    if field == "deposit":
        return _("Deposit and loans exceed the total price %(total)s.") % {
            "total": money_text(total) if total is not None else ""
        }
    return str(known.get(text, text))


def compute_lines(
    subscription: Subscription,
    *,
    room: Any = None,
    discount_percent: Decimal | None = None,
) -> tuple[Decimal, list[Any]]:
    """(total, schedule lines) of a subscription, optionally with another room or discount.
    Raises webapp.realestate.schedule.ScheduleError."""
    from webapp.realestate.schedule import compute_schedule, discounted_total

    room = room or subscription.room
    percent = subscription.discount_percent if discount_percent is None else discount_percent
    method = subscription.payment_method
    lines = compute_schedule(
        installments=method.installments,
        loan_kind=method.loan_kind,
        price=room.list_price,
        discount_percent=percent,
        deposit=subscription.deposit_due,
        commercial_loan=subscription.commercial_loan,
        fund_loan=subscription.fund_loan,
        agreement_date=subscription.agreement_date,
        signing_date=subscription.planned_signing_date,
    )
    return discounted_total(room.list_price, percent), lines


def schedule_result(subscription: Subscription, total: Decimal, lines: list[Any]) -> dict[str, Any]:
    return {
        "subscription": subscription.pk,
        "total": money_text(total),
        "lines": [line.as_dict() for line in lines],
    }


def store_schedule(
    subscription: Subscription, total: Decimal, lines: list[Any], key: str, reason: str
) -> dict[str, Any]:
    """Replace the subscription's schedule lines and record the run under `key` (call inside a
    transaction, holding the subscription row)."""
    ScheduleLine.objects.filter(subscription=subscription).delete()
    ScheduleLine.objects.bulk_create(
        ScheduleLine(
            subscription=subscription,
            seq=line.seq,
            item=line.item,
            kind=line.kind,
            due_date=line.due_date,
            amount=line.amount,
        )
        for line in lines
    )
    result = schedule_result(subscription, total, lines)
    ScheduleRun.objects.create(
        idempotency_key=key,
        subscription=subscription,
        reason=reason[:40],
        total=total,
        result=result,
        created_at=clock.now(),
    )
    return result


def generate_schedule(subscription_id: int, company_id: int, key: str, reason: str = "") -> dict[str, Any]:
    """付款详情 of a subscription, stored and returned; idempotent by `key` (a repeated call returns
    the first call's result and writes nothing). Runs in its own transaction."""
    from webapp.realestate.schedule import ScheduleError

    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .select_related("room", "payment_method")
            .filter(pk=subscription_id, company_id=company_id)
            .first()
        )
        if subscription is None:
            raise LookupError(f"no subscription {subscription_id} in company {company_id}")
        done = ScheduleRun.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        if subscription.status == SubscriptionStatus.CANCELLED:
            raise ValueError(f"subscription {subscription.agreement_no} was cancelled")
        try:
            total, lines = compute_lines(subscription)
        except ScheduleError as exc:
            raise ValueError(schedule_message(exc, subscription.total_price)) from exc
        return store_schedule(subscription, total, lines, key, reason)


def subscription_of(context: HookContext, *, lock: bool = True) -> Subscription:
    """The instance's subscription (data `subscription_id`, same company), locked for the step."""
    rows = Subscription.objects.select_related("room", "payment_method", "customer", "project")
    if lock:
        rows = rows.select_for_update(of=("self",))
    subscription = rows.filter(
        pk=read_id(context.data, "subscription_id"), company_id=context.instance.company_id
    ).first()
    if subscription is None:
        raise Conflict(_("The subscription of this flow no longer exists."))
    return subscription


def require_status(subscription: Subscription, status: str) -> None:
    if subscription.status != status:
        raise Conflict(
            _("Subscription %(no)s is %(status)s now; this step no longer applies.")
            % {"no": subscription.agreement_no, "status": subscription.get_status_display()}
        )


# --- 客户接待 reception ------------------------------------------------------------------------


def check_reception(context: HookContext) -> dict[str, list[str]]:
    """The customer and the project must belong to the company (both reported at once)."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer

    company_id = context.instance.company_id
    errors: dict[str, list[str]] = {}
    for field, model, message in (
        ("customer_id", Customer, _("Choose a customer of this company.")),
        ("project_id", Project, _("Choose a project of this company.")),
    ):
        try:
            if not model.objects.filter(pk=read_id(context.data, field), company_id=company_id).exists():
                errors[field] = [message]
        except FormInvalid as exc:
            errors.update(exc.field_errors)
    return errors


def do_reception(context: HookContext) -> HookResult:
    """Record the visit (到访记录) with the questionnaire answers; the customer and the project
    must belong to the company."""
    from engine import formstore
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer

    company_id = context.instance.company_id
    data = context.data
    raise_if(check_reception(context))
    customer = Customer.objects.get(pk=read_id(data, "customer_id"), company_id=company_id)
    project = Project.objects.get(pk=read_id(data, "project_id"), company_id=company_id)
    version = context.instance.version
    schema = formstore.form(version.pk, version.start_form) or {}
    titles = {
        name: str(prop.get("title") or name)
        for name, prop in (schema.get("properties") or {}).items()
        if name.startswith(QUESTION_PREFIX) and isinstance(prop, dict)
    }
    answers = {k: v for k, v in context.submitted.items() if k.startswith(QUESTION_PREFIX)}
    visit = VisitRecord.objects.create(
        company_id=company_id,
        customer=customer,
        project=project,
        received_by=context.actor,
        visited_at=context.now,
        visit_kind=str(data.get("visit_kind") or "")[:20],
        answers=answers,
        questions={k: titles.get(k, k) for k in answers},
        note=str(data.get("visit_note") or "")[:1000],
        business_key=context.instance.business_key,
    )
    return HookResult(
        data={
            "visit_id": visit.pk,
            "customer_name": customer.name,
            "customer_mobile": customer.mobile,
            "project": project.name,
            "receptionist_name": display_name(context.actor),
            "title": _("Visit: %(customer)s, %(project)s")
            % {"customer": customer.name, "project": project.name},
        }
    )


def display_name(user: Any) -> str:
    """How people are named in flow data and messages: display name, else username."""
    return str(getattr(user, "display_name", "") or user.get_username())


# --- 认购 subscription -------------------------------------------------------------------------


def read_subscription(context: HookContext) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The subscription a 认购登记 submission describes, and every problem with it at once: the
    customer's audit, the room, the payment method and its loans, dates, amounts, the room's price,
    a used agreement number. Writes nothing (sales.subscribe's check)."""
    from webapp.realestate.models import PaymentMethod, Room

    company_id = context.instance.company_id
    data = context.data
    errors: dict[str, list[str]] = {}
    customer = None
    try:
        customer = customer_for_sale(company_id, data.get("customer_id"))
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    room = None
    try:
        room = (
            Room.objects.select_related("project", "floor__unit__building")
            .filter(pk=read_id(data, "room_id"), company_id=company_id)
            .first()
        )
        if room is None:
            errors["room_id"] = [_("Choose a room of this company.")]
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    method = PaymentMethod.objects.filter(
        company_id=company_id, code=str(data.get("payment_method") or ""), active=True
    ).first()
    if method is None:
        errors["payment_method"] = [_("Choose an active payment method.")]
    agreement_no = read_text(data, "agreement_no", errors, 40)
    agreement_date = read_date(data, "agreement_date", errors)
    signing_date = read_date(data, "planned_signing_date", errors)
    deposit_due = read_money(data, "deposit_due", errors)
    deposit_received = read_money(data, "deposit_received", errors)
    commercial = read_money(data, "commercial_loan", errors, required=False)
    fund = read_money(data, "fund_loan", errors, required=False)
    entered_on = shanghai_date(context.now)
    if agreement_date is not None and agreement_date > entered_on:
        errors["agreement_date"] = [_("The agreement date cannot be in the future.")]
    if "deposit_due" not in errors and deposit_due <= 0:
        errors["deposit_due"] = [_("Enter the deposit the customer pays.")]
    if "deposit_received" not in errors and not 0 < deposit_received <= deposit_due:
        errors["deposit_received"] = [
            _("The amount received must be more than 0 and at most the deposit due.")
        ]
    if (
        agreement_no
        and Subscription.objects.filter(company_id=company_id, agreement_no=agreement_no).exists()
    ):
        errors["agreement_no"] = [_("Agreement number %(no)s is already used.") % {"no": agreement_no}]
    if method is not None:
        for field, message in plan_problems(
            method.loan_kind, method.installments, commercial, fund, agreement_date, signing_date
        ).items():
            errors.setdefault(field, [message])
    amounts_ok = not {"deposit_due", "commercial_loan", "fund_loan"} & set(errors)
    if room is not None and amounts_ok and deposit_due + commercial + fund > room.list_price:
        errors["deposit_due"] = [
            _("Deposit and loans exceed the total price %(total)s.") % {"total": money_text(room.list_price)}
        ]
    values = {
        "customer": customer, "room": room, "method": method, "agreement_no": agreement_no,
        "agreement_date": agreement_date, "signing_date": signing_date, "deposit_due": deposit_due,
        "deposit_received": deposit_received, "commercial": commercial, "fund": fund, "entered_on": entered_on,
    }  # fmt: skip
    return values, errors


def plan_problems(
    loan_kind: str,
    installments: Any,
    commercial: Decimal,
    fund: Decimal,
    agreement_date: dt.date | None,
    signing_date: dt.date | None,
) -> dict[str, str]:
    """Every way the loans and dates do not fit the payment method, keyed by form field (the checks
    of webapp.realestate.schedule.compute_schedule, which stops at the first)."""
    problems: dict[str, str] = {}
    if loan_kind in ("none", "fund") and commercial:
        problems["commercial_loan"] = _("This payment method takes no commercial loan.")
    if loan_kind in ("none", "commercial") and fund:
        problems["fund_loan"] = _("This payment method takes no housing-fund loan.")
    if loan_kind in ("commercial", "combined") and not commercial:
        problems["commercial_loan"] = _("This payment method needs the commercial loan amount.")
    if loan_kind in ("fund", "combined") and not fund:
        problems["fund_loan"] = _("This payment method needs the housing-fund loan amount.")
    if agreement_date is not None and signing_date is not None and signing_date < agreement_date:
        problems["planned_signing_date"] = _("Signing cannot come before the agreement date.")
    try:
        percents = [Decimal(str(i.get("percent", 0))) for i in installments or []]
    except (InvalidOperation, AttributeError):
        percents = []
    if sum(percents) != 100:
        problems["payment_method"] = _(
            "The payment method's installments do not add up to 100 %; ask the sales admin to fix it."
        )
    return problems


def check_subscribe(context: HookContext) -> dict[str, list[str]]:
    return read_subscription(context)[1]


def do_subscribe(context: HookContext) -> HookResult:
    """认购: check everything, take the room (可售 → 认购, conditional), save the subscription.

    Refuses with FormInvalid for bad data (customer failing the audit, loans not matching the
    payment method, an agreement date in the future …, all at once: read_subscription) and with
    Conflict when the room is no longer for sale. Flags a late entry: `late_entry_site` after the
    agreement day, `late_entry_group` after 3 days."""
    from webapp.realestate.models import Room, RoomStatus
    from webapp.realestate.schedule import ScheduleError, compute_schedule

    company_id = context.instance.company_id
    data = context.data
    values, errors = read_subscription(context)
    raise_if(errors)
    customer, room, method = values["customer"], values["room"], values["method"]
    agreement_no, agreement_date = values["agreement_no"], values["agreement_date"]
    signing_date, entered_on = values["signing_date"], values["entered_on"]
    deposit_due, deposit_received = values["deposit_due"], values["deposit_received"]
    commercial, fund = values["commercial"], values["fund"]
    assert customer is not None and room is not None and method is not None
    assert agreement_date is not None and signing_date is not None
    try:
        compute_schedule(
            installments=method.installments,
            loan_kind=method.loan_kind,
            price=room.list_price,
            discount_percent=Decimal(0),
            deposit=deposit_due,
            commercial_loan=commercial,
            fund_loan=fund,
            agreement_date=agreement_date,
            signing_date=signing_date,
        )
    except ScheduleError as exc:
        raise FormInvalid(
            {SCHEDULE_FIELDS.get(exc.field, exc.field): [schedule_message(exc, room.list_price)]}
        ) from exc

    # The room: one conditional UPDATE decides who gets it (a row lock on PostgreSQL, the
    # IMMEDIATE write lock on SQLite): the others see status ≠ available and get a conflict.
    taken = Room.objects.filter(pk=room.pk, company_id=company_id, status=RoomStatus.AVAILABLE).update(
        status=RoomStatus.SUBSCRIBED
    )
    if not taken:
        raise room_conflict(room)
    delay = (entered_on - agreement_date).days
    visit = VisitRecord.objects.filter(pk=data.get("visit_id") or 0, company_id=company_id).first()
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                company_id=company_id,
                instance=context.instance,
                business_key=context.instance.business_key,
                customer=customer,
                room=room,
                project=room.project,
                salesperson=context.actor,
                visit=visit,
                agreement_no=agreement_no,
                agreement_date=agreement_date,
                entered_at=context.now,
                entry_delay_days=delay,
                payment_method=method,
                loan_kind=method.loan_kind,
                list_price=room.list_price,
                total_price=room.list_price,
                deposit_due=deposit_due,
                deposit_received=deposit_received,
                commercial_loan=commercial,
                fund_loan=fund,
                planned_signing_date=signing_date,
            )
    except IntegrityError:
        if Subscription.objects.filter(company_id=company_id, agreement_no=agreement_no).exists():
            raise FormInvalid(
                {"agreement_no": [_("Agreement number %(no)s is already used.") % {"no": agreement_no}]}
            ) from None
        raise room_conflict(room) from None
    if visit is not None and visit.instance_id is None:
        VisitRecord.objects.filter(pk=visit.pk).update(instance=context.instance)
    return HookResult(
        data={
            "subscription_id": subscription.pk,
            "customer_name": customer.name,
            "customer_mobile": customer.mobile,
            "project": room.project.name,
            "room": room.label(),
            "room_code": room.code,
            "list_price": money_text(room.list_price),
            "total_price": money_text(room.list_price),
            "payment_method_name": method.name,
            "loan_kind": method.loan_kind,
            "commercial_loan": float(commercial),
            "fund_loan": float(fund),
            "salesperson_name": display_name(context.actor),
            "entered_on": entered_on.isoformat(),
            "entry_delay_days": delay,
            "discount_percent": 0,
            "discount_approved": False,
            "approved_discount_percent": 0,
            "title": _("Subscription %(no)s: %(room)s") % {"no": agreement_no, "room": room.label()},
        },
        flags=late_flags(delay),
    )


def room_conflict(room: Any) -> Conflict:
    """Why a room cannot be taken: who holds it and since when, or its status."""
    holder = (
        Subscription.objects.filter(room_id=room.pk, status__in=["subscribed", "contracted"])
        .select_related("salesperson")
        .first()
    )
    if holder is not None:
        who = display_name(holder.salesperson)
        return Conflict(
            _("Room %(room)s was already subscribed by %(who)s (agreement %(no)s).")
            % {"room": room.code, "who": who, "no": holder.agreement_no},
            by=who,
            at=holder.entered_at.isoformat(),
        )
    room.refresh_from_db(fields=["status"])
    return Conflict(
        _("Room %(room)s is not for sale (status: %(status)s).")
        % {"room": room.code, "status": room.get_status_display()}
    )


# --- 折扣 discount -----------------------------------------------------------------------------


def _percent(data: dict[str, Any], field: str) -> Decimal:
    value = data.get(field)
    try:
        percent = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError):
        raise FormInvalid({field: [_("Enter a percentage.")]}) from None
    if not percent.is_finite() or not Decimal(0) <= percent < Decimal(100):
        raise FormInvalid({field: [_("The discount must be at least 0 % and less than 100 %.")]})
    if percent != percent.quantize(Decimal("0.01")):
        raise FormInvalid({field: [_("At most two decimals.")]})
    return percent


def read_discount(context: HookContext, subscription: Subscription) -> tuple[Decimal, Decimal]:
    """(percent, discounted total) of a 折扣申请; FormInvalid when the discount is out of range or
    the discounted price no longer covers deposit and loans."""
    from webapp.realestate.schedule import ScheduleError, discounted_total

    percent = _percent(context.data, "discount_percent")
    try:
        total, _lines = compute_lines(subscription, discount_percent=percent)
    except ScheduleError as exc:
        total = discounted_total(subscription.list_price, percent)
        raise FormInvalid({"discount_percent": [schedule_message(exc, total)]}) from exc
    return percent, total


def check_request_discount(context: HookContext) -> dict[str, list[str]]:
    read_discount(context, subscription_of(context, lock=False))
    return {}


def do_request_discount(context: HookContext) -> HookResult:
    """折扣申请: the discounted price must still cover deposit and loans; 0 means no discount
    (the DMN then skips approval)."""

    subscription = subscription_of(context)
    require_status(subscription, SubscriptionStatus.SUBSCRIBED)
    percent, total = read_discount(context, subscription)
    subscription.requested_discount_percent = percent
    subscription.discount_status = DiscountStatus.PENDING if percent else DiscountStatus.NONE
    subscription.save(update_fields=["requested_discount_percent", "discount_status"])
    return HookResult(
        data={
            "discounted_total": money_text(total),
            "discount_approved": False,
            "approved_discount_percent": 0,
            "total_price": money_text(subscription.total_price),
        }
    )


def do_decide_discount(context: HookContext) -> HookResult:
    """折扣审批: approved → the subscription's discount and total change (the flow regenerates
    the schedule); rejected → the sale continues at list price."""
    from webapp.realestate.schedule import discounted_total

    subscription = subscription_of(context)
    require_status(subscription, SubscriptionStatus.SUBSCRIBED)
    if subscription.discount_status != DiscountStatus.PENDING:
        raise Conflict(_("No discount of this subscription awaits approval."))
    decision = context.data.get("discount_decision")
    if decision not in ("approve", "reject"):
        raise FormInvalid({"discount_decision": [_("Choose a valid option.")]})
    approved = decision == "approve"
    percent = subscription.requested_discount_percent or Decimal(0)
    subscription.discount_status = DiscountStatus.APPROVED if approved else DiscountStatus.REJECTED
    subscription.discount_percent = percent if approved else Decimal(0)
    subscription.total_price = discounted_total(subscription.list_price, subscription.discount_percent)
    subscription.discount_decided_by = context.actor
    subscription.discount_decided_at = context.now
    subscription.save(
        update_fields=["discount_status", "discount_percent", "total_price", "discount_decided_by",
                       "discount_decided_at"]
    )  # fmt: skip
    return HookResult(
        data={
            "discount_approved": approved,
            "approved_discount_percent": float(subscription.discount_percent),
            "total_price": money_text(subscription.total_price),
            "discount_approver_name": display_name(context.actor),
        }
    )


# --- 转签约 contract ---------------------------------------------------------------------------


def read_contract(
    context: HookContext, subscription: Subscription
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The contract a 转签约 submission describes and every problem with it at once (dates in order,
    the loan's bank and term, a used contract number). Writes nothing."""
    data = context.data
    errors: dict[str, list[str]] = {}
    contract_no = read_text(data, "contract_no", errors, 40)
    contract_date = read_date(data, "contract_date", errors)
    delivery_date = read_date(data, "agreed_delivery_date", errors)
    filing_date = read_date(data, "filing_date", errors)
    today = shanghai_date(context.now)
    if contract_date is not None:
        if contract_date > today:
            errors["contract_date"] = [_("The signing date cannot be in the future.")]
        elif contract_date < subscription.agreement_date:
            errors["contract_date"] = [_("The signing date cannot come before the agreement date.")]
        if delivery_date is not None and delivery_date <= contract_date:
            errors["agreed_delivery_date"] = [_("The delivery date must come after the signing date.")]
        if filing_date is not None and filing_date < contract_date:
            errors["filing_date"] = [_("The filing date cannot come before the signing date.")]
    bank = str(data.get("mortgage_bank") or "").strip()[:60]
    years = data.get("mortgage_years")
    if subscription.loan_kind != "none":
        if not bank:
            errors["mortgage_bank"] = [_("A loan needs the mortgage bank.")]
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_LOAN_YEARS:
            errors["mortgage_years"] = [_("A loan needs its term in years (1–30).")]
    else:
        years = years if isinstance(years, int) and not isinstance(years, bool) else None
    if (
        contract_no
        and Contract.objects.filter(company_id=subscription.company_id, contract_no=contract_no).exists()
    ):
        errors["contract_no"] = [_("Contract number %(no)s is already used.") % {"no": contract_no}]
    values = {
        "contract_no": contract_no, "contract_date": contract_date, "delivery_date": delivery_date,
        "filing_date": filing_date, "bank": bank, "years": years,
    }  # fmt: skip
    return values, errors


def check_contract(context: HookContext) -> dict[str, list[str]]:
    return read_contract(context, subscription_of(context, lock=False))[1]


def do_contract(context: HookContext) -> HookResult:
    """转签约: save the contract and turn the room 认购 → 签约 (conditional); refused while a sales
    change of the subscription awaits approval."""
    from webapp.realestate.models import Room, RoomStatus

    subscription = subscription_of(context)
    require_status(subscription, SubscriptionStatus.SUBSCRIBED)
    if SalesChange.objects.filter(subscription=subscription, status="pending").exists():
        raise Conflict(_("A sales change of this subscription awaits approval; sign after it is decided."))
    values, errors = read_contract(context, subscription)
    raise_if(errors)
    contract_no, contract_date = values["contract_no"], values["contract_date"]
    delivery_date, filing_date = values["delivery_date"], values["filing_date"]
    bank, years = values["bank"], values["years"]
    signed = Room.objects.filter(pk=subscription.room_id, status=RoomStatus.SUBSCRIBED).update(
        status=RoomStatus.CONTRACTED
    )
    if not signed:
        raise Conflict(
            _("Room %(room)s is not in status 认购; it cannot be signed.") % {"room": subscription.room.code}
        )
    try:
        with transaction.atomic():
            contract = Contract.objects.create(
                company_id=subscription.company_id,
                subscription=subscription,
                contract_no=contract_no,
                contract_date=contract_date,
                agreed_delivery_date=delivery_date,
                filing_date=filing_date,
                mortgage_bank=bank,
                mortgage_years=years,
                created_by=context.actor,
                created_at=context.now,
            )
    except IntegrityError:
        raise FormInvalid(
            {"contract_no": [_("Contract number %(no)s is already used.") % {"no": contract_no}]}
        ) from None
    subscription.status = SubscriptionStatus.CONTRACTED
    subscription.save(update_fields=["status"])
    return HookResult(data={"contract_id": contract.pk, "contract_signed": True})


# --- 按揭服务 / 公积金服务 loans ----------------------------------------------------------------

LOAN_FIELDS = {
    LoanKind.COMMERCIAL: {
        "bank": "commercial_bank",
        "total": "commercial_loan_total",
        "actual_bank": "commercial_actual_bank",
        "years": "commercial_years",
        "disbursed_on": "commercial_disbursed_on",
        "disbursed_amount": "commercial_disbursed_amount",
    },
    LoanKind.FUND: {
        "bank": "fund_bank",
        "total": "fund_loan_total",
        "actual_loan": "fund_actual_loan",
        "years": "fund_years",
        "disbursed_on": "fund_disbursed_on",
        "disbursed_amount": "fund_disbursed_amount",
    },
}


def loan_limit(subscription: Subscription, kind: str) -> Decimal:
    """The most a loan of this kind can be: the total price less the deposit and the other loan."""
    other = subscription.fund_loan if kind == LoanKind.COMMERCIAL else subscription.commercial_loan
    return subscription.total_price - subscription.deposit_due - (other or Decimal(0))


def read_loan_service(
    context: HookContext, kind: str, subscription: Subscription
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The loan a 按揭服务 / 公积金服务 submission describes and every problem with it. Writes nothing."""
    names = LOAN_FIELDS[kind]
    data = context.data
    errors: dict[str, list[str]] = {}
    bank = read_text(data, names["bank"], errors, 60)
    total = read_money(data, names["total"], errors)
    years = data.get(names["years"])
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_LOAN_YEARS:
        errors[names["years"]] = [_("Enter the term in years (1–30).")]
    limit = loan_limit(subscription, kind)
    if names["total"] not in errors and total <= 0:
        errors[names["total"]] = [_("Enter the loan total.")]
    elif names["total"] not in errors and total > limit:
        errors[names["total"]] = [
            _("The loan cannot exceed the total price less the deposit and the other loan (%(limit)s).")
            % {"limit": money_text(limit)}
        ]
    actual_bank, actual_loan = "", None
    if kind == LoanKind.COMMERCIAL:
        actual_bank = read_text(data, names["actual_bank"], errors, 60)
    else:
        actual_loan = read_money(data, names["actual_loan"], errors)
        if names["actual_loan"] not in errors and not 0 < actual_loan <= total:
            errors[names["actual_loan"]] = [
                _("The actual fund loan must be more than 0 and at most the loan total.")
            ]
    values = {
        "bank": bank,
        "total": total,
        "years": years,
        "actual_bank": actual_bank,
        "actual_loan": actual_loan,
    }
    return values, errors


def check_loan_service(context: HookContext, kind: str) -> dict[str, list[str]]:
    return read_loan_service(context, kind, subscription_of(context, lock=False))[1]


def do_loan_service(context: HookContext, kind: str) -> HookResult:
    """按揭服务 / 公积金服务: the checked bank, loan total, actual bank or actual fund loan, years."""
    subscription = subscription_of(context)
    require_status(subscription, SubscriptionStatus.CONTRACTED)
    values, errors = read_loan_service(context, kind, subscription)
    raise_if(errors)
    bank, total, years = values["bank"], values["total"], values["years"]
    actual_bank, actual_loan = values["actual_bank"], values["actual_loan"]
    loan, _created = LoanService.objects.update_or_create(
        subscription=subscription,
        kind=kind,
        defaults={
            "bank": bank,
            "loan_total": total,
            "actual_bank": actual_bank,
            "actual_fund_loan": actual_loan,
            "years": years,
            "handled_by": context.actor,
            "handled_at": context.now,
        },
    )
    return HookResult(data={f"{kind}_service_id": loan.pk})


def read_disbursement(
    context: HookContext, kind: str, loan: LoanService
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Date (not in the future) and amount (at most the loan) of a 放款登记 submission."""
    names = LOAN_FIELDS[kind]
    data = context.data
    errors: dict[str, list[str]] = {}
    on = read_date(data, names["disbursed_on"], errors)
    amount = read_money(data, names["disbursed_amount"], errors)
    if on is not None and on > shanghai_date(context.now):
        errors[names["disbursed_on"]] = [_("The disbursement date cannot be in the future.")]
    limit = loan.actual_fund_loan if kind == LoanKind.FUND and loan.actual_fund_loan else loan.loan_total
    if names["disbursed_amount"] not in errors and not 0 < amount <= limit:
        errors[names["disbursed_amount"]] = [
            _("The amount must be more than 0 and at most the loan (%(limit)s).")
            % {"limit": money_text(limit)}
        ]
    return {"on": on, "amount": amount}, errors


def _loan_of(context: HookContext, kind: str, *, lock: bool) -> LoanService:
    subscription = subscription_of(context, lock=lock)
    rows = LoanService.objects.select_for_update() if lock else LoanService.objects
    loan = rows.filter(subscription=subscription, kind=kind).first()
    if loan is None:
        raise Conflict(_("The loan service has not been recorded yet."))
    if loan.is_disbursed():
        raise Conflict(_("The disbursement was already recorded."))
    return loan


def check_loan_disbursed(context: HookContext, kind: str) -> dict[str, list[str]]:
    return read_disbursement(context, kind, _loan_of(context, kind, lock=False))[1]


def do_loan_disbursed(context: HookContext, kind: str) -> HookResult:
    """放款登记: date (not in the future) and amount (at most the loan) of the disbursement."""
    loan = _loan_of(context, kind, lock=True)
    values, errors = read_disbursement(context, kind, loan)
    raise_if(errors)
    on, amount = values["on"], values["amount"]
    loan.disbursed_on, loan.disbursed_amount, loan.disbursed_by = on, amount, context.actor
    loan.save(update_fields=["disbursed_on", "disbursed_amount", "disbursed_by"])
    return HookResult(data={})
