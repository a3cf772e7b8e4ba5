"""Designer pages for analysts (role 业务分析, permission engine.deploy_process): the home page
(flows and my drafts) and the editor of one draft (bpmn-js modeler, properties, lint, files and
forms). Thin views: the browser code (frontend/, bundled into static/designer/build/) talks to
the designer API (api.py); the page gives it the draft, the URLs and the translated strings.

Others get the app's 403 page; another analyst's draft is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engine import access
from engine.lint import SUPPORTED_BPMN
from webapp.common.errors import engine_errors

from . import strings
from .api import DraftSerializer
from .models import Draft


def field_templates() -> list[dict[str, Any]]:
    """Fields the form editor inserts: our domain formats and master-data pickers. Titles are
    form content (what employees see), Chinese like every form; labels follow the UI language."""
    return [
        {"id": "resident_id", "label": _("Resident ID number"), "key": "resident_id",
         "schema": {"type": "string", "title": "身份证号", "format": "cn-resident-id"}},
        {"id": "mobile", "label": _("Mobile number"), "key": "mobile",
         "schema": {"type": "string", "title": "手机", "format": "cn-mobile"}},
        {"id": "room", "label": _("Room (rooms for sale)"), "key": "room_id",
         "schema": {"type": "integer", "title": "房间", "x-options": "rooms.available"}},
        {"id": "amount", "label": _("Amount in yuan"), "key": "amount",
         "schema": {"type": "number", "title": "金额(元)", "multipleOf": 0.01, "minimum": 0}},
    ]  # fmt: skip


def main_bpmn(draft: Draft) -> str:
    """The draft's BPMN file that holds its process (a flow may have called processes in others)."""
    for name in sorted(n for n in draft.files if n.endswith(".bpmn")):
        if f'id="{draft.key}"' in draft.files[name]:
            return name
    return draft.bpmn_name()


def _locale() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-CN"


@require_GET
@login_required
@engine_errors
def designer_home(request: HttpRequest) -> HttpResponse:
    access.require_deploy(request.user)
    config = {
        "csrf_token": get_token(request),
        "locale": _locale(),
        "strings": strings.translated(),
        "urls": {
            "flows": reverse("designer_api:flows"),
            "drafts": reverse("designer_api:draft-list"),
            "versions": reverse("designer_api:versions", args=["__key__"]),
            "editor": reverse("designer:designer_draft", args=[0]),
            "flow_versions": reverse("designer_flows:versions", args=["__key__"]),
        },
    }
    return render(request, "designer/designer_home.html", {"config": config})


@require_GET
@login_required
@engine_errors
def draft_editor(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_deploy(request.user)
    draft = Draft.objects.filter(owner=request.user, pk=pk).select_related("base_version").first()
    if draft is None:
        raise Http404("no such draft")
    config = {
        "csrf_token": get_token(request),
        "locale": _locale(),
        "draft": DraftSerializer(draft).data,
        "bpmn_name": main_bpmn(draft),
        "supported_bpmn": sorted(SUPPORTED_BPMN),
        "field_templates": field_templates(),
        "strings": strings.translated(),
        "urls": {
            "draft": reverse("designer_api:draft-detail", args=[draft.pk]),
            "deploy": reverse("designer_api:draft-deploy", args=[draft.pk]),
            "lint": reverse("designer_api:lint"),
            "check_script": reverse("designer_api:check-script"),
            "form_preview": reverse("designer_api:form-preview"),
            "catalogue": reverse("designer_api:catalogue"),
            "versions": reverse("designer_api:versions", args=[draft.key]),
            "diagram": reverse("process-definition-diagram", args=[0]),
            "sla_admin": reverse("admin:engine_slapolicy_changelist"),
            "home": reverse("designer:designer_home"),
        },
    }
    return render(
        request,
        "designer/draft_editor.html",
        {"draft": draft, "config": config, "bpmn_name": draft.bpmn_name()},
    )
