"""Engine errors as pages: a Bootstrap alert with the error's HTTP status, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from engine.errors import Conflict, EngineError, FormInvalid
from forms.text import TextRefused

TITLES = {
    400: gettext_noop("The request could not be carried out"),
    403: gettext_noop("Not allowed"),
    404: gettext_noop("Not found"),
    409: gettext_noop("Someone else got there first"),
}


def message(exc: EngineError) -> str:
    """The error's text in the active language."""
    if isinstance(exc, FormInvalid):
        return _("Please correct the marked fields.")
    return exc.message  # the engine translates its messages when it raises them


def error_page(request: HttpRequest, exc: EngineError | str, status: int | None = None) -> HttpResponse:
    code = status or (exc.status if isinstance(exc, EngineError) else 400)
    text = message(exc) if isinstance(exc, EngineError) else exc
    context = {"status": code, "title": _(TITLES.get(code, TITLES[400])), "message": text}
    if isinstance(exc, Conflict):
        context["conflict"] = exc
    return render(request, "pages/error.html", context, status=code)


def engine_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render any EngineError the view lets through as an error page with its status."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except EngineError as exc:
            return error_page(request, exc)
        except TextRefused as exc:  # forms.text.check_text: a control character in stored text
            return error_page(request, str(exc), 400)

    return wrapper
