"""/my/verify/: 业主身份认证 — ask the steward to link me to a room (rules in verification.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from engine.errors import FormInvalid
from webapp.realestate.models import IdType

from . import session, verification

FIELDS = ("project", "room", "role", "name", "id_type", "id_number")


@require_http_methods(["GET", "POST"])
@session.resident_required
def verification_page(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    errors: dict[str, list[str]] = {}
    values = {field: "" for field in FIELDS}
    if request.method == "POST":
        values = {field: str(request.POST.get(field, ""))[:200] for field in FIELDS}
        try:
            verification.do_submit_claim(resident, values)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(
                request, _("Your request is with the steward. You get an SMS when it is checked.")
            )
            return redirect("owner:verification")
    context = {
        "resident": resident, "claims": verification.my_claims(resident), "projects": verification.projects(),
        "id_types": [c for c in IdType.choices if c[0] != "business_license"], "values": values, "errors": errors,
    }  # fmt: skip
    return render(request, "owner/verification.html", context, status=400 if errors else 200)
