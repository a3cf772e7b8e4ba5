"""CSRF: every page route that takes a POST (the route walk's enumeration, tests/security/routes.py)
refuses one without the token, with Django's CSRF 403; so do the API's unsafe methods for a
session-authenticated browser (DRF's SessionAuthentication enforces CSRF), while a token-authed
API client needs none (DRF's rules: a token is not sent by a browser on its own)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .routes import KINDS, site_routes

UNSAFE = ("post", "put", "patch", "delete")
# No object needs to exist: CSRF is checked before the view runs. 999999 names none.
IDS: dict[str, Any] = dict.fromkeys(set(KINDS.values()), 999_999)  # every kind a route names
IDS["flow"] = "complaint"


def _csrf_refusal(response: Any) -> bool:
    body = response.content.decode("utf-8", "replace")
    return response.status_code == 403 and "CSRF" in body


def test_every_page_form_refuses_a_post_without_the_token(cast):
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(cast["cs_head"])
    anonymous = Client(enforce_csrf_checks=True)  # the login page too (login CSRF)
    checked, problems = 0, []
    for route in site_routes():
        if route.is_api or "post" not in route.methods():
            continue
        url = route.url(IDS)
        for client in (signed_in, anonymous):
            response = client.post(url, {"next": "/inbox/", "username": "agent", "password": "anju2026"})
            checked += 1
            if not _csrf_refusal(response):
                problems.append(f"POST {url} ({route.name}): {response.status_code}")
    assert checked > 20
    assert not problems, "POSTs without the CSRF token that were not refused:\n" + "\n".join(problems)


def test_with_the_token_the_same_posts_pass_the_csrf_check(cast):
    """The control: the 403s above are the missing token, not the routes refusing everything."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["cs_head"])
    client.get("/inbox/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    for route in site_routes():
        if route.is_api or "post" not in route.methods() or route.name == "logout":
            continue
        response = client.post(route.url(IDS), {"next": "/inbox/"}, HTTP_X_CSRFTOKEN=token)
        assert not _csrf_refusal(response), route.name
        assert response.status_code < 500, (route.name, response.status_code)


# API routes that use no session at all, so no CSRF token either: url name → why.
SESSIONLESS = {
    "billing_api:wechat-notify": "the payment provider's notification: signed, no session, no cookies read",
}


def test_session_authenticated_api_calls_need_the_token(cast):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast["cs_head"])
    problems = []
    for route in site_routes():
        if not route.is_api or route.name in SESSIONLESS:
            continue
        for method in (m for m in route.methods() if m in UNSAFE):
            response = getattr(client, method)(route.url(IDS), {}, format="json")
            detail = (
                str(response.json().get("detail", ""))
                if response.get("Content-Type", "").startswith("application/json")
                else ""
            )
            if response.status_code != 403 or "CSRF" not in detail:
                problems.append(
                    f"{method.upper()} {route.url(IDS)} ({route.name}): {response.status_code} {detail}"
                )
    assert not problems, "\n".join(problems)


def test_token_authenticated_api_calls_work_without_it(cast):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=cast["cs_head"]).key)
    assert client.post("/api/alerts/read-all/").status_code == 204
    for route in site_routes():
        if not route.is_api:
            continue
        for method in (m for m in route.methods() if m in UNSAFE):
            response = getattr(client, method)(route.url(IDS), {}, format="json")
            assert response.status_code < 500, (route.name, method, response.status_code)
            assert "CSRF" not in response.content.decode("utf-8", "replace"), (route.name, method)
