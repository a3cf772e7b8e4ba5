"""Writes of passes: issue (`do_issue_pass`), revoke (`do_revoke_pass`), the steward's decision on
a decoration pass (`do_decide_decoration`) and the gate (`do_admit`).

Bodies from forms are checked whole first (`check_*`: FormInvalid with every field's error, a 400).
Each write is one transaction with its audit event (engine.models.AuditEvent, action 修改数据,
process_key "passes", element_id "pass:<id>"); the SMS goes after the commit. An entry at the gate
is counted by a conditional update (`entries_used < max_entries`, status active, today within the
validity): on PostgreSQL a second guard's update of the same row waits for the first one's commit
and then finds the condition false, so two guards scanning at once never admit more than
`max_entries` times. Every scan is a PassEntry row, admitted or refused with its reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.adapters.base import CallContext
from engine.adapters.registry import get_adapter
from engine.errors import FormInvalid, NotAllowed, checked_text
from engine.models import AuditEvent
from engine.models.audit import AuditAction
from forms.formats import FormatProblem, normalize_resident_id
from forms.masks import mask_phone
from webapp.accounts.models import Project
from webapp.realestate.models import Customer, Room

from . import tokens
from .models import EntryResult, Pass, PassEntry, PassKind, PassState, PassStatus, RefuseReason
from .signals import entry_admitted

logger = logging.getLogger(__name__)

ADMIT = "passes.admit"
APPROVE_DECORATION = "passes.approve_decoration"
MAX_VISITOR_DAYS = 30  # a visitor pass covers at most this many days
MAX_DECORATION_DAYS = 90  # a decoration pass at most this many
MAX_ENTRIES = 50
MAX_AHEAD_DAYS = 180  # how far ahead a pass may start
SMS_ISSUED = "PASS_ISSUED"
SMS_DECORATION_APPROVED = "PASS_DECORATION_APPROVED"


def today() -> date:
    """Today in the site's time zone (Shanghai), by the engine clock."""
    return timezone.localdate(clock.now())


class Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def normalize_mobile(text: Any) -> str | None:
    """A mainland mobile number as its 11 digits, or None."""
    raw = str(text or "").strip()[:40]
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return str(number.national_number)


def _read_date(body: Any, name: str, errors: Errors) -> date | None:
    value = body.get(name)
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.add(name, _("Enter a date such as 2026-12-01."))
    return day


@dataclass(frozen=True)
class HolderInput:
    holder_name: str
    holder_mobile: str
    valid_from: date
    valid_until: date
    max_entries: int | None
    holder_id_number: str = ""
    note: str = ""


def _check_holder(body: Any, errors: Errors) -> tuple[str, str]:
    name = checked_text(body.get("holder_name"), "holder_name", 60)
    if not name:
        errors.add("holder_name", _("Enter the name."))
    mobile = normalize_mobile(body.get("holder_mobile"))
    if mobile is None:
        errors.add("holder_mobile", _("Enter a mainland mobile number of 11 digits."))
    return name, mobile or ""


def _check_period(body: Any, errors: Errors, max_days: int) -> tuple[date | None, date | None]:
    first, last = _read_date(body, "valid_from", errors), _read_date(body, "valid_until", errors)
    now = today()
    if first is not None and not now <= first <= now + timedelta(days=MAX_AHEAD_DAYS):
        errors.add("valid_from", _("The first day is today or within the next 180 days."))
    if first is not None and last is not None:
        if last < first:
            errors.add("valid_until", _("The last day cannot be before the first day."))
        elif (last - first).days + 1 > max_days:
            errors.add("valid_until", _("A pass covers at most %(days)d days.") % {"days": max_days})
    return first, last


def check_visitor(body: Any) -> HolderInput:
    """A visitor pass's form: name, mobile, first and last day (≤ 30 days), entries (1–50)."""
    errors = Errors()
    name, mobile = _check_holder(body, errors)
    first, last = _check_period(body, errors, MAX_VISITOR_DAYS)
    entries = _read_entries(body, errors)
    if errors:
        raise FormInvalid(errors)
    assert first is not None and last is not None
    return HolderInput(name, mobile, first, last, entries)


def _read_entries(body: Any, errors: Errors) -> int | None:
    text = str(body.get("max_entries") or "").strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ENTRIES):
        errors.add("max_entries", _("Enter a number of entries from 1 to %(max)d.") % {"max": MAX_ENTRIES})
        return None
    return int(text)


def check_decoration(body: Any) -> HolderInput:
    """A decoration pass's form: the worker's name, mobile and resident ID number, first and last
    day (≤ 90 days), what work (note). No limit of entries within the days."""
    errors = Errors()
    name, mobile = _check_holder(body, errors)
    id_number = ""
    try:
        id_number = normalize_resident_id(str(body.get("holder_id_number") or "").strip())
    except FormatProblem as exc:
        errors.add("holder_id_number", str(exc))
    first, last = _check_period(body, errors, MAX_DECORATION_DAYS)
    note = checked_text(body.get("note"), "note", 200)
    if errors:
        raise FormInvalid(errors)
    assert first is not None and last is not None
    return HolderInput(name, mobile, first, last, None, id_number, note)


# --- the audit -------------------------------------------------------------------------------------


def resident_label(mobile: str) -> str:
    """How a resident is named in the audit trail (they are not users): 住户 138****8000."""
    return f"住户 {mask_phone(mobile)}"


def _audit(
    gate_pass: Pass, change: str, *, user: Any = None, resident_mobile: str = "", **details: Any
) -> None:
    AuditEvent.objects.create(
        at=clock.now(),
        company_id=gate_pass.company_id,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=resident_label(resident_mobile) if resident_mobile else audit.actor_name(user),
        action=AuditAction.UPDATE_DATA,
        process_key="passes",
        element_id=f"pass:{gate_pass.pk}",
        details={"change": change, "kind": gate_pass.kind, "status": gate_pass.status, **details},
    )


# --- issuing ---------------------------------------------------------------------------------------


def do_issue_pass(
    *,
    kind: str,
    project: Project,
    holder: HolderInput,
    room: Room | None = None,
    issued_by_customer: Customer | None = None,
    issued_by_user: Any = None,
    resident_mobile: str = "",
    customer: Customer | None = None,
    notify: bool = True,
    site_url: str = "",
) -> Pass:
    """A new pass of `project`: a decoration pass waits for the steward's approval (待审批), any
    other is active at once and, with `notify`, its holder gets an SMS with the link to the pass
    page (after the commit). The caller has checked who may issue it; `holder` comes from
    check_visitor / check_decoration (or is built by the caller with the same rules).
    Audited as the user, or as the resident whose mobile is `resident_mobile`."""
    if kind not in PassKind.values:
        raise FormInvalid({"kind": [_("Unknown kind of pass.")]})
    if holder.valid_until < holder.valid_from:
        raise FormInvalid({"valid_until": [_("The last day cannot be before the first day.")]})
    status = PassStatus.PENDING if kind == PassKind.DECORATION else PassStatus.ACTIVE
    with transaction.atomic():
        for _attempt in range(5):  # a code already taken: draw again (one in 10^15)
            try:
                with transaction.atomic():
                    gate_pass = Pass.objects.create(
                        company_id=project.company_id, project=project, room=room, kind=kind,
                        status=status, code=tokens.new_code(), holder_name=holder.holder_name,
                        holder_mobile=holder.holder_mobile, holder_id_number=holder.holder_id_number,
                        note=holder.note, valid_from=holder.valid_from, valid_until=holder.valid_until,
                        max_entries=holder.max_entries, issued_by_customer=issued_by_customer,
                        issued_by_user=issued_by_user if getattr(issued_by_user, "pk", None) else None,
                        customer=customer, created_at=clock.now(),
                    )  # fmt: skip
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five collisions of 50 random bits
            raise RuntimeError("no free pass code")
        _audit(
            gate_pass, "issued", user=issued_by_user, resident_mobile=resident_mobile,
            holder=holder.holder_name, valid_from=str(holder.valid_from), valid_until=str(holder.valid_until),
            max_entries=holder.max_entries, room_id=room.pk if room else None,
        )  # fmt: skip
        if notify and status == PassStatus.ACTIVE:
            transaction.on_commit(lambda: send_pass_sms(gate_pass.pk, SMS_ISSUED, site_url))
    return gate_pass


# --- revoking and deciding ------------------------------------------------------------------------


def do_revoke_pass(gate_pass: Pass, *, reason: Any = "", user: Any = None, resident_mobile: str = "") -> Pass:
    """Revoke a pass that is active or waiting for approval: its token and code are refused at the
    gate from now on (已撤销). The caller's getter has checked that the person may."""
    text = checked_text(reason, "reason", 200)
    now = clock.now()
    with transaction.atomic():
        done = Pass.objects.filter(
            pk=gate_pass.pk, status__in=[PassStatus.ACTIVE, PassStatus.PENDING]
        ).update(status=PassStatus.REVOKED, revoked_at=now, revoked_reason=text)
        gate_pass.refresh_from_db()
        if not done:
            raise FormInvalid({"reason": [_("This pass is no longer active.")]})
        _audit(gate_pass, "revoked", user=user, resident_mobile=resident_mobile, reason=text)
    return gate_pass


def do_decide_decoration(user: Any, gate_pass: Pass, body: Any, *, site_url: str = "") -> Pass:
    """The steward approves (有效, the worker gets the SMS) or rejects (已驳回, a reason is required)
    a decoration pass waiting for approval."""
    if not user.has_perm(APPROVE_DECORATION):
        raise NotAllowed(_("Approving decoration passes needs the decoration approval permission."))
    decision = str(body.get("decision") or "")
    reason = checked_text(body.get("reason"), "reason", 200)
    if decision not in ("approve", "reject"):
        raise FormInvalid({"decision": [_("Approve or reject.")]})
    if decision == "reject" and not reason:
        raise FormInvalid({"reason": [_("Say why the request is rejected.")]})
    status = PassStatus.ACTIVE if decision == "approve" else PassStatus.REJECTED
    with transaction.atomic():
        done = Pass.objects.filter(
            pk=gate_pass.pk, kind=PassKind.DECORATION, status=PassStatus.PENDING
        ).update(status=status, decided_at=clock.now(), decided_by=user, decision_reason=reason)
        gate_pass.refresh_from_db()
        if not done:
            raise FormInvalid({"decision": [_("This request has been decided already.")]})
        _audit(gate_pass, "approved" if decision == "approve" else "rejected", user=user, reason=reason)
        if status == PassStatus.ACTIVE:
            transaction.on_commit(lambda: send_pass_sms(gate_pass.pk, SMS_DECORATION_APPROVED, site_url))
    return gate_pass


# --- the gate --------------------------------------------------------------------------------------

_REFUSALS = {
    PassState.PENDING: RefuseReason.PENDING,
    PassState.REJECTED: RefuseReason.REJECTED,
    PassState.REVOKED: RefuseReason.REVOKED,
    PassState.NOT_YET_VALID: RefuseReason.NOT_YET_VALID,
    PassState.EXPIRED: RefuseReason.EXPIRED,
    PassState.USED_UP: RefuseReason.USED_UP,
}


@dataclass(frozen=True)
class AdmitResult:
    """The gate's answer: admitted, or refused with `reason` (a RefuseReason value); `message` is
    what the guard's page shows (放行 or the reason's label)."""

    admitted: bool
    reason: str
    message: str
    entry: PassEntry
    pass_: Pass | None = None

    @property
    def entries_left(self) -> int | None:
        return self.pass_.entries_left() if self.pass_ is not None else None


def do_admit(code_text: Any, guard_user: Any, *, gate: str = "") -> AdmitResult:
    """Check what the guard scanned or typed (the QR's signed token or the short code) and record
    the entry: admitted (one entry counted) or refused with the reason. Needs the right
    passes.admit and a company; a pass of another company is refused as such."""
    if not guard_user.has_perm(ADMIT) or not getattr(guard_user, "company_id", None):
        raise NotAllowed(_("Checking passes at the gate needs the gate permission."))
    raw = str(code_text or "").strip()
    code = tokens.code_of_text(raw)
    gate_name = checked_text(gate, "gate", 60)
    day = today()
    with transaction.atomic():
        gate_pass = Pass.objects.select_related("project").filter(code=code).first() if code else None
        reason: str = ""
        if gate_pass is None:
            reason = RefuseReason.INVALID
        elif gate_pass.company_id != guard_user.company_id:
            reason, gate_pass = RefuseReason.OTHER_COMPANY, None
        else:
            state = gate_pass.state_on(day)
            if state != PassState.ACTIVE:
                reason = _REFUSALS[state]
            else:
                counted = (
                    Pass.objects.filter(
                        pk=gate_pass.pk, status=PassStatus.ACTIVE, valid_from__lte=day, valid_until__gte=day
                    )
                    .filter(Q(max_entries__isnull=True) | Q(entries_used__lt=F("max_entries")))
                    .update(entries_used=F("entries_used") + 1)
                )
                gate_pass.refresh_from_db()
                if not counted:  # another guard took the last entry (or it was revoked) meanwhile
                    reason = _REFUSALS.get(gate_pass.state_on(day), RefuseReason.USED_UP)
        entry = PassEntry.objects.create(
            company_id=guard_user.company_id, gate_pass=gate_pass, at=clock.now(), recorded_by=guard_user,
            gate=gate_name, result=EntryResult.REFUSED if reason else EntryResult.ADMITTED, reason=reason,
            presented="" if gate_pass is not None else raw[:40],
        )  # fmt: skip
        if gate_pass is not None:
            _audit(
                gate_pass, "entry_refused" if reason else "entry_admitted", user=guard_user,
                entry_id=entry.pk, reason=reason, entries_used=gate_pass.entries_used,
            )  # fmt: skip
        else:
            AuditEvent.objects.create(
                at=clock.now(), company_id=guard_user.company_id, actor=guard_user,
                actor_name=audit.actor_name(guard_user), action=AuditAction.UPDATE_DATA, process_key="passes",
                element_id=f"entry:{entry.pk}", details={"change": "entry_refused", "reason": reason},
            )  # fmt: skip
        if not reason:
            admitted_pass = gate_pass
            transaction.on_commit(lambda: entry_admitted.send(sender=Pass, pass_=admitted_pass, entry=entry))
    message = RefuseReason(reason).label if reason else "放行"
    return AdmitResult(admitted=not reason, reason=reason, message=str(message), entry=entry, pass_=gate_pass)


# --- the SMS ---------------------------------------------------------------------------------------


def pass_link(gate_pass: Pass, site_url: str = "") -> str:
    """The public page of the pass (its QR code), absolute: ANJU_PUBLIC_URL, else `site_url` (the
    request's own address), else the path alone."""
    path = reverse("passes:show", args=[tokens.token_for(gate_pass.code)])
    base = settings.ANJU_PUBLIC_URL or site_url
    return base.rstrip("/") + path if base else path


def send_pass_sms(pass_id: int, template: str, site_url: str = "") -> bool:
    """The holder's SMS: the estate, the days, the entries and the link to the pass page."""
    gate_pass = Pass.objects.select_related("project").filter(pk=pass_id).first()
    if gate_pass is None or gate_pass.status != PassStatus.ACTIVE:
        return False
    found = get_adapter("notify/send_sms")
    if found is None:  # pragma: no cover - the engine registers it
        return False
    adapter, operation = found
    entries = "不限" if gate_pass.max_entries is None else str(gate_pass.max_entries)
    params = {
        "to": gate_pass.holder_mobile,
        "template": template,
        "params": {
            "holder_name": gate_pass.holder_name, "project": gate_pass.project.name,
            "kind": gate_pass.get_kind_display(), "valid_from": f"{gate_pass.valid_from:%Y-%m-%d}",
            "valid_until": f"{gate_pass.valid_until:%Y-%m-%d}", "entries": entries,
            "code": tokens.display_code(gate_pass.code), "link": pass_link(gate_pass, site_url),
        },
    }  # fmt: skip
    context = CallContext(
        idempotency_key=f"pass-sms:{gate_pass.pk}:{template}",
        company_id=gate_pass.company_id,
        instance_id=None,
    )
    try:
        adapter.call(operation.name, params, context)
    except Exception:
        logger.exception("pass SMS %s for pass %s not sent", template, gate_pass.pk)
        return False
    return True
