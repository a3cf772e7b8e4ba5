"""Roles and who holds them: 集团管理 (group level) defines the roles, what each may do and which
flows each may start; 公司管理 (company level) gives the company's people their roles and work
groups. Roles are Django auth groups; the permissions they carry are the ones of PERMISSIONS.

Every change is audited (权限变更): who changed what for whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy

from engine import audit
from engine.errors import FormInvalid, NotAllowed, checked_text
from engine.models import FlowStartRule
from engine.models.audit import AuditAction
from webapp.common import rights

MANAGE_ROLES = "accounts.manage_roles"
MANAGE_PEOPLE = "accounts.manage_people"


@dataclass(frozen=True)
class Grant:
    code: str  # app_label.codename
    label: Any


# What a role may do, in the order the roles page shows it. Which pages, menu entries and API
# endpoints each right opens is declared in webapp/common/rights.py (docs/security.md has the table).
PERMISSIONS = [
    Grant(rights.START_FLOWS, gettext_lazy("Start flows by hand (as each flow's start rule allows)")),
    Grant(rights.VIEW_CUSTOMERS, gettext_lazy("See customers")),
    Grant(rights.ADD_CUSTOMERS, gettext_lazy("Create customers and import them from Excel")),
    Grant(rights.CHANGE_CUSTOMERS, gettext_lazy("Change customers")),
    Grant(rights.VIEW_ROOMS, gettext_lazy("See rooms, prices and the sales control chart")),
    Grant(rights.ADD_ROOMS, gettext_lazy("Import rooms from Excel")),
    Grant(
        rights.CHANGE_ROOMS,
        gettext_lazy("Maintain the property register: room data, plans, estate settings, readiness"),
    ),
    Grant(
        rights.MANAGE_RESIDENTS,
        gettext_lazy("Register owners, tenants and household members of rooms, move-out, import them"),
    ),
    Grant(rights.ENTER_READINGS, gettext_lazy("Add meters of rooms, enter and import meter readings")),
    Grant(rights.VIEW_SALES, gettext_lazy("See the subscription ledger and the sales reports")),
    Grant(rights.VIEW_MOVEIN, gettext_lazy("See all move-in batches and rooms (owners)")),
    Grant(
        rights.VIEW_DEFECTS,
        gettext_lazy("See all move-in defects (without it: those of one's own work)"),
    ),
    Grant(rights.VIEW_REPAIRS, gettext_lazy("See all repairs (without it: those of one's own work)")),
    Grant(rights.DISPATCH_REPAIRS, gettext_lazy("Reassign and cancel repairs")),
    Grant(rights.VIEW_FEES, gettext_lazy("See the fee setup and quote rooms")),
    Grant(rights.MANAGE_FEES, gettext_lazy("Set up fee items and new price versions")),
    Grant(rights.VIEW_PARKING, gettext_lazy("See the parking spaces, their contracts and cars")),
    Grant(rights.MANAGE_PARKING, gettext_lazy("Register parking contracts and cars, record space bookings")),
    Grant(rights.VIEW_BILLS, gettext_lazy("See bills, billing runs, payments, receipts and fee reports")),
    Grant(rights.RUN_BILLING, gettext_lazy("Run, post and discard the monthly billing")),
    Grant(
        rights.TAKE_PAYMENTS,
        gettext_lazy("Take payments at the desk, charge deposits, refund them, close the day"),
    ),
    Grant(rights.ISSUE_CREDIT, gettext_lazy("Issue credit notes (冲红)")),
    Grant("billing.approve_waiver", gettext_lazy("Approve late-fee waivers")),
    Grant(rights.PUBLISH_NOTICES, gettext_lazy("Publish, change and withdraw community notices")),
    Grant(rights.MANAGE_SURVEYS, gettext_lazy("Send questionnaires to residents and see their results")),
    Grant(rights.ADMIT_PASSES, gettext_lazy("Check passes at the gate and record entries")),
    Grant(rights.APPROVE_DECORATION, gettext_lazy("Approve residents' decoration passes")),
    Grant("engine.view_all_instances", gettext_lazy("See all of the company's flows and tasks")),
    Grant("engine.reassign_task", gettext_lazy("Take tasks back from their holders")),
    Grant("engine.retry_incident", gettext_lazy("Retry failed steps (incidents)")),
    Grant("engine.cancel_instance", gettext_lazy("Cancel cases recorded by mistake (with a reason)")),
    Grant("engine.deploy_process", gettext_lazy("Design and deploy flows")),
    Grant("engine.migrate_instances", gettext_lazy("Move running instances to another version")),
    Grant("engine.review_audit", gettext_lazy("Review and export the audit trail")),
    Grant(
        "realestate.view_personal_data",
        gettext_lazy("See full personal data (ID numbers, phones, addresses)"),
    ),
    Grant("movein.add_handoverbatch", gettext_lazy("Create move-in batches")),
    Grant(MANAGE_PEOPLE, gettext_lazy("Give the company's people their roles and work groups")),
    Grant(MANAGE_ROLES, gettext_lazy("Define roles and what they may do (group level)")),
]


def _permission(code: str) -> Permission | None:
    app, codename = code.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app, codename=codename).first()


def role_codes(role: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.select_related("content_type")
    }


def check_manage_roles(user: Any) -> None:
    if not user.has_perm(MANAGE_ROLES):
        raise NotAllowed(gettext_lazy("Defining roles is for the group's administrators."))


def check_manage_people(user: Any) -> None:
    if getattr(user, "company_id", None) is None or not user.has_perm(MANAGE_PEOPLE):
        raise NotAllowed(gettext_lazy("Giving people roles is for the company's administrators."))


def do_save_role(user: Any, role: Group | None, name: str, codes: set[str], flows: set[str]) -> Group:
    """Create or change a role: its name, its permissions (from PERMISSIONS) and the flows it may
    start (FlowStartRule roles). Audited."""
    check_manage_roles(user)
    name = checked_text(name, "name", 150)
    known = {g.code for g in PERMISSIONS}
    errors = {}
    if not name:
        errors["name"] = [str(gettext_lazy("Give the role a name."))]
    elif Group.objects.filter(name=name).exclude(pk=getattr(role, "pk", None)).exists():
        errors["name"] = [str(gettext_lazy("Another role has this name."))]
    if codes - known:
        errors["permissions"] = [
            str(gettext_lazy("Unknown permission: %(codes)s")) % {"codes": ", ".join(sorted(codes - known))}
        ]
    rules = {r.process_key: r for r in FlowStartRule.objects.all()}
    if flows - set(rules):
        errors["flows"] = [
            str(gettext_lazy("Unknown flow: %(keys)s")) % {"keys": ", ".join(sorted(flows - set(rules)))}
        ]
    if errors:
        raise FormInvalid(errors)
    with transaction.atomic():
        before = {"name": role.name, "permissions": sorted(role_codes(role) & known)} if role else {}
        if role is None:
            role = Group.objects.create(name=name)
        elif role.name != name:
            role.name = name
            role.save(update_fields=["name"])
        keep = {
            p.pk for p in role.permissions.all() if f"{p.content_type.app_label}.{p.codename}" not in known
        }
        found = {c: _permission(c) for c in codes}
        missing = [c for c, p in found.items() if p is None]
        if missing:  # a permission of PERMISSIONS whose app is not installed or not migrated
            raise FormInvalid({"permissions": [f"not available here: {', '.join(sorted(missing))}"]})
        wanted = {p.pk for p in found.values() if p is not None}
        role.permissions.set(keep | wanted)
        for key, rule in rules.items():
            if key in flows:
                rule.roles.add(role)
            else:
                rule.roles.remove(role)
        audit.event(
            AuditAction.PERMISSIONS, instance=None, actor=user, company_id=user.company_id,
            details={"role": name, "before": before, "permissions": sorted(codes), "flows": sorted(flows)},
        ).save()  # fmt: skip
    return role


def do_assign(user: Any, person: Any, role_ids: set[int], work_group_ids: set[int], active: bool) -> None:
    """Give one of the company's people their roles and work groups. A company administrator
    cannot hand out a role carrying group-level rights they do not hold themselves. Audited."""
    from .models import WorkGroup

    check_manage_people(user)
    if person.company_id != user.company_id:
        raise NotAllowed(gettext_lazy("This person is not of your company."))
    roles = list(Group.objects.filter(pk__in=role_ids))
    groups = list(WorkGroup.objects.filter(company_id=user.company_id, pk__in=work_group_ids))
    errors = {}
    if len(roles) != len(role_ids):
        errors["roles"] = [str(gettext_lazy("Choose roles from the list."))]
    if len(groups) != len(work_group_ids):
        errors["work_groups"] = [str(gettext_lazy("Choose work groups of your company."))]
    if not user.has_perm(MANAGE_ROLES):
        current = set(person.groups.values_list("pk", flat=True))
        for role in roles:
            if role.pk not in current and MANAGE_ROLES in role_codes(role):
                errors.setdefault("roles", []).append(
                    str(
                        gettext_lazy(
                            "“%(role)s” carries group-level rights; only a group administrator gives it."
                        )
                    )
                    % {"role": role.name}
                )
    if person.pk == user.pk and not active:
        errors["active"] = [str(gettext_lazy("You cannot switch yourself off."))]
    if errors:
        raise FormInvalid(errors)
    with transaction.atomic():
        before = {"roles": sorted(person.groups.values_list("name", flat=True)),
                  "work_groups": sorted(person.work_groups.values_list("name", flat=True)), "active": person.is_active}  # fmt: skip
        person.groups.set(roles)
        person.work_groups.set(groups)
        if person.is_active != active:
            person.is_active = active
            person.save(update_fields=["is_active"])
        after = {
            "roles": sorted(r.name for r in roles),
            "work_groups": sorted(g.name for g in groups),
            "active": active,
        }
        audit.event(
            AuditAction.PERMISSIONS, instance=None, actor=user, company_id=user.company_id,
            details={"person": audit.actor_name(person), "username": person.username, "before": before, "after": after},
        ).save()  # fmt: skip
