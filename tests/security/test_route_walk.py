"""Every route of the site, walked as 马克 (outsider, 客服主管 of company sh), as the anonymous, and
as three people of company sz: 黄建 (a contractor's rectification lead, no role), 孙丽 (置业顾问)
and 王强 (工程).

The routes come from Django's resolver (tests/security/routes.py), so a route added tomorrow is
walked tomorrow; each <pk>/<key> is filled with the id of a real object of company sz (the world
of conftest.py), and each route is requested with every method its view takes, with a plausible
body. The outsider must get 404 for everything of sz (another company's rows do not exist for
them, engine/access.py), or 403 where a permission they lack is checked before any lookup, and
never a 500 or a response holding one of sz's secrets. The anonymous are sent to the login page
(pages) or refused with 401 and the token challenge (API), except the few public routes listed below.

What each person of sz gets comes from one matrix: the area of every route and the right it needs
(webapp/common/rights.py, ROUTES and AREAS) × the rights their roles carry (webapp/accounts/demo.py),
plus REACH below, the world's objects their work holds. Without the area's right: 403 (the 403 page
or the API's 403 JSON) before any lookup; with it, or in an own-work area: a GET answers 200 (or
302) for what they reach and 404 for the rest. docs/security.md shows the same matrix
(tests/security/test_rights_doc.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from webapp.common import rights

from .conftest import (
    SECRET_ALERT,
    SECRET_COMPLAINT,
    SECRET_COMPLAINT_MOBILE,
    SECRET_CUSTOMER,
    SECRET_DEFECT,
    SECRET_IMPORT,
    SECRET_MOBILE,
)
from .routes import KINDS, VALUES, Route, site_routes

# Routes whose object is not company sz's but the corporate group's (安居集团, which company sh
# belongs to as well): the outsider may see them; the secrets check still applies.
GROUP_WIDE = {
    "process-definition-detail": "deployed flow versions are the group's: both companies start them",
    "process-definition-diagram": "the BPMN of a group-wide flow version (no instance data)",
    "start": "the start page of a group-wide flow: an empty form; what is started is the outsider's company's",
    "designer_flows:waits": "the outsider holds view_all_instances of sh: the page shows the group's flow "
    "with sh's waiting work only (engine.waits filters by company)",
}

# The world's objects each person of sz reaches (a GET of their route answers 200), with why. The
# flow versions (version, flow) are the corporate group's: everyone reaches them.
GROUP = {"version", "flow"}
REACH: dict[str, dict[str, str]] = {
    "contractor": {
        "defect": "the window defect goes straight to 鹏程装饰's rectification: it is dispatched to him",
        "photo": "the photo of that defect",
        "contractor": "鹏程装饰 itself (a contractor sees itself, not its competitors)",
    },
    "sales": {
        "customer": "置业顾问: realestate.view_customer",
        "room": "置业顾问: realestate.view_room",
        "meter": "置业顾问: realestate.view_room (the meters and readings of the rooms)",
        "subscription": "置业顾问: sales.view_subscription",
        "visit_pass": "置业顾问: sales.view_subscription (云通行, webapp/visits)",
        "visit_booking": "置业顾问: sales.view_subscription (the bookings of the visit passes)",
        "import": "置业顾问: realestate.add_room (the world's rooms import is hers)",
    },
    "engineer": {
        "batch_room": "the room of his mock inspection (工程部's task of the room's flow): his work",
        "defect": "工程: movein.view_defect (and he recorded it)",
        "photo": "工程: the defects' photos",
        "contractor": "工程: movein.view_defect lists the contractors defects go to",
    },
}
# The secrets each may read: what their rights or work show them (all others: none, ever).
MAY_READ: dict[str, set[str]] = {
    "contractor": {SECRET_DEFECT},  # the description of the defect he must rectify, nothing else
    "sales": {SECRET_CUSTOMER, SECRET_IMPORT},  # the customer's name (the mobile masked), her import
    # the defect he recorded, and the owner's name on the page of a room of his work: 工程部 makes
    # the quality callbacks to the owner (交付三个月质量回访 …); the phone stays masked
    "engineer": {SECRET_DEFECT, SECRET_CUSTOMER},
}
# Where a route asks more than its area's right, per person: (person, url name) → (status, why).
# (none today: an import template, for one, needs the right to add its kind, which 孙丽 holds for both)
FINER: dict[tuple[str, str], tuple[int, str]] = {}
# GET routes that answer 400 without query parameters (the walk sends none), whoever asks.
NEEDS_PARAMETERS = {"api-deadline": "the deadline calculator needs a start and a duration"}
PERSONAS = tuple(REACH)
EVERY_SECRET = {SECRET_CUSTOMER, SECRET_MOBILE, SECRET_COMPLAINT, SECRET_COMPLAINT_MOBILE, SECRET_DEFECT,
                SECRET_ALERT, SECRET_IMPORT}  # fmt: skip


def expected(route: Route, method: str, user: Any, reach: set[str]) -> set[int] | None:
    """What the matrix says the user gets from this route and method: a set of statuses, or None
    where only "no 500 and no secret" is checked (public routes; writes they may attempt, whose
    answer depends on the body)."""
    area = rights.area_of(route.name, method)
    if area is None or area.public:
        return None
    if not area.opens_for(user):
        return {403}
    if route.kind is not None and route.kind not in reach | GROUP:
        return {404}
    if method != "get":
        return None
    return {400} if route.name in NEEDS_PARAMETERS else {200, 302}


# Routes the anonymous may use: url name → why.
PUBLIC = {
    "login": "the login page itself",
    "set_language": "the language switch of the login page: it only sets the language cookie",
    "logout": "signing out: for the anonymous it does nothing and goes back to the login page (or `next`)",
    "api-token": "the API's login: a username and password for a token (throttled like the login page)",
    "billing_api:wechat-notify": "the payment provider's notifications: the signature is the credential; "
    "an unsigned or badly signed body is refused with 400 and logged (webapp/billing/orders.py)",
    "owner:login": "the residents' sign-in (/my/login/): a mobile number for an SMS code (throttled)",
    "owner:verify": "the residents' code step: without a requested code it goes back to /my/login/",
    "owner:logout": "the residents' sign-out: for the anonymous it does nothing and goes to /my/login/",
    "owner:survey": "a questionnaire's answer page for its recipient (the SMS link): the signed token in the "
    "address is the credential (webapp/community/surveys.py); any other is a 404",
    "visits:book": "the buyer's booking page (云通行, the SMS link): the signed token in the address is the "
    "credential (webapp/visits/tokens.py); any other is a 404; books, changes, cancels with the CSRF token",
    "passes:show": "a pass's page for its holder (the QR code): the signed token in the address is the "
    "credential (webapp/passes/tokens.py); any other is a 404",
    "owner:callback_answer": "a complaint's 回访 answered by its customer (the SMS link): the signed token in "
    "the address is the credential (webapp/owner/callback_survey.py); any other is a 404; answers once",
}
# The owner's channel (area "resident"): no Django sign-in opens it; its views send everyone
# without a resident session to the residents' own sign-in (tests/owner/ walk it as residents).
RESIDENT_LOGIN = "/my/login/"
# "/" redirects to the inbox, which sends the anonymous on to the login page.
REDIRECTS_FIRST = {"home": "/inbox/"}
# Not walked: static files are served by WhiteNoise's middleware, not by a URL pattern, and are
# public; the OpenAPI schema (/api/schema/) and its docs (/api/docs/) need a signed-in user
# (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): they list every operation, which nobody outside needs.

PAGE_BODY = {"reason": "客户出差", "data": "", "next": "/inbox/", "note": "安全测试", "action": "dry-run"}
API_BODY = {"data": {}, "reason": "客户出差", "note": "安全测试"}
LOGIN = "/accounts/login/"
VERBOSE = False


def _request(client: Any, route: Route, method: str, url: str) -> Any:
    if route.is_api:
        if method in ("get", "delete"):
            return getattr(client, method)(url)
        return getattr(client, method)(url, API_BODY, format="json")
    if method == "get":
        return client.get(url)
    return client.post(url, PAGE_BODY)


def _page_methods(route: Route) -> list[str]:
    """Pages are walked with GET and POST (what a browser sends); API routes with all they take."""
    methods = route.methods()
    return methods if route.is_api else [m for m in methods if m in ("get", "post")]


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_every_route_parameter_names_a_kind_of_object():
    """Fails, naming the route, when a route takes a parameter nobody said the kind of."""
    problems = []
    for route in site_routes():
        if route.object_params() and route.kind is None:
            problems.append(f"{route.name} ({route.pattern}) takes {route.object_params()}")
        if route.object_params() and len(route.object_params()) > 1:
            problems.append(f"{route.name} takes several objects {route.object_params()}: extend routes.py")
    assert not problems, (
        "routes whose parameters tests/security/routes.py cannot fill (add them to KINDS or VALUES and "
        "give the world of conftest.py an object of the kind):\n" + "\n".join(problems)
    )
    assert {name for name, _param in VALUES} | set(KINDS) >= {
        r.name for r in site_routes() if r.object_params()
    }


def test_the_outsider_gets_404_for_everything_of_another_company(world, cast):
    outsider = cast["outsider"]
    page, api = Client(), APIClient()
    page.force_login(outsider)
    api.force_login(outsider)
    problems: list[str] = []
    walked = 0
    for route in site_routes():
        url = route.url(world["ids"])
        for method in _page_methods(route):
            client = api if route.is_api else page
            response = _request(client, route, method, url)
            walked += 1
            where = f"{method.upper()} {url} ({route.name})"
            status = response.status_code
            body = _body(response)
            leaked = [s for s in world["secrets"] if s in body]
            if status >= 500:
                problems.append(f"{where}: {status}")
            if leaked:
                problems.append(f"{where}: {status} holds sz's {leaked}")
            if route.kind is not None and route.name not in GROUP_WIDE:
                area = rights.area_of(route.name, method)
                want = 403 if area is not None and not area.opens_for(outsider) else 404
                location = response.get("Location", "")
                if area is not None and area.without == rights.RESIDENT:  # staff are no resident
                    if status != 302 or not location.startswith(RESIDENT_LOGIN):
                        problems.append(
                            f"{where}: {status} {location}, expected a redirect to {RESIDENT_LOGIN}"
                        )
                elif status != want:
                    problems.append(f"{where}: {status}, expected {want}")
            if route.name == "logout":  # it did log the outsider out
                page.force_login(outsider)
            if VERBOSE:
                print(f"{status} {where}")
    assert walked >= len(site_routes())
    assert not problems, "\n".join(problems)
    _the_ids_are_real_objects_of_sz(world, cast)


def _the_ids_are_real_objects_of_sz(world: dict[str, Any], cast: dict) -> None:
    """The control: the same GETs answer 200 to people of sz (the superuser, and the analyst for
    their own drafts, cs_head for the alert addressed to them), so the outsider's 404s are the scoping, not ids that do not exist."""
    clients = []
    for username in ("admin", "analyst", "cs_head"):
        page, api = Client(), APIClient()
        page.force_login(cast.get(username) or _admin())
        api.force_login(cast.get(username) or _admin())
        clients.append((page, api))
    missing = []
    for route in site_routes():
        if route.kind is None or "get" not in route.methods():
            continue
        url = route.url(world["ids"])
        statuses = [(api if route.is_api else page).get(url).status_code for page, api in clients]
        if not {200, 302} & set(statuses):  # 302: opening an alert leads to its task
            missing.append(f"GET {url} ({route.name}): {statuses}")
    assert not missing, "the world's ids do not reach these routes:\n" + "\n".join(missing)


def test_the_anonymous_are_sent_to_the_login_page_or_refused(world):
    page, api = Client(), APIClient()
    problems: list[str] = []
    for route in site_routes():
        url = route.url(world["ids"])
        for method in _page_methods(route):
            response = _request(api if route.is_api else page, route, method, url)
            where = f"{method.upper()} {url} ({route.name})"
            status = response.status_code
            location = response.get("Location", "")
            if status >= 500:
                problems.append(f"{where}: {status}")
            if any(s in _body(response) for s in world["secrets"]):
                problems.append(f"{where}: holds a secret of sz")
            if route.name in PUBLIC:
                continue
            if route.name in REDIRECTS_FIRST:
                if (status, location) != (302, REDIRECTS_FIRST[route.name]):
                    problems.append(f"{where}: {status} {location}")
                continue
            area = rights.area_of(route.name, method)
            if area is not None and area.without == rights.RESIDENT:
                if status != 302 or not location.startswith(RESIDENT_LOGIN):
                    problems.append(f"{where}: {status} {location}, expected a redirect to {RESIDENT_LOGIN}")
                continue
            if route.is_api:
                if status != 401 or response.get("WWW-Authenticate") != "Token":
                    problems.append(f"{where}: {status}, expected 401 with WWW-Authenticate: Token")
            elif status != 302 or not location.startswith(LOGIN):
                problems.append(f"{where}: {status} {location}, expected a redirect to {LOGIN}")
    assert not problems, "\n".join(problems)
    home = page.get("/", follow=True)
    assert home.redirect_chain[-1][0].startswith(LOGIN + "?next=")


PLACEHOLDER = "987654321"
PLACEHOLDER_IDS = defaultdict(lambda: PLACEHOLDER)
ODD_IDS = [
    "99999999999999999999999",
    "9223372036854775808",
    "0",
    "-1",
    "²",
    "١٢",
    "1e3",
    "0x1f",
    "%00",
    "%20",
]


def _privileged_clients(cast: dict) -> list[tuple[Client, APIClient]]:
    """(page, API) clients of the superuser, who passes every permission check, and the analyst,
    who owns drafts; a 500 comes back as a response, not an exception."""
    clients = []
    for username in ("admin", "analyst"):
        page, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
        user = cast.get(username) or _admin()
        page.force_login(user)
        api.force_login(user)
        clients.append((page, api))
    return clients


@pytest.mark.slow  # ~50 s: once, in the PostgreSQL run, where an id too large for an integer would fail
def test_odd_ids_are_never_a_server_error(cast, server_errors):
    """Every route with an id, with ids no database holds or no number is (too large for a 64-bit
    column, Unicode digits int() refuses, NUL): a 404 or a 400, never a 500 (for the superuser,
    who passes every permission check, and the analyst, who owns drafts)."""
    clients = _privileged_clients(cast)
    problems: list[str] = []
    errors = server_errors
    for route in site_routes():
        if route.kind is None:
            continue
        for odd in ODD_IDS:
            url = route.url(PLACEHOLDER_IDS).replace(PLACEHOLDER, quote(odd, safe="%"))
            for page, api in clients:
                for method in _page_methods(route):
                    response = _request(api if route.is_api else page, route, method, url)
                    if response.status_code >= 500:
                        problems.append(
                            f"{method.upper()} {url} ({route.name}): {response.status_code} {errors[-1:]}"
                        )
    assert not problems, "\n".join(problems)


def test_the_public_routes_are_the_login_page_the_language_switch_and_the_token():
    names = {r.name for r in site_routes()}
    assert set(PUBLIC) <= names and set(REDIRECTS_FIRST) <= names
    assert set(GROUP_WIDE) <= names and {name for _who, name in FINER} <= names  # no stale exceptions


def test_every_route_has_an_area_and_the_right_it_needs():
    """Fails, naming the route, when a route is not declared in webapp/common/rights.py ROUTES."""
    names = {r.name for r in site_routes()}
    missing = sorted(names - set(rights.ROUTES))
    assert not missing, "routes without an area in webapp/common/rights.py ROUTES: " + ", ".join(missing)
    assert not set(rights.ROUTES) - names, "stale routes in ROUTES: " + ", ".join(set(rights.ROUTES) - names)
    for route in site_routes():
        for method in route.methods():
            assert rights.area_of(route.name, method) is not None, (route.name, method)


@pytest.mark.parametrize("username", PERSONAS)
def test_each_person_of_the_company_opens_what_the_matrix_allows(world, cast, username):
    """黄建, 孙丽 and 王强 on every route with every method: the answers of the matrix (403 without
    the area's right, 404 for what their work does not hold, 200/302 for what it does), never a
    500, and no secret but those the matrix lets them read."""
    user = cast[username]
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_login(user)
    reach = set(REACH[username])
    problems: list[str] = []
    for route in site_routes():
        url = route.url(world["ids"])
        for method in _page_methods(route):
            response = _request(api if route.is_api else page, route, method, url)
            where = f"{method.upper()} {url} ({route.name})"
            status, body = response.status_code, _body(response)
            leaked = [s for s in EVERY_SECRET - MAY_READ[username] if s in body]
            if status >= 500:
                problems.append(f"{where}: {status}")
            if leaked:
                problems.append(f"{where}: {status} holds {leaked}")
            finer = FINER.get((username, route.name))
            want = {finer[0]} if finer else expected(route, method, user, reach)
            if want is not None and status not in want:
                problems.append(f"{where}: {status}, the matrix says {sorted(want)}")
            if status == 403 and route.is_api and "detail" not in response.json():
                problems.append(f"{where}: a 403 without the API's JSON")
            if route.name == "logout":
                page.force_login(user)
            if VERBOSE:
                print(f"{status} {where}")
    assert not problems, f"{username}:\n" + "\n".join(problems)


def test_the_admin_is_for_staff_only(cast):
    """The admin's own pages are not walked; its index and every model's list send the anonymous
    and signed-in non-staff to the admin's login page."""
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    agent = Client()
    agent.force_login(cast["agent"])
    for client in (Client(), agent):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), (url, response["Location"])
    staff = Client()
    staff.force_login(cast["admin"] if "admin" in cast else _admin())
    assert staff.get(reverse("admin:index")).status_code == 200


def _admin() -> Any:
    from webapp.accounts.models import User

    return User.objects.get(username="admin")


# Bodies an attacker sends (issue 12): control characters in every field a view reads, JSON nested
# far deeper than any parser should follow, and a declared size far above every route's limit.
CONTROL = "客户\x00出差\x07\x1b"
HOSTILE_API_BODY = {
    "data": {"customer_name\x00": CONTROL, "rows": [{"x": CONTROL}]}, "reason": CONTROL, "note": CONTROL,
    "name": CONTROL, "key": "k\x00", "business_key": CONTROL, "process_key": "complaint\x00",
    "files": {"a\x00.bpmn": CONTROL}, "value": CONTROL, "kind": CONTROL,
}  # fmt: skip
HOSTILE_PAGE_BODY = {name: CONTROL for name in (*PAGE_BODY, "name", "q", "description", "location")}
DEEP_JSON = "[" * 50_000 + "]" * 50_000
OVERSIZED = str(300 * 1024 * 1024)


def _hostile(client: Any, route: Route, method: str, url: str) -> list[tuple[str, Any]]:
    """The hostile requests for one route and method: (what, response)."""
    send = getattr(client, method)
    if route.is_api:
        return [
            ("control characters", send(url, HOSTILE_API_BODY, format="json")),
            ("deep JSON", send(url, DEEP_JSON, content_type="application/json")),
            ("300 MB declared", send(url, "{}", content_type="application/json", CONTENT_LENGTH=OVERSIZED)),
        ]
    return [
        ("control characters", send(url, HOSTILE_PAGE_BODY)),
        ("300 MB declared", send(url, "a=1", content_type="application/x-www-form-urlencoded",
                                 CONTENT_LENGTH=OVERSIZED)),
    ]  # fmt: skip


def test_hostile_bodies_are_never_a_server_error(world, cast, server_errors):
    """Every route that takes a body, for the superuser (past every permission check) and the
    analyst (who owns drafts), on company sz's real objects: control characters, deep JSON and an
    oversized declared length are answered 4xx (or a 2xx/3xx that stored clean data), never 5xx;
    an oversized body is 413 before anything reads it."""
    clients = _privileged_clients(cast)
    problems: list[str] = []
    sent = 0
    for route in site_routes():
        url = route.url(world["ids"])
        for method in (m for m in _page_methods(route) if m not in ("get", "delete")):
            for page, api in clients:
                for what, response in _hostile(api if route.is_api else page, route, method, url):
                    sent += 1
                    where = f"{method.upper()} {url} ({route.name}) with {what}"
                    if response.status_code >= 500:
                        problems.append(f"{where}: {response.status_code} {server_errors[-1:]}")
                    if what == "300 MB declared" and response.status_code != 413:
                        problems.append(f"{where}: {response.status_code}, expected 413")
    assert sent > 100
    assert not problems, "\n".join(problems)
