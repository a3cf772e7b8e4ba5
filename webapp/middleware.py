"""Middleware of the whole site.

Chinese first: the UI is zh-Hans unless the user picked another language with the switch
(the django_language cookie); the browser's Accept-Language does not override it.

Request size: a body above its route's limit is refused before it is read (webapp/common/limits.py).
"""

from collections.abc import Callable
from io import BytesIO
from typing import cast

from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse

from webapp.common import limits


class ChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a body larger than its route allows (webapp/common/limits.py) with 413, before a
    byte of it is read: first in MIDDLEWARE, so neither CSRF (which parses a POST) nor sessions or
    authentication run for it.

    A declared Content-Length above the limit is refused outright. Below it, Django's own
    LimitedStream never reads past Content-Length, so the multipart parser can keep (in memory or a
    temporary file) at most the route's limit. A chunked body (no Content-Length, ended by the
    server: gunicorn) is read here, counted as it streams, and refused once it passes the limit;
    within the limit it is handed on with its length, so Django parses it like any other body.

    Nothing here reads request.body or request.POST; the refusal leaves the body unread (gunicorn
    discards at most 64 KB of it, then closes the connection).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limits.body_limit(request.path_info)
        declared = limits.declared_length(request.META)
        if declared is not None and declared > limit:
            return too_large(request, limit)
        if not limits.has_unsized_body(request.META):
            return self.get_response(request)
        try:
            body = limits.read_bounded(request.META["wsgi.input"], limit)
        except limits.TooLarge:
            return too_large(request, limit)
        with body:
            length = body.seek(0, 2)
            body.seek(0)
            request.META["CONTENT_LENGTH"] = str(length)
            request._stream = LimitedStream(cast(BytesIO, body), length)  # type: ignore[assignment]
            return self.get_response(request)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413: JSON in the API's error shape under /api/, a short page elsewhere."""
    message = f"请求过大：此处最多 {limits.human(limit)}。The request is larger than {limits.human(limit)}."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    page = f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>413</title><p>{message}</p>'
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
