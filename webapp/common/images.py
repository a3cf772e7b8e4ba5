"""Uploaded images checked by their content: what a photo (a move-in defect, a repair) or an image
plan of the property register must be, and the thumbnail kept beside it.

An upload is accepted when it is a JPEG, PNG or WebP image by its content (the name and the
browser's content type are not trusted), at most ANJU_MAX_PHOTO_BYTES, at most MAX_PIXELS pixels
(a decompression bomb is refused before it is decoded) and not truncated. (Moved here from
webapp/movein/photos.py, which keeps its names, so that apps of lower layers can use it.)
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import FormInvalid

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 50_000_000  # 50 megapixels: every phone camera, never a bomb
THUMBNAIL = (320, 320)


class PhotoProblem(ValueError):
    """Why an upload is not accepted, in words for the person uploading."""


@dataclass(frozen=True)
class CheckedPhoto:
    file_name: str
    content_type: str
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    return int(settings.ANJU_MAX_PHOTO_BYTES)


def _megabytes(value: int) -> str:
    return f"{value / 2**20:.1f}".rstrip("0").rstrip(".")


def check_photo(upload: Any) -> CheckedPhoto:
    """One uploaded file (Django UploadedFile) as a checked photo; PhotoProblem with a message."""
    name = str(getattr(upload, "name", "") or "photo")[:200]
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise PhotoProblem(
            _("%(name)s is %(size)s MB; a photo may be at most %(limit)s MB.")
            % {"name": name, "size": _megabytes(size), "limit": _megabytes(limit)}
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise PhotoProblem(
            _("%(name)s is larger than %(limit)s MB.") % {"name": name, "limit": _megabytes(limit)}
        )
    if not content:
        raise PhotoProblem(_("%(name)s is empty.") % {"name": name})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                kind, width, height = probe.format, probe.width, probe.height
                if kind not in FORMATS:
                    raise PhotoProblem(
                        _("%(name)s is a %(kind)s file; photos must be JPEG, PNG or WebP.")
                        % {"name": name, "kind": kind or "?"}
                    )
                if width * height > MAX_PIXELS:
                    raise PhotoProblem(
                        _("%(name)s has %(pixels)s megapixels; at most %(limit)s are accepted.")
                        % {
                            "name": name,
                            "pixels": width * height // 1_000_000,
                            "limit": MAX_PIXELS // 1_000_000,
                        }
                    )
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                thumbnail = _thumbnail(image)
    except PhotoProblem:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoProblem(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}) from None
    except (OSError, SyntaxError, EOFError, ValueError):  # truncated or corrupt image data
        raise PhotoProblem(
            _("%(name)s is damaged or incomplete; take or export it again.") % {"name": name}
        ) from None
    return CheckedPhoto(
        file_name=name, content_type=FORMATS[kind], content=content, thumbnail=thumbnail, width=width,
        height=height, sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip


def _thumbnail(image: Image.Image) -> bytes:
    """A JPEG of at most THUMBNAIL pixels, upright (EXIF orientation applied)."""
    image.load()
    upright = ImageOps.exif_transpose(image) or image
    small = upright.convert("RGB")
    small.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


MAX_PHOTOS = 9  # per submission


def check_photos(uploads: list[Any], field: str = "photos", *, required: bool = False) -> list[CheckedPhoto]:
    """All uploads of a submission checked; FormInvalid {field: [one message per bad photo]}."""
    if required and not uploads:
        raise FormInvalid({field: [_("Add at least one photo.")]})
    if len(uploads) > MAX_PHOTOS:
        raise FormInvalid({field: [_("At most %(count)s photos at a time.") % {"count": MAX_PHOTOS}]})
    checked, problems = [], []
    for upload in uploads:
        try:
            checked.append(check_photo(upload))
        except PhotoProblem as exc:
            problems.append(str(exc))
    if problems:
        raise FormInvalid({field: problems})
    return checked
