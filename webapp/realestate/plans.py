"""Plans stored with the register tree (房产管理模块 "支持图片存档"): the 小区平面图 on the 管理区
(project), the building plan on the 大楼, the 户型图 on a room.

A plan is an image (JPEG, PNG or WebP, checked as a defect photo is: webapp/common/images.py, with
the same ANJU_MAX_PHOTO_BYTES limit) or a PDF (by its content: "%PDF-" at the start, "%%EOF" near
the end). The name and the browser's content type are not trusted. Everything is checked before
anything is written."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from engine import clock
from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp.common import images as photos

from . import access
from .models import Building, PlanKind, RegisterPlan, Room

PDF = "application/pdf"
PDF_TAIL = 2048  # "%%EOF" is within the last bytes of a whole PDF (incremental updates included)
TARGETS = {"project": PlanKind.SITE, "building": PlanKind.BUILDING, "room": PlanKind.LAYOUT}


@dataclass(frozen=True)
class CheckedPlan:
    file_name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _is_image(content: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(content)):
            return True
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False


def check_plan(upload: Any) -> CheckedPlan:
    """One uploaded file as a checked plan; photos.PhotoProblem with a message for the uploader."""
    name = str(getattr(upload, "name", "") or "plan")[:200]
    limit = photos.max_bytes()
    size = getattr(upload, "size", None)
    too_big = _("%(name)s is larger than %(limit)s MB.") % {"name": name, "limit": f"{limit / 2**20:g}"}
    if size is not None and size > limit:
        raise photos.PhotoProblem(too_big)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise photos.PhotoProblem(too_big)
    if not content:
        raise photos.PhotoProblem(_("%(name)s is empty.") % {"name": name})
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-PDF_TAIL:]:
            raise photos.PhotoProblem(_("%(name)s is an incomplete PDF; export it again.") % {"name": name})
        return CheckedPlan(name, PDF, content)
    if not _is_image(content):
        raise photos.PhotoProblem(
            _("%(name)s is neither an image (JPEG, PNG or WebP) nor a PDF.") % {"name": name}
        )
    upload.seek(0)
    photo = photos.check_photo(upload)  # format, pixels, truncation: as for defect photos
    return CheckedPlan(name, photo.content_type, photo.content)


def _target(user: Any, target: str, pk: Any) -> dict[str, Any]:
    """The plan's place in the tree as RegisterPlan fields; FormInvalid or 404 for a bad one."""
    if target not in TARGETS:
        raise FormInvalid({"target": [_("Choose where the plan goes: project, building or room.")]})
    if parse_id(pk) is None:
        raise FormInvalid({"id": [_("Give the id (a number) of the %(target)s.") % {"target": target}]})
    if target == "project":
        access.register_project(user)  # the register right, before any lookup
        project = access.visible_projects(user).filter(pk=parse_id(pk)).first()
        if project is None:
            raise Http404("no such project")
        return {"project": project}
    if target == "building":
        building = access.access_building(user, pk)
        return {"project": building.phase.project, "building": building}
    room = access.access_room(user, pk)
    return {"project": room.project, "building": room.floor.unit.building, "room": room}


def save_plan(user: Any, target: str, pk: Any, uploads: list[Any]) -> RegisterPlan:
    """Store one uploaded plan on the project, building or room (the register-manage right)."""
    access.check_may_manage_register(user)
    place = _target(user, target, pk)
    if not uploads:
        raise FormInvalid({"file": [_("Choose a file to upload.")]})
    if len(uploads) > 1:
        raise FormInvalid({"file": [_("Upload one plan at a time.")]})
    try:
        checked = check_plan(uploads[0])
    except photos.PhotoProblem as exc:
        raise FormInvalid({"file": [str(exc)]}) from None
    return RegisterPlan.objects.create(
        company_id=user.company_id, kind=TARGETS[target], file_name=checked.file_name,
        content_type=checked.content_type, size=len(checked.content), sha256=checked.sha256,
        content=checked.content, uploaded_by=user, uploaded_at=clock.now(), **place,
    )  # fmt: skip


def plans_of(holder: Any) -> list[RegisterPlan]:
    """The plans stored on a project (its 小区平面图 only), building or room, newest first."""
    plans = RegisterPlan.objects.defer("content").select_related("uploaded_by")
    if isinstance(holder, Room):
        return list(plans.filter(room=holder))
    if isinstance(holder, Building):
        return list(plans.filter(building=holder, kind=PlanKind.BUILDING))
    return list(plans.filter(project=holder, kind=PlanKind.SITE))


def plan_response(plan: RegisterPlan) -> HttpResponse:
    """The stored plan, inline (images and PDFs open in the browser); call after the access check."""
    content = RegisterPlan.objects.filter(pk=plan.pk).values_list("content", flat=True).get()
    response = HttpResponse(bytes(content), content_type=plan.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(plan.file_name, safe='')}"
    return response
