"""Passes API: the gate's check (POST /api/passes/admit/ {"code", "gate"}) for a scanner app."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.api.views import ERROR
from webapp.common.params import object_body

from . import access, actions, tokens

OBJECT = {"application/json": {"type": "object"}}


@extend_schema(request=OBJECT, responses={200: dict, 400: ERROR, 403: ERROR})
@api_view(["POST"])
def admit(request: Request) -> Response:
    """门岗核验: the QR's token or the short code → admitted (one entry counted) or refused with the
    reason; either way the entry is recorded. 200 in both cases: `admitted` says which."""
    access.check_may_admit(request.user)
    body = object_body(request.data)
    result = actions.do_admit(body.get("code", ""), request.user, gate=str(body.get("gate") or ""))
    found = result.pass_
    return Response({
        "admitted": result.admitted, "reason": result.reason, "message": result.message,
        "entry": result.entry.pk,
        "pass": None if found is None else {
            "kind": found.kind, "holder_name": found.holder_name, "project": found.project.name,
            "code": tokens.display_code(found.code), "valid_from": found.valid_from.isoformat(),
            "valid_until": found.valid_until.isoformat(), "max_entries": found.max_entries,
            "entries_used": found.entries_used, "entries_left": found.entries_left(),
        },
    })  # fmt: skip
