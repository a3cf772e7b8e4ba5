"""投诉建议 pages of the owner's channel (thin: the rules are in owner_complaints.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engine.errors import FormInvalid

from . import access, owner_complaints, session


@require_GET
@session.resident_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    instances = list(owner_complaints.my_complaints(resident)[:100])
    stages = owner_complaints.stages(instances)
    rows = [(instance, stages[instance.pk]) for instance in instances]
    return render(request, "owner/complaints/list.html", {"resident": resident, "rows": rows})


@require_http_methods(["GET", "POST"])
@session.resident_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    rooms = access.my_rooms(resident)
    errors: dict[str, list[str]] = {}
    values = {
        "room": str(request.GET.get("room") or (rooms[0].room.pk if len(rooms) == 1 else "")),
        "issue_type": "complaint",
    }
    if request.method == "POST":
        values = {
            k: str(request.POST.get(k, ""))[:2000]
            for k in ("room", "issue_type", "issue_class", "description")
        }
        try:
            submission = owner_complaints.check_submission(resident, request.POST)
            instance = owner_complaints.do_submit(resident, submission)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(request, _("Thank you. The service centre has received it."))
            return redirect("owner:complaint", pk=instance.pk)
    context = {
        "resident": resident, "rooms": rooms, **owner_complaints.form_choices(), "errors": errors,
        "values": values,
    }  # fmt: skip
    return render(request, "owner/complaints/new.html", context, status=400 if errors else 200)


@require_GET
@session.resident_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    instance = owner_complaints.access_my_complaint(resident, pk)
    view = owner_complaints.customer_view(instance)
    return render(
        request, "owner/complaints/detail.html", {"resident": resident, "instance": instance, "view": view}
    )
