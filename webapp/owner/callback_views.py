"""满意度 of a complaint's 回访 by SMS link (rules in callback_survey.py): the agent's invitation
from the callback task's page, and the customer's answer page by signed token (no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engine import access as engine_access
from engine.errors import Conflict, FormInvalid
from webapp.common.errors import engine_errors

from . import callback_survey


@require_POST
@login_required
@engine_errors
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    task = engine_access.access_task(request.user, pk)
    callback_survey.do_invite(request.user, task, request.build_absolute_uri("/"))
    messages.success(request, _("The customer gets an SMS with the link to evaluate the case."))
    return redirect("task", pk=task.pk)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    task = callback_survey.task_of_token(token)
    errors: dict[str, list[str]] = {}
    values = {"satisfaction": "", "comment": ""}
    status = 200
    done = callback_survey.answered_refusal(task)
    if request.method == "POST" and done is None:
        values = {key: str(request.POST.get(key, ""))[:2000] for key in values}
        try:
            callback_survey.do_answer(task, request.POST)
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        except Conflict as exc:
            done, status = str(exc), 409
        else:
            done = _("Thank you for your evaluation.")
    elif request.method == "POST":
        status = 409
    context = {
        "case": callback_survey.case_data(task), "choices": callback_survey.SATISFACTION.items(),
        "errors": errors, "values": values, "done": done,
    }  # fmt: skip
    return render(request, "owner/callback/answer.html", context, status=status)
