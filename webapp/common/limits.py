"""How large a request body may be, per route, and reading an unsized body no further than that.

The limits are settings (webapp/settings.py, "Request size limits"); which setting a path gets is
decided here from the path alone, so the answer is known before the body, the session or the user
is looked at. docs/security.md has the table; keep the two in step.

Why the path and not the resolved view: the check runs first in MIDDLEWARE, before URL resolution
would be worth its cost, and an unknown path gets the default limit anyway.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Route:
    name: str
    pattern: re.Pattern[str]
    setting: str


# First match wins; everything else (pages and the JSON API) gets ANJU_MAX_REQUEST_BYTES.
ROUTES = (
    Route(
        "sign-in and language forms",
        re.compile(
            r"^/(accounts/login|accounts/logout|admin/login|admin/logout|api/auth/token|i18n/setlang"
            r"|my/login|my/login/code|my/logout)/$"
        ),
        "ANJU_MAX_FORM_REQUEST_BYTES",
    ),
    Route("flow deploy", re.compile(r"^/api/process-definitions/$"), "ANJU_MAX_DEPLOY_REQUEST_BYTES"),
    Route("Excel imports", re.compile(r"^/(api/)?imports/$"), "ANJU_MAX_IMPORT_REQUEST_BYTES"),
    Route(
        "defect photos",
        re.compile(r"^/(api/)?movein/(rooms/\d+/defects|defects/\d+/photos)/$"),
        "ANJU_MAX_PHOTO_REQUEST_BYTES",
    ),
    Route(  # a repair's photos: staff add them on its page, a resident with the report (/my/repairs/new/)
        "repair photos",
        re.compile(r"^/(repairs/\d+/photos|my/repairs/new)/$"),
        "ANJU_MAX_PHOTO_REQUEST_BYTES",
    ),
    Route(  # one plan of the property register (webapp/realestate/plans.py): the photo limit
        "register plans",
        re.compile(r"^/(api/register/plans|register/plans/upload)/$"),
        "ANJU_MAX_PHOTO_REQUEST_BYTES",
    ),
)
DEFAULT_SETTING = "ANJU_MAX_REQUEST_BYTES"


def body_limit(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    for route in ROUTES:
        if route.pattern.match(path):
            return int(getattr(settings, route.setting))
    return int(getattr(settings, DEFAULT_SETTING))


def declared_length(meta: dict[str, Any]) -> int | None:
    """The Content-Length the client declared, or None when there is none (or it is no number:
    Django then reads no body at all)."""
    try:
        return int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def has_unsized_body(meta: dict[str, Any]) -> bool:
    """A chunked body the server will end for us (gunicorn sets wsgi.input_terminated). Without
    that promise (runserver) reading to the end could block, and Django reads nothing anyway."""
    chunked = "chunked" in str(meta.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return chunked and bool(meta.get("wsgi.input_terminated")) and declared_length(meta) is None


class TooLarge(Exception):
    """The body went past its limit while it was read."""


def read_bounded(stream: IO[bytes], limit: int) -> tempfile.SpooledTemporaryFile[bytes]:
    """The whole of an unsized body, counted as it streams in: TooLarge as soon as it passes
    `limit`, so no more than `limit` bytes are ever kept (in memory up to
    FILE_UPLOAD_MAX_MEMORY_SIZE, then in a temporary file the caller closes)."""
    kept = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (handed to the caller, closed here on failure)
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    size = 0
    try:
        while True:
            chunk = stream.read(min(CHUNK, limit + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise TooLarge(size)
            kept.write(chunk)
    except BaseException:
        kept.close()
        raise
    kept.seek(0)
    return kept


def human(size: int) -> str:
    """16 KB, 2.5 MB: a limit as people read it."""
    if size >= 1024 * 1024:
        return f"{size / 1048576:.1f}".removesuffix(".0") + " MB"
    return f"{size / 1024:.1f}".removesuffix(".0") + " KB"
