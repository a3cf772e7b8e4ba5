"""Defect photos: what an upload must be (the checks themselves are webapp/common/images.py, shared
with the register's plans), and the thumbnail kept beside it.

An upload is accepted when it is a JPEG, PNG or WebP image by its content (the name and the
browser's content type are not trusted), at most ANJU_MAX_PHOTO_BYTES, at most MAX_PIXELS pixels
(a decompression bomb is refused before it is decoded) and not truncated. Everything is checked
before anything is written: one bad photo refuses the whole submission with a message naming it.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from webapp.common.images import (  # noqa: F401 (the names this module always offered)
    FORMATS,
    MAX_PHOTOS,
    MAX_PIXELS,
    THUMBNAIL,
    CheckedPhoto,
    PhotoProblem,
    check_photo,
    check_photos,
    max_bytes,
)

from .models import DefectPhoto


def photo_response(photo_id: int, column: str, content_type: str | None, name: str) -> HttpResponse:
    """A stored photo (`column`: "content" or "thumbnail") as an inline download the browser may
    keep for a day; call after the access check."""
    data = DefectPhoto.objects.filter(pk=photo_id).values_list(column, flat=True).get()
    response = HttpResponse(bytes(data), content_type=content_type or "image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name, safe='')}"
    return response
