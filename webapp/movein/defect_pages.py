"""整改问题: the move-in defects a person may see, in one list. Holders of `movein.view_defect`
see the company's; everyone else (a contractor's people above all) the defects dispatched to their
work groups or of flows they take part in (access.visible_defects)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from webapp.common import rights

from . import access
from .models import OPEN_DEFECT, DefectPhoto, PhotoKind

MAX_ROWS = 200


@require_GET
@login_required
def defect_list(request: HttpRequest) -> HttpResponse:
    first_photo = (
        DefectPhoto.objects.filter(defect=OuterRef("pk"), kind=PhotoKind.DEFECT)
        .order_by("pk")
        .values("pk")[:1]
    )
    rows = (
        access.visible_defects(request.user)
        .annotate(
            photo_id=Subquery(first_photo),
            closed=Case(
                When(status__in=OPEN_DEFECT, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("closed", "-recorded_at", "-pk")[:MAX_ROWS]
    )
    return render(
        request,
        "movein/defect_list.html",
        {
            "defects": [(defect, defect.photo_id) for defect in rows],
            "all_of_company": rights.holds(request.user, "movein.defects"),
        },
    )
