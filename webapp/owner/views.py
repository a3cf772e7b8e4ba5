"""Pages of the owner's channel under /my/ (thin: the rules are in codes.py, session.py, access.py).

Every route is in the "resident" area of webapp/common/rights.py: open to Django auth (residents
are anonymous to it), each view checking the resident session itself (session.resident_required).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from engine.errors import FormInvalid
from forms.masks import mask_phone

from . import access, codes, session


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: the mobile number; a code is sent (if the number is on file: the answer is the same)."""
    if session.resident_of(request) is not None and request.method == "GET":
        return redirect("owner:rooms")
    errors: dict[str, list[str]] = {}
    mobile_text = ""
    if request.method == "POST":
        mobile_text = str(request.POST.get("mobile", ""))[: codes.MAX_MOBILE_TEXT]
        try:
            mobile = codes.check_mobile(mobile_text)
            codes.do_request_code(request, mobile)
        except FormInvalid as exc:
            errors = exc.field_errors
        except codes.Throttled as exc:
            errors = {"mobile": [str(exc)]}
        else:
            request.session[session.PENDING_KEY] = mobile
            return redirect("owner:verify")
    context = {"errors": errors, "mobile": mobile_text}
    return render(request, "owner/login.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code of the SMS."""
    mobile = request.session.get(session.PENDING_KEY)
    if not isinstance(mobile, str):
        return redirect("owner:login")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            verified = codes.do_verify_code(request, mobile, request.POST.get("code"))
        except FormInvalid as exc:
            errors = exc.field_errors
        except codes.Throttled as exc:
            errors = {"code": [str(exc)]}
        else:
            session.sign_in(request, verified.mobile, verified.customer_ids)
            return redirect("owner:rooms")
    minutes = max(1, settings.ANJU_OWNER_CODE_SECONDS // 60)
    context = {"errors": errors, "masked": mask_phone(mobile), "minutes": minutes}
    return render(request, "owner/verify.html", context, status=400 if errors else 200)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session.sign_out(request)
    return redirect("owner:login")


# The home page's services: (key, URL name, label, icon), shown once the resident has a room.
SERVICES = [
    ("repairs", "owner:repairs", gettext_lazy("Report repairs"), "🔧"),
    ("complaints", "owner:complaints", gettext_lazy("Complaints and suggestions"), "💬"),
    ("bills", "owner:bills", gettext_lazy("Pay bills"), "💳"),
    ("passes", "owner:passes", gettext_lazy("Visitor passes"), "🎫"),
    ("movein", "owner:movein", gettext_lazy("My move-in"), "🔑"),
    ("notices", "owner:notices", gettext_lazy("Estate notices"), "📢"),
    ("surveys", "owner:surveys", gettext_lazy("Satisfaction surveys"), "⭐"),
    ("messages", "owner:messages", gettext_lazy("My messages"), "✉️"),
]


@require_http_methods(["GET"])
@session.resident_required
def rooms(request: HttpRequest) -> HttpResponse:
    """Home: the services and my rooms (the rooms the register links to my verified mobile)."""
    resident = session.refresh(request, request.resident)  # type: ignore[attr-defined]
    my_rooms = access.my_rooms(resident)
    tiles = [
        {"key": key, "url": reverse(name), "label": label, "icon": icon}
        for key, name, label, icon in SERVICES
    ]
    context = {"resident": resident, "rooms": my_rooms, "tiles": tiles if my_rooms else []}
    return render(request, "owner/rooms.html", context)


@require_http_methods(["GET"])
@session.resident_required
def room(request: HttpRequest, pk: int) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    return render(
        request, "owner/room.html", {"resident": resident, "entry": access.access_room(resident, pk)}
    )
