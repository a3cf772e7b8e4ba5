"""What the owner's channel adds to the complaint's task page (webapp.pages.extensions): on an open
回访, the button that sends the customer the satisfaction link (callback_survey.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from engine.access import may_work
from engine.models.runtime import TaskState
from webapp.pages import extensions

from . import callback_survey


def complaint_panel(request: HttpRequest, task: object) -> str:
    if (
        getattr(task, "element_id", "") != callback_survey.ELEMENT
        or getattr(task, "state", "") != TaskState.READY
    ):
        return ""
    if not may_work(request.user, task):  # type: ignore[arg-type]
        return ""
    return render_to_string("owner/callback/_panel.html", {"task": task}, request=request)


extensions.register_panel(callback_survey.FLOW, complaint_panel)
