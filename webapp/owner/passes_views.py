"""通行证 pages of the owner's channel: my passes, invite a visitor (访客通行证), request a decoration
pass (装修出入证, the steward approves it), one pass with its QR code, revoke.

A resident sees the passes one of their customer rows issued (anything else is a 404) and issues
them for the rooms they live in now (webapp/owner/access.py). The rules are in webapp/passes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.errors import FormInvalid
from engine.ids import id_or_404
from webapp.passes import actions, tokens
from webapp.passes.models import Pass, PassKind, PassState
from webapp.passes.qr import qr_svg

from .access import MyRoom, access_room, my_residencies, my_rooms
from .session import Resident, resident_required

FIELDS = (
    "room",
    "holder_name",
    "holder_mobile",
    "holder_id_number",
    "valid_from",
    "valid_until",
    "max_entries",
    "note",
)


def my_passes(resident: Resident) -> QuerySet[Pass]:
    """The passes the resident issued or requested (any of their customer rows)."""
    return Pass.objects.filter(issued_by_customer_id__in=resident.customer_ids).select_related(
        "project", "room"
    )


def access_pass(resident: Resident, pk: Any) -> Pass:
    """One of the resident's passes; Http404 for anyone else's."""
    found = my_passes(resident).filter(pk=id_or_404(pk)).first()
    if found is None:
        raise Http404("no such pass")
    return found


def _room_of(resident: Resident, body: Any) -> tuple[MyRoom, Any]:
    """The chosen room (one of mine, else 404) and my customer row living in it."""
    chosen = body.get("room") or ""
    rooms = my_rooms(resident)
    if not chosen and len(rooms) == 1:
        chosen = rooms[0].room.pk
    if not chosen:
        raise FormInvalid({"room": [_("Choose a room.")]})
    entry = access_room(resident, chosen)
    residency = next(r for r in my_residencies(resident) if r.room_id == entry.room.pk)
    return entry, residency.customer


@require_GET
@resident_required
def passes(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    today = actions.today()
    rows = [(p, p.state_on(today)) for p in my_passes(resident)[:200]]
    context = {"resident": resident, "rows": rows, "rooms": my_rooms(resident), "states": PassState}
    return render(request, "owner/passes/passes.html", context)


def _form(request: HttpRequest, kind: str) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    template = (
        "owner/passes/visitor_new.html" if kind == PassKind.VISITOR else "owner/passes/decoration_new.html"
    )
    rooms = my_rooms(resident)
    today = actions.today()
    values: dict[str, Any] = {
        "valid_from": today.isoformat(),
        "valid_until": today.isoformat(),
        "max_entries": "1",
    }
    if not rooms:
        return render(
            request, template, {"resident": resident, "rooms": rooms, "values": values, "errors": {}}
        )
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FIELDS}
        try:
            entry, customer = _room_of(resident, request.POST)
            check = actions.check_visitor if kind == PassKind.VISITOR else actions.check_decoration
            holder = check(request.POST)
            gate_pass = actions.do_issue_pass(
                kind=kind, project=entry.room.project, holder=holder, room=entry.room,
                issued_by_customer=customer, resident_mobile=resident.mobile,
                site_url=request.build_absolute_uri("/"),
            )  # fmt: skip
        except FormInvalid as exc:
            context = {"resident": resident, "rooms": rooms, "values": values, "errors": exc.field_errors}
            return render(request, template, context, status=400)
        return redirect("owner:pass", pk=gate_pass.pk)
    return render(request, template, {"resident": resident, "rooms": rooms, "values": values, "errors": {}})


@require_http_methods(["GET", "POST"])
@resident_required
def pass_new(request: HttpRequest) -> HttpResponse:
    """Invite a visitor: name, mobile, first and last day, entries → the pass and its QR code; the
    visitor gets an SMS with the link to it."""
    return _form(request, PassKind.VISITOR)


@require_http_methods(["GET", "POST"])
@resident_required
def decoration_new(request: HttpRequest) -> HttpResponse:
    """Request a decoration pass for a worker of my room; the steward approves it."""
    return _form(request, PassKind.DECORATION)


def _pass_page(
    request: HttpRequest, gate_pass: Pass, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    state = gate_pass.state_on(actions.today())
    usable = state in (PassState.ACTIVE, PassState.NOT_YET_VALID)
    context = {
        "resident": request.resident,  # type: ignore[attr-defined]
        "pass": gate_pass,
        "state": state,
        "state_label": PassState(state).label,
        "qr": qr_svg(gate_pass) if usable else "",
        "code": tokens.display_code(gate_pass.code) if usable else "",
        "link": actions.pass_link(gate_pass, request.build_absolute_uri("/")) if usable else "",
        "revocable": gate_pass.status in ("active", "pending")
        and state not in (PassState.EXPIRED, PassState.USED_UP),
        "entries": list(gate_pass.entries.order_by("-at", "-pk")[:50]),
        "errors": errors or {},
    }
    return render(request, "owner/passes/pass.html", context, status=400 if errors else 200)


@require_GET
@resident_required
def pass_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my passes: its state, the QR code and the code under it, the entries, revoke."""
    return _pass_page(request, access_pass(request.resident, pk))  # type: ignore[attr-defined]


@require_POST
@resident_required
def pass_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    gate_pass = access_pass(resident, pk)
    try:
        actions.do_revoke_pass(
            gate_pass, reason=request.POST.get("reason", ""), resident_mobile=resident.mobile
        )
    except FormInvalid as exc:
        return _pass_page(request, gate_pass, exc.field_errors)
    return redirect("owner:pass", pk=gate_pass.pk)
