"""Login throttling: after ANJU_LOGIN_MAX_FAILURES failed logins for one username, or
ANJU_LOGIN_MAX_FAILURES_PER_IP from one client address, within ANJU_LOGIN_WINDOW_SECONDS of the
first of them, every further attempt for that username or from that address is refused for
ANJU_LOGIN_LOCK_SECONDS, the right password included, so guessing cannot go on. A successful login
clears the counts of its username and its address; a locked username does not stop another user.

Used by every place that checks a password: the login page, the admin's login page and the API's
token endpoint /api/auth/token/ (429 there). The counts live in the Django cache, so all web
processes share them in production (CACHES is Redis whenever REDIS_URL is set; locmem in embedded
mode and in tests). Counters and locks expire by the cache's own timeouts; `cache.add` and
`cache.incr` are atomic in both backends, so parallel guesses are all counted.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

PREFIX = "anju:login"


def _max_failures(kind: str) -> int:
    if kind == "ip":
        return int(getattr(settings, "ANJU_LOGIN_MAX_FAILURES_PER_IP", settings.ANJU_LOGIN_MAX_FAILURES))
    return int(settings.ANJU_LOGIN_MAX_FAILURES)


def client_ip(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or the last address of ANJU_LOGIN_IP_HEADER (e.g.
    HTTP_X_FORWARDED_FOR, which our own proxy appends to) when the site runs behind a proxy."""
    meta = getattr(request, "META", {})
    header = getattr(settings, "ANJU_LOGIN_IP_HEADER", "")
    if header and meta.get(header):
        return str(meta[header]).split(",")[-1].strip()[:100]
    return str(meta.get("REMOTE_ADDR", "") or "unknown")[:100]


def _subjects(request: Any, username: str) -> list[tuple[str, str]]:
    subjects = [("ip", client_ip(request))]
    # Case-folded: a directory (LDAP) matches names regardless of case, so AGENT is agent.
    name = str(username or "").strip().casefold()[:300]
    if name:
        subjects.insert(0, ("user", name))
    return subjects


def _key(what: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:40]
    return f"{PREFIX}:{what}:{kind}:{digest}"


def locked_for(request: Any, username: str) -> int:
    """Seconds until the username or the client's address may try again (0: not locked)."""
    now = time.time()
    waits = [0.0]
    for kind, value in _subjects(request, username):
        until = cache.get(_key("lock", kind, value))
        if isinstance(until, (int, float)) and until > now:
            waits.append(until - now)
    return math.ceil(max(waits))


def record_failure(request: Any, username: str) -> int:
    """Count a failed login; returns the seconds of the lock it started (0 when none)."""
    window = int(settings.ANJU_LOGIN_WINDOW_SECONDS)
    lock_seconds = int(settings.ANJU_LOGIN_LOCK_SECONDS)
    started = 0
    for kind, value in _subjects(request, username):
        key = _key("fail", kind, value)
        if cache.add(key, 1, timeout=window):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window)
                count = 1
        if count >= _max_failures(kind):
            cache.set(_key("lock", kind, value), time.time() + lock_seconds, timeout=lock_seconds)
            cache.delete(key)
            started = lock_seconds
    return started


def record_success(request: Any, username: str) -> None:
    """A successful login clears the counts of its username and its address."""
    cache.delete_many([_key("fail", kind, value) for kind, value in _subjects(request, username)])


def lock_message(seconds: int) -> str:
    return _(
        "Too many failed sign-in attempts. Sign-in for this account or from this computer is "
        "locked; try again in %(minutes)s minutes."
    ) % {"minutes": max(1, math.ceil(seconds / 60))}


class ThrottledLoginMixin:
    """For Django's AuthenticationForm and its admin subclass: refuse while locked, count failures."""

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        password = self.cleaned_data.get("password")
        if username and password:
            seconds = locked_for(self.request, username)
            if seconds:
                raise forms.ValidationError(lock_message(seconds), code="locked")
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError as exc:
            # a user_cache means the password was right and the login refused for another reason
            wrong = getattr(self, "user_cache", None) is None
            if username and password and wrong and getattr(exc, "code", None) == "invalid_login":
                seconds = record_failure(self.request, username)
                if seconds:
                    raise forms.ValidationError(lock_message(seconds), code="locked") from None
            raise
        if username and password:
            record_success(self.request, username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The login page's form."""


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login form (admin.site.login_form)."""


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST /api/auth/token/: DRF's token endpoint, refused with 429 while locked."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data if isinstance(request.data, Mapping) else {}
        username, password = str(data.get("username") or ""), data.get("password")
        seconds = locked_for(request, username) if username and password else 0
        if seconds:
            return _locked_response(seconds)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if username and password:
                seconds = record_failure(request, username)
                if seconds:
                    return _locked_response(seconds)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        record_success(request, username)
        user = serializer.validated_data["user"]
        from rest_framework.authtoken.models import Token

        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _locked_response(seconds: int) -> Response:
    return Response(
        {"detail": lock_message(seconds)},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(seconds)},
    )


obtain_auth_token = ThrottledObtainAuthToken.as_view()
