"""Revealing one personal value (webapp/privacy.py): POST /api/privacy/reveal/ for the pages'
"显示" buttons and API clients, and /privacy/reveal/ for the same buttons without JavaScript
(a small page showing the value). Both check the permission first (403), then that the user can
see the object (404 for another company's), and write the audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.api.views import ERROR
from webapp.common.errors import engine_errors
from webapp.common.params import back

from . import privacy


class RevealSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(privacy.REVEALERS), help_text="what the id names")
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    field = serializers.CharField(max_length=100, help_text="customer: id_number, mobile, office_phone, "
                                  "home_phone, address; batch_room: owner_mobile; instance, task: a data key")  # fmt: skip


@extend_schema(
    request=RevealSerializer,
    responses={
        200: inline_serializer("Revealed", {"value": serializers.CharField()}),
        400: ERROR,
        403: ERROR,
        404: ERROR,
    },
    description="One personal value in full (needs realestate.view_personal_data); audited.",
)
@api_view(["POST"])
def reveal_api(request: Request) -> Response:
    body = RevealSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    response = Response({"value": privacy.do_reveal(request.user, data["kind"], data["id"], data["field"])})
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
@never_cache
@engine_errors
def reveal_page(request: HttpRequest) -> HttpResponse:
    """The "显示" button without JavaScript: the value on a page of its own."""
    kind, pk, field = (request.POST.get(name, "") for name in ("kind", "id", "field"))
    value = privacy.do_reveal(request.user, kind, pk, field)
    context: dict[str, Any] = {"value": value, "field": field, "back": back(request)}
    return render(request, "privacy/revealed.html", context)


api_urlpatterns = [path("reveal/", reveal_api, name="privacy-reveal")]
page_urlpatterns = [path("reveal/", reveal_page, name="privacy_reveal")]
