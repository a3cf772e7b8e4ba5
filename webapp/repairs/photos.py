"""Repair photos: the move-in photo rules (type by content, size, pixels, thumbnail:
webapp/movein/photos.py) applied to 报修照片 and 完工照片."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from webapp.common.images import check_photos

from .access import check_may_add_photos
from .models import PhotoKind, Repair, RepairPhoto
from .records import log


def do_add_photos(user: Any, repair: Repair, kind: Any, uploads: list[Any]) -> list[RepairPhoto]:
    if kind not in PhotoKind.values:
        raise FormInvalid({"kind": [_("Say whether the photos show the problem or the finished repair.")]})
    check_may_add_photos(user, repair, kind)
    photos = check_photos(uploads, "photos", required=True)
    now = clock.now()
    with transaction.atomic():
        rows = RepairPhoto.objects.bulk_create(
            RepairPhoto(
                company_id=repair.company_id, repair=repair, kind=kind, round=repair.reopen_count, file_name=p.file_name,
                content_type=p.content_type, size=p.size, width=p.width, height=p.height, sha256=p.sha256,
                content=p.content, thumbnail=p.thumbnail, uploaded_by=user, uploaded_at=now,
            )
            for p in photos
        )  # fmt: skip
        log(repair, "照片", user, f"{PhotoKind(kind).label} {len(rows)} 张", now)
    return rows


def photo_response(photo: RepairPhoto, column: str) -> HttpResponse:
    """A stored photo (`column`: "content" or "thumbnail") inline, cached privately for a day; call
    after the access check."""
    data = RepairPhoto.objects.filter(pk=photo.pk).values_list(column, flat=True).get()
    content_type = photo.content_type if column == "content" else "image/jpeg"
    response = HttpResponse(bytes(data), content_type=content_type or "image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(photo.file_name, safe='')}"
    return response
