"""What the repair flow adds to the generic pages (webapp.pages.extensions): the repair's first
photo beside its tasks in the inbox, and on its task pages a panel with the repair (location,
status, photos) and, for whoever works its team task, the photo upload (完工照片 before 完工)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from webapp.pages import extensions

from . import access
from .models import PhotoKind, RepairPhoto

FLOW = "repair"


def repair_thumbnails(user: Any, instance_ids: list[int]) -> dict[int, extensions.Thumbnail]:
    first_photo = RepairPhoto.objects.filter(repair=OuterRef("pk")).order_by("pk").values("pk")[:1]
    rows = (
        access.visible_repairs(user)
        .filter(instance_id__in=instance_ids)
        .annotate(photo_id=Subquery(first_photo))
        .values_list("instance_id", "photo_id", "location")
    )
    return {
        instance_id: extensions.Thumbnail(reverse("repairs:photo_thumb", args=[photo_id]), location)
        for instance_id, photo_id, location in rows
        if photo_id is not None
    }


def repair_panel(request: HttpRequest, task: Any) -> str:
    repair = access.visible_repairs(request.user).filter(instance_id=task.instance_id).first()
    if repair is None:
        return ""
    kind = PhotoKind.AFTER if task.element_id in access.TEAM_TASKS else PhotoKind.BEFORE
    may_upload = task.is_open()
    if may_upload:
        try:
            access.check_may_add_photos(request.user, repair, kind)
        except Exception:  # NotAllowed or Conflict: the panel without the upload form
            may_upload = False
    return render_to_string(
        "repairs/_repair_panel.html",
        {"repair": repair, "photos": list(repair.photos.defer("content", "thumbnail")), "may_upload": may_upload,
         "kind": kind, "kind_label": PhotoKind(kind).label, "next": request.get_full_path()},
        request=request,
    )  # fmt: skip


extensions.register_thumbnails(FLOW, repair_thumbnails)
extensions.register_panel(FLOW, repair_panel)
