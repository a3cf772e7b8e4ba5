"""Login throttling: after ANJU_LOGIN_MAX_FAILURES failed logins for one username, or
ANJU_LOGIN_MAX_FAILURES_PER_IP from one client address, within ANJU_LOGIN_WINDOW_SECONDS of the
first of them, every further attempt for that username or from that address is refused for
ANJU_LOGIN_LOCK_SECONDS, the right password included, so guessing cannot go on. A successful login
clears the counts of its username and its address; a locked username does not stop another user.

Used by every place that checks a password: the login page, the admin's login page and the API's
token endpoint /api/auth/token/ (429 there). The counts live in the Django cache, so all web
processes share them in production (CACHES is Redis whenever REDIS_URL is set; locmem in embedded
mode and in tests). Counters and locks expire by the cache's own timeouts.

An attempt takes its place in the counts before its password is checked (`Attempt.begin`):
`cache.add` and `cache.incr` are atomic in both backends, so of any number of parallel guesses at
most the limit get a place and are checked; the others are refused unchecked. A place is given back
when the check was not a wrong password (a right password refused for another reason).
"""

from __future__ import annotations

import contextlib
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


def _locked_for(subjects: list[tuple[str, str]]) -> int:
    now = time.time()
    waits = [0.0]
    for kind, value in subjects:
        until = cache.get(_key("lock", kind, value))
        if isinstance(until, (int, float)) and until > now:
            waits.append(until - now)
    return math.ceil(max(waits))


def locked_for(request: Any, username: str) -> int:
    """Seconds until the username or the client's address may try again (0: not locked)."""
    return _locked_for(_subjects(request, username))


def _take_place(key: str, window: int) -> int:
    """Add one to the count at `key` atomically; returns the new count."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


class Attempt:
    """One password check, counted before it runs: begin(), check the password, then exactly one
    of failed(), succeeded() or not_counted()."""

    def __init__(self, request: Any, username: str) -> None:
        self.subjects = _subjects(request, username)
        self.places: dict[tuple[str, str], int] = {}

    def begin(self) -> int:
        """Take a place in the counts; returns the seconds of the lock that refuses the attempt
        unchecked (0: check the password)."""
        seconds = _locked_for(self.subjects)
        if seconds:
            return seconds
        window = int(settings.ANJU_LOGIN_WINDOW_SECONDS)
        over = False
        for kind, value in self.subjects:
            place = _take_place(_key("fail", kind, value), window)
            self.places[(kind, value)] = place
            over = over or place > _max_failures(kind)
        if over:  # the limit's worth of checks were taken by others, some maybe still running
            return _locked_for(self.subjects) or int(settings.ANJU_LOGIN_LOCK_SECONDS)
        return 0

    def failed(self) -> int:
        """A wrong password: returns the seconds of the lock it started (0 when none)."""
        lock_seconds = int(settings.ANJU_LOGIN_LOCK_SECONDS)
        started = 0
        for (kind, value), place in self.places.items():
            if place >= _max_failures(kind):
                cache.set(_key("lock", kind, value), time.time() + lock_seconds, timeout=lock_seconds)
                # The count ends with the lock, not before: until then it refuses the attempts
                # that took a place before the lock was there to see.
                cache.touch(_key("fail", kind, value), timeout=lock_seconds)
                started = lock_seconds
        return started

    def succeeded(self) -> None:
        """A successful login clears the counts of its username and its address."""
        cache.delete_many([_key("fail", kind, value) for kind, value in self.subjects])

    def not_counted(self) -> None:
        """The check was not a wrong password (e.g. a right one of an inactive user): give the place back."""
        for kind, value in self.places:
            with contextlib.suppress(ValueError):  # the count was reset or expired meanwhile
                cache.decr(_key("fail", kind, value))


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
        if not (username and password):
            return super().clean()  # type: ignore[misc]
        attempt = Attempt(self.request, username)
        seconds = attempt.begin()
        if seconds:
            raise forms.ValidationError(lock_message(seconds), code="locked")
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError as exc:
            # a user_cache means the password was right and the login refused for another reason
            wrong = getattr(self, "user_cache", None) is None
            if wrong and getattr(exc, "code", None) == "invalid_login":
                seconds = attempt.failed()
                if seconds:
                    raise forms.ValidationError(lock_message(seconds), code="locked") from None
            else:
                attempt.not_counted()
            raise
        except BaseException:
            attempt.not_counted()
            raise
        attempt.succeeded()
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
        attempt = Attempt(request, username) if username and password else None
        seconds = attempt.begin() if attempt else 0
        if seconds:
            return _locked_response(seconds)
        serializer = self.get_serializer(data=request.data)
        try:
            valid = serializer.is_valid()
        except BaseException:
            if attempt:
                attempt.not_counted()
            raise
        if not valid:
            if attempt:
                # DRF's serializer says "unable to log in" for a wrong password and an inactive user alike
                seconds = attempt.failed()
                if seconds:
                    return _locked_response(seconds)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        if attempt:
            attempt.succeeded()
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
