"""满意度 of a complaint's 回访 by SMS link: the customer answers the callback themselves.

When a complaint reaches 回访 (Task_Callback), whoever may work that task can send the customer an
SMS (template OWNER_CALLBACK_SURVEY) with a link to `/my/callback/<token>/`: the token is signed
(django.core.signing, salt below, 14 days) and names the task, so the page needs no sign-in and no
other task can be reached through it. The customer sees the case as they may (the result the
service centre accepted, never internal notes) and answers 满意 / 基本满意 / 不满意 with a comment.
The answer completes the flow's own 回访 step through the engine (`do_complete_task`, as the
company's 业主端 account named for the customer): an unsatisfied answer reopens the case as the
agent's would. Once: a second answer, or one after the agent recorded the callback by phone, is
refused with a clear message and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from engine import clock
from engine.adapters import CallContext
from engine.adapters.registry import get_adapter
from engine.errors import Conflict, FormInvalid, NotAllowed
from engine.models import AuditEvent, Task
from engine.models.audit import AuditAction
from engine.models.runtime import TaskState
from forms.masks import mask_phone

from .actor import acting_as
from .codes import normalize

logger = logging.getLogger(__name__)

FLOW = "complaint"
ELEMENT = "Task_Callback"
SALT = "anju.owner.callback-survey"
MAX_AGE = 14 * 24 * 3600
TEMPLATE_ID = "OWNER_CALLBACK_SURVEY"
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
MAX_COMMENT = 1000

TEMPLATES = [
    {
        "template_id": TEMPLATE_ID,
        "channel": "sms",
        "name": "投诉回访满意度评价",
        "subject": "",
        "content": "尊敬的${customer_name}，您反映的问题（编号${ticket}）已处理完毕。请点击 ${link} 评价我们的处理结果，"
        "您的意见对我们很重要。",
    },
]


def token_for(task: Task) -> str:
    return signing.dumps({"task": task.pk, "instance": task.instance_id}, salt=SALT, compress=True)


def link_for(task: Task, site_url: str = "") -> str:
    path = reverse("owner:callback_answer", args=[token_for(task)])
    base = settings.ANJU_PUBLIC_URL or site_url
    return base.rstrip("/") + path if base else path


def task_of_token(token: str) -> Task:
    """The callback task the link names; Http404 for a tampered, expired or foreign token."""
    try:
        data = signing.loads(str(token)[:500], salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise Http404("no such link") from None
    task = (
        Task.objects.select_related("instance", "instance__version")
        .defer("instance__state", "instance__version__spec_json")
        .filter(pk=data.get("task"), instance_id=data.get("instance"), element_id=ELEMENT)
        .first()
        if isinstance(data, dict)
        else None
    )
    if task is None or task.instance.process_key != FLOW:
        raise Http404("no such link")
    return task


def case_data(task: Task) -> dict[str, Any]:
    """What the customer may read of the case: the data the callback shows them (no internal notes)."""
    from engine import inspect

    data = inspect.snapshot(task.instance).data
    return {
        "business_key": task.instance.business_key,
        "customer_name": str(data.get("customer_name") or ""),
        "description": str(data.get("description") or ""),
        "handling_result": str(data.get("handling_result") or ""),
        "customer_mobile": str(data.get("customer_mobile") or ""),
    }


# --- the agent's invitation -------------------------------------------------------------------------


def check_invite(user: Any, task: Task) -> str:
    """The customer's mobile; NotAllowed/Conflict when the invitation cannot go out."""
    from engine.access import may_work

    if task.element_id != ELEMENT or task.instance.process_key != FLOW:
        raise NotAllowed(_("Only a complaint's callback can be sent to the customer."))
    if not may_work(user, task):
        raise NotAllowed(_("You are not in the group this task belongs to."))
    if task.state != TaskState.READY:
        raise Conflict(_("This callback is recorded already."))
    mobile = normalize(case_data(task)["customer_mobile"])
    if mobile is None:
        raise Conflict(_("The case has no valid mobile number of the customer: call them instead."))
    return mobile


def do_invite(user: Any, task: Task, site_url: str = "") -> None:
    """Send the survey SMS (after the commit) and audit who sent it."""
    mobile = check_invite(user, task)
    with transaction.atomic():
        AuditEvent.objects.create(
            at=clock.now(), company_id=task.company_id, actor=user, actor_name=user.display_name or user.username,
            action=AuditAction.UPDATE_DATA, instance=task.instance, task_id=task.pk, process_key=FLOW,
            element_id=ELEMENT, details={"change": "callback survey sent", "to": mask_phone(mobile)},
        )  # fmt: skip
        sent = clock.now().isoformat()
        transaction.on_commit(lambda: _send(task, mobile, site_url, sent))


def _send(task: Task, mobile: str, site_url: str, sent: str) -> None:
    found = get_adapter("notify/send_sms")
    if found is None:  # pragma: no cover - the engine registers it
        return
    adapter, operation = found
    data = case_data(task)
    params = {"to": mobile, "template": TEMPLATE_ID,
              "params": {"customer_name": data["customer_name"], "ticket": data["business_key"],
                         "link": link_for(task, site_url)}}  # fmt: skip
    context = CallContext(idempotency_key=f"callback-survey:{task.pk}:{sent}", company_id=task.company_id,
                          instance_id=task.instance_id)  # fmt: skip
    try:
        adapter.call(operation.name, params, context)
    except Exception:
        logger.exception("callback survey SMS for task %s not sent", task.pk)


# --- the customer's answer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    satisfaction: str
    comment: str


def check_answer(raw: Any) -> Answer:
    raw = raw if hasattr(raw, "get") else {}
    errors: dict[str, list[str]] = {}
    satisfaction = str(raw.get("satisfaction") or "")
    if satisfaction not in SATISFACTION:
        errors["satisfaction"] = [_("Choose how satisfied you are.")]
    comment = str(raw.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("Ensure this value has at most %(max)d characters.") % {"max": MAX_COMMENT}]
    elif "\x00" in comment:
        errors["comment"] = [_("Remove the control characters.")]
    if errors:
        raise FormInvalid(errors)
    return Answer(satisfaction, comment)


def answered_refusal(task: Task) -> str | None:
    if task.state != TaskState.READY:
        return _("Thank you: your evaluation of this case is recorded already.")
    return None


def do_answer(task: Task, raw: Any) -> Task:
    """Complete the 回访 step with the customer's answer (once)."""
    from engine.actions import do_complete_task

    answer = check_answer(raw)
    refusal = answered_refusal(task)
    if refusal:
        raise Conflict(refusal)
    actor = acting_as(task.company_id, case_data(task)["customer_name"] or "客户")
    # The agent may hold the task (claimed to send the link): the customer's own answer takes it.
    Task.objects.filter(pk=task.pk, state=TaskState.READY).update(assignee=None)
    data = {
        "customer_reached": True,
        "satisfaction": answer.satisfaction,
        "customer_comments": answer.comment,
    }
    try:
        return do_complete_task(actor, task, data)
    except Conflict:
        raise Conflict(_("Thank you: your evaluation of this case is recorded already.")) from None
