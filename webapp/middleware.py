"""Chinese first: the UI is zh-Hans unless the user picked another language with the switch
(the django_language cookie); the browser's Accept-Language does not override it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
