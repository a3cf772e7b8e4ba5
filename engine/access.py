"""Permission-checked getters: the only way views reach engine rows.

Everything is scoped to the user's company first (another company's rows are a 404, never a
403, so their existence does not leak). Within the company a user sees instances and tasks they
started, hold, completed or could claim through their work groups; holders of
`engine.view_all_instances` (customer-service center head, company head, auditors) see all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .errors import NotAllowed
from .models import Incident, ProcessInstance, Task

VIEW_ALL = "engine.view_all_instances"
RETRY = "engine.retry_incident"
REASSIGN = "engine.reassign_task"
CANCEL = "engine.cancel_instance"
DEPLOY = "engine.deploy_process"
START = "engine.add_processinstance"  # starting flows by hand at all (webapp/common/rights.py)


def _company_id(user: Any) -> int | None:
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def visible_instances(user: Any) -> QuerySet[ProcessInstance]:
    company_id = _company_id(user)
    if company_id is None:
        return ProcessInstance.objects.none()
    instances = ProcessInstance.objects.filter(company_id=company_id)
    if user.has_perm(VIEW_ALL):
        return instances
    involved = Task.objects.filter(instance=OuterRef("pk")).filter(
        Q(lane__in=user.group_names()) | Q(assignee=user) | Q(completed_by=user)
    )
    return instances.filter(Q(started_by=user) | Exists(involved))


def company_tasks(user: Any) -> QuerySet[Task]:
    """Every task of the user's company (none without one): what `visible_tasks` narrows. Only for
    lists whose own conditions lie inside the visibility (held by the user, claimable by them)."""
    company_id = _company_id(user)
    return Task.objects.none() if company_id is None else Task.objects.filter(company_id=company_id)


def task_visibility(user: Any) -> list[Q] | None:
    """Why a task of the user's company is visible to them: terms to OR (one per lane of their work
    groups, then held, completed, started by them), or None for every task (holders of VIEW_ALL).
    Lists at scale read each term on its own index (webapp/common/tasklist.py)."""
    if user.has_perm(VIEW_ALL):
        return None
    return [
        *(Q(lane=lane) for lane in user.group_names()),
        Q(assignee=user),
        Q(completed_by=user),
        Q(instance__started_by=user),
    ]


def visible_tasks(user: Any) -> QuerySet[Task]:
    tasks = company_tasks(user)
    if _company_id(user) is None:
        return tasks
    terms = task_visibility(user)
    if terms is None:
        return tasks
    either = Q()
    for term in terms:
        either |= term
    return tasks.filter(either)


def may_work(user: Any, task: Task) -> bool:
    """True when the user may claim or complete the task (its holder, or a member of its lane)."""
    if task.assignee_id is not None:
        return task.assignee_id == user.pk or task.lane in user.group_names()
    return task.lane in user.group_names()


def sees_task(user: Any, task: Task) -> bool:
    """`visible_tasks`'s rule for one task already read (its instance loaded): of the user's company,
    and VIEW_ALL or one of `task_visibility`'s terms. tests/engine/test_access.py checks that both
    say the same for every person and task."""
    company_id = _company_id(user)
    if company_id is None or task.company_id != company_id:
        return False
    if user.has_perm(VIEW_ALL):
        return True
    return (
        task.lane in user.group_names()
        or task.assignee_id == user.pk
        or task.completed_by_id == user.pk
        or task.instance.started_by_id == user.pk
    )


def access_task(user: Any, pk: int, *, for_write: bool = False) -> Task:
    """The task if the user may see it (one read by primary key, the rule checked on the row), else 404."""
    task = (
        Task.objects.select_related("instance", "instance__version", "assignee")
        .defer("instance__state", "instance__version__spec_json")  # an engine step loads them itself
        .filter(pk=pk)
        .first()
    )
    if task is None or not sees_task(user, task):
        raise Http404("no such task")
    if for_write and not may_work(user, task):
        raise NotAllowed(_("You are not in the group this task belongs to."))
    return task


def access_instance(user: Any, pk: int) -> ProcessInstance:
    instance = (
        visible_instances(user)
        .select_related("version")
        .defer("state", "version__spec_json")
        .filter(pk=pk)
        .first()
    )
    if instance is None:
        raise Http404("no such process instance")
    return instance


def access_incident(user: Any, pk: int, *, for_write: bool = False) -> Incident:
    incident = (
        Incident.objects.filter(pk=pk, instance__in=visible_instances(user))
        .select_related("instance")
        .first()
    )
    if incident is None:
        raise Http404("no such incident")
    if for_write and not user.has_perm(RETRY):
        raise NotAllowed(_("Retrying incidents needs the retry permission."))
    return incident


def may_start(user: Any, process_key: str) -> bool:
    """True when the user may start the flow by hand: they hold START (every employee's role has
    it; a contractor's people do not) and the flow's rule lets them (engine.models.FlowStartRule)."""
    from .models import FlowStartRule

    if _company_id(user) is None or not user.has_perm(START):
        return False
    rule = FlowStartRule.objects.filter(process_key=process_key).prefetch_related("roles").first()
    if rule is None or rule.open_to_all:
        return True
    if set(rule.work_groups or []) & set(user.group_names()):
        return True
    wanted = {g.pk for g in rule.roles.all()}
    return bool(wanted) and user.groups.filter(pk__in=wanted).exists()


def check_may_start(user: Any, process_key: str) -> None:
    if _company_id(user) is None:
        raise NotAllowed(_("Only employees of a company can start flows."))
    if not may_start(user, process_key):
        raise NotAllowed(_("You may not start this flow; it is started by its own work or by certain roles."))


def require_deploy(user: Any) -> None:
    if not user.has_perm(DEPLOY):
        raise NotAllowed(_("Deploying flows needs the deploy permission."))
