"""Staff pages of community notices (社区公告: list with read counts, new, one notice, change,
withdraw) and questionnaires (满意度问卷: list, new, one with its results, send, close). Thin: the
rules are in access.py, notices.py and surveys.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine import clock
from engine.errors import FormInvalid
from webapp.common.errors import engine_errors
from webapp.common.params import param

from . import access, notices, surveys
from .models import Notice, QuestionKind

PAGE_SIZE = 30
NOTICE_FIELDS = ("project", "title", "body", "publish_at", "ends_on")


# --- notices ----------------------------------------------------------------------------------


@require_GET
@login_required
@engine_errors
def notice_list(request: HttpRequest) -> HttpResponse:
    found = access.notices_of(request.user).prefetch_related("buildings")
    page = Paginator(found, PAGE_SIZE).get_page(param(request.GET, "page"))
    items = list(page.object_list)
    counts = notices.read_counts(items)
    rows = [(n, counts[n.pk]) for n in items]
    return render(
        request,
        "community/notices.html",
        {
            "page": page,
            "rows": rows,
            "now": clock.now(),
            "today": timezone.localdate(clock.now()),
        },
    )


def _notice_form(
    request: HttpRequest, notice: Notice | None, values: dict[str, Any], chosen: list[str],
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:  # fmt: skip
    return render(request, "community/notice_form.html", {
        "notice": notice, "values": values, "chosen": {str(c) for c in chosen}, "errors": errors or {},
        "projects": access.projects_of(request.user), "buildings": access.buildings_of(request.user),
    }, status=400 if errors else 200)  # fmt: skip


def _posted(request: HttpRequest) -> tuple[dict[str, Any], list[str]]:
    return {name: request.POST.get(name, "") for name in NOTICE_FIELDS}, request.POST.getlist("buildings")


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def notice_new(request: HttpRequest) -> HttpResponse:
    access.check_may_publish(request.user)
    if request.method == "GET":
        return _notice_form(request, None, {}, [])
    values, chosen = _posted(request)
    try:
        notice = notices.do_publish_notice(request.user, values, chosen)
    except FormInvalid as exc:
        return _notice_form(request, None, values, chosen, exc.field_errors)
    messages.success(request, _("The notice is saved: residents see it from its publishing time."))
    return redirect("community:notice", notice.pk)


@require_GET
@login_required
@engine_errors
def notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access.access_notice(request.user, pk)
    return render(request, "community/notice.html", {
        "notice": notice, "count": notices.read_counts([notice])[notice.pk], "live": notice.is_live(clock.now()),
        "buildings": list(notice.buildings.all()),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access.access_notice(request.user, pk)
    if request.method == "GET":
        local = timezone.localtime(notice.publish_at)
        values = {
            "project": notice.project_id, "title": notice.title, "body": notice.body,
            "publish_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_on": notice.ends_on.isoformat() if notice.ends_on else "",
        }  # fmt: skip
        return _notice_form(request, notice, values, [str(b.pk) for b in notice.buildings.all()])
    values, chosen = _posted(request)
    try:
        notices.do_change_notice(request.user, notice, values, chosen)
    except FormInvalid as exc:
        return _notice_form(request, notice, values, chosen, exc.field_errors)
    messages.success(request, _("The notice is changed."))
    return redirect("community:notice", notice.pk)


@require_POST
@login_required
@engine_errors
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access.access_notice(request.user, pk)
    notices.do_withdraw_notice(request.user, notice)
    messages.success(request, _("The notice is withdrawn: residents no longer see it."))
    return redirect("community:notice", notice.pk)


# --- questionnaires ---------------------------------------------------------------------------


@require_GET
@login_required
@engine_errors
def survey_list(request: HttpRequest) -> HttpResponse:
    rows = access.surveys_of(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(param(request.GET, "page"))
    return render(request, "community/surveys.html", {"page": page, "surveys": list(page.object_list)})


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def survey_new(request: HttpRequest) -> HttpResponse:
    access.check_may_survey(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            survey = surveys.do_create_survey(request.user, request.POST)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(request, _("The questionnaire is saved as a draft: check it, then send it."))
            return redirect("community:survey", survey.pk)
    rows = [
        {"n": n, "kind": request.POST.get(f"q{n}_kind", ""), "text": request.POST.get(f"q{n}_text", ""),
         "choices": request.POST.get(f"q{n}_choices", ""), "optional": bool(request.POST.get(f"q{n}_optional"))}
        for n in range(1, 6)
    ]  # fmt: skip
    return render(request, "community/survey_form.html", {
        "values": request.POST, "rows": rows, "errors": errors, "kinds": QuestionKind.choices,
        "projects": access.projects_of(request.user),
    }, status=400 if errors else 200)  # fmt: skip


@require_GET
@login_required
@engine_errors
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.access_survey(request.user, pk)
    return render(request, "community/survey.html", {
        "survey": survey, "results": surveys.results(survey), "questions": list(survey.questions.all()),
    })  # fmt: skip


def _base_url(request: HttpRequest) -> str:
    """Where the SMS links point: ANJU_PUBLIC_URL, else this site as the sender reached it."""
    return settings.ANJU_PUBLIC_URL or request.build_absolute_uri("/")


@require_POST
@login_required
@engine_errors
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.access_survey(request.user, pk)
    try:
        sent = surveys.do_send_survey(request.user, survey, _base_url(request))
    except FormInvalid as exc:
        return render(request, "community/survey.html", {
            "survey": survey, "results": surveys.results(survey), "questions": list(survey.questions.all()),
            "errors": exc.field_errors,
        }, status=400)  # fmt: skip
    messages.success(request, _("The questionnaire goes to %(n)d residents by SMS.") % {"n": sent})
    return redirect("community:survey", survey.pk)


@require_POST
@login_required
@engine_errors
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.access_survey(request.user, pk)
    surveys.do_close_survey(request.user, survey)
    messages.success(request, _("The questionnaire is closed."))
    return redirect("community:survey", survey.pk)
