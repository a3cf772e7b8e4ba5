"""Move-in pages (入伙管理): batches (list, new, detail with the summary), a room with its defects
and the form to record one, a defect with its photos, the photos themselves, the standards
library. Thin views over batches.py and defects.py; another company's rows are a 404; a refused
submission shows the page again with what was typed and the message by the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine import access as engine_access
from engine.errors import Conflict, FormInvalid, NotAllowed
from engine.models import AuditEvent
from webapp.common.errors import engine_errors, message

from . import access, batches, defects, photos
from .models import OPEN_DEFECT, AcceptanceRecord, DefectPhoto, InspectionCategory

LOCATIONS = ["玄关", "客厅", "餐厅", "主卧", "次卧", "书房", "厨房", "主卫", "次卫", "阳台", "走廊", "外立面"]
BATCH_FIELDS = ("name", "project", "mock_from", "mock_to", "handover_from", "handover_to", "fee_rate", "fee_months",
                "day_start", "day_end", "slot_minutes", "slot_capacity")  # fmt: skip


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- batches ---------------------------------------------------------------------------------


@require_GET
@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    rows = access.visible_batches(request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "movein/batch_list.html",
        {"batches": rows[:200], "may_create": request.user.has_perm(access.CREATE_BATCH)},
    )


def _batch_form_context(user: Any, values: dict[str, Any]) -> dict[str, Any]:
    from webapp.accounts.models import Project
    from webapp.realestate.models import Building

    projects = Project.objects.filter(company_id=access.company_id_of(user)).order_by("name")
    buildings = (
        Building.objects.filter(phase__project__in=projects)
        .select_related("phase__project")
        .order_by("phase__project__name", "phase__code", "code")
    )
    return {"projects": projects, "buildings": buildings, "values": values}


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def batch_new(request: HttpRequest) -> HttpResponse:
    access.check_may_create_batch(request.user)
    defaults = {
        "fee_months": "3",
        "day_start": "09:00",
        "day_end": "17:00",
        "slot_minutes": "60",
        "slot_capacity": "10",
    }
    if request.method == "GET":
        return render(request, "movein/batch_new.html", _batch_form_context(request.user, defaults))
    raw: dict[str, Any] = {k: request.POST.get(k, "") for k in BATCH_FIELDS}
    raw["buildings"] = request.POST.getlist("buildings")
    try:
        batch = batches.do_create_batch(request.user, raw)
    except (FormInvalid, Conflict) as exc:
        context = _batch_form_context(request.user, raw)
        context["errors"] = exc.field_errors if isinstance(exc, FormInvalid) else {"general": [message(exc)]}
        return render(request, "movein/batch_new.html", context, status=exc.status)
    messages.success(
        request,
        _("Batch %(name)s created: %(rooms)s rooms.") % {"name": batch.name, "rooms": batch.rooms.count()},
    )
    return redirect("movein:batch", pk=batch.pk)


@require_GET
@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access.access_batch(request.user, pk)
    rooms = _rooms_with_counts(batch)
    return render(
        request,
        "movein/batch_detail.html",
        {
            "batch": batch,
            "rooms": rooms,
            "figures": batches.summary(batch),
            "slots_count": batch.slots.count(),
        },
    )


def _rooms_with_counts(batch: Any) -> Any:
    from django.db.models import Count, Q

    return (
        batch.rooms.select_related("room__floor__unit__building", "slot")
        .annotate(
            defects_total=Count("defects"),
            defects_open=Count("defects", filter=Q(defects__status__in=OPEN_DEFECT)),
        )
        .order_by("room__code")
    )


# --- a room and its defects ------------------------------------------------------------------


def _room_page(
    request: HttpRequest, pk: int, *, errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    room = access.access_batch_room(request.user, pk)
    record_stage, record_refusal = "", ""
    try:
        record_stage, _task = access.check_may_record(request.user, room)
    except (NotAllowed, Conflict) as exc:
        record_refusal = message(exc)
    categories = InspectionCategory.objects.filter(
        corporate_group_id=room.batch.company.corporate_group_id
    ).prefetch_related("items")
    defect_rows = list(
        room.defects.select_related("item__category", "contractor").order_by("recorded_at", "pk")
    )
    thumbs = dict(
        DefectPhoto.objects.filter(defect__in=defect_rows, kind="defect")
        .order_by("defect_id", "-pk")
        .values_list("defect_id", "pk")
    )
    acceptance = AcceptanceRecord.objects.filter(batch_room=room).first()
    return render(
        request,
        "movein/room_detail.html",
        {
            "room": room, "defects": [(d, thumbs.get(d.pk)) for d in defect_rows], "categories": categories,
            "record_stage": record_stage, "record_refusal": record_refusal, "errors": errors or {},
            "values": values or {}, "locations": LOCATIONS, "acceptance": acceptance,
            "open_count": sum(d.is_open() for d in defect_rows), "max_mb": photos.max_bytes() // 2**20,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=status,
    )  # fmt: skip


@require_GET
@login_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _room_page(request, pk)


@require_POST
@login_required
@engine_errors
def defect_record(request: HttpRequest, pk: int) -> HttpResponse:
    room = access.access_batch_room(request.user, pk)
    values = {k: request.POST.get(k, "") for k in ("item", "location", "description")}
    try:
        defect = defects.do_record_defect(request.user, room, values, request.FILES.getlist("photos"))
    except FormInvalid as exc:
        return _room_page(request, pk, errors=exc.field_errors, values=values, status=400)
    except (NotAllowed, Conflict) as exc:
        return _room_page(request, pk, errors={"general": [message(exc)]}, values=values, status=exc.status)
    messages.success(request, _("Defect recorded: %(title)s.") % {"title": defect.title()})
    return redirect(_next(request, reverse("movein:room", args=[room.pk])))


def _defect_page(
    request: HttpRequest, pk: int, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    defect = access.access_defect(request.user, pk)
    may_upload = True
    try:
        access.check_may_add_rectified_photos(request.user, defect)
    except (NotAllowed, Conflict):
        may_upload = False
    events = []
    if (
        defect.instance_id
        and engine_access.visible_instances(request.user).filter(pk=defect.instance_id).exists()
    ):
        events = list(AuditEvent.objects.filter(instance_id=defect.instance_id).order_by("at", "pk")[:200])
    return render(
        request,
        "movein/defect_detail.html",
        {"defect": defect, "photos": list(defect.photos.defer("content", "thumbnail")), "may_upload": may_upload,
         "errors": errors or {}, "events": events, "may_see_room": access.visible_batch_rooms(request.user).filter(pk=defect.batch_room_id).exists()},
        status=status,
    )  # fmt: skip


@require_GET
@login_required
def defect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _defect_page(request, pk)


@require_POST
@login_required
@engine_errors
def defect_photos(request: HttpRequest, pk: int) -> HttpResponse:
    defect = access.access_defect(request.user, pk)
    try:
        added = defects.do_add_rectified_photos(request.user, defect, request.FILES.getlist("photos"))
    except FormInvalid as exc:
        return _defect_page(request, pk, errors=exc.field_errors, status=400)
    except (NotAllowed, Conflict) as exc:
        return _defect_page(request, pk, errors={"general": [message(exc)]}, status=exc.status)
    messages.success(request, _("%(count)s rectification photos added.") % {"count": len(added)})
    return redirect(_next(request, reverse("movein:defect", args=[defect.pk])))


# --- photos and the library -----------------------------------------------------------------


@require_GET
@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.access_photo(request.user, pk)
    return photos.photo_response(found.pk, "content", found.content_type, found.file_name)


@require_GET
@login_required
def photo_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.access_photo(request.user, pk)
    return photos.photo_response(found.pk, "thumbnail", "image/jpeg", f"thumb-{found.file_name}")


@require_GET
@login_required
def standards(request: HttpRequest) -> HttpResponse:
    group_id = getattr(getattr(request.user, "company", None), "corporate_group_id", None)
    categories = InspectionCategory.objects.filter(corporate_group_id=group_id).prefetch_related("items")
    return render(request, "movein/standards.html", {"categories": categories})
