"""Defects (验房问题): recording one with its photos (which starts its `movein_defect` instance),
adding rectification photos, and the defect flow's hooks (分派, 整改, 复验).

A defect, its photos and the start of its flow are one transaction: a refused photo or a failed
start leaves nothing behind, and the page keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from engine import clock
from engine.actions import do_start_instance
from engine.errors import Conflict, FormInvalid, checked_text
from engine.hooks import HookContext, HookResult
from forms.text import clean_text

from .access import check_may_add_rectified_photos, check_may_record, contractor_groups
from .models import (
    BatchRoom,
    Contractor,
    Defect,
    DefectPhoto,
    DefectStatus,
    InspectionItem,
    PhotoKind,
    Trade,
    TradeAssignment,
)
from .photos import CheckedPhoto, check_photos

DEFECT_FLOW = "movein_defect"
DEFAULT_RECTIFY_DAYS = 3


def check_defect_input(
    batch_room: BatchRoom, raw: dict[str, Any], uploads: list[Any]
) -> tuple[dict[str, Any], list[CheckedPhoto]]:
    """The defect a form or API body describes, checked field by field, photos included."""
    errors: dict[str, list[str]] = {}
    item = None
    try:
        item_id = int(raw.get("item") or 0)
    except (TypeError, ValueError):
        item_id = 0
    if item_id:
        item = (
            InspectionItem.objects.select_related("category")
            .filter(
                pk=item_id,
                active=True,
                category__corporate_group_id=batch_room.batch.company.corporate_group_id,
            )
            .first()
        )
    if item is None:
        errors["item"] = [_("Choose the standard item the defect is against.")]
    location = checked_text(raw.get("location"), "location", 60)
    if not location:
        errors["location"] = [_("Say where it is, e.g. 主卧 or 厨房.")]
    description = checked_text(raw.get("description"), "description", 2000)
    if not description:
        errors["description"] = [_("Describe what is wrong.")]
    photos: list[CheckedPhoto] = []
    try:
        photos = check_photos(uploads, "photos", required=True)
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    if errors:
        raise FormInvalid(errors)
    return {"item": item, "location": location, "description": description}, photos


def _store_photos(defect: Defect, photos: list[CheckedPhoto], kind: str, user: Any) -> list[DefectPhoto]:
    now = clock.now()
    return DefectPhoto.objects.bulk_create(
        DefectPhoto(
            company_id=defect.company_id, defect=defect, kind=kind, round=defect.rework_count, file_name=p.file_name, content_type=p.content_type,
            size=p.size, width=p.width, height=p.height, sha256=p.sha256, content=p.content, thumbnail=p.thumbnail,
            uploaded_by=user, uploaded_at=now,
        )
        for p in photos
    )  # fmt: skip


def auto_contractor(batch_room: BatchRoom, trade: str) -> Contractor | None:
    """The contractor the project sends this trade's defects to without a dispatch task."""
    assignment = (
        TradeAssignment.objects.select_related("contractor__work_group")
        .filter(project_id=batch_room.batch.project_id, trade=trade, contractor__active=True)
        .first()
    )
    return assignment.contractor if assignment else None


def do_record_defect(user: Any, batch_room: BatchRoom, raw: dict[str, Any], uploads: list[Any]) -> Defect:
    """Record a defect of the room with its photos and start its flow (one transaction)."""
    stage, _task = check_may_record(user, batch_room)
    fields, photos = check_defect_input(batch_room, raw, uploads)
    item = fields["item"]
    contractor = auto_contractor(batch_room, item.category.trade)
    now = clock.now()
    with transaction.atomic():
        defect = Defect.objects.create(
            company_id=batch_room.batch.company_id, batch_room=batch_room, stage=stage, item=item,
            location=fields["location"], description=fields["description"], recorded_by=user, recorded_at=now,
            contractor=contractor,
            status=DefectStatus.DISPATCHED if contractor else DefectStatus.RECORDED,
            dispatched_at=now if contractor else None,
        )  # fmt: skip
        _store_photos(defect, photos, PhotoKind.DEFECT, user)
        instance = do_start_instance(user, DEFECT_FLOW, {"defect_id": defect.pk})
        defect.instance = instance
    return defect


def do_add_rectified_photos(user: Any, defect: Defect, uploads: list[Any]) -> list[DefectPhoto]:
    check_may_add_rectified_photos(user, defect)
    photos = check_photos(uploads, "photos", required=True)
    with transaction.atomic():
        return _store_photos(defect, photos, PhotoKind.RECTIFIED, user)


# --- hooks of the defect flow ------------------------------------------------------------------


def _defect_of(context: HookContext, *, related: bool = False) -> Defect:
    """The step's defect, its row locked (a plain one-table lock: the hooks of dispatch, rectify
    and re-inspect read the defect's own columns only); with related=True also its item, contractor,
    room and batch, read after the lock."""
    defect_id = context.data.get("defect_id")
    defect = None
    if isinstance(defect_id, int) and not isinstance(defect_id, bool):
        defect = (
            Defect.objects.select_for_update()
            .filter(pk=defect_id, company_id=context.instance.company_id)
            .first()
        )
    if defect is None:
        raise FormInvalid({"defect_id": [_("This flow starts when a defect is recorded on a room's page.")]})
    if related:
        defect = Defect.objects.select_related(
            "item__category", "contractor__work_group", "batch_room__room__floor__unit__building", "batch_room__batch__project"
        ).get(pk=defect.pk)  # fmt: skip
    return defect


def _days(value: Any) -> str:
    return f"P{value}D"


def defect_start(context: HookContext) -> HookResult:
    defect = _defect_of(context, related=True)
    if defect.instance_id not in (None, context.instance.pk):
        raise Conflict(_("This defect has its flow already."))
    Defect.objects.filter(pk=defect.pk).update(instance=context.instance)
    room = defect.batch_room
    data = {
        "title": defect.title(), "project": room.batch.project.name, "room": room.room.label(),
        "room_code": room.room.code, "customer_name": room.owner_name, "batch_room_id": room.pk,
        "room_id": room.room_id, "customer_id": room.owner_id,  # the room's and the owner's history
        "stage": defect.stage, "stage_name": defect.get_stage_display(), "category_name": defect.item.category.name,
        "item_name": defect.item.name, "criteria": defect.item.criteria, "location": defect.location,
        "description": defect.description, "trade": defect.item.category.trade,
        "trade_name": str(dict(Trade.choices).get(defect.item.category.trade, "")),
        "auto_dispatched": defect.contractor_id is not None, "dispatch_note": "", "reinspect_note": "",
    }  # fmt: skip
    if defect.contractor_id is not None:
        data.update(
            rectify_group=defect.contractor.work_group.name, rectifier_name=defect.contractor.name,
            rectify_due=_days(DEFAULT_RECTIFY_DAYS), dispatch_note=f"按专业派给{defect.contractor.name}",
        )  # fmt: skip
    return HookResult(data=data)


def read_dispatch(context: HookContext, company_id: int) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Exactly one rectifier (a contractor or a department, as 整改方 says) and the days, every
    problem at once."""
    from webapp.accounts.models import WorkGroup

    data = context.data
    errors: dict[str, list[str]] = {}
    days = data.get("rectify_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 30:
        errors["rectify_days"] = [_("From 1 to 30 working days.")]
    contractor, department = None, str(data.get("department") or "").strip()
    chosen_contractor = data.get("contractor_id") not in (None, "")
    if data.get("dispatch_to") == "contractor":
        if isinstance(data.get("contractor_id"), int):
            contractor = (
                Contractor.objects.select_related("work_group")
                .filter(pk=data["contractor_id"], company_id=company_id, active=True)
                .first()
            )
        if contractor is None:
            errors["contractor_id"] = [_("Choose an active contractor of your company.")]
        if department:
            errors["department"] = [_("A defect dispatched to a contractor has no department: clear it.")]
    elif data.get("dispatch_to") == "department":
        if department in contractor_groups(company_id) or not (
            department and WorkGroup.objects.filter(company_id=company_id, name=department).exists()
        ):
            errors["department"] = [_("Choose a department of your company.")]
        if chosen_contractor:
            errors["contractor_id"] = [_("A defect dispatched to a department has no contractor: clear it.")]
    else:
        errors["dispatch_to"] = [_("Choose who rectifies: a contractor or a department.")]
    return {"days": days, "contractor": contractor, "department": department}, errors


def check_dispatch(context: HookContext) -> dict[str, list[str]]:
    return read_dispatch(context, context.instance.company_id)[1]


def dispatch(context: HookContext) -> HookResult:
    """问题分派: to a contractor of the company (its rectification group takes the task) or to one
    of the company's departments, never both."""
    defect = _defect_of(context)
    if defect.status != DefectStatus.RECORDED:
        raise Conflict(_("This defect was dispatched already."))
    values, errors = read_dispatch(context, defect.company_id)
    if errors:
        raise FormInvalid(errors)
    days, contractor, department = values["days"], values["contractor"], values["department"]
    if contractor is not None:
        group, name = contractor.work_group.name, contractor.name
        Defect.objects.filter(pk=defect.pk).update(
            contractor=contractor, department="", status=DefectStatus.DISPATCHED, dispatched_at=context.now
        )
    else:
        group = name = department
        Defect.objects.filter(pk=defect.pk).update(
            contractor=None, department=department, status=DefectStatus.DISPATCHED, dispatched_at=context.now
        )
    return HookResult(data={"rectify_group": group, "rectifier_name": name, "rectify_due": _days(days)})


def rectified(context: HookContext) -> HookResult:
    defect = _defect_of(context)
    if defect.status != DefectStatus.DISPATCHED:
        raise Conflict(_("This defect is not being rectified."))
    note = clean_text(context.data.get("rectification_note"), 2000)
    if not note:
        raise FormInvalid({"rectification_note": [_("Say what was done.")]})
    if not defect.photos.filter(kind=PhotoKind.RECTIFIED, round=defect.rework_count).exists():
        raise FormInvalid({"rectification_note": [
            _("Upload a photo of the rectified defect first (above the form), then submit.")
        ]})  # fmt: skip
    Defect.objects.filter(pk=defect.pk).update(
        status=DefectStatus.RECTIFIED, rectification_note=note, rectified_at=context.now
    )
    return HookResult()


def reinspect(context: HookContext) -> HookResult:
    """复验: pass closes the defect; fail sends it back to the rectification group."""
    defect = _defect_of(context)
    if defect.status != DefectStatus.RECTIFIED:
        raise Conflict(_("This defect is not waiting for re-inspection."))
    if context.data.get("reinspect_result") == "pass":
        Defect.objects.filter(pk=defect.pk).update(
            status=DefectStatus.CLOSED, closed_at=context.now, closed_by=context.actor
        )
        return HookResult()
    note = clean_text(context.data.get("reinspect_note"), 2000)
    if not note:
        raise FormInvalid({"reinspect_note": [_("Say why it does not pass.")]})
    Defect.objects.filter(pk=defect.pk).update(
        status=DefectStatus.DISPATCHED, rework_count=defect.rework_count + 1, sent_back_at=context.now
    )
    return HookResult(data={"reinspect_note": note})
