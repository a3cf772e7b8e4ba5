"""What the move-in flows add to the generic pages (webapp.pages.extensions): the defect's first
photo beside its tasks in the inbox, and on the task page a panel with the defect (photos, the
standard's criteria, the upload of rectification photos) or the room (its defects, the link to
record one) or the batch (its figures)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from webapp.pages import extensions

from . import access, batches
from .models import DefectPhoto, PhotoKind


def defect_thumbnails(user: Any, instance_ids: list[int]) -> dict[int, extensions.Thumbnail]:
    first_photo = (
        DefectPhoto.objects.filter(defect=OuterRef("pk"), kind=PhotoKind.DEFECT)
        .order_by("pk")
        .values("pk")[:1]
    )
    rows = (
        access.visible_defects(user)
        .filter(instance_id__in=instance_ids)
        .annotate(photo_id=Subquery(first_photo))
        .values_list("instance_id", "photo_id", "location", "item__name")
    )
    return {
        instance_id: extensions.Thumbnail(
            reverse("movein:photo_thumb", args=[photo_id]), f"{location} · {item}"
        )
        for instance_id, photo_id, location, item in rows
        if photo_id is not None
    }


def defect_panel(request: HttpRequest, task: Any) -> str:
    defect = access.visible_defects(request.user).filter(instance_id=task.instance_id).first()
    if defect is None:
        return ""
    photos = list(defect.photos.defer("content", "thumbnail"))
    may_upload = task.is_open() and task.element_id == access.RECTIFY_TASK
    if may_upload:
        try:
            access.check_may_add_rectified_photos(request.user, defect)
        except Exception:  # NotAllowed or Conflict: show the panel without the upload form
            may_upload = False
    return render_to_string(
        "movein/_defect_panel.html",
        {"defect": defect, "photos": photos, "may_upload": may_upload, "task": task},
        request=request,
    )


def room_panel(request: HttpRequest, task: Any) -> str:
    room = access.visible_batch_rooms(request.user).filter(instance_id=task.instance_id).first()
    if room is None:
        return ""
    defects = list(room.defects.select_related("item__category", "contractor").order_by("recorded_at", "pk"))
    return render_to_string(
        "movein/_room_panel.html",
        {"room": room, "defects": defects, "open_count": sum(d.is_open() for d in defects), "task": task},
        request=request,
    )


def batch_panel(request: HttpRequest, task: Any) -> str:
    batch = access.visible_batches(request.user).filter(instance_id=task.instance_id).first()
    if batch is None:
        return ""
    return render_to_string(
        "movein/_batch_panel.html", {"batch": batch, "figures": batches.summary(batch)}, request=request
    )


extensions.register_thumbnails("movein_defect", defect_thumbnails)
extensions.register_panel("movein_defect", defect_panel)
extensions.register_panel("movein_room", room_panel)
extensions.register_panel("movein_batch", batch_panel)
