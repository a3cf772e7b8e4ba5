"""入伙 pages of the owner's channel: my handovers (appointment, checklist, defects), booking a
slot, one defect with its photos, and the photo files. Thin: the getters and the booking action
are webapp/owner/owner_movein.py (and webapp/movein/booking.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from engine.errors import FormInvalid
from webapp.movein.photos import photo_response

from . import owner_movein, session


def _overview(
    request: HttpRequest, *, failed: int | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    handovers = owner_movein.my_handovers(resident)
    for entry in handovers:
        if entry.room.pk == failed:
            entry.error = error
    booked = request.GET.get("booked", "")
    for entry in handovers:
        entry.just_booked = booked == str(entry.room.pk)
    context = {"resident": resident, "handovers": handovers}
    return render(request, "owner/movein/overview.html", context, status=status)


@require_GET
@session.resident_required
def overview(request: HttpRequest) -> HttpResponse:
    """My handovers: each room's batch, appointment (book or change), checklist and defects."""
    return _overview(request)


@require_POST
@session.resident_required
def book_slot(request: HttpRequest, pk: int) -> HttpResponse:
    """Book or change the appointment of my batch room `pk` (field `slot`)."""
    resident = request.resident  # type: ignore[attr-defined]
    room = owner_movein.access_batch_room(resident, pk)
    try:
        owner_movein.do_book_my_slot(resident, room, request.POST.get("slot"))
    except FormInvalid as exc:
        message = "; ".join(str(m) for messages in exc.field_errors.values() for m in messages)
        return _overview(request, failed=room.pk, error=message, status=400)
    return redirect(f"{reverse('owner:movein')}?booked={room.pk}#handover-{room.pk}")


@require_GET
@session.resident_required
def defect(request: HttpRequest, pk: int) -> HttpResponse:
    """One defect of my rooms: its status, the promised date, photos before and after."""
    resident = request.resident  # type: ignore[attr-defined]
    found = owner_movein.access_defect(resident, pk)
    before, after = owner_movein.photos_of(found)
    context = {
        "resident": resident, "defect": found, "before": before, "after": after,
        "promised": owner_movein.promised_dates([found]).get(found.pk),
    }  # fmt: skip
    return render(request, "owner/movein/defect.html", context)


@require_GET
@session.resident_required
def defect_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo of a defect of my rooms (`?thumb=1`: its small JPEG); 404 for any other."""
    found = owner_movein.access_photo(request.resident, pk)  # type: ignore[attr-defined]
    if request.GET.get("thumb"):
        return photo_response(found.pk, "thumbnail", "image/jpeg", f"thumb-{found.file_name}")
    return photo_response(found.pk, "content", found.content_type, found.file_name)
