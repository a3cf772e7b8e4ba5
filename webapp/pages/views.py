"""The server-rendered UI: thin views that parse the request, call one engine getter or action,
and render. Engine errors become alerts with the error's status (errors.engine_errors)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine import access, actions, clock, formstore, inspect, options
from engine.errors import BadRequest, Conflict, FormInvalid
from engine.ids import id_or_404
from engine.models import AuditEvent, ProcessInstance, ProcessVersion, Task
from engine.models.audit import AuditAction
from engine.models.runtime import InstanceStatus, TaskState
from forms import coerce_post, jsonsafe, render_form
from forms.schema import properties
from forms.text import clean_text
from webapp import privacy
from webapp.common import actions as completing
from webapp.common import display, notices, params, rawdata, tasklist
from webapp.common.display import short_time
from webapp.common.errors import engine_errors, error_page, message
from webapp.common.filters import Field, FilterBar

from . import extensions, sla
from .inbox import PAGE_SIZE, InboxQuery, filter_bar, inbox_page, process_choices, tab_counts
from .task_form import task_form

COMPLAINT = "complaint"
MAX_AUDIT_ROWS = 500
MAX_REASON = 200  # a pause reason as stored


# --- inbox -----------------------------------------------------------------------------------


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    query = InboxQuery.parse(request.GET)
    with tasklist.serial():
        counts = tab_counts(request.user)
        page, total = inbox_page(request.user, query, params.param(request.GET, "cursor", limit=None), counts)
    return render(
        request,
        "pages/inbox.html",
        {
            "query": query,
            "page": page,
            "total": total,
            "thumbnails": extensions.thumbnails(request.user, page.object_list),
            "counts": counts,
            "filter_bar": filter_bar(request.user, query),
            "tabs": [
                ("all", _("All open")),
                ("mine", _("Assigned to me")),
                ("claimable", _("Claimable")),
                ("done", _("Done by me")),
            ],
            "group_names": request.user.group_names(),
        },
    )


@require_POST
@login_required
@engine_errors
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    back = params.back(request, reverse("inbox"))
    task = access.access_task(request.user, pk, for_write=True)
    try:
        actions.do_claim_task(request.user, task)
    except Conflict as exc:
        messages.error(request, message(exc))
        return redirect(back)
    messages.success(request, _("Claimed: %(task)s (%(key)s).") % _task_words(task))
    return redirect(back)


@require_POST
@login_required
@engine_errors
def task_unclaim(request: HttpRequest, pk: int) -> HttpResponse:
    back = params.back(request, reverse("inbox"))
    task = access.access_task(request.user, pk)
    try:
        actions.do_unclaim_task(request.user, task)
    except Conflict as exc:
        messages.error(request, message(exc))
        return redirect(back)
    messages.success(request, _("Put back: %(task)s (%(key)s) can be claimed again.") % _task_words(task))
    return redirect(back)


def _task_words(task: Task) -> dict[str, str]:
    return {"task": task.name, "key": task.instance.business_key}


# --- task ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if request.method == "GET":
        return _task_page(request, access.access_task(user, pk))
    task = access.access_task(user, pk, for_write=True)
    version_id = task.instance.version_id
    schema = formstore.form(version_id, task.form_schema)
    ui = formstore.form(version_id, task.form_ui_schema)
    posted = coerce_post(schema, request.POST, ui_schema=ui) if schema else {}
    personal = privacy.personal_fields(schema)
    submission = completing.restore_masked(
        task, posted, personal, empty_keeps=privacy.form_empty_keeps(request, personal)
    )
    posted, stored = submission.data, submission.stored
    try:
        actions.do_complete_task(user, task, posted)
    except FormInvalid as exc:
        if stored is None:
            stored = inspect.task_data(task.instance, task.spiff_id)
        typed = [k for k, v in posted.items() if v != stored.get(k)]
        shown = {**stored, **posted}
        return _task_page(request, task, data=shown, errors=exc.field_errors, status=exc.status, typed=typed)
    except Conflict as exc:
        return _task_page(request, access.access_task(user, pk), status=exc.status, alert=message(exc))
    messages.success(request, _("Submitted: %(task)s (%(key)s).") % _task_words(task))
    return redirect("inbox")


def task_page_data(task: Task) -> dict[str, Any]:
    """The data the task page shows: the data at the task, with what was submitted once it is done."""
    data = inspect.task_data(task.instance, task.spiff_id)
    if not task.is_open():
        data.update(_submitted(task))
    return data


def reveal_task(user: Any, pk: Any, field: str) -> privacy.Revealed:
    """A personal value of the data a task page shows, in full (privacy.do_reveal, kind "task")."""
    task = access.access_task(user, id_or_404(pk))
    value = privacy.flow_value(task_page_data(task), field, task.instance.version)
    return privacy.Revealed(value, f"{task.instance.business_key} · {task.name}", task.instance, task.pk)


def _with_defaults(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """Data with the form's top-level "default"s filled in where the data has no value yet."""
    if not schema:
        return data
    defaults = {
        key: node["default"]
        for key, node in properties(schema).items()
        if isinstance(node, dict) and "default" in node and not node.get("readOnly")
    }
    return {**defaults, **data}


def _submitted(task: Task) -> dict[str, Any]:
    """What the completing person submitted, from the audit trail."""
    event = (
        AuditEvent.objects.filter(instance_id=task.instance_id, task_id=task.pk, action=AuditAction.COMPLETE)
        .order_by("-at", "-id")
        .first()
    )
    data = event.details.get("data") if event is not None and isinstance(event.details, dict) else None
    return data if isinstance(data, dict) else {}


def _task_page(
    request: HttpRequest,
    task: Task,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    alert: str = "",
    pause_errors: list[str] | None = None,
    pause_reason: str = "",
    typed: list[str] | None = None,
) -> HttpResponse:
    """The task page; personal data is masked in the form (read-only values masked, editable ones
    as the placeholder) and the case summary, except what the user has just typed (`typed`)."""
    user = request.user
    instance = task.instance
    version = instance.version
    is_open = task.is_open()
    in_lane = task.lane in user.group_names()
    can_submit = is_open and access.may_work(user, task) and task.assignee_id in (None, user.pk)
    schema = formstore.form(version.pk, task.form_schema)
    ui = formstore.form(version.pk, task.form_ui_schema)
    if data is None:
        data = task_page_data(task)
        if is_open and can_submit:
            data = _with_defaults(schema, data)
    form = None
    if schema:
        form = task_form(user, task, schema, ui, data, errors, can_submit=can_submit, typed=typed or ())
    snap = inspect.snapshot(instance)
    labels = display.FormLabels.for_version(version).for_user(user)
    case = privacy.mask_data(snap.data, fields=labels.personal)
    return render(
        request,
        "pages/task.html",
        {
            "task": task,
            "instance": instance,
            "version": version,
            "form": form,
            "can_submit": can_submit,
            "can_claim": is_open and task.assignee_id is None and in_lane,
            "can_put_back": is_open
            and task.assignee_id is not None
            and (task.assignee_id == user.pk or user.has_perm(access.REASSIGN)),
            "held_by_other": is_open and task.assignee_id not in (None, user.pk),
            "state": display.badge(display.TASK_STATE, task.state),
            "summary": [  # what the form's own context rows do not show already
                row
                for row in _mark_revealable(display.summary_rows(case, labels), snap.data, labels, user)
                if form is None or row.key not in form.context_keys
            ],
            "diagram": _diagram(version, snap, current=[task.element_id] if is_open else []),
            "alert": alert,
            "errors": bool(errors),
            "sla": sla.task_sla(task, clock.now()),
            "panel_html": extensions.panel(request, task),
            "holds": is_open and task.assignee_id == user.pk,
            "pause_errors": pause_errors or [],
            "pause_reason": pause_reason,
        },
        status=status,
    )


@require_POST
@login_required
@engine_errors
def task_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """等待客户: the holder stops the task's SLA clock, with a reason."""
    user = request.user
    task = access.access_task(user, pk, for_write=True)
    reason = request.POST.get("reason", "").strip()[:MAX_REASON]  # do_pause_task refuses control characters
    try:
        actions.do_pause_task(user, task, reason)
    except FormInvalid as exc:
        problems = exc.field_errors.get("reason") or [message(exc)]
        return _task_page(request, task, status=exc.status, pause_errors=problems, pause_reason=reason)
    except Conflict as exc:
        return _task_page(request, access.access_task(user, pk), status=exc.status, alert=message(exc))
    messages.success(request, _("Waiting for the customer: the deadlines stand still until timing resumes."))
    return redirect("task", pk=pk)


@require_POST
@login_required
@engine_errors
def task_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """恢复计时: the holder restarts the clock; the paused time extends the deadlines."""
    user = request.user
    task = access.access_task(user, pk, for_write=True)
    try:
        task = actions.do_resume_task(user, task)
    except Conflict as exc:
        return _task_page(request, access.access_task(user, pk), status=exc.status, alert=message(exc))
    messages.success(
        request,
        _("Timing resumed; the new deadline is %(due)s.") % {"due": short_time(task.due_at) or "—"},
    )
    return redirect("task", pk=pk)


def _mark_revealable(
    rows: list[display.DataRow], data: dict[str, Any], labels: display.FormLabels, user: Any
) -> list[display.DataRow]:
    """Rows whose text is a mask get the "显示" button, for users who may see personal data."""
    if privacy.may_see(user):
        for data_row in rows:
            data_row.revealable = data_row.text != labels.value(data_row.key, data.get(data_row.key))
    return rows


def _diagram(version: ProcessVersion, snap: inspect.Snapshot, current: list[str] | None = None) -> dict:
    """The BPMN XML, which elements to mark (current task, other active, failed, done) and the
    path taken (pairs of element ids)."""
    try:
        _name, xml = inspect.main_bpmn(version.pk)
    except Exception:  # a version without a BPMN file cannot be drawn; the page still works
        xml = ""
    current = current or []
    active = [e for e in snap.active if e not in current]
    return {
        "xml": xml,
        "markers": {
            "current": current,
            "active": active,
            "failed": snap.failed,
            "completed": [e for e in snap.completed if e not in current and e not in active],
        },
        "taken": [list(pair) for pair in snap.taken],  # the sequence flows between these were taken
    }


# --- start -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def issue_new(request: HttpRequest) -> HttpResponse:
    return _start(request, COMPLAINT, title=_("Record customer issue"))


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def start(request: HttpRequest, process_key: str) -> HttpResponse:
    return _start(request, process_key)


def _start(request: HttpRequest, process_key: str, title: str = "") -> HttpResponse:
    try:
        version = actions.latest_version(clean_text(process_key, params.MAX_PARAM))
    except BadRequest as exc:
        return error_page(request, exc, status=404)
    schema = formstore.form(version.pk, version.start_form)
    ui = formstore.form(version.pk, version.start_ui_form)
    context: dict[str, Any] = {
        "version": version,
        "title": title or version.name or version.key,
        "has_form": schema is not None,
        "may_start": access.may_start(request.user, version.key),
        "action": request.path,
    }
    data: dict[str, Any] = _with_defaults(schema, {})
    if request.method == "GET" and schema and request.GET:
        # A link may fill in top-level fields (云通行's 接待 link: project_id, customer_id); what
        # the form does not name, or shows read-only, is ignored.
        given = coerce_post(schema, request.GET, ui_schema=ui)
        data.update({key: value for key, value in given.items() if key in request.GET})
    errors = None
    status = 200
    if request.method == "POST":
        access.check_may_start(request.user, version.key)
        data = coerce_post(schema, request.POST, ui_schema=ui) if schema else {}
        try:
            instance = actions.do_start_instance(request.user, version.key, data)
        except FormInvalid as exc:
            errors, status = exc.field_errors, exc.status
        else:
            messages.success(
                request,
                _("Recorded. Business key: %(key)s") % {"key": instance.business_key}
                if version.key == COMPLAINT
                else _("Started. Business key: %(key)s") % {"key": instance.business_key},
            )
            return redirect(_landing(request.user, instance))
    context["form_html"] = (
        render_form(options.expand(schema, request.user, data), ui, data, errors) if schema else ""
    )
    context["errors"] = bool(errors)
    return render(request, "pages/start.html", context, status=status)


def _landing(user: Any, instance: ProcessInstance) -> str:
    """Where a person lands after starting a case: its first task they can do now (theirs, or open
    to their work group: after 登记 the agent goes on to 派单), else the case's page."""
    task = (
        instance.tasks.filter(state=TaskState.READY)
        .filter(Q(assignee=user) | Q(assignee__isnull=True, lane__in=user.group_names()))
        .order_by("created_at", "id")
        .first()
    )
    return reverse("task", args=[task.pk]) if task is not None else reverse("instance", args=[instance.pk])


# --- instances -------------------------------------------------------------------------------


@require_GET
@login_required
def instance_list(request: HttpRequest) -> HttpResponse:
    instances = (
        access.visible_instances(request.user)
        .select_related("version", "started_by")
        .defer("state", "version__spec_json", "version__summary")
    )
    filters = {k: params.param(request.GET, k) for k in ("status", "process", "q")}
    if filters["status"] in InstanceStatus.values:
        instances = instances.filter(status=filters["status"])
    else:
        filters["status"] = ""
    if filters["process"]:
        instances = instances.filter(process_key=filters["process"])
    if filters["q"]:
        q = filters["q"]
        instances = instances.filter(
            Q(business_key__icontains=q)
            | Q(customer_name__icontains=q)
            | Q(room__icontains=q)
            | Q(title__icontains=q)
        )
    page = Paginator(instances.order_by("-started_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(i, display.badge(display.INSTANCE_STATUS, i.status)) for i in page.object_list]
    return render(
        request,
        "pages/instances.html",
        {
            "page": page,
            "rows": rows,
            "filter_bar": _instance_filters(filters),
            "processes": process_choices(),
        },
    )


def _instance_filters(filters: dict[str, str]) -> FilterBar:
    statuses = [(v, display.badge(display.INSTANCE_STATUS, v)[0]) for v in InstanceStatus.values]
    flows, every, hint = process_choices(), _("All"), _("Customer, room, business key, title")
    return FilterBar(
        id="instance-filters",
        actions_width="col-4 col-md-2",
        fields=[
            Field("select", "status", _("Status"), filters["status"], statuses, blank=every),
            Field(
                "select",
                "process",
                _("Process"),
                filters["process"],
                flows,
                blank=every,
                width="col-6 col-md-3",
            ),
            Field("search", "q", _("Search"), filters["q"], width="col-8 col-md-4", placeholder=hint),
        ],
    )


@require_GET
@login_required
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _instance_page(request, access.access_instance(request.user, pk))


def _instance_page(
    request: HttpRequest,
    instance: ProcessInstance,
    *,
    status: int = 200,
    alert: str = "",
    retry_incident: int | None = None,
    retry_text: str = "",
    cancel_errors: list[str] | None = None,
    cancel_reason: str = "",
) -> HttpResponse:
    version = instance.version
    snap = inspect.snapshot(instance)
    labels = display.FormLabels.for_version(version).for_user(request.user)
    masked = privacy.mask_data(snap.data, fields=labels.personal)
    plain, nested = display.data_rows(masked, labels)
    _mark_revealable(plain, snap.data, labels, request.user)
    tasks = instance.tasks.select_related("assignee", "completed_by").order_by("created_at", "id")
    events = list(instance.audit_events.order_by("-at", "-id")[: MAX_AUDIT_ROWS + 1])
    events_cut = len(events) > MAX_AUDIT_ROWS
    events = events[:MAX_AUDIT_ROWS][::-1]
    incidents = list(instance.incidents.select_related("resolved_by").order_by("-created_at", "-id"))
    return render(
        request,
        "pages/instance.html",
        {
            "instance": instance,
            "version": version,
            "status_badge": display.badge(display.INSTANCE_STATUS, instance.status),
            "data_rows": plain,
            "nested_rows": nested,
            "raw_data": rawdata.raw_json(masked) if rawdata.may_see_raw(request.user, instance) else "",
            "notices": notices.instance_notices(instance),
            "tasks": [(t, display.badge(display.TASK_STATE, t.state)) for t in tasks],
            "open_incidents": [
                (i, display.INCIDENT_KIND.get(i.kind, i.kind)) for i in incidents if i.is_open()
            ],
            "resolved_incidents": [
                (i, display.INCIDENT_KIND.get(i.kind, i.kind)) for i in incidents if not i.is_open()
            ],
            "timers": [
                (t, display.badge(display.TIMER_STATE, t.state), display.element_name(version, t.element_id))
                for t in instance.timers.order_by("due_at", "id")
            ],
            "calls": [
                (c, display.badge(display.CALL_STATE, c.state), display.element_name(version, c.element_id))
                for c in instance.service_calls.order_by("created_at", "id")
            ],
            "audit": [display.audit_row(e, version, labels) for e in events],
            "audit_cut": events_cut,
            "can_retry": request.user.has_perm(access.RETRY),
            "diagram": _diagram(version, snap),
            "alert": alert,
            "retry_incident": retry_incident,
            "retry_text": retry_text,
            "can_cancel": instance.is_open() and request.user.has_perm(access.CANCEL),
            "cancel_errors": cancel_errors or [],
            "cancel_reason": cancel_reason,
        },
        status=status,
    )


def _corrected_data(text: str) -> dict[str, Any] | None:
    """The optional "corrected data" of a retry: empty, or a JSON object."""
    if not text:
        return None
    try:
        data = jsonsafe.loads(text, settings.ANJU_MAX_JSON_DEPTH)
    except ValueError as exc:
        raise FormInvalid(
            {"data": [_("Corrected data is not valid JSON: %(error)s") % {"error": exc}]}
        ) from None
    if not isinstance(data, dict):
        raise FormInvalid({"data": [_('Corrected data must be a JSON object such as {"value": 5}.')]})
    return data


@require_POST
@login_required
@engine_errors
def incident_retry(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access.access_incident(request.user, pk, for_write=True)
    text = request.POST.get("data", "").strip()
    try:
        actions.do_retry_incident(request.user, incident, _corrected_data(text))
    except FormInvalid as exc:
        problem = " ".join(m for ms in exc.field_errors.values() for m in ms) or message(exc)
        status = exc.status
    except Conflict as exc:
        problem, status = message(exc), exc.status
    else:
        name = incident.element_name or incident.element_id
        messages.success(request, _("Retried: %(element)s.") % {"element": name})
        return redirect("instance", pk=incident.instance_id)
    instance = access.access_instance(request.user, incident.instance_id)
    return _instance_page(
        request, instance, status=status, alert=problem, retry_incident=incident.pk, retry_text=text
    )
