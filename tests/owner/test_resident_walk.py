"""A signed-in resident is anonymous to staff sign-in: every staff page and API route (the route
walk's enumeration, tests/security/routes.py) sends them to the staff login, or answers 401/403,
never 200."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.security.routes import KINDS, site_routes
from webapp.common import rights

from .conftest import OWNER_MOBILE, signed_in_client

IDS: dict[str, Any] = dict.fromkeys(set(KINDS.values()), 1)
IDS["flow"] = "complaint"
# Public to everyone: the staff sign-in itself, the language switch, the token login, the payment
# provider's signed notifications (tests/security/test_route_walk.py PUBLIC).
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "api-token",
    "billing_api:wechat-notify",
    "passes:show",
    "visits:book",
}


def test_a_resident_opens_no_staff_route(residents):
    page = signed_in_client(OWNER_MOBILE)
    api = APIClient()
    api.cookies = page.cookies  # the same resident session
    problems: list[str] = []
    walked = 0
    for route in site_routes():
        area = rights.area_of(route.name, "get")
        if route.name in PUBLIC or (area is not None and (area.public or area.key == "resident")):
            continue  # the residents' own pages and the public ones (by token, sign-in)
        url = route.url(IDS)
        for method in (
            route.methods() if route.is_api else [m for m in route.methods() if m in ("get", "post")]
        ):
            client = api if route.is_api else page
            response = getattr(client, method)(url)
            walked += 1
            status, location = response.status_code, response.get("Location", "")
            ok = status in (401, 403) or (
                status == 302 and (location.startswith("/accounts/login/") or location == "/inbox/")
            )
            if not ok:
                problems.append(f"{method.upper()} {url} ({route.name}): {status} {location}")
    assert walked > 200
    assert not problems, "\n".join(problems)
    assert page.get("/my/").status_code == 200  # still signed in as a resident
