"""GET /api/lookups/<source>/?q=…: what a form's `"x-lookup"` field offers (engine.lookups).

The pages' autocomplete (static/anju/lookup.js) and API clients ask here. Each source searches
through its app's permission-checked getters, so the answer holds only what the user may see.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from engine import lookups
from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp.common.params import param

ITEM = inline_serializer(
    "LookupItem",
    {"id": serializers.IntegerField(), "name": serializers.CharField(), "label": serializers.CharField()},
)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="name, pinyin initials, phone, room … (source dependent)"),
        OpenApiParameter("project", OpenApiTypes.INT, description="narrow rooms to a project"),
        OpenApiParameter("customer", OpenApiTypes.INT, description="list a customer's rooms first"),
    ],
    responses=inline_serializer("LookupResults", {"results": serializers.ListField(child=ITEM)}),
)
@api_view(["GET"])
def lookup(request: Request, source: str) -> Response:
    """Records of `source` (customer, project, room) matching `q`, at most 20."""
    registered = lookups.get(source)
    if registered is None:
        raise NotFound()
    scope = {}
    for name in registered.scopes:
        raw = param(request.query_params, name)
        if raw:
            value = parse_id(raw)
            if value is None:
                raise FormInvalid({name: [_("Give the id of a record.")]})
            scope[name] = value
    items = lookups.search(request.user, source, param(request.query_params, "q"), scope)
    return Response({"results": [item.as_dict() for item in items]})
