"""Permission-checked getters of community notices and questionnaires.

Staff: everything is scoped to the user's company first (another company's rows are a 404);
notices need area `community.notices` (right community.publish_notice), questionnaires area
`community.surveys` (community.manage_surveys) of webapp/common/rights.py. The route table checks
them before a view runs; the getters check again for any other caller.

Residents are not Django users: the owner's channel passes their verified mobile and customer ids.
A resident sees the live notices of the estates of their current rooms (a notice for some
buildings: only if one of their rooms is in one of them); any other notice is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from engine import clock
from engine.ids import id_or_404
from webapp.accounts.models import Project
from webapp.common import rights
from webapp.realestate import access as master
from webapp.realestate.models import Building

from .audience import places_of
from .models import Notice, Survey, live_notices


def company_id_of(user: Any) -> int:
    """The user's company id; 0 (no company has it) for the anonymous and people of none."""
    return master.company_id_of(user) or 0


def check_may_publish(user: Any) -> None:
    rights.require(user, "community.notices")
    master.require_company(user)


def check_may_survey(user: Any) -> None:
    rights.require(user, "community.surveys")
    master.require_company(user)


def projects_of(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(company_id=company_id_of(user)).order_by("code")


def buildings_of(user: Any) -> QuerySet[Building]:
    return (
        Building.objects.filter(phase__project__company_id=company_id_of(user))
        .select_related("phase__project")
        .order_by("phase__project__code", "phase__code", "code")
    )


def notices_of(user: Any) -> QuerySet[Notice]:
    check_may_publish(user)
    return Notice.objects.filter(company_id=company_id_of(user)).select_related("project", "created_by")


def access_notice(user: Any, pk: Any) -> Notice:
    notice = notices_of(user).filter(pk=id_or_404(pk)).first()
    if notice is None:
        raise Http404("no such notice")
    return notice


def surveys_of(user: Any) -> QuerySet[Survey]:
    check_may_survey(user)
    return Survey.objects.filter(company_id=company_id_of(user)).select_related("project", "created_by")


def access_survey(user: Any, pk: Any) -> Survey:
    survey = surveys_of(user).filter(pk=id_or_404(pk)).first()
    if survey is None:
        raise Http404("no such questionnaire")
    return survey


# --- residents --------------------------------------------------------------------------------


def notices_for_resident(customer_ids: Sequence[int]) -> QuerySet[Notice]:
    """The live notices a resident sees, newest first."""
    places = places_of(customer_ids)
    if not places.project_ids:
        return Notice.objects.none()
    ids = (
        Notice.objects.filter(live_notices(clock.now()), project_id__in=places.project_ids)
        .filter(Q(buildings__isnull=True) | Q(buildings__in=places.building_ids))
        .values("pk")
    )
    return Notice.objects.filter(pk__in=ids).select_related("project").order_by("-publish_at", "-pk")


def access_resident_notice(customer_ids: Sequence[int], pk: Any) -> Notice:
    """One notice the resident sees; Http404 for any other (another estate's, withdrawn, ended)."""
    notice = notices_for_resident(customer_ids).filter(pk=id_or_404(pk)).first()
    if notice is None:
        raise Http404("no such notice")
    return notice
