"""报事报修 pages of the owner's channel (thin: the rules are in owner_repairs.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.errors import Conflict, FormInvalid
from webapp.repairs.models import PhotoKind, Repair
from webapp.repairs.photos import photo_response

from . import access, owner_repairs, session


@require_GET
@session.resident_required
def repair_list(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    repairs = list(owner_repairs.my_repairs(resident)[:100])
    return render(request, "owner/repairs/list.html", {"resident": resident, "repairs": repairs})


@require_http_methods(["GET", "POST"])
@session.resident_required
def repair_new(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    rooms = access.my_rooms(resident)
    errors: dict[str, list[str]] = {}
    values = {"room": str(request.GET.get("room") or (rooms[0].room.pk if len(rooms) == 1 else ""))}
    if request.method == "POST":
        values = {
            k: str(request.POST.get(k, ""))[:2000]
            for k in ("room", "category", "description", "appointment_at", "urgent")
        }
        try:
            report = owner_repairs.check_report(resident, request.POST, request.FILES)
            repair = owner_repairs.do_report(resident, report)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(request, _("Your repair is reported. We will keep you posted here."))
            return redirect("owner:repair", pk=repair.pk)
    context = {
        "resident": resident, "rooms": rooms, "categories": owner_repairs.CATEGORIES, "errors": errors,
        "values": values,
    }  # fmt: skip
    return render(request, "owner/repairs/new.html", context, status=400 if errors else 200)


def _detail(
    request: HttpRequest,
    repair: Repair,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    task = owner_repairs.callback_task(repair)
    context = {
        "resident": request.resident,  # type: ignore[attr-defined]
        "repair": repair, "timeline": owner_repairs.timeline(repair),
        "technician": owner_repairs.technician_name(repair),
        "photos": list(repair.photos.filter(kind=PhotoKind.BEFORE).defer("content", "thumbnail")),
        "after_photos": list(repair.photos.filter(kind=PhotoKind.AFTER).defer("content", "thumbnail")),
        "may_evaluate": owner_repairs.evaluation_refusal(repair, task) is None,
        "refusal": refusal, "satisfaction_choices": owner_repairs.SATISFACTION,
        "errors": errors or {}, "values": values or {},
    }  # fmt: skip
    return render(request, "owner/repairs/detail.html", context, status=status)


@require_GET
@session.resident_required
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    repair = owner_repairs.access_my_repair(request.resident, pk)  # type: ignore[attr-defined]
    return _detail(request, repair)


@require_POST
@session.resident_required
def repair_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    repair = owner_repairs.access_my_repair(resident, pk)
    values = {k: str(request.POST.get(k, ""))[:1000] for k in ("satisfaction", "resolved", "comment")}
    try:
        evaluation = owner_repairs.check_evaluation(request.POST)
        owner_repairs.do_evaluate(resident, repair, evaluation)
    except FormInvalid as exc:
        return _detail(request, repair, exc.field_errors, values, status=400)
    except Conflict as exc:
        repair.refresh_from_db()
        return _detail(request, repair, values=values, status=409, refusal=exc.message)
    messages.success(request, _("Thank you for your evaluation."))
    return redirect("owner:repair", pk=repair.pk)


@require_GET
@session.resident_required
def repair_photo(request: HttpRequest, pk: int) -> HttpResponse:
    found = owner_repairs.access_my_photo(request.resident, pk)  # type: ignore[attr-defined]
    return photo_response(found, "thumbnail" if request.GET.get("size") == "thumb" else "content")
