"""业主身份认证: a person signed in at /my/ whose mobile no room is linked to asks to be linked.

The person names the estate, the room's code, owner or tenant, their name and ID. `do_submit_claim`
writes an IdentityClaim and starts the flow `owner_verification` (processes/owner_verification):
the steward (物业部) gets the task 核实业主身份, checks the ID against the contract or the lease, and
approves — the hook `owner.verify_decide` registers the person as a resident of the room in the
same engine step (an existing customer with that ID is linked, else created, and their mobile set
to the verified one) — or rejects with a reason. Either way the person gets an SMS; the claim's
state shows on /my/verify/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from engine.hooks import HookContext, HookResult
from engine.ids import parse_id
from webapp.accounts.models import Project
from webapp.realestate import customers as customer_rules
from webapp.realestate.models import Customer, Room
from webapp.residents import residency
from webapp.residents.models import Residency, Source

from .actor import acting_as
from .codes import normalize
from .models import ClaimRole, ClaimStatus, IdentityClaim
from .session import Resident

FLOW = "owner_verification"
APPROVE = "approve"
REJECT = "reject"
MAX_PENDING = 3  # open claims per mobile
MAX_TEXT = 100


def projects() -> list[Project]:
    """The estates a person may name (every company's: the person is not on file yet)."""
    return list(Project.objects.select_related("company").order_by("city", "name", "pk"))


def my_claims(resident: Resident) -> list[IdentityClaim]:
    return list(
        IdentityClaim.objects.filter(mobile=resident.mobile)
        .select_related("room", "room__project")
        .order_by("-created_at", "-pk")[:20]
    )


@dataclass
class Claim:
    room: Room
    role: str
    person: dict[str, Any]  # normalised customer fields (name, id_type, id_number …)


def _text(raw: dict[str, Any], key: str) -> str:
    return str(raw.get(key) or "").strip()[: MAX_TEXT + 1]


def check_claim(resident: Resident, raw: Any) -> Claim:
    """The checked claim, or FormInvalid with every field error at once."""
    raw = raw if isinstance(raw, dict) else {}
    errors: dict[str, list[str]] = {}
    number = parse_id(raw.get("project"))
    project = Project.objects.filter(pk=number).first() if number else None
    if project is None:
        errors["project"] = [_("Choose your estate from the list.")]
    code = _text(raw, "room")
    room = None
    if not code:
        errors["room"] = [_("Enter the room's code as on your contract, e.g. 1-1-1203.")]
    elif project is not None:
        room = Room.objects.filter(project=project, code__iexact=code).select_related("project").first()
        if room is None:
            errors["room"] = [
                _("No room %(code)s in this estate. Check the code on your contract.") % {"code": code}
            ]
    role = _text(raw, "role")
    if role not in ClaimRole.values:
        errors["role"] = [_("Choose owner or tenant.")]
    person, person_errors = customer_rules.normalize_customer(
        {"name": _text(raw, "name"), "customer_type": "individual", "nationality": "中国",
         "id_type": _text(raw, "id_type") or "resident_id", "id_number": _text(raw, "id_number"),
         "mobile": resident.mobile, "address": f"{room.project.name} {room.code}" if room else "-"}
    )  # fmt: skip
    for field in ("name", "id_type", "id_number"):
        if field in person_errors:
            errors[field] = person_errors[field]
    if room is not None and not errors:
        mine = Residency.objects.filter(
            room=room, customer_id__in=resident.customer_ids, ended_on__isnull=True
        ).exists()
        if mine:
            errors["room"] = [_("You are already linked to this room: it is on your home page.")]
        elif IdentityClaim.objects.filter(
            mobile=resident.mobile, room=room, status=ClaimStatus.PENDING
        ).exists():
            errors["room"] = [_("Your request for this room is with the steward already.")]
    if (
        not errors
        and IdentityClaim.objects.filter(mobile=resident.mobile, status=ClaimStatus.PENDING).count()
        >= MAX_PENDING
    ):
        errors["room"] = [
            _("You have %(count)d requests waiting for the steward: wait for their answer.")
            % {"count": MAX_PENDING}
        ]
    if errors:
        raise FormInvalid(errors)
    assert room is not None
    return Claim(room, role, person)


def do_submit_claim(resident: Resident, raw: Any) -> IdentityClaim:
    """Write the claim and start the steward's task, in one transaction."""
    from engine.actions import do_start_instance

    claim = check_claim(resident, raw)
    room, person = claim.room, claim.person
    starter = acting_as(room.company_id, person["name"])  # the audit names the person
    try:
        with transaction.atomic():
            row = IdentityClaim.objects.create(
                mobile=resident.mobile, company_id=room.company_id, room=room, role=claim.role,
                name=person["name"], id_type=person["id_type"], id_number=person["id_number"],
                created_at=clock.now(),
            )  # fmt: skip
            data = {
                "claim_id": row.pk, "project_id": room.project_id, "project": room.project.name,
                "room_id": room.pk, "room": room.code, "customer_name": row.name,
                "customer_mobile": resident.mobile, "id_type_name": row.get_id_type_display(),
                "id_number": row.id_number, "role": row.role, "role_name": row.get_role_display(),
                "title": f"{row.name} · {room.project.name} {room.code} · {row.get_role_display()}",
                "resident": resident.masked_mobile(),
            }  # fmt: skip
            instance = do_start_instance(starter, FLOW, data)
            row.instance = instance
            row.save(update_fields=["instance"])
    except IntegrityError:  # the same claim submitted twice at once
        raise FormInvalid({"room": [_("Your request for this room is with the steward already.")]}) from None
    return row


# --- the steward's decision (hook owner.verify_decide) ------------------------------------------


def _claim(context: HookContext) -> IdentityClaim | None:
    pk = parse_id(context.data.get("claim_id"))
    return (
        IdentityClaim.objects.select_for_update()
        .select_related("room", "room__company")
        .filter(pk=pk, instance_id=context.instance.pk)
        .first()
        if pk
        else None
    )


def _link_plan(claim: IdentityClaim) -> tuple[Customer | None, bool, dict[str, list[str]]]:
    """(existing customer with the claim's ID, whether a residency must be added, errors)."""
    existing = customer_rules.duplicate_of(claim.company_id, claim.id_type, claim.id_number)
    if existing is not None:
        held = Residency.objects.filter(room=claim.room, customer=existing, ended_on__isnull=True)
        if held.filter(role=claim.role).exists():
            return existing, False, {}
        if claim.role == ClaimRole.TENANT and held.filter(role="owner").exists():
            return existing, False, {}  # the owner asked as a tenant: linking the owner is enough
    raw = _residency_raw(claim, existing)
    try:
        residency.check_new_residency(claim.room, raw)
    except FormInvalid as exc:
        return existing, True, {"decision": [m for messages in exc.field_errors.values() for m in messages]}
    return existing, True, {}


def _residency_raw(claim: IdentityClaim, existing: Customer | None) -> dict[str, Any]:
    if existing is not None:
        return {"role": claim.role, "customer_id": existing.pk}
    return {
        "role": claim.role,
        "customer": {"name": claim.name, "customer_type": "individual", "nationality": "中国",
                     "id_type": claim.id_type, "id_number": claim.id_number, "mobile": claim.mobile,
                     "address": f"{claim.room.project.name} {claim.room.code}"},
    }  # fmt: skip


def check_decide(context: HookContext) -> dict[str, list[str]]:
    decision = context.data.get("decision")
    if decision not in (APPROVE, REJECT):
        return {"decision": [_("Approve or reject the request.")]}
    claim = _claim(context)
    if claim is None or claim.status != ClaimStatus.PENDING:
        return {"decision": [_("This request was decided already.")]}
    if decision == REJECT:
        return {}
    return _link_plan(claim)[2]


def decide(context: HookContext) -> HookResult:
    """Approved: the person is a resident of the room with the verified mobile; rejected: the reason
    is kept for the person's page (the flow sends the SMS either way)."""
    errors = check_decide(context)
    if errors:
        raise FormInvalid(errors)
    claim = _claim(context)
    assert claim is not None
    claim.decided_at = context.now
    if context.data.get("decision") == REJECT:
        claim.status = ClaimStatus.REJECTED
        claim.reason = str(context.data.get("reject_reason") or "")[:200]
        claim.save(update_fields=["status", "reason", "decided_at"])
        return HookResult(data={"decision_name": "未通过"})
    existing, add, _errors = _link_plan(claim)
    customer = existing
    if add:
        customer = residency.do_add_residency(
            context.actor,
            claim.room,
            {**_residency_raw(claim, existing), "started_on": residency.today().isoformat()},
            source=Source.VERIFIED,
        ).customer
    assert customer is not None
    if normalize(customer.mobile or "") != claim.mobile:
        customer_rules.save_customer(
            claim.room.company, context.actor, {"mobile": claim.mobile}, instance=customer
        )
    claim.status, claim.customer = ClaimStatus.APPROVED, customer
    claim.save(update_fields=["status", "customer", "decided_at"])
    return HookResult(data={"decision_name": "已认证", "customer_id": customer.pk})


TEMPLATES = [
    {
        "template_id": "OWNER_VERIFIED",
        "channel": "sms",
        "name": "业主身份认证通过",
        "subject": "",
        "content": "尊敬的${customer_name}，您在${project}${room}的${role}身份已认证，登录智慧管家即可查看房间、报修和缴费。",
    },
    {
        "template_id": "OWNER_VERIFY_REJECTED",
        "channel": "sms",
        "name": "业主身份认证未通过",
        "subject": "",
        "content": "尊敬的${customer_name}，您在${project}${room}的身份认证未通过：${reason}。如有疑问请联系物业服务中心。",
    },
]
