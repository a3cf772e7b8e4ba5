"""One mapping from engine exceptions to HTTP answers, for every API view."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from engine.errors import Conflict, DeployError, EngineError, FormInvalid


def error_body(exc: EngineError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.message}
    if isinstance(exc, FormInvalid):
        body["field_errors"] = exc.field_errors
    elif isinstance(exc, DeployError):
        body["problems"] = [p.as_dict() for p in exc.problems]
    elif isinstance(exc, Conflict):
        body.update({k: v for k, v in (("by", exc.by), ("at", exc.at)) if v})
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, EngineError):
        return Response(error_body(exc), status=exc.status)
    return drf_exception_handler(exc, context)
