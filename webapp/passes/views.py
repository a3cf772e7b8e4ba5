"""Pass pages for staff and the holder: the gate (门岗: scan or type a code → admitted or refused
with the reason), the steward's decoration approvals (装修出入证), and the holder's public pass page
by the pass's signed token (the QR code, no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.errors import FormInvalid
from webapp.common.errors import engine_errors

from . import access, actions, tokens
from .models import Pass, PassState
from .qr import qr_svg


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def guard(request: HttpRequest) -> HttpResponse:
    """GET: the code field; POST: check the code and record the entry (admitted or refused)."""
    access.check_may_admit(request.user)
    result = None
    gate = request.POST.get("gate", "") if request.method == "POST" else request.GET.get("gate", "")
    if request.method == "POST":
        result = actions.do_admit(request.POST.get("code", ""), request.user, gate=gate)
    context = {
        "result": result,
        "gate": gate[:60],
        "entries": access.recent_entries(request.user),
        "today": actions.today(),
    }
    return render(request, "passes/guard.html", context)


@require_GET
@login_required
@engine_errors
def decorations(request: HttpRequest) -> HttpResponse:
    """The decoration passes waiting for approval, and the last ones decided."""
    pending = list(access.pending_decorations(request.user))
    decided = list(
        access.decorations_of_company(request.user)
        .exclude(pk__in=[p.pk for p in pending])
        .order_by("-created_at")[:30]
    )
    return render(request, "passes/decorations.html", {"pending": pending, "decided": decided, "errors": {}})


@require_POST
@login_required
@engine_errors
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one decoration pass (decision=approve|reject, reason)."""
    gate_pass = access.access_decoration(request.user, pk)
    try:
        actions.do_decide_decoration(
            request.user, gate_pass, request.POST, site_url=request.build_absolute_uri("/")
        )
    except FormInvalid as exc:
        pending = list(access.pending_decorations(request.user))
        context = {"pending": pending, "decided": [], "errors": exc.field_errors, "failed": gate_pass.pk}
        return render(request, "passes/decorations.html", context, status=400)
    if gate_pass.state_on(actions.today()) == PassState.REJECTED:
        messages.success(
            request, _("The decoration pass of %(name)s is rejected.") % {"name": gate_pass.holder_name}
        )
    else:
        messages.success(
            request, _("The decoration pass of %(name)s is approved.") % {"name": gate_pass.holder_name}
        )
    return redirect("passes:decorations")


@require_GET
def show(request: HttpRequest, token: str) -> HttpResponse:
    """The holder's pass page by its signed token: the QR code while the pass may be used."""
    code = tokens.code_of_token(token)
    gate_pass = Pass.objects.select_related("project").filter(code=code).first() if code else None
    if gate_pass is None:
        raise Http404("no such pass")
    state = gate_pass.state_on(actions.today())
    usable = state in (PassState.ACTIVE, PassState.NOT_YET_VALID)
    context = {
        "pass": gate_pass,
        "state": state,
        "state_label": PassState(state).label,
        "qr": qr_svg(gate_pass) if usable else "",
        "code": tokens.display_code(gate_pass.code) if usable else "",
    }
    return render(request, "passes/show.html", context)
