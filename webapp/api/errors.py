"""One mapping from engine exceptions to HTTP answers, for every API view."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from engine.errors import Conflict, DeployError, EngineError, FormInvalid
from forms.text import TextRefused


def error_body(exc: EngineError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.message}
    if isinstance(exc, FormInvalid):
        body["field_errors"] = exc.field_errors
    elif isinstance(exc, DeployError):
        body["problems"] = [p.as_dict() for p in exc.problems]
    elif isinstance(exc, Conflict):
        body.update({k: v for k, v in (("by", exc.by), ("at", exc.at)) if v})
    return body


def _refused_request(exc: Exception) -> str:
    """Why Django's request parser refused the body: too large, too many files or fields."""
    if isinstance(exc, TooManyFilesSent):
        return _("Too many files in one request (at most %(count)s).") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    if isinstance(exc, TooManyFieldsSent):
        return _("Too many fields in one request (at most %(count)s).") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    return _("The request is larger than %(limit)s MB; files go in a multipart upload.") % {
        "limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1048576:g}"
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, EngineError):
        return Response(error_body(exc), status=exc.status)
    if isinstance(exc, TextRefused):  # forms.text.check_text: a control character in stored text
        return Response(error_body(FormInvalid(exc.field_errors)), status=400)
    if isinstance(exc, (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent)):
        # Django's own answer would be its HTML 400 page; API clients get the API's shape.
        return Response({"detail": _refused_request(exc)}, status=400)
    return drf_exception_handler(exc, context)
