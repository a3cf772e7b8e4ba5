"""The property register's API under /api/register/ (register.py, plans.py). The estate is named
by ?project= (its code or id; the company's first project when left out), as on the pages.
Errors keep the API's {"detail", "field_errors"} shape; another company's rows are 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.parsers import JSONParser
from webapp.api.views import ERROR
from webapp.common.params import param

from . import access, plans, readiness, register
from . import serializers as s
from .models import RegisterPlan

PROJECT = OpenApiParameter("project", str, description="project code or id (default: the first)")


def _project(request: Request, *, area: str = "register") -> Any:
    wanted = param(request.query_params, "project", limit=60)
    return access.register_project(request.user, wanted, strict=bool(wanted), area=area)


def tree_data(tree: register.Tree) -> dict[str, Any]:
    project = tree.project
    return {
        "project": {
            "id": project.pk, "code": project.code, "name": project.name,
            "property_org_name": project.property_org_name, "room_code_prefix": project.room_code_prefix,
            "third_level": project.third_level, "third_level_display": project.get_third_level_display(),
        },
        "rooms": tree.rooms, "incomplete": tree.incomplete, "parking": tree.parking,
        "has_site_plan": tree.has_site_plan,
        "buildings": [
            {
                "id": node.building.pk, "code": node.building.code, "name": node.building.name,
                "phase": node.building.phase.name, "rooms": node.rooms, "incomplete": node.incomplete,
                "parking": node.parking, "has_plan": node.has_plan,
                "groups": [{"key": g.key, "name": g.name, "rooms": g.rooms, "incomplete": g.incomplete}
                           for g in node.groups],
            }
            for node in tree.buildings
        ],
    }  # fmt: skip


class RegisterView(APIView):
    """GET: the estate's four-level directory 管理区 → 大楼 → 单元/楼层 → 房间 with counts and its
    register settings. PATCH: change the settings (管理区名称, room-code prefix, third level)."""

    parser_classes = [JSONParser]

    @extend_schema(parameters=[PROJECT], responses={200: dict, 404: ERROR})
    def get(self, request: Request) -> Response:
        return Response(tree_data(register.tree(_project(request))))

    @extend_schema(
        parameters=[PROJECT],
        request=s.ProjectRegisterSerializer,
        responses={200: dict, 400: ERROR, 403: ERROR},
    )
    def patch(self, request: Request) -> Response:
        access.check_may_manage_register(request.user)
        project = register.update_project(_project(request), request.data)
        return Response(tree_data(register.tree(project)))


class ParkingView(APIView):
    """GET: the estate's 车位目录 (parking spaces: code, area, sales status, owner when known)."""

    @extend_schema(parameters=[PROJECT], responses={200: dict, 404: ERROR})
    def get(self, request: Request) -> Response:
        project = _project(request)
        spaces = [
            {
                k: (f"{v:.2f}" if k in register.AREAS and v is not None else v)
                for k, v in row.items()
                if k != "room"
            }
            for row in register.parking_spaces(project)
        ]
        return Response({"project": {"id": project.pk, "code": project.code, "name": project.name},
                         "count": len(spaces), "spaces": spaces})  # fmt: skip


class ReadinessView(APIView):
    """GET: what the estate's register still lacks before move-in (incomplete rooms per building
    and what each lacks; missing plans)."""

    @extend_schema(parameters=[PROJECT], responses={200: dict, 404: ERROR})
    def get(self, request: Request) -> Response:
        project = _project(request, area="register.readiness")
        return Response(readiness.readiness_data(readiness.readiness(project)))


class PlansView(APIView):
    """GET: the plans of the estate (?building= or ?room= narrows). POST (multipart: target, id,
    file): store a 小区平面图 (target=project), a building plan (building) or a 户型图 (room)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[
            PROJECT,
            OpenApiParameter("building", int, description="a building's plans"),
            OpenApiParameter("room", int, description="a room's plans"),
        ],
        responses={200: s.PlanSerializer(many=True), 400: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        building, room = param(request.query_params, "building"), param(request.query_params, "room")
        if room:
            found = plans.plans_of(access.access_room(request.user, room))
        elif building:
            found = plans.plans_of(access.access_building(request.user, building))
        else:
            project = _project(request)
            found = list(
                RegisterPlan.objects.filter(project=project).defer("content").select_related("uploaded_by")
            )
        return Response(s.PlanSerializer(found, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.PlanUploadSerializer},
        responses={201: s.PlanSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        access.require_company(request.user)
        access.check_may_manage_register(request.user)
        data = request.data if hasattr(request.data, "get") else {}
        target, pk = param(data, "target", limit=20), param(data, "id", limit=30)
        uploads = request.FILES.getlist("file")
        plan = plans.save_plan(request.user, target, pk, uploads)
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanFileView(APIView):
    """GET ?id=: the plan itself (an image or a PDF, inline). Without an id: the list of plans."""

    @extend_schema(parameters=[OpenApiParameter("id", int, required=True)], responses={(200, "*/*"): bytes})
    def get(self, request: Request) -> HttpResponse:
        pk = param(request.query_params, "id", limit=30)
        if not pk:
            return redirect("register-plans")
        return plans.plan_response(access.access_plan(request.user, pk))
